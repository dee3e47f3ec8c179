#!/usr/bin/env perl
#
# kill -9 of workers every couple of seconds under load (issue #18): a
# snapshot directory whose pointer moves every second between three
# snapshots, 2 workers, a worker killed every 2 seconds for 20 seconds.
# Every respawned worker serves the current snapshot; 0 failed and 0
# mixed responses (a connection cut by the killed worker is sent again,
# counted as a retry); no growth of descriptors or snapshot mappings,
# in the workers or the master, from the start to the end of the run.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/integrity";
use Test::More;
use Time::HiRes qw(sleep time);

use Run;

if (my $why = Run::missing()) {
    plan skip_all => $why;
}

my $check = 0.05;
my $n = 40;
my $dir = Run::scratch('kill');
my $sdir = "$dir/snapshots";
my @ids = Run::ids($n);
my @snaps = qw(kill-a kill-b kill-c);
my %files;

for my $i (0 .. $#snaps) {
    $files{$snaps[$i]} = Run::build_snapshot($dir, $snaps[$i], $n, " k$i",
                                             '--snapshot-id', $snaps[$i]);
}

Run::snapdir($sdir, %files);
Run::point($sdir, 'kill-a.snap');

Run::write_conf($dir, snapshot => $sdir, workers => 2,
                check => ($check * 1000) . 'ms',
                http => 'profile_snapshot_header X-Profile-Snapshot;');

my $pid = Run::start($dir);

# every worker serving WANT (over new connections), or 0 after 5 s
sub all_on {
    my ($want) = @_;

    return Run::wait_for(5, sub {
        my %on;
        for (1 .. 20) {
            my ($st, $h) = Run::get('/p/u00001');
            $on{$h->{'x-worker'}} = $h->{'x-profile-snapshot'} // ''
                if defined $st && $h->{'x-worker'};
        }
        my @w = Run::workers($pid);
        return @w == 2 && 2 == grep { ($on{$_} // '') eq $want } @w;
    });
}

my %expect;

for my $s (@snaps) {
    Run::point($sdir, "$s.snap");
    ok(all_on($s), "$s served by both workers");

    for my $id (@ids) {
        my ($st, $h, $body) = Run::get("/p/$id");
        $expect{$s}{$id} = $body
            if $st == 200 && $h->{'x-profile-snapshot'} eq $s;
    }
}

Run::point($sdir, 'kill-a.snap');
ok(all_on('kill-a'), 'back on kill-a');

my @start = Run::workers($pid);
my %base = (master => Run::fds($pid),
            worker => Run::fds($start[0]),
            maps => scalar(my @m = Run::mapped($start[0])));

my $load = Run::load_start(ids => \@ids, expect => \%expect,
                           header => 'X-Profile-Snapshot', nproc => 2,
                           nconn => 2, seconds => 60,
                           stop => "$dir/load.stop");

my ($kills, $swaps, $late) = (0, 0, 0);
my $t0 = time;
my $next_kill = $t0 + 2;
my $i = 0;

while (time - $t0 < 20) {
    my $s = $snaps[++$i % @snaps];
    Run::point($sdir, "$s.snap");
    $swaps++;

    if (time >= $next_kill) {
        my @w = Run::workers($pid);
        kill 'KILL', $w[$kills % @w];
        $kills++;
        $next_kill += 2;
    }

    sleep 1;

    # after a second (20 check intervals) both workers, the new one
    # too, must be on what the pointer names

    $late++ unless all_on($s);
}

my $res = Run::load_stop($load);

diag(sprintf "20 s: %d kills, %d swaps; %d requests ok, %d failed, "
     . "%d mixed, %d retries", $kills, $swaps, $res->{ok}, $res->{failed},
     $res->{mixed}, $res->{retries});

cmp_ok($kills, '>=', 6, 'a worker killed every 2 seconds or so');
is($late, 0, 'after every swap, both workers (respawned ones too) serve '
             . 'the snapshot the pointer names');
is($res->{failed}, 0, '0 failed requests')
    or diag(join "\n", @{ $res->{why} });
is($res->{mixed}, 0, '0 mixed responses');
cmp_ok($res->{ok}, '>', 1000, 'the load ran');

# no growth

sleep 4 * $check;

my @end = Run::workers($pid);
is(scalar @end, 2, 'two workers at the end');
is(Run::fds($pid), $base{master}, 'the master holds as many descriptors '
                                  . 'as at the start');

for my $w (@end) {
    my @maps = Run::mapped($w);
    is(scalar @maps, $base{maps}, "worker $w maps one snapshot file");
    is(Run::fds($w), $base{worker}, "worker $w holds as many descriptors "
                                    . 'as a worker at the start');
}

unlike(Run::slurp("$dir/logs/error.log"), qr/exited on signal (?!9\b)/,
       'no worker died of anything but the kills');

Run::stop($pid);

is(Run::sanitized($dir), '', 'no sanitizer report');

done_testing();
