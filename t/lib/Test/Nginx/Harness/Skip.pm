package Test::Nginx::Harness::Skip;

# --- skip_eval ("N: perl code"), --- skip_nginx ("N: <op> x.y.z[: why]")
# and --- todo ("N: reason"): blocks that are not run, only counted.

use strict;
use warnings;

use Exporter 'import';
use Test::More ();

our @EXPORT_OK = qw(skip_spec skip_block);


# { count, reason, todo } when the block is not to be run, else undef.
# $nginx_version is canonical (1.022001); $eval runs Perl code in main.
# Dies with a message for a malformed section.
sub skip_spec {
    my ($block, $nginx_version, $eval) = @_;

    if (defined(my $spec = $block->skip_eval)) {
        my ($n, $code) = $spec =~ /^\s*(\d+)\s*:\s*(.*)/s
            or die "Invalid --- skip_eval spec: $spec\n";
        my $yes = $eval->($code);
        die "skip_eval - failed to eval the Perl code \"$code\": $@\n" if $@;
        return { count => $n, reason => 'skip_eval' } if $yes;
    }

    if (defined(my $spec = $block->skip_nginx)) {
        my $skip = nginx_version_skip($spec, $nginx_version);
        return $skip if $skip;
    }

    if (defined(my $spec = $block->todo)) {
        my ($n, $why) = $spec =~ /^\s*(\d+)\s*:\s*(.*)/s
            or die "Invalid --- todo spec: $spec\n";
        return { count => $n, reason => $why, todo => 1 };
    }

    return undef;
}


sub nginx_version_skip {
    my ($spec, $nginx_version) = @_;

    my ($n, $op, @v) = $spec =~ m{
        ^\s*(\d+)\s*:\s*([<>]=?)\s*(\d+)\.(\d+)\.(\d+)(?:\s*:\s*(.*?))?\s*$
    }x or die "Invalid --- skip_nginx spec: $spec\n";

    my $reason = $v[3] || "nginx version $op $v[0].$v[1].$v[2]";
    my $ver = sprintf '%d.%03d%03d', @v[0 .. 2];
    my %cmp = (
        '<'  => sub { $_[0] < $_[1] },  '<=' => sub { $_[0] <= $_[1] },
        '>'  => sub { $_[0] > $_[1] },  '>=' => sub { $_[0] >= $_[1] },
    );

    return $cmp{$op}->($nginx_version, $ver)
        ? { count => $n, reason => $reason } : undef;
}


# Emit the skipped (or todo) subtests of every repeat.
sub skip_block {
    my ($name, $skip, $repeat) = @_;

    my $why = "$name - $skip->{reason}";

    for (1 .. $repeat) {
        if ($skip->{todo}) {
            TODO: { Test::More::todo_skip($why, $skip->{count}) }

        } else {
            SKIP: { Test::More::skip($why, $skip->{count}) }
        }
    }
}


1;
