#!/usr/bin/env perl
#
# A snapshot directory across nginx's signals, under load:
#   - nginx -s reload (HUP): the new workers serve what the pointer
#     names, and follow it; a reload while the pointer names a bad file
#     is refused and the running workers keep serving;
#   - kill -9 of a worker: its replacement opens what the pointer names
#     now (not what the master validated); with a bad target it answers
#     503 with Retry-After and serves as soon as the pointer is good;
#   - binary upgrade (USR2, WINCH, QUIT): the new master's workers serve
#     and follow the pointer, and no request fails;
#   - $profile_snapshot_age, the seconds since the snapshot's created_at;
#   - the served file truncated in place (never do that): dropped, then
#     refused, 503 until the pointer names a good file.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/integrity";
use File::Copy ();
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(sleep time);

use Run;

if (my $why = Run::missing()) {
    plan skip_all => $why;
}

my $check = 0.05;
my $n = 40;
my $dir = Run::scratch('signals');
my $sdir = "$dir/snapshots";
my @ids = Run::ids($n);
my @snaps = qw(sig-a sig-b sig-c);
my %files;

for my $i (0 .. $#snaps) {
    $files{$snaps[$i]} = Run::build_snapshot($dir, $snaps[$i], $n, " s$i",
                                             '--snapshot-id', $snaps[$i],
                                             '--created-at',
                                             '2026-01-01T00:00:00Z');
}

Run::snapdir($sdir, %files);
Run::spew("$sdir/sig-bad.snap", '');
Run::point($sdir, 'sig-a.snap');

Run::write_conf($dir, snapshot => $sdir, workers => 2,
                check => ($check * 1000) . 'ms',
                http => 'profile_snapshot_header X-Profile-Snapshot;',
                location => 'add_header X-Worker $pid always; '
                            . 'add_header X-Age $profile_snapshot_age always;');

my $pid = Run::start($dir);

