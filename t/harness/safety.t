# Self-test of the harness's own safety net ([alert] lines, crashed
# processes, sanitizer reports, start failures, timeouts) and of failure
# reporting: small .t files are generated in a temporary directory and
# run with t/lib's harness; their TAP output is checked here.
#
# This always tests t/lib's Test::Nginx::Socket, whichever harness runs
# the suite.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Test::More;

my $LIB = abs_path(dirname(abs_path(__FILE__)) . '/../lib');

my $PRELUDE = <<'_EOC_';
use Test::Nginx::Socket 'no_plan';

# --- inject_log: append a line to error.log after the response;
# --- kill_pid: SIGKILL the pid the response body names ("pid=N")
add_response_body_check(sub {
    my ($block, $body) = @_;

    if (defined(my $line = $block->inject_log)) {
        open my $out, '>>', server_root() . '/logs/error.log' or die $!;
        print {$out} $line;
        close $out;
    }

    if (defined $block->kill_pid && $body =~ /pid=(\d+)/) {
        kill 'KILL', $1;
    }
});
_EOC_


# Run the test file made of $PRELUDE, $setup and $data in a fresh
# directory: { out => TAP and diagnostics, status, kept => servroots }.
sub run_case {
    my ($setup, $data) = @_;

    my $dir = tempdir(CLEANUP => 1);
    open my $out, '>', "$dir/case.t" or die $!;
    print {$out} $PRELUDE, $setup, "\nrun_tests();\n\n__DATA__\n", $data;
    close $out;

    local %ENV = %ENV;
    delete @ENV{qw(TEST_NGINX_PORT TEST_NGINX_SERVER_PORT TEST_NGINX_SERVROOT
                   TEST_NGINX_CLIENT_PORT TEST_NGINX_NO_CLEAN)};

    my $pid = open my $fh, '-|';
    die "fork: $!" if !defined $pid;

    if ($pid == 0) {
        chdir $dir or die $!;
        open STDERR, '>&', \*STDOUT;
        exec $^X, "-I$LIB", 'case.t';
        die "exec: $!";
    }

    my $text = do { local $/; <$fh> };
    close $fh;

    return { out => $text, status => $? >> 8,
             kept => [glob "$dir/t/servroot_*"] };
}


sub not_ok_lines {
    my ($res) = @_;

    return grep { /^not ok/ } split /\n/, $res->{out};
}


# A black hole for proxy_pass: accepts connections, never answers.
my $hole = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
                                 LocalPort => 0, Proto => 'tcp')
    or die "cannot listen: $!";
my $hole_port = $hole->sockport;

my $single = run_case("", <<"_EOC_");
=== TEST 1: sanitizer report
--- config
    location = /t { return 200 "ok\\n"; }
--- request
GET /t
--- inject_log
==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1



=== TEST 2: UBSan report
--- config
    location = /t { return 200 "ok\\n"; }
--- request
GET /t
--- inject_log
ngx_foo.c:12:5: runtime error: signed integer overflow



=== TEST 3: single process crash
--- config
    location = /t { return 200 "pid=\$pid\\n"; }
--- request
GET /t
--- kill_pid
--- response_body_like: pid



=== TEST 4: nginx cannot start
--- config
    location = /t { bogus_directive on; }
--- request
GET /t



=== TEST 5: must_die but nginx starts
--- config
    location = /t { return 200 "ok\\n"; }
--- request
GET /t
--- must_die



=== TEST 6: client timeout
--- config
    location = /t {
        proxy_read_timeout 1s;
        proxy_pass http://127.0.0.1:$hole_port;
    }
--- request
GET /t
--- timeout: 200ms
--- ignore_response



=== TEST 7: wrong status
--- config
    location = /t { return 200 "ok\\n"; }
--- request
GET /t
--- error_code: 201



=== TEST 8: header that must be absent
--- config
    location = /t { return 200 "ok\\n"; }
--- request
GET /t
--- response_headers
!Content-Type
_EOC_

my @fails = not_ok_lines($single);
my %want = (
    1 => qr/TEST 1: .* - sanitizer report in error\.log \(harness check\)/,
    2 => qr/TEST 2: .* - sanitizer report in error\.log \(harness check\)/,
    3 => qr/TEST 3: .* - nginx exited on signal 9/,
    4 => qr/TEST 4: .* - nginx failed to start \(exit code 1\)/,
    5 => qr/TEST 5: .* - die as expected/,
    6 => qr/ERROR: client socket timed out - TEST 6: /,
    7 => qr/TEST 7: .* - status code ok/,
    8 => qr/TEST 8: .* - header Content-Type not present in the raw headers/,
);

for my $n (sort keys %want) {
    ok((grep { $_ =~ $want{$n} } @fails), "failing case $n is reported")
        or diag($single->{out});
}

is(scalar @fails, scalar keys %want, 'no other failure')
    or diag(join "\n", @fails);
like($single->{out}, qr/unknown directive "bogus_directive"/,
     'the start failure shows the error log');
like($single->{out}, qr/nginx must die but it does not/,
     'a surviving must_die nginx is reported');
isnt($single->{status}, 0, 'the failing file exits non-zero');
is(scalar @{ $single->{kept} }, 1, 'a failing run keeps its server root');

my $master = run_case("master_on();\n", <<'_EOC_');
=== TEST 1: [alert] from a worker
--- main_config
worker_rlimit_nofile 999999999;
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok



=== TEST 2: crashed worker
--- config
    location = /t { return 200 "pid=$pid\n"; }
--- request
GET /t
--- kill_pid
--- response_body_like: pid
_EOC_

@fails = not_ok_lines($master);
is(scalar @fails, 2, 'master mode: two failures') or diag($master->{out});
like($fails[0] // '', qr/TEST \d: .* - (?:\[alert\]|crashed process) in/,
     'master mode: first failure is a harness check');
like($master->{out}, qr/setrlimit\(RLIMIT_NOFILE, 999999999\) failed/,
     'the [alert] line is shown');
like($master->{out}, qr/worker process \d+ exited on signal 9/,
     'the crash line is shown');

my $pass = run_case("", <<"_EOC_");
=== TEST 1: an [alert] named by --- error_log is expected
--- config
    location = /t { return 200 "ok\\n"; }
--- request
GET /t
--- inject_log
2020/01/01 00:00:00 [alert] 1#1: injected alert
--- error_log
[alert] 1#1: injected alert



=== TEST 2: client timeout with --- abort is not a failure
--- config
    location = /t {
        proxy_read_timeout 1s;
        proxy_pass http://127.0.0.1:$hole_port;
    }
--- request
GET /t
--- timeout: 200ms
--- abort
--- ignore_response



=== TEST 3: a normal block
--- config
    location = /t { return 200 "ok\\n"; }
--- request
GET /t
--- response_body
ok
_EOC_

is(scalar(not_ok_lines($pass)), 0, 'passing file: no failure')
    or diag($pass->{out});
is($pass->{status}, 0, 'passing file exits 0');
is(scalar @{ $pass->{kept} }, 0, 'a passing run removes its server root');

done_testing();
