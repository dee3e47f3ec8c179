#!/usr/bin/env perl
#
# ngx_http_profile_accept_choose() (ngx_http_profile_accept.c), the
# Accept negotiation of views (docs/views.md, "Selecting a view by
# Accept"), against a table of cases: a header (or none), the offers'
# subtypes, the default view's index, and the index the rules give.
# The module's file is compiled alone into a small program, with
# -fsanitize=address,undefined when the compiler has them; each header
# and each offer is handed over in a buffer of its exact size, so a
# read past one is a sanitizer report (and a failed run).  CC picks the
# compiler (default: gcc, cc, then clang); skips only when there is
# none.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use FindBin;
use Test::More;

my $root = abs_path("$FindBin::Bin/..");
my $module = "$root/ngx_http_profile_module";

# the views of most cases: 0 web (the default of most), 1 mobile, 2 v1
my @std = qw(vnd.profile.web+json vnd.profile.mobile+json
             vnd.profile.v1+json);

my $web = 'application/vnd.profile.web+json';
my $mob = 'application/vnd.profile.mobile+json';
my $v1 = 'application/vnd.profile.v1+json';

# [ name, header (undef: none), offers, def, expected index ]
my @cases = (
    # no header, empty headers
    [ 'no header: the default', undef, \@std, 0, 0 ],
    [ 'no header: another default', undef, \@std, 2, 2 ],
    [ 'no header, no default: offer 0', undef, \@std, -1, 0 ],
    [ 'empty header: the default', '', \@std, 1, 1 ],
    [ 'only commas and whitespace: the default', " ,\t, ,", \@std, 1, 1 ],
    [ 'only commas, no default: offer 0', ',,', \@std, -1, 0 ],

    # exact media types, application/json
    [ 'one exact type', $mob, \@std, 0, 1 ],
    [ 'application/json is the default', 'application/json', \@std, 0, 0 ],
    [ 'application/json follows the default', 'application/json',
      \@std, 2, 2 ],
    [ 'application/json without a default: 406', 'application/json',
      \@std, -1, -1 ],
    [ 'a def out of range is no default', 'application/json', \@std, 3, -1 ],
    [ 'a def out of range, no header: offer 0', undef, \@std, 7, 0 ],
    [ 'an offer named json is matched by application/json too',
      'application/json', [ 'vnd.profile.web+json', 'json' ], 0, 0 ],
    [ 'an offer named json, no default', 'application/json',
      [ 'vnd.profile.web+json', 'json' ], -1, 1 ],
    [ 'another type only: 406', 'text/html', \@std, 0, -1 ],
    [ 'text/*: well formed, names no view: 406', 'text/*', \@std, 0, -1 ],

    # wildcards
    [ '*/*: the default', '*/*', \@std, 2, 2 ],
    [ '*/* without a default: offer 0', '*/*', \@std, -1, 0 ],
    [ 'application/*: the default', 'application/*', \@std, 1, 1 ],
    [ 'application/* without a default: offer 0', 'application/*',
      \@std, -1, 0 ],
    [ 'a browser header: */* at q=0.8 gives the default',
      'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      \@std, 1, 1 ],

    # q=0
    [ 'q=0 excludes the exact view, */* gives the others',
      "$web;q=0, */*", \@std, 0, 1 ],
    [ '*/*;q=0 alone: 406', '*/*;q=0', \@std, 0, -1 ],
    [ 'q=0.000 excludes', "$mob;q=0.000", \@std, 0, -1 ],
    [ 'application/json;q=0 excludes the default, */* the rest',
      'application/json;q=0, */*', \@std, 0, 1 ],
    [ 'the exact q=0 is kept though application/* comes first',
      "application/*, $mob;q=0", \@std, 1, 0 ],

    # highest q, the most specific range's q
    [ 'the higher q wins', "$mob;q=0.5, $v1;q=0.8", \@std, 0, 2 ],
    [ 'the most specific range gives the q, even a lower one',
      "$web;q=0.2, */*", \@std, 0, 1 ],
    [ 'among equally specific ranges the first',
      "$v1;q=0.3, $v1;q=0.9, $web;q=0.5", \@std, 1, 0 ],
    [ 'application/json and the default subtype: the first',
      "application/json;q=0.1, $web;q=0.9, $mob;q=0.5", \@std, 0, 1 ],
    [ 'a lower explicit q on the default loses to */*',
      '*/*;q=0.5, application/json;q=0.4', \@std, 0, 1 ],

    # ties
    [ 'tie: offer order', "$v1, $mob", \@std, 0, 1 ],
    [ 'tie: exact beats application/*',
      "application/*;q=0.5, $v1;q=0.5", \@std, 0, 2 ],
    [ 'application/* is more specific than */*',
      "*/*, application/*;q=0.2, $mob;q=0.3", \@std, 0, 1 ],
    [ 'tie of exact ranges: the default',
      "$mob;q=0.5,application/json;q=0.5", \@std, 0, 0 ],
    [ 'tie of wildcards: the default', '*/*', \@std, 1, 1 ],
    [ 'tie: exact beats the default through a wildcard',
      "*/*, $v1", \@std, 0, 2 ],

    # q forms
    [ 'q=1.000', "$mob;q=1.000, $v1;q=0.999", \@std, 0, 1 ],
    [ 'q=0.001 is acceptable', "$mob;q=0.001", \@std, 0, 1 ],
    [ 'q=0. and q=1. are qvalues', "$mob;q=0., $v1;q=1.", \@std, 0, 2 ],
    [ 'Q=0.5 is a weight', "$mob;Q=0.5, $v1;q=0.499", \@std, 0, 1 ],
    [ 'three decimals compare', "$mob;q=0.12, $v1;q=0.121", \@std, 0, 2 ],

    # malformed q: the element is ignored
    [ 'q=1.5 ignores the element', "$mob;q=1.5, $v1;q=0.1", \@std, 0, 2 ],
    [ 'q=0.1234 ignores the element', "$mob;q=0.1234, $v1;q=0.1",
      \@std, 0, 2 ],
    [ 'q=.5 ignores the element', "$mob;q=.5, $v1;q=0.1", \@std, 0, 2 ],
    [ 'q=1.001 ignores the element', "$mob;q=1.001, $v1;q=0.1",
      \@std, 0, 2 ],
    [ 'q=01 ignores the element', "$mob;q=01, $v1;q=0.1", \@std, 0, 2 ],
    [ 'a quoted q ignores the element', "$mob;q=\"0.5\", $v1;q=0.1",
      \@std, 0, 2 ],
    [ 'an empty q ignores the element', "$mob;q=, $v1;q=0.1", \@std, 0, 2 ],
    [ 'q=abc ignores the element', "$mob;q=abc, $v1;q=0.1", \@std, 0, 2 ],
    [ 'two q ignore the element', "$mob;q=0.9;q=0.9, $v1;q=0.1",
      \@std, 0, 2 ],
    [ 'a malformed q=0 excludes nothing', "*/*;q=0.0000, $v1;q=0.1",
      \@std, 0, 2 ],

    # parameters
    [ 'parameters are ignored for matching',
      "$mob;charset=utf-8;v=2", \@std, 0, 1 ],
    [ 'parameters after q', "$mob;q=0.5;v=2, $v1;q=0.4", \@std, 0, 1 ],
    [ 'empty parameters', "$mob;;q=0.5;, $v1;q=0.4", \@std, 0, 1 ],
    [ 'empty parameters, q read', "$mob;;q=0.5;, $v1;q=0.6", \@std, 0, 2 ],
    [ 'a parameter without a value ignores the element',
      "$mob;foo, $v1;q=0.1", \@std, 0, 2 ],
    [ 'a parameter without a name ignores the element',
      "$mob;=1, $v1;q=0.1", \@std, 0, 2 ],

    # quoted strings
    [ 'a comma inside a quoted string does not split',
      "$v1;x=\"a,$mob\",text/html", \@std, 0, 2 ],
    [ 'an escaped quote does not end the string',
      "$v1;x=\"a\\\",$mob\"", \@std, 0, 2 ],
    [ 'a quoted string ends at its quote', "$v1;x=\"a\\\\\",$mob",
      \@std, 0, 1 ],
    [ 'a quoted value before q', "$mob;x=\"a;q=0\";q=0.5, $v1;q=0.4",
      \@std, 0, 1 ],
    [ 'a control character in a quoted string: malformed, not split',
      "$web;x=\"\x01,$mob\", $v1;q=0.5", \@std, 0, 2 ],
    [ 'a bad escape in a quoted string: malformed, not split',
      "$web;x=\"\\\x01,$mob\", $v1;q=0.5", \@std, 0, 2 ],
    [ 'obs-text in a quoted string is fine',
      "$mob;x=\"caf\xc3\xa9\"", \@std, 0, 1 ],
    [ 'an unclosed quoted string takes the rest of the header',
      "$v1;q=0.5, text/plain;x=\"abc, $mob", \@std, 0, 2 ],
    [ 'a quote where a token belongs still opens a string',
      "appl\"ication/x, $mob\", $v1;q=0.2", \@std, 0, 2 ],
    [ 'text after a quoted value: malformed',
      "$mob;x=\"a\"b, $v1;q=0.1", \@std, 0, 2 ],

    # case
    [ 'type and subtype are case-insensitive', uc $mob, \@std, 0, 1 ],
    [ 'offers are case-insensitive', $web,
      [ 'Vnd.Profile.Web+JSON', 'vnd.profile.mobile+json' ], 1, 0 ],
    [ 'Application/JSON', 'Application/JSON', \@std, 2, 2 ],
    [ 'APPLICATION/*', 'APPLICATION/*;Q=0.5', \@std, 1, 1 ],

    # whitespace
    [ 'whitespace around , ; =',
      " \t$v1 \t; \t q \t= \t0.5 \t, $mob ; q=0.4 ", \@std, 0, 2 ],
    [ 'whitespace around / is malformed',
      "application / vnd.profile.v1+json, $mob;q=0.1", \@std, 0, 1 ],
    [ 'whitespace inside a subtype is malformed',
      "application/vnd.profile. v1+json, $mob;q=0.1", \@std, 0, 1 ],

    # malformed elements
    [ 'malformed elements are skipped',
      "no-slash, /json, application/, */json, a/b/c, $mob", \@std, 0, 1 ],
    [ 'only malformed elements: as no header', 'garbage', \@std, 1, 1 ],
    [ 'only malformed, no default: offer 0', '*/json', \@std, -1, 0 ],
    [ 'a CR after the subtype is malformed', "$mob\r, $v1;q=0.3",
      \@std, 0, 2 ],
    [ 'obs-text in a token is malformed', "application/m\xc3\xa9, $v1",
      \@std, 0, 2 ],
    [ 'a NUL in a token is malformed', "$mob\x00x, $v1;q=0.1", \@std, 0, 2 ],
    [ 'malformed then only a well-formed miss: 406', "garbage, text/html",
      \@std, 0, -1 ],

    # long headers: 128 elements are read
    [ 'element 128 is read',
      join(',', ('text/plain') x 127, $mob), \@std, 0, 1 ],
    [ 'element 129 is not read',
      join(',', ('text/plain') x 128, $mob), \@std, 0, -1 ],
    [ 'elements beyond 128 are not read, a */* among them',
      join(',', ('text/plain') x 200, '*/*'), \@std, 0, -1 ],
    [ 'malformed elements count as elements',
      join(',', ('x') x 128, $mob), \@std, 2, 2 ],
    [ 'empty elements do not count',
      (',' x 300) . " , \t," . $mob, \@std, 0, 1 ],
    [ 'one long quoted string',
      "$v1;x=\"" . ('a,' x 50000) . "\", $mob;q=0.5", \@std, 0, 2 ],
    [ 'a long subtype that is no offer',
      "application/" . ('x' x 70000) . ", $v1;q=0.1", \@std, 0, 2 ],

    # offers
    [ 'no offers: -1', '*/*', [], -1, -1 ],
    [ '65 offers: -1', '*/*', [ map { "v$_" } 0 .. 64 ], 0, -1 ],
    [ '64 offers, the last chosen', 'application/v63',
      [ map { "v$_" } 0 .. 63 ], 0, 63 ],
    [ '64 offers, application/* with the last as default', 'application/*',
      [ map { "v$_" } 0 .. 63 ], 63, 63 ],
    [ 'an empty offer is matched by wildcards only',
      'application/x, */*;q=0.5', [ '', 'x' ], 0, 1 ],
    [ 'a prefix of an offer is not the offer', 'application/vnd.profile',
      \@std, 0, -1 ],
);

my $prog = <<'EOF';
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_profile_accept.h"

/* "DEF NOFFERS HEX|-|= HEXOFFER..." per line: the chosen index */

static unsigned char *
unhex(const char *s, size_t *n)
{
    size_t          i, len;
    unsigned int    b;
    unsigned char  *p;

    len = strlen(s) / 2;
    p = malloc(len ? len : 1);

    if (p == NULL) {
        exit(2);
    }

    for (i = 0; i < len; i++) {
        if (sscanf(s + 2 * i, "%2x", &b) != 1) {
            exit(2);
        }

        p[i] = (unsigned char) b;
    }

    *n = len;

    return p;
}

int
main(void)
{
    int                        def;
    char                      *tok, *line;
    size_t                     len, cap;
    unsigned                   i, n;
    unsigned char             *value;
    ngx_http_profile_offer_t   offers[80];

    line = NULL;
    cap = 0;

    while (getline(&line, &cap, stdin) > 0) {
        line[strcspn(line, "\n")] = '\0';

        def = atoi(strtok(line, " "));
        n = (unsigned) atoi(strtok(NULL, " "));
        tok = strtok(NULL, " ");

        if (strcmp(tok, "-") == 0) {
            value = NULL;
            len = 0;

        } else {
            value = unhex(strcmp(tok, "=") == 0 ? "" : tok, &len);
        }

        for (i = 0; i < n; i++) {
            tok = strtok(NULL, " ");
            offers[i].subtype = unhex(strcmp(tok, "=") == 0 ? "" : tok,
                                      &offers[i].len);
        }

        printf("%d\n", ngx_http_profile_accept_choose(value, len, offers, n,
                                                      def));

        free(value);

        for (i = 0; i < n; i++) {
            free((void *) offers[i].subtype);
        }
    }

    free(line);

    return 0;
}
EOF

my $cc = find_cc();
plan skip_all => 'no C compiler (set CC)' unless defined $cc;

my $tmp = tempdir(CLEANUP => 1);

spew("$tmp/accept.c", $prog);

my $san = '-fsanitize=address,undefined -fno-sanitize-recover=all';
$san = '' unless system("$cc $san -o '$tmp/probe' '$tmp/accept.c' "
                        . "-I'$module' '$module/ngx_http_profile_accept.c' "
                        . ">/dev/null 2>&1") == 0
                 && system("'$tmp/probe' </dev/null >/dev/null 2>&1") == 0;

note("compiler $cc, sanitizers: " . ($san || 'none'));

my $out = `$cc -std=c99 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 $san \\
           -I'$module' -o '$tmp/accept' '$tmp/accept.c' \\
           '$module/ngx_http_profile_accept.c' 2>&1`;

if (!is($?, 0, 'ngx_http_profile_accept.c builds into the test program')) {
    diag($out);
    done_testing();
    exit;
}

my $input = '';

for my $c (@cases) {
    my ($name, $header, $offers, $def) = @$c;

    $input .= join(' ', $def, scalar @$offers,
                   hexof($header),
                   map { hexof($_) } @$offers) . "\n";
}

spew("$tmp/cases", $input);

local $ENV{ASAN_OPTIONS} = 'detect_leaks=1'
    . ($ENV{ASAN_OPTIONS} ? ":$ENV{ASAN_OPTIONS}" : '');

my @got = split /\n/, `'$tmp/accept' <'$tmp/cases' 2>'$tmp/stderr'`;

is($?, 0, 'the test program runs') or diag(slurp("$tmp/stderr"));
is(slurp("$tmp/stderr"), '', 'no sanitizer report');
is(scalar @got, scalar @cases, 'one answer a case');
cmp_ok(scalar @cases, '>=', 40, 'at least 40 cases');

for my $i (0 .. $#cases) {
    my ($name, $header, $offers, $def, $want) = @{ $cases[$i] };

    is($got[$i], $want, "$name (def $def)");
}

done_testing();


sub hexof {
    my ($s) = @_;

    return '-' unless defined $s;
    return '=' if $s eq '';
    return unpack('H*', $s);
}


sub spew {
    my ($path, $data) = @_;

    open my $fh, '>:raw', $path or die "$path: $!\n";
    print {$fh} $data;
    close $fh or die "$path: $!\n";
}


sub slurp {
    my ($path) = @_;

    open my $fh, '<:raw', $path or die "$path: $!\n";
    local $/;
    return <$fh>;
}


sub find_cc {
    my @cands = $ENV{CC} ? ($ENV{CC}) : ('gcc', 'cc', 'clang');

    for my $c (@cands) {
        return $c if system("$c --version >/dev/null 2>&1") == 0;
    }

    return undef;
}
