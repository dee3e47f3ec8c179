#!/usr/bin/env perl
#
# The module's access decisions, end to end, against an independent
# oracle of docs/access-rules.md (t/access/Oracle.pm, which reads only the
# fixtures' schema and NDJSON and shares no code with the module or the
# compiler):
#
#   - the oracle's own self-test: a few dozen cells worked out by hand
#     from the spec, written here as explicit expectations (runs without
#     nginx);
#   - every viewer of t/access/viewers.ndjson (16 kinds: anonymous,
#     stranger, self, follower, friend by edge and by mutual follows,
#     blocked, blocked-by, admin, support, partner, ...) against every
#     profile of t/access/profiles.ndjson and a few ids without a profile,
#     in locations that differ by profile_hidden_fields,
#     profile_private_mode, profile_forbidden_status and profile_block,
#     identity from auth_request (a map from a bearer token, core nginx
#     only): status, the exact fields in order and their values, and
#     $profile_relation, compared with the oracle; 0 mismatches;
#   - a 200 whose body differs from the anonymous body of the same URL
#     never carries a shareable Cache-Control;
#   - existence hiding: not found, blocked (both directions), deleted,
#     suspended and forbidden answers byte-identical apart from Date (GET
#     and HEAD); with profile_forbidden_status 403 only the forbidden one
#     changes;
#   - a request sent on by error_page 401 after a failed auth subrequest
#     that still set the viewer variables gets the anonymous view;
#   - an unknown token is a 401, never a profile.
#
# Plain Perl (like t/integrity-*.t): nginx started and stopped by PID on
# a random 127.0.0.1 port.  Needs root, TEST_NGINX_LOAD_MODULES and the
# CLI, like t/integrity-*.t (t/integrity/Run.pm); the oracle self-test
# runs anyway.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/integrity", "$FindBin::Bin/access";
use IO::Socket::INET;
use JSON::PP;
use Test::More;
use Time::HiRes qw(sleep time);

use Oracle;
use Run;
use ViewOracle;

my $fix = "$FindBin::Bin/access";
my $or = Oracle->new(schema => "$fix/schema.json",
                     profiles => "$fix/profiles.ndjson",
                     relations => "$fix/relations.ndjson");
my @viewers = map { decode_json($_) } Oracle::slurp_lines("$fix/viewers.ndjson");
my @ids = $or->ids;
my @missing_ids = qw(nobody ghost-1 blocker 43);   # no profile (blocker: edges only)
my $CJ = JSON::PP->new->canonical->allow_nonref;

ok(@ids >= 60, scalar(@ids) . ' fixture profiles');
ok(@viewers >= 10, scalar(@viewers) . ' viewer kinds');

# ---------------------------------------------------------------------
# 1. the oracle against cells worked out by hand from docs/access-rules.md
#    and docs/schema.md: [viewer, roles, profile, options, expected]
#    where expected is 404, 403 or the field names in schema order.

my @ALL = qw(id username avatar display_name bio city birthday email phone
             karma verified posts last_login notes deals);
my @PUB = qw(id username avatar bio verified);
my @AUTH = qw(id username avatar display_name bio karma verified);
my @FOLL = qw(id username avatar display_name bio city karma verified posts);
my @FRND = qw(id username avatar display_name bio city birthday karma
              verified posts);

