#!/usr/bin/env perl
#
# Damaged files at the snapshot path, as an edge operator meets them:
# truncated at 50 lengths (fixed seed, from 1 byte to the size less one
# page), empty, with a stale index (an mdb_dump and mdb_load round trip)
# and with another snapshot's index.  Each is refused with its path and
# reason, never a signal: by "nginx -t", by a start, and by a reload
# with kill -HUP, after which the master is still there and its workers
# still serve the previous snapshot.  "profile-snapshot verify" and
# "inspect" refuse each one with an exit code and a message.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/integrity";
use File::Copy qw(copy);
use Test::More;
use Time::HiRes qw(sleep);

use Run;

if (my $why = Run::missing()) {
    plan skip_all => $why;
}

my $dir = Run::scratch('file');
my $good = Run::build_snapshot($dir, 'good', 400);
my $size = -s $good;
my $path = "$dir/current.snap";
my $page = 4096;

Run::write_conf($dir, snapshot => $path, workers => 2);

# the public view of u00001 from the good snapshot, and the id of a
# record in LMDB overflow pages
copy($good, $path) or die "copy: $!";
my $pid = Run::start($dir);
my ($st, $h, $want) = Run::get('/p/u00001');
is($st, 200, 'the good snapshot serves');
my (undef, undef, $want_long) = Run::get('/p/u00037');
Run::stop($pid);

srand(20261201);
my @lengths = sort { $a <=> $b }
              (1, $size - $page, map { 1 + int(rand($size - $page - 1)) }
                                     1 .. 48);
my %reasons;

cmp_ok(scalar @lengths, '>=', 50, 'at least 50 truncation lengths');

my @damaged;

for my $len (@lengths) {
    my $f = "$dir/trunc-$len.snap";
    copy($good, $f) or die "copy: $!";
    truncate($f, $len) or die "truncate: $!";
    push @damaged, $f;
}

# nginx -t and start

for my $f (@damaged) {
    (my $len = $f) =~ s/.*-(\d+)\.snap$/$1/;

    copy($f, $path) or die "copy: $!";

    my ($rc, $out) = Run::nginx($dir, '-t');
    is($rc, 1, "nginx -t, cut at $len: exit 1, no signal");
    like($out, qr/profile_snapshot "\Q$path\E"(?: is |: )/,
         "nginx -t, cut at $len: the path and the reason");
    $reasons{$1}++ if $out =~ /"\Q$path\E"(?:: | )([a-z ]+?)(?::| \(|$)/m;

    unlink "$dir/logs/nginx.pid";
    ($rc, $out) = Run::nginx($dir);
    is($rc, 1, "start, cut at $len: exit 1, no signal");
    ok(!-e "$dir/logs/nginx.pid", "start, cut at $len: no master left");

    # a start that wrongly succeeded leaves a daemon: stop it by its PID
    Run::stop(Run::master_pid($dir)) if $rc == 0;
}

diag('nginx -t reasons: '
     . join(', ', map { "$_ ($reasons{$_})" } sort keys %reasons));

# reload by kill -HUP with each damaged file renamed over the path

copy($good, $path) or die "copy: $!";
$pid = Run::start($dir);
my @workers = Run::workers($pid);

for my $f (@damaged) {
    (my $len = $f) =~ s/.*-(\d+)\.snap$/$1/;

    my $log = -s "$dir/logs/error.log";
    copy($f, "$path.new") or die "copy: $!";
    rename("$path.new", $path) or die "rename: $!";
    kill 'HUP', $pid;

    my $seen = Run::wait_for(10, sub {
        substr(Run::slurp("$dir/logs/error.log"), $log)
            =~ /\[emerg\].*profile_snapshot "\Q$path\E"/;
    });

    ok($seen, "HUP, cut at $len: the reload is refused, with the path");
    ok(Run::alive($pid), "HUP, cut at $len: the master is alive");

    my ($st, undef, $body) = Run::get('/p/u00001');
    is($st, 200, "HUP, cut at $len: still served");
    is($body, $want, "HUP, cut at $len: from the previous snapshot");
}

is_deeply([Run::workers($pid)], \@workers,
          'the same workers served throughout');

my $log = Run::slurp("$dir/logs/error.log");
unlike($log, qr/exited on signal/, 'no process died of a signal');

# a good file again: the reload goes through

copy($good, "$path.new") or die "copy: $!";
rename("$path.new", $path) or die "rename: $!";
kill 'HUP', $pid;
ok(Run::wait_for(10, sub { my @w = Run::workers($pid);
                           @w && !grep { my $o = $_; grep { $_ == $o } @w }
                                       @workers }),
   'a good file reloads: new workers');
($st, undef, my $body) = Run::get('/p/u00037');
is($body, $want_long, 'the record in overflow pages is served');
Run::stop($pid);

# empty, stale index, another snapshot's index

Run::spew("$dir/empty.snap", '');

my ($rc, $dump) = Run::run('mdb_dump', '-n', '-a', $good);
Run::spew("$dir/dump.txt", $dump);
Run::run('mdb_load', '-n', '-f', "$dir/dump.txt", "$dir/stale.snap");
unlink "$dir/stale.snap-lock";

# another snapshot of as many records, whose index is spliced into a
# copy of the good one's dump
my $other = Run::build_snapshot($dir, 'other', 400, ' again');
my (undef, $odump) = Run::run('mdb_dump', '-n', '-s', 'meta', $other);
my ($oindex) = $odump =~ /^ 696e646578\n ([0-9a-f]+)\n/m;
(my $fdump = $dump) =~ s/^( 696e646578\n )[0-9a-f]+\n/$1$oindex\n/m;
Run::spew("$dir/fdump.txt", $fdump);
Run::run('mdb_load', '-n', '-f', "$dir/fdump.txt", "$dir/foreign.snap");
unlink "$dir/foreign.snap-lock";

my %refusal = (
    'empty.snap' => qr/"\Q$dir\E\/current\.snap" is empty/,
    'stale.snap' => qr/: meta "index" does not match the records: /,
    'foreign.snap' => qr/: meta "index" does not match the records: /,
);

for my $name (sort keys %refusal) {
    copy("$dir/$name", $path) or die "copy: $!";
    my ($rc, $out) = Run::nginx($dir, '-t');
    is($rc, 1, "nginx -t, $name: exit 1");
    like($out, $refusal{$name}, "nginx -t, $name: the reason");
    push @damaged, "$dir/$name";
}

# the CLI on every damaged file

for my $f (@damaged) {
    (my $name = $f) =~ s{.*/}{};

    for my $cmd (['verify', $f], ['inspect', $f], ['inspect', $f, 'u00001'])
    {
        my ($rc, $out) = Run::run($Run::Cli, @$cmd);
        ok($rc == 4 || $rc == 6, "$cmd->[0] $name: exit 4 or 6 (got $rc)");
        like($out, qr/^profile-snapshot: \Q$f\E/m,
             "$cmd->[0] $name: a message naming the file");
    }
}

is(Run::sanitized($dir), '', 'no sanitizer report in the error logs');

done_testing();
