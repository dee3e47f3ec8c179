#!/usr/bin/env perl
#
# HTTP caching against a real shared cache (docs/caching.md): an nginx
# proxy_cache (proxy_cache_revalidate on) in a second server of the
# same nginx stands in for the CDN in front of the profile location, a
# snapshot directory behind it.
#
#   - a public response is a MISS, then a HIT;
#   - a response that depends on the viewer (self, friend by an edge
#     and by mutual follows, follower, a role, a stranger) is never
#     stored (a MISS every time) and never served to another viewer,
#     nor is the 404 of a viewer blocked by the owner or blocking them;
#   - once the public response is stale, a new snapshot in which the
#     profile did not change revalidates it with a 304 from the origin
#     (REVALIDATED, the same ETag); one in which it changed gives the
#     new body (EXPIRED) and a new ETag;
#   - stale-if-error: while the origin fails (it closes the connection
#     without an answer: nginx honours stale-if-error for errors of the
#     connection, not for 5xx answers), the stale public
#     response is served (STALE);
#   - a hidden profile never answers 304, whatever ETag is sent.

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

my $dir = Run::scratch('caching-edge');
my $edge = Run::pick_port();

# three snapshots: v2 leaves ann unchanged and changes bob

sub build {
    my ($name, $bob) = @_;

    Run::spew("$dir/$name.json", '{"roles": ["support"], "fields": ['
        . '{"name": "id", "type": "string"},'
        . ' {"name": "name", "type": "string"},'
        . ' {"name": "city", "type": "string", "audience": "authenticated"},'
        . ' {"name": "phone", "type": "string", "audience": "friend"},'
        . ' {"name": "posts", "type": "integer", "audience": "follower"},'
        . ' {"name": "email", "type": "string", "audience": "self",'
        . ' "roles": ["support"]}]}');
    Run::spew("$dir/$name.ndjson",
              qq({"id": "ann", "name": "Ann", "city": "Oslo", "phone": "1",)
              . qq( "posts": 3, "email": "ann\@x"}\n)
              . qq({"id": "bob", "name": "$bob", "email": "bob\@x"}\n)
              . qq({"id": "cy", "name": "Cy"}\n)
              . qq({"id": "dee", "name": "Dee"}\n)
              . qq({"id": "fay", "name": "Fay"}\n)
              . qq({"id": "gus", "name": "Gus"}\n));
    Run::spew("$dir/$name.rel.ndjson",
              qq({"from": "cy", "to": "ann", "kind": "friend"}\n)
              . qq({"from": "bob", "to": "ann", "kind": "follows"}\n)
              . qq({"from": "ann", "to": "dee", "kind": "blocked"}\n)
              . qq({"from": "fay", "to": "ann", "kind": "follows"}\n)
              . qq({"from": "ann", "to": "fay", "kind": "follows"}\n)
              . qq({"from": "gus", "to": "ann", "kind": "blocked"}\n));

    my ($rc, $out) = Run::run($Run::Cli, 'build', '-q', '--schema',
                              "$dir/$name.json", '--source',
                              "profiles=$dir/$name.ndjson", '--source',
                              "relations=$dir/$name.rel.ndjson",
                              '--snapshot-id', $name, '--out',
                              "$dir/$name.snap");
    die "build $name: $out" if $rc != 0;

    return "$dir/$name.snap";
}

my $live = Run::snapdir("$dir/live", 'v1' => build('v1', 'Bob'),
                        'v2' => build('v2', 'Robert'));
Run::point($live, 'v1.snap');

