package Test::Nginx::Harness::Checks;

# The subtests of one response and of the logs, with upstream
# Test::Nginx::Socket's names and semantics, so that a .t file plans the
# same number of tests under both harnesses.
#
# $ctx is { block, name, req_idx, repeat_idx, need_array, server_port }.

use strict;
use warnings;

use Digest::MD5 ();
use Digest::SHA ();
use Exporter 'import';
use Test::Base ();
use Test::More ();

use Test::Nginx::Harness::ErrorLog qw(normalize_patterns line_matches);
use Test::Nginx::Harness::Response qw(header_value);

our @EXPORT_OK = qw(
    check_response check_log_patterns check_grep_log indexed_value fmt_str
);

our $NoLongString;
our @ResponseBodyChecks;

my %BODY_FILTERS = (
    md5_hex  => \&Digest::MD5::md5_hex,
    sha1_hex => \&Digest::SHA::sha1_hex,
    uc       => sub { uc $_[0] },
    lc       => sub { lc $_[0] },
    ucfirst  => sub { ucfirst $_[0] },
    lcfirst  => sub { lcfirst $_[0] },
    length   => sub { length $_[0] },
);


sub bail {
    Test::Nginx::Socket::bail_out(@_);
}


# The value of section $name for this request (see indexed_value).
sub indexed {
    my ($ctx, $name) = @_;

    my $value = $ctx->{block}->$name;
    return indexed_value($ctx, $value);
}


# The element for this request of a section that, with several requests
# in a block, must be an array.
sub indexed_value {
    my ($ctx, $value) = @_;

    if ($ctx->{need_array}) {
        return $value->[ $ctx->{req_idx} ] if ref $value eq 'ARRAY';
        bail("$ctx->{name} - You asked for many requests, the expected "
             . "results should be arrays as well.");
    }

    return ref $value eq 'ARRAY' ? $value->[0] : $value;
}


sub fmt_str {
    my ($str) = @_;

    chomp $str;
    $str =~ s/"/\\"/g;
    $str =~ s/\r/\\r/g;
    $str =~ s/\n/\\n/g;

    return $str;
}


# Every response subtest, in upstream's order.
sub check_response {
    my ($ctx, $res) = @_;

    check_error_code($ctx, $res);
    check_raw_headers($ctx, $res);
    check_headers($ctx, $res);
    filter_body($ctx, $res);
    check_body($ctx, $res);

    for my $check (@ResponseBodyChecks) {
        $check->($ctx->{block}, $res->{body}, $ctx->{req_idx},
                 $ctx->{repeat_idx}, 0);
    }
}


sub check_error_code {
    my ($ctx, $res) = @_;

    my $block = $ctx->{block};
    my $code = $res->{code} || '';
    my $desc = "$ctx->{name} - status code ok";

    if (defined $block->error_code_like) {
        my $pat = indexed($ctx, 'error_code_like');
        Test::More::like($code, qr/$pat/sm, $desc);

    } elsif (defined $block->error_code) {
        Test::More::is($code, indexed($ctx, 'error_code'), $desc);

    } else {
        Test::More::is($code, 200, $desc);
    }
}


sub check_raw_headers {
    my ($ctx, $res) = @_;

    my $block = $ctx->{block};

    if (defined $block->raw_response_headers_like) {
        my $pat = indexed($ctx, 'raw_response_headers_like');
        Test::More::like($res->{raw_headers}, qr/$pat/s,
                         "$ctx->{name} - raw resp headers like");
    }

    if (defined $block->raw_response_headers_unlike) {
        my $pat = indexed($ctx, 'raw_response_headers_unlike');
        Test::More::unlike($res->{raw_headers}, qr/$pat/s,
                           "$ctx->{name} - raw resp headers unlike");
    }
}


# "Name: value" lines; "!Name" maps to undef (header must be absent).
sub parse_header_spec {
    my ($text) = @_;

    my %headers;
    for my $line (split /\n/, $text // '') {
        $line =~ s/^\s+|\s+$//g;
        next if $line eq '';

        if ($line =~ s/^!\s*//) {
            $headers{$line} = undef;

        } else {
            my ($key, $val) = split /\s*:\s*/, $line, 2;
            $headers{$key} = $val // '';
        }
    }

    return \%headers;
}


sub check_headers {
    my ($ctx, $res) = @_;

    my $block = $ctx->{block};
    my $name = $ctx->{name};

    if (defined $block->response_headers) {
        my $spec = parse_header_spec(
            indexed($ctx, 'response_headers'));

        for my $key (sort keys %$spec) {
            my $val = $spec->{$key};

            if (!defined $val) {
                Test::More::unlike($res->{raw_headers},
                    qr/^\s*\Q$key\E\s*:/ms,
                    "$name - header $key not present in the raw headers");
                next;
            }

            $val =~ s/\$ServerPort\b/$ctx->{server_port}/g;
            Test::More::is(header_value($res, $key) // '', $val,
                           "$name - header $key ok");
        }

    } elsif (defined $block->response_headers_like) {
        my $spec = parse_header_spec(
            indexed($ctx, 'response_headers_like'));

        for my $key (sort keys %$spec) {
            my $pat = $spec->{$key} // '';
            Test::More::like(header_value($res, $key) // '', qr/^$pat$/,
                             "$name - header $key like ok");
        }
    }
}