# what each worker of MASTER serves, over new connections, until all of
# them serve WANT; 1, or 0 after 5 seconds
sub all_on {
    my ($master, $want) = @_;
    my $t0 = time;
    my %on;

    while (time - $t0 < 5) {
        my @w = Run::workers($master);
        my ($st, $h) = Run::get('/p/u00001');
        $on{$h->{'x-worker'}} = $h->{'x-profile-snapshot'} // ''
            if defined $st && $h->{'x-worker'};
        return 1 if @w && !grep { ($on{$_} // '') ne $want } @w;
        sleep 0.01;
    }

    return 0;
}

my %expect;

for my $s (@snaps) {
    Run::point($sdir, "$s.snap");
    ok(all_on($pid, $s), "both workers serve $s");

    for my $id (@ids) {
        my ($st, $h, $body) = Run::get("/p/$id");
        $expect{$s}{$id} = $body
            if $st == 200 && $h->{'x-profile-snapshot'} eq $s;
    }
}

# $profile_snapshot_age

{
    my ($st, $h) = Run::get('/p/u00001');
    my $age = time - 1767225600;
    ok(defined $h->{'x-age'} && abs($h->{'x-age'} - $age) <= 5,
       "\$profile_snapshot_age is the seconds since created_at")
        or diag("x-age: " . ($h->{'x-age'} // 'none') . ", expected $age");
    my ($st4, $h4) = Run::get('/p/%20');
    is($h4->{'x-profile-snapshot'}, 'sig-c',
       'a problem answer (400) names the snapshot too');
}

sub load {
    return Run::load_start(ids => \@ids, expect => \%expect,
                           header => 'X-Profile-Snapshot', nproc => 2,
                           nconn => 2, seconds => 60,
                           stop => "$dir/load.stop");
}

sub check_load {
    my ($what, $l) = @_;
    my $r = Run::load_stop($l);
    diag(sprintf "%s: %d requests ok, %d failed, %d mixed, %d retried "
         . "(a keep-alive connection closed by an exiting worker)",
         $what, $r->{ok}, $r->{failed}, $r->{mixed}, $r->{retries});
    cmp_ok($r->{ok}, '>', 50, "$what: the load loop ran");
    is($r->{failed}, 0, "$what: 0 failed requests")
        or diag(join "\n", @{ $r->{why} });
    is($r->{mixed}, 0, "$what: 0 mixed") or diag(join "\n", @{ $r->{why} });
}

# reload

Run::reset_log($dir);
my $l = load();
my @old = Run::workers($pid);

Run::point($sdir, 'sig-a.snap');
ok(all_on($pid, 'sig-a'), 'before the reload: sig-a');

kill 'HUP', $pid;
ok(Run::wait_for(10, sub {
       my @w = Run::workers($pid);
       @w == 2 && !grep { my $o = $_; grep { $_ == $o } @w } @old;
   }), 'reload: new workers');
ok(all_on($pid, 'sig-a'), 'reload: the new workers serve sig-a');

Run::point($sdir, 'sig-b.snap');
ok(all_on($pid, 'sig-b'), 'reload: the new workers follow the pointer');

# a reload while the pointer names a bad file is refused

@old = Run::workers($pid);
Run::point($sdir, 'sig-bad.snap');
sleep 4 * $check;
kill 'HUP', $pid;
ok(Run::wait_for(5, sub {
       Run::slurp("$dir/logs/error.log")
           =~ /\[emerg\].*profile_snapshot "\Q$sdir\E": "sig-bad\.snap" is empty/
   }), 'reload with a bad target: refused (emerg)');
sleep 0.3;
is_deeply([Run::workers($pid)], \@old, 'reload refused: the same workers');
ok(all_on($pid, 'sig-b'), 'reload refused: sig-b still served');

Run::point($sdir, 'sig-c.snap');
ok(all_on($pid, 'sig-c'), 'then the pointer is followed again');

check_load('reload', $l);

# kill -9

$l = load();

for my $round (1 .. 4) {
    my $s = $snaps[$round % @snaps];
    Run::point($sdir, "$s.snap");
    ok(all_on($pid, $s), "kill -9 round $round: both serve $s");

    my @w = Run::workers($pid);
    kill 'KILL', $w[0];

    ok(Run::wait_for(5, sub {
           my @now = Run::workers($pid);
           @now == 2 && !grep { $_ == $w[0] } @now;
       }), "kill -9 round $round: a new worker");
    ok(all_on($pid, $s), "kill -9 round $round: the new worker serves $s");

    # the pointer moved since the master validated it: the new worker
    # follows the pointer, as its sibling does
    my $t = $snaps[($round + 1) % @snaps];
    Run::point($sdir, "$t.snap");
    ok(all_on($pid, $t), "kill -9 round $round: both follow to $t");
}

check_load('kill -9', $l);

# no growth: each worker, the respawned and the one that swapped 8
# times, maps one snapshot file and holds as many descriptors

{
    sleep 4 * $check;
    my @w = Run::workers($pid);
    my @fds = map { Run::fds($_) } @w;
    is_deeply([map { my @m = Run::mapped($_); scalar @m } @w], [1, 1],
              'kill -9: each worker maps one snapshot file');
    is($fds[0], $fds[1], 'kill -9: both hold as many descriptors')
        or diag("descriptors: @fds");
}

# kill -9 while the pointer names a bad file: 503, then served

{
    Run::point($sdir, 'sig-a.snap');
    all_on($pid, 'sig-a');
    Run::point($sdir, 'sig-bad.snap');
    sleep 4 * $check;

    my @w = Run::workers($pid);
    kill 'KILL', $w[0];
    Run::wait_for(5, sub { my @now = Run::workers($pid);
                           @now == 2 && !grep { $_ == $w[0] } @now });
    my ($new) = grep { $_ != $w[1] } Run::workers($pid);

    my ($st, $h);
    Run::wait_for(5, sub {
        ($st, $h) = Run::get('/p/u00001');
        defined $st && $h->{'x-worker'} == $new;
    });
    is($st, 503, 'a new worker with a bad target answers 503');
    is($h->{'cache-control'}, 'no-store', '... no-store');
    ok(defined $h->{'retry-after'}, '... with Retry-After');
    ok(!defined $h->{'x-profile-snapshot'}, '... and names no snapshot');
    like(Run::slurp("$dir/logs/error.log"),
         qr/\[alert\].*profile snapshot directory "\Q$sdir\E": "sig-bad\.snap" is empty, profile requests get 503/,
         '... and logs an alert');

    Run::point($sdir, 'sig-b.snap');
    ok(all_on($pid, 'sig-b'), 'then it serves the good target');
}

# binary upgrade: USR2, WINCH, QUIT

$l = load();
@old = Run::workers($pid);
kill 'USR2', $pid;

my $new = 0;
ok(Run::wait_for(10, sub {
       return 0 unless -e "$dir/logs/nginx.pid.oldbin";
       $new = Run::master_pid($dir);
       my @w = $new && $new != $pid ? Run::workers($new) : ();
       return @w == 2;
   }), 'binary upgrade: a new master with 2 workers');
Run::adopt($new) if $new && $new != $pid;

kill 'WINCH', $pid;

# the old master's children: its workers, and the new master
ok(Run::wait_for(10, sub { !grep { $_ != $new } Run::workers($pid) }),
   'binary upgrade: the old workers exit (WINCH)');
ok(all_on($new, 'sig-b'), 'binary upgrade: the new workers serve sig-b');

Run::point($sdir, 'sig-c.snap');
ok(all_on($new, 'sig-c'), 'binary upgrade: the new workers follow');

kill 'QUIT', $pid;
ok(Run::wait_for(10, sub { !Run::alive($pid) }),
   'binary upgrade: the old master exits (QUIT)');

check_load('binary upgrade', $l);

# the served file truncated in place (what must never be done): each
# worker drops it, refuses it as it is now, answers 503, and serves the
# next good target

{
    my $x = Run::build_snapshot($dir, 'sig-x', $n, ' x', '--snapshot-id',
                                'sig-x');
    File::Copy::copy($x, "$sdir/sig-x.snap") or die "copy: $!";
    Run::point($sdir, 'sig-x.snap');
    ok(all_on($new, 'sig-x'), 'a copy served');

    truncate("$sdir/sig-x.snap", 8192) or die "truncate: $!";
    ok(Run::wait_for(5, sub {
           my $l = Run::slurp("$dir/logs/error.log");
           my $dropped = () = $l =~ /\[alert\].*sig-x\.snap" was changed in place: .*no longer used/g;
           my $refused = () = $l =~ /\[error\].*"sig-x\.snap" is (?:truncated|not a profile snapshot).*refused \(\d+ refused by this worker\), profile requests get 503/g;
           $dropped == 2 && $refused == 2;
       }), 'truncated in place: both workers drop it, then refuse it');
    my ($st) = Run::get('/p/u00001');
    is($st, 503, 'truncated in place: 503');

    Run::point($sdir, 'sig-c.snap');
    ok(all_on($new, 'sig-c'), 'truncated in place: the next target served');
}

my $log = Run::slurp("$dir/logs/error.log");
unlike($log, qr/exited on signal (?!9\b)/, 'no worker crashed');
is(Run::sanitized($dir), '', 'no sanitizer report');

Run::stop($new);
Run::stop($pid);

done_testing();
