# Validators (docs/directives.md "Caching headers"): every 200 carries a
# strong ETag computed from the record's stored hash, the schema and the
# access decision, without reading the body; nginx's not_modified filter
# answers If-None-Match with 304, only after the access decision.  The
# values are fixed by the fixtures' content: the same content under
# another snapshot id (people-again.snap) has the same validators, so a
# cache revalidates across a new snapshot when the profile did not change.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value('http_config', <<'_EOC_')
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
_EOC_
        unless defined $block->http_config;

    $block->set_value('config', <<'_EOC_')
    location /p/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }
_EOC_
        unless defined $block->config;
});

run_tests();

__DATA__

=== TEST 1: a strong ETag on the public view
--- request
GET /p/alice
--- response_headers
ETag: "f1ce0013378d86c9"
--- response_body chomp
{"id":"alice","name":"Alice Example","city":"Lisbon"}
--- error_code: 200



=== TEST 2: the self view has another ETag
--- request
GET /p/alice
--- more_headers
X-Viewer: alice
--- response_headers
ETag: "ced814368592cb6a"
Cache-Control: private, no-store
--- error_code: 200



=== TEST 3: the same content under another snapshot id: the same ETags
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people-again.snap;
--- request eval
["GET /p/alice", "GET /p/alice"]
--- more_headers eval
["", "X-Viewer: alice"]
--- response_headers eval
['ETag: "f1ce0013378d86c9"', 'ETag: "ced814368592cb6a"']
--- error_code eval
[200, 200]



=== TEST 4: If-None-Match with the ETag: 304, no body, the same caching headers
--- request
GET /p/alice
--- more_headers
X-Viewer: alice
If-None-Match: "ced814368592cb6a"
--- response_headers
ETag: "ced814368592cb6a"
Cache-Control: private, no-store
Vary: X-Viewer
!Content-Length
--- response_body
--- error_code: 304



=== TEST 5: If-None-Match: a list, "*", and the weak form all match (RFC 9110 weak comparison)
--- request eval
["GET /p/alice", "GET /p/alice", "GET /p/alice"]
--- more_headers eval
['If-None-Match: "0000000000000000", "f1ce0013378d86c9"',
 'If-None-Match: *',
 'If-None-Match: W/"f1ce0013378d86c9"']
--- error_code eval
[304, 304, 304]



=== TEST 6: another viewer's ETag does not match: the full 200
--- request
GET /p/alice
--- more_headers
If-None-Match: "ced814368592cb6a"
--- response_headers
ETag: "f1ce0013378d86c9"
--- response_body chomp
{"id":"alice","name":"Alice Example","city":"Lisbon"}
--- error_code: 200



=== TEST 7: a missing profile answers 404 whatever If-None-Match says
--- request
GET /p/nobody
--- more_headers
If-None-Match: *
--- response_headers
!ETag
--- error_code: 404



=== TEST 8: HEAD with a matching ETag: 304
--- request
HEAD /p/alice
--- more_headers
If-None-Match: "f1ce0013378d86c9"
--- error_code: 304



=== TEST 9: a hidden profile (blocked) answers 404 to If-None-Match: *
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/identity.snap;
--- config
    location /p/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /p/ann
--- more_headers
X-Viewer: dee
If-None-Match: *
--- response_headers
!ETag
--- error_code: 404



=== TEST 10: a follower's and a friend's views have distinct validators, and each matches only itself
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/identity.snap;
--- config
    location /p/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }
--- request eval
["GET /p/ann", "GET /p/ann", "GET /p/ann", "GET /p/ann"]
--- more_headers eval
["X-Viewer: bob", "X-Viewer: cy",
 "X-Viewer: bob\nIf-None-Match: \"03b5a9b4483951a2\"",
 "X-Viewer: cy\nIf-None-Match: \"03b5a9b4483951a2\""]
--- response_headers eval
['ETag: "17eb50ecccd75078"', 'ETag: "03b5a9b4483951a2"',
 'ETag: "17eb50ecccd75078"', 'ETag: "03b5a9b4483951a2"']
--- error_code eval
[200, 200, 200, 304]
