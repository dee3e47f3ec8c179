# Client views (docs/views.md): profile_view blocks (renames, nesting,
# members of object fields, the envelope, omit_empty, integers as
# strings, epoch timestamps, "field *"), choosing a
# view with profile_view_select, "fields=", and the access rules under
# every view: a view never shows what the rules hide.  The profiles are
# t/fixtures/clients.*: ann (every field), bob (empty values), cy
# (private), dee (suspended); bob follows ann, cy and ann are friends,
# ann blocks dee.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

# the golden answers of the three clients of docs/views.md, one file
# each in t/views/golden/ (the body, then a newline the body lacks)
sub golden {
    my ($name) = @_;
    open my $fh, '<', "$FindBin::Bin/views/golden/$name.json"
        or die "golden $name: $!\n";
    local $/;
    my $body = <$fh>;
    $body =~ s/\n\z//;
    return $body;
}

our $http_config = <<'_EOC_';
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;

    profile_view web {
        envelope on;
        field id;
        field user_id;
        field display_name;
        field username;
        field avatar_url avatar.url;
        field bio;
        field location;
        field followers stats.followers;
        field verified;
        field links;
        field created_at;
        field last_seen;
        field birthday;
        field phone contact.phone;
        field email contact.email;
        embed team team_id team_card;
    }

    profile_view team_card {
        source teams;
        field id;
        field name;
        field members;
        field budget;
    }

    profile_view team_name {
        source teams;
        omit_empty on;
        integers string;
        timestamps epoch;
        field name title;
        field budget;
        field founded;
    }

    profile_view card {
        field id;
        embed team.info team_id team_name omit;
    }

    profile_view mobile {
        omit_empty on;
        integers string;
        timestamps epoch;
        field id;
        field user_id uid;
        field display_name name;
        field avatar_url avatar;
        field followers;
        field bio;
        field links;
        field created_at;
        field last_seen;
    }

    profile_view partner_v1 {
        field id;
        field display_name name;
        field username screen_name;
        field followers followers_count;
        field created_at;
        field location.city city;
        field location.country country_code;
    }

    profile_view members {
        integers string;
        timestamps epoch;
        field location.city;
        field location.country place.country;
        field location nested.location;
        field last_seen seen.epoch;
        field id;
    }

    profile_view everything {
        field *;
    }

    profile_view renamed {
        field display_name name;
        field *;
        field id user.id;
    }
_EOC_

