#!/usr/bin/env perl
#
# Replays the fuzz targets' committed inputs (docs/fuzzing.md) without
# libFuzzer: each target of tools/fuzz/ is built with a plain main()
# (tools/fuzz/fz_main.c) that runs LLVMFuzzerTestOneInput() on files,
# with -fsanitize=address,undefined when the compiler has them, and run
# on
#
#   tools/fuzz/corpus/TARGET/     the seeds: must all pass
#   tools/fuzz/regress/TARGET/    inputs that crashed once: each must
#                                 pass, except those listed in %open
#                                 below (bugs not fixed yet), which run
#                                 as TODO tests
#
# CC picks the compiler (default: gcc, cc, then clang).  The "ndjson",
# "schema", "encode" and "parse" targets need jansson, LMDB and libcrypto
# headers; without them only "record", "tables", "index" and "accept"
# run.  Skips only when there is no compiler; without xxhash.h
# (libxxhash-dev), which every target compiles in, it fails at once.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use FindBin;
use Test::More;

my $root = abs_path("$FindBin::Bin/..");
my $fuzz = "$root/tools/fuzz";

# reproducers of bugs still open: "TARGET/FILE" => "what and where".
# They run with FUZZ_NO_WORKAROUNDS=1, which turns off the targets' ways
# around them (docs/fuzzing.md "Findings").
my %open = (
);

my $tmp = tempdir(CLEANUP => 1);

my $cc = find_cc();
plan skip_all => 'no C compiler (set CC)' unless defined $cc;
plan skip_all => 'no make' unless system('make --version >/dev/null 2>&1') == 0;

my $san = '-fsanitize=address,undefined -fno-sanitize-recover=all';
$san = '' unless try_build($cc, $san, "int main(void) { return 0; }\n", 1);

# every target compiles the module's decoder, which inlines xxhash.h
if (!ok(try_build($cc, '', "#define XXH_INLINE_ALL\n#include <xxhash.h>\n"
                           . "int main(void) { return XXH64(\"\", 0, 0) "
                           . "!= 0xef46db3751d8e999ULL; }\n", 1),
        'xxhash.h is there (libxxhash-dev)'))
{
    done_testing();
    exit;
}

my $cli = try_build($cc, $san,
                    "#include <jansson.h>\n#include <lmdb.h>\n"
                    . "#include <openssl/evp.h>\n"
                    . "int main(void) { json_decref(json_null()); "
                    . "EVP_MD_CTX_free(EVP_MD_CTX_new()); "
                    . "return mdb_version(0, 0, 0) == 0; }\n",
                    0, '-ljansson -llmdb -lcrypto');

my @targets = ('record', 'tables', 'index', 'accept', 'plan', 'etag',
               $cli ? ('ndjson', 'schema', 'encode') : ());

# the CLI's fast line parser has its own target while it exists
push @targets, 'parse'
    if $cli && -f "$root/tools/profile-snapshot/ps_parse.h";

note("compiler $cc, sanitizers: " . ($san || 'none')
     . ($cli ? '' : '; no jansson/LMDB/libcrypto: the CLI\'s targets '
                    . 'skipped'));

local $ENV{ASAN_OPTIONS} = 'detect_leaks=1:abort_on_error=0'
    . ($ENV{ASAN_OPTIONS} ? ":$ENV{ASAN_OPTIONS}" : '');
local $ENV{UBSAN_OPTIONS} = 'print_stacktrace=1:halt_on_error=1';
local $ENV{FUZZ_STATS} = 1;

my $build = "$tmp/build";
my @bins = map { "$build/$_" } @targets;

# one command: make with the sanitizers, building exactly @bins
my $make = "make -s -C '$fuzz' MODE=replay BUILD='$build' CC='$cc' "
           . "SAN='$san' @bins";
my $out = `$make 2>&1`;