Run::write_conf($dir, snapshot => $live, workers => 1, check => '50ms',
                http => "proxy_cache_path $dir/edge_cache levels=1 "
                        . "keys_zone=edge:1m;
    server {
        listen 127.0.0.1:$edge;
        location /e/ {
            proxy_pass http://127.0.0.1:$Run::Port/p/;
            proxy_cache edge;
            proxy_cache_revalidate on;
            proxy_set_header X-Viewer \$http_x_viewer;
            proxy_set_header X-Roles \$http_x_roles;
            add_header X-Cache \$upstream_cache_status always;
        }
    }",
                location => "profile_viewer_roles \$http_x_roles trusted;
            profile_cache_public max-age=1 stale-if-error=60;
            if (-f $dir/fail) {
                return 444;
            }");

my $pid = Run::start($dir);

sub edge {
    my ($path, %h) = @_;
    local $Run::Port = $edge;
    return Run::get($path, %h);
}

# public: MISS, then HIT

my ($st, $h, $body) = edge('/e/ann');
is($st, 200, 'public: 200');
is($h->{'x-cache'}, 'MISS', 'public: a MISS first');
is($h->{'cache-control'}, 'public, max-age=1, stale-if-error=60',
   'public: shareable');
my $etag1 = $h->{etag};
is($body, '{"id":"ann","name":"Ann"}', 'public: the anonymous body');

($st, $h, $body) = edge('/e/ann');
is($h->{'x-cache'}, 'HIT', 'public: a HIT next');
is($body, '{"id":"ann","name":"Ann"}', 'public: the same body');

# personal: never stored, never served to another viewer

my %views = (
    'self'     => ['ann', '', '{"id":"ann","name":"Ann","city":"Oslo","phone":"1","posts":3,"email":"ann@x"}'],
    'friend'   => ['cy', '', '{"id":"ann","name":"Ann","city":"Oslo","phone":"1","posts":3}'],
    'follower' => ['bob', '', '{"id":"ann","name":"Ann","city":"Oslo","posts":3}'],
    'stranger' => ['eve', '', '{"id":"ann","name":"Ann","city":"Oslo"}'],
    'role'     => ['eve', 'support', '{"id":"ann","name":"Ann","city":"Oslo","email":"ann@x"}'],
    'mutual'   => ['fay', '', '{"id":"ann","name":"Ann","city":"Oslo","phone":"1","posts":3}'],
);

for my $kind (sort keys %views) {
    my ($v, $roles, $want) = @{ $views{$kind} };
    my @hdr = ('X-Viewer' => $v, $roles ? ('X-Roles' => $roles) : ());

    for my $n (1, 2) {
        ($st, $h, $body) = edge('/e/ann', @hdr);
        is($body, $want, "$kind: its own view (request $n)");
        is($h->{'x-cache'}, 'MISS', "$kind: never stored (request $n)");
        is($h->{'cache-control'}, 'private, no-store', "$kind: private");
    }

    ($st, $h, $body) = edge('/e/ann');
    is($body, '{"id":"ann","name":"Ann"}',
       "$kind: the next anonymous request gets the public body");
}

# a blocked viewer, and one who blocked the owner: the 404, never stored

for my $v ('dee', 'gus') {
    for my $n (1, 2) {
        ($st, $h, $body) = edge('/e/ann', 'X-Viewer' => $v);
        is($st, 404, "blocked ($v): 404 (request $n)");
        is($h->{'cache-control'}, 'no-store', "blocked ($v): no-store");
        is($h->{'x-cache'}, 'MISS', "blocked ($v): never stored");
    }

    ($st, $h, $body) = edge('/e/ann');
    is($body, '{"id":"ann","name":"Ann"}',
       "blocked ($v): the next anonymous request gets the public body");
}

# a hidden profile never answers 304, whatever ETag is sent

{
    local $Run::Port = $Run::Port;
    ($st) = Run::get('/p/ann', 'X-Viewer' => 'dee', 'If-None-Match' => $etag1);
    is($st, 404, 'a hidden profile with its public ETag: 404, not 304');
    ($st) = Run::get('/p/ann', 'X-Viewer' => 'dee', 'If-None-Match' => '*');
    is($st, 404, 'a hidden profile with If-None-Match: *: 404, not 304');
}

# a new snapshot: ann unchanged revalidates with a 304, bob changed

edge('/e/bob');
Run::point($live, 'v2.snap');
sleep(2.2);

($st, $h, $body) = edge('/e/ann');
is($st, 200, 'after v2: ann 200');
is($h->{'x-cache'}, 'REVALIDATED',
   'after v2: ann revalidated (the origin answered 304)');
is($h->{etag}, $etag1, 'after v2: ann keeps its ETag');
is($body, '{"id":"ann","name":"Ann"}', 'after v2: the stored body');

($st, $h, $body) = edge('/e/bob');
is($h->{'x-cache'}, 'EXPIRED', 'after v2: bob fetched anew');
is($body, '{"id":"bob","name":"Robert"}', 'after v2: bob\'s new body');

# stale-if-error: the origin fails, the stale response is served

sleep(2.2);
Run::spew("$dir/fail", "1\n");

($st, $h, $body) = edge('/e/ann');
is($st, 200, 'origin failing: 200 from the cache');
is($h->{'x-cache'}, 'STALE', 'origin failing: the stale response (stale-if-error)');
is($body, '{"id":"ann","name":"Ann"}', 'origin failing: the stored body');

unlink "$dir/fail";

my $log = Run::slurp("$dir/logs/error.log");
unlike($log, qr/\[(?:alert|crit|emerg)\]|exited on signal/, 'no alert, no crash');

Run::stop($pid);

is(Run::sanitized($dir), '', 'no sanitizer report');

done_testing();
