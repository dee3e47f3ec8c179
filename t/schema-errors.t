#!/usr/bin/env perl
#
# Every message `profile-snapshot build` gives for an invalid schema
# (docs/schema.md "Errors"), one block per message: the schema, and the
# exact line it must print on stderr after "profile-snapshot: schema.json: ",
# with exit code 3 and no snapshot written.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use FindBin;
use Test::Base;

my $root = abs_path("$FindBin::Bin/..");
my $bin = $ENV{PROFILE_SNAPSHOT}
          || "$root/tools/profile-snapshot/profile-snapshot";

plan skip_all => "no CLI binary at $bin (make cli)" unless -x $bin;
$bin = abs_path($bin);

plan tests => 3 * blocks();

for my $block (blocks()) {
    my $dir = tempdir(CLEANUP => 1);
    my $name = $block->name;

    open(my $fh, '>', "$dir/schema.json") or die "$dir/schema.json: $!";
    print $fh $block->schema;
    close($fh);

    open($fh, '>', "$dir/in.ndjson") or die "$dir/in.ndjson: $!";
    print $fh qq({"id":"1"}\n);
    close($fh);

    my $pid = open(my $out, '-|');
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        chdir($dir) or die "$dir: $!";
        open(STDERR, '>&', \*STDOUT) or die "dup: $!";
        exec($bin, 'build', '--quiet', '--schema', 'schema.json',
             '--source', 'profiles=in.ndjson', '--out', 'out.snap')
            or die "exec $bin: $!";
    }

    my $got = do { local $/; <$out> };
    close($out);
    my $exit = $? >> 8;

    my $want = $block->error;
    chomp($want);

    is($got, "profile-snapshot: schema.json: $want\n", "$name: message");
    is($exit, 3, "$name: exit code 3");
    ok(!-e "$dir/out.snap", "$name: no snapshot written");
}

__DATA__

=== top level: not an object
--- schema
[1]
--- error
the schema must be a JSON object

=== top level: unknown key
--- schema
{"fields": [{"name": "a", "type": "string"}], "feilds": 1}
--- error
feilds: unknown key

=== version: not an integer
--- schema
{"version": "2", "fields": [{"name": "a", "type": "string"}]}
--- error
version: must be an integer >= 1

=== version: zero
--- schema
{"version": 0, "fields": [{"name": "a", "type": "string"}]}
--- error
version: must be an integer >= 1

=== id: not a name
--- schema
{"id": "user-id", "fields": [{"name": "a", "type": "string"}]}
--- error
id: must be a field name (1..255 bytes of [A-Za-z0-9_])

=== coerce: not a boolean
--- schema
{"coerce": "yes", "fields": [{"name": "a", "type": "string"}]}
--- error
coerce: must be true or false

=== trim: not a boolean
--- schema
{"trim": 1, "fields": [{"name": "a", "type": "string"}]}
--- error
trim: must be true or false

=== classes: one class
--- schema
{"classes": ["public"], "fields": [{"name": "a", "type": "string"}]}
--- error
classes: must be an array of 2..64 names

=== classes: bad name
--- schema
{"classes": ["public", "self", "best-friends"],
 "fields": [{"name": "a", "type": "string"}]}
--- error
classes[2]: must be a name (1..255 bytes of [A-Za-z0-9_])

=== classes: duplicate
--- schema
{"classes": ["public", "self", "friends", "friends"],
 "fields": [{"name": "a", "type": "string"}]}
--- error
classes[3]: duplicate class "friends"

=== classes: wrong first two
--- schema
{"classes": ["self", "public"], "fields": [{"name": "a", "type": "string"}]}
--- error
classes: must start with "public", "self"

=== fields: missing
--- schema
{"version": 1}
--- error
fields: must be an array of 1..65535 fields

=== fields: empty
--- schema
{"fields": []}
--- error
fields: must be an array of 1..65535 fields

=== fields: name used twice
--- schema
{"fields": [{"name": "a", "type": "string"}, {"name": "a", "type": "integer"}]}
--- error
fields[1].name: "a" is used twice

=== fields: alias that is a field name
--- schema
{"fields": [{"name": "a", "type": "string"},
            {"name": "b", "type": "string", "aliases": ["a"]}]}
--- error
fields[1].aliases[0]: "a" is already a field name or alias

