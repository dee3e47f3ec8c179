# The view directives at "nginx -t" (docs/views.md "Checked at nginx -t",
# docs/errors.md): every refusal of a profile_view block, of
# profile_views, profile_fields_max and profile_fields_arg, with its
# message; the views are checked against the configured snapshot's
# schema (t/fixtures/clients.*).  A candidate snapshot of a directory
# refused for the views is in t/views-swap.t.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

run_tests();

__DATA__

=== TEST 1: a view naming a field the snapshot lacks: refused at nginx -t, naming the view, the line and the field
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
        field nope;
    }
--- config
    location /p/ {
        profile;
        profile_views a;
    }
--- must_die
--- error_log
clients.snap" is incompatible with the views: view "a" (
) names field "nope", which the snapshot's schema does not have


=== TEST 2: a view that is offered nowhere is checked too
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view unused {
        field nope;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
view "unused" (
) names field "nope"


=== TEST 3: two fields written at one output name
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
        field username id;
    }
--- config
    location /p/ {
        profile;
        profile_views a;
    }
--- must_die
--- error_log
view "a" (
) writes field "username" as "id", where another field of the view is written


=== TEST 4: an output name that is both a value and an object
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id x;
        field username x.y;
    }
--- config
    location /p/ {
        profile;
        profile_views a;
    }
--- must_die
--- error_log
writes field "username" as "x.y", where another field of the view is written


=== TEST 5: an object written where a value is
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id x.y;
        field username x;
    }
--- config
    location /p/ {
        profile;
        profile_views a;
    }
--- must_die
--- error_log
writes field "username" as "x", where another field of the view is written


=== TEST 6: "field *" then a rename onto a name it writes
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field *;
        field username id;
    }
--- config
    location /p/ {
        profile;
        profile_views a;
    }
--- must_die
--- error_log
writes field "username" as "id", where another field of the view is written


=== TEST 7: "field *" twice
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field *;
        field *;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
duplicate "field *" in view "a"


=== TEST 8: "field *" with an output name
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field * all;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
"field *" of view "a" takes no output name


=== TEST 9: a view without fields
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
view "a" has no "field"


=== TEST 10: a view name outside the grammar
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a.b {
        field id;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
invalid view name "a.b": 1 to 64 bytes of [A-Za-z0-9_-]


=== TEST 11: a view declared twice
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
    }
    profile_view a {
        field id;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
duplicate view "a", first declared in


=== TEST 12: a field name outside the grammar
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field location.city.x;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
invalid field name "location.city.x" in view "a": a field of the schema, a member of one ("location.city"), or "*"


=== TEST 13: an output path with an empty name
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id a..b;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
invalid output name "a..b" in view "a": 1 to 8 names of [A-Za-z0-9_-] of at most 64 bytes, joined by "."


=== TEST 14: an output path nested too deep
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id a.b.c.d.e.f.g.h.i;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
invalid output name "a.b.c.d.e.f.g.h.i" in view "a"


=== TEST 15: "field" with three arguments
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id a b;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
invalid number of arguments in "field" of view "a"


=== TEST 16: a bad "integers"
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
        integers big;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
invalid value "big" in "integers" of view "a": "number" or "string"


=== TEST 17: "integers" twice
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
        integers string;
        integers number;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
"integers" is duplicate


=== TEST 18: a bad "envelope"
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
        envelope yes;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
invalid value "yes" in "envelope", it must be "on" or "off"


=== TEST 19: "omit_empty" twice
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
        omit_empty on;
        omit_empty on;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
"omit_empty" is duplicate


=== TEST 20: an unknown line in a view
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
        colour red;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
unknown directive "colour" in view "a"


=== TEST 21: a block inside a view
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
        embed {
        }
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
unexpected "{"


=== TEST 22: profile_view inside a server
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
--- config
    profile_view a {
        field id;
    }
--- must_die
--- error_log
"profile_view" directive is not allowed here


=== TEST 23: profile_views naming an undeclared view
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
    }
--- config
    location /p/ {
        profile;
        profile_views a b;
    }
--- must_die
--- error_log
unknown view "b" in "profile_views" in 


=== TEST 24: profile_views naming a view twice
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
    }
--- config
    location /p/ {
        profile;
        profile_views a a;
    }
--- must_die
--- error_log
view "a" is given twice in "profile_views"


=== TEST 25: profile_views twice
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
    }
--- config
    location /p/ {
        profile;
        profile_views a;
        profile_views a;
    }
--- must_die
--- error_log
"profile_views" directive is duplicate


=== TEST 26: profile_fields_max 0
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
    }
--- config
    location /p/ {
        profile;
        profile_views a;
        profile_fields_max 0;
    }
