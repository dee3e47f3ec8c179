#!/usr/bin/env perl
#
# ngx_http_profile_hash64() is XXH64: the per-record hash and the id
# index's slots are defined by it (docs/snapshot-format.md), so a change
# of its values would make every snapshot unreadable.  The module's
# decoder (ngx_http_profile_format.c, as the module, the CLI and the fuzz
# targets compile it) is built into a small program that hashes xxHash's
# sanity buffer, and the values must be the published ones:
#
#   - XSUM_XXH64_testdata of xxHash's cli/xsum_sanity_check.c (lengths
#     0, 1, 4, 14 and 222; seeds 0 and PRIME32);
#   - lengths 32 and 33 (one stripe, and one stripe and a byte), seed 0;
#   - seeds above 32 bits, as the index uses, from the reference
#     library (libxxhash 0.8.1's XXH64()).
#
# Each input is also hashed at an odd address, which must not matter.
# CC picks the compiler (default: gcc, cc, then clang); skips only when
# there is none.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use FindBin;
use Test::More;

my $root = abs_path("$FindBin::Bin/..");
my $module = "$root/ngx_http_profile_module";

# [ length of the sanity buffer's prefix, seed, XXH64 ]
my @vectors = (
    [   0, '0',                  'ef46db3751d8e999' ],
    [   0, '2654435761',         'ac75fda2929b17ef' ],
    [   1, '0',                  'e934a84adb052768' ],
    [   1, '2654435761',         '5014607643a9b4c3' ],
    [   4, '0',                  '9136a0dca57457ee' ],
    [  14, '0',                  '8282dcc4994e35c8' ],
    [  14, '2654435761',         'c3bd6bf63deb6df0' ],
    [ 222, '0',                  'b641ae8cb691c174' ],
    [ 222, '2654435761',         '20cb8ab7ae10c14a' ],
    [  32, '0',                  '18b216492bb44b70' ],
    [  33, '0',                  '55c8dc3e578f5b59' ],
    [ 100, '0x70726f66696c65',   'b3b32f96919c1f01' ],
    [4160, '0x9e3779b97f4a7c15', '4b50cab96fb0914a' ],
    [  31, '0xffffffffffffffff', '6ed1061f61c686e5' ],
);

my $prog = <<'EOF';
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_profile_format.h"

/* xxHash's sanity buffer (cli/xsum_sanity_check.c) */
static unsigned char  buf[4160], odd[4160 + 1];

int
main(int argc, char **argv)
{
    int         i;
    size_t      len;
    uint64_t    gen, seed, h, h2;

    gen = 2654435761U;

    for (i = 0; i < (int) sizeof(buf); i++) {
        buf[i] = (unsigned char) (gen >> 56);
        gen *= 11400714785074694797ULL;
    }

    memcpy(odd + 1, buf, sizeof(buf));

    for (i = 1; i + 1 < argc; i += 2) {
        len = strtoul(argv[i], NULL, 10);
        seed = strtoull(argv[i + 1], NULL, 0);

        h = ngx_http_profile_hash64(buf, len, seed);
        h2 = ngx_http_profile_hash64(odd + 1, len, seed);

        printf("%016llx %016llx\n", (unsigned long long) h,
               (unsigned long long) h2);
    }

    return 0;
}
EOF

my $cc = find_cc();
plan skip_all => 'no C compiler (set CC)' unless defined $cc;

my $tmp = tempdir(CLEANUP => 1);

open my $fh, '>', "$tmp/hash64.c" or die "$tmp/hash64.c: $!\n";
print {$fh} $prog;
close $fh;

my $out = `$cc -std=c99 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 \\
           -I'$module' -o '$tmp/hash64' '$tmp/hash64.c' \\
           '$module/ngx_http_profile_format.c' 2>&1`;

if (!is($?, 0, 'the decoder builds into the test program')) {
    diag($out);
    done_testing();
    exit;
}

my @args = map { ($_->[0], $_->[1]) } @vectors;
my @lines = split /\n/, `'$tmp/hash64' @args`;

is($?, 0, 'the test program runs');
is(scalar @lines, scalar @vectors, 'one hash a vector');

for my $i (0 .. $#vectors) {
    my ($len, $seed, $want) = @{ $vectors[$i] };
    my ($got, $odd) = split / /, $lines[$i] // '';

    is($got, $want, "XXH64 of $len bytes, seed $seed");
    is($odd, $got, "the same at an odd address ($len bytes, seed $seed)");
}

done_testing();


sub find_cc {
    my @cands = $ENV{CC} ? ($ENV{CC}) : ('gcc', 'cc', 'clang');

    for my $c (@cands) {
        return $c if system("$c --version >/dev/null 2>&1") == 0;
    }

    return undef;
}
