# Snapshot format 4 in the module (docs/snapshot-format.md): records with
# a trailer are served from their body alone, and the snapshot of a
# schema with an embeddable source is opened with its "src.NAME" tables
# checked, fully with profile_snapshot_verify full.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

run_tests();

__DATA__

=== TEST 1: records with a trailer, the full view: the body, not the trailer
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/embedded.snap;
    profile_snapshot_verify full;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
        profile_viewer $http_x_viewer trusted;
    }
--- request
GET /p/ann
--- more_headers
X-Viewer: ann
--- response_body chomp
{"id":"ann","name":"Ann","team_id":"red","joined":"2024-05-01T10:00:00.500Z","location":{"city":"Oslo","country":"NO"},"email":"ann@example.com"}
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: the public view of the same record
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/embedded.snap;
--- config
    location ~ ^/p/(.*)$ {
        profile;
        profile_id $1;
    }
--- request
GET /p/ann
--- response_body chomp
{"id":"ann","name":"Ann","team_id":"red","joined":"2024-05-01T10:00:00.500Z","location":{"city":"Oslo","country":"NO"}}
--- error_code: 200
--- no_error_log
[error]



=== TEST 3: an embedded source's keyed table whose slots point past the end of the file: refused at start
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/embedded-bad-slot.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/embedded-bad-slot\.snap": meta "index\.src\.teams" does not match the records: slot \d+ points outside the file}
