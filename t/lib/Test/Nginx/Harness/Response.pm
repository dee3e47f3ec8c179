package Test::Nginx::Harness::Response;

# Parsing the bytes nginx sent back into status, headers and body.
#
# A response is { code, headers => [[name, value], ...], raw_headers,
# body, left, error }: raw_headers is the status line and header lines up
# to the last header's CRLF (what upstream's raw_response_headers_* and
# "!Name" checks look at); left is what follows the body (the next
# pipelined response); error says why a chunked body is invalid.

use strict;
use warnings;

use Exporter 'import';

our @EXPORT_OK = qw(parse_response header_value);


# $o: head => the request was HEAD, http09 => no status line expected.
sub parse_response {
    my ($raw, $o) = @_;
    $o ||= {};

    $raw //= '';

    if ($o->{http09}) {
        return { code => 200, headers => [], raw_headers => '',
                 body => $raw };
    }

    my $res = { code => undef, headers => [], raw_headers => '',
                body => '' };

    my $end = index $raw, "\r\n\r\n";
    my $head = $end < 0 ? $raw : substr $raw, 0, $end + 2;
    my $rest = $end < 0 ? '' : substr $raw, $end + 4;

    $res->{raw_headers} = $head if $end >= 0;
    _parse_head($res, $head);
    _parse_body($res, $rest, $o->{head});

    return $res;
}


sub _parse_head {
    my ($res, $head) = @_;

    my @lines = split /\r?\n/, $head;
    my $status = shift @lines // '';

    if ($status =~ m{^HTTP/\d+(?:\.\d+)?\s+(\d+)}) {
        $res->{code} = $1;
    }

    for my $line (@lines) {
        if ($line =~ /^[ \t]+(.*?)\s*$/ && @{ $res->{headers} }) {
            $res->{headers}[-1][1] .= " $1";

        } elsif ($line =~ /^([^:\s][^:]*?)\s*:\s*(.*?)\s*$/) {
            push @{ $res->{headers} }, [$1, $2];
        }
    }
}


sub _parse_body {
    my ($res, $rest, $is_head) = @_;

    my $code = $res->{code} // 0;

    if ($is_head || $code == 204 || $code == 304 || $code =~ /^1/) {
        $res->{left} = $rest if $rest ne '';
        return;
    }

    my $te = header_value($res, 'Transfer-Encoding');
    my $len = header_value($res, 'Content-Length');

    if (defined $te && $te eq 'chunked') {
        _decode_chunked($res, $rest);

    } elsif (defined $len && $len =~ /^\d+$/ && length $rest > $len) {
        $res->{body} = substr $rest, 0, $len;
        $res->{left} = substr $rest, $len;

    } else {
        $res->{body} = $rest;
    }
}


sub _decode_chunked {
    my ($res, $raw) = @_;

    my $body = '';

    while (1) {
        if ($raw =~ /\G0[ \t]*(?:;[^\r\n]*)?\r\n(?:[^\r\n]+\r\n)*\r\n/gc) {
            $res->{left} = substr $raw, pos $raw
                if pos($raw) < length $raw;
            last;
        }

        if ($raw !~ /\G[ \t]*([A-Fa-f0-9]+)[ \t]*(?:;[^\r\n]*)?\r\n/gc) {
            my $at = pos($raw) // 0;
            $res->{error} = $at < length $raw
                ? 'invalid chunked body received: ' . substr($raw, $at, 40)
                : 'no last chunk found';
            last;
        }

        my $size = hex $1;
        my $at = pos $raw;

        if (length($raw) - $at < $size) {
            $res->{error} = 'invalid chunked data received '
                            . '(not enough octets for the data section)';
            last;
        }

        $body .= substr $raw, $at, $size;
        pos($raw) = $at + $size;

        if ($raw !~ /\G\r\n/gc) {
            $res->{error} = 'invalid chunked data received (expected CRLF)';
            last;
        }
    }

    $res->{body} = $body;
}


# The value of header $name (any case); several are joined with ", ".
# undef when the header is absent.
sub header_value {
    my ($res, $name) = @_;

    my @vals = map { $_->[1] }
               grep { lc $_->[0] eq lc $name } @{ $res->{headers} };

    return @vals ? join(', ', @vals) : undef;
}


1;
