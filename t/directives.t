# Configuration of ngx_http_profile_module: every directive's bad
# arguments and every snapshot that "nginx -t" must refuse.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

run_tests();

__DATA__

=== TEST 1: profile_snapshot: no argument
--- http_config
    profile_snapshot;
--- config
--- must_die
--- error_log
invalid number of arguments in "profile_snapshot" directive



=== TEST 2: profile_snapshot: two arguments
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap $TEST_NGINX_FIXTURES/people.snap;
--- config
--- must_die
--- error_log
invalid number of arguments in "profile_snapshot" directive



=== TEST 3: profile_snapshot: not allowed in server
--- config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- must_die
--- error_log
"profile_snapshot" directive is not allowed here



=== TEST 4: profile_snapshot: not allowed in location
--- config
    location /p {
        profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    }
--- must_die
--- error_log
"profile_snapshot" directive is not allowed here



=== TEST 5: profile_snapshot: duplicate
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile_snapshot $TEST_NGINX_FIXTURES/private.snap;
--- config
--- must_die
--- error_log
"profile_snapshot" directive is duplicate



=== TEST 6: profile_snapshot: empty path
--- http_config
    profile_snapshot "";
--- config
--- must_die
--- error_log
empty path in "profile_snapshot" directive



=== TEST 7: profile_snapshot: missing file
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/no-such-file.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/build/fixtures/no-such-file\.snap": mdb_env_open\(\) failed \(2: No such file or directory\)}



=== TEST 8: profile_snapshot: a relative path is relative to the prefix
--- http_config
    profile_snapshot conf/relative.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "/[^"]*/conf/relative\.snap": mdb_env_open\(\) failed \(2: No such file or directory\)}



=== TEST 9: profile_snapshot: an empty file
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/empty.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/build/fixtures/empty\.snap" is empty}



=== TEST 10: profile_snapshot: a truncated file is refused before LMDB reads past its end
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/truncated.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/build/fixtures/truncated\.snap" is truncated: the file has \d+ bytes, LMDB's last page \(\d+, of 4096 bytes\) ends at byte \d+}



