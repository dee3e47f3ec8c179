#!/usr/bin/env perl
#
# The PostgreSQL recipe end to end (docs/recipes/postgresql.md): start a
# throw-away PostgreSQL cluster (Debian's `postgresql` package) in a
# temporary directory, listening only on a unix socket there; load
# tools/recipes/postgresql/example.sql; pipe
# tools/recipes/postgresql/export-profiles into `profile-snapshot build
# --source profiles=-`; check the stored records with `profile-snapshot
# inspect`, byte for byte.  Also checks the claims the recipe documents:
# COPY's text format corrupts JSON, the copy and select methods print the
# same bytes, json_agg over rows breaks lines, a query that fails half way
# fails the pipeline under `set -o pipefail`, and the schema refuses the
# repeated ids of a join that fans out.
#
# As root the cluster runs as the `postgres` user (initdb refuses root);
# otherwise as the current user.  The cluster is always stopped and the
# directory removed (END block, also on INT/TERM/HUP); every command runs
# under timeout(1).
#
# Environment: PG_BINDIR (default: the newest /usr/lib/postgresql/*/bin),
# PROFILE_SNAPSHOT (the CLI binary), PS_KEEP_TMP=1 (keep the directory).

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Path qw(remove_tree);
use File::Temp qw(tempdir);
use FindBin;
use JSON::PP;
use POSIX ();
use Test::More;

my $root = abs_path("$FindBin::Bin/..");
my $recipe = "$root/tools/recipes/postgresql";
my $bin = $ENV{PROFILE_SNAPSHOT}
          || "$root/tools/profile-snapshot/profile-snapshot";

my $pgbin = $ENV{PG_BINDIR} || newest_pg_bindir();

plan skip_all => "no CLI binary at $bin (make cli)" unless -x $bin;
plan skip_all => "no PostgreSQL server binaries (Debian package"
                 . " postgresql, or set PG_BINDIR)"
    unless defined $pgbin && -x "$pgbin/initdb" && -x "$pgbin/pg_ctl";

$bin = abs_path($bin);

my $as_root = $> == 0;
my $pg_user = $as_root ? 'postgres' : scalar getpwuid($>);
my ($tmp, $data, $started);
my $main_pid = $$;

END {
    local $?;
    cleanup();
}

$SIG{$_} = sub { exit 130 } for qw(INT TERM HUP);

# A short path: the socket's path must fit in 107 bytes.
$tmp = tempdir('ps-pg-XXXXXX', DIR => '/tmp');
$data = "$tmp/data";
mkdir "$tmp/sock" or die "$tmp/sock: $!";
if ($as_root) {
    my (undef, undef, $uid, $gid) = getpwnam('postgres')
        or BAIL_OUT('no "postgres" user: is the postgresql package'
                    . ' installed?');
    chown $uid, $gid, $tmp, "$tmp/sock" or die "chown $tmp: $!";
}

# Only our cluster: forget any PG* settings of the caller.
delete $ENV{$_} for grep { /^PG/ } keys %ENV;
$ENV{LC_ALL} = 'C';
$ENV{PGHOST} = "$tmp/sock";
$ENV{PGPORT} = 54329;
$ENV{PGUSER} = $pg_user;
$ENV{PGDATABASE} = 'postgres';
$ENV{PSQL} = "$pgbin/psql";
$ENV{SOURCE_DATE_EPOCH} = 1767225600;


# --- the cluster ----------------------------------------------------------

my $r = run_as_pg(60, "$pgbin/initdb", '-D', $data, '-A', 'trust',
                  '-U', $pg_user, '-E', 'UTF8', '--no-locale', '-N');
is($r->{exit}, 0, 'initdb') or diag_run($r) or BAIL_OUT('initdb failed');

