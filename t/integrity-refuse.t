#!/usr/bin/env perl
#
# Corrupt candidates published under load into a snapshot directory
# served by 2 workers with profile_snapshot_verify full: truncated at
# random offsets, random bytes, bits flipped inside records and inside
# LMDB's pages, a wrong format version, missing metadata, an empty file,
# a directory, a dangling pointer, a file that is not LMDB, a pointer
# that is not a link or names something outside the layout, a snapshot
# under another id's name.  Each is refused by each worker with one
# "error" line naming it and the reason, not repeated at later checks,
# while the last good snapshot keeps serving: 0 failed requests, 0
# worker crashes.  A flip that lands in bytes no reader reads leaves a
# valid snapshot, which may be served: its answers are checked like all
# others.  Then a good snapshot is published and served.

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
my $n = 60;
my $dir = Run::scratch('refuse');
my $sdir = "$dir/snapshots";
my @ids = Run::ids($n);

my $good = Run::build_snapshot($dir, 'good-1', $n, '', '--snapshot-id',
                               'good-1');
my $next = Run::build_snapshot($dir, 'good-2', $n, ' next',
                               '--snapshot-id', 'good-2');

Run::snapdir($sdir, 'good-1' => $good, 'good-2' => $next);
Run::point($sdir, 'good-1.snap');

Run::write_conf($dir, snapshot => $sdir, workers => 2,
                check => ($check * 1000) . 'ms',
                http => "profile_snapshot_header X-Profile-Snapshot;\n"
                        . "    profile_snapshot_verify full;");

my $pid = Run::start($dir);
my @workers = Run::workers($pid);

my %expect;

for my $id (@ids) {
    my ($st, $h, $body) = Run::get("/p/$id");
    $expect{'good-1'}{$id} = $body if $st == 200;
}

is(scalar keys %{ $expect{'good-1'} }, $n, 'good-1 served');

# good-2's bodies, known to the load loop before it starts

Run::point($sdir, 'good-2.snap');
sleep 4 * $check;

for my $id (@ids) {
    my ($st, $h, $body) = Run::get("/p/$id");
    $expect{'good-2'}{$id} = $body
        if $st == 200 && $h->{'x-profile-snapshot'} eq 'good-2';
}

is(scalar keys %{ $expect{'good-2'} }, $n, 'good-2 served');

Run::point($sdir, 'good-1.snap');
sleep 4 * $check;

# the candidates: [ name, how ], each made in DIR by how; a candidate
# built with its own id has the bodies of good-1

srand(20261218);

my $seq = 0;

sub candidate {
    my $id = sprintf 'cand-%02d', ++$seq;
    my $path = Run::build_snapshot($dir, $id, $n, '', '--snapshot-id', $id);
    $expect{$id} = $expect{'good-1'};
    return ($id, Run::slurp($path), $path);
}

sub place {
    my ($name, $data) = @_;
    Run::spew("$sdir/$name", $data);
    chmod 0444, "$sdir/$name";
}

# the id's snapshot through mdb_dump and mdb_load, its meta edited by CODE
sub reload_meta {
    my ($path, $code) = @_;
    my ($rc, $dump) = Run::run('mdb_dump', '-n', '-a', $path);
    die "mdb_dump: $dump" if $rc != 0;
    $dump = $code->($dump);
    Run::spew("$path.dump", $dump);
    unlink "$path.loaded";
    ($rc, my $out) = Run::run('mdb_load', '-n', '-f', "$path.dump",
                              "$path.loaded");
    die "mdb_load: $out" if $rc != 0;
    return Run::slurp("$path.loaded");
}

my @cases;

for (1 .. 5) {
    my ($id, $data) = candidate();
    my $cut = 1 + int rand(length($data) - 1);
    push @cases, ["truncated at $cut", sub { place("$id.snap",
                                                   substr($data, 0, $cut)) },
                  "$id.snap"];
}

for (1 .. 2) {
    my ($id, $data) = candidate();
    my $rnd = join '', map { chr int rand 256 } 1 .. length $data;
    push @cases, ['random bytes', sub { place("$id.snap", $rnd) },
                  "$id.snap"];
}

for (1 .. 5) {
    my ($id, $data, $path) = candidate();
    my $at = Run::records($path);
    my @r = values %$at;
    my ($off, $size) = @{ $r[int rand @r] };
    my $bad = $data;
    vec($bad, ($off + int rand $size) * 8 + int(rand 8), 1) ^= 1;
    push @cases, ['a bit flipped in a record', sub { place("$id.snap", $bad) },
                  "$id.snap"];
}

for (1 .. 5) {
    my ($id, $data) = candidate();
    my $pages = length($data) / 4096;

    # the page number, flags or bounds of an LMDB page (not the meta
    # pages): MDB_page's pgno (8 bytes), pad (2), flags, lower, upper
    my $pos = 4096 * (2 + int rand($pages - 2));
    my @at = (0 .. 7, 10 .. 15);
    $pos += $at[int rand @at];
    my $bad = $data;
    substr($bad, $pos, 1) = chr(ord(substr($bad, $pos, 1)) ^ (1 + int rand 255));
    push @cases, ["a byte flipped in an LMDB page header at $pos",
                  sub { place("$id.snap", $bad) }, "$id.snap", 'may pass'];
}

for (1 .. 3) {
    my ($id, $data, $path) = candidate();
    my $at = Run::records($path);
    my ($bad, $pos);

    # a byte of LMDB's pages outside every record
    POS: for (1 .. 1000) {
        $pos = int rand length $data;
        for my $r (values %$at) {
            next POS if $pos >= $r->[0] && $pos < $r->[0] + $r->[1];
        }
        last;
    }

    $bad = $data;
    substr($bad, $pos, 1) = chr(ord(substr($bad, $pos, 1)) ^ (1 + int rand 255));
    push @cases, ["a byte flipped outside the records at $pos",
                  sub { place("$id.snap", $bad) }, "$id.snap", 'may pass'];
}