=== sources: empty
--- schema
{"sources": {}, "fields": [{"name": "a", "type": "string"}]}
--- error
sources: must be an object of 1..16 sources

=== sources: bad name
--- schema
{"sources": {"the-profiles": {}}, "fields": [{"name": "a", "type": "string"}]}
--- error
sources.the-profiles: must be a name ([A-Za-z0-9_]) with an object

=== sources: unknown key
--- schema
{"sources": {"profiles": {"kee": "id"}},
 "fields": [{"name": "a", "type": "string"}]}
--- error
sources.profiles.kee: unknown key

=== sources: bad key
--- schema
{"sources": {"profiles": {"key": 7}},
 "fields": [{"name": "a", "type": "string"}]}
--- error
sources.profiles.key: must be a member name

=== policies: not an object
--- schema
{"policies": "strict", "fields": [{"name": "a", "type": "string"}]}
--- error
policies: must be an object

=== policies: unknown key
--- schema
{"policies": {"duplicate": "last"}, "fields": [{"name": "a", "type": "string"}]}
--- error
policies.duplicate: unknown key

=== policies: duplicates
--- schema
{"policies": {"duplicates": "oldest"},
 "fields": [{"name": "a", "type": "string"}]}
--- error
policies.duplicates: must be one of "last", "first", "newest", "reject"

=== policies: newest_field
--- schema
{"policies": {"newest_field": 3}, "fields": [{"name": "a", "type": "string"}]}
--- error
policies.newest_field: must be a field name

=== policies: invalid_utf8
--- schema
{"policies": {"invalid_utf8": "drop"},
 "fields": [{"name": "a", "type": "string"}]}
--- error
policies.invalid_utf8: must be one of "quarantine", "replace"

=== minimum on a string
--- schema
{"fields": [{"name": "a", "type": "string", "minimum": 1}]}
--- error
fields[0].minimum: a number, for integer and number fields only

=== maximum not a number
--- schema
{"fields": [{"name": "a", "type": "integer", "maximum": "9"}]}
--- error
fields[0].maximum: a number, for integer and number fields only

=== minimum not a number
--- schema
{"fields": [{"name": "a", "type": "number", "minimum": null}]}
--- error
fields[0].minimum: a number, for integer and number fields only

=== maximum below minimum
--- schema
{"fields": [{"name": "a", "type": "number", "minimum": 2, "maximum": 1.5}]}
--- error
fields[0].maximum: below the minimum

=== pattern on an integer
--- schema
{"fields": [{"name": "a", "type": "integer", "pattern": "^1"}]}
--- error
fields[0].pattern: a regular expression, for string fields only

