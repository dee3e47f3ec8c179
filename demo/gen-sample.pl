#!/usr/bin/env perl
#
# demo/gen-sample.pl: write the bundled sample, demo/profiles.ndjson.
#
#   perl demo/gen-sample.pl [COUNT] > demo/profiles.ndjson
#
# Core Perl only, and a PRNG of its own (xorshift32, seeded), so the
# output is byte-identical on every machine and perl version.  About
# 1 in 6 records is "legacy" or messy on purpose: old field names
# (displayName, user_name, mail, city/country at top level), numeric
# strings, "yes"/"no" booleans, epoch and other timestamp formats, an
# old schema_version marker, padded strings, duplicates (with a newer
# updated_at), duplicate keys, garbage lines, invalid ids and a few bytes
# of invalid UTF-8.  demo/schema.json describes the current shape.

use strict;
use warnings;
use utf8;

my $count = shift // 1000;
my $state = 20261128;

binmode STDOUT, ':raw';

# xorshift32: shifts and xors on 32 bits, exact in any perl
sub rnd {
    $state ^= ($state << 13) & 0xffffffff;
    $state ^= $state >> 17;
    $state ^= ($state << 5) & 0xffffffff;
    return $state;
}

sub below { return rnd() % $_[0] }
sub pick { return $_[0][below(scalar @{ $_[0] })] }
sub chance { return below(1000) < $_[0] * 1000 }

# a tiny JSON encoder with a fixed key order: [k => v, ...] is an object,
# \"text" is raw JSON (numbers with every digit), {a => [...]} an array
sub enc {
    my ($v) = @_;

    return 'null' unless defined $v;
    return $$v if ref $v eq 'SCALAR';
    if (ref $v eq 'HASH') {
        return '[' . join(',', map { enc($_) } @{ $v->{a} }) . ']';
    }
    if (ref $v eq 'ARRAY') {
        my @kv = @$v;
        my @out;
        while (my ($k, $x) = splice(@kv, 0, 2)) {
            push @out, str($k) . ':' . enc($x);
        }
        return '{' . join(',', @out) . '}';
    }
    return str($v);
}