{
    my ($id, $data, $path) = candidate();
    my $bad = reload_meta($path, sub {
        my $d = shift;
        # format_version: "3" -> "99"
        $d =~ s/^( 666f726d61745f76657273696f6e\n) [0-9a-f]+\n/$1 3939\n/m
            or die "no format_version\n";
        return $d;
    });
    push @cases, ['a wrong format version', sub { place("$id.snap", $bad) },
                  "$id.snap"];
}

{
    my ($id, $data, $path) = candidate();
    my $bad = reload_meta($path, sub {
        my $d = shift;
        # no meta "classes"
        $d =~ s/^ 636c6173736573\n [0-9a-f]+\n//m or die "no classes\n";
        return $d;
    });
    push @cases, ['missing metadata ("classes")',
                  sub { place("$id.snap", $bad) }, "$id.snap"];
}

push @cases, ['an empty file', sub { place('cand-empty.snap', '') },
              'cand-empty.snap'];
push @cases, ['a directory', sub { mkdir "$sdir/cand-dir.snap" },
              'cand-dir.snap'];
push @cases, ['a dangling pointer', sub { }, 'cand-missing.snap'];
push @cases, ['not an LMDB file',
              sub { place('cand-text.snap', "not a snapshot\n" x 1000) },
              'cand-text.snap'];

{
    my ($id, $data) = candidate();
    push @cases, ["another id's name",
                  sub { place('cand-other.snap', $data) }, 'cand-other.snap'];
}

push @cases, ['a pointer outside the directory', sub { }, '../good-1.snap'];
push @cases, ['a pointer without ".snap"', sub { }, 'good-1'];
push @cases, ['a pointer that is not a link', sub { }, undef];

# under load

Run::reset_log($dir);

my $load = Run::load_start(ids => \@ids, expect => \%expect,
                           header => 'X-Profile-Snapshot', nproc => 2,
                           nconn => 3, seconds => 120,
                           stop => "$dir/load.stop");

my (%refused, $passed, $unlogged, $repeated);
my $nref = 0;

for my $c (@cases) {
    my ($what, $make, $name, $may) = @$c;

    $make->();

    if (defined $name) {
        Run::point($sdir, $name);

    } else {
        Run::spew("$sdir/.current.tmp", "good-1.snap\n");
        rename("$sdir/.current.tmp", "$sdir/current") or die "rename: $!";
    }

    my $lines = Run::wait_for(5, sub {
        my @l = grep { /refused \(|: serving snapshot "/ }
                split /\n/, Run::slurp("$dir/logs/error.log");
        return @l >= 2 ? \@l : undef;
    });

    my @l = @{ $lines // [] };

    if (@l >= 2 && !grep { /refused \(/ } @l) {
        $passed++;
        $refused{$what =~ s/ at \d+//r}{'served: valid after the damage'}++;
        ok($may, "$what: served (a byte no reader reads)");

    } elsif (@l == 2 && !grep { !/\[error\].*refused \(/ } @l) {
        my ($why) = $l[0] =~ /profile snapshot directory "[^"]*"(.*): refused/;
        $why //= '?';
        $why =~ s/\d+ bytes/N bytes/g;
        $why =~ s/"cand-\d+\.snap"/"NAME"/g;
        $why =~ s/sha256:[0-9a-f]+/sha256:HEX/g;
        $why =~ s/"cand-\d+"/"ID"/g;
        $refused{$what =~ s/ at \d+//r}{$why}++;
        $nref++;
        pass("$what: refused by both workers");
        note("$what: $why");

    } else {
        $unlogged++;
        fail("$what: refused by both workers, once each");
        diag(join "\n", @l);
    }

    # once, not at every check

    sleep 4 * $check;
    my $again = grep { /refused \(|: serving snapshot "/ }
                split /\n/, Run::slurp("$dir/logs/error.log");
    $repeated++ if $again > @l;

    Run::reset_log($dir);
}

is($repeated // 0, 0, 'each candidate logged once per worker');

# a good snapshot again

Run::point($sdir, 'good-2.snap');

ok(Run::wait_for(5, sub {
       my %on;
       for (1 .. 20) {
           my ($st, $h) = Run::get('/p/u00001');
           $on{$h->{'x-worker'}} = $h->{'x-profile-snapshot'} if $st;
       }
       return 2 == grep { ($on{$_} // '') eq 'good-2' } @workers;
   }), 'then good-2 is published and served by both workers');

sleep 0.2;

my $res = Run::load_stop($load);


diag(sprintf "corrupt candidates: %d published under load, %d refused by "
     . "both workers, %d valid after the damage and served; %d requests ok, "
     . "%d failed, %d mixed", scalar @cases, $nref, $passed // 0,
     $res->{ok}, $res->{failed}, $res->{mixed});

for my $what (sort keys %refused) {
    diag("  $what: $_ ($refused{$what}{$_})")
        for sort keys %{ $refused{$what} };
}

is($res->{failed}, 0, '0 failed requests')
    or diag(join "\n", @{ $res->{why} });
is($res->{mixed}, 0, '0 wrong bodies')
    or diag(join "\n", @{ $res->{why} });
cmp_ok($res->{ok}, '>', 100, 'the load loop ran throughout');

my $log = Run::slurp("$dir/logs/error.log");
unlike($log, qr/exited on signal/, 'no worker crashed');
is_deeply([Run::workers($pid)], \@workers, 'the same two workers');
is(Run::sanitized($dir), '', 'no sanitizer report');

Run::stop($pid);

done_testing();
