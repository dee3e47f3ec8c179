# t/access/Oracle.pm: the access rules of docs/access-rules.md, written
# again from the documents alone, for t/access-matrix.t.
#
# It reads what the compiler reads (the schema JSON, the profiles NDJSON,
# the relations NDJSON), never the compiler's report or the snapshot, and
# shares no code with the module or with profile-snapshot.  Core Perl and
# JSON::PP only.
#
# What it implements, and where the rule is written:
#   - audiences and roles ................. docs/schema.md "Audiences and roles",
#                                           docs/access-rules.md "Audiences a viewer gets"
#   - privacy settings (map, legacy list, clamping, unknown values, wrong
#     shapes, none) ......................... docs/schema.md "Privacy settings"
#   - relations (follows, friend edge either way or mutual follows,
#     blocked either way) ................... docs/cli.md "Relations",
#                                           docs/access-rules.md "Viewers"
#   - states (the "states" schema key), the stub, existence hiding
#                                           docs/access-rules.md "Profile states",
#                                           "Decision order", "Hidden fields"
#
# The fixtures keep their values clean, so the only repairs of the
# compiler reproduced here are the documented ones that decide access:
# an integer id is its decimal string (docs/schema.md "The id") and a
# value of the wrong JSON type for its field is dropped (the default
# on_invalid "drop"; the fixtures use it for one state value only).
#
#   my $o = Oracle->new(schema => F, profiles => F, relations => F);
#   my $r = $o->decide($viewer_id, $roles, $owner_id, %options);
#   # $r = { status => 200, fields => [[name, value], ...], kind => ...,
#   #        relation => ..., why => ... }  or  { status => 404, why => ... }
#
# Options: private_mode => 'stub' | 'not_found', forbidden_status =>
# 404 | 403, hidden_fields => 'omit' | 'null', block => 'both' | 'owner'
# | 'viewer'.  Every doubt is resolved towards showing less.

package Oracle;

use strict;
use warnings;

use JSON::PP ();

my @BUILTIN = qw(public authenticated follower friend self);
my %RANK = map { $BUILTIN[$_] => $_ } 0 .. $#BUILTIN;
my @STATES = qw(active private suspended deleted);
my $ID_RE = qr/\A[A-Za-z0-9._~-]{1,128}\z/;

sub slurp_lines {
    my ($path) = @_;
    open(my $fh, '<:raw', $path) or die "$path: $!\n";
    my @l = grep { /\S/ } <$fh>;
    close $fh;
    return @l;
}

