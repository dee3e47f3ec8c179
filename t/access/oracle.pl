#!/usr/bin/env perl
#
# t/access/oracle.pl: print what docs/access-rules.md says each viewer gets
# for each profile of the access fixtures (t/access/Oracle.pm), one line
# per cell: VIEWER-KIND <tab> VIEWER <tab> PROFILE <tab> OUTCOME.
#
#   t/access/oracle.pl [--viewer ID --roles LIST] [--private-mode not_found]
#       [--forbidden-status 403] [--hidden-fields null] [--block owner]
#       [PROFILE ...]
#
# Without --viewer, every viewer of t/access/viewers.ndjson ("SELF" is
# each profile's owner).  Reads t/access/schema.json, profiles.ndjson and
# relations.ndjson only.

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;
use Getopt::Long;
use JSON::PP;
use Oracle;

my %o;
my ($viewer, $roles);
GetOptions('viewer=s' => \$viewer, 'roles=s' => \$roles,
           'private-mode=s' => \$o{private_mode},
           'forbidden-status=i' => \$o{forbidden_status},
           'hidden-fields=s' => \$o{hidden_fields},
           'block=s' => \$o{block}) or exit 2;
delete @o{ grep { !defined $o{$_} } keys %o };

my $d = $FindBin::Bin;
my $or = Oracle->new(schema => "$d/schema.json",
                     profiles => "$d/profiles.ndjson",
                     relations => "$d/relations.ndjson");
my @viewers = defined $viewer
    ? ({ kind => 'given', user => $viewer, roles => $roles // '' })
    : map { decode_json($_) } Oracle::slurp_lines("$d/viewers.ndjson");
my @ids = @ARGV ? @ARGV : $or->ids;

for my $v (@viewers) {
    for my $id (@ids) {
        my $user = $v->{user} eq 'SELF' ? $id : $v->{user};
        my $res = $or->decide($user, $v->{roles}, $id, %o);
        print join("\t", $v->{kind}, $user, $id, $or->render($res)), "\n";
    }
}
