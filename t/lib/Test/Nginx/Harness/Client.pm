package Test::Nginx::Harness::Client;

# The requests of a block (--- request, --- raw_request,
# --- pipelined_requests, --- more_headers) and sending one of them over a
# real TCP connection.
#
# A request is { packets => [{ value => BYTES, delay_before => SECS }],
# head => BOOL, count => N }; count is the number of responses expected
# on the connection (> 1 for pipelined requests).

use strict;
use warnings;

use Errno qw(EAGAIN EINTR EWOULDBLOCK);
use Exporter 'import';
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(sleep);

our @EXPORT_OK = qw(build_requests send_request);


# All the requests of $block, in order. $server_name goes in the Host
# header. Dies with a message for malformed sections.
sub build_requests {
    my ($block, $server_name) = @_;

    if (defined $block->raw_request) {
        my $raw = $block->raw_request;
        return [_raw_request($raw)];
    }

    my $more = $block->more_headers;

    if (defined $block->pipelined_requests) {
        my $reqs = $block->pipelined_requests;
        return [_pipelined($reqs, $more, $server_name)];
    }

    my $request = $block->request;
    die "request empty\n" if !defined $request;

    if (!ref $request) {
        $request = _strip_comments($request);
        return [_http_request([$request], _headers_for($more, 0),
                              'close', $server_name)];
    }

    die "invalid --- request: MUST be string or array of requests\n"
        if ref $request ne 'ARRAY';

    my @list;
    for my $i (0 .. $#$request) {
        my $one = $request->[$i];
        my $packets = ref $one ? $one : [$one];
        die "request $i: a string or an array of packets expected\n"
            if ref $packets ne 'ARRAY';

        push @list, _http_request($packets, _headers_for($more, $i),
                                  'close', $server_name);
    }

    return \@list;
}


# Leading blank lines and "# comment" lines before the request line.
sub _strip_comments {
    my ($req) = @_;

    1 while $req =~ s/^\s*\#[^\n]+\s+|^\s+//s;

    return $req;
}


sub _headers_for {
    my ($more, $i) = @_;

    return '' if !defined $more;
    return $more if ref $more ne 'ARRAY';

    die "--- more_headers lacks data for request $i\n"
        if !defined $more->[$i];

    return $more->[$i];
}


sub _raw_request {
    my ($raw) = @_;

    my @packets = ref $raw eq 'ARRAY' ? @$raw : ($raw);
    my $all = join '', @packets;

    return {
        packets => [map { { value => $_ } } @packets],
        head    => scalar($all =~ /^\s*HEAD\s+/),
        count   => 1,
    };
}


sub _pipelined {
    my ($reqs, $more, $server_name) = @_;

    die "invalid entries in --- pipelined_requests\n"
        if ref $reqs ne 'ARRAY';

    my $data = '';
    for my $i (0 .. $#$reqs) {
        my $conn = $i == $#$reqs ? 'close' : 'keep-alive';
        my $req = _http_request([$reqs->[$i]], _headers_for($more, $i),
                                $conn, $server_name);
        $data .= join '', map { $_->{value} } @{ $req->{packets} };
    }

    my $head = $reqs->[0] =~ /^\s*HEAD\s+/;

    return { packets => [{ value => $data }], head => $head,
             count => scalar @$reqs };
}


# "Name: value" lines of --- more_headers as CRLF lines; "# ..." lines
# are skipped. Also says whether the body is sent chunked.
sub _parse_more_headers {
    my ($text) = @_;

    my ($out, $chunked) = ('', 0);

    for my $line (split /\n+/, $text) {
        next if $line =~ /^\s*#/;

        my ($key, $val) = split /:\s*/, $line, 2;
        $val //= '';
        $chunked = 1 if lc $key eq 'transfer-encoding' && $val eq 'chunked';
        $out .= "$key: $val\r\n";
    }

    return ($out, $chunked);
}


# One HTTP/1.x request from "METHOD [URI [VERSION]]\nBODY" split in
# packets: adds Host, Connection and (for a non-empty body) a
# Content-Length of the body stripped of surrounding white space, as
# upstream does. The request line and headers go in the first packet.
sub _http_request {
    my ($packets, $more, $conn, $server_name) = @_;

    my @parts = map { ref $_ eq 'HASH' ? $_ : { value => $_ } } @$packets;
    my $all = join '', map { $_->{value} } @parts;

    my $nl = index $all, "\n";
    my $line_len = $nl < 0 ? length $all : $nl + 1;
    my ($meth, $uri, $ver) = _parse_request_line(substr $all, 0, $line_len);

    my ($headers, $chunked) = _parse_more_headers($more);
    my $content = substr $all, $line_len;

    my ($lead, $trail) = (0, 0);
    my $head = "$meth $uri $ver\r\n";
    $head .= "Host: $server_name\r\n" if $headers !~ /(?:^|\n)Host:/msi;
    $head .= "Connection: $conn\r\n" if $headers !~ /(?:^|\n)Connection/msi;
    $head .= $headers;

    if (!$chunked && $content ne '' && $headers !~ /(?:^|\n)Content-Length:/) {
        $lead = length(($content =~ /^(\s*)/)[0]);
        $trail = $lead == length $content
            ? 0 : length(($content =~ /(\s*)\z/)[0]);
        $head .= 'Content-Length: '
                 . (length($content) - $lead - $trail) . "\r\n";
    }

    $head .= "\r\n";

    my $out = _split_body(\@parts, $line_len + $lead,
                          length($all) - $trail);
    $out->[0]{value} = $head . $out->[0]{value};

    return { packets => $out, head => $meth eq 'HEAD', count => 1 };
}