=== TEST 11: profile_snapshot: a stale index (mdb_dump and mdb_load) is refused
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/stale.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/build/fixtures/stale\.snap": meta "index" does not match the records: "(alice|bob|12345|[^"]+)", which LMDB holds at byte \d+, is not found there through it \(a stale index, or another file's\)}



=== TEST 12: profile_snapshot: not an LMDB file
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/not-lmdb.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/not-lmdb\.snap" is not a profile snapshot: mdb_env_open\(\) failed \(-30793: MDB_INVALID: File is not an LMDB file\)}



=== TEST 13: profile_snapshot: a directory
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/build/fixtures" is not a regular file}



=== TEST 14: profile_snapshot: format version 1 (before the id index)
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/version1.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/version1\.snap": format version 1 is not supported \(expected 2 to 4; rebuild it with profile-snapshot\)}



=== TEST 15: profile_snapshot: no id index
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/no-index.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/no-index\.snap" is not a profile snapshot: meta "index" is missing}



=== TEST 16: profile_snapshot: an id index whose size does not match its header
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/bad-index.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/bad-index\.snap" is not a profile snapshot: meta "index" is malformed \(lengths do not add up\)}



=== TEST 17: profile_snapshot: LMDB, but another format
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/wrong-format.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/wrong-format\.snap" is not a profile snapshot: meta "format" is not "profile-snapshot"}



=== TEST 18: profile_snapshot: LMDB without metadata
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/no-meta.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/no-meta\.snap" is not a profile snapshot: no "meta" database}



=== TEST 19: profile_snapshot: malformed classes table
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/bad-classes.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/bad-classes\.snap" is not a profile snapshot: meta "classes" is malformed \(bad name\)}



=== TEST 20: profile_snapshot: record_count does not match
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/count.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/count\.snap" is not a profile snapshot: meta "record_count" is 7, but the "profiles" database holds 5 records}



=== TEST 21: profile: takes no argument
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p {
        profile on;
        profile_id $arg_id;
    }
--- must_die
--- error_log
invalid number of arguments in "profile" directive



=== TEST 22: profile: not allowed in server
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    profile;
--- must_die
--- error_log
"profile" directive is not allowed here



=== TEST 23: profile: not allowed in http
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile;
--- config
--- must_die
--- error_log
"profile" directive is not allowed here



=== TEST 24: profile: duplicate
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p {
        profile;
        profile;
        profile_id $arg_id;
    }
--- must_die
--- error_log
"profile" directive is duplicate



=== TEST 25: profile without profile_snapshot
--- config
    location /p {
        profile;
        profile_id $arg_id;
    }
--- must_die
--- error_log eval
qr{no "profile_snapshot" is defined for the "profile" directive in \S+nginx\.conf:\d+}



=== TEST 26: profile without profile_id: a prefix not ending in "/"
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p {
        profile;
    }
--- must_die
--- error_log eval
qr{no "profile_id" is defined for the "profile" directive in \S+nginx\.conf:\d+: the id is taken from the URI only after a location prefix ending in "/", not "/p"}



=== TEST 27: profile without profile_id: a regex location
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
    }
--- must_die
--- error_log eval
qr{no "profile_id" is defined for the "profile" directive in \S+nginx\.conf:\d+: in a regex location the id must be set with "profile_id"}



=== TEST 28: profile without profile_id: an exact-match location
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location = /p/ {
        profile;
    }
--- must_die
--- error_log eval
qr{no "profile_id" is defined for the "profile" directive in \S+nginx\.conf:\d+: in an exact-match location the id must be set with "profile_id"}



=== TEST 29: profile without profile_id: a named location
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location @p {
        profile;
    }
--- must_die
--- error_log eval
qr{no "profile_id" is defined for the "profile" directive in \S+nginx\.conf:\d+: in a named location the id must be set with "profile_id"}



=== TEST 30: profile without profile_id: a prefix location ending in "/" is accepted
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p/ {
        profile;
    }
    location ^~ /q/ {
        profile;
    }
--- request
GET /q/bob
--- response_body chomp
{"id":"bob","name":"Bob"}
--- error_code: 200
--- no_error_log
[emerg]
[error]



=== TEST 31: profile_viewer: duplicate
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p/ {
        profile;
        profile_viewer $http_x_viewer trusted;
        profile_viewer $http_x_other;
    }
--- must_die
--- error_log
"profile_viewer" directive is duplicate



=== TEST 32: profile_id: no argument
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p {
        profile;
        profile_id;
    }
--- must_die
--- error_log
invalid number of arguments in "profile_id" directive



=== TEST 33: profile_id: two arguments
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p {
        profile;
        profile_id $arg_id $arg_x;
    }
--- must_die
--- error_log
invalid number of arguments in "profile_id" directive



=== TEST 34: profile_id: empty value
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p {
        profile;
        profile_id "";
    }
--- must_die
--- error_log
empty value in "profile_id" directive



=== TEST 35: profile_id: a constant outside the id grammar
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p {
        profile;
        profile_id "a b";
    }
--- must_die
--- error_log
invalid profile id "a b" in "profile_id" directive



=== TEST 36: profile_id: unknown variable
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p {
        profile;
        profile_id $no_such_variable;
    }
--- must_die
--- error_log
unknown "no_such_variable" variable



=== TEST 37: profile_id: duplicate
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p {
        profile;
        profile_id $arg_id;
        profile_id $arg_other;
    }
--- must_die
--- error_log
"profile_id" directive is duplicate



=== TEST 38: profile_id: not allowed in "if"
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p {
        if ($arg_x) {
            profile_id $arg_id;
        }
    }
--- must_die
--- error_log
"profile_id" directive is not allowed here



=== TEST 39: profile_viewer: no argument
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    location /p {
        profile;
        profile_id $arg_id;
        profile_viewer;
    }
--- must_die
--- error_log
invalid number of arguments in "profile_viewer" directive



=== TEST 40: profile_viewer: a second argument other than "trusted"
--- config
    profile_viewer $remote_user $http_x_user;
--- must_die
--- error_log
invalid parameter "$http_x_user" in "profile_viewer" directive, it must be "trusted"



=== TEST 41: profile_viewer: unknown variable
--- config
    profile_viewer $no_such_viewer;
--- must_die
--- error_log
unknown "no_such_viewer" variable



=== TEST 42: profile_viewer: duplicate
--- config
    profile_viewer $remote_user trusted;
    profile_viewer $http_x_user trusted;
--- must_die
--- error_log
"profile_viewer" directive is duplicate



=== TEST 43: profile_viewer: not allowed in "if"
--- config
    if ($arg_x) {
        profile_viewer $arg_v trusted;
    }
--- must_die
--- error_log
"profile_viewer" directive is not allowed here



=== TEST 44: profile_retry_after: not a time
--- config
    profile_retry_after soon;
--- must_die
--- error_log
"profile_retry_after" directive invalid value



=== TEST 45: profile_retry_after: negative
--- config
    profile_retry_after -5;
--- must_die
--- error_log
"profile_retry_after" directive invalid value



=== TEST 46: profile_retry_after: no argument
--- config
    profile_retry_after;
--- must_die
--- error_log
invalid number of arguments in "profile_retry_after" directive



=== TEST 47: profile_retry_after: duplicate
--- config
    profile_retry_after 5;
    profile_retry_after 10;
--- must_die
--- error_log
"profile_retry_after" directive is duplicate



=== TEST 48: every directive, valid, in its contexts
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile_id $arg_id;
    profile_viewer $arg_viewer trusted;
    profile_retry_after 1m;
--- config
    profile_id $arg_id;
    profile_viewer $arg_viewer trusted;
    profile_retry_after 7;

    location = /p {
        profile;
        profile_id $arg_id;
        profile_viewer "";
        profile_retry_after 2s;
    }
--- request
GET /p?id=alice
--- response_body chomp
{"id":"alice","name":"Alice Example","city":"Lisbon"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 49: profile_snapshot_check: not a time
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile_snapshot_check soon;
--- config
--- must_die
--- error_log
invalid value "soon" in "profile_snapshot_check" directive: a time above 0, or "off"



=== TEST 50: profile_snapshot_check: 0 is not a period
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile_snapshot_check 0;
--- config
--- must_die
--- error_log
invalid value "0" in "profile_snapshot_check" directive: a time above 0, or "off"



=== TEST 51: profile_snapshot_check: duplicate
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile_snapshot_check 1s;
    profile_snapshot_check off;
--- config
--- must_die
--- error_log
"profile_snapshot_check" directive is duplicate



=== TEST 52: profile_snapshot_check: http level only
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    profile_snapshot_check 1s;
--- must_die
--- error_log
"profile_snapshot_check" directive is not allowed here



=== TEST 53: profile_snapshot_check: a time and "off" are accepted
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile_snapshot_check 250ms;
--- config
    location /p/ {
        profile;
    }
--- request
GET /p/alice
--- response_body chomp
{"id":"alice","name":"Alice Example","city":"Lisbon"}
--- error_code: 200
--- no_error_log
[error]
[alert]
