# Self-test of the Test::Nginx::Socket harness with a plain nginx (no
# project module): requests, responses, headers, bodies, user files.
# Passes under t/lib's harness and under CPAN's Test::Nginx::Socket.

use Test::Nginx::Socket 'no_plan';

# upstream does not set this one: the idiom below works under both
$ENV{TEST_NGINX_HTML_DIR} ||= html_dir();

add_block_preprocessor(sub {
    my $block = shift;

    if (!defined $block->config) {
        $block->set_value('config', <<'_END_');
    location = /default {
        return 200 "default config\n";
    }
_END_
    }
});

run_tests();

__DATA__

=== TEST 1: return a fixed body
--- config
    location = /t {
        return 200 "hello";
    }
--- request
GET /t
--- response_body chomp
hello
--- error_code: 200



=== TEST 2: add_header, present and absent headers
--- config
    location = /t {
        add_header X-Foo bar;
        return 200 "ok\n";
    }
--- request
GET /t
--- response_headers
X-Foo: bar
Content-Type: text/plain
Content-Length: 3
!X-Bar
--- response_body
ok



=== TEST 3: response_headers_like and raw_response_headers_like
--- config
    location = /t {
        return 200 "ok\n";
    }
--- request
GET /t
--- response_headers_like
Server: nginx(?:/[\d.]+)?
Content-Length: \d
--- raw_response_headers_like: ^HTTP/1\.1 200 OK\r\n
--- response_body_like: ^ok$



=== TEST 4: error_code and error_code_like
--- config
    location = /gone {
        return 410;
    }
--- request
GET /gone
--- error_code: 410
--- response_body_like: 410 Gone



=== TEST 5: error_code_like
--- config
    location = /t {
        return 403;
    }
--- request
GET /t
--- error_code_like: ^40[34]$
--- response_body_unlike: ^hello



=== TEST 6: HEAD request: headers but no body
--- config
    location = /t {
        return 200 "hello";
    }
--- request
HEAD /t
--- response_headers
Content-Length: 5
--- response_body



=== TEST 7: more_headers reach nginx
--- config
    location = /t {
        return 200 "foo=$http_x_foo bar=$http_x_bar host=$host\n";
    }
--- request
GET /t
--- more_headers
X-Foo: hello world
# a comment line
X-Bar: 2
--- response_body
foo=hello world bar=2 host=localhost



=== TEST 8: request body gets a Content-Length (body trimmed)
--- config
    location = /post {
        proxy_set_header X-Body $request_body;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/dump;
    }
    location = /dump {
        return 200 "len=$http_content_length body=$http_x_body\n";
    }
--- request
POST /post
hello world
--- response_body
len=11 body=hello world



=== TEST 9: request split in packets, with a delay
--- config
    location = /post {
        proxy_set_header X-Body $request_body;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/dump;
    }
    location = /dump {
        return 200 "len=$http_content_length body=$http_x_body\n";
    }
--- request eval
[["POST /post\nhel", { value => "lo", delay_before => 0.05 }]]
--- response_body
len=5 body=hello



=== TEST 10: chunked response (SSI drops Content-Length)
--- config
    location ~ \.shtml$ {
        ssi on;
        ssi_types text/plain;
        root $TEST_NGINX_HTML_DIR;
    }
--- user_files
>>> page.shtml
a=<!--# echo var="arg_a" -->;
--- request
GET /page.shtml?a=42
--- response_headers
Transfer-Encoding: chunked
!Content-Length
--- response_body
a=42;



=== TEST 11: user_files served by the root location, with an mtime
--- config
--- user_files
>>> a.txt
hello file
>>> sub/b.txt 202001021530.00
bee
--- request
GET /sub/b.txt
--- response_headers
Last-Modified: Thu, 02 Jan 2020 15:30:00 GMT
--- response_body
bee



=== TEST 12: user_files as a Perl array
--- config
--- user_files eval
[ [ "c.txt" => "see\n" ] ]
--- request
GET /c.txt
--- response_body
see



=== TEST 13: several requests, arrays of expectations
--- config
    location = /a { return 200 "a\n"; }
    location = /b { return 404; }
--- request eval
["GET /a", "GET /b"]
--- error_code eval
[200, 404]
--- response_body_like eval
["^a\$", "404 Not Found"]



=== TEST 14: pipelined requests on one connection
--- config
    location = /a { return 200 "a\n"; }
    location = /b { return 200 "b\n"; }
--- pipelined_requests eval
["GET /a", "GET /b"]
--- response_body eval
["a\n", "b\n"]



=== TEST 15: raw request, HTTP/1.0
--- config
    location = /t {
        return 200 "proto=$server_protocol\n";
    }
--- raw_request eval
"GET /t HTTP/1.0\r\nHost: localhost\r\n\r\n"
--- response_body
proto=HTTP/1.0



=== TEST 16: comments before the request line, explicit version
--- config
    location = /t {
        return 200 "proto=$server_protocol args=$args\n";
    }
--- request
# the query string
# and the version
GET /t?x=1 HTTP/1.0
--- response_body
proto=HTTP/1.0 args=x=1



=== TEST 17: eval sections and chomp
--- config
    location = /t {
        return 200 "tab\there\n";
    }
--- request eval
"GET " . "/t"
--- response_body eval
"tab\there\n"



=== TEST 18: response_body as a regex (eval qr)
--- config
    location = /t {
        return 200 "number 12345\n";
    }
--- request
GET /t
--- response_body eval
qr/^number \d+$/m



=== TEST 19: response_body_filters
--- config
    location = /t {
        return 200 "hello\n";
    }
--- request
GET /t
--- response_body_filters
uc
--- response_body
HELLO



=== TEST 20: http_config with a random port backend
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            return 200 "backend\n";
        }
    }
--- config
    location = /t {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
--- request
GET /t
--- response_body
backend



=== TEST 21: main_config and server_name
--- main_config
worker_rlimit_nofile 1024;
--- server_name: harness.test
--- config
    location = /t {
        return 200 "server=$server_name port=$server_port\n";
    }
--- request
GET /t
--- response_body
server=harness.test port=$ServerPort



=== TEST 22: no --- config: the block preprocessor supplies one
--- request
GET /default
--- response_body
default config



=== TEST 23: index.html of the root location
--- config
--- request
GET /
--- response_body_like: It works!