my @hand = (
    # active profile, schema audiences (decision table, first part)
    ['', '', 'act-full', {}, [@PUB], 'anonymous: public only'],
    ['sam', '', 'act-full', {}, [@AUTH], 'stranger: + authenticated'],
    ['fan', '', 'act-full', {}, [@FOLL], 'follower: + follower'],
    ['pal', '', 'act-full', {}, [@FRND], 'friend by edge: + friend'],
    ['mutual', '', 'act-full', {}, [@FRND], 'friend by mutual follows'],
    ['act-full', '', 'act-full', {}, [@ALL],
     'self: every audience and role field, never fields never'],
    ['adm', 'admin', 'act-full', {}, [@ALL], 'admin: all but never'],
    ['sup', 'support', 'act-full', {},
     [qw(id username avatar display_name bio email phone karma verified
         notes)], 'support: stranger + email, phone (roles) + notes (audience)'],
    ['par', 'partner', 'act-full', {},
     [qw(id username avatar display_name bio karma verified deals)],
     'partner: stranger + deals'],
    ['mul', 'partner, support', 'act-full', {},
     [qw(id username avatar display_name bio email phone karma verified
         notes deals)], 'two roles, comma and space'],
    ['rooter', 'root superuser', 'act-full', {}, [@AUTH],
     'undeclared roles are ignored'],
    ['', 'admin support', 'act-full', {}, [@PUB],
     'roles without an identity are ignored'],
    ['bad*id', 'admin', 'act-full', {}, [@PUB],
     'an invalid viewer id is anonymous, its roles ignored'],
    ['followed', '', 'act-full', {}, [@AUTH],
     'the owner following the viewer makes no follower'],
    ['blockee', '', 'act-full', {}, 404, 'owner blocked the viewer: hidden'],
    ['blocker', '', 'act-full', {}, 404, 'viewer blocked the owner: hidden'],
    ['blocker', '', 'act-full', { block => 'owner' }, [@AUTH],
     'profile_block owner: the viewer\'s own block does not count'],
    ['blockee', '', 'act-full', { block => 'viewer' }, [@AUTH],
     'profile_block viewer: the owner\'s block does not count'],
    ['adm', 'admin', 'rel-blocks-adm', {}, 404, 'blocked whatever the roles'],
    ['fan', '', 'rel-follows-fan', {}, [@FRND], 'mutual follows: friend'],
    ['fan', '', 'rel-blocks-fan', {}, 404, 'follower but blocked'],
    ['sam', '', 'rel-friend-blocked', {}, 404, 'friend and blocked: hidden'],
    ['sam', '', 'rel-dup-edges', {}, [@FOLL], 'duplicate follows: follower'],
    ['par', 'partner', 'rel-par-follows', {},
     [qw(id username avatar display_name bio city karma verified posts
         deals)], 'partner and follower'],
    # privacy settings (docs/schema.md "Privacy settings")
    ['', '', 'map-all-public', {},
     [qw(id username avatar display_name bio verified)],
     'map "public": display_name widened to public within its range'],
    ['fan', '', 'map-all-public', {},
     [qw(id username avatar display_name bio city birthday phone karma
         verified posts)],
     'map "public" clamped: birthday and phone follower, email friend'],
    ['sam', '', 'map-all-public', {},
     [qw(id username avatar display_name bio city karma verified)],
     'map "public" clamped: city authenticated'],
    ['pal', '', 'map-all-private', {},
     [qw(id username avatar bio city karma verified posts)],
     'map "private": avatar, bio, city clamped to friend, the rest self'],
    ['pal', '', 'map-unknown', {},
     [qw(id username avatar display_name bio city birthday phone karma verified
         posts)], 'unknown and non-string settings: narrowest (email self, '
                  . 'bio/avatar/city friend; phone "followers" applies)'],
    ['fan', '', 'map-unknown', {},
     [qw(id username display_name phone karma verified posts)],
     'unknown settings hide from a follower; phone "followers" applies'],
    ['', '', 'map-fixed', {}, [@PUB], 'settings of fixed fields ignored'],
    ['fan', '', 'map-not-object', {},
     [qw(id username karma verified posts)],
     'map of the wrong shape: every ranged field narrowest'],
    ['pal', '', 'list-two', {}, [@FRND], 'list: bio, city clamped to friend'],
    ['fan', '', 'list-two', {},
     [qw(id username avatar display_name karma verified posts)],
     'list: bio and city hidden from a follower'],
    ['fan', '', 'list-and-map', {},
     [qw(id username avatar city phone karma verified posts)],
     'list then map: phone "followers" wins over the list'],
    ['pal', '', 'list-not-array', {},
     [qw(id username avatar bio city karma verified posts)],
     'list of the wrong shape: narrowest, the map not applied'],
    # states and the stub
    ['', '', 'priv-plain', {}, [qw(id username avatar)], 'private: the stub'],
    ['sam', '', 'priv-avatar-friend', {}, [qw(id username)],
     'the stub shows only the stub fields the viewer may see'],
    ['sam', '', 'priv-avatar-members', {}, [qw(id username avatar)],
     'stub field of audience authenticated'],
    ['', '', 'priv-avatar-members', {}, [qw(id username)],
     'the same stub field, anonymous'],
    ['adm', 'admin', 'priv-avatar-friend', {}, [qw(id username avatar)],
     'admin is not granted private: the stub, with the admin\'s role fields'],
    ['pal', '', 'priv-plain', {}, [@FRND], 'private: a friend sees fields'],
    ['fan', '', 'priv-plain', {}, [qw(id username avatar)],
     'private: a follower gets the stub'],
    ['sup', 'support', 'priv-plain', {},
     [qw(id username avatar state display_name bio email phone karma
         verified notes)], 'support is granted private (and sees state)'],
    ['priv-plain', '', 'priv-plain', {}, [@ALL[0 .. 2], 'state', @ALL[3 .. $#ALL]],
     'private: self sees everything'],
    ['', '', 'priv-plain', { private_mode => 'not_found' }, 404,
     'profile_private_mode not_found: forbidden, 404'],
    ['', '', 'priv-plain', { private_mode => 'not_found',
                             forbidden_status => 403 }, 403,
     'profile_forbidden_status 403'],
    ['pal', '', 'priv-plain', { private_mode => 'not_found' }, [@FRND],
     'not_found mode: a friend still sees fields'],
    ['sup', 'support', 'rel-sup-friend', {},
     [qw(id username avatar state display_name bio city birthday email
         phone karma verified posts notes)], 'support and friend'],
    ['', '', 'susp-plain', {}, 404, 'suspended: hidden'],
    ['pal', '', 'susp-banned', {}, 404,
     'suspended ("banned"): hidden from a friend'],
    ['susp-plain', '', 'susp-plain', {},
     [@ALL[0 .. 2], 'state', @ALL[3 .. $#ALL]], 'suspended: self sees it'],
    ['sup', 'support', 'susp-plain', {},
     [qw(id username avatar state display_name bio email phone karma
         verified notes)], 'suspended: support is granted it'],
    ['sup', 'support', 'rel-sup-blocks', {}, 404,
     'suspended, support granted, but blocked by support'],
    ['del-plain', '', 'del-plain', {}, 404, 'deleted: hidden from self'],
    ['sup', 'support', 'del-plain', {}, 404, 'deleted: not granted to support'],
    ['adm', 'admin', 'del-plain', {},
     [@ALL[0 .. 2], 'state', @ALL[3 .. $#ALL]], 'deleted: admin sees it'],
    ['adm', 'admin', 'del-closed', {},
     [@ALL[0 .. 2], 'state', @ALL[3 .. $#ALL]], '"closed": deleted'],
    ['pal', '', 'del-unknown', {}, 404, 'unknown state: deleted'],
    ['act-state', '', 'del-case', {}, 404, '"Active" is not "active"'],
    ['del-empty', '', 'del-empty', {}, 404, 'empty state: deleted, even self'],
    ['adm', 'admin', 'del-number', {}, [@ALL],
     'a number as state: deleted; the invalid value itself dropped'],
    ['', '', 'act-null-state', {}, [@PUB], 'null state: the default, active'],
    ['adm', 'admin', 'rel-adm-friend-del', {},
     [@ALL[0 .. 2], 'state', @ALL[3 .. $#ALL]],
     'deleted: admin by the role'],
    ['mul', 'partner, support', 'rel-mul-blocked-del', {}, 404,
     'blocked by a deleted owner'],
    # no record
    ['adm', 'admin', 'nobody', {}, 404, 'not found'],
    ['blocker', '', 'blocker', {}, 404, 'an id with edges but no profile'],
);

for my $h (@hand) {
    my ($v, $roles, $id, $opt, $want, $name) = @$h;
    my $res = $or->decide($v, $roles, $id, %$opt);
    my $got = $res->{status} == 200
              ? join(' ', map { $_->[0] } @{ $res->{fields} })
              : $res->{status};
    my $exp = ref $want ? join(' ', @$want) : $want;
    is($got, $exp, "oracle: $name ($v -> $id)");
}

# the null form of hidden fields: every schema field but never ones, in
# order, the hidden ones null
{
    my $res = $or->decide('', '', 'act-sparse', hidden_fields => 'null');
    my @n = map { $_->[0] . (defined $_->[1] ? '' : '=null') } @{ $res->{fields} };
    is("@n", 'id username state=null display_name=null '
             . 'city=null birthday=null email=null phone=null karma=null '
             . 'verified posts=null last_login=null notes=null deals=null',
       'oracle: profile_hidden_fields null writes every hidden field as null (visible absent ones stay absent)');
    $res = $or->decide('act-sparse', '', 'act-sparse', hidden_fields => 'null');
    @n = map { $_->[0] } @{ $res->{fields} };
    is("@n", 'id username city email verified posts',
       'oracle: a visible field the record lacks stays absent');
}

if (my $why = Run::missing()) {
    diag("live part skipped: $why");
    done_testing();
    exit 0;
}

# ---------------------------------------------------------------------
# 2. the snapshot and nginx

# ACCESS_NO_STATES=1: a schema without "states", for a compiler that does
# not know the key yet (t/access/build); the oracle then reads that schema
my ($snap, $schema_used) = split /\n/, `$fix/build`;

if ($? != 0 || !$snap || !-e $snap) {
    fail('t/access/build: the CLI could not build the access fixtures'
         . ($ENV{ACCESS_NO_STATES} ? '' : ' (ACCESS_NO_STATES=1 builds them '
                                          . 'without "states")'));
    done_testing();
    exit 0;
}

my $with_states = $schema_used eq "$fix/schema.json";

unless ($with_states) {
    diag("ACCESS_NO_STATES: schema $schema_used, every profile active");
    $or = Oracle->new(schema => $schema_used,
                      profiles => "$fix/profiles.ndjson",
                      relations => "$fix/relations.ndjson");
}

my $dir = Run::scratch('access-matrix');
my $port = $Run::Port;
my (%tok_user, %tok_roles);

for my $v (@viewers) {
    next unless defined $v->{token};
    if ($v->{token} eq 'SELF') {
        $tok_user{"t-self-$_"} = $_ for @ids;
    } else {
        $tok_user{ $v->{token} } = $v->{user};
        $tok_roles{ $v->{token} } = $v->{roles};
    }
}

# a token the auth server refuses (401) while still naming a privileged
# viewer: auth_request_set sets the variables for 401 too
my %denied = ('t-denied' => ['adm', 'admin support partner']);

sub qs { my ($s) = @_; $s =~ s/(["\\])/\\$1/g; return qq{"$s"} }

my $maps = "map \$http_authorization \$tok_ok {\n    default 0;\n    \"\" 1;\n"
    . join('', map { "    " . qs("Bearer $_") . " 1;\n" } sort keys %tok_user)
    . "}\nmap \$http_authorization \$tok_user {\n    default \"\";\n"
    . join('', map { "    " . qs("Bearer $_") . ' ' . qs($tok_user{$_}) . ";\n" }
               sort keys %tok_user)
    . join('', map { "    " . qs("Bearer $_") . ' ' . qs($denied{$_}[0]) . ";\n" }
               sort keys %denied)
    . "}\nmap \$http_authorization \$tok_roles {\n    default \"\";\n"
    . join('', map { "    " . qs("Bearer $_") . ' ' . qs($tok_roles{$_}) . ";\n" }
               grep { length $tok_roles{$_} } sort keys %tok_roles)
    . join('', map { "    " . qs("Bearer $_") . ' ' . qs($denied{$_}[1]) . ";\n" }
               sort keys %denied)
    . "}\n";

# the matrix locations: prefix => [directives, oracle options]
my %loc = (
    '/p/'    => ['', {}],
    '/pn/'   => ['profile_hidden_fields null;', { hidden_fields => 'null' }],
    '/px/'   => ['profile_private_mode not_found;', { private_mode => 'not_found' }],
    '/p403/' => ['profile_private_mode not_found; profile_forbidden_status 403;',
                 { private_mode => 'not_found', forbidden_status => 403 }],
    '/pbo/'  => ['profile_block owner;', { block => 'owner' }],
    '/pbv/'  => ['profile_block viewer;', { block => 'viewer' }],
    '/pst/'  => ['profile_private_mode stub; profile_hidden_fields omit; '
                 . 'profile_forbidden_status 404; profile_block both;', {}],
);

# the views of the view part (docs/views.md), each read by ViewOracle.pm
# too: prefix => [view, directives, oracle options]
my @views = (
    ViewOracle->new(name => 'mx', envelope => 1, integers => 'string',
                    fields => [['id'], ['username', 'handle'],
                               ['display_name', 'name.display'],
                               ['avatar', 'name.avatar'],
                               ['city', 'place.city'], ['birthday'],
                               ['email', 'contact.email'],
                               ['phone', 'contact.phone'], ['karma'],
                               ['posts', 'stats.posts'], ['verified'],
                               ['notes'], ['deals'], ['password_hint'],
                               ['state'], ['bio', 'about']]),
    ViewOracle->new(name => 'mxe', omit_empty => 1,
                    fields => [['username', 'handle'], ['*'],
                               ['karma', 'stats.karma']]),
);
my %vloc = (
    '/vw/'  => [$views[0], '', {}],
    '/vwn/' => [$views[0], 'profile_hidden_fields null;',
                { hidden_fields => 'null' }],
    '/vwe/' => [$views[1], '', {}],
    '/vwen/' => [$views[1], 'profile_hidden_fields null;',
                 { hidden_fields => 'null' }],
);

my $auth = <<'EOF';
            auth_request /_auth;
            auth_request_set $viewer $upstream_http_x_user;
            auth_request_set $roles $upstream_http_x_roles;
EOF

my $locs = '';
for my $p (sort keys %loc) {
    $locs .= <<"EOF";
        location $p {
$auth
            profile;
            profile_viewer \$viewer;
            profile_viewer_roles \$roles;
            $loc{$p}[0]
            add_header X-Relation \$profile_relation always;
        }
EOF
}

for my $p (sort keys %vloc) {
    $locs .= <<"EOF";
        location $p {
$auth
            profile;
            profile_viewer \$viewer;
            profile_viewer_roles \$roles;
            profile_views $vloc{$p}[0]{name};
            $vloc{$p}[1]
            add_header X-Snapshot \$profile_snapshot_id;
        }
EOF
}

my $viewconf = join '    ', map { $_->config } @views;

my $loads = join '', map { "load_module $_;\n" }
                     split ' ', $ENV{TEST_NGINX_LOAD_MODULES};

Run::spew("$dir/conf/nginx.conf", <<"EOF");
$loads
daemon on;
master_process on;
worker_processes 1;
pid $dir/logs/nginx.pid;
error_log $dir/logs/error.log info;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $dir/client_body_temp;
    proxy_temp_path $dir/proxy_temp;
    fastcgi_temp_path $dir/fastcgi_temp;
    uwsgi_temp_path $dir/uwsgi_temp;
    scgi_temp_path $dir/scgi_temp;
    profile_snapshot $snap;
    $viewconf
$maps
    server {
        listen 127.0.0.1:$port;

        # the "auth server": core nginx only
        location = /_verify {
            add_header X-User \$tok_user always;
            add_header X-Roles \$tok_roles always;
            if (\$tok_ok = 0) {
                return 401;
            }
            return 204;
        }

        location = /_auth {
            internal;
            proxy_pass http://127.0.0.1:$port/_verify;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }

$locs
        # existence hiding: no header of our own
        location /ph/ {
$auth
            profile;
            profile_viewer \$viewer;
            profile_viewer_roles \$roles;
            profile_private_mode not_found;
        }

        location /ph403/ {
$auth
            profile;
            profile_viewer \$viewer;
            profile_viewer_roles \$roles;
            profile_private_mode not_found;
            profile_forbidden_status 403;
        }

        # a public fallback after a failed auth subrequest, wrongly still
        # reading the viewer variables: the module must treat it as
        # anonymous (docs/access-rules.md "Identity from a trusted source")
        location /pe/ {
$auth
            error_page 401 = /fallback\$uri;
            profile;
            profile_viewer \$viewer;
            profile_viewer_roles \$roles;
        }

        location /fallback/pe/ {
            internal;
            profile;
            profile_viewer \$viewer;
            profile_viewer_roles \$roles;
        }
    }
}
EOF

my ($rc, $out) = Run::nginx($dir, '-t');
is($rc, 0, 'nginx -t accepts the matrix configuration') or diag($out);

if ($rc != 0) {
    done_testing();
    exit 0;
}

# the nginx started below is stopped by END: a closed pipe (prove
# -v | head) must not kill this script before that, nor INT or TERM
$SIG{PIPE} = 'IGNORE';
$SIG{INT} = $SIG{TERM} = sub { die "interrupted\n" };

unlink "$dir/logs/nginx.pid";
($rc, $out) = Run::nginx($dir);
is($rc, 0, 'nginx starts') or diag($out);
my $master = Run::wait_for(10, sub { Run::master_pid($dir) });
END { Run::stop($master) if $master }
Run::wait_for(10, sub { my @r = raw('GET', '/p/act-full'); @r && $r[0] });

# one request; returns (status, [[name, value], ...] headers, body, raw)
sub raw {
    my ($method, $path, $token, @extra) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp', Timeout => 5)
        or return ();
    my $req = "$method $path HTTP/1.0\r\nHost: localhost\r\n";
    $req .= "Authorization: Bearer $token\r\n" if defined $token;
    $req .= "$_\r\n" for @extra;
    print $s "$req\r\n";
    my $data = '';
    local $SIG{ALRM} = sub { die "timeout\n" };
    eval {
        alarm 5;
        while (my $n = sysread($s, my $buf, 65536)) { $data .= $buf }
        alarm 0;
    };
    alarm 0;
    close $s;
    return () unless $data =~ /\AHTTP\/1\.\d (\d{3})[^\r\n]*\r\n(.*?)\r\n\r\n/s;
    my ($st, $head) = ($1, $2);
    my @h = map { /^([^:]+):\s*(.*)$/ ? [lc $1, $2] : () } split /\r\n/, $head;
    return ($st, \@h, substr($data, $+[0]), $data);
}

sub header {
    my ($h, $name) = @_;
    my @v = map { $_->[1] } grep { $_->[0] eq $name } @$h;
    return @v ? join(', ', @v) : undef;
}

# the top-level member names of a JSON object text, in order
sub keys_in_order {
    my ($t) = @_;
    my ($depth, @k) = (0);
    my $expect_key = 0;
    while ($t =~ /\G\s*(?:("(?:[^"\\]|\\.)*")|([{\[])|([}\]])|(,)|(:)|([^"{}\[\],:\s]+))/gcs) {
        if (defined $1) {
            push @k, decode_json("[$1]")->[0] if $depth == 1 && $expect_key;
            $expect_key = 0;
        } elsif (defined $2) {
            $depth++;
            $expect_key = $depth == 1 && $2 eq '{';
        } elsif (defined $3) {
            $depth--;
        } elsif (defined $4) {
            $expect_key = $depth == 1;
        } else {
            $expect_key = 0;
        }
    }
    return @k;
}

# compare a response with the oracle's result: "" when equal, else why
sub differs {
    my ($res, $st, $h, $body) = @_;
    return "status $st, expected $res->{status}" if $st != $res->{status};
    if ($res->{status} != 200) {
        my $type = $res->{status} == 403 ? 'forbidden' : 'not-found';
        return "body is not the $type problem: $body"
            unless $body =~ /"type":"urn:ngx-http-profile:problem:\Q$type\E"/;
        return '';
    }
    my $got = eval { decode_json($body) };
    return "body is not a JSON object: $body" unless ref $got eq 'HASH';
    my @want = map { $_->[0] } @{ $res->{fields} };
    my @have = keys_in_order($body);
    return "fields [@have], expected [@want]" if "@have" ne "@want";
    for my $f (@{ $res->{fields} }) {
        my ($a, $b) = ($CJ->encode($f->[1]), $CJ->encode($got->{ $f->[0] }));
        return "field $f->[0] is $b, expected $a" if $a ne $b;
    }
    return '';
}

# ---------------------------------------------------------------------
# 3. the matrix

my ($cells, $bad, $relbad, $cachebad, $etagbad) = (0, 0, 0, 0, 0);
my (%by_rule, @shown);
my $t0 = time;

for my $p (sort keys %loc) {
    my %opt = %{ $loc{$p}[1] };
    my %anon;

    for my $v (@viewers) {
        for my $id (@ids, @missing_ids) {
            my $user = $v->{user} eq 'SELF' ? $id : $v->{user};
            my $token = !defined $v->{token} ? undef
                      : $v->{token} eq 'SELF' ? "t-self-$id" : $v->{token};
            next if defined $token && $v->{token} eq 'SELF' && !grep { $_ eq $id } @ids;
            my $res = $or->decide($user, $v->{roles}, $id, %opt);
            my ($st, $h, $body) = raw('GET', "$p$id", $token);
            $cells++;

            unless (defined $st) {
                $bad++;
                push @shown, "$p$id as $v->{kind} ($user): no answer";
                next;
            }

            $anon{$id} = [$st, $body, header($h, 'etag') // '']
                unless defined $token;

            if (my $why = differs($res, $st, $h, $body)) {
                $bad++;
                $by_rule{"$p $res->{why}"}++;
                push @shown, "$p$id as $v->{kind} (viewer \"$user\", roles "
                             . "\"$v->{roles}\"): $why\n      expected: "
                             . $or->render($res) . "\n      got:      $st $body"
                    if @shown < 40;
            }

            if ($res->{relation} && $or->profile($id)) {
                my $rel = header($h, 'x-relation') // '(none)';
                if ($rel ne $res->{relation}) {
                    $relbad++;
                    push @shown, "$p$id as $v->{kind} ($user): "
                                 . "\$profile_relation \"$rel\", expected "
                                 . "\"$res->{relation}\"" if @shown < 40;
                }
            }

            # validators: the answer's own ETag gives a 304; an ETag of
            # another viewer's different answer never does
            if ($st == 200) {
                my $etag = header($h, 'etag') // '';
                my ($st2) = raw('GET', "$p$id", $token, "If-None-Match: $etag");
                if (!defined $st2 || $st2 != 304) {
                    $etagbad++;
                    push @shown, "$p$id as $v->{kind} ($user): its own ETag "
                                 . "$etag gave " . ($st2 // 'nothing')
                                 . ', not 304' if @shown < 40;
                }

                if (defined $token && $anon{$id} && $anon{$id}[0] == 200
                    && $body ne $anon{$id}[1])
                {
                    my ($st3) = raw('GET', "$p$id", $token,
                                    "If-None-Match: $anon{$id}[2]");
                    if (!defined $st3 || $st3 != 200) {
                        $etagbad++;
                        push @shown, "$p$id as $v->{kind} ($user): the "
                                     . 'anonymous ETag gave '
                                     . ($st3 // 'nothing') . ' for another '
                                     . 'body' if @shown < 40;
                    }
                }
            } elsif ($st == 404 && defined $token && $anon{$id}
                     && $anon{$id}[0] == 200)
            {
                # a hidden profile never answers 304
                my ($st4) = raw('GET', "$p$id", $token,
                                "If-None-Match: $anon{$id}[2]");
                if (!defined $st4 || $st4 != 404) {
                    $etagbad++;
                    push @shown, "$p$id as $v->{kind} ($user): hidden, but "
                                 . 'the anonymous ETag gave '
                                 . ($st4 // 'nothing') if @shown < 40;
                }
            }

            # a 200 that differs from the anonymous answer must not be
            # shared by a cache
            if ($st == 200 && defined $token && $anon{$id}
                && $body ne $anon{$id}[1])
            {
                my $cc = header($h, 'cache-control') // '';
                if ($cc =~ /\bpublic\b/i || $cc !~ /\b(?:private|no-store)\b/i) {
                    $cachebad++;
                    push @shown, "$p$id as $v->{kind} ($user): a personal "
                                 . "200 with Cache-Control \"$cc\"" if @shown < 40;
                }
            }
        }
    }
}

# the same cells through views: what a view sends is what the oracle
# allows, shaped as ViewOracle.pm reads docs/views.md, byte for byte;
# the statuses and problems are those of the plain object

my ($vcells, $vbad) = (0, 0);

for my $p (sort keys %vloc) {
    my ($view, undef, $o) = @{ $vloc{$p} };

    for my $v (@viewers) {
        for my $id (@ids, @missing_ids) {
            my $user = $v->{user} eq 'SELF' ? $id : $v->{user};
            my $token = !defined $v->{token} ? undef
                      : $v->{token} eq 'SELF' ? "t-self-$id" : $v->{token};
            next if defined $token && $v->{token} eq 'SELF' && !grep { $_ eq $id } @ids;
            my $res = $or->decide($user, $v->{roles}, $id, %$o);
            my ($st, $h, $body) = raw('GET', "$p$id", $token);
            $vcells++;
            my $why;

            if (!defined $st) {
                $why = 'no answer';
            } elsif ($res->{status} != 200) {
                $why = differs($res, $st, $h, $body);
            } elsif ($st != 200) {
                $why = "status $st, expected 200";
            } else {
                my $want = $view->render($or, $res,
                                         header($h, 'x-snapshot') // '');
                $why = "body $body\n      expected: $want" if $body ne $want;

                my $etag = header($h, 'etag') // '';
                my ($st2) = raw('GET', "$p$id", $token,
                                "If-None-Match: $etag");
                $why //= "its own ETag gave " . ($st2 // 'nothing')
                    if !defined $st2 || $st2 != 304;
            }

            if ($why) {
                $vbad++;
                $by_rule{"$p view $view->{name}: " . ($res->{why} // '')}++;
                push @shown, "$p$id as $v->{kind} (viewer \"$user\"): $why"
                    if @shown < 40;
            }
        }
    }
}

diag("$vcells cells through views");
is($vbad, 0, "every one of $vcells cells through views as the oracles say "
             . '(a view never widens what the rules allow)');

# error_page 401 after a refused token that still names a privileged
# viewer: the anonymous view
for my $id (@ids) {
    my $res = $or->decide('', '', $id);
    my ($st, $h, $body) = raw('GET', "/pe/$id", 't-denied');
    $cells++;
    if (my $why = differs($res, $st // 0, $h, $body // '')) {
        $bad++;
        $by_rule{'/pe/ error_page fallback: anonymous'}++;
        push @shown, "/pe/$id after a 401 with X-User adm: $why\n      expected: "
                     . $or->render($res) . "\n      got:      "
                     . ($st // 'nothing') . ' ' . ($body // '') if @shown < 40;
    }
}

diag(sprintf('%d cells in %.1f s', $cells, time - $t0));
diag($_) for @shown;
diag("mismatches by location and rule: $_: $by_rule{$_}") for sort keys %by_rule;
is($bad, 0, "every one of $cells cells as the oracle says");
is($relbad, 0, '$profile_relation as the oracle says');
is($cachebad, 0, 'no personal 200 carries a shareable Cache-Control');
is($etagbad, 0, 'every 200 answers its own ETag with 304, no other '
                . 'viewer\'s different answer does, and no hidden profile '
                . 'answers 304');

# the explicit cells of part 1, live: the same expectations once more,
# so that a wrong oracle and a wrong module cannot agree by accident
for my $h ($with_states ? @hand : ()) {
    my ($v, $roles, $id, $opt, $want, $name) = @$h;
    my ($p) = grep { my %o = %{ $loc{$_}[1] };
                     join(',', map { "$_=$o{$_}" } sort keys %o)
                     eq join(',', map { "$_=$opt->{$_}" } sort keys %$opt) }
              sort keys %loc;
    next unless $p;
    my ($vk) = grep { $_->{user} eq $v && $_->{roles} eq $roles } @viewers;
    my $token = $vk ? $vk->{token} : $or->profile($v) ? "t-self-$v" : undef;
    next if $v ne '' && !defined $token;
    my ($st, $hd, $body) = raw('GET', "$p$id", $token);
    my $got = !defined $st ? 'nothing'
            : $st != 200 ? $st
            : join(' ', keys_in_order($body));
    is($got, ref $want ? join(' ', @$want) : $want, "live: $name ($v -> $p$id)");
}

# an unknown token: 401, nothing of the profile
{
    my ($st, $h, $body) = raw('GET', '/p/act-full', 'no-such-token');
    is($st, 401, 'an unknown token is refused by the auth subrequest');
    unlike($body // '', qr/act-full/, 'and nothing of the profile is sent');
}

# ---------------------------------------------------------------------
# 4. existence hiding: byte for byte apart from Date

sub scrub { my ($r) = @_; $r =~ s/^Date: [^\r\n]*\r\n//mi; return $r }

for my $method (qw(GET HEAD)) {
    for my $p ('/ph/', '/ph403/') {
        my @cases = (
            ['not found (anonymous)', "${p}nobody", undef],
            ['not found (authenticated)', "${p}ghost-1", 't-sam'],
            ['not found (admin)', "${p}nobody", 't-adm'],
            ['blocked by the owner', "${p}act-full", 't-blockee'],
            ['blocked by the viewer', "${p}act-full", 't-blocker'],
            ['blocked, admin', "${p}rel-blocks-adm", 't-adm'],
            ['deleted', "${p}del-plain", undef],
            ['deleted, self', "${p}del-plain", 't-self-del-plain'],
            ['deleted, unknown state', "${p}del-unknown", 't-pal'],
            ['suspended', "${p}susp-plain", 't-sam'],
            ['suspended ("banned")', "${p}susp-banned", 't-pal'],
        );
        my @forbidden = (
            ['private, forbidden', "${p}priv-plain", undef],
            ['private, forbidden, follower', "${p}rel-follower-private", 't-sam'],
            ['private, forbidden, admin', "${p}priv-plain", 't-adm'],
        );
        push @cases, @forbidden if $p eq '/ph/';

        # without "states" (ACCESS_NO_STATES) every profile is active
        @cases = grep { $_->[1] !~ m{/(?:del|susp|priv|rel-follower-private)} }
                 @cases unless $with_states;
        @forbidden = () unless $with_states;

        my (undef, undef, undef, $ref) = raw($method, $cases[0][1], $cases[0][2]);
        $ref = scrub($ref // '');
        like($ref, qr/\AHTTP\/1\.1 404 /, "$method $p: the not-found answer");

        for my $c (@cases[1 .. $#cases]) {
            my (undef, undef, undef, $r) = raw($method, $c->[1], $c->[2]);
            is(scrub($r // ''), $ref,
               "$method $p: $c->[0] is byte-identical to not found");
        }

        next unless $p eq '/ph403/';

        for my $c (@forbidden) {
            my ($st, $h, $body) = raw($method, $c->[1], $c->[2]);
            is($st, 403, "$method $p: $c->[0] is 403 with profile_forbidden_status 403");
            like($body, qr/"type":"urn:ngx-http-profile:problem:forbidden"/,
                 "$method $p: $c->[0]: the forbidden problem") if $method eq 'GET';
        }
    }
}

# the spec's example: HEAD and GET of a blocked viewer, a spoofed header
# does not change the 404 either
{
    my (undef, undef, undef, $a) = raw('GET', '/ph/nobody', undef);
    my (undef, undef, undef, $b) = raw('GET', '/ph/act-full', 't-blockee',
                                       'X-User: act-full', 'X-Roles: admin');
    is(scrub($b // ''), scrub($a // ''),
       'blocked with spoofed X-User and X-Roles: still the not-found bytes');
}

my $log = Run::slurp("$dir/logs/error.log");
my @alerts = grep { /\[(?:alert|crit|emerg)\]|exited on signal/ } split /\n/, $log;
is(scalar @alerts, 0, 'no alert, crit or emerg, no crash') or diag(join "\n", @alerts[0 .. ($#alerts < 9 ? $#alerts : 9)]);
is(Run::sanitized($dir), '', 'no sanitizer report');

Run::stop($master);
$master = undef;

done_testing();
