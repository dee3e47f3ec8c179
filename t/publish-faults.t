#!/usr/bin/env perl
#
# Publishing interrupted (issue #18, docs/snapshot-dir.md "The order of a
# change, and what a crash leaves"): profile-snapshot publish and
# rollback killed with SIGKILL at random points, 60 trials; after each,
# DIR/current names a complete snapshot that passes verify, whose
# snapshot id is its file's name, and the next command works.  Then a
# full disk (a small tmpfs in a mount namespace of its own): build and
# publish fail and say why, and the current snapshot is untouched.
# No nginx; every process started is waited for by PID.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use POSIX qw(:sys_wait_h);
use Test::More;
use Time::HiRes qw(sleep time);

my $root = abs_path(dirname(abs_path($0)) . '/..');
my $cli = "$root/tools/profile-snapshot/profile-snapshot";

-x $cli or plan skip_all => "no CLI at $cli (make cli)";

my $tmp = tempdir(CLEANUP => 1);

sub run {
    my (@cmd) = @_;
    my $out = `@cmd 2>&1`;
    return ($? >> 8, $out);
}

# three snapshots of a few MB each, so that a publish --copy takes long
# enough for a kill to land inside it

my $schema = "$tmp/schema.json";
open my $fh, '>', $schema or die "$schema: $!";
print $fh '{"fields": [{"name": "id", "type": "string"},'
          . ' {"name": "v", "type": "string"},'
          . ' {"name": "bio", "type": "string"}]}';
close $fh;

my %id;

for my $name (qw(a b c)) {
    my $in = "$tmp/$name.ndjson";
    open my $fh, '>', $in or die "$in: $!";
    for my $i (1 .. 20000) {
        printf $fh "{\"id\": \"u%d\", \"v\": \"%s\", \"bio\": \"%s\"}\n",
                   $i, $name, "x" x 200;
    }
    close $fh;

    my ($rc, $out) = run($cli, 'build', '--quiet', '--schema', $schema,
                         '--source', "profiles=$in",
                         '--out', "$tmp/$name.snap");
    is($rc, 0, "build $name") or diag($out);

    (undef, $out) = run($cli, 'inspect', "$tmp/$name.snap");
    ($id{$name}) = $out =~ /^snapshot_id: (\S+)$/m;
}

my $dir = "$tmp/dir";
my ($rc, $out) = run($cli, 'publish', "$tmp/a.snap", '--dir', $dir,
                     '--copy');
is($rc, 0, 'publish a') or diag($out);

# one command, killed after a random delay up to its usual duration

sub timed {
    my (@cmd) = @_;
    my $t = time;
    my ($rc, $out) = run(@cmd);
    return (time - $t, $rc, $out);
}

# the longest of three publishes (and rollbacks back), so that most
# kills land while a command runs whatever the machine's load

my $span = 0;

for (1 .. 3) {
    my ($t) = timed($cli, 'publish', "$tmp/b.snap", '--dir', $dir,
                    '--copy');
    $span = $t if $t > $span;
    timed($cli, 'rollback', '--dir', $dir);
}

diag(sprintf('publish --copy of a %d-byte snapshot: %.3f s',
             -s "$tmp/b.snap", $span));

srand(20261201);

my ($trials, $killed, $bad) = (0, 0, 0);
my @seen;

