# Records that fail validation: 500, an "error" log line naming the
# snapshot, the id and the reason, and no byte read outside the record.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

run_tests();

__DATA__

=== TEST 1: a record whose lengths do not add up: 500
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/lying.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request
GET /p/lying
--- response_headers
Content-Type: application/problem+json
Cache-Control: no-store
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:internal-error","title":"Internal error","status":500,"detail":"The profile could not be read."}
--- error_code: 500
--- error_log eval
qr{\[error\] .*profile snapshot "[^"]*/lying\.snap": bad record for id "lying" at index slot \d+ \(lengths do not add up\)}



=== TEST 2: a record whose entry points outside its body: 500
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/lying.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request
GET /p/outside
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:internal-error","title":"Internal error","status":500,"detail":"The profile could not be read."}
--- error_code: 500
--- error_log eval
qr{\[error\] .*profile snapshot "[^"]*/lying\.snap": bad record for id "outside" at index slot \d+ \(entry outside the record body\)}



=== TEST 3: HEAD of a corrupt record: 500 without a body
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/lying.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request
HEAD /p/lying
--- response_headers
Cache-Control: no-store
--- response_body
--- error_code: 500
--- error_log
bad record for id "lying"



=== TEST 4: the good records of the same snapshot still answer
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/lying.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request eval
["GET /p/lying", "GET /p/good", "GET /p/outside", "GET /p/good"]
--- more_headers
X-Viewer: good
--- response_body eval
['{"type":"urn:ngx-http-profile:problem:internal-error","title":"Internal error","status":500,"detail":"The profile could not be read."}',
 '{"id":"good","name":"Good","email":"good@example.com"}',
 '{"type":"urn:ngx-http-profile:problem:internal-error","title":"Internal error","status":500,"detail":"The profile could not be read."}',
 '{"id":"good","name":"Good","email":"good@example.com"}']
--- error_code eval
[500, 200, 500, 200]



=== TEST 5: entries that overlap beyond the one output buffer: 500
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/lying.snap;
--- config
    location /p/ {
        profile;
    }
--- request
GET /p/overlap
--- response_headers
Content-Type: application/problem+json
Cache-Control: no-store
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:internal-error","title":"Internal error","status":500,"detail":"The profile could not be read."}
--- error_code: 500
--- error_log eval
qr{\[error\] .*profile snapshot "[^"]*/lying\.snap": bad record for id "overlap" at index slot \d+ \(fragments overlap\)}



=== TEST 6: an entry of an unknown class: 500, for HEAD too
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/lying.snap;
--- config
    location /p/ {
        profile;
    }
--- request eval
["GET /p/badclass", "HEAD /p/badclass"]
--- response_body eval
['{"type":"urn:ngx-http-profile:problem:internal-error","title":"Internal error","status":500,"detail":"The profile could not be read."}',
 '']
--- error_code eval
[500, 500]
--- error_log eval
qr{\[error\] .*profile snapshot "[^"]*/lying\.snap": bad record for id "badclass" at index slot \d+ \(unknown visibility class\)}



=== TEST 7: an index whose slots point past the end of the file: refused at start, never a read outside the map
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/bad-slot.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/bad-slot\.snap": meta "index" does not match the records: slot \d+ points outside the file}



=== TEST 8: an index whose slots name other ids' records: refused at start
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/moved-slot.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/moved-slot\.snap": meta "index" does not match the records: "(good|outside|overlap|badclass)", which LMDB holds at byte \d+, is not found there through it \(a stale index, or another file's\)}



=== TEST 9: a record that fails its stored hash: 500 every time it is asked for, never its bytes
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/badhash.snap;
--- config
    location /p/ {
        profile;
    }
--- request eval
["GET /p/badhash", "GET /p/badhash"]
--- response_body eval
['{"type":"urn:ngx-http-profile:problem:internal-error","title":"Internal error","status":500,"detail":"The profile could not be read."}',
 '{"type":"urn:ngx-http-profile:problem:internal-error","title":"Internal error","status":500,"detail":"The profile could not be read."}']
--- error_code eval
[500, 500]
--- error_log eval
qr{\[error\] .*profile snapshot "[^"]*/badhash\.snap": bad record for id "badhash" at index slot \d+ \(record hash mismatch\)}



=== TEST 10: the good record of a file with a damaged one is served
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/badhash.snap;
--- config
    location /p/ {
        profile;
    }
--- request
GET /p/good
--- response_body chomp
{"id":"good","name":"Good"}
--- error_code: 200
--- no_error_log
[error]
