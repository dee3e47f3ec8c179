#!/usr/bin/env perl
#
# Views and live snapshots (docs/views.md "Checked at nginx -t and
# before a new snapshot is used"): a candidate of a snapshot directory
# whose schema lacks a field a view names, or a member a view takes, is
# refused by each worker once, with the view, the line and the field,
# while the current snapshot keeps serving the view; a compatible one
# afterwards is served.

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

my $dir = Run::scratch('views-swap');

# the same profile under a schema with "nick" and location.city, and
# under ones without

sub build {
    my ($name, $nick, $city) = @_;
    my $fields = '{"name": "id", "type": "string"},'
                 . ' {"name": "name", "type": "string"},'
                 . ($nick ? ' {"name": "nick", "type": "string"},' : '')
                 . ' {"name": "location", "type": "object", "fields": ['
                 . ($city ? '{"name": "city", "type": "string"}, ' : '')
                 . '{"name": "country", "type": "string"}]}';

    Run::spew("$dir/$name.json", '{"fields": [' . $fields . ']}');
    Run::spew("$dir/$name.ndjson",
              qq({"id": "ann", "name": "Ann $name", "nick": "a",)
              . qq( "location": {"city": "Oslo", "country": "NO"}}\n));

    my ($rc, $out) = Run::run($Run::Cli, 'build', '-q', '--schema',
                              "$dir/$name.json", '--source',
                              "profiles=$dir/$name.ndjson", '--snapshot-id',
                              $name, '--out', "$dir/$name.snap");
    die "build $name: $out" if $rc != 0;

    return "$dir/$name.snap";
}

my $live = Run::snapdir("$dir/live", 'good-1' => build('good-1', 1, 1),
                        'no-nick' => build('no-nick', 0, 1),
                        'no-city' => build('no-city', 1, 0),
                        'good-2' => build('good-2', 1, 1));
Run::point($live, 'good-1.snap');

Run::write_conf($dir, snapshot => $live, workers => 2, check => '50ms',
                http => 'profile_snapshot_header X-Profile-Snapshot;
    profile_view app {
        field id;
        field nick handle;
        field location.city city;
    }',
                location => 'profile_views app;');

my $pid = Run::start($dir);
my @workers = Run::workers($pid);

sub served {
    my %on;

    for (1 .. 40) {
        my ($st, $h, $body) = Run::get('/p/ann');
        $on{$h->{'x-worker'}} = [$h->{'x-profile-snapshot'}, $body]
            if defined $st && $st == 200;
    }

    return \%on;
}

my $on = served();
is_deeply([sort map { $_->[0] } values %$on], [('good-1') x @workers],
          'every worker serves good-1');
is((values %$on)[0][1], '{"id":"ann","handle":"a","city":"Oslo"}',
   'through the view');

for my $c (['no-nick', 'names field "nick", which the snapshot\'s schema does not have'],
           ['no-city', 'names member "city" of field "location", which the snapshot\'s schema does not declare'])
{
    my ($name, $why) = @$c;

    Run::point($live, "$name.snap");
    sleep(0.5);

    $on = served();
    is_deeply([sort map { $_->[0] } values %$on], [('good-1') x @workers],
              "after $name every worker still serves good-1");
    is((values %$on)[0][1], '{"id":"ann","handle":"a","city":"Oslo"}',
       "and its view ($name)");

    my $log = Run::slurp("$dir/logs/error.log");
    my @refused = $log =~ /"\Q$name\E\.snap" is incompatible with the configuration: view "app" \([^)]*:\d+\) \Q$why\E/g;
    is(scalar @refused, scalar @workers,
       "each worker logged the refusal of $name once, with the view and the field");
}

Run::point($live, 'good-2.snap');

ok(Run::wait_for(5, sub {
       my $o = served();
       @workers == grep { $_->[0] eq 'good-2' } values %$o;
   }), 'the next compatible candidate is served by every worker');

my $log = Run::slurp("$dir/logs/error.log");
unlike($log, qr/\[(?:alert|crit|emerg)\]|exited on signal/,
       'no alert, no crash');

Run::stop($pid);

is(Run::sanitized($dir), '', 'no sanitizer report');

done_testing();
