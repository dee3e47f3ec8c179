#!/usr/bin/env perl
#
# "profile-snapshot inspect PATH ID" renders with the module's renderer
# (ngx_http_profile_render.c): what it shows is, byte for byte, what a
# worker sends.  For profiles of a snapshot built by the CLI (some with
# records in LMDB overflow pages), the body of GET /p/ID, anonymous and
# as the profile's owner, is compared with inspect --view public and
# inspect (the self view, the default; --view self alike).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/integrity";
use Test::More;

use Run;

if (my $why = Run::missing()) {
    plan skip_all => $why;
}

my $dir = Run::scratch('inspect-render');
my $snap = Run::build_snapshot($dir, 'good', 80);

Run::write_conf($dir, snapshot => $snap, workers => 1);

my $pid = Run::start($dir);

for my $n (1, 2, 37, 74, 80) {
    my $id = sprintf('u%05d', $n);

    for my $v (['public', [], [ '--view', 'public' ]],
               ['self', [ 'X-Viewer' => $id ], []],
               ['self', [ 'X-Viewer' => $id ], [ '--view', 'self' ]])
    {
        my ($view, $headers, $opts) = @$v;
        my $what = "$id, " . ($view eq 'public' ? 'anonymous' : 'owner')
                   . ", inspect @$opts";

        my ($st, undef, $body) = Run::get("/p/$id", @$headers);
        my ($rc, $out) = Run::run($Run::Cli, 'inspect', @$opts, $snap, $id);

        is($st, 200, "$what: the worker serves it");
        is($rc, 0, "$what: inspect shows it") or diag($out);
        is($out, "$body\n", "$what: the same bytes");
    }
}

Run::stop($pid);

done_testing();
