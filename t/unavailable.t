# A worker that cannot open its snapshot keeps running and answers 503.
#
# The snapshot must pass the master's check at configuration time and
# fail in the worker: a root-only (0600) file, read by a root master and
# by workers running as "nobody".  So this needs root and a master
# process (not valgrind mode, which runs without one).

BEGIN {
    if ($> != 0) {
        print "1..0 # SKIP needs root: workers must run as another user\n";
        exit 0;
    }

    if ($ENV{TEST_NGINX_USE_VALGRIND}) {
        print "1..0 # SKIP needs a master process\n";
        exit 0;
    }

    # read when the harness loads, so set before "use"; Debian's names
    $ENV{TEST_NGINX_WORKER_USER} = 'nobody nogroup';
}

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

master_on();

run_tests();

__DATA__

=== TEST 1: worker cannot open the snapshot: alert, then 503 problems
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/unreadable.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request
GET /p/alice
--- response_headers
Content-Type: application/problem+json
Retry-After: 5
Cache-Control: no-store
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:snapshot-unavailable","title":"Profile snapshot unavailable","status":503,"detail":"No profile snapshot is available; retry later."}
--- error_code: 503
--- error_log
[alert]
unreadable.snap": mdb_env_open() failed (13: Permission denied), profile requests get 503



=== TEST 2: profile_retry_after sets Retry-After; HEAD has no body
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/unreadable.snap;
--- config
    profile_retry_after 1m;

    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request
HEAD /p/alice
--- response_headers
Retry-After: 60
Cache-Control: no-store
--- response_body
--- error_code: 503
--- error_log
[alert]
mdb_env_open() failed (13: Permission denied), profile requests get 503



=== TEST 3: ids are still checked first: 400
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/unreadable.snap;
--- config
    location = /p {
        profile;
        profile_id $arg_id;
    }
--- request
GET /p?id=a%20b
--- error_code: 400
--- error_log
[alert]
mdb_env_open() failed (13: Permission denied), profile requests get 503



=== TEST 4: $profile_snapshot_id is empty without a snapshot
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/unreadable.snap;
--- config
    location = /t {
        return 200 "[$profile_snapshot_id]\n";
    }
--- request
GET /t
--- response_body
[]
--- error_code: 200
--- error_log
[alert]
mdb_env_open() failed (13: Permission denied), profile requests get 503
--- no_error_log
[error]



=== TEST 5: other locations keep working
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/unreadable.snap;
--- config
    location = /t {
        return 200 "fine\n";
    }
--- request
GET /t
--- response_body
fine
--- error_code: 200
--- error_log
[alert]
profile requests get 503
--- no_error_log
[error]



=== TEST 6: error_page 503: nginx's page, with Retry-After and no-store
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/unreadable.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        error_page 503 @down;
    }

    location @down {
        return 200 "profiles are resting\n";
    }
--- request
GET /p/alice
--- response_headers
Content-Type: text/plain
Retry-After: 5
Cache-Control: no-store
--- response_body
profiles are resting
--- error_code: 503
--- error_log
[alert]
mdb_env_open() failed (13: Permission denied), profile requests get 503



=== TEST 7: error_page 503 to a URI, HEAD: no body, the same headers
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/unreadable.snap;
--- config
    profile_retry_after 30;

    location /p/ {
        profile;
        error_page 503 /down.html;
    }
--- user_files
>>> down.html
<p>later</p>
--- request
HEAD /p/alice
--- response_headers
Content-Type: text/html
Retry-After: 30
Cache-Control: no-store
--- response_body
--- error_code: 503
--- error_log
[alert]
mdb_env_open() failed (13: Permission denied), profile requests get 503
