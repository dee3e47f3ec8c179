# Self-test: master_on() and workers(2): nginx runs a master and two
# worker processes, and is stopped gracefully after every block.

use Test::Nginx::Socket;

master_on();
workers(2);
log_level('info');

# block 1: 4; block 2: 2 requests x (status, body, log check)
plan tests => repeat_each() * (4 + 6);

run_tests();

__DATA__

=== TEST 1: a worker answers
--- config
    location = /t {
        return 200 "pid=$pid\n";
    }
--- request
GET /t
--- response_body_like: ^pid=\d+$
--- error_log
start worker process
--- no_error_log
[error]



=== TEST 2: several requests, any worker
--- config
    location = /t {
        return 200 "ok\n";
    }
--- request eval
["GET /t", "GET /t"]
--- response_body eval
["ok\n", "ok\n"]
--- no_error_log
[error]
