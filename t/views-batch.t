# Batches (docs/views.md "Batches"): profile_batch answers the ids of
# one argument from one snapshot, in request order (array) or keyed by
# id (object), each profile decided by the access rules as a single
# request would be, a missing or hidden one as null; limits, bad ids,
# a damaged record, views and fields=, caching headers, and the
# directive's refusals at nginx -t.  The profiles are those of t/views.t
# (t/fixtures/clients.*).

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

our $http_config = <<'_EOC_';
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;

    profile_view card {
        envelope on;
        integers string;
        field id;
        field display_name name;
        field followers;
    }
_EOC_

our $config = <<'_EOC_';
    location = /batch {
        profile_batch ids 5 array;
        profile_viewer $http_x_viewer trusted;
        profile_viewer_roles $http_x_roles trusted;
    }

    location = /keyed {
        profile_batch ids 5 object;
        profile_viewer $http_x_viewer trusted;
    }

    location = /cards {
        profile_batch id 3 array;
        profile_viewer $http_x_viewer trusted;
        profile_views card;
    }

    location = /strict {
        profile_batch ids 5 array;
        profile_viewer $http_x_viewer trusted;
        profile_private_mode not_found;
        profile_forbidden_status 403;
    }
_EOC_

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value('http_config', $http_config)
        unless defined $block->http_config;
    $block->set_value('config', $config) unless defined $block->config;
});

run_tests();

__DATA__

