#!/usr/bin/env perl
#
# One metadata check (ngx_http_profile_meta.c) in the module and in the
# CLI: "nginx -t" and "profile-snapshot inspect" and "verify" treat a
# snapshot's meta "format_version" alike.  It is a decimal: "02" is
# version 2 (accepted by both), "10" is version 10 and "1" version 1
# (refused by both with one message: the CLI prints PATH and the same
# tail as nginx prints after profile_snapshot "PATH").  The snapshots
# are t/fixtures/build's hand-made version02, version10 and version1.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/integrity";
use File::Copy qw(copy);
use Test::More;

use Run;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

if (my $why = Run::missing()) {
    plan skip_all => $why;
}

my $fixtures = "$Run::Root/build/fixtures";
my $dir = Run::scratch('format-version');
my $path = "$dir/current.snap";

Run::write_conf($dir, snapshot => $path, workers => 1);

for my $t (['version02', 0, undef],
           ['version10', 1, 'format version 10 is not supported'],
           ['version1', 1, 'format version 1 is not supported'])
{
    my ($name, $refused, $text) = @$t;

    copy("$fixtures/$name.snap", $path) or die "copy $name: $!";

    my ($rc, $out) = Run::nginx($dir, '-t');
    my ($module) = $out =~ /profile_snapshot "\Q$path\E"(.*?) in \S+:\d+$/m;

    my ($irc, $iout) = Run::run($Run::Cli, 'inspect', $path);
    my ($vrc, $vout) = Run::run($Run::Cli, 'verify', $path);
    my ($inspect) = $iout =~ /^profile-snapshot: \Q$path\E(.*)$/m;
    my ($verify) = $vout =~ /^profile-snapshot: \Q$path\E(.*)$/m;

    if (!$refused) {
        is($rc, 0, "$name: nginx -t accepts it") or diag($out);
        is($irc, 0, "$name: inspect accepts it") or diag($iout);
        like($iout, qr/^format_version: 02$/m,
             "$name: inspect shows the stored value");

        # verify goes on past the metadata to the records: the fixture
        # is hand-made (damaged records, a made-up content_hash), so it
        # lists problems, none of them the format version
        like($vout, qr/meta "content_hash" does not match/,
             "$name: verify gets past the metadata check");
        unlike($vout, qr/format[_ ]version/,
               "$name: verify has nothing to say of format_version");
        next;
    }

    is($rc, 1, "$name: nginx -t refuses it");
    ok(defined $module && index($module, $text) >= 0,
       "$name: nginx -t says \"$text\"") or diag($out);
    is($irc, 6, "$name: inspect refuses it (exit 6)");
    is($vrc, 6, "$name: verify refuses it (exit 6)");
    is($inspect, $module, "$name: inspect's message is the module's");
    is($verify, $module, "$name: verify's message is the module's");
}

done_testing();
