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
