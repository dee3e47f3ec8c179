#!/usr/bin/env perl
#
# Damage under a running nginx:
#   - bit flips inside records (200 files, fixed seed): never a 200 whose
#     body differs from the record's view in the good file; every damaged
#     record a 500 with one "error" line naming the snapshot and the id;
#   - a new file renamed over the path without a reload, then a worker
#     killed with kill -9: the respawned worker refuses it (alert, 503)
#     and never serves the other snapshot, until a reload;
#   - the served file truncated in place under load: a bounded number of
#     worker deaths, no respawn loop, 503 while it is cut, and 200s again
#     as soon as the good bytes are copied back in place.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/integrity";
use File::Copy qw(copy);
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(sleep time);

use Run;

if (my $why = Run::missing()) {
    plan skip_all => $why;
}

my $n = 400;
my $dir = Run::scratch('live');
my $good = Run::build_snapshot($dir, 'good', $n);
my $path = "$dir/current.snap";
my @ids = Run::ids($n);

# the public view of every profile, from the good file

Run::write_conf($dir, snapshot => $path, workers => 1);
copy($good, $path) or die "copy: $!";
my $pid = Run::start($dir);
my %view;

for my $id (@ids) {
    my ($st, undef, $body) = Run::get("/p/$id");
    die "$id: $st\n" unless $st == 200;
    $view{$id} = $body;
}

Run::stop($pid);

# bit flips

my $at = Run::records($good);
is(scalar keys %$at, $n, 'every record is found through the index');

my $data = Run::slurp($good);
my (%outcome, $wrong, $unlogged);
my $cli_ok = 0;

srand(20261202);

my $files = 0;

while ($files < 200) {
    my $victim = $ids[int rand @ids];
    my ($off, $size) = @{ $at->{$victim} };
    my $bad = $data;

    # 1 to 3 bits anywhere in the record, its flags byte (the state,
    # which seeds the hash) included
    for (1 .. 1 + int rand 3) {
        my $byte = int rand $size;
        vec($bad, ($off + $byte) * 8 + int(rand 8), 1) ^= 1;
    }

    next if $bad eq $data;    # the same bit twice: no change
    $files++;

    Run::spew($path, $bad);
    Run::reset_log($dir);
    $pid = Run::start($dir);

    my @others = grep { $_ ne $victim } map { $ids[int rand @ids] } 1 .. 3;

    for my $id ($victim, @others) {
        my ($st, $h, $body) = Run::get("/p/$id");
        $st //= 'none';

        $outcome{$st}++ if $id eq $victim;
        $wrong++ if $st eq '200' && $body ne $view{$id};
        $wrong++ if $id ne $victim && $st ne '200';
    }

    my $log = Run::slurp("$dir/logs/error.log");

    if ($log =~ /\[error\] .*profile snapshot "\Q$path\E": bad record for id "\Q$victim\E"(?: at index slot \d+)? \(([^)]+)\)/)
    {
        $outcome{"log: $1"}++;

    } else {
        $unlogged++;
    }

    Run::stop($pid);

    # the CLI refuses the same file: verify as a whole, inspect the record

    my ($vrc, $vout) = Run::run($Run::Cli, 'verify', $path);
    my ($irc, $iout) = Run::run($Run::Cli, 'inspect', $path, $victim);
    $cli_ok++ if $vrc == 6 && $vout =~ /^profile-snapshot: \Q$path\E: .*INVALID/m
                 && $irc == 6 && $iout =~ /^profile-snapshot: \Q$path\E: record "\Q$victim\E" is invalid: /m;
}

is($outcome{500}, 200, '200 damaged records: each a 500');
is($cli_ok, 200, 'verify (exit 6, INVALID) and inspect PATH ID (exit 6, '
                 . 'the record is invalid) refuse each damaged file');
ok(!$wrong, 'no 200 whose body differs from the good view, no other '
            . 'profile affected');
ok(!$unlogged, 'each with its "bad record" error line');
diag('bit flips: ' . join(', ', map { "$_: $outcome{$_}" }
                                    sort keys %outcome));

# the flags byte holds the state and seeds the hash: a flipped state bit
# fails the hash, any other bit is an unknown flag; both a 500, never a
# profile served in another state

for my $t ([0, 'record hash mismatch'], [1, 'record hash mismatch'],
           [3, 'unknown record flags'])
{
    my ($bit, $reason) = @$t;
    my $victim = $ids[7];
    my $bad = $data;
    vec($bad, ($at->{$victim}[0] + 1) * 8 + $bit, 1) ^= 1;
    Run::spew($path, $bad);
    $pid = Run::start($dir);
    my ($st, undef, $body) = Run::get("/p/$victim");
    is($st, 500, "flags bit $bit flipped: 500");
    Run::stop($pid);
    like(Run::slurp("$dir/logs/error.log"),
         qr/bad record for id "\Q$victim\E" at index slot \d+ \(\Q$reason\E\)/,
         "flags bit $bit flipped: logged ($reason)");
}

# a new file renamed over the path, then kill -9: one worker

my $other = Run::build_snapshot($dir, 'other', $n, ' renamed');