=== TEST 1: an array in request order: missing, private (its stub) and suspended as a single request gets them
--- request
GET /batch?ids=ann,bob,nobody,cy,dee
--- response_headers
Content-Type: application/json; charset=utf-8
Vary: X-Viewer, X-Roles
!Cache-Control
--- response_body chomp
[{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar_url":"https://cdn.example/a/ann.png","bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"followers":1200,"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","team_id":"maps"},{"id":"bob","user_id":42,"display_name":"Bob","username":"bob","avatar_url":"","bio":"","location":{"city":"Porto"},"followers":0,"verified":false,"links":[],"created_at":"2021-01-01T00:00:00Z","team_id":"ghost"},null,{"id":"cy","display_name":"Cy"},null]
--- error_code: 200
--- no_error_log
[error]


=== TEST 2: a blocked viewer: the profile that blocks them is null, exactly like a missing one
--- request
GET /batch?ids=ann,nobody,dee
--- more_headers
X-Viewer: dee
--- response_headers
Cache-Control: private, no-store
--- response_body chomp
[null,null,{"id":"dee","user_id":-5,"display_name":"Dee","username":"dee","email":"dee@example.com","state":"suspended"}]
--- error_code: 200
--- no_error_log
[error]


=== TEST 3: the access rules per profile: a friend of one, a follower of none
--- request
GET /batch?ids=ann,bob
--- more_headers
X-Viewer: cy
--- response_headers
Cache-Control: private, no-store
--- response_body chomp
[{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar_url":"https://cdn.example/a/ann.png","bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"followers":1200,"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","last_seen":"2026-11-30T22:00:00.250Z","birthday":"05-01","phone":"+351 555 0101","team_id":"maps"},{"id":"bob","user_id":42,"display_name":"Bob","username":"bob","avatar_url":"","bio":"","location":{"city":"Porto"},"followers":0,"verified":false,"links":[],"created_at":"2021-01-01T00:00:00Z","team_id":"ghost"}]
--- error_code: 200
--- no_error_log
[error]


=== TEST 4: a role: the suspended profile it may see, with its role field
--- request
GET /batch?ids=dee
--- more_headers
X-Viewer: bob
X-Roles: support
--- response_body chomp
[{"id":"dee","user_id":-5,"display_name":"Dee","username":"dee","email":"dee@example.com","state":"suspended"}]
--- error_code: 200
--- no_error_log
[error]


=== TEST 5: duplicates in an array: answered at each position
--- request
GET /batch?ids=bob,bob
--- response_body chomp
[{"id":"bob","user_id":42,"display_name":"Bob","username":"bob","avatar_url":"","bio":"","location":{"city":"Porto"},"followers":0,"verified":false,"links":[],"created_at":"2021-01-01T00:00:00Z","team_id":"ghost"},{"id":"bob","user_id":42,"display_name":"Bob","username":"bob","avatar_url":"","bio":"","location":{"city":"Porto"},"followers":0,"verified":false,"links":[],"created_at":"2021-01-01T00:00:00Z","team_id":"ghost"}]
--- error_code: 200
--- no_error_log
[error]


=== TEST 6: an object keyed by id: a duplicate once, a missing id null
--- request
GET /keyed?ids=bob,nobody,bob,cy
--- response_body chomp
{"bob":{"id":"bob","user_id":42,"display_name":"Bob","username":"bob","avatar_url":"","bio":"","location":{"city":"Porto"},"followers":0,"verified":false,"links":[],"created_at":"2021-01-01T00:00:00Z","team_id":"ghost"},"nobody":null,"cy":{"id":"cy","display_name":"Cy"}}
--- error_code: 200
--- no_error_log
[error]


=== TEST 7: an object: duplicates do not count toward the maximum
--- request
GET /keyed?ids=bob,bob,bob,bob,bob,bob,cy
--- response_body chomp
{"bob":{"id":"bob","user_id":42,"display_name":"Bob","username":"bob","avatar_url":"","bio":"","location":{"city":"Porto"},"followers":0,"verified":false,"links":[],"created_at":"2021-01-01T00:00:00Z","team_id":"ghost"},"cy":{"id":"cy","display_name":"Cy"}}
--- error_code: 200
--- no_error_log
[error]


=== TEST 8: a view: the envelope once around the batch, each profile in the view
--- request
GET /cards?id=ann,nobody,bob
--- response_body chomp
{"data":[{"id":"ann","name":"Ann Lee","followers":"1200"},null,{"id":"bob","name":"Bob","followers":"0"}],"meta":{"snapshot":"clients-1","view":"card"}}
--- error_code: 200
--- no_error_log
[error]


=== TEST 9: a view and fields=: every profile narrowed
--- request
GET /cards?id=ann,bob&fields=name
--- response_body chomp
{"data":[{"name":"Ann Lee"},{"name":"Bob"}],"meta":{"snapshot":"clients-1","view":"card"}}
--- error_code: 200
--- no_error_log
[error]


=== TEST 10: fields= outside the view: the 400 of a single request
--- request
GET /cards?id=ann&fields=email
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:unknown-field","title":"Unknown field","status":400,"detail":"This view has no field \"email\".","field":"email"}
--- error_code: 400
--- no_error_log
[error]


=== TEST 11: forbidden with profile_forbidden_status 403: null, like hidden
--- request
GET /strict?ids=cy,bob
--- response_body chomp
[null,{"id":"bob","user_id":42,"display_name":"Bob","username":"bob","avatar_url":"","bio":"","location":{"city":"Porto"},"followers":0,"verified":false,"links":[],"created_at":"2021-01-01T00:00:00Z","team_id":"ghost"}]
--- error_code: 200
--- no_error_log
[error]


=== TEST 12: no ids: an empty array
--- request
GET /batch
--- response_body chomp
[]
--- error_code: 200
--- no_error_log
[error]


=== TEST 13: no ids in an object location: an empty object
--- request
GET /keyed?ids=
--- response_body chomp
{}
--- error_code: 200
--- no_error_log
[error]


=== TEST 14: empty elements are skipped
--- request
GET /batch?ids=,bob,,
--- response_body chomp
[{"id":"bob","user_id":42,"display_name":"Bob","username":"bob","avatar_url":"","bio":"","location":{"city":"Porto"},"followers":0,"verified":false,"links":[],"created_at":"2021-01-01T00:00:00Z","team_id":"ghost"}]
--- error_code: 200
--- no_error_log
[error]


=== TEST 15: percent-encoded commas
--- request
GET /batch?ids=bob%2Ccy
--- response_body chomp
[{"id":"bob","user_id":42,"display_name":"Bob","username":"bob","avatar_url":"","bio":"","location":{"city":"Porto"},"followers":0,"verified":false,"links":[],"created_at":"2021-01-01T00:00:00Z","team_id":"ghost"},{"id":"cy","display_name":"Cy"}]
--- error_code: 200
--- no_error_log
[error]


=== TEST 16: more ids than the maximum: 400
--- request
GET /cards?id=a,b,c,d
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:too-many-ids","title":"Too many ids","status":400,"detail":"The batch holds more ids than this location answers at once."}
--- error_code: 400
--- error_log
profile: client sent more than 3 ids in a batch
--- no_error_log
[error]


=== TEST 17: an id outside the grammar: 400 for the batch, not echoed
--- request
GET /batch?ids=bob,%3Cx%3E
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:invalid-id","title":"Invalid profile id","status":400,"detail":"The batch holds an id that is longer than 128 bytes or holds a byte outside [A-Za-z0-9._~-]."}
--- error_code: 400
--- error_log
profile: client sent an invalid id in a batch
--- no_error_log
[error]


=== TEST 18: an id longer than 128 bytes: 400
--- request
GET /batch?ids=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:invalid-id","title":"Invalid profile id","status":400,"detail":"The batch holds an id that is longer than 128 bytes or holds a byte outside [A-Za-z0-9._~-]."}
--- error_code: 400
--- no_error_log
[error]


=== TEST 19: POST: 405 like a single request
--- request
POST /batch?ids=bob
x
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:method-not-allowed","title":"Method not allowed","status":405,"detail":"Profiles can only be read with GET or HEAD."}
--- error_code: 405
--- no_error_log
[error]


=== TEST 20: HEAD: the headers of GET
--- request
HEAD /batch?ids=bob
--- response_headers
Content-Length: 214
--- response_body chomp

--- error_code: 200
--- no_error_log
[error]


=== TEST 21: a damaged record in a batch: 500 for the whole batch, logged
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/badhash.snap;
--- config
    location = /batch {
        profile_batch ids 5 array;
    }
--- request
GET /batch?ids=good,badhash
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:internal-error","title":"Internal error","status":500,"detail":"The profile could not be read."}
--- error_code: 500
--- error_log eval
qr/bad record for id "badhash" at index slot \d+ \(record hash mismatch\)/


=== TEST 22: profile_batch with a bad argument name
--- config
    location = /b {
        profile_batch "a b" 5 array;
    }
--- must_die
--- error_log
invalid argument name "a b" in "profile_batch": [A-Za-z0-9_-]


=== TEST 23: profile_batch with a maximum of 0
--- config
    location = /b {
        profile_batch ids 0 array;
    }
--- must_die
--- error_log
invalid maximum "0" in "profile_batch": 1 to 1000 ids


=== TEST 24: profile_batch with a maximum above 1000
--- config
    location = /b {
        profile_batch ids 1001 array;
    }
--- must_die
--- error_log
invalid maximum "1001" in "profile_batch": 1 to 1000 ids


=== TEST 25: profile_batch with a bad shape
--- config
    location = /b {
        profile_batch ids 5 list;
    }
--- must_die
--- error_log
invalid shape "list" in "profile_batch": "array" or "object"


=== TEST 26: profile_batch after profile
--- config
    location = /b {
        profile;
        profile_batch ids 5 array;
    }
--- must_die
--- error_log
"profile_batch" directive is not allowed with "profile"


=== TEST 27: profile after profile_batch
--- config
    location = /b {
        profile_batch ids 5 array;
        profile;
    }
--- must_die
--- error_log
"profile" directive is not allowed with "profile_batch"


=== TEST 28: profile_batch twice
--- config
    location = /b {
        profile_batch ids 5 array;
        profile_batch ids 5 array;
    }
--- must_die
--- error_log
"profile_batch" directive is duplicate
