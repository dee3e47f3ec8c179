# What keeps a personalized response out of the wrong hands when a cache
# sits in front: an nginx proxy_cache in the same server (location
# /edge/) standing in for a CDN, in front of the profile location.
#
# - The self view is "Cache-Control: private, no-store": a cache that
#   honours it never stores it.
# - A cache told to ignore Cache-Control ("cache everything") still
#   honours Vary: the owner's view is stored as the variant of its
#   X-Viewer value and never served to an anonymous client.
# - A cache that ignores Vary as well cannot be protected by anything in
#   the response: it serves the owner's view to the next client (the
#   test shows it). Keying the cache on the viewer header, or not
#   caching the location, is the fix (docs/operations.md).
# - Non-canonical forms of the profile URL get the canonical URL's
#   answer and headers, or 400/404.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

run_tests();

__DATA__

=== TEST 1: a cache that honours Cache-Control never stores the self view
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    proxy_cache_path edge1_cache levels=1 keys_zone=edge1:1m;
--- config
    location /profiles/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }

    location /edge/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/profiles/;
        proxy_cache edge1;
        proxy_cache_valid 200 10m;
        add_header X-Cache $upstream_cache_status always;
    }
--- request eval
["GET /edge/alice", "GET /edge/alice", "GET /edge/alice"]
--- more_headers eval
["X-Viewer: alice", "X-Viewer: alice", ""]
--- response_headers eval
["X-Cache: MISS\nCache-Control: private, no-store\nVary: X-Viewer",
 "X-Cache: MISS\nCache-Control: private, no-store",
 "X-Cache: MISS\n!Cache-Control"]
--- response_body eval
['{"id":"alice","name":"Alice Example","email":"alice@example.com","city":"Lisbon","phone":"+351 555 0100","age":34}',
 '{"id":"alice","name":"Alice Example","email":"alice@example.com","city":"Lisbon","phone":"+351 555 0100","age":34}',
 '{"id":"alice","name":"Alice Example","city":"Lisbon"}']
--- error_code eval
[200, 200, 200]
--- no_error_log
[error]



=== TEST 2: a cache that ignores Cache-Control still keeps viewers apart by Vary
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    proxy_cache_path edge2_cache levels=1 keys_zone=edge2:1m;
--- config
    location /profiles/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }

    location /edge/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/profiles/;
        proxy_cache edge2;
        proxy_cache_valid 200 10m;
        proxy_ignore_headers Cache-Control Expires;
        add_header X-Cache $upstream_cache_status always;
    }
--- request eval
["GET /edge/alice", "GET /edge/alice", "GET /edge/alice", "GET /edge/alice"]
--- more_headers eval
["X-Viewer: alice", "", "", "X-Viewer: mallory"]
--- response_headers eval
["X-Cache: MISS\nVary: X-Viewer",
 "X-Cache: MISS\nVary: X-Viewer\n!Cache-Control",
 "X-Cache: HIT\nVary: X-Viewer\n!Cache-Control",
 "X-Cache: MISS\nVary: X-Viewer\n!Cache-Control"]
--- response_body eval
['{"id":"alice","name":"Alice Example","email":"alice@example.com","city":"Lisbon","phone":"+351 555 0100","age":34}',
 '{"id":"alice","name":"Alice Example","city":"Lisbon"}',
 '{"id":"alice","name":"Alice Example","city":"Lisbon"}',
 '{"id":"alice","name":"Alice Example","city":"Lisbon"}']
--- error_code eval
[200, 200, 200, 200]
--- no_error_log
[error]



=== TEST 3: a cache that ignores Cache-Control and Vary serves the owner's view to the next client: nothing in a response can prevent it
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    proxy_cache_path edge3_cache levels=1 keys_zone=edge3:1m;
--- config
    location /profiles/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }

    location /edge/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/profiles/;
        proxy_cache edge3;
        proxy_cache_valid 200 10m;
        proxy_ignore_headers Cache-Control Expires Vary;
        add_header X-Cache $upstream_cache_status always;
    }
--- request eval
["GET /edge/alice", "GET /edge/alice"]
--- more_headers eval
["X-Viewer: alice", ""]
--- response_headers eval
["X-Cache: MISS", "X-Cache: HIT"]
--- response_body eval
['{"id":"alice","name":"Alice Example","email":"alice@example.com","city":"Lisbon","phone":"+351 555 0100","age":34}',
 '{"id":"alice","name":"Alice Example","email":"alice@example.com","city":"Lisbon","phone":"+351 555 0100","age":34}']
--- error_code eval
[200, 200]



=== TEST 4: the fix for such a cache: the viewer in the cache key
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    proxy_cache_path edge4_cache levels=1 keys_zone=edge4:1m;
--- config
    location /profiles/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }

    location /edge/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/profiles/;
        proxy_cache edge4;
        proxy_cache_key "$scheme$host$request_uri|$http_x_viewer";
        proxy_cache_valid 200 10m;
        proxy_ignore_headers Cache-Control Expires Vary;
        add_header X-Cache $upstream_cache_status always;
    }
--- request eval
["GET /edge/alice", "GET /edge/alice", "GET /edge/alice"]
--- more_headers eval
["X-Viewer: alice", "", ""]
--- response_headers eval
["X-Cache: MISS", "X-Cache: MISS", "X-Cache: HIT"]
--- response_body eval
['{"id":"alice","name":"Alice Example","email":"alice@example.com","city":"Lisbon","phone":"+351 555 0100","age":34}',
 '{"id":"alice","name":"Alice Example","city":"Lisbon"}',
 '{"id":"alice","name":"Alice Example","city":"Lisbon"}']
--- error_code eval
[200, 200, 200]



=== TEST 5: non-canonical URLs of the self view get the canonical answer and its headers
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }
--- request eval
["GET /profiles/alice", "GET /profiles/%2e/alice", "GET /x.css/../profiles/alice", "GET /profiles/alice?x.css", "GET /profiles//alice", "GET /profiles/./alice", "GET /profiles/%61lice"]
--- more_headers
X-Viewer: alice
--- response_headers eval
[map { "Cache-Control: private, no-store\nVary: X-Viewer" } 1 .. 7]
--- response_body eval
[map { '{"id":"alice","name":"Alice Example","email":"alice@example.com","city":"Lisbon","phone":"+351 555 0100","age":34}' } 1 .. 7]
--- error_code eval
[200, 200, 200, 200, 200, 200, 200]
--- no_error_log
[error]



=== TEST 6: other forms are not the profile: an encoded slash is 400, a suffix is another id (404)
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /profiles/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }
--- request eval
["GET /profiles/alice%2Fx", "GET /profiles/alice.css", "GET /profiles/alice/", "GET /profiles/alice;x.css"]
--- more_headers
X-Viewer: alice
--- response_headers eval
[map { "!Vary\nContent-Type: application/problem+json" } 1 .. 4]
--- error_code eval
[400, 404, 400, 400]
