# Self-test of the harness's log sections and --- must_die with a plain
# nginx.
#
# Under CPAN's Test::Nginx with Debian's nginx (built with
# --error-log-path=stderr) the --- must_die blocks' error_log checks need
# TEST_NGINX_BINARY=t/lib/Test/Nginx/nginx-errlog-wrapper: see
# docs/testing.md.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: a missing file logs an [error]
--- config
--- request
GET /missing.txt
--- error_code: 404
--- error_log
No such file or directory
missing.txt
--- no_error_log
[warn]



=== TEST 2: error_log eval with a regex and a string
--- config
--- request
GET /missing.txt
--- error_code: 404
--- error_log eval
[qr/open\(\) ".*?missing\.txt" failed \(2: /, "[error]"]



=== TEST 3: no_error_log on a clean request
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
[warn]



=== TEST 4: no_error_log eval with a regex
--- config
    location = /t {
        return 200 "ok\n";
    }
--- request
GET /t
--- response_body
ok
--- no_error_log eval
qr/\[(?:error|warn)\]/



=== TEST 5: grep_error_log
--- config
--- request
GET /missing.txt
--- error_code: 404
--- grep_error_log eval
qr/\[error\]/
--- grep_error_log_out
[error]



=== TEST 6: access_log and no_access_log
--- config
    location = /t {
        return 200 "ok\n";
    }
--- request
GET /t?q=1
--- response_body
ok
--- access_log
"GET /t?q=1 HTTP/1.1" 200
--- no_access_log
GET /nope



=== TEST 7: per-block log_level hides notices and debug lines
--- log_level: warn
--- config
--- request
GET /missing.txt
--- error_code: 404
--- error_log
[error]
--- no_error_log
[notice]
[debug]



=== TEST 8: --- wait before the log checks
--- config
    location = /t {
        return 200 "ok\n";
    }
--- request
GET /t
--- wait: 0.05
--- response_body
ok
--- no_error_log
[error]



=== TEST 9: must_die with a bad directive and its error message
--- config
    location = /t {
        bogus_directive on;
    }
--- request
GET /t
--- must_die
--- error_log
unknown directive "bogus_directive"



=== TEST 10: must_die with the expected exit code
--- config
    location = /t {
        return a b c;
    }
--- request
GET /t
--- must_die: 1
--- error_log
invalid number of arguments in "return" directive
