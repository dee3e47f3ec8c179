# The request path of ngx_http_profile_module: views, ids, methods, JSON.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

run_tests();

__DATA__

=== TEST 1: public view: anonymous viewer
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /p/alice
--- response_headers
Content-Type: application/json; charset=utf-8
Content-Length: 53
!Cache-Control
Vary: X-Viewer
--- response_body chomp
{"id":"alice","name":"Alice Example","city":"Lisbon"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: self view: viewer equal to the id gets every field, privately
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /p/alice
--- more_headers
X-Viewer: alice
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: private, no-store
Vary: X-Viewer
--- response_body chomp
{"id":"alice","name":"Alice Example","email":"alice@example.com","city":"Lisbon","phone":"+351 555 0100","age":34}
--- error_code: 200
--- no_error_log
[error]



=== TEST 3: another viewer gets the public view
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /p/alice
--- more_headers
X-Viewer: bob
--- response_headers
!Cache-Control
--- response_body chomp
{"id":"alice","name":"Alice Example","city":"Lisbon"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 4: a viewer differing only in case is another viewer
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /p/alice
--- more_headers
X-Viewer: Alice
--- response_body chomp
{"id":"alice","name":"Alice Example","city":"Lisbon"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 5: no profile_viewer at all: anonymous
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request
GET /p/bob
--- response_body chomp
{"id":"bob","name":"Bob"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 6: a profile with no public field but the id: self fields stay out
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /p/selfish
--- response_body chomp
{"id":"selfish"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 7: no visible field at all: still a JSON object
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/private.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /p/carol
--- response_headers
Content-Length: 2
--- response_body chomp
{}
--- error_code: 200
--- no_error_log
[error]



=== TEST 8: no visible field, self view
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/private.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /p/carol
--- more_headers
X-Viewer: carol
--- response_body chomp
{"id":"carol","email":"carol@example.com"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 9: JSON fidelity: escapes, "/", non-ASCII, emoji, int64, [], {}, null
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /p/fidelity
--- response_body chomp
{"id":"fidelity","name":"Zoë Ærøskøbing 東京","city":"😀 grin","text":"quote \" backslash \\ slash / tab \t newline \n ctrl \u0001 end","big":9223372036854775807,"big2":9007199254740993,"small":-9223372036854775808,"active":false,"tags":["a","b/c",1,true,null],"empty_list":[],"empty_obj":{},"nested":{"a":[1,{"b":null}],"c":{}},"nothing":null}
--- error_code: 200
--- no_error_log
[error]



=== TEST 10: ids with every allowed byte class, numeric ids
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request eval
["GET /p/a.b_c-d~e", "GET /p/12345"]
--- response_body eval
['{"id":"a.b_c-d~e","name":"Every Id Byte"}',
 '{"id":"12345","name":"Numeric Id","city":"Oslo"}']
--- error_code eval
[200, 200]
--- no_error_log
[error]



=== TEST 11: unknown id: 404 problem
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /p/nobody
--- response_headers
Content-Type: application/problem+json
Cache-Control: no-store
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404
--- no_error_log
[error]



=== TEST 12: a 128-byte id is well-formed: 404
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request eval
"GET /p/" . ("a" x 128)
--- error_code: 404
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- no_error_log
[error]
invalid id



=== TEST 13: a 129-byte id is not: 400
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request eval
"GET /p/" . ("a" x 129)
--- error_code: 400
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:invalid-id","title":"Invalid profile id","status":400,"detail":"The profile id is longer than 128 bytes."}
--- error_log
profile: client sent an invalid id (longer than 128 bytes)
--- no_error_log
[error]



=== TEST 14: empty id: 400
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location = /p {
        profile;
        profile_id $arg_id;
    }
--- request
GET /p
--- response_headers
Content-Type: application/problem+json
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:invalid-id","title":"Invalid profile id","status":400,"detail":"The profile id is empty."}
--- error_code: 400
--- error_log
[info]
profile: client sent an invalid id (empty)
--- no_error_log
[error]



=== TEST 15: bytes outside the grammar: 400, and the detail does not echo them
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location = /p {
        profile;
        profile_id $arg_id;
    }
--- request eval
["GET /p?id=%3Cscript%3E", "GET /p?id=a%20b", "GET /p?id=%C3%A9",
 "GET /p?id=a/b", "GET /p?id=a%22b"]
--- error_code eval
[400, 400, 400, 400, 400]
--- response_body eval
[('{"type":"urn:ngx-http-profile:problem:invalid-id","title":"Invalid profile id","status":400,"detail":"The profile id holds a byte outside [A-Za-z0-9._~-]."}') x 5]
--- error_log
profile: client sent an invalid id (a byte outside [A-Za-z0-9._~-])
--- no_error_log
[error]



=== TEST 16: a decoded URI byte outside the grammar ($1 of a regex location)
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request
GET /p/al%09ice
--- error_code: 400
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:invalid-id","title":"Invalid profile id","status":400,"detail":"The profile id holds a byte outside [A-Za-z0-9._~-]."}
--- no_error_log
[error]



=== TEST 17: POST: 405 with Allow, body discarded
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request
POST /p/alice
name=mallory
--- response_headers
Allow: GET, HEAD
Content-Type: application/problem+json
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:method-not-allowed","title":"Method not allowed","status":405,"detail":"Profiles can only be read with GET or HEAD."}
--- error_code: 405
--- no_error_log
[error]



=== TEST 18: PUT and DELETE: 405 with Allow
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request eval
["PUT /p/alice\nx", "DELETE /p/alice"]
--- response_headers eval
["Allow: GET, HEAD", "Allow: GET, HEAD"]
--- error_code eval
[405, 405]
--- response_body eval
[('{"type":"urn:ngx-http-profile:problem:method-not-allowed","title":"Method not allowed","status":405,"detail":"Profiles can only be read with GET or HEAD."}') x 2]
--- no_error_log
[error]



=== TEST 19: 405 also for a malformed id: the method is checked first
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location = /p {
        profile;
        profile_id $arg_id;
    }
--- request
DELETE /p
--- error_code: 405
--- response_headers
Allow: GET, HEAD
--- no_error_log
[error]



=== TEST 20: HEAD: headers of the GET, no body
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request
HEAD /p/alice
--- response_headers
Content-Type: application/json; charset=utf-8
Content-Length: 53
--- response_body
--- error_code: 200
--- no_error_log
[error]



=== TEST 21: HEAD of the self view
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request
HEAD /p/alice
--- more_headers
X-Viewer: alice
--- response_headers
Content-Length: 114
Cache-Control: private, no-store
--- response_body
--- error_code: 200
--- no_error_log
[error]



=== TEST 22: HEAD of an unknown id: 404 without a body
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request
HEAD /p/nobody
--- response_headers
Content-Type: application/problem+json
--- response_body
--- error_code: 404
--- no_error_log
[error]



=== TEST 23: profile_id and profile_viewer inherited from the server level
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    profile_id $arg_id;
    profile_viewer $arg_viewer trusted;

    location = /p {
        profile;
    }
--- request
GET /p?id=bob&viewer=bob
--- response_headers
Cache-Control: private, no-store
!Vary
--- response_body chomp
{"id":"bob","name":"Bob","email":"bob@example.com"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 24: profile_id and profile_viewer inherited from the http level
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile_id $arg_id;
    profile_viewer $arg_viewer trusted;
--- config
    location = /p {
        profile;
    }
--- request
GET /p?id=bob&viewer=alice
--- response_body chomp
{"id":"bob","name":"Bob"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 25: overridden in a nested location; an empty viewer is anonymous
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    profile_id $arg_id;
    profile_viewer $arg_viewer trusted;

    location /outer {
        profile;

        location /outer/other {
            profile;
            profile_id $arg_other;
        }

        location /outer/anon {
            profile;
            profile_viewer "";
        }
    }
--- request eval
["GET /outer?id=bob&viewer=bob",
 "GET /outer/other?id=alice&other=bob&viewer=bob",
 "GET /outer/anon?id=bob&viewer=bob"]
--- response_body eval
['{"id":"bob","name":"Bob","email":"bob@example.com"}',
 '{"id":"bob","name":"Bob","email":"bob@example.com"}',
 '{"id":"bob","name":"Bob"}']
--- error_code eval
[200, 200, 200]
--- no_error_log
[error]



=== TEST 26: a constant profile_id
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location = /me {
        profile;
        profile_id alice;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /me
--- more_headers
X-Viewer: alice
--- response_body chomp
{"id":"alice","name":"Alice Example","email":"alice@example.com","city":"Lisbon","phone":"+351 555 0100","age":34}
--- error_code: 200
--- no_error_log
[error]



=== TEST 27: a location without "profile" is untouched by the snapshot
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile_id $arg_id;
--- config
    location = /t {
        return 200 "plain\n";
    }
--- request
GET /t?id=alice
--- response_headers
Content-Type: text/plain
--- response_body
plain
--- error_code: 200
--- no_error_log
[error]



=== TEST 28: loaded but unused module changes nothing
--- config
    location = /t {
        return 200 "hello\n";
    }
--- request
GET /t
--- response_headers
Content-Type: text/plain
Content-Length: 6
!Cache-Control
--- response_body
hello
--- error_code: 200
--- no_error_log
[error]
profile:
profile snapshot



=== TEST 29: loaded but unused module: static files and 404 as usual
--- config
    location /static/ {
        alias html/;
    }
--- user_files
>>> plain.txt
static body
--- request eval
["GET /static/plain.txt", "GET /static/none.txt"]
--- response_body_like eval
["^static body\n\\z", "404 Not Found"]
--- error_code eval
[200, 404]
--- no_error_log
profile:
profile snapshot



=== TEST 30: $profile_snapshot_id names the snapshot answering
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/lying.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        add_header X-Snapshot $profile_snapshot_id;
    }
--- request
GET /p/good
--- response_headers
X-Snapshot: fixture-1
--- response_body chomp
{"id":"good","name":"Good"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 31: keep-alive: a 405 with a body does not break the next request
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- pipelined_requests eval
["POST /p/alice\nname=mallory", "GET /p/bob"]
--- error_code eval
[405, 200]
--- response_body eval
['{"type":"urn:ngx-http-profile:problem:method-not-allowed","title":"Method not allowed","status":405,"detail":"Profiles can only be read with GET or HEAD."}',
 '{"id":"bob","name":"Bob"}']
--- no_error_log
[error]