--- must_die
--- error_log
value must be between 1 and 256


=== TEST 27: profile_fields_arg with a bad name
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
    }
--- config
    location /p/ {
        profile;
        profile_views a;
        profile_fields_arg "a b";
    }
--- must_die
--- error_log
invalid argument name "a b" in "profile_fields_arg": [A-Za-z0-9_-], or "off"


=== TEST 28: every option accepted: the views serve
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        envelope off;
        omit_empty off;
        integers number;
        field id;
        field display_name profile.name;
    }
--- config
    location /p/ {
        profile;
        profile_views a;
        profile_view_select $arg_v;
        profile_fields_arg f;
        profile_fields_max 256;
    }
--- request
GET /p/bob?f=profile
--- response_body chomp
{"profile":{"name":"Bob"}}
--- error_code: 200
--- no_error_log
[error]


=== TEST 29: a member the schema does not declare
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field location.zip;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
view "a" (
) names member "zip" of field "location", which the snapshot's schema does not declare (an object field's "fields")


=== TEST 30: a member of a field that is not an object
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id.x;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
names member "x" of field "id", which the snapshot's schema does not declare


=== TEST 31: a member of a field the schema lacks
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field nope.x;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
names field "nope", which the snapshot's schema does not have


=== TEST 32: a bad "timestamps"
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
        timestamps unix;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
invalid value "unix" in "timestamps" of view "a": "rfc3339" or "epoch"


=== TEST 33: "timestamps" twice
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view a {
        field id;
        timestamps epoch;
        timestamps epoch;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
"timestamps" is duplicate


=== TEST 34: embed of an undeclared view
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source teams;
        field name;
    }
    profile_view a {
        field id;
        embed team team_id nope;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
embeds view "nope", which is not declared


=== TEST 35: embed of a view without "source"
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view b {
        field id;
    }
    profile_view a {
        field id;
        embed team team_id b;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
embeds view "b", which has no "source" line (an embedded view renders an embeddable source)


=== TEST 36: a view of a source offered in a location
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source teams;
        field name;
    }
    
--- config
    location /p/ {
        profile;
        profile_views t;
    }
--- must_die
--- error_log eval
qr/view "t" in "profile_views" in \S+:\d+ renders source "teams": it can only be embedded/


=== TEST 37: a view of a source with an envelope
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source teams;
        envelope on;
        field name;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
renders source "teams" and cannot have an envelope


=== TEST 38: a view of a source that embeds
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source teams;
        field name;
    }
    profile_view t2 {
        source teams;
        field name;
        embed x id t;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log eval
qr/view "t2" in \S+:\d+ renders source "teams" and cannot embed/


=== TEST 39: a source the snapshot lacks
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source clubs;
        field name;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
renders source "clubs", which the snapshot does not have (an embeddable source of the schema, built with --source clubs=FILE)


=== TEST 40: a bad source name
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source Teams;
        field name;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
invalid source name "Teams" in view "t": 1 to 32 bytes of [a-z0-9_]


=== TEST 41: "source" twice
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source teams;
        source teams;
        field name;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
"source" is duplicate


=== TEST 42: a field the source lacks
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source teams;
        field nope;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
names field "nope", which its source does not have


=== TEST 43: a member of a source's field
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source teams;
        field name.x;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
names member "x" of field "name", which its source does not declare (an object field's "fields")


=== TEST 44: an embed keyed by an object field
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source teams;
        field name;
    }
    profile_view a {
        field id;
        embed team location t;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
embeds by field "location", which is neither a string nor an integer


=== TEST 45: "embed" with too few arguments
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source teams;
        field name;
    }
    profile_view a {
        field id;
        embed team team_id;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
invalid number of arguments in "embed" of view "a"


=== TEST 46: "embed" with a bad policy
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source teams;
        field name;
    }
    profile_view a {
        field id;
        embed team team_id t maybe;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
invalid value "maybe" in "embed" of view "a": "null" or "omit"


=== TEST 47: two embeds at one output name
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source teams;
        field name;
    }
    profile_view a {
        field id;
        embed team team_id t;
        embed team team_id t;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
writes field "team_id" as "team", where another field of the view is written


=== TEST 48: more than 8 embeds
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_view t {
        source teams;
        field name;
    }
    profile_view a {
        embed e0 team_id t;
        embed e1 team_id t;
        embed e2 team_id t;
        embed e3 team_id t;
        embed e4 team_id t;
        embed e5 team_id t;
        embed e6 team_id t;
        embed e7 team_id t;
        embed e8 team_id t;
    }
--- config
    location /p/ {
        profile;
    }
--- must_die
--- error_log
more than 8 "embed" in view "a"
