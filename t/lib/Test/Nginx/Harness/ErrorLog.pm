package Test::Nginx::Harness::ErrorLog;

# Reading nginx's logs and the harness's own safety net: lines that fail
# a block whatever its sections say ([alert], [crit], [emerg], sanitizer
# reports, crashed workers, failed assertions) and valgrind reports.

use strict;
use warnings;

use Exporter 'import';

our @EXPORT_OK = qw(
    log_reader read_new read_all normalize_patterns line_matches
    value_contains scan_problems valgrind_problems
);

# [category, regex, can a section's pattern allow it?], most specific
# first: a line is reported once, under the first category it matches.
my @PROBLEMS = (
    ['crashed process', qr/exited on signal/, 0],
    ['sanitizer report', qr/AddressSanitizer|LeakSanitizer|ThreadSanitizer
                            |MemorySanitizer|UndefinedBehaviorSanitizer
                            |runtime\ error:/x, 0],
    ['failed assertion', qr/\bAssertion .*?failed\b/, 0],
    ['[alert]', qr/\[alert\]/, 1],
    ['[crit]', qr/\[crit\]/, 1],
    ['[emerg]', qr/\[emerg\]/, 1],
);

my $VALGRIND_ERROR = qr/
    ^==\d+==\ (?:
        Invalid\ (?:read|write|free)
      | Mismatched\ free
      | Conditional\ jump
      | Use\ of\ uninitialised
      | Syscall\ param
      | Source\ and\ destination\ overlap
      | .*\ definitely\ lost\ in\ loss\ record
      | Process\ terminating
    )
/x;


# A reader of $path remembering how far it has read.
sub log_reader {
    my ($path) = @_;

    return { path => $path, pos => 0 };
}


# The lines written since the last call (all of them when $accum).
sub read_new {
    my ($reader, $accum) = @_;

    open my $in, '<', $reader->{path} or return [];
    seek $in, $reader->{pos}, 0 if !$accum;

    my @lines = <$in>;
    $reader->{pos} = tell $in if !$accum;
    close $in;

    return \@lines;
}


sub read_all {
    my ($path) = @_;

    open my $in, '<', $path or return [];
    my @lines = <$in>;
    close $in;

    return \@lines;
}


# A section value as a list of patterns: text is one pattern a line, a
# Regexp is one pattern, an array (from eval) is copied.
sub normalize_patterns {
    my ($val) = @_;

    return [@$val] if ref $val eq 'ARRAY';
    return [$val] if ref $val;

    chomp(my $text = $val);
    return [split /\n+/, $text];
}


# A Regexp matches as a regex, anything else as a substring; upstream
# also accepts a Regexp whose text appears literally.
sub line_matches {
    my ($line, $pat) = @_;

    return 1 if ref $pat && $line =~ $pat;
    return index($line, "$pat") >= 0;
}


# Whether $str appears in the section value $val (scalar, Regexp or
# array of those).
sub value_contains {
    my ($val, $str) = @_;

    return 0 if !defined $val;
    return scalar grep { value_contains($_, $str) } @$val
        if ref $val eq 'ARRAY';

    return index("$val", $str) >= 0;
}


# { category => [lines] } for the problem lines in @$lines; categories
# in %$allowed (e.g. '[emerg]' for --- must_die) are not reported.
sub scan_problems {
    my ($lines, $allowed) = @_;

    my %found;
    for my $line (@$lines) {
        for my $p (@PROBLEMS) {
            my ($cat, $re, $can_allow) = @$p;
            next if $line !~ $re;
            push @{ $found{$cat} }, $line if !$can_allow || !$allowed->{$cat};
            last;
        }
    }

    return \%found;
}


# Error lines of the valgrind.*.log files in $dir, each prefixed with
# its file name.
sub valgrind_problems {
    my ($dir) = @_;

    my @found;
    for my $file (sort glob "$dir/valgrind.*.log") {
        (my $short = $file) =~ s{.*/}{};
        push @found, map { "$short: $_" }
                     grep { $_ =~ $VALGRIND_ERROR } @{ read_all($file) };
    }

    return \@found;
}


1;