sub new {
    my ($class, %a) = @_;
    my $json = JSON::PP->new->utf8;
    my $self = bless { json => $json }, $class;

    open(my $fh, '<:raw', $a{schema}) or die "$a{schema}: $!\n";
    my $schema = $json->decode(do { local $/; <$fh> });
    close $fh;
    $self->{schema} = $schema;
    $self->{id_member} = $schema->{id} // 'id';
    $self->{roles} = { map { $_ => 1 } @{ $schema->{roles} // [] } };
    $self->{privacy} = $schema->{privacy} // {};
    $self->{states} = $schema->{states};

    for my $f (@{ $schema->{fields} }) {
        my $aud = $f->{audience} // $f->{visibility} // 'public';
        push @{ $self->{fields} }, {
            name => $f->{name},
            type => $f->{type},
            audience => $aud,
            range => $f->{audience_range},
            roles => { map { $_ => 1 } @{ $f->{roles} // [] } },
        };
        $self->{field}{ $f->{name} } = $self->{fields}[-1];
    }

    for my $line (slurp_lines($a{profiles})) {
        my $r = $json->decode($line);
        my $id = $r->{ $self->{id_member} };
        $id = "$id";    # an integer id is its decimal digits
        $self->{profiles}{$id} = $r;
        push @{ $self->{ids} }, $id;
    }

    # edges: the set of (from, to, kind); bad lines never count
    for my $line ($a{relations} ? slurp_lines($a{relations}) : ()) {
        my $e = eval { $json->decode($line) };
        next unless ref $e eq 'HASH';
        my ($f, $t, $k) = @$e{qw(from to kind)};
        next unless defined $f && defined $t && defined $k && !ref $k;
        next if ref $f || ref $t;
        ($f, $t) = ("$f", "$t");
        next unless $f =~ $ID_RE && $t =~ $ID_RE && $f ne $t;
        next unless $k =~ /\A(?:follows|friend|blocked)\z/;
        $self->{edge}{$f}{$t}{$k} = 1;
    }

    return $self;
}

sub ids { return @{ $_[0]{ids} } }

sub profile { return $_[0]{profiles}{ $_[1] } }

sub field_names { return map { $_->{name} } @{ $_[0]{fields} } }

sub edge {
    my ($self, $f, $t, $k) = @_;
    return $self->{edge}{$f} && $self->{edge}{$f}{$t}
           && $self->{edge}{$f}{$t}{$k} ? 1 : 0;
}

# the JSON type of a decoded value, as the schema names types
sub json_type_ok {
    my ($type, $v) = @_;
    return 1 if !defined $v;    # null is accepted (nullable by default)
    my $bool = JSON::PP::is_bool($v);
    return $type eq 'boolean' ? $bool : 0 if $bool;
    return $type eq 'object' if ref $v eq 'HASH';
    return $type eq 'array' if ref $v eq 'ARRAY';
    return 0 if ref $v;
    # a scalar: JSON::PP keeps numbers as numbers (flags), strings as PV
    my $is_num = (B::svref_2object(\$v)->FLAGS & (B::SVp_IOK() | B::SVp_NOK()))
                 && !(B::svref_2object(\$v)->FLAGS & B::SVp_POK());
    return $is_num ? ($type eq 'integer' ? $v == int($v) : 0)
                     || $type eq 'number'
                   : ($type eq 'string' || $type eq 'timestamp');
}

use B ();

# docs/schema.md "Privacy settings": the audience of each field in record R
sub audiences {
    my ($self, $r) = @_;
    my %aud = map { $_->{name} => $_->{audience} } @{ $self->{fields} };
    my $p = $self->{privacy};
    my ($mname, $lname) = ($p->{map}, $p->{list});
    my $has_map = defined $mname && exists $r->{$mname};
    my $has_list = defined $lname && exists $r->{$lname};
    my @ranged = grep { $_->{range} } @{ $self->{fields} };

    if (($has_map && ref $r->{$mname} ne 'HASH')
        || ($has_list && ref $r->{$lname} ne 'ARRAY'))
    {
        # a member of the wrong shape: every ranged field its narrowest
        # audience, and the other member is not applied
        $aud{ $_->{name} } = $_->{range}[1] for @ranged;
        return \%aud;
    }

    my %want;    # field -> requested audience, or undef for "unknown"

    if ($has_list) {
        for my $n (@{ $r->{$lname} }) {
            next if !defined $n || ref $n;
            next unless $self->{field}{$n};
            $want{$n} = 'self';
        }
    }

    if ($has_map) {
        my $m = $r->{$mname};
        for my $n (keys %$m) {
            next unless $self->{field}{$n};
            my $v = $m->{$n};
            my $a = (defined $v && !ref $v && !JSON::PP::is_bool($v)
                     && B::svref_2object(\$v)->FLAGS & B::SVp_POK())
                    ? $p->{values}{$v} : undef;
            $want{$n} = defined $a ? $a : undef;   # unknown: narrowest
        }
    }

    for my $n (keys %want) {
        my $f = $self->{field}{$n};
        next unless $f->{range};    # fixed audience: the setting is ignored
        my ($w, $nw) = @{ $f->{range} };
        my $a = $want{$n};
        if (!defined $a || !exists $RANK{$a}) {
            $aud{$n} = $nw;
        } elsif ($RANK{$a} < $RANK{$w}) {
            $aud{$n} = $w;
        } elsif ($RANK{$a} > $RANK{$nw}) {
            $aud{$n} = $nw;
        } else {
            $aud{$n} = $a;
        }
    }

    return \%aud;
}

# the profile's state: the four names map to themselves, states.values
# maps others, absent or null is the default, anything else is deleted
sub state {
    my ($self, $r) = @_;
    my $s = $self->{states} or return 'active';
    my $v = $r->{ $s->{field} };
    return $s->{default} // 'active' unless defined $v;
    return 'deleted' if ref $v || JSON::PP::is_bool($v)
                        || !(B::svref_2object(\$v)->FLAGS & B::SVp_POK());
    return $v if grep { $_ eq $v } @STATES;
    my $m = $s->{values} && $s->{values}{$v};
    return $m if defined $m && grep { $_ eq $m } @STATES;
    return 'deleted';
}

sub state_roles {
    my ($self, $state) = @_;
    my $s = $self->{states} or return {};
    return { map { $_ => 1 } @{ ($s->{roles} // {})->{$state} // [] } };
}

# the viewer's kind towards OWNER: anonymous, self, blocked, friend,
# follower or none (docs/access-rules.md "Viewers")
sub relation {
    my ($self, $v, $owner, $block) = @_;
    $block //= 'both';
    return 'anonymous' unless defined $v && $v =~ $ID_RE;
    return 'self' if $v eq $owner;
    my $by_owner = $self->edge($owner, $v, 'blocked');
    my $by_viewer = $self->edge($v, $owner, 'blocked');
    return 'blocked' if ($block ne 'viewer' && $by_owner)
                        || ($block ne 'owner' && $by_viewer);
    return 'friend' if $self->edge($v, $owner, 'friend')
                       || $self->edge($owner, $v, 'friend')
                       || ($self->edge($v, $owner, 'follows')
                           && $self->edge($owner, $v, 'follows'));
    return 'follower' if $self->edge($v, $owner, 'follows');
    return 'none';
}

# the roles that count: declared ones, and only for a viewer with an
# identity (comma- or space-separated)
sub viewer_roles {
    my ($self, $v, $roles) = @_;
    return {} unless defined $v && $v =~ $ID_RE;
    return { map { $_ => 1 } grep { $self->{roles}{$_} }
             split /[\s,]+/, $roles // '' };
}

sub granted {
    my ($kind) = @_;
    my %g = (public => 1);
    $g{authenticated} = 1 if $kind =~ /\A(?:none|follower|friend|self)\z/;
    $g{follower} = 1 if $kind =~ /\A(?:follower|friend|self)\z/;
    $g{friend} = 1 if $kind =~ /\A(?:friend|self)\z/;
    return \%g;
}

# may the viewer see field F whose audience in this record is AUD?
sub sees {
    my ($self, $f, $aud, $kind, $roles) = @_;
    return 0 if $aud eq 'never';
    return 1 if $kind eq 'self';
    return 1 if granted($kind)->{$aud};
    return 1 if $roles->{$aud};                      # a role audience
    return 1 if grep { $f->{roles}{$_} } keys %$roles;   # the field's roles
    return 0;
}

sub decide {
    my ($self, $v, $rolestr, $owner, %o) = @_;
    my $mode = $o{private_mode} // 'stub';
    my $forbidden = $o{forbidden_status} // 404;
    my $null = ($o{hidden_fields} // 'omit') eq 'null';

    my $r = $self->{profiles}{$owner};
    return { status => 404, why => 'not found' } unless $r;

    my $kind = $self->relation($v, $owner, $o{block});
    my $roles = $self->viewer_roles($v, $rolestr);
    my $state = $self->state($r);
    my $sr = $self->state_roles($state);
    my $granted_state = grep { $sr->{$_} } keys %$roles;
    my %base = (kind => $kind, relation => $kind, state => $state);

    return { %base, status => 404, why => 'hidden: blocked' }
        if $kind eq 'blocked';
    return { %base, status => 404, why => 'hidden: deleted' }
        if $state eq 'deleted' && !$granted_state;
    return { %base, status => 404, why => 'hidden: suspended' }
        if $state eq 'suspended' && $kind ne 'self' && !$granted_state;

    my $stub = 0;
    if ($state eq 'private' && $kind ne 'self' && $kind ne 'friend'
        && !$granted_state)
    {
        return { %base, status => $forbidden, why => 'forbidden: private' }
            if $mode eq 'not_found';
        $stub = 1;
    }

    my %in_stub = map { $_ => 1 } @{ $self->{states} ? $self->{states}{stub} // [] : [] };
    my $aud = $self->audiences($r);
    my @out;

    for my $f (@{ $self->{fields} }) {
        my $n = $f->{name};
        my $a = $aud->{$n};
        next if $a eq 'never';
        my $show = $self->sees($f, $a, $kind, $roles)
                   && (!$stub || $in_stub{$n});
        my $is_id = $n eq $self->{id_member};
        # the id member as a string field holds an integer id as its
        # decimal string (docs/schema.md "The id")
        my $has = exists $r->{$n}
                  && ($is_id || json_type_ok($f->{type}, $r->{$n}));
        my $val = $has ? $r->{$n} : undef;
        $val = "$val" if $is_id && defined $val;
        if ($show) {
            push @out, [$n, $val] if $has;
        } elsif ($null) {
            push @out, [$n, undef];
        }
    }

    return { %base, status => 200, fields => \@out,
             why => $stub ? 'stub: private' : 'fields' };
}

# the fields as a JSON object text, in order (for messages and files)
sub render {
    my ($self, $res) = @_;
    return "$res->{status} ($res->{why})" unless $res->{status} == 200;
    my $j = JSON::PP->new->canonical->allow_nonref;
    return '{' . join(',', map { $j->encode($_->[0]) . ':' . $j->encode($_->[1]) }
                           @{ $res->{fields} }) . '}';
}

1;
