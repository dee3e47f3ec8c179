#!/usr/bin/env perl
#
# Every message the code can print is documented: the literal parts of
# each format string given to the message functions below must appear in
# docs/*.md (docs/errors.md for the module, docs/cli.md and
# docs/schema.md for profile-snapshot).  A new message without its row in
# the docs fails here, naming the file, the line and the missing text.

use strict;
use warnings;

use Cwd qw(abs_path);
use FindBin;
use Test::More;

my $root = abs_path("$FindBin::Bin/..");

my $docs = '';
for my $f (glob("$root/docs/*.md")) {
    open(my $fh, '<', $f) or die "$f: $!";
    local $/;
    $docs .= <$fh>;
}

# the functions whose format strings are messages a user can see
my %callers = (
    "$root/tools/profile-snapshot" =>
        qr/\b(?:ps_error|ps_schema_err|ps_verify_problem)\s*\(/,
    "$root/ngx_http_profile_module" =>
        qr/\b(?:ngx_log_error|ngx_conf_log_error|ngx_slprintf
               |ngx_http_profile_file_err|ngx_http_profile_meta_err)\s*\(/x,
);

my $checked = 0;

for my $dir (sort keys %callers) {
    my $call = $callers{$dir};

    for my $file (sort glob("$dir/*.c")) {
        open(my $fh, '<', $file) or die "$file: $!";
        my $src = do { local $/; <$fh> };
        (my $name = $file) =~ s{^\Q$root/\E}{};

        while ($src =~ /$call/g) {
            my $start = pos($src);
            my $line = 1 + (substr($src, 0, $start) =~ tr/\n//);

            # the first run of adjacent string literals after the call
            my $rest = substr($src, $start, 2000);
            next unless $rest =~ /\A[^";]*?((?:"(?:[^"\\]|\\.)*"\s*)+)/;

            my $fmt = join '', $1 =~ /"((?:[^"\\]|\\.)*)"/g;
            $fmt =~ s/\\(["\\])/$1/g;
            $fmt =~ s/\\n//g;

            for my $part (split /%[-+ #0-9.*]*[a-zA-Z]+/, $fmt) {
                $part =~ s/^[\s:;,()"\[\]]+|[\s:;,()"\[\]]+$//g;
                next if length($part) < 7;

                $checked++;
                ok(index($docs, $part) >= 0,
                   "$name:$line: \"$part\" is documented");
            }
        }
    }
}

# the record and table decoder's texts, which several messages embed
my $rec = "$root/ngx_http_profile_module/ngx_http_profile_format.c";
open(my $fh, '<', $rec) or die "$rec: $!";
my $src = do { local $/; <$fh> };
close($fh);

my ($table) = $src =~ /ngx_http_profile_fmt_strerror\(int rc\)\s*\{(.*?)\};/s;
ok(defined $table, 'the decoder\'s text table is found');

for my $text (($table // '') =~ /"([^"]+)"/g) {
    next if $text eq 'ok';
    $checked++;
    ok(index($docs, $text) >= 0, "decoder text \"$text\" is documented");
}

cmp_ok($checked, '>', 150, 'the scan found the messages');

done_testing();