our $config = <<'_EOC_';
    location /v/ {
        profile;
        profile_viewer $http_x_viewer trusted;
        profile_viewer_roles $http_x_roles trusted;
        profile_views web mobile partner_v1 everything renamed members card;
        profile_view_select $http_x_client;
        add_header X-View $profile_view;
        add_header X-Partial $profile_partial;
    }

    location /n/ {
        profile;
        profile_viewer $http_x_viewer trusted;
        profile_views web mobile partner_v1 members card;
        profile_view_select $http_x_client;
        profile_hidden_fields null;
        add_header X-Partial $profile_partial;
    }

    location /neg/ {
        profile;
        profile_viewer $http_x_viewer trusted;
        profile_views web mobile partner_v1;
        add_header X-View $profile_view;
    }

    location /arg/ {
        profile;
        profile_views partner_v1 web;
        profile_view_select $arg_view;
        profile_fields_arg only;
        profile_fields_max 3;
    }

    location /off/ {
        profile;
        profile_views web;
        profile_view_select $arg_view;
        profile_fields_arg off;
    }

    location /plain/ {
        profile;
        profile_viewer $http_x_viewer trusted;
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

=== TEST 1: web view, anonymous: renames, nesting, the envelope; self fields left out
--- request
GET /v/ann
--- more_headers
X-Client: web
--- response_headers
Content-Type: application/json; charset=utf-8
Content-Length: 416
Vary: X-Viewer, X-Roles, X-Client
X-View: web
!Cache-Control
--- response_body eval
main::golden("web-anonymous")
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: web view, the owner: every field the view names, nested where it says
--- request
GET /v/ann
--- more_headers
X-Client: web
X-Viewer: ann
--- response_headers
Cache-Control: private, no-store
X-View: web
--- response_body eval
main::golden("web-owner")
--- error_code: 200
--- no_error_log
[error]



=== TEST 3: web view, a friend: the friend fields, not the owner's email
--- request
GET /v/ann
--- more_headers
X-Client: web
X-Viewer: cy
--- response_body eval
main::golden("web-friend")
--- error_code: 200
--- no_error_log
[error]



=== TEST 4: web view, a follower: the follower field only; an output object with nothing shown is {}
--- request
GET /v/ann
--- more_headers
X-Client: web
X-Viewer: bob
--- response_body chomp
{"data":{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar":{"url":"https://cdn.example/a/ann.png"},"bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"stats":{"followers":1200},"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","birthday":"05-01","contact":{},"team":{"id":"maps","name":"Maps","members":["ann","cy"]}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 5: web view, blocked: exactly the 404 of a missing profile
--- request
GET /v/ann
--- more_headers
X-Client: web
X-Viewer: dee
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404
--- no_error_log
[error]



=== TEST 6: web view, a missing profile: the same 404
--- request
GET /v/nobody
--- more_headers
X-Client: web
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404
--- no_error_log
[error]



=== TEST 7: web view, a suspended profile: only for the role the schema grants, with its role field
--- request
GET /v/dee
--- more_headers
X-Client: web
X-Viewer: bob
X-Roles: support
--- response_body chomp
{"data":{"id":"dee","user_id":-5,"display_name":"Dee","username":"dee","avatar":{},"stats":{},"contact":{"email":"dee@example.com"}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 8: web view, a suspended profile to anyone else: 404
--- request
GET /v/dee
--- more_headers
X-Client: web
X-Viewer: bob
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404
--- no_error_log
[error]



=== TEST 9: web view, a private profile: its stub fields only
--- request
GET /v/cy
--- more_headers
X-Client: web
--- response_body chomp
{"data":{"id":"cy","display_name":"Cy","avatar":{},"stats":{},"contact":{}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 10: mobile view: omit_empty, integers as strings, renames; no envelope
--- request
GET /v/ann
--- more_headers
X-Client: mobile
--- response_headers
X-View: mobile
--- response_body eval
main::golden("mobile-anonymous")
--- error_code: 200
--- no_error_log
[error]



=== TEST 11: mobile view: "" and [] are left out, 0 and false are not empty
--- request
GET /v/bob
--- more_headers
X-Client: mobile
--- response_body eval
main::golden("mobile-empty-values")
--- error_code: 200
--- no_error_log
[error]



=== TEST 12: mobile view, a friend: the friend field too
--- request
GET /v/ann
--- more_headers
X-Client: mobile
X-Viewer: cy
--- response_body eval
main::golden("mobile-friend")
--- error_code: 200
--- no_error_log
[error]



=== TEST 13: mobile view: a negative integer as a string
--- request
GET /v/dee
--- more_headers
X-Client: mobile
X-Viewer: dee
--- response_body chomp
{"id":"dee","uid":"-5","name":"Dee"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 14: partner_v1 view: flat, legacy names, in the view's order
--- request
GET /v/ann
--- more_headers
X-Client: partner_v1
--- response_headers
X-View: partner_v1
--- response_body eval
main::golden("partner_v1")
--- error_code: 200
--- no_error_log
[error]



=== TEST 15: "field *": the object a location without views sends, for the owner
--- request
GET /v/ann
--- more_headers
X-Client: everything
X-Viewer: ann
--- response_body chomp
{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar_url":"https://cdn.example/a/ann.png","bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"followers":1200,"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","last_seen":"2026-11-30T22:00:00.250Z","birthday":"05-01","phone":"+351 555 0101","email":"ann@example.com","notes":"vip","team_id":"maps"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 16: no view: the same bytes as "field *"
--- request
GET /plain/ann
--- more_headers
X-Viewer: ann
--- response_headers
Vary: X-Viewer
--- response_body chomp
{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar_url":"https://cdn.example/a/ann.png","bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"followers":1200,"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","last_seen":"2026-11-30T22:00:00.250Z","birthday":"05-01","phone":"+351 555 0101","email":"ann@example.com","notes":"vip","team_id":"maps"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 17: "field *" with renames around it: every other field once, at its place
--- request
GET /v/bob
--- more_headers
X-Client: renamed
--- response_body chomp
{"name":"Bob","user_id":42,"username":"bob","avatar_url":"","bio":"","location":{"city":"Porto"},"followers":0,"verified":false,"links":[],"created_at":"2021-01-01T00:00:00Z","team_id":"ghost","user":{"id":"bob"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 18: profile_hidden_fields null: hidden fields as null, inside nested objects too
--- request
GET /n/ann
--- more_headers
X-Client: web
--- response_body chomp
{"data":{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar":{"url":"https://cdn.example/a/ann.png"},"bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"stats":{"followers":1200},"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","last_seen":null,"birthday":null,"contact":{"phone":null,"email":null},"team":{"id":"maps","name":"Maps","members":null,"budget":null}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 19: profile_hidden_fields null with omit_empty: a null is empty, so left out
--- request
GET /n/ann
--- more_headers
X-Client: mobile
--- response_body chomp
{"id":"ann","uid":"9007199254740993","name":"Ann Lee","avatar":"https://cdn.example/a/ann.png","followers":"1200","bio":"Maps and \"trains\".","links":["https://ann.example"],"created_at":1551675967}
--- error_code: 200
--- no_error_log
[error]



=== TEST 20: profile_view_select empty: the first view of profile_views
--- request
GET /v/ann
--- response_headers
X-View: web
--- response_body chomp
{"data":{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar":{"url":"https://cdn.example/a/ann.png"},"bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"stats":{"followers":1200},"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","contact":{},"team":{"id":"maps","name":"Maps"}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 21: an unknown view: 406 listing the views, with Vary
--- request
GET /v/ann
--- more_headers
X-Client: tablet
--- response_headers
Content-Type: application/problem+json
Vary: X-Viewer, X-Roles, X-Client
!ETag
!X-View
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-acceptable","title":"No acceptable view","status":406,"detail":"No view of this location is acceptable.","views":["web","mobile","partner_v1","everything","renamed","members","card"]}
--- error_code: 406
--- no_error_log
[error]



=== TEST 22: a view name is compared exactly: case matters
--- request
GET /v/ann
--- more_headers
X-Client: Web
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-acceptable","title":"No acceptable view","status":406,"detail":"No view of this location is acceptable.","views":["web","mobile","partner_v1","everything","renamed","members","card"]}
--- error_code: 406
--- no_error_log
[error]



=== TEST 23: a view of the configuration not offered here: 406
--- request
GET /n/ann
--- more_headers
X-Client: everything
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-acceptable","title":"No acceptable view","status":406,"detail":"No view of this location is acceptable.","views":["web","mobile","partner_v1","members","card"]}
--- error_code: 406
--- no_error_log
[error]



=== TEST 24: an argument selects the view; fields= named by profile_fields_arg
--- request
GET /arg/ann?view=web&only=contact,id
--- response_headers
!Vary
!Cache-Control
--- response_body chomp
{"data":{"id":"ann","contact":{}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 25: fields=: the output follows the view's order, not the request's
--- request
GET /v/ann?fields=contact,verified,id
--- more_headers
X-Client: web
X-Viewer: ann
--- response_body chomp
{"data":{"id":"ann","verified":true,"contact":{"phone":"+351 555 0101","email":"ann@example.com"}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 26: fields=: duplicates are harmless and count once toward the cap
--- request
GET /arg/ann?only=id,name,id,name,id,screen_name,name
--- response_body chomp
{"id":"ann","name":"Ann Lee","screen_name":"ann"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 27: fields=*: every field this viewer may see in the view
--- request
GET /v/ann?fields=*
--- more_headers
X-Client: web
--- response_body chomp
{"data":{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar":{"url":"https://cdn.example/a/ann.png"},"bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"stats":{"followers":1200},"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","contact":{},"team":{"id":"maps","name":"Maps"}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 28: fields= with * among names: every field
--- request
GET /v/ann?fields=id,*
--- more_headers
X-Client: web
--- response_body chomp
{"data":{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar":{"url":"https://cdn.example/a/ann.png"},"bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"stats":{"followers":1200},"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","contact":{},"team":{"id":"maps","name":"Maps"}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 29: fields= empty: the whole view
--- request
GET /v/ann?fields=
--- more_headers
X-Client: web
--- response_body chomp
{"data":{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar":{"url":"https://cdn.example/a/ann.png"},"bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"stats":{"followers":1200},"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","contact":{},"team":{"id":"maps","name":"Maps"}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 30: fields= only commas: the whole view
--- request
GET /v/ann?fields=,,
--- more_headers
X-Client: web
--- response_body chomp
{"data":{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar":{"url":"https://cdn.example/a/ann.png"},"bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"stats":{"followers":1200},"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","contact":{},"team":{"id":"maps","name":"Maps"}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 31: fields= percent-encoded: decoded like a URI
--- request
GET /v/ann?fields=id%2Cusername
--- more_headers
X-Client: web
--- response_body chomp
{"data":{"id":"ann","username":"ann"},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 32: fields= names a hidden field: never an error, never shown
--- request
GET /v/ann?fields=id,last_seen
--- more_headers
X-Client: web
--- response_body chomp
{"data":{"id":"ann"},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 33: fields= names an output object: all of it
--- request
GET /v/ann?fields=avatar
--- more_headers
X-Client: web
--- response_body chomp
{"data":{"avatar":{"url":"https://cdn.example/a/ann.png"}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 34: fields= names a field outside the view: 400 naming it, logged at info
--- request
GET /v/ann?fields=id,notes
--- more_headers
X-Client: web
--- response_headers
Content-Type: application/problem+json
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:unknown-field","title":"Unknown field","status":400,"detail":"This view has no field \"notes\".","field":"notes"}
--- error_code: 400
--- error_log
profile: client sent an invalid field list for view "web"
--- no_error_log
[error]



=== TEST 35: fields= names a stored field by the name the view renamed: 400
--- request
GET /v/ann?fields=display_name
--- more_headers
X-Client: mobile
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:unknown-field","title":"Unknown field","status":400,"detail":"This view has no field \"display_name\".","field":"display_name"}
--- error_code: 400
--- no_error_log
[error]



=== TEST 36: fields= with a nested name: 400, names are top-level
--- request
GET /v/ann?fields=avatar.url
--- more_headers
X-Client: web
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:invalid-fields","title":"Invalid field list","status":400,"detail":"A field name holds a byte outside [A-Za-z0-9_-] or is longer than 64 bytes."}
--- error_code: 400
--- no_error_log
[error]



=== TEST 37: fields= with a byte outside the names' grammar: 400 that does not echo it
--- request
GET /v/ann?fields=id,%3Cscript%3E
--- more_headers
X-Client: web
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:invalid-fields","title":"Invalid field list","status":400,"detail":"A field name holds a byte outside [A-Za-z0-9_-] or is longer than 64 bytes."}
--- error_code: 400
--- no_error_log
[error]



=== TEST 38: fields= above profile_fields_max: 400
--- request
GET /arg/ann?only=id,name,screen_name,city
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:too-many-fields","title":"Too many fields","status":400,"detail":"At most 3 fields may be asked for."}
--- error_code: 400
--- no_error_log
[error]



=== TEST 39: fields= is checked before the profile is looked up: a missing one gets the same 400
--- request
GET /v/nobody?fields=nope
--- more_headers
X-Client: web
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:unknown-field","title":"Unknown field","status":400,"detail":"This view has no field \"nope\".","field":"nope"}
--- error_code: 400
--- no_error_log
[error]



=== TEST 40: profile_fields_arg off: the argument is not read
--- request
GET /off/ann?fields=nope
--- response_body chomp
{"data":{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar":{"url":"https://cdn.example/a/ann.png"},"bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"stats":{"followers":1200},"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","contact":{},"team":{"id":"maps","name":"Maps"}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 41: HEAD: the headers of GET, no body
--- request
HEAD /v/ann
--- more_headers
X-Client: web
--- response_headers
Content-Length: 416
X-View: web
--- response_body chomp

--- error_code: 200
--- no_error_log
[error]



=== TEST 42: a location without views ignores fields=
--- request
GET /plain/bob?fields=nope
--- response_body chomp
{"id":"bob","user_id":42,"display_name":"Bob","username":"bob","avatar_url":"","bio":"","location":{"city":"Porto"},"followers":0,"verified":false,"links":[],"created_at":"2021-01-01T00:00:00Z","team_id":"ghost"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 43: members of an object field: flattened, renamed, nested again; epoch seconds; a hidden member's output object is {}
--- request
GET /v/ann
--- more_headers
X-Client: members
--- response_body chomp
{"location":{"city":"Lisbon"},"place":{"country":"PT"},"nested":{"location":{"city":"Lisbon","country":"PT"}},"seen":{},"id":"ann"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 44: members, a friend: the friend timestamp in epoch seconds with its milliseconds
--- request
GET /v/ann
--- more_headers
X-Client: members
X-Viewer: cy
--- response_body chomp
{"location":{"city":"Lisbon"},"place":{"country":"PT"},"nested":{"location":{"city":"Lisbon","country":"PT"}},"seen":{"epoch":1796076000.25},"id":"ann"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 45: members: a member the profile lacks is left out
--- request
GET /v/bob
--- more_headers
X-Client: members
--- response_body chomp
{"location":{"city":"Porto"},"place":{},"nested":{"location":{"city":"Porto"}},"seen":{},"id":"bob"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 46: members: a member takes its field's access (a private profile's stub has no location)
--- request
GET /v/cy
--- more_headers
X-Client: members
--- response_body chomp
{"location":{},"place":{},"nested":{},"seen":{},"id":"cy"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 47: members with profile_hidden_fields null: a hidden value is null
--- request
GET /n/ann
--- more_headers
X-Client: members
--- response_body chomp
{"location":{"city":"Lisbon"},"place":{"country":"PT"},"nested":{"location":{"city":"Lisbon","country":"PT"}},"seen":{"epoch":null},"id":"ann"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 48: members and fields=: top-level names only
--- request
GET /v/ann?fields=place,id
--- more_headers
X-Client: members
--- response_body chomp
{"place":{"country":"PT"},"id":"ann"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 49: epoch seconds before 1970 are negative
--- request
GET /v/cy
--- more_headers
X-Client: mobile
X-Viewer: cy
--- response_body chomp
{"id":"cy","uid":"7","name":"Cy","created_at":-1}
--- error_code: 200
--- no_error_log
[error]



=== TEST 50: Accept: none: the default view
--- request
GET /neg/bob
--- response_headers
Vary: X-Viewer, Accept
X-View: web
--- response_body_like chomp
^\{"data":\{"id":"bob",.*"view":"web"\}\}$
--- error_code: 200
--- no_error_log
[error]



=== TEST 51: Accept: application/json: the default view
--- request
GET /neg/bob
--- more_headers
Accept: application/json
--- response_headers
Vary: X-Viewer, Accept
X-View: web
--- response_body_like chomp
^\{"data":\{"id":"bob",.*"view":"web"\}\}$
--- error_code: 200
--- no_error_log
[error]



=== TEST 52: Accept: */*: the default view
--- request
GET /neg/bob
--- more_headers
Accept: */*
--- response_headers
Vary: X-Viewer, Accept
X-View: web
--- response_body_like chomp
^\{"data":\{"id":"bob",.*"view":"web"\}\}$
--- error_code: 200
--- no_error_log
[error]



=== TEST 53: Accept: a view's media type
--- request
GET /neg/bob
--- more_headers
Accept: application/vnd.profile.mobile+json
--- response_headers
Vary: X-Viewer, Accept
X-View: mobile
--- response_body_like chomp
^\{"id":"bob","uid":"42",
--- error_code: 200
--- no_error_log
[error]



=== TEST 54: Accept: media types are case-insensitive
--- request
GET /neg/bob
--- more_headers
Accept: Application/VND.Profile.Partner_V1+JSON
--- response_headers
Vary: X-Viewer, Accept
X-View: partner_v1
--- response_body_like chomp
^\{"id":"bob","name":"Bob","screen_name":"bob"
--- error_code: 200
--- no_error_log
[error]



=== TEST 55: Accept: the highest q wins
--- request
GET /neg/bob
--- more_headers
Accept: application/vnd.profile.mobile+json;q=0.5, application/vnd.profile.partner_v1+json;q=0.8
--- response_headers
Vary: X-Viewer, Accept
X-View: partner_v1
--- response_body_like chomp
^\{"id":"bob","name":"Bob","screen_name":"bob"
--- error_code: 200
--- no_error_log
[error]



=== TEST 56: Accept: an exact type beats */* at the same q
--- request
GET /neg/bob
--- more_headers
Accept: */*;q=0.5, application/vnd.profile.mobile+json;q=0.5
--- response_headers
Vary: X-Viewer, Accept
X-View: mobile
--- response_body_like chomp
^\{"id":"bob","uid":"42",
--- error_code: 200
--- no_error_log
[error]



=== TEST 57: Accept: equal q and equal specificity: the default view
--- request
GET /neg/bob
--- more_headers
Accept: application/vnd.profile.mobile+json;q=0.5, application/json;q=0.5
--- response_headers
Vary: X-Viewer, Accept
X-View: web
--- response_body_like chomp
^\{"data":\{"id":"bob",.*"view":"web"\}\}$
--- error_code: 200
--- no_error_log
[error]



=== TEST 58: Accept: q=0 excludes a view; */* gives the next
--- request
GET /neg/bob
--- more_headers
Accept: application/vnd.profile.web+json;q=0, */*
--- response_headers
Vary: X-Viewer, Accept
X-View: mobile
--- response_body_like chomp
^\{"id":"bob","uid":"42",
--- error_code: 200
--- no_error_log
[error]



=== TEST 59: Accept: parameters other than q are ignored
--- request
GET /neg/bob
--- more_headers
Accept: application/vnd.profile.mobile+json; charset=utf-8; q=0.9, application/json;q=0.1
--- response_headers
Vary: X-Viewer, Accept
X-View: mobile
--- response_body_like chomp
^\{"id":"bob","uid":"42",
--- error_code: 200
--- no_error_log
[error]



=== TEST 60: Accept: a browser's Accept gets the default view
--- request
GET /neg/bob
--- more_headers
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8
--- response_headers
Vary: X-Viewer, Accept
X-View: web
--- response_body_like chomp
^\{"data":\{"id":"bob",.*"view":"web"\}\}$
--- error_code: 200
--- no_error_log
[error]



=== TEST 61: Accept: a malformed q drops its element
--- request
GET /neg/bob
--- more_headers
Accept: application/vnd.profile.mobile+json;q=1.5, application/vnd.profile.partner_v1+json;q=0.1
--- response_headers
Vary: X-Viewer, Accept
X-View: partner_v1
--- response_body_like chomp
^\{"id":"bob","name":"Bob","screen_name":"bob"
--- error_code: 200
--- no_error_log
[error]



=== TEST 62: Accept: a comma inside a quoted parameter does not split
--- request
GET /neg/bob
--- more_headers
Accept: application/vnd.profile.partner_v1+json;x="a,application/vnd.profile.mobile+json"
--- response_headers
Vary: X-Viewer, Accept
X-View: partner_v1
--- response_body_like chomp
^\{"id":"bob","name":"Bob","screen_name":"bob"
--- error_code: 200
--- no_error_log
[error]



=== TEST 63: Accept: several Accept lines are one list
--- request
GET /neg/bob
--- more_headers
Accept: application/vnd.profile.web+json;q=0.1
Accept: application/vnd.profile.mobile+json
--- response_headers
Vary: X-Viewer, Accept
X-View: mobile
--- response_body_like chomp
^\{"id":"bob","uid":"42",
--- error_code: 200
--- no_error_log
[error]



=== TEST 64: Accept: garbage reads as no header
--- request
GET /neg/bob
--- more_headers
Accept: garbage
--- response_headers
Vary: X-Viewer, Accept
X-View: web
--- response_body_like chomp
^\{"data":\{"id":"bob",.*"view":"web"\}\}$
--- error_code: 200
--- no_error_log
[error]



=== TEST 65: Accept: only other types: 406 listing the views, with Vary
--- request
GET /neg/bob
--- more_headers
Accept: text/html
--- response_headers
Vary: X-Viewer, Accept
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-acceptable","title":"No acceptable view","status":406,"detail":"No view of this location is acceptable.","views":["web","mobile","partner_v1"]}
--- error_code: 406
--- no_error_log
[error]



=== TEST 66: Accept: */*;q=0: 406
--- request
GET /neg/bob
--- more_headers
Accept: */*;q=0
--- response_headers
Vary: X-Viewer, Accept
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-acceptable","title":"No acceptable view","status":406,"detail":"No view of this location is acceptable.","views":["web","mobile","partner_v1"]}
--- error_code: 406
--- no_error_log
[error]



=== TEST 67: embed: a missing embedded record is null, and $profile_partial is 1
--- request
GET /v/bob
--- more_headers
X-Client: web
--- response_headers
X-Partial: 1
--- response_body chomp
{"data":{"id":"bob","user_id":42,"display_name":"Bob","username":"bob","avatar":{"url":""},"bio":"","location":{"city":"Porto"},"stats":{"followers":0},"verified":false,"links":[],"created_at":"2021-01-01T00:00:00Z","contact":{},"team":null},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 68: embed: a found one leaves $profile_partial 0
--- request
GET /v/ann?fields=team,id
--- more_headers
X-Client: web
--- response_headers
X-Partial: 0
--- response_body chomp
{"data":{"id":"ann","team":{"id":"maps","name":"Maps"}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 69: embed: the embedded record's own audiences: a role field of the source for the role
--- request
GET /v/ann?fields=team
--- more_headers
X-Client: web
X-Viewer: bob
X-Roles: support
--- response_body chomp
{"data":{"team":{"id":"maps","name":"Maps","members":["ann","cy"],"budget":5000}},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 70: embed: a key field the viewer may not see embeds nothing (a private profile's stub)
--- request
GET /v/cy?fields=id,team
--- more_headers
X-Client: web
--- response_body chomp
{"data":{"id":"cy"},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 71: embed with profile_hidden_fields null: a hidden key field makes the embed null
--- request
GET /n/cy?fields=team
--- more_headers
X-Client: web
--- response_body chomp
{"data":{"team":null},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 72: embed at a nested output name, through a view with its own options
--- request
GET /v/ann
--- more_headers
X-Client: card
X-Viewer: ann
--- response_body chomp
{"id":"ann","team":{"info":{"title":"Maps","budget":"5000","founded":1580601600}}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 73: embed "omit": a missing record is left out (its output object then {})
--- request
GET /v/bob
--- more_headers
X-Client: card
--- response_headers
X-Partial: 1
--- response_body chomp
{"id":"bob","team":{}}
--- error_code: 200
--- no_error_log
[error]