$r = run_as_pg(60, "$pgbin/pg_ctl", '-D', $data, '-l', "$tmp/server.log",
               '-w', '-t', '30', '-o',
               "-c listen_addresses= -c unix_socket_directories=$tmp/sock"
               . " -c port=$ENV{PGPORT} -c fsync=off"
               . " -c synchronous_commit=off -c full_page_writes=off",
               'start');
$started = 1;
is($r->{exit}, 0, 'cluster started on a unix socket only')
    or diag_run($r) or diag(slurp("$tmp/server.log"))
    or BAIL_OUT('pg_ctl start failed');

$r = run(30, ["$pgbin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1',
              '-c', 'CREATE DATABASE profiles_example']);
is($r->{exit}, 0, 'createdb') or diag_run($r);
$ENV{PGDATABASE} = 'profiles_example';

$r = run(30, ["$pgbin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1',
              '-f', "$recipe/example.sql"]);
is($r->{exit}, 0, 'example.sql loaded') or diag_run($r);

$r = run(30, ["$pgbin/psql", '-X', '-A', '-t', '-c',
              'SELECT count(*) FROM users WHERE deleted_at IS NULL']);
my $expected_count = $r->{stdout} =~ /^(\d+)$/ ? $1 : -1;
cmp_ok($expected_count, '>=', 40, "$expected_count live users in the table");


# --- the export on its own ------------------------------------------------

$r = run(30, ["$recipe/export-profiles"]);
is($r->{exit}, 0, 'export-profiles (copy) exits 0') or diag_run($r);
is($r->{stderr}, '', 'export-profiles (copy) prints nothing on stderr');
my $ndjson = $r->{stdout};

my @lines = split /\n/, $ndjson, -1;
is(pop @lines, '', 'the export ends with a newline');
is(scalar @lines, $expected_count, 'one line per live user');

my $json = JSON::PP->new->utf8;
my $bad = grep { !eval { ref $json->decode($_) eq 'HASH' } } @lines;
is($bad, 0, 'every line is one JSON object');

