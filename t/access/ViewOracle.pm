# t/access/ViewOracle.pm: a second reading of docs/views.md "The view
# language", for t/access-matrix.t.  Given what the access oracle
# (Oracle.pm) says a viewer gets of a profile (the visible fields in
# schema order, hidden ones as undef with profile_hidden_fields null),
# it writes the exact JSON text a view must send.  It shares no code
# with the module: a view that widened what the rules allow, or shaped
# it otherwise than the docs say, differs from it.
#
#   my $vo = ViewOracle->new(name => 'mx', envelope => 1, omit_empty => 0,
#                            integers => 'string',
#                            fields => [['id'], ['username', 'handle'],
#                                       ['*'], ...]);
#   my $text = $vo->render($oracle, $result, $snapshot_id);

package ViewOracle;

use strict;
use warnings;

use JSON::PP;

my $J = JSON::PP->new->allow_nonref;

sub new {
    my ($class, %a) = @_;
    return bless { %a }, $class;
}

# the nginx configuration of the view
sub config {
    my ($self) = @_;
    my $c = "profile_view $self->{name} {\n";
    $c .= "        envelope on;\n" if $self->{envelope};
    $c .= "        omit_empty on;\n" if $self->{omit_empty};
    $c .= "        integers $self->{integers};\n" if $self->{integers};
    $c .= '        field ' . join(' ', @$_) . ";\n" for @{ $self->{fields} };
    return "$c    }\n";
}

# [source, output path] of every value, "*" expanded in schema order
sub expand {
    my ($self, $or) = @_;
    my %named = map { $_->[0] => 1 } grep { $_->[0] ne '*' } @{ $self->{fields} };
    my @out;
    for my $f (@{ $self->{fields} }) {
        if ($f->[0] eq '*') {
            push @out, map { [$_, $_] } grep { !$named{$_} } $or->field_names;
        } else {
            push @out, [$f->[0], $f->[1] // $f->[0]];
        }
    }
    return @out;
}

sub empty {
    my ($v) = @_;
    return 1 unless defined $v;
    return 1 if !ref $v && $v eq '';
    return 1 if ref $v eq 'ARRAY' && !@$v;
    return 1 if ref $v eq 'HASH' && !%$v;
    return 0;
}

# the exact body for an oracle result of status 200
sub render {
    my ($self, $or, $res, $snapshot) = @_;
    my %val = map { $_->[0] => [$_->[1]] } @{ $res->{fields} };

    # the output tree: objects keep their keys in first-declared order
    my $root = { keys => [], kids => {} };
    for my $e ($self->expand($or)) {
        my ($src, $path) = @$e;
        my @seg = split /\./, $path;
        my $node = $root;
        for my $i (0 .. $#seg) {
            my $k = $seg[$i];
            unless ($node->{kids}{$k}) {
                push @{ $node->{keys} }, $k;
                $node->{kids}{$k} = $i == $#seg
                    ? { source => $src }
                    : { keys => [], kids => {} };
            }
            $node = $node->{kids}{$k};
        }
    }

    my $emit;
    $emit = sub {
        my ($node) = @_;
        my @m;
        for my $k (@{ $node->{keys} }) {
            my $kid = $node->{kids}{$k};
            if (defined $kid->{source}) {
                next unless exists $val{ $kid->{source} };
                my $v = $val{ $kid->{source} }[0];
                next if $self->{omit_empty} && empty($v);
                my $type = $or->{field}{ $kid->{source} }{type};
                my $text = $J->encode($v);
                $text = qq{"$text"} if defined $v
                                    && ($self->{integers} // '') eq 'string'
                                    && $type eq 'integer';
                push @m, $J->encode($k) . ":$text";
            } else {
                my $inner = $emit->($kid);
                next if $inner eq '' && $self->{omit_empty};
                push @m, $J->encode($k) . ":{$inner}";
            }
        }
        return join ',', @m;
    };

    my $obj = '{' . $emit->($root) . '}';
    return $obj unless $self->{envelope};
    return qq({"data":$obj,"meta":{"snapshot":"$snapshot","view":"$self->{name}"}});
}

1;
