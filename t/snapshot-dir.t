# profile_snapshot on a snapshot directory (docs/snapshot-dir.md), made
# here by hand: what nginx -t accepts and refuses, and the directives of
# live snapshots: profile_snapshot_verify, profile_snapshot_header,
# $profile_snapshot_age.  Swaps under load are in t/integrity-swap.t.

use Test::Nginx::Socket 'no_plan';
use FindBin;
use File::Copy qw(copy);
use File::Path qw(make_path remove_tree);

my ($fixtures, $dirs, $id);

BEGIN {
    system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n";

    $fixtures = "$FindBin::Bin/../build/fixtures";
    $dirs = "$FindBin::Bin/../build/snapshot-dirs-$$";

    my $dump = `mdb_dump -n -p -s meta '$fixtures/people.snap'`;
    ($id) = $dump =~ /^ snapshot_id\n (\S+)\n/m or die "no snapshot_id\n";

    my $marker = sub {
        my ($d, $text) = @_;
        make_path($d);
        open(my $fh, '>', "$d/.profile-snapshot-dir") or die "$d: $!\n";
        print $fh $text // "profile-snapshot-dir 1\n";
        close $fh;
    };

    remove_tree($dirs);

    $marker->("$dirs/good");
    copy("$fixtures/people.snap", "$dirs/good/$id.snap") or die "copy: $!\n";
    symlink("$id.snap", "$dirs/good/current") or die "symlink: $!\n";

    $marker->("$dirs/no-current");

    $marker->("$dirs/layout2", "profile-snapshot-dir 2\n");
    symlink("$id.snap", "$dirs/layout2/current");

    make_path("$dirs/no-marker");
    symlink("$id.snap", "$dirs/no-marker/current");

    $marker->("$dirs/empty");
    open(my $fh, '>', "$dirs/empty/empty-1.snap") or die "$!\n";
    close $fh;
    symlink('empty-1.snap', "$dirs/empty/current");

    $marker->("$dirs/wrong-id");
    copy("$fixtures/people.snap", "$dirs/wrong-id/other-id.snap")
        or die "copy: $!\n";
    symlink('other-id.snap', "$dirs/wrong-id/current");

    $marker->("$dirs/badhash");
    copy("$fixtures/badhash.snap", "$dirs/badhash/badhash.snap")
        or die "copy: $!\n";

    system('chmod', '-R', 'a+rX', $dirs) == 0 or die "chmod\n";
}

END { remove_tree($dirs) if $dirs; }

$ENV{TEST_NGINX_FIXTURES} = $fixtures;
$ENV{TEST_NGINX_DIRS} = $dirs;
$ENV{TEST_NGINX_SNAPSHOT_ID} = $id;

run_tests();

__DATA__

=== TEST 1: a snapshot directory: its current snapshot is served, the header names it
--- http_config
    profile_snapshot $TEST_NGINX_DIRS/good;
--- config
    location /p/ {
        profile;
        profile_snapshot_header X-Profile-Snapshot;
    }
--- request
GET /p/alice
--- response_headers eval
"X-Profile-Snapshot: $ENV{TEST_NGINX_SNAPSHOT_ID}"
--- response_body chomp
{"id":"alice","name":"Alice Example","city":"Lisbon"}
--- error_code: 200
--- no_error_log
[error]
[alert]



=== TEST 2: profile_snapshot_header: problems name the snapshot too (404, 400)
--- http_config
    profile_snapshot $TEST_NGINX_DIRS/good;
    profile_snapshot_header X-Snap;
--- config
    location /p/ {
        profile;
    }
--- request eval
["GET /p/nobody", "GET /p/%20"]
--- response_headers eval
["X-Snap: $ENV{TEST_NGINX_SNAPSHOT_ID}", "X-Snap: $ENV{TEST_NGINX_SNAPSHOT_ID}"]
--- error_code eval
[404, 400]



=== TEST 3: profile_snapshot_header off: none, also when inherited
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile_snapshot_header X-Snap;
--- config
    location /p/ {
        profile;
        profile_snapshot_header off;
    }
--- request
GET /p/alice
--- response_headers
!X-Snap
--- error_code: 200



=== TEST 4: profile_snapshot_header: not a header name
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    profile_snapshot_header "X Snap";
--- must_die
--- error_log
invalid header name "X Snap" in "profile_snapshot_header" directive



=== TEST 5: profile_snapshot_header: duplicate
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    profile_snapshot_header X-A;
    profile_snapshot_header X-B;
--- must_die
--- error_log
"profile_snapshot_header" directive is duplicate



=== TEST 6: $profile_snapshot_age: whole seconds since created_at
--- http_config
    profile_snapshot $TEST_NGINX_DIRS/good;
--- config
    location /p/ {
        profile;
        add_header X-Age $profile_snapshot_age;
    }
--- request
GET /p/alice
--- response_headers_like
X-Age: \d+
--- error_code: 200



=== TEST 7: a directory without current
--- http_config
    profile_snapshot $TEST_NGINX_DIRS/no-current;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/no-current": readlink\(\) of "current" failed \(2: No such file or directory\)}



=== TEST 8: a snapshot directory of another layout
--- http_config
    profile_snapshot $TEST_NGINX_DIRS/layout2;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/layout2" is a snapshot directory of a layout this module does not read}



=== TEST 9: a directory without the marker
--- http_config
    profile_snapshot $TEST_NGINX_DIRS/no-marker;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/no-marker" is not a regular file, nor a snapshot directory \(it has no "\.profile-snapshot-dir"\)}



=== TEST 10: current names an empty file
--- http_config
    profile_snapshot $TEST_NGINX_DIRS/empty;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/empty": "empty-1\.snap" is empty}



=== TEST 11: current names a snapshot under another id
--- http_config
    profile_snapshot $TEST_NGINX_DIRS/wrong-id;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/wrong-id": "other-id\.snap" holds snapshot "[^"]+", not the one its name says}



=== TEST 12: profile_snapshot_verify full: a good snapshot is served
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile_snapshot_verify full;
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



=== TEST 13: profile_snapshot_verify full: a record that does not match the content hash
--- http_config
    profile_snapshot_verify full;
    profile_snapshot $TEST_NGINX_FIXTURES/badhash.snap;
--- config
--- must_die
--- error_log eval
qr{profile_snapshot "[^"]*/badhash\.snap"(: meta "content_hash" does not match the content \(sha256:[0-9a-f]{64}\)| is not a profile snapshot: meta "content_hash" is missing), for "profile_snapshot_verify full"}



=== TEST 14: profile_snapshot_verify sample (the default) opens it
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/badhash.snap;
    profile_snapshot_verify sample;
--- config
    location /p/ {
        profile;
    }
--- request
GET /p/good
--- error_code: 200



=== TEST 15: profile_snapshot_verify: another value
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile_snapshot_verify deep;
--- config
--- must_die
--- error_log
invalid value "deep" in "profile_snapshot_verify" directive, it must be "sample" or "full"



=== TEST 16: profile_snapshot_verify: http level only
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
--- config
    profile_snapshot_verify full;
--- must_die
--- error_log
"profile_snapshot_verify" directive is not allowed here



=== TEST 17: profile_snapshot_verify: duplicate
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/people.snap;
    profile_snapshot_verify full;
    profile_snapshot_verify sample;
--- config
--- must_die
--- error_log
"profile_snapshot_verify" directive is duplicate
