# The recommended form: "profile" in a prefix location without
# "profile_id", the id being the rest of the URI after the prefix; and
# profile_viewer read as one indexed variable.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

run_tests();

__DATA__

=== TEST 1: public and self views from the URI after the prefix
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }
--- request eval
["GET /profiles/alice", "GET /profiles/alice"]
--- more_headers eval
["", "X-Viewer: alice"]
--- response_body eval
['{"id":"alice","name":"Alice Example","city":"Lisbon"}',
 '{"id":"alice","name":"Alice Example","email":"alice@example.com","city":"Lisbon","phone":"+351 555 0100","age":34}']
--- error_code eval
[200, 200]
--- no_error_log
[error]



=== TEST 2: exact Content-Length, Cache-Control: private for the self view
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /profiles/bob
--- more_headers
X-Viewer: bob
--- response_headers
Content-Type: application/json; charset=utf-8
Content-Length: 51
Cache-Control: private, no-store
--- response_body chomp
{"id":"bob","name":"Bob","email":"bob@example.com"}
--- error_code: 200



=== TEST 3: the id is the decoded URI: %61lice is alice, a%2Fb is a/b (400)
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        profile;
    }
--- request eval
["GET /profiles/%61lice", "GET /profiles/a%2Fb", "GET /profiles/a/b",
 "GET /profiles/a.b_c-d~e"]
--- response_body eval
['{"id":"alice","name":"Alice Example","city":"Lisbon"}',
 '{"type":"urn:ngx-http-profile:problem:invalid-id","title":"Invalid profile id","status":400,"detail":"The profile id holds a byte outside [A-Za-z0-9._~-]."}',
 '{"type":"urn:ngx-http-profile:problem:invalid-id","title":"Invalid profile id","status":400,"detail":"The profile id holds a byte outside [A-Za-z0-9._~-]."}',
 '{"id":"a.b_c-d~e","name":"Every Id Byte"}']
--- error_code eval
[200, 400, 400, 200]



=== TEST 4: nothing after the prefix: 400 empty
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        profile;
    }
--- request
GET /profiles/
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:invalid-id","title":"Invalid profile id","status":400,"detail":"The profile id is empty."}
--- error_code: 400
--- error_log
profile: client sent an invalid id (empty)



=== TEST 4a: 129 bytes after the prefix: 400 too long
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        profile;
    }
--- request eval
"GET /profiles/" . ("a" x 129)
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:invalid-id","title":"Invalid profile id","status":400,"detail":"The profile id is longer than 128 bytes."}
--- error_code: 400
--- error_log
profile: client sent an invalid id (longer than 128 bytes)



=== TEST 5: unknown ids get the same 404 body, byte for byte
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        profile;
    }
--- request eval
["GET /profiles/nobody", "GET /profiles/somebody-else"]
--- response_headers eval
[("Content-Type: application/problem+json\nContent-Length: 125") x 2]
--- response_body eval
[('{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}') x 2]
--- error_code eval
[404, 404]



=== TEST 6: HEAD: headers with the exact length, no body
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        profile;
    }
--- request
HEAD /profiles/alice
--- response_headers
Content-Length: 53
--- response_body
--- error_code: 200



=== TEST 7: a nested prefix location, a "^~" prefix location
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /api/ {
        location /api/v1/people/ {
            profile;
        }
    }
    location ^~ /u/ {
        profile;
    }
--- request eval
["GET /api/v1/people/bob", "GET /u/bob"]
--- response_body eval
[('{"id":"bob","name":"Bob"}') x 2]
--- error_code eval
[200, 200]



=== TEST 8: a profile_id that applies (here inherited) wins over the URI
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    profile_id $arg_id;
    location /profiles/ {
        profile;
    }
--- request
GET /profiles/alice?id=bob
--- response_body chomp
{"id":"bob","name":"Bob"}
--- error_code: 200



=== TEST 9: a rewrite with "break" out of the prefix: the id is empty
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        rewrite ^ /elsewhere/alice break;
        profile;
    }
--- request
GET /profiles/alice
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:invalid-id","title":"Invalid profile id","status":400,"detail":"The profile id is empty."}
--- error_code: 400



=== TEST 10: a rewrite with "break" inside the prefix: the new id
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        rewrite ^/profiles/me$ /profiles/bob break;
        profile;
    }
--- request
GET /profiles/me
--- response_body chomp
{"id":"bob","name":"Bob"}
--- error_code: 200



=== TEST 11: viewer as "${name}", as one variable in quotes, and missing
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /a/ {
        profile;
        profile_viewer ${http_x_viewer} trusted;
    }
    location /b/ {
        profile;
        profile_viewer "$cookie_viewer" trusted;
    }
--- request eval
["GET /a/bob", "GET /b/bob", "GET /b/alice"]
--- more_headers eval
["X-Viewer: bob", "Cookie: viewer=bob", ""]
--- response_body eval
['{"id":"bob","name":"Bob","email":"bob@example.com"}',
 '{"id":"bob","name":"Bob","email":"bob@example.com"}',
 '{"id":"alice","name":"Alice Example","city":"Lisbon"}']
--- error_code eval
[200, 200, 200]



=== TEST 12: a viewer that is more than one variable still works
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        profile;
        profile_viewer "$http_x_first$http_x_second" trusted;
    }
--- request eval
["GET /profiles/bob", "GET /profiles/bob"]
--- more_headers eval
["X-First: b\nX-Second: ob", "X-First: b"]
--- response_body eval
['{"id":"bob","name":"Bob","email":"bob@example.com"}',
 '{"id":"bob","name":"Bob"}']
--- error_code eval
[200, 200]



=== TEST 13: the viewer variable of an outer level is inherited
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    profile_viewer $http_x_viewer trusted;
    location /profiles/ {
        profile;
    }
    location /anon/ {
        profile;
        profile_viewer "";
    }
--- request eval
["GET /profiles/bob", "GET /anon/bob"]
--- more_headers
X-Viewer: bob
--- response_body eval
['{"id":"bob","name":"Bob","email":"bob@example.com"}',
 '{"id":"bob","name":"Bob"}']
--- error_code eval
[200, 200]



=== TEST 14: 405 and 503 bodies and headers are unchanged
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        profile;
    }
--- request
POST /profiles/alice
--- response_headers
Allow: GET, HEAD
Content-Length: 155
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:method-not-allowed","title":"Method not allowed","status":405,"detail":"Profiles can only be read with GET or HEAD."}
--- error_code: 405