=== pattern that does not compile
--- schema
{"fields": [{"name": "a", "type": "string", "pattern": "(ab"}]}
--- error
fields[0].pattern: not a POSIX extended regular expression: Unmatched ( or \(

=== one_of_required: not an array
--- schema
{"fields": [{"name": "a", "type": "string"}], "one_of_required": {}}
--- error
one_of_required: must be a non-empty array of lists of field names

=== one_of_required: one name
--- schema
{"fields": [{"name": "a", "type": "string"}], "one_of_required": [["a"]]}
--- error
one_of_required[0]: must list at least two field names

=== one_of_required: unknown field
--- schema
{"fields": [{"name": "a", "type": "string", "aliases": ["b"]}],
 "one_of_required": [["a", "b"]]}
--- error
one_of_required[0][1]: must be the name of a top-level field

=== policies: nul
--- schema
{"policies": {"nul": "keep"},
 "fields": [{"name": "a", "type": "string"}]}
--- error
policies.nul: must be one of "quarantine", "strip", "replace"

=== policies: unknown_fields
--- schema
{"policies": {"unknown_fields": "keep"},
 "fields": [{"name": "a", "type": "string"}]}
--- error
policies.unknown_fields: must be one of "drop", "quarantine"

=== limits: not an object
--- schema
{"limits": 10, "fields": [{"name": "a", "type": "string"}]}
--- error
limits: must be an object

=== limits: unknown key
--- schema
{"limits": {"record_size": 10}, "fields": [{"name": "a", "type": "string"}]}
--- error
limits.record_size: unknown key

=== limits: depth beyond the parser's
--- schema
{"limits": {"depth": 2049}, "fields": [{"name": "a", "type": "string"}]}
--- error
limits.depth: at most 2048 (the deepest nesting the JSON parser reads)

=== limits: not positive
--- schema
{"limits": {"depth": 0}, "fields": [{"name": "a", "type": "string"}]}
--- error
limits.depth: must be a positive integer

=== field: not an object
--- schema
{"fields": ["a"]}
--- error
fields[0]: must be an object

=== field: unknown key
--- schema
{"fields": [{"name": "a", "type": "string", "maxlength": 3}]}
--- error
fields[0].maxlength: unknown key

=== field: visibility in a nested member
--- schema
{"fields": [{"name": "a", "type": "object",
             "fields": [{"name": "b", "type": "string", "visibility": "self"}]}]}
--- error
fields[0].fields[0].visibility: unknown key

=== field: no name
--- schema
{"fields": [{"type": "string"}]}
--- error
fields[0].name: must be 1..255 bytes of [A-Za-z0-9_]

=== field: bad type
--- schema
{"fields": [{"name": "a", "type": "text"}]}
--- error
fields[0].type: must be one of string, integer, number, boolean, timestamp, object, array

=== field: required not a boolean
--- schema
{"fields": [{"name": "a", "type": "string", "required": "yes"}]}
--- error
fields[0].required: must be true or false

=== field: on_too_long
--- schema
{"fields": [{"name": "a", "type": "string", "on_too_long": "cut"}]}
--- error
fields[0].on_too_long: must be one of "truncate", "drop", "quarantine"

=== field: on_invalid
--- schema
{"fields": [{"name": "a", "type": "string", "on_invalid": "keep"}]}
--- error
fields[0].on_invalid: must be one of "drop", "quarantine", "default"

=== field: max_length on a number
--- schema
{"fields": [{"name": "a", "type": "integer", "max_length": 3}]}
--- error
fields[0].max_length: a non-negative integer, for strings and arrays only

=== field: default of the wrong type
--- schema
{"fields": [{"name": "a", "type": "integer", "default": "none"}]}
--- error
fields[0].default: must be an integer

=== field: on_invalid default without a default
--- schema
{"fields": [{"name": "a", "type": "string", "on_invalid": "default"}]}
--- error
fields[0].on_invalid: "default" needs a "default"

=== field: timestamp default outside the years
--- schema
{"fields": [{"name": "a", "type": "timestamp",
             "default": "9999-12-31T23:00:00-05:00"}]}
--- error
fields[0].default: "9999-12-31T23:00:00-05:00" is outside years 0000..9999 in UTC

=== field: empty enum
--- schema
{"fields": [{"name": "a", "type": "string", "enum": []}]}
--- error
fields[0].enum: must be a non-empty array

=== field: enum value of the wrong type
--- schema
{"fields": [{"name": "a", "type": "string", "enum": ["x", 2]}]}
--- error
fields[0].enum[1]: must be a string

=== field: map not an object
--- schema
{"fields": [{"name": "a", "type": "string", "map": ["x"]}]}
--- error
fields[0].map: must be an object

=== field: enum value of the wrong type, an article
--- schema
{"fields": [{"name": "a", "type": "object", "enum": [{}, 1]}]}
--- error
fields[0].enum[1]: must be an object

=== field: map value of the wrong type
--- schema
{"fields": [{"name": "a", "type": "boolean", "map": {"Y": true, "N": "no"}}]}
--- error
fields[0].map.N: must be a boolean or null

=== field: split on a string
--- schema
{"fields": [{"name": "a", "type": "string", "split": ","}]}
--- error
fields[0].split: a non-empty separator, for arrays only

=== field: formats on a string
--- schema
{"fields": [{"name": "a", "type": "string", "formats": ["%Y"]}]}
--- error
fields[0].formats: an array of strptime formats, for timestamps only

=== field: format not a string
--- schema
{"fields": [{"name": "a", "type": "timestamp", "formats": ["%Y", 4]}]}
--- error
fields[0].formats[1]: must be a string

=== field: items on a string
--- schema
{"fields": [{"name": "a", "type": "string", "items": {"type": "string"}}]}
--- error
fields[0].items: for arrays only

=== field: fields on an array
--- schema
{"fields": [{"name": "a", "type": "array", "fields": [{"name": "b", "type": "string"}]}]}
--- error
fields[0].fields: a non-empty array, for objects only

=== field: nested member without a name
--- schema
{"fields": [{"name": "a", "type": "object", "fields": [{"type": "string"}]}]}
--- error
fields[0].fields[0]: must be an object with a "name"

=== fields: alias that a later field's name clashes with
--- schema
{"fields": [{"name": "a", "type": "string", "aliases": ["b"]},
            {"name": "b", "type": "string"}]}
--- error
fields[0].aliases[0]: "b" is already a field name or alias

=== field: nested member name used twice
--- schema
{"fields": [{"name": "a", "type": "object",
             "fields": [{"name": "b", "type": "string"},
                        {"name": "b", "type": "string"}]}]}
--- error
fields[0].fields[1].name: "b" is used twice

=== field: aliases not an array
--- schema
{"fields": [{"name": "a", "type": "string", "aliases": "b"}]}
--- error
fields[0].aliases: must be an array of names

=== field: alias not a name
--- schema
{"fields": [{"name": "a", "type": "string", "aliases": [""]}]}
--- error
fields[0].aliases[0]: must be a member name

=== field: unknown visibility
--- schema
{"fields": [{"name": "a", "type": "string", "visibility": "friends"}]}
--- error
fields[0].visibility: must be one of the classes

=== field: unknown source
--- schema
{"fields": [{"name": "a", "type": "string", "source": "contacts"}]}
--- error
fields[0].source: must name one of "sources"

=== version_field: empty
--- schema
{"version_field": "", "fields": [{"name": "a", "type": "string"}]}
--- error
version_field: must be a member name

=== default_version: above version
--- schema
{"version": 2, "default_version": 3, "fields": [{"name": "a", "type": "string"}]}
--- error
default_version: an integer from 1 to "version"

=== detect: not an array
--- schema
{"detect": {"version": 1, "has": "mail"},
 "fields": [{"name": "a", "type": "string"}]}
--- error
detect: must be an array

=== detect: bad rule
--- schema
{"detect": [{"version": 1}], "fields": [{"name": "a", "type": "string"}]}
--- error
detect[0]: must be {"version": N, "has": "member"}

=== migrations: not an array
--- schema
{"migrations": {}, "fields": [{"name": "a", "type": "string"}]}
--- error
migrations: must be an array

=== migrations: no steps
--- schema
{"version": 2, "migrations": [{"from": 1, "to": 2}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[0]: must have integer "from", "to" and a "steps" array

=== migrations: backwards
--- schema
{"version": 2, "migrations": [{"from": 2, "to": 1, "steps": []}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[0]: needs 1 <= from < to <= version

=== migrations: two from the same version
--- schema
{"version": 3, "migrations": [{"from": 1, "to": 2, "steps": []},
                              {"from": 1, "to": 3, "steps": []}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[1]: a second migration from version 1

=== migrations: step not an object
--- schema
{"version": 2, "migrations": [{"from": 1, "to": 2, "steps": ["rename"]}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[0].steps[0]: must be an object

=== migrations: unknown op
--- schema
{"version": 2, "migrations": [{"from": 1, "to": 2, "steps": [{"op": "drop"}]}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[0].steps[0].op: must be move, rename, copy, delete, set, map, split or merge

=== migrations: unknown key in a step
--- schema
{"version": 2, "migrations": [{"from": 1, "to": 2,
  "steps": [{"op": "delete", "field": "x", "path": "y"}]}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[0].steps[0].path: unknown key

=== migrations: empty separator
--- schema
{"version": 2, "migrations": [{"from": 1, "to": 2,
  "steps": [{"op": "split", "from": "n", "to": ["a", "b"], "separator": ""}]}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[0].steps[0].separator: must be a non-empty string

=== migrations: move without to
--- schema
{"version": 2, "migrations": [{"from": 1, "to": 2,
  "steps": [{"op": "move", "from": "city"}]}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[0].steps[0]: move needs "from" and "to" paths

=== migrations: delete without field
--- schema
{"version": 2, "migrations": [{"from": 1, "to": 2,
  "steps": [{"op": "delete", "from": "city"}]}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[0].steps[0]: delete needs a "field" path

=== migrations: set without value
--- schema
{"version": 2, "migrations": [{"from": 1, "to": 2,
  "steps": [{"op": "set", "field": "city"}]}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[0].steps[0]: set needs a "value"

=== migrations: map without values
--- schema
{"version": 2, "migrations": [{"from": 1, "to": 2,
  "steps": [{"op": "map", "field": "status", "values": ["A"]}]}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[0].steps[0]: map needs a "values" object

=== migrations: split into one member
--- schema
{"version": 2, "migrations": [{"from": 1, "to": 2,
  "steps": [{"op": "split", "from": "name", "to": ["first"]}]}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[0].steps[0]: split needs a path and a list of at least two paths

=== migrations: merge list with a number
--- schema
{"version": 2, "migrations": [{"from": 1, "to": 2,
  "steps": [{"op": "merge", "from": ["first", 2], "to": "name"}]}],
 "fields": [{"name": "a", "type": "string"}]}
--- error
migrations[0].steps[0]: the list must hold paths

=== roles: not an array
--- schema
{"roles": "admin", "fields": [{"name": "a", "type": "string"}]}
--- error
roles: must be an array of 0..58 names

=== roles: not a name
--- schema
{"roles": ["ad-min"], "fields": [{"name": "a", "type": "string"}]}
--- error
roles[0]: must be a name (1..255 bytes of [A-Za-z0-9_])

=== roles: a built-in audience
--- schema
{"roles": ["admin", "friend"], "fields": [{"name": "a", "type": "string"}]}
--- error
roles[1]: "friend" is a built-in audience

=== roles: twice
--- schema
{"roles": ["admin", "admin"], "fields": [{"name": "a", "type": "string"}]}
--- error
roles[1]: duplicate role "admin"

=== roles: with classes
--- schema
{"roles": ["admin"], "classes": ["public", "self"],
 "fields": [{"name": "a", "type": "string"}]}
--- error
classes: not with "roles" or "audience" (the classes are then the audiences and roles)

=== audience: unknown
--- schema
{"fields": [{"name": "a", "type": "string", "audience": "friends"}]}
--- error
fields[0].audience: must be one of public, authenticated, follower, friend, self, never or a role of "roles"

=== audience: with visibility
--- schema
{"fields": [{"name": "a", "type": "string", "audience": "friend",
             "visibility": "self"}]}
--- error
fields[0].audience: not with "visibility"

=== field roles: without top-level roles
--- schema
{"fields": [{"name": "a", "type": "string", "roles": ["admin"]}]}
--- error
fields[0].roles: needs the top-level "roles"

=== field roles: not an array
--- schema
{"roles": ["admin"], "fields": [{"name": "a", "type": "string", "roles": "admin"}]}
--- error
fields[0].roles: must be an array of roles of "roles"

=== field roles: undeclared
--- schema
{"roles": ["admin"], "fields": [{"name": "a", "type": "string", "roles": ["support"]}]}
--- error
fields[0].roles[0]: must be a role of "roles"

=== field roles: a built-in audience
--- schema
{"roles": ["admin"], "fields": [{"name": "a", "type": "string", "roles": ["self"]}]}
--- error
fields[0].roles[0]: must be a role of "roles"

=== field roles: on a never field
--- schema
{"roles": ["admin"], "fields": [{"name": "a", "type": "string",
  "audience": "never", "roles": ["admin"]}]}
--- error
fields[0].roles: a field of audience "never" is seen by no role

=== roles: only in top-level fields
--- schema
{"roles": ["admin"], "fields": [{"name": "a", "type": "object",
  "fields": [{"name": "b", "type": "string", "audience": "self"}]}]}
--- error
fields[0].fields[0].audience: unknown key

=== privacy: not an object
--- schema
{"privacy": "visibility", "fields": [{"name": "a", "type": "string"}]}
--- error
privacy: must be an object

=== privacy: unknown key
--- schema
{"privacy": {"map": "v", "values": {}, "lsit": "p"}, "fields": [{"name": "a", "type": "string"}]}
--- error
privacy.lsit: unknown key

=== privacy: neither map nor list
--- schema
{"privacy": {}, "fields": [{"name": "a", "type": "string"}]}
--- error
privacy: needs "map" or "list"

=== privacy: map not a name
--- schema
{"privacy": {"map": "a.b", "values": {}}, "fields": [{"name": "a", "type": "string"}]}
--- error
privacy.map: must be a member name

=== privacy: list is a field
--- schema
{"privacy": {"list": "a"}, "fields": [{"name": "a", "type": "string"}]}
--- error
privacy.list: "a" is a field, an alias or the id

=== privacy: map without values
--- schema
{"privacy": {"map": "v"}, "fields": [{"name": "a", "type": "string"}]}
--- error
privacy.values: an object of settings, with "map" only

=== privacy: values without map
--- schema
{"privacy": {"list": "p", "values": {"private": "self"}}, "fields": [{"name": "a", "type": "string"}]}
--- error
privacy.values: an object of settings, with "map" only

=== privacy: a value that is no audience
--- schema
{"privacy": {"map": "v", "values": {"private": "never"}}, "fields": [{"name": "a", "type": "string"}]}
--- error
privacy.values.private: must be one of public, authenticated, follower, friend, self

=== audience_range: reversed
--- schema
{"fields": [{"name": "a", "type": "string", "audience_range": ["self", "friend"]}]}
--- error
fields[0].audience_range: must be [WIDEST, NARROWEST] of public, authenticated, follower, friend, self

=== audience_range: a role
--- schema
{"roles": ["admin"], "fields": [{"name": "a", "type": "string", "audience_range": ["public", "admin"]}]}
--- error
fields[0].audience_range: must be [WIDEST, NARROWEST] of public, authenticated, follower, friend, self

=== audience_range: without the audience
--- schema
{"fields": [{"name": "a", "type": "string", "audience": "public", "audience_range": ["friend", "self"]}]}
--- error
fields[0].audience_range: does not hold the field's audience "public"

=== sources: the relations source's name
--- schema
{"sources": {"profiles": {}, "relations": {}}, "fields": [{"name": "a", "type": "string"}]}
--- error
sources.relations: the name of the relations source (--source relations=FILE), not a joined source

=== states: not an object
--- schema
{"states": "state", "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states: must be an object

=== states: unknown key
--- schema
{"states": {"field": "state", "stubs": []}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.stubs: unknown key

=== states: no field
--- schema
{"states": {"default": "active"}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.field: must be the name of a top-level field

=== states: field not declared
--- schema
{"states": {"field": "status"}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.field: must be the name of a top-level field

=== states: field is an alias
--- schema
{"states": {"field": "st"}, "fields": [{"name": "state", "type": "string", "aliases": ["st"]}]}
--- error
states.field: must be the name of a top-level field

=== states: field not a string
--- schema
{"states": {"field": "n"}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.field: "n" is not a string field

=== states: values not an object
--- schema
{"states": {"field": "state", "values": ["banned"]}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.values: must be an object

=== states: values, unknown state
--- schema
{"states": {"field": "state", "values": {"banned": "blocked"}}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.values.banned: must be one of active, private, suspended, deleted

=== states: values, not a string
--- schema
{"states": {"field": "state", "values": {"banned": 2}}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.values.banned: must be one of active, private, suspended, deleted

=== states: default, unknown state
--- schema
{"states": {"field": "state", "default": "gone"}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.default: must be one of active, private, suspended, deleted

=== states: default, case matters
--- schema
{"states": {"field": "state", "default": "Active"}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.default: must be one of active, private, suspended, deleted

=== states: stub not an array
--- schema
{"states": {"field": "state", "stub": "id"}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.stub: must be an array of field names

=== states: stub, unknown field
--- schema
{"states": {"field": "state", "stub": ["id", "username"]}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.stub[1]: must be the name of a top-level field

=== states: stub, a never field
--- schema
{"states": {"field": "state", "stub": ["pw"]}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.stub[0]: "pw" has audience "never": no one sees it

=== states: stub, twice
--- schema
{"states": {"field": "state", "stub": ["id", "n", "id"]}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.stub[2]: "id" is listed twice

=== states: roles without audiences
--- schema
{"states": {"field": "state", "roles": {"deleted": []}}, "fields": [{"name": "state", "type": "string"}]}
--- error
states.roles: needs the top-level "roles"

=== states: roles not an object
--- schema
{"roles": ["admin"], "states": {"field": "state", "roles": ["admin"]}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.roles: must be an object of lists of roles

=== states: roles, unknown state
--- schema
{"roles": ["admin"], "states": {"field": "state", "roles": {"banned": ["admin"]}}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.roles.banned: unknown key

=== states: roles, active
--- schema
{"roles": ["admin"], "states": {"field": "state", "roles": {"active": ["admin"]}}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.roles.active: unknown key

=== states: roles, not a list
--- schema
{"roles": ["admin"], "states": {"field": "state", "roles": {"deleted": "admin"}}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.roles.deleted: must be an array of roles of "roles"

=== states: roles, undeclared role
--- schema
{"roles": ["admin"], "states": {"field": "state", "roles": {"suspended": ["admin", "support"]}}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.roles.suspended[1]: must be a role of "roles"

=== states: roles, a built-in audience
--- schema
{"roles": ["admin"], "states": {"field": "state", "roles": {"private": ["friend"]}}, "fields": [{"name": "id", "type": "string"}, {"name": "state", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "pw", "type": "string", "audience": "never"}]}
--- error
states.roles.private[0]: must be a role of "roles"

=== sources: embed, not a boolean
--- schema
{"sources": {"profiles": {}, "teams": {"embed": 1, "fields": [{"name": "id", "type": "string"}]}}, "fields": [{"name": "id", "type": "string"}]}
--- error
sources.teams.embed: must be true or false

=== sources: fields of a joined source
--- schema
{"sources": {"profiles": {}, "teams": {"fields": [{"name": "id", "type": "string"}]}}, "fields": [{"name": "id", "type": "string"}]}
--- error
sources.teams.fields: only an embeddable source ("embed": true) declares fields

=== sources: an embeddable source's name
--- schema
{"sources": {"profiles": {}, "Teams": {"embed": true, "fields": [{"name": "id", "type": "string"}]}}, "fields": [{"name": "id", "type": "string"}]}
--- error
sources.Teams: an embeddable source's name is 1..32 bytes of [a-z0-9_]

=== sources: an embeddable source without fields
--- schema
{"sources": {"profiles": {}, "teams": {"embed": true}}, "fields": [{"name": "id", "type": "string"}]}
--- error
sources.teams.fields: an embeddable source declares its fields (a non-empty array)

=== sources: more than 8 embeddable sources
--- schema
{"sources": {"profiles": {}, "s1": {"embed": true, "fields": [{"name": "id", "type": "string"}]}, "s2": {"embed": true, "fields": [{"name": "id", "type": "string"}]}, "s3": {"embed": true, "fields": [{"name": "id", "type": "string"}]}, "s4": {"embed": true, "fields": [{"name": "id", "type": "string"}]}, "s5": {"embed": true, "fields": [{"name": "id", "type": "string"}]}, "s6": {"embed": true, "fields": [{"name": "id", "type": "string"}]}, "s7": {"embed": true, "fields": [{"name": "id", "type": "string"}]}, "s8": {"embed": true, "fields": [{"name": "id", "type": "string"}]}, "s9": {"embed": true, "fields": [{"name": "id", "type": "string"}]}}, "fields": [{"name": "id", "type": "string"}]}
--- error
sources.s9: more than 8 embeddable sources

=== sources: a roles list in an embeddable source
--- schema
{"roles": ["admin"], "sources": {"profiles": {}, "teams": {"embed": true, "fields": [{"name": "id", "type": "string"}, {"name": "budget", "type": "integer", "audience": "self", "roles": ["admin"]}]}}, "fields": [{"name": "id", "type": "string"}]}
--- error
sources.teams.fields[1].roles: not supported in an embeddable source

=== sources: an audience range in an embeddable source
--- schema
{"sources": {"profiles": {}, "teams": {"embed": true, "fields": [{"name": "id", "type": "string"}, {"name": "bio", "type": "string", "audience_range": ["public", "self"]}]}}, "fields": [{"name": "id", "type": "string"}]}
--- error
sources.teams.fields[1].audience_range: not supported in an embeddable source

=== sources: an embeddable source's own field, checked as a field
--- schema
{"sources": {"profiles": {}, "teams": {"embed": true, "fields": [{"name": "id", "type": "strin"}]}}, "fields": [{"name": "id", "type": "string"}]}
--- error
sources.teams: fields[0].type: must be one of string, integer, number, boolean, timestamp, object, array