for my $workers (1, 2) {
    Run::write_conf($dir, snapshot => $path, workers => $workers);
    copy($good, $path) or die "copy: $!";
    Run::reset_log($dir);
    $pid = Run::start($dir);

    my @before = Run::workers($pid);
    copy($other, "$path.new") or die "copy: $!";
    rename("$path.new", $path) or die "rename: $!";

    kill 'KILL', $before[0];
    my @after = ();
    Run::wait_for(10, sub {
        @after = Run::workers($pid);
        @after == $workers && !grep { $_ == $before[0] } @after;
    });
    is(scalar @after, $workers, "$workers worker(s): one respawned");

    my (%seen, $other_served);

    for my $i (1 .. 200) {
        my $id = $ids[$i % @ids];
        my ($st, undef, $body) = Run::get("/p/$id");
        $st //= 'none';
        $seen{$st}++;
        $other_served++ if $st eq '200' && $body ne $view{$id};
    }

    ok(!$other_served, "$workers worker(s): the renamed file is never "
                       . 'served before a reload');
    is(($seen{200} // 0) + ($seen{503} // 0), 200,
       "$workers worker(s): every answer is the validated snapshot or 503");
    ok($seen{503}, "$workers worker(s): the respawned worker answers 503")
        if $workers == 1;
    diag("$workers worker(s) after a rename and kill -9: "
         . join(', ', map { "$_: $seen{$_}" } sort keys %seen));

    like(Run::slurp("$dir/logs/error.log"),
         qr/\[alert\] .*profile snapshot "\Q$path\E" is not the file nginx validated at start or reload \(another file was put at the path\): reload nginx to use it, profile requests get 503/,
         "$workers worker(s): the alert");

    # a reload validates the new file

    kill 'HUP', $pid;
    my $ok = Run::wait_for(10, sub {
        my ($st, undef, $body) = Run::get('/p/u00002');
        defined $st && $st == 200 && $body =~ /renamed/;
    });
    ok($ok, "$workers worker(s): after a reload the new file is served");

    Run::stop($pid);
}

# truncation in place, caught by the check timer (no request meanwhile)

Run::write_conf($dir, snapshot => $path, workers => 2, check => '100ms');
copy($good, $path) or die "copy: $!";
Run::reset_log($dir);
$pid = Run::start($dir);

my $size = -s $path;
truncate($path, int($size / 2)) or die "truncate: $!";

ok(Run::wait_for(5, sub {
       my $n = () = Run::slurp("$dir/logs/error.log")
           =~ /\[alert\] .*"\Q$path\E" was changed in place: it has \d+ bytes, it had $size when it was opened: no longer used, profile requests get 503/g;
       $n == 2;
   }), 'both workers notice the file cut in place: alert');
is((Run::get('/p/u00001'))[0], 503, 'and answer 503');
unlike(Run::slurp("$dir/logs/error.log"), qr/exited on signal/,
       'no worker died');

copy($good, $path) or die "copy: $!";
ok(Run::wait_for(5, sub {
       my ($st, undef, $body) = Run::get('/p/u00001');
       defined $st && $st == 200 && $body eq $view{u00001};
   }), 'the good file copied back in place: served again');
like(Run::slurp("$dir/logs/error.log"),
     qr/\[notice\] .*profile snapshot "\Q$path\E": opened snapshot "[^"]+" again, profile requests are served/,
     'the notice when it is served again');

Run::stop($pid);

# truncation in place under load

Run::write_conf($dir, snapshot => $path, workers => 2, check => '100ms');
copy($good, $path) or die "copy: $!";
Run::reset_log($dir);
$pid = Run::start($dir);

my $stop = "$dir/load.stop";
unlink $stop;

my $load = fork // die "fork: $!";

if ($load == 0) {
    # the load: at most 30 s and 100000 requests, until told to stop
    my $end = time + 30;
    my ($i, %st) = (0);

    while (!-e $stop && time < $end && $i++ < 100000) {
        my ($s) = Run::get('/p/' . $ids[$i % @ids]);
        $st{$s // 'none'}++;
    }

    Run::spew("$dir/load.out", join(' ', map { "$_=$st{$_}" } sort keys %st));
    POSIX::_exit(0);
}

sleep 0.5;
truncate($path, int($size / 2)) or die "truncate: $!";

ok(Run::wait_for(5, sub { ((Run::get('/p/u00001'))[0] // 0) == 503 }),
   'a file cut in place under load: 503');
sleep 1;

my $deaths = () = Run::slurp("$dir/logs/error.log") =~ /exited on signal/g;
sleep 1;
my $later = () = Run::slurp("$dir/logs/error.log") =~ /exited on signal/g;

is($later, $deaths, 'no respawn loop while the file is cut');
cmp_ok($deaths, '<=', 4, 'at most 4 workers died (each at most once)');
ok(Run::alive($pid), 'the master is alive');

# the good bytes copied back in place (the same inode): served again

copy($good, $path) or die "copy: $!";

# each worker comes back at its next check: then 50 requests in a row
# are the good views

my $t0 = time;
my $back = Run::wait_for(5, sub {
    for my $id (@ids[0 .. 49]) {
        my ($st, undef, $body) = Run::get("/p/$id");
        return 0 unless defined $st && $st == 200 && $body eq $view{$id};
    }
    return 1;
});
ok($back, 'the good file copied back in place: every worker serves it');
diag(sprintf('recovered %.2f s after the good file was back', time - $t0));

Run::spew($stop, '');
waitpid($load, 0);

my $log = Run::slurp("$dir/logs/error.log");
like($log, qr/\[alert\] .*profile snapshot "\Q$path\E"(?: was changed in place| is truncated)/,
     'the alert naming the change');

diag("in-place truncation under load: $deaths worker death(s); load: "
     . Run::slurp("$dir/load.out"));

Run::stop($pid);

is(Run::sanitized($dir), '', 'no sanitizer report in the error logs');

done_testing();
