# error_page applies to the module's problems as to nginx's own errors:
# with an error_page for the status in the location, nginx answers with
# that page (the headers the problem needs are kept); without one, the
# module sends its problem document.  503 is in t/unavailable.t (it
# needs workers that cannot read the snapshot).

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

run_tests();

__DATA__

=== TEST 1: error_page 404 to a URI: nginx's page, with the status
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p/ {
        profile;
        error_page 404 /missing;
    }

    location = /missing {
        return 200 "no such profile here\n";
    }
--- request
GET /p/nobody
--- response_headers
Content-Type: text/plain
Cache-Control: no-store
--- response_body
no such profile here
--- error_code: 404
--- no_error_log
[error]



=== TEST 2: error_page 404 to a named location; HEAD stays HEAD
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p/ {
        profile;
        error_page 404 @missing;
    }

    location @missing {
        return 200 "named\n";
    }
--- request eval
["GET /p/nobody", "HEAD /p/nobody", "GET /p/alice"]
--- response_body eval
["named\n", "", '{"id":"alice","name":"Alice Example","city":"Lisbon"}']
--- error_code eval
[404, 404, 200]
--- no_error_log
[error]



=== TEST 3: error_page 400 for invalid ids; the info line is still logged
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p/ {
        profile;
        error_page 400 /bad;
    }

    location = /bad {
        return 200 "bad id\n";
    }
--- request
GET /p/a%20b
--- response_body
bad id
--- error_code: 400
--- error_log
profile: client sent an invalid id (a byte outside [A-Za-z0-9._~-])



=== TEST 3a: error_page 400, empty id and HEAD
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p/ {
        profile;
        error_page 400 /bad;
    }

    location = /bad {
        return 200 "bad id\n";
    }
--- request eval
["GET /p/", "HEAD /p/"]
--- response_body eval
["bad id\n", ""]
--- error_code eval
[400, 400]
--- error_log
profile: client sent an invalid id (empty)



=== TEST 4: error_page 405 keeps Allow; the page is fetched with GET
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p/ {
        profile;
        error_page 405 @method;
    }

    location @method {
        return 200 "$request_method is not for profiles\n";
    }
--- request
POST /p/alice
name=mallory
--- response_headers
Allow: GET, HEAD
Content-Type: text/plain
--- response_body
POST is not for profiles
--- error_code: 405
--- no_error_log
[error]



=== TEST 5: error_page 500 for a bad record keeps Cache-Control: no-store
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/lying.snap;
--- config
    location /p/ {
        profile;
        error_page 500 /oops;
    }

    location = /oops {
        return 200 "try again later\n";
    }
--- request
GET /p/lying
--- response_headers
Cache-Control: no-store
Content-Type: text/plain
--- response_body
try again later
--- error_code: 500
--- error_log eval
qr{\[error\] .*bad record for id "lying" at index slot \d+ \(lengths do not add up\)}



=== TEST 5a: error_page 500, a record refused as it is rendered, HEAD
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/lying.snap;
--- config
    location /p/ {
        profile;
        error_page 500 /oops;
    }

    location = /oops {
        return 200 "try again later\n";
    }
--- request
HEAD /p/badclass
--- response_headers
Cache-Control: no-store
--- response_body
--- error_code: 500
--- error_log eval
qr{\[error\] .*bad record for id "badclass" at index slot \d+ \(unknown visibility class\)}



=== TEST 5b: error_page 500 leaves good records alone
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/lying.snap;
--- config
    location /p/ {
        profile;
        error_page 500 /oops;
    }

    location = /oops {
        return 200 "try again later\n";
    }
--- request
GET /p/good
--- response_headers
!Cache-Control
--- response_body chomp
{"id":"good","name":"Good"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 6: without an error_page for the status: the problem document
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p/ {
        profile;
        error_page 500 502 503 /down;
    }

    location = /down {
        return 200 "down\n";
    }
--- request eval
["GET /p/nobody", "HEAD /p/nobody", "DELETE /p/alice"]
--- response_headers eval
["Content-Type: application/problem+json\nContent-Length: 125",
 "Content-Type: application/problem+json\nContent-Length: 125",
 "Content-Type: application/problem+json\nAllow: GET, HEAD"]
--- response_body eval
['{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}',
 '',
 '{"type":"urn:ngx-http-profile:problem:method-not-allowed","title":"Method not allowed","status":405,"detail":"Profiles can only be read with GET or HEAD."}']
--- error_code eval
[404, 404, 405]
--- no_error_log
[error]



=== TEST 7: no error_page at all: every problem is the module's document
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/lying.snap;
--- config
    location /p/ {
        profile;
    }
--- request eval
["GET /p/", "GET /p/nobody", "POST /p/good", "GET /p/outside", "HEAD /p/outside"]
--- response_body eval
['{"type":"urn:ngx-http-profile:problem:invalid-id","title":"Invalid profile id","status":400,"detail":"The profile id is empty."}',
 '{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}',
 '{"type":"urn:ngx-http-profile:problem:method-not-allowed","title":"Method not allowed","status":405,"detail":"Profiles can only be read with GET or HEAD."}',
 '{"type":"urn:ngx-http-profile:problem:internal-error","title":"Internal error","status":500,"detail":"The profile could not be read."}',
 '']
--- error_code eval
[400, 404, 405, 500, 500]
--- no_error_log
[alert]



=== TEST 8: an error_page of the server level is inherited
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    error_page 404 /missing;

    location /p/ {
        profile;
    }

    location = /missing {
        return 200 "server-wide\n";
    }
--- request
GET /p/nobody
--- response_body
server-wide
--- error_code: 404
--- no_error_log
[error]



=== TEST 9: error_page with =code replaces the status
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p/ {
        profile;
        error_page 404 =200 /anonymous;
    }

    location = /anonymous {
        return 200 "{}";
    }
--- request
GET /p/nobody
--- response_body chomp
{}
--- error_code: 200



=== TEST 10: a page that is a profile location failing again: our document, no loop
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p/ {
        profile;
        error_page 404 /p/also-missing;
    }
--- request
GET /p/nobody
--- response_headers
Content-Type: application/problem+json
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404
--- no_error_log
[error]



=== TEST 11: the same page with recursive_error_pages: nginx ends the cycle with 500
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p/ {
        profile;
        recursive_error_pages on;
        error_page 404 /p/also-missing;
    }
--- request
GET /p/nobody
--- response_body_like: 500 Internal Server Error
--- error_code: 500
--- error_log
rewrite or internal redirection cycle



=== TEST 12: error_page to a URL: nginx redirects
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p/ {
        profile;
        error_page 404 http://example.com/signup;
    }
--- request
GET /p/nobody
--- response_headers
Location: http://example.com/signup
--- error_code: 302
