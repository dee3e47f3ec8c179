# lua-free-examples/*/profile.conf, included as shipped.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";
$ENV{TEST_NGINX_EXAMPLES} = "$FindBin::Bin/../lua-free-examples";

run_tests();

__DATA__

=== TEST 1: 01-profile-by-id: public view
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    include $TEST_NGINX_EXAMPLES/01-profile-by-id/profile.conf;
--- request
GET /profiles/alice
--- response_headers
Content-Type: application/json; charset=utf-8
!Cache-Control
--- response_body chomp
{"id":"alice","name":"Alice Example","city":"Lisbon"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: 01-profile-by-id: self view
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    include $TEST_NGINX_EXAMPLES/01-profile-by-id/profile.conf;
--- request
GET /profiles/alice
--- more_headers
X-Viewer: alice
--- response_headers
Cache-Control: private, no-store
--- response_body chomp
{"id":"alice","name":"Alice Example","email":"alice@example.com","city":"Lisbon","phone":"+351 555 0100","age":34}
--- error_code: 200
--- no_error_log
[error]



=== TEST 3: 02-viewer-from-auth-request: the identity service names the owner
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;

    map $http_authorization $fake_identity_user {
        "Bearer token-of-alice"  alice;
        "Bearer token-of-bob"    bob;
        default                  "";
    }
--- config
    set $identity_service http://127.0.0.1:$server_port/fake-identity;

    include $TEST_NGINX_EXAMPLES/02-viewer-from-auth-request/profile.conf;

    location = /fake-identity {
        if ($fake_identity_user = "") {
            return 401;
        }
        add_header X-User-Id $fake_identity_user;
        return 204;
    }
--- request
GET /me/profiles/alice
--- more_headers
Authorization: Bearer token-of-alice
X-Viewer: bob
--- response_headers
Cache-Control: private, no-store
--- response_body chomp
{"id":"alice","name":"Alice Example","email":"alice@example.com","city":"Lisbon","phone":"+351 555 0100","age":34}
--- error_code: 200
--- no_error_log
[error]



=== TEST 4: 02-viewer-from-auth-request: another user gets the public view
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;

    map $http_authorization $fake_identity_user {
        "Bearer token-of-alice"  alice;
        "Bearer token-of-bob"    bob;
        default                  "";
    }
--- config
    set $identity_service http://127.0.0.1:$server_port/fake-identity;

    include $TEST_NGINX_EXAMPLES/02-viewer-from-auth-request/profile.conf;

    location = /fake-identity {
        if ($fake_identity_user = "") {
            return 401;
        }
        add_header X-User-Id $fake_identity_user;
        return 204;
    }
--- request
GET /me/profiles/alice
--- more_headers
Authorization: Bearer token-of-bob
X-User-Id: alice
--- response_headers
!Cache-Control
--- response_body chomp
{"id":"alice","name":"Alice Example","city":"Lisbon"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 5: 02-viewer-from-auth-request: no identity, no profile
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;

    map $http_authorization $fake_identity_user {
        "Bearer token-of-alice"  alice;
        default                  "";
    }
--- config
    set $identity_service http://127.0.0.1:$server_port/fake-identity;

    include $TEST_NGINX_EXAMPLES/02-viewer-from-auth-request/profile.conf;

    location = /fake-identity {
        if ($fake_identity_user = "") {
            return 401;
        }
        add_header X-User-Id $fake_identity_user;
        return 204;
    }
--- request
GET /me/profiles/alice
--- more_headers
Authorization: Bearer forged
--- error_code: 401
--- response_body_like: 401 Authorization Required



=== TEST 6: 03-client-views: the default view (web)
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    include $TEST_NGINX_EXAMPLES/03-client-views/views.conf;
--- config
    include $TEST_NGINX_EXAMPLES/03-client-views/profile.conf;
--- request
GET /profiles/ann
--- response_headers
Vary: X-Client
--- response_body chomp
{"data":{"id":"ann","display_name":"Ann Lee","avatar":{"url":"https://cdn.example/a/ann.png"},"followers":1200},"meta":{"snapshot":"clients-1","view":"web"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 7: 03-client-views: the mobile view, ids as strings
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    include $TEST_NGINX_EXAMPLES/03-client-views/views.conf;
--- config
    include $TEST_NGINX_EXAMPLES/03-client-views/profile.conf;
--- request
GET /profiles/ann
--- more_headers
X-Client: mobile
--- response_body chomp
{"id":"ann","uid":"9007199254740993","name":"Ann Lee","followers":"1200"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 8: 03-client-views: the partner view narrowed by fields=
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    include $TEST_NGINX_EXAMPLES/03-client-views/views.conf;
--- config
    include $TEST_NGINX_EXAMPLES/03-client-views/profile.conf;
--- request
GET /profiles/ann?fields=screen_name
--- more_headers
X-Client: partner_v1
--- response_body chomp
{"screen_name":"ann"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 9: 03-client-views: an unknown client is a 406 listing the views
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    include $TEST_NGINX_EXAMPLES/03-client-views/views.conf;
--- config
    include $TEST_NGINX_EXAMPLES/03-client-views/profile.conf;
--- request
GET /profiles/ann
--- more_headers
X-Client: tv
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-acceptable","title":"No acceptable view","status":406,"detail":"No view of this location is acceptable.","views":["web","mobile","partner_v1"]}
--- error_code: 406
--- no_error_log
[error]



=== TEST 10: 04-cdn-cache-headers: an anonymous answer is shareable and tagged
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
--- config
    include $TEST_NGINX_EXAMPLES/04-cdn-cache-headers/profile.conf;
--- request
GET /profiles/bob
--- response_headers
Cache-Control: public, max-age=60, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400
Surrogate-Key: p:bob snap:clients-1
Vary: X-Viewer
--- error_code: 200
--- no_error_log
[error]



=== TEST 11: 04-cdn-cache-headers: a personal answer is private and untagged
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
--- config
    include $TEST_NGINX_EXAMPLES/04-cdn-cache-headers/profile.conf;
--- request
GET /profiles/bob
--- more_headers
X-Viewer: bob
--- response_headers
Cache-Control: private, no-store
!Surrogate-Key
--- error_code: 200
--- no_error_log
[error]



=== TEST 12: 04-cdn-cache-headers: its own ETag gives a 304
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
--- config
    include $TEST_NGINX_EXAMPLES/04-cdn-cache-headers/profile.conf;
--- request
GET /profiles/ann
--- more_headers
If-None-Match: "416a870db16db5b7"
--- response_headers
ETag: "416a870db16db5b7"
--- response_body chomp

--- error_code: 304
--- no_error_log
[error]



=== TEST 13: 04-cdn-cache-headers: an anonymous 404 is shared for 30 s
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
--- config
    include $TEST_NGINX_EXAMPLES/04-cdn-cache-headers/profile.conf;
--- request
GET /profiles/nobody
--- response_headers
Cache-Control: public, max-age=30
Surrogate-Key: p:nobody snap:clients-1
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404
--- no_error_log
[error]