sub str {
    my ($s) = @_;
    $s =~ s/(["\\])/\\$1/g;
    $s =~ s/\n/\\n/g;
    $s =~ s/\t/\\t/g;
    $s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
    utf8::encode($s);
    return qq("$s");
}

sub num { my $n = shift; return \"$n" }
sub arr { return { a => [@_] } }
sub true { return \'true' }
sub false { return \'false' }

my @first = qw(Alice Bob Carol Dave Eve Frank Grace Heidi Ivan Judy Mallory
               Niaj Olivia Peggy Rupert Sybil Trent Victor Walter);
push @first, 'Zoë', 'José', 'Ærøn', 'Chloé', 'Søren', 'Łukasz', 'Ñandú',
             '李', '東京', 'Олег', 'أحمد', 'Dvořák', '😀 Smiley', 'Renée';
my @last = ('Smith', 'Müller', 'García', "O'Brien", 'Nakamura', 'Kowalski',
            'da Silva', 'Ng', 'van der Berg', 'Ægir', 'Ivanov', 'Lee');
my @cities = (['Lisbon', 'PT', 38.72, -9.14], ['Oslo', 'NO', 59.91, 10.75],
              ['Tokyo', 'JP', 35.68, 139.69], ['São Paulo', 'BR', -23.55,
              -46.63], ['Zürich', 'CH', 47.37, 8.54], ['Nairobi', 'KE',
              -1.29, 36.82], ['Kraków', 'PL', 50.06, 19.94]);
my @tags = qw(music hiking rust c go photography chess cooking travel
              gardening running);
push @tags, 'café', 'ski ⛷', 'a/b';
my @bios = (
    'Hello, world.',
    'I say "hello" a lot.',
    "Line one\nLine two\n\tindented",
    'Backslashes \\ are fun: C:\\Users\\me',
    'URLs like https://example.com/a/b?c=d&e=f stay as they are',
    'Emoji 🎉🚀 and accents: naïve café',
    '<script>alert("x")</script> is just text',
    '',
    'Control: bell' . chr(7) . ' and null-ish ' . chr(1),
    'Quote at the end"',
);
my @langs = qw(en pt no ja de fr);
push @langs, 'EN', 'Portuguese', 'english';

sub ts {
    my ($t) = @_;
    my @g = gmtime($t);
    return sprintf('%04d-%02d-%02dT%02d:%02d:%02dZ', $g[5] + 1900, $g[4] + 1,
                   $g[3], $g[2], $g[1], $g[0]);
}

sub profile {
    my ($i, $legacy) = @_;

    my $id = chance(0.3) ? num(100000 + $i * 7)
           : chance(0.05) ? num('9007199254740' . sprintf('%03d', $i % 1000))
           : sprintf('u%05d', $i);
    my $name = pick(\@first) . ' ' . pick(\@last);
    my $c = pick(\@cities);
    my $created = 1262304000 + below(400000000);
    my $updated = $created + below(50000000);
    my @t = map { pick(\@tags) } 1 .. below(4);
    my $phone = sprintf('+%d %03d %04d', 1 + below(99), below(1000),
                        below(10000));
    my $birth = sprintf('%04d-%02d-%02d', 1950 + below(55), 1 + below(12),
                        1 + below(28));
    my $email = lc(sprintf('user%d@example.%s', $i, pick([qw(com org pt)])));
    my $followers = below(100000);
    my $rating = sprintf('%.1f', below(50) / 10);

    if (!$legacy) {
        return [
            id => $id,
            schema_version => num(3),
            name => $name,
            bio => chance(0.1) ? undef : pick(\@bios),
            avatar_url => "https://cdn.example.com/a/$i.png",
            links => chance(0.2) ? arr()
                   : arr([rel => 'home', href => "https://example.org/~$i"]),
            tags => arr(@t),
            location => chance(0.1) ? undef
                      : [city => $c->[0], country => $c->[1],
                         geo => [lat => num($c->[2]), lon => num($c->[3])]],
            verified => chance(0.5) ? true() : false(),
            followers => num($followers),
            rating => num($rating),
            language => pick([qw(en pt no ja de fr)]),
            created_at => ts($created),
            updated_at => ts($updated),
            email => $email,
            phone => chance(0.2) ? undef : $phone,
            birthdate => $birth,
        ];
    }

    # legacy shapes: schema_version 1 (flat location, old names) or 2
    my $v = chance(0.5) ? 1 : 2;
    my @p = (id => $id);
    push @p, schema_version => num($v) unless chance(0.3);
    push @p, (chance(0.5) ? 'displayName' : 'user_name') =>
             chance(0.2) ? "  $name  " : $name;
    push @p, bio => pick(\@bios);
    if ($v == 1) {
        push @p, city => $c->[0], country => $c->[1];
        push @p, mail => $email;
    } else {
        push @p, location => [city => $c->[0], country => $c->[1]];
        push @p, email => $email;
    }
    push @p, tags => chance(0.3) ? join(',', @t) : arr(@t);
    push @p, verified => pick(['yes', 'no', 'true', 'false', '1', '0',
                               num(1)]);
    push @p, followers => chance(0.5) ? "$followers" : num($followers);
    push @p, rating => chance(0.5) ? $rating : num($rating);
    push @p, language => pick(\@langs);
    push @p, created_at => pick([num($created), num($created * 1000),
                                 ts($created), sprintf('%s', scalar
                                 gmtime($created))]);
    push @p, updated_at => ts($updated);
    push @p, phone => $phone if chance(0.5);
    return \@p;
}

my @seen;

for my $i (1 .. $count) {
    my $roll = below(1000);

    if ($roll < 8) {
        print pick(['}{', '{"id": "broken", "name": ', 'not json at all',
                    '[1, 2, 3]', '{}', 'null']), "\n";
        next;
    }

    if ($roll < 14) {
        my $bad = pick(['has space', '', 'x' x 200, 'ü-umlaut', 'a/b',
                        num(-1), num(1.5), true()]);
        print enc([id => $bad, name => 'Invalid Id']), "\n";
        next;
    }

    if ($roll < 18) {
        # invalid UTF-8 inside a string, and a duplicate key
        print $roll < 16
            ? qq({"id": "bad-utf8-$i", "name": "Caf\xe9 \xff\xfe"}\n)
            : qq({"id": "dupkey-$i", "name": "first", "name": "second"}\n);
        next;
    }

    if ($roll < 40 && @seen) {
        # a duplicate of an earlier id, updated later
        my $p = profile($i, 0);
        $p->[1] = pick(\@seen);
        print enc($p), "\n";
        next;
    }

    my $p = profile($i, $roll > 850);
    push @seen, $p->[1] if @seen < 200;
    print enc($p), "\n";
}
