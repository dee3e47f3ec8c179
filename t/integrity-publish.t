#!/usr/bin/env perl
#
# The CLI and the module together: a snapshot directory made and changed
# only by `profile-snapshot publish` and `rollback`, served by 2 workers
# under keep-alive load.  Each publish and rollback reaches both workers
# without a reload; 0 failed, 0 mixed; the time from the command's
# return to the last worker serving its snapshot is reported.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/integrity";
use List::Util qw(max);
use Test::More;
use Time::HiRes qw(sleep time);

use Run;

if (my $why = Run::missing()) {
    plan skip_all => $why;
}

my $check = 0.05;
my $n = 40;
my $dir = Run::scratch('publish');
my $live = "$dir/live";
my @ids = Run::ids($n);
my @snaps = qw(pub-1 pub-2 pub-3);
my %files;

for my $i (0 .. $#snaps) {
    $files{$snaps[$i]} = Run::build_snapshot($dir, $snaps[$i], $n, " p$i",
                                             '--snapshot-id', $snaps[$i]);
}

sub cli {
    my (@args) = @_;
    my ($rc, $out) = Run::run($Run::Cli, @args);
    is($rc, 0, "profile-snapshot @args[0, 1]") or diag($out);
}

# the first publish makes the directory
cli('publish', $files{'pub-1'}, '--dir', $live, '--keep', '5');
system('chmod', '-R', 'a+rX', $live) == 0 or die "chmod\n";

Run::write_conf($dir, snapshot => $live, workers => 2,
                check => ($check * 1000) . 'ms',
                http => 'profile_snapshot_header X-Profile-Snapshot;');

my $pid = Run::start($dir);
my @workers = Run::workers($pid);

# every worker on WANT: the seconds it took, or undef after 5 s
sub converge {
    my ($want) = @_;
    my $t0 = time;
    my %on;

    while (time - $t0 < 5) {
        my ($st, $h) = Run::get('/p/u00001');
        next unless defined $st && $h->{'x-worker'};
        $on{$h->{'x-worker'}} = $h->{'x-profile-snapshot'} // '';
        return time - $t0
            if @workers == grep { ($on{$_} // '') eq $want } @workers;
    }

    return undef;
}

# the bodies of each snapshot, published once each before the load

my %expect;

for my $s (@snaps) {
    cli('publish', $files{$s}, '--dir', $live, '--keep', '5')
        unless $s eq 'pub-1';
    ok(defined converge($s), "$s served");

    for my $id (@ids) {
        my ($st, $h, $body) = Run::get("/p/$id");
        $expect{$s}{$id} = $body
            if $st == 200 && $h->{'x-profile-snapshot'} eq $s;
    }

    is(scalar keys %{ $expect{$s} }, $n, "$s: every profile read");
}

my $load = Run::load_start(ids => \@ids, expect => \%expect,
                           header => 'X-Profile-Snapshot', nproc => 2,
                           nconn => 2, seconds => 60,
                           stop => "$dir/load.stop");

# rollback, rollback --to, publish again: each converges

my @took;

for my $step (['rollback', '--dir', $live],
              ['rollback', '--dir', $live, '--to', 'pub-3'],
              ['rollback', '--dir', $live, '--to', 'pub-1'],
              ['publish', $files{'pub-2'}, '--dir', $live, '--keep', '5'],
              ['rollback', '--dir', $live])
{
    cli(@$step);
    my $want = readlink("$live/current") =~ s/\.snap$//r;
    my $t = converge($want);
    ok(defined $t, "@$step[0, -1]: both workers serve $want");
    push @took, $t if defined $t;
}

my $res = Run::load_stop($load);

diag(sprintf "publish and rollback under load: %d requests ok, %d failed, "
     . "%d mixed; from the command's return to both workers on its "
     . "snapshot: max %.0fms (profile_snapshot_check %dms)",
     $res->{ok}, $res->{failed}, $res->{mixed}, 1000 * max(@took, 0),
     1000 * $check);

is($res->{failed}, 0, '0 failed requests')
    or diag(join "\n", @{ $res->{why} });
is($res->{mixed}, 0, '0 mixed') or diag(join "\n", @{ $res->{why} });

my $log = Run::slurp("$dir/logs/error.log");
unlike($log, qr/exited on signal/, 'no worker crashed');
unlike($log, qr/refused \(/, 'nothing refused');
is(Run::sanitized($dir), '', 'no sanitizer report');

Run::stop($pid);

done_testing();