# --- response_body_filters: names, code refs, or (several requests) an
# array of arrays of them, applied to the body before it is compared.
sub filter_body {
    my ($ctx, $res) = @_;

    my $filters = $ctx->{block}->response_body_filters;
    return if !defined $filters;

    if (!ref $filters) {
        $filters =~ s/^\s+|\s+$//g;
        $filters = [split /\s+/, $filters];
    }

    $filters = [$filters] if ref $filters ne 'ARRAY';
    $filters = $filters->[ $ctx->{req_idx} ] || []
        if ref $filters->[0] eq 'ARRAY';
    $filters = [$filters] if ref $filters ne 'ARRAY';

    for my $f (@$filters) {
        my $code = ref $f eq 'CODE' ? $f : $BODY_FILTERS{$f}
            or bail("$ctx->{name} - unknown filter, \"$f\", specified in "
                    . "the --- response_body_filters section");
        $res->{body} = $code->($res->{body});
    }
}


sub check_body {
    my ($ctx, $res) = @_;

    my $block = $ctx->{block};

    if (defined $block->response_body || defined $block->response_body_eval) {
        check_body_exact($ctx, $res);

    } elsif (defined $block->response_body_like) {
        check_body_pattern($ctx, $res, 'like');

    } elsif (defined $block->response_body_unlike) {
        check_body_pattern($ctx, $res, 'unlike');
    }
}


sub check_body_exact {
    my ($ctx, $res) = @_;

    my $block = $ctx->{block};
    my $expected;

    if (defined $block->response_body_eval) {
        $expected = eval indexed($ctx, 'response_body_eval');
        warn $@ if $@;

    } else {
        $expected = indexed($ctx, 'response_body');
    }

    $expected =~ s/\$ServerPort\b/$ctx->{server_port}/g
        if defined $expected && !ref $expected;

    my $where = "(repeated req $ctx->{repeat_idx}, req $ctx->{req_idx})";

    if (ref $expected) {
        Test::More::like($res->{body}, $expected,
                         "$ctx->{name} - response_body - like $where");
        return;
    }

    my $desc = "$ctx->{name} - response_body - response is expected $where";
    if ($NoLongString) {
        Test::More::is($res->{body}, $expected, $desc);

    } else {
        Test::Base::is($res->{body}, $expected, $desc);
    }
}


sub check_body_pattern {
    my ($ctx, $res, $type) = @_;

    my $pat = indexed($ctx, "response_body_$type");
    $pat =~ s/\$ServerPort\b/$ctx->{server_port}/g;

    my $summary = $res->{body} // '';
    $summary =~ s/^\s+|\s+$//g;
    $summary =~ s/\s+/ /g;

    my $cmp = $type eq 'like' ? \&Test::More::like : \&Test::More::unlike;
    $cmp->($res->{body}, qr/$pat/s,
           "$ctx->{name} - response_body_$type - response is expected "
           . "($summary)");
}


# --- error_log / --- no_error_log (and the access_log pair) against
# @$lines: one subtest per pattern, and one more failure per extra
# matching line for the negative form, as upstream.
sub check_log_patterns {
    my ($ctx, $lines, $want, $forbid, $file) = @_;

    my $req = "(req $ctx->{repeat_idx})";

    if (defined $want) {
        my $pats = normalize_patterns($want);

        for my $line (@$lines) {
            for my $pat (@$pats) {
                next if !defined $pat || !line_matches($line, $pat);
                Test::More::pass("$ctx->{name} - pattern \"$pat\" matches "
                                 . "a line in $file $req");
                undef $pat;
            }
        }

        for my $pat (grep { defined } @$pats) {
            Test::More::fail("$ctx->{name} - pattern \"$pat\" should match "
                             . "a line in $file $req");
        }
    }

    check_log_absent($ctx, $lines, $forbid, $file) if defined $forbid;
}


sub check_log_absent {
    my ($ctx, $lines, $forbid, $file) = @_;

    my $req = "(req $ctx->{repeat_idx})";
    my $pats = normalize_patterns($forbid);
    my %found;

    for my $i (0 .. $#$lines) {
        for my $pat (grep { defined } @$pats) {
            next if !line_matches($lines->[$i], $pat);

            $found{$pat} = 1;
            my $last = $i + 9 < $#$lines ? $i + 9 : $#$lines;
            my $more = join '', @$lines[ $i + 1 .. $last ];
            Test::More::fail(sprintf "%s - pattern \"%s\" should not match "
                . "any line in %s but matches line \"%s\" %s\n%s",
                $ctx->{name}, fmt_str($pat), $file, fmt_str($lines->[$i]),
                $req, $more);
        }
    }

    for my $pat (grep { defined && !$found{$_} } @$pats) {
        Test::More::pass("$ctx->{name} - pattern \"" . fmt_str($pat)
                         . "\" does not match a line in $file $req");
    }
}


# --- grep_error_log / --- grep_error_log_out.
sub check_grep_log {
    my ($ctx, $lines) = @_;

    my $block = $ctx->{block};
    my $name = $ctx->{name};
    my $pat = $block->grep_error_log;

    if (!defined $pat) {
        bail("$name - No --- grep_error_log defined but "
             . "--- grep_error_log_out is defined")
            if defined $block->grep_error_log_out;
        return;
    }

    $pat = $pat->[ $ctx->{repeat_idx} ] if ref $pat eq 'ARRAY';
    return if !defined $pat;

    my $expected = $block->grep_error_log_out;
    bail("$name - No --- grep_error_log_out defined but "
         . "--- grep_error_log is defined") if !defined $expected;
    $expected = $expected->[ $ctx->{repeat_idx} ] if ref $expected eq 'ARRAY';

    my $got = '';
    for my $line (@$lines) {
        my $m = ref $pat ? ($line =~ $pat ? $& : undef)
              : (index($line, $pat) >= 0 ? $pat : undef);
        $got .= "$m\n" if defined $m && $m !~ /\n/;
    }

    my $desc = "$name - grep_error_log_out (req $ctx->{repeat_idx})";
    if (ref $expected eq 'Regexp') {
        Test::More::like($got, $expected, $desc);

    } else {
        Test::Base::is($got, $expected, $desc);
    }
}


1;