sub _parse_request_line {
    my ($line) = @_;

    if ($line !~ /^\s*(\S+)(?: +(\S+))?(?: +(\S+))? *\s*$/) {
        die "Request line is not valid. Should be 'meth [url [version]]' "
            . "but got \"$line\".\n";
    }

    return ($1, $2 // '/', $3 // 'HTTP/1.1');
}


# The bytes [$from, $to) of the joined packets, keeping the packet
# boundaries (and delays) of the original.
sub _split_body {
    my ($parts, $from, $to) = @_;

    my ($offset, @out) = (0);
    my $all = join '', map { $_->{value} } @$parts;

    for my $p (@$parts) {
        my $end = $offset + length $p->{value};
        my $s = $offset > $from ? $offset : $from;
        my $e = $end < $to ? $end : $to;

        push @out, { %$p, value => $e > $s ? substr($all, $s, $e - $s) : '' };
        $offset = $end;
    }

    return \@out;
}


# Send $req to $o->{addr}:$o->{port} and read until the server closes the
# connection. $o->{timeout} bounds the wait for each I/O event, as
# upstream's does. Returns { raw, timed_out, error }.
sub send_request {
    my ($req, $o) = @_;

    my $sock = _connect($o)
        or return { raw => '', error => "Can't connect to "
                    . "$o->{addr}:$o->{port}: $!" };

    $sock->blocking(0);
    local $SIG{PIPE} = 'IGNORE';

    my $st = {
        sock => $sock, queue => [@{ $req->{packets} }], buf => '', off => 0,
        first => 1, writing => 1, resp => '', o => $o,
    };

    _io_loop($st);
    close $sock;

    return { raw => $st->{resp}, timed_out => $st->{timed_out},
             error => $st->{error} };
}


sub _connect {
    my ($o) = @_;

    for my $try (1 .. 20) {
        my $sock = IO::Socket::INET->new(
            PeerAddr => $o->{addr},
            PeerPort => $o->{port},
            Proto    => 'tcp',
            Timeout  => $o->{timeout},
        );
        return $sock if $sock;

        sleep 0.05;
    }

    return undef;
}


sub _io_loop {
    my ($st) = @_;

    my $sel = IO::Select->new($st->{sock});

    while (1) {
        _next_packet($st) if $st->{writing} && $st->{off} >= length $st->{buf};

        my ($r, $w) = IO::Select->select($sel, $st->{writing} ? $sel : undef,
                                         undef, $st->{o}{timeout});

        if (!$r && !$w) {
            next if $! == EINTR;
            $st->{timed_out} = 1;
            return;
        }

        _write_some($st) if $w && @$w;
        return if $r && @$r && !_read_some($st);
    }
}


# Move to the next packet (after its delay) or finish writing.
sub _next_packet {
    my ($st) = @_;

    my $p = shift @{ $st->{queue} };

    if (!$p) {
        $st->{writing} = 0;
        _shutdown($st) if defined $st->{o}{shutdown};
        return;
    }

    my $delay = $p->{delay_before};
    $delay //= $st->{o}{middle_delay} if !$st->{first};
    sleep $delay if $delay;

    @$st{qw(buf off first)} = ($p->{value}, 0, 0);
}


sub _shutdown {
    my ($st) = @_;

    my $how = $st->{o}{shutdown};
    $how = 1 if $how !~ /^\d+$/;
    shutdown $st->{sock}, $how;
}


sub _write_some {
    my ($st) = @_;

    my $left = length($st->{buf}) - $st->{off};
    return if $left <= 0;

    my $n = syswrite $st->{sock}, $st->{buf}, $left, $st->{off};

    if (defined $n) {
        $st->{off} += $n;
        return;
    }

    return if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR;

    # the server may have answered and closed early: keep reading
    $st->{error} = "write failed: $!";
    @$st{qw(writing queue)} = (0, []);
}


# Returns false once the connection is closed or broken.
sub _read_some {
    my ($st) = @_;

    my $n = sysread $st->{sock}, my $chunk, 65536;

    if (!defined $n) {
        return 1 if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR;
        $st->{error} = "read failed: $!";
        return 0;
    }

    return 0 if $n == 0;

    $st->{resp} .= $chunk;
    return 1;
}


1;