if (!is($?, 0, 'the targets build without libFuzzer')) {
    diag($out);
    done_testing();
    exit;
}

for my $t (@targets) {
    my @seeds = sort grep { -f } glob("$fuzz/corpus/$t/*");

    ok(@seeds > 0, "$t: has seeds");

    my ($rc, $log) = replay("$build/$t", "$fuzz/corpus/$t");
    my $n = scalar @seeds;

    ok($rc == 0 && $log =~ /^ok $n$/m, "$t: its $n seeds pass")
        or diag(tail($log));

    if ($t eq 'index') {
        my ($found) = $log =~ /fz_index: (\d+) found/;
        ok(defined $found && $found > 0,
           "$t: the seeds' lookups find records")
            or diag(tail($log));
    }

    if ($t eq 'accept') {
        my ($chosen, $none, $absent) =
            $log =~ /fz_accept: (\d+) chosen, (\d+) none acceptable, (\d+)/;
        ok(defined $chosen && $chosen > 0 && $none > 0 && $absent > 0,
           "$t: the seeds choose a view, none, and read as no header")
            or diag(tail($log));
    }

    if ($t eq 'plan') {
        my ($written, $embedded, $sets) =
            $log =~ /fz_plan: (\d+) written, (\d+) with an embedded record, (\d+) field sets/;
        ok(defined $written && $written > 0 && $embedded > 0 && $sets > 0,
           "$t: the seeds write views, an embedded record and field sets")
            or diag(tail($log));
    }

    if ($t eq 'ndjson' || $t eq 'schema') {
        my ($records) = $log =~ /fz_cli: (\d+) records checked/;
        ok(defined $records && $records > 0,
           "$t: the seeds write records the checks see")
            or diag(tail($log));
    }

    for my $file (sort grep { -f } glob("$fuzz/regress/$t/*")) {
        (my $name = $file) =~ s{.*/}{};
        my $key = "$t/$name";

        if ($open{$key}) {
            local $ENV{FUZZ_NO_WORKAROUNDS} = 1;
            ($rc, $log) = replay("$build/$t", $file);

            TODO: {
                local $TODO = "open: $open{$key}";
                ok($rc == 0 && $log =~ /^ok 1$/m, "$key: no crash");
            }

        } else {
            ($rc, $log) = replay("$build/$t", $file);
            ok($rc == 0 && $log =~ /^ok 1$/m, "$key: no crash (regression)")
                or diag(tail($log));
        }
    }
}

for my $key (sort keys %open) {
    my ($t) = split m{/}, $key;
    next unless grep { $_ eq $t } @targets;
    ok(-f "$fuzz/regress/$key", "open bug $key has its reproducer");
}

done_testing();


sub find_cc {
    my @cands = $ENV{CC} ? ($ENV{CC}) : ('gcc', 'cc', 'clang');

    for my $c (@cands) {
        return $c if try_build($c, '', "int main(void) { return 0; }\n", 1);
    }

    return undef;
}


# compile (and with $run, run) a small program; 1 if that works

sub try_build {
    my ($c, $flags, $src, $run, $libs) = @_;

    $libs //= '';

    open my $fh, '>', "$tmp/probe.c" or die "$tmp/probe.c: $!\n";
    print {$fh} $src;
    close $fh;

    system("$c $flags -o '$tmp/probe' '$tmp/probe.c' $libs "
           . ">/dev/null 2>&1") == 0
        or return 0;

    return 1 unless $run;

    return system("'$tmp/probe' >/dev/null 2>&1") == 0;
}


sub replay {
    my ($bin, $path) = @_;

    my $log = `'$bin' '$path' 2>&1`;

    return ($? >> 8 | $? & 127, $log);
}


sub tail {
    my ($log) = @_;
    my @lines = grep { !/^running |^profile-snapshot: / } split /\n/, $log;

    splice @lines, 0, @lines - 40 if @lines > 40;

    return join "\n", @lines;
}
