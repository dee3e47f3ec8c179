# Identity for the access rules (docs/access-rules.md "Identity from a
# trusted source"): the viewer and the roles from auth_request, what a
# failed auth subrequest yields, invalid viewer ids, roles without an
# identity, $profile_relation.  The auth service is a location of the
# same server built from core nginx only: a map from a bearer token.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

our $http_config = <<'_EOC_';
    profile_snapshot $TEST_NGINX_FIXTURES/identity.snap;

    map $http_authorization $tok_user {
        "Bearer t-ann"      ann;
        "Bearer t-bob"      bob;
        "Bearer t-cy"       cy;
        "Bearer t-dee"      dee;
        "Bearer t-sup"      bob;
        "Bearer t-noid"     "";
        "Bearer t-bad"      "not an id";
        "Bearer t-denied"   ann;
        "Bearer t-refused"  ann;
        default             "";
    }

    map $http_authorization $tok_roles {
        "Bearer t-sup"      support;
        "Bearer t-noid"     support;
        "Bearer t-denied"   support;
        default             "";
    }
_EOC_

our $config = <<'_EOC_';
    location = /_verify {
        add_header X-User $tok_user always;
        add_header X-Roles $tok_roles always;

        if ($http_authorization = "Bearer t-denied") {
            return 401;
        }

        if ($http_authorization = "Bearer t-refused") {
            return 403;
        }

        return 204;
    }

    location = /_auth {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_verify;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
    }

    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $viewer_roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $viewer_roles;
        add_header X-Relation $profile_relation always;
    }

    location /fallback/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $viewer_roles $upstream_http_x_roles;
        error_page 401 403 = @public;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $viewer_roles;
    }

    location /nf/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        profile;
        profile_viewer $viewer;
        profile_private_mode not_found;
    }

    location /nf403/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        profile;
        profile_viewer $viewer;
        profile_private_mode not_found;
        profile_forbidden_status 403;
    }

    location /null/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        profile;
        profile_viewer $viewer;
        profile_hidden_fields null;
    }

    location @public {
        rewrite ^/fallback/(.*)$ /public/$1 last;
    }

    location /public/ {
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $viewer_roles;
        add_header X-Relation $profile_relation always;
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

=== TEST 1: the viewer from auth_request: the owner gets every field
--- request
GET /p/ann
--- more_headers
Authorization: Bearer t-ann
--- response_headers
Cache-Control: private, no-store
X-Relation: self
!Vary
--- response_body chomp
{"id":"ann","name":"Ann","city":"Lisbon","posts":3,"birthday":"05-01","email":"ann@example.com","notes":"vip"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: a follower (bob follows ann)
--- request
GET /p/ann
--- more_headers
Authorization: Bearer t-bob
--- response_headers
Cache-Control: private, no-store
X-Relation: follower
--- response_body chomp
{"id":"ann","name":"Ann","city":"Lisbon","posts":3}
--- error_code: 200



=== TEST 3: a friend (a friend edge from cy to ann)
--- request
GET /p/ann
--- more_headers
Authorization: Bearer t-cy
--- response_headers
X-Relation: friend
--- response_body chomp
{"id":"ann","name":"Ann","city":"Lisbon","posts":3,"birthday":"05-01"}
--- error_code: 200



=== TEST 4: blocked by the owner: the 404 of a missing profile
--- request
GET /p/ann
--- more_headers
Authorization: Bearer t-dee
--- response_headers
X-Relation: blocked
Cache-Control: no-store
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404



=== TEST 5: no token: anonymous, the public fields, shareable
--- request
GET /p/ann
--- response_headers
X-Relation: anonymous
!Cache-Control
--- response_body chomp
{"id":"ann","name":"Ann"}
--- error_code: 200



=== TEST 6: a role with an identity: support also sees email and notes
--- request
GET /p/ann
--- more_headers
Authorization: Bearer t-sup
--- response_headers
Cache-Control: private, no-store
X-Relation: follower
--- response_body chomp
{"id":"ann","name":"Ann","city":"Lisbon","posts":3,"email":"ann@example.com","notes":"vip"}
--- error_code: 200



=== TEST 7: roles without an identity are ignored
--- request
GET /p/ann
--- more_headers
Authorization: Bearer t-noid
--- response_headers
X-Relation: anonymous
!Cache-Control
--- response_body chomp
{"id":"ann","name":"Ann"}
--- error_code: 200



=== TEST 8: a viewer that is not a valid id is anonymous, logged at info
--- request
GET /p/ann
--- more_headers
Authorization: Bearer t-bad
--- response_headers
X-Relation: anonymous
--- response_body chomp
{"id":"ann","name":"Ann"}
--- error_code: 200
--- error_log
profile: the viewer is not a valid id; answering as to an anonymous viewer



=== TEST 9: a 401 from the auth service denies the request
--- request
GET /p/ann
--- more_headers
Authorization: Bearer t-denied
--- error_code: 401
--- response_body_unlike: ann@example\.com



=== TEST 10: a 403 from the auth service denies the request
--- request
GET /p/ann
--- more_headers
Authorization: Bearer t-refused
--- error_code: 403
--- response_body_unlike: Lisbon



=== TEST 11: after a 401 with an identity, error_page to a public location: anonymous
nginx sets auth_request_set's variables for 401 too; the request that
reached the profile location through error_page must not keep them.
--- request
GET /fallback/ann
--- more_headers
Authorization: Bearer t-denied
--- response_headers
X-Relation: anonymous
!Cache-Control
--- response_body chomp
{"id":"ann","name":"Ann"}
--- error_code: 200



=== TEST 12: after a 403 with an identity, error_page to a public location: anonymous
--- request
GET /fallback/ann
--- more_headers
Authorization: Bearer t-refused
--- response_headers
X-Relation: anonymous
--- response_body chomp
{"id":"ann","name":"Ann"}
--- error_code: 200



=== TEST 13: the fallback for a request the auth service let through keeps nothing either
A 2xx never reaches the error_page: the request is served by /fallback/.
--- request
GET /fallback/ann
--- more_headers
Authorization: Bearer t-bob
--- response_body chomp
{"id":"ann","name":"Ann","city":"Lisbon","posts":3}
--- error_code: 200



=== TEST 14: a trusted header (a CDN sets and strips it): the viewer as sent
--- config
    location /p/ {
        profile;
        profile_viewer $http_x_user trusted;
        profile_viewer_roles $http_x_roles trusted;
    }
--- request
GET /p/ann
--- more_headers
X-User: cy
X-Roles: support, nosuchrole
--- response_headers
Cache-Control: private, no-store
Vary: X-User, X-Roles
--- response_body chomp
{"id":"ann","name":"Ann","city":"Lisbon","posts":3,"birthday":"05-01","email":"ann@example.com","notes":"vip"}
--- error_code: 200



=== TEST 15: $profile_relation before the content phase, from a trusted header
--- config
    location /p/ {
        profile;
        profile_viewer $http_x_user trusted;
        if ($profile_relation = blocked) {
            return 429;
        }
    }
--- request
GET /p/ann
--- more_headers
X-User: dee
--- error_code: 429



=== TEST 16: $profile_relation is not found outside a profile location
--- config
    location = /t {
        return 200 "[$profile_relation]";
    }
--- request
GET /t
--- response_body chomp
[]
--- error_code: 200



=== TEST 17: a private profile: an anonymous viewer gets the stub
--- request
GET /p/pat
--- response_body chomp
{"id":"pat","name":"Pat"}
--- error_code: 200



=== TEST 18: a private profile: a follower (not a friend) gets the stub too
--- request
GET /p/pat
--- more_headers
Authorization: Bearer t-bob
--- response_headers
X-Relation: follower
--- response_body chomp
{"id":"pat","name":"Pat"}
--- error_code: 200



=== TEST 19: a private profile: a friend sees it as if it were active
--- request
GET /p/pat
--- more_headers
Authorization: Bearer t-cy
--- response_body chomp
{"id":"pat","name":"Pat","city":"Faro","state":"private"}
--- error_code: 200



=== TEST 20: profile_private_mode not_found: forbidden is the 404 of a missing profile
--- request
GET /nf/pat
--- response_headers
Content-Type: application/problem+json
Cache-Control: no-store
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404



=== TEST 21: profile_forbidden_status 403: forbidden says so
--- request
GET /nf403/pat
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:forbidden","title":"Profile not visible","status":403,"detail":"This profile is not visible to this viewer."}
--- error_code: 403



=== TEST 22: profile_forbidden_status 403 leaves hidden profiles at 404
--- request
GET /nf403/sus
--- error_code: 404



=== TEST 23: a suspended profile: 404 to a stranger, shown to the role the schema grants
--- request eval
["GET /p/sus", "GET /p/sus"]
--- more_headers eval
["Authorization: Bearer t-ann", "Authorization: Bearer t-sup"]
--- response_body eval
['{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}',
 '{"id":"sus","name":"Sus","city":"Braga","state":"suspended"}']
--- error_code eval
[404, 200]



=== TEST 24: deleted, and an unknown state (deleted by the compiler): 404 but to the granted role
--- request eval
["GET /p/del", "GET /p/del", "GET /p/zed", "GET /p/zed"]
--- more_headers eval
["Authorization: Bearer t-bob", "Authorization: Bearer t-sup",
 "Authorization: Bearer t-ann", "Authorization: Bearer t-sup"]
--- error_code eval
[404, 200, 404, 200]



=== TEST 25: profile_hidden_fields null: every field the viewer may not see is null
--- request
GET /null/ann
--- response_body chomp
{"id":"ann","name":"Ann","city":null,"posts":null,"birthday":null,"email":null,"notes":null}
--- error_code: 200



=== TEST 26: profile_hidden_fields null: a friend, a profile with fewer fields
A visible field the record does not have stays absent; a hidden one is
null whether the record has it or not.
--- request eval
["GET /null/ann", "GET /null/cy"]
--- more_headers eval
["Authorization: Bearer t-cy", "Authorization: Bearer t-bob"]
--- response_body eval
['{"id":"ann","name":"Ann","city":"Lisbon","posts":3,"birthday":"05-01","email":null,"notes":null}',
 '{"id":"cy","name":"Cy","posts":null,"birthday":null,"email":null,"notes":null}']
--- error_code eval
[200, 200]



=== TEST 27: profile_hidden_fields null with the stub: the rest of the schema is null
--- request
GET /null/pat
--- response_body chomp
{"id":"pat","name":"Pat","city":null,"posts":null,"birthday":null,"email":null,"notes":null,"state":null}
--- error_code: 200
