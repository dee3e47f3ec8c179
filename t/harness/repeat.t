# Self-test: repeat_each() runs every block's requests N times against
# one nginx; the plan below is upstream's formula, so the number of
# subtests per block must match CPAN's Test::Nginx::Socket exactly.

use Test::Nginx::Socket;

repeat_each(2);

plan tests => repeat_each() * 3 * blocks();

run_tests();

__DATA__

=== TEST 1: status, body and one no_error_log pattern per repeat
--- config
    location = /t {
        return 200 "ok\n";
    }
--- request
GET /t
--- response_body
ok
--- no_error_log
[error]



=== TEST 2: the error log is checked per repeat
--- config
--- request
GET /missing.txt
--- error_code: 404
--- error_log
No such file or directory
missing.txt



=== TEST 3: user_files are rewritten before each repeat
--- config
--- user_files
>>> r.txt
again
--- request
GET /r.txt
--- response_headers
Content-Length: 6
--- response_body
again
