#!/usr/bin/env perl
#
# The swap storm: a snapshot directory whose pointer is renamed onto
# another of 3 snapshots (distinct bodies) again and again, while a
# bounded load loop requests over keep-alive connections to 2 workers.
# Every answer names its snapshot (profile_snapshot_header) and must
# have exactly that snapshot's body: 0 failed, 0 mixed.  After each
# swap every worker serves the new snapshot within two check intervals
# (profile_snapshot_check 50ms here).  After the storm each worker maps
# one snapshot file and holds as many descriptors as before it: the old
# snapshots were closed once their last request was done.
#
# PROFILE_LIVE_SWAPS sets the number of swaps (200; `make live-long`:
# 1000).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/integrity";
use List::Util qw(max sum);
use Test::More;
use Time::HiRes qw(sleep time);

use Run;

if (my $why = Run::missing()) {
    plan skip_all => $why;
}

my $swaps = $ENV{PROFILE_LIVE_SWAPS} || 200;
my $check = 0.05;
my $n = 60;
my $dir = Run::scratch('swap');
my $sdir = "$dir/snapshots";
my @ids = Run::ids($n);
my @snaps = qw(storm-a storm-b storm-c);
my %files;

for my $i (0 .. $#snaps) {
    $files{$snaps[$i]} = Run::build_snapshot($dir, $snaps[$i], $n,
                                             " v$i", '--snapshot-id',
                                             $snaps[$i]);
}

Run::snapdir($sdir, %files);
Run::point($sdir, "$snaps[0].snap");

Run::write_conf($dir, snapshot => $sdir, workers => 2,
                check => ($check * 1000) . 'ms',
                http => 'profile_snapshot_header X-Profile-Snapshot;');

my $pid = Run::start($dir);
my @workers = Run::workers($pid);
is(scalar @workers, 2, 'two workers');

# the snapshot each worker serves, probed over new connections (listen
# ... reuseport spreads them); returns once every worker serves WANT,
# with the time it took, or undef after SECONDS
sub converge {
    my ($want, $seconds) = @_;
    my $t0 = time;
    my %on;

    while (time - $t0 < $seconds) {
        my ($st, $h) = Run::get('/p/u00001');
        next unless defined $st && $h->{'x-worker'};
        $on{$h->{'x-worker'}} = $h->{'x-profile-snapshot'} // '';
        return time - $t0
            if @workers == grep { ($on{$_} // '') eq $want } @workers;
    }

    return undef;
}

# the bodies of every snapshot, as it serves them

my %expect;

for my $s (@snaps) {
    Run::point($sdir, "$s.snap");
    ok(defined converge($s, 5), "both workers serve $s");

    for my $id (@ids) {
        my ($st, $h, $body) = Run::get("/p/$id");
        $expect{$s}{$id} = $body if $st == 200
            && ($h->{'x-profile-snapshot'} // '') eq $s;
    }

    is(scalar keys %{ $expect{$s} }, $n, "$s: every profile read");
}

isnt($expect{$snaps[0]}{u00001}, $expect{$snaps[1]}{u00001},
     'the snapshots have distinct bodies');

my @maps0 = map { [Run::mapped($_)] } @workers;
my @fds0 = map { Run::fds($_) } @workers;

# the storm

Run::reset_log($dir);

my $load = Run::load_start(ids => \@ids, expect => \%expect,
                           header => 'X-Profile-Snapshot', nproc => 2,
                           nconn => 3, seconds => 300,
                           stop => "$dir/load.stop");

my (@took, $late, $lost);
my $t0 = time;

for my $i (1 .. $swaps) {
    my $s = $snaps[$i % @snaps];
    Run::point($sdir, "$s.snap");

    my $t = converge($s, 5);

    if (!defined $t) {
        $lost++;
        next;
    }

    push @took, $t;
    $late++ if $t > 2 * $check * 1.125;
}

my $storm = time - $t0;
my $res = Run::load_stop($load);
my @sorted = sort { $a <=> $b } @took;

diag(sprintf "swap storm: %d swaps in %.1fs; %d requests ok, %d failed, "
     . "%d mixed, %d retried; requests per snapshot: %s",
     $swaps, $storm, $res->{ok}, $res->{failed}, $res->{mixed},
     $res->{retries},
     join(', ', map { "$_ $res->{seen}{$_}" } sort keys %{ $res->{seen} }));
diag(sprintf "convergence of both workers after a swap (an upper bound, "
     . "first seen): median %.0fms, p99 %.0fms, max %.0fms; over two check "
     . "intervals (%.0fms): %d", 1000 * $sorted[@sorted / 2],
     1000 * $sorted[int(@sorted * 0.99)], 1000 * max(@took),
     2000 * $check * 1.125, $late // 0)
    if @took;

ok($res->{ok} > $swaps, 'the load loop ran throughout');
is($res->{failed}, 0, '0 failed requests')
    or diag(join "\n", @{ $res->{why} });
is($res->{mixed}, 0, '0 responses mixing two snapshots')
    or diag(join "\n", @{ $res->{why} });
is(scalar(keys %{ $res->{seen} }), 3, 'every snapshot served under load');
is($lost // 0, 0, 'every swap reached every worker');
is($late // 0, 0, 'every worker on the newest within two check intervals');

my $log = Run::slurp("$dir/logs/error.log");
unlike($log, qr/exited on signal/, 'no worker crashed');
unlike($log, qr/\[(alert|emerg|crit)\]/, 'no alert');
my $served = () = $log =~ /: serving snapshot "/g;
cmp_ok($served, '>=', 2 * $swaps, 'each worker logged each swap')
    or diag("$served swap lines");
is_deeply([Run::workers($pid)], \@workers, 'the same two workers');

# old snapshots released: one map, the same descriptors, once idle

sleep 3 * $check;

for my $w (0 .. $#workers) {
    my @m = Run::mapped($workers[$w]);
    is(scalar @m, 1, "worker $w maps one snapshot file after the storm")
        or diag(join ' ', @m);
    is(Run::fds($workers[$w]), $fds0[$w],
       "worker $w holds as many descriptors as before the storm");
}

is(Run::sanitized($dir), '', 'no sanitizer report');

Run::stop($pid);

done_testing();