my ($q_line) = grep { /^\{"id":9007199254740993,/ } @lines;
ok(defined $q_line, 'the bigint id 2^53+1 is exported with every digit');

$r = run(30, ["$recipe/export-profiles", '--method', 'select']);
is($r->{exit}, 0, 'export-profiles --method select exits 0')
    or diag_run($r);
ok($r->{stdout} eq $ndjson,
   'methods copy and select print the same bytes');

# The claim that rules out plain COPY: its text format escapes backslashes.
$r = run(30, ["$pgbin/psql", '-X', '-q', '-c',
              'COPY (SELECT row_to_json(u) FROM (SELECT display_name'
              . ' FROM users WHERE id = 9007199254740993) u) TO STDOUT']);
is($r->{stdout}, qq({"display_name":"Quentin \\\\"Q\\\\" O'Brien"}\n),
   'COPY ... TO STDOUT in text format doubles the backslashes of JSON');
ok(!eval { $json->decode($r->{stdout}); 1 }, '... so the line is not JSON');

# The pitfall profiles.sql warns about: json_agg over rows adds newlines.
my $trap = "$tmp/json_agg_rows.sql";
spew($trap, "SELECT row_to_json(p) FROM (SELECT u.id, json_agg(l) AS links"
            . " FROM users u JOIN user_links l ON l.user_id = u.id"
            . " WHERE u.id = 9007199254740993 GROUP BY u.id) p\n");
$r = run(30, ["$recipe/export-profiles", '--method', 'select',
              '--query', $trap]);
cmp_ok(($r->{stdout} =~ tr/\n//), '>', 1,
       'json_agg(row) splits one record over several lines');


# --- the recipe: export piped into build ----------------------------------

my $snap = "$tmp/profiles.snap";
my $report = "$tmp/report.ndjson";

$r = pipeline(60, ["$recipe/export-profiles"],
              [$bin, 'build', '--schema', "$recipe/schema.json",
               '--source', 'profiles=-', '--out', $snap,
               '--report', $report]);
is($r->{exit}, 0, 'export-profiles | profile-snapshot build: exit 0')
    or diag_run($r);
like($r->{stderr},
     qr/: $expected_count records read: $expected_count clean, 0 fixed,/,
     'every record clean');

my @report = map { $json->decode($_) } split /\n/, slurp($report);
my $summary = $report[-1];
is($summary->{type}, 'summary', 'the report ends with its summary');
is($summary->{written}, $expected_count, 'every live user written');
is($summary->{quarantined}, 0, 'nothing quarantined');
is_deeply([ grep { $_->{type} eq 'record' && $_->{file} ne '<stdin>' }
            @report ], [], 'the source is <stdin>');

$r = run(30, [$bin, 'verify', '-q', $snap]);
is($r->{exit}, 0, 'profile-snapshot verify') or diag_run($r);

my %expect = (
    # quotes, backslashes (a literal "\n" too), newline, tab, a text[]
    # with quotes and backslashes, links in position order, a pretty json
    # column through jsonb, fractional seconds, timestamptz in canonical UTC
    # (docs/schema.md), a naive timestamp as Z
    '9007199254740993' =>
        '{"id":"9007199254740993","name":"Quentin \"Q\" O\'Brien",'
        . '"bio":"Paths like C:\\\\Users\\\\q\\\\ and a literal \\\\n,'
        . ' then a real\\nnewline and a\\ttab.",'
        . '"avatar_url":"https://cdn.example.com/a/q.png?s=64&r=g",'
        . '"verified":true,"karma":9223372036854775807,"rating":0.1,'
        . '"tags":["a \\"quoted\\" tag","back\\\\slash","hiking"],'
        . '"links":[{"rel":"home","href":"https://example.org/~q/"},'
        . '{"rel":"blog","href":"https://example.org/q/blog?a=1&b=\\"2\\""},'
        . '{"rel":"odd","href":"C:\\\\links\\\\q"}],'
        . '"created_at":"2024-05-01T08:00:00.500Z",'
        . '"preferences":{"beta":true,"langs":["en","ga"],"theme":"dark"},'
        . '"last_seen_at":"2024-05-02T03:04:05Z","email":"q@example.com"}',

    # NULL everywhere: null, and [] for an empty text[] and no links
    '1' =>
        '{"id":"1","name":"Nul Lable","bio":null,"avatar_url":null,'
        . '"verified":false,"karma":null,"rating":null,"tags":[],'
        . '"links":[],"created_at":"2020-01-01T00:00:00Z",'
        . '"preferences":null,"last_seen_at":null,"email":null}',

    # the largest bigint as id, the smallest as a value, non-ASCII kept
    # raw, control characters escaped, "/" not escaped, {} and [] kept
    '9223372036854775807' =>
        "{\"id\":\"9223372036854775807\","
        . "\"name\":\"\x{c6}gir \x{6771}\x{4eac} \x{141}ukasz \x{1f600}\","
        . "\"bio\":\"bell\\u0007 unit-sep\\u001F cr\\r del\x7f"
        . " ls\x{2028} </script>\","
        . "\"avatar_url\":null,\"verified\":false,"
        . "\"karma\":-9223372036854775808,\"rating\":-2.5e-7,"
        . "\"tags\":[\"\x{6771}\x{4eac}\",\"\",null],"
        . "\"links\":[{\"rel\":\"home\","
        . "\"href\":\"https://\x{4f8b}\x{3048}.jp/\x{e6}gir\"}],"
        . "\"created_at\":\"1999-12-31T23:59:59Z\","
        . "\"preferences\":{\"list\":[],\"empty\":{},"
        . "\"nested\":{\"deep\":[1,2.5,null,{\"x\":\"y\"}]}},"
        . "\"last_seen_at\":\"1970-01-01T00:00:00Z\","
        . "\"email\":\"\x{e6}gir\@example.org\"}",

    # an ordinary generated user with two links
    '1000003' =>
        '{"id":"1000003","name":"User 3","bio":"Bio of user 3",'
        . '"avatar_url":"https://cdn.example.com/a/3.png","verified":true,'
        . '"karma":3000,"rating":1.5,"tags":[],'
        . '"links":[{"rel":"link1","href":"https://example.net/u3/1"},'
        . '{"rel":"link2","href":"https://example.net/u3/2"}],'
        . '"created_at":"2015-02-21T09:00:00Z","preferences":null,'
        . '"last_seen_at":"2025-01-01T03:00:03Z",'
        . '"email":"user3@example.com"}',
);

for my $id (sort keys %expect) {
    my $want = $expect{$id};
    utf8::encode($want);
    $r = run(30, [$bin, 'inspect', $snap, $id]);
    is($r->{exit}, 0, "inspect $id: exit 0") or diag_run($r);
    is($r->{stdout} =~ s/\n\z//r, $want, "inspect $id: the stored JSON");
}

$r = run(30, [$bin, 'inspect', '--view', 'public', $snap, '1']);
is($r->{stdout} =~ s/\n\z//r,
   '{"id":"1","name":"Nul Lable","bio":null,"avatar_url":null,'
   . '"verified":false,"karma":null,"rating":null,"tags":[],"links":[],'
   . '"created_at":"2020-01-01T00:00:00Z"}',
   'the public view of 1 has no self fields');

for my $id (42, 1000007) {
    $r = run(30, [$bin, 'inspect', $snap, $id]);
    is($r->{exit}, 1, "soft-deleted user $id was not exported");
}


# --- a failed export must fail the pipeline -------------------------------

my $half = "$tmp/fails_half_way.sql";
spew($half, "SELECT row_to_json(p) FROM (SELECT g AS id, 1 / (g - 30)"
            . " AS x FROM generate_series(1, 40) AS g) AS p;\n");
$r = pipeline(60, ["$recipe/export-profiles", '--query', $half],
              [$bin, 'build', '--schema', "$recipe/schema.json",
               '--source', 'profiles=-', '--out', "$tmp/half.snap"]);
isnt($r->{exit}, 0, 'a query failing half way fails the pipeline');
like($r->{stderr}, qr/division by zero/, '... with the server\'s error');
like($r->{stderr}, qr/29 records read/,
     '... although build alone read the rows before the error');


# --- a join that fans out: the schema refuses the repeated id -------------

my $fan = "$tmp/fans_out.sql";
spew($fan, "SELECT row_to_json(p) FROM (SELECT u.id, u.display_name AS name,"
           . " u.is_verified AS verified, '[]'::json AS links, u.created_at"
           . " FROM users u LEFT JOIN user_links l ON l.user_id = u.id"
           . " WHERE u.id IN (1, 9007199254740993) ORDER BY u.id) AS p\n");
$r = pipeline(60, ["$recipe/export-profiles", '--query', $fan],
              [$bin, 'build', '--schema', "$recipe/schema.json",
               '--source', 'profiles=-', '--out', "$tmp/fan.snap",
               '--report', "$tmp/fan.ndjson"]);
is($r->{exit}, 1, 'a join without GROUP BY: build exits 1 (quarantined)')
    or diag_run($r);
$summary = (map { $json->decode($_) }
            split /\n/, slurp("$tmp/fan.ndjson"))[-1];
is_deeply([ @$summary{qw(records clean quarantined written)},
            $summary->{reasons} ],
          [ 4, 1, 3, 1,
            [ { code => 'duplicate_id', kind => 'quarantine', count => 3 } ] ],
          '... every copy of the repeated id quarantined as duplicate_id');
$r = run(30, [$bin, 'inspect', "$tmp/fan.snap", '9007199254740993']);
is($r->{exit}, 1, '... and none of them written');

done_testing();


# --- helpers ----------------------------------------------------------------

sub newest_pg_bindir {
    my @dirs = sort { ($b =~ m{/(\d+)/bin$})[0] <=> ($a =~ m{/(\d+)/bin$})[0] }
               grep { m{/\d+/bin$} && -x "$_/initdb" }
               glob('/usr/lib/postgresql/*/bin');

    return $dirs[0];
}


# run(SECONDS, [CMD...], %opt): run CMD under timeout(1) with stdin from
# /dev/null; returns {exit, stdout, stderr}.  opt: cwd.
sub run {
    my ($secs, $cmd, %opt) = @_;
    my ($out, $err) = ("$tmp/.out.$$", "$tmp/.err.$$");

    my $pid = fork();
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        # never die here: that would run the END block in the child
        open STDIN, "<", "/dev/null" or POSIX::_exit(127);
        open STDOUT, ">", $out or POSIX::_exit(127);
        open STDERR, ">", $err or POSIX::_exit(127);
        if (defined $opt{cwd} && !chdir($opt{cwd})) {
            print STDERR "$opt{cwd}: $!\n";
            POSIX::_exit(127);
        }
        exec("timeout", "-k", "5", $secs, @$cmd)
            or print STDERR "exec timeout: $!\n";
        POSIX::_exit(127);
    }

    waitpid($pid, 0);
    my $status = $?;
    my %r = (exit => $status >> 8, stdout => slurp($out),
             stderr => slurp($err), cmd => "@$cmd");
    unlink $out, $err;
    $r{exit} = 128 + ($status & 127) if $status & 127;

    return \%r;
}


# The postgres server commands, as the postgres user when we are root, in
# the temporary directory (runuser keeps the caller's cwd, which postgres
# may not be allowed to enter).
sub run_as_pg {
    my ($secs, @cmd) = @_;

    unshift @cmd, 'runuser', '-u', 'postgres', '--' if $as_root;

    return run($secs, \@cmd, cwd => $tmp);
}


# pipeline(SECONDS, [LEFT...], [RIGHT...]): LEFT | RIGHT in bash with
# pipefail, as the recipe documents it.
sub pipeline {
    my ($secs, $left, $right) = @_;
    my $n = @$left;

    return run($secs, ['bash', '-c',
                       'set -o pipefail; l=("${@:1:'.$n.'}");'
                       . ' "${l[@]}" | "${@:'.($n + 1).'}"',
                       'pipeline', @$left, @$right]);
}


sub cleanup {
    return unless $$ == $main_pid && defined $tmp && -d $tmp;

    if ($started && -e "$data/postmaster.pid") {
        run_as_pg(30, "$pgbin/pg_ctl", '-D', $data, '-m', 'immediate',
                  '-w', '-t', '20', 'stop');
    }

    # pg_ctl failed or timed out: end the postmaster we started, by its pid
    if (open my $fh, '<', "$data/postmaster.pid") {
        my $pid = <$fh>;
        close $fh;
        if (defined $pid && $pid =~ /^(\d+)$/ && kill(0, $1)) {
            kill 'KILL', $1;
            for (1 .. 50) {
                last unless kill(0, $1);
                select(undef, undef, undef, 0.1);
            }
        }
    }

    if ($ENV{PS_KEEP_TMP}) {
        diag("kept $tmp");
        return;
    }

    remove_tree($tmp);
}


sub diag_run {
    my ($r) = @_;

    diag("command: $r->{cmd}\nexit: $r->{exit}\nstdout:\n$r->{stdout}"
         . "\nstderr:\n$r->{stderr}");

    return 0;
}


sub slurp {
    my ($path) = @_;

    open my $fh, '<:raw', $path or return '';
    local $/;
    my $data = <$fh>;
    close $fh;

    return defined $data ? $data : '';
}


sub spew {
    my ($path, $data) = @_;

    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh $data;
    close $fh or die "$path: $!";
}
