#!/usr/bin/env perl
#
# A candidate of a snapshot directory from an incompatible schema
# (issue #18, docs/operations.md): the configuration names a role
# (profile_viewer_roles support) that the new snapshot's schema does not
# declare.  Each worker refuses it once, with its reason, and keeps
# serving the snapshot it has; a compatible one afterwards is served.

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

my $dir = Run::scratch('compat');

# the same profiles under a schema with the role, and under one without

sub build {
    my ($name, $roles) = @_;
    my $fields = '{"name": "id", "type": "string"},'
                 . ' {"name": "name", "type": "string"},'
                 . ' {"name": "email", "type": "string", "audience": "self"'
                 . ($roles ? ', "roles": ["support"]' : '') . '}';

    Run::spew("$dir/$name.json", '{"roles": [' . ($roles ? '"support"' : '')
                                 . '], "fields": [' . $fields . ']}');
    Run::spew("$dir/$name.ndjson",
              qq({"id": "ann", "name": "Ann $name", "email": "a\@x"}\n));

    my ($rc, $out) = Run::run($Run::Cli, 'build', '-q', '--schema',
                              "$dir/$name.json", '--source',
                              "profiles=$dir/$name.ndjson", '--snapshot-id',
                              $name, '--out', "$dir/$name.snap");
    die "build $name: $out" if $rc != 0;

    return "$dir/$name.snap";
}

my $live = Run::snapdir("$dir/live", 'with-1' => build('with-1', 1),
                        'without' => build('without', 0),
                        'with-2' => build('with-2', 1));
Run::point($live, 'with-1.snap');

Run::write_conf($dir, snapshot => $live, workers => 2, check => '50ms',
                http => 'profile_snapshot_header X-Profile-Snapshot;',
                location => 'profile_viewer_roles support;');

my $pid = Run::start($dir);
my @workers = Run::workers($pid);

sub served {
    my %on;

    for (1 .. 40) {
        my ($st, $h, $body) = Run::get('/p/ann', 'X-Viewer' => 'bob');
        $on{$h->{'x-worker'}} = [$h->{'x-profile-snapshot'}, $body]
            if defined $st;
    }

    return \%on;
}

my $on = served();
is_deeply([sort map { $_->[0] } values %$on], [('with-1') x @workers],
          'every worker serves with-1');
is((values %$on)[0][1], '{"id":"ann","name":"Ann with-1","email":"a@x"}',
   'support sees the email (a role field)');

# the incompatible one: refused, with-1 keeps serving

Run::point($live, 'without.snap');
sleep(0.5);

$on = served();
is_deeply([sort map { $_->[0] } values %$on], [('with-1') x @workers],
          'after the incompatible candidate every worker still serves with-1');

my $log = Run::slurp("$dir/logs/error.log");
my @refused = $log =~ /"without\.snap" is incompatible with the configuration: its schema does not declare role "support", which profile_viewer_roles names/g;
is(scalar @refused, scalar @workers,
   'each worker logged the refusal once, with its reason');

# a compatible one afterwards is served

Run::point($live, 'with-2.snap');

ok(Run::wait_for(5, sub {
       my $o = served();
       @workers == grep { $_->[0] eq 'with-2' } values %$o;
   }), 'the next compatible candidate is served by every worker');

Run::stop($pid);

is(Run::sanitized($dir), '', 'no sanitizer report');

done_testing();