for my $trial (1 .. 60) {
    my @cmd = ($trial % 3 == 0)
              ? ($cli, 'rollback', '--dir', $dir)
              : ($cli, 'publish', "$tmp/" . ($trial % 2 ? 'b' : 'c')
                 . '.snap', '--dir', $dir, '--copy');

    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', '/dev/null';
        exec @cmd or exit 127;
    }

    sleep(rand($span * 0.9));

    if (waitpid($pid, WNOHANG) == 0) {
        kill 'KILL', $pid;
        $killed++;
    }

    waitpid($pid, 0);
    $trials++;

    # what a reader sees now

    my $target = readlink("$dir/current");
    my $ok = defined $target && $target =~ /^([A-Za-z0-9._-]+)\.snap$/
             && -f "$dir/$target";
    my $name = $1 // '';

    if ($ok) {
        my ($vrc) = run($cli, 'verify', "$dir/$target");
        my (undef, $iout) = run($cli, 'inspect', "$dir/$target");
        $ok = $vrc == 0 && $iout =~ /^snapshot_id: \Q$name\E$/m;
    }

    if (!$ok) {
        $bad++;
        diag("trial $trial ($cmd[1]): current is "
             . ($target // 'missing'));
    }

    push @seen, $name;

    my ($lrc, $lout) = run($cli, 'list', '--dir', $dir);

    if ($lrc != 0) {
        $bad++;
        diag("trial $trial: list failed: $lout");
    }
}

is($bad, 0, "$trials interrupted publishes and rollbacks: current always "
            . 'names a complete, verified snapshot, and list works');
cmp_ok($killed, '>=', 10, "at least 10 of them killed while running "
                          . "($killed)");

my %names = map { $_ => 1 } @seen;
my %count;
$count{$_}++ for @seen;
diag('current after each trial: ' . join(', ', map {
    my $n = $_; "$n: " . ($count{$id{$n}} // 0) } sort keys %id));
diag(scalar(keys %names) . ' distinct versions were current after a trial');

# after all that, the directory still takes a publish and a rollback

($rc, $out) = run($cli, 'publish', "$tmp/c.snap", '--dir', $dir, '--copy');
is($rc, 0, 'publish after the trials') or diag($out);
is(readlink("$dir/current"), "$id{c}.snap", 'current is c');

($rc, $out) = run($cli, 'rollback', '--dir', $dir);
is($rc, 0, 'rollback after the trials') or diag($out);

# a full disk: a 10 MB tmpfs in a mount namespace of its own holds one
# snapshot (about 7 MB), not two

my $probe = system('unshare', '-m', 'sh', '-c',
                   'mount -t tmpfs -o size=1m tmpfs /mnt 2>/dev/null');

SKIP: {
    skip 'no mount namespace with a tmpfs here (unshare -m, mount)', 6
        if $probe != 0;

    my $script = "$tmp/full.sh";
    open my $sh, '>', $script or die "$script: $!";
    print $sh <<"SH";
set -u
fs=$tmp/fs
mkdir -p \$fs
mount -t tmpfs -o size=10m tmpfs \$fs || exit 90
$cli publish $tmp/a.snap --dir \$fs/dir --copy >/dev/null 2>&1 || exit 91
echo "publish-a: 0"
$cli publish $tmp/b.snap --dir \$fs/dir --copy > \$fs/../pub.out 2>&1
echo "publish-b: \$?"
echo "current: \$(readlink \$fs/dir/current)"
$cli verify \$fs/dir/\$(readlink \$fs/dir/current) >/dev/null 2>&1
echo "verify: \$?"
echo "leftover: \$(ls -A \$fs/dir | grep -c tmp)"
$cli build --quiet --schema $schema --source profiles=$tmp/b.ndjson \\
    --out \$fs/b.snap > \$fs/../build.out 2>&1
echo "build: \$?"
echo "built: \$(ls \$fs | grep -c 'b.snap')"
SH
    close $sh;

    my $res = `unshare -m sh $script 2>&1`;
    my %r = $res =~ /^([a-z-]+): (.*)$/mg;

    is($r{'publish-a'}, '0', 'full disk: the first snapshot fits')
        or diag($res);
    isnt($r{'publish-b'} // 0, '0', 'full disk: publish fails');
    like(`cat $tmp/pub.out`, qr/No space left on device/,
         'full disk: publish says why');
    is($r{current}, "$id{a}.snap", 'full disk: current is untouched');
    is($r{verify}, '0', 'full disk: and still verifies');
    isnt($r{build} // 0, '0', 'full disk: build fails')
        and diag('build: ' . `cat $tmp/build.out`);
}

done_testing();
