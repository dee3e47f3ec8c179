#!/usr/bin/env perl
#
# docs/architecture.md names every source file, and only files that
# exist.  Each "## Files: NAME" section of that document is checked
# against one folder (%folders below):
#
#   - the first cell of each row of the section's table names files in
#     backquotes, `x.c`, `x.h`, or `x.[ch]` for both; every file of the
#     folder matching the pattern must be named, and every file named
#     must exist there;
#   - a numbered list in the section ("0. `a.c` `b.c`", bottom up) gives
#     the layers: once the folder's objects are built (x.o beside x.c),
#     every function a .o calls from another .o of the folder must be
#     defined in a lower layer (nm(1)), and every .c must have a layer.
#   - the module's plain-C files (@plain below, compiled into fuzz
#     targets and small test programs) compile alone, with no nginx
#     header on the include path, and call nothing of nginx nor
#     malloc(): the undefined symbols of that object, and of the one
#     nginx's build made (build/nginx/objs/addon/, once built), are at
#     most the compiler's mem* calls.
#
# To check another folder, add its section to docs/architecture.md and a
# line to %folders; a section without a numbered list (the module's: its
# objects are built in nginx's tree, not beside the sources) has no
# layer check.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Temp ();
use FindBin;
use Test::More;

my $root = abs_path("$FindBin::Bin/..");

# section name => [folder, pattern of its source files]
my %folders = (
    'profile-snapshot' => [ 'tools/profile-snapshot', qr/^ps.*\.[ch]$/ ],
    'module' => [ 'ngx_http_profile_module', qr/^ngx_http_profile_.*\.[ch]$/ ],
    'bench' => [ 'bench/lib', qr/\.mjs$/ ],
);

my $doc = slurp("$root/docs/architecture.md");
my %sections;

while ($doc =~ /^## Files: (\S+)[^\n]*\n(.*?)(?=^## |\z)/msg) {
    $sections{$1} = $2;
}

for my $name (sort keys %folders) {
    my ($dir, $pattern) = @{ $folders{$name} };
    my $text = $sections{$name};

    ok(defined $text, "docs/architecture.md has \"## Files: $name\"")
        or next;

    my %named;

    for my $row (grep { /^\|/ } split /\n/, $text) {
        my ($cell) = $row =~ /^\|([^|]*)\|/;
        for my $file ($cell =~ /`([^`]+)`/g) {
            if ($file =~ /^(.*)\.\[ch\]$/) {
                $named{"$1.c"} = 1;
                $named{"$1.h"} = 1;
            } else {
                $named{$file} = 1;
            }
        }
    }

    opendir my $dh, "$root/$dir" or die "$root/$dir: $!";
    my @files = sort grep { $_ =~ $pattern && -f "$root/$dir/$_" }
                readdir $dh;
    closedir $dh;

    my @unnamed = grep { !$named{$_} } @files;
    # rows may name files outside the folder's pattern (the module's
    # table names the repository's "config"): only the folder's own kind
    # of file must exist there
    my @missing = grep { $_ =~ $pattern && !-f "$root/$dir/$_" }
                  sort keys %named;

    is("@unnamed", '', "$name: every file of $dir/ is in the table");
    is("@missing", '', "$name: every file in the table exists in $dir/");

    check_layers($name, $dir, $text, [ grep { /\.c$/ } @files ]);
}

check_plain();

done_testing();


sub slurp {
    my ($path) = @_;

    open my $fh, '<', $path or die "$path: $!";
    local $/;
    return <$fh>;
}


sub check_layers {
    my ($name, $dir, $text, $sources) = @_;

    my %layer;

    for my $line ($text =~ /^(\d+\. .*)$/mg) {
        my ($n, $rest) = $line =~ /^(\d+)\. (.*)$/;
        $layer{$_} = $n for $rest =~ /`([^`]+\.c)`/g;
    }

    return unless %layer;

    my @nolayer = grep { !defined $layer{$_} } @$sources;
    is("@nolayer", '', "$name: every .c of $dir/ has a layer");

    SKIP: {
        my @objs = map { (my $o = $_) =~ s/\.c$/.o/; $o } @$sources;
        my @absent = grep { !-f "$root/$dir/$_" } @objs;

        skip("$name: not built (no @absent[0 .. 0])", 1) if @absent;
        skip("$name: no nm", 1) if system("nm --version >/dev/null 2>&1");

        my (%defined, %undefined);

        for my $o (@objs) {
            for (`nm "$root/$dir/$o"`) {
                if (/^\S*\s+[TDBR]\s+(\S+)$/) {
                    $defined{$1} = $o;
                } elsif (/^\s+U\s+(\S+)$/) {
                    push @{ $undefined{$o} }, $1;
                }
            }
        }

        my @wrong;

        for my $o (sort keys %undefined) {
            (my $c = $o) =~ s/\.o$/.c/;
            for my $sym (@{ $undefined{$o} }) {
                my $to = $defined{$sym} or next;
                (my $tc = $to) =~ s/\.o$/.c/;
                next if $tc eq $c;
                next unless defined $layer{$c} && defined $layer{$tc};
                push @wrong, "$c ($layer{$c}) calls $sym of $tc ($layer{$tc})"
                    if $layer{$tc} >= $layer{$c};
            }
        }

        is(join("\n", @wrong), '', "$name: each file calls only lower layers");
    }
}


# plain C: no nginx headers, no calls but what a compiler may emit for
# its own loops and copies

sub check_plain {
    my @plain = ('ngx_http_profile_accept.c', 'ngx_http_profile_etag.c');
    my %allowed = map { $_ => 1 } qw(memset memcpy memmove memcmp
                                     __stack_chk_fail);
    my $dir = "$root/ngx_http_profile_module";
    my $cc = $ENV{CC} // 'cc';

    SKIP: {
        skip('plain C: no nm', scalar @plain)
            if system('nm --version >/dev/null 2>&1');
        skip("plain C: no $cc", scalar @plain)
            if system("$cc --version >/dev/null 2>&1");

        my $tmp = File::Temp::tempdir(CLEANUP => 1);

        for my $c (@plain) {
            (my $o = $c) =~ s/\.c$/.o/;
            my @objs = ("$tmp/$o");
            my $built = "$root/build/nginx/objs/addon/"
                        . "ngx_http_profile_module/$o";

            my $out = `$cc -std=c99 -O2 -c -I'$dir' -o '$tmp/$o' '$dir/$c' \\
                       2>&1`;

            if ($? != 0) {
                fail("$c compiles alone, without nginx's headers");
                diag($out);
                next;
            }

            push @objs, $built if -f $built;

            my @calls;

            for my $obj (@objs) {
                for (`nm -u '$obj'`) {
                    push @calls, "$1 (" . ($obj eq $built ? 'nginx build'
                                                          : 'alone') . ')'
                        if /^\s+U\s+(\S+)$/ && !$allowed{$1};
                }
            }

            is("@calls", '', "$c: plain C, calls nothing of nginx nor "
                             . "malloc (" . scalar(@objs) . " objects)");
        }
    }
}
