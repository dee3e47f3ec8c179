# HTTP caching headers (docs/caching.md): Cache-Control by visibility
# (profile_cache_public, profile_cache_personal), errors no-store but an
# anonymous 404 with profile_cache_not_found, cache tags
# (profile_cache_tags) on shareable responses only, Last-Modified from a
# timestamp field (profile_last_modified) and its precedence under
# If-None-Match, ETag and 304 for views and viewer kinds (a viewer's
# ETag never gives another viewer a 304), and the directives' refusals.
# t/caching-edge.t puts a real proxy_cache in front.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN { system("$FindBin::Bin/fixtures/build") == 0 or die "fixtures\n"; }

$ENV{TEST_NGINX_FIXTURES} = "$FindBin::Bin/../build/fixtures";

our $http_config = <<'_EOC_';
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_last_modified created_at;

    profile_view team_card {
        source teams;
        field id;
        field name;
    }

    profile_view web {
        envelope on;
        field id;
        field display_name name;
        embed team team_id team_card;
    }
_EOC_

our $config = <<'_EOC_';
    location /c/ {
        profile;
        profile_viewer $http_x_viewer trusted;
        profile_cache_public max-age=60 s-maxage=300 stale-while-revalidate=30 stale-if-error=600;
        profile_cache_not_found 10s;
        profile_cache_tags Surrogate-Key;
    }

    location /w/ {
        profile;
        profile_viewer $http_x_viewer trusted;
        profile_views web;
        profile_cache_public max-age=60;
        profile_cache_personal private max-age=30;
        profile_cache_tags Cache-Tag;
    }

    location /plain/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }

    location = /b {
        profile_batch ids 5 array;
        profile_viewer $http_x_viewer trusted;
        profile_cache_public max-age=5;
        profile_cache_tags X-Tags space;
    }
_EOC_

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value('http_config', $http_config)
        unless defined $block->http_config;
    $block->set_value('config', $config) unless defined $block->config;
});

run_tests();

__DATA__

=== TEST 1: the anonymous 200 is shareable as profile_cache_public says, with its tags and Last-Modified
--- request
GET /c/ann
--- response_headers
Cache-Control: public, max-age=60, s-maxage=300, stale-while-revalidate=30, stale-if-error=600
Surrogate-Key: p:ann snap:clients-1
Last-Modified: Mon, 04 Mar 2019 05:06:07 GMT
ETag: "416a870db16db5b7"
Vary: X-Viewer
--- error_code: 200
--- no_error_log
[error]


=== TEST 2: a personal 200 is private and no-store whatever profile_cache_public says, and carries no tags
--- request
GET /c/ann
--- more_headers
X-Viewer: ann
--- response_headers
Cache-Control: private, no-store
!Surrogate-Key
ETag: "0d31998620913150"
Vary: X-Viewer
--- error_code: 200
--- no_error_log
[error]


=== TEST 3: profile_cache_personal private max-age=30
--- request
GET /w/ann
--- more_headers
X-Viewer: cy
--- response_headers
Cache-Control: private, max-age=30
!Cache-Tag
ETag: "bf5c275d2f77e2ad"
--- error_code: 200
--- no_error_log
[error]


=== TEST 4: a view: tags of the profile, its embedded record, the view and the snapshot
--- request
GET /w/ann
--- response_headers
Cache-Control: public, max-age=60
Cache-Tag: p:ann,s:teams:maps,v:web,snap:clients-1
ETag: "73f8fdffbf5a2d51"
Vary: X-Viewer, Accept
--- error_code: 200
--- no_error_log
[error]


=== TEST 5: a missing embedded record is tagged by its key: publishing it purges this answer
--- request
GET /w/bob
--- response_headers
Cache-Tag: p:bob,s:teams:ghost,v:web,snap:clients-1
--- error_code: 200
--- no_error_log
[error]


=== TEST 6: a batch: every id asked for is a tag, the missing ones too (space-separated as configured)
--- request
GET /b?ids=ann,zz
--- response_headers
Cache-Control: public, max-age=5
X-Tags: p:ann p:zz snap:clients-1
--- error_code: 200
--- no_error_log
[error]


=== TEST 7: a batch with a personal profile: private, no tags
--- request
GET /b?ids=ann,cy
--- more_headers
X-Viewer: cy
--- response_headers
Cache-Control: private, no-store
!X-Tags
--- error_code: 200
--- no_error_log
[error]


=== TEST 8: without profile_cache_public the public 200 has no Cache-Control
--- request
GET /plain/ann
--- response_headers
!Cache-Control
ETag: "416a870db16db5b7"
--- error_code: 200
--- no_error_log
[error]


=== TEST 9: an anonymous 404 with profile_cache_not_found: shareable for that long, tagged
--- request
GET /c/nobody
--- response_headers
Cache-Control: public, max-age=10
Surrogate-Key: p:nobody snap:clients-1
Vary: X-Viewer
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404
--- no_error_log
[error]


=== TEST 10: a 404 to a viewer is no-store: it may be a block of theirs
--- request
GET /c/nobody
--- more_headers
X-Viewer: bob
--- response_headers
Cache-Control: no-store
!Surrogate-Key
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404
--- no_error_log
[error]


=== TEST 11: a hidden profile (blocked): the 404, no-store
--- request
GET /c/ann
--- more_headers
X-Viewer: dee
--- response_headers
Cache-Control: no-store
!Surrogate-Key
!ETag
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404
--- no_error_log
[error]


=== TEST 12: a hidden profile never answers 304, whatever ETag is sent
--- request
GET /c/ann
--- more_headers
X-Viewer: dee
If-None-Match: "416a870db16db5b7"
--- response_headers
Cache-Control: no-store
!ETag
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404
--- no_error_log
[error]


=== TEST 13: a hidden profile with If-None-Match: * is still a 404
--- request
GET /c/ann
--- more_headers
X-Viewer: dee
If-None-Match: *
--- response_headers
Cache-Control: no-store
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404
--- no_error_log
[error]


=== TEST 14: without profile_cache_not_found a 404 is no-store
--- request
GET /plain/nobody
--- response_headers
Cache-Control: no-store
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}
--- error_code: 404
--- no_error_log
[error]


=== TEST 15: a 400 is no-store
--- request
GET /c/bad%20id
--- response_headers
Cache-Control: no-store
--- error_code: 400
--- no_error_log
[error]


=== TEST 16: a 405 is no-store
--- request
POST /c/ann
x
--- response_headers
Cache-Control: no-store
Allow: GET, HEAD
--- error_code: 405
--- no_error_log
[error]


=== TEST 17: a 406 is no-store, with the Vary of the view's choice
--- request
GET /w/ann
--- more_headers
Accept: text/html
--- response_headers
Cache-Control: no-store
Vary: X-Viewer, Accept
--- error_code: 406
--- no_error_log
[error]


=== TEST 18: If-None-Match of the same representation: 304 with the same caching headers
--- request
GET /c/ann
--- more_headers
If-None-Match: "416a870db16db5b7"
--- response_headers
Cache-Control: public, max-age=60, s-maxage=300, stale-while-revalidate=30, stale-if-error=600
ETag: "416a870db16db5b7"
Surrogate-Key: p:ann snap:clients-1
--- response_body chomp

--- error_code: 304
--- no_error_log
[error]


=== TEST 19: the owner's ETag sent anonymously: 200, not 304
--- request
GET /c/ann
--- more_headers
If-None-Match: "0d31998620913150"
--- response_headers
ETag: "416a870db16db5b7"
--- error_code: 200
--- no_error_log
[error]


=== TEST 20: the anonymous ETag sent by the owner: 200, not 304
--- request
GET /c/ann
--- more_headers
X-Viewer: ann
If-None-Match: "416a870db16db5b7"
--- response_headers
ETag: "0d31998620913150"
--- error_code: 200
--- no_error_log
[error]


=== TEST 21: a view: a friend with their own ETag gets 304
--- request
GET /w/ann
--- more_headers
X-Viewer: cy
If-None-Match: "bf5c275d2f77e2ad"
--- response_headers
ETag: "bf5c275d2f77e2ad"
Cache-Control: private, max-age=30
--- response_body chomp

--- error_code: 304
--- no_error_log
[error]


=== TEST 22: a view: the friend's ETag sent anonymously gets 200
--- request
GET /w/ann
--- more_headers
If-None-Match: "bf5c275d2f77e2ad"
--- response_headers
ETag: "73f8fdffbf5a2d51"
--- error_code: 200
--- no_error_log
[error]


=== TEST 23: the plain object's ETag sent to the view: 200 (another representation)
--- request
GET /w/ann
--- more_headers
If-None-Match: "416a870db16db5b7"
--- response_headers
ETag: "73f8fdffbf5a2d51"
--- error_code: 200
--- no_error_log
[error]


=== TEST 24: If-Modified-Since equal to Last-Modified: 304
--- request
GET /c/ann
--- more_headers
If-Modified-Since: Mon, 04 Mar 2019 05:06:07 GMT
--- response_headers
Last-Modified: Mon, 04 Mar 2019 05:06:07 GMT
--- response_body chomp

--- error_code: 304
--- no_error_log
[error]


=== TEST 25: If-None-Match decides when both are sent: a wrong ETag with a matching date is a 200
--- request
GET /c/ann
--- more_headers
If-None-Match: "0000000000000000"
If-Modified-Since: Mon, 04 Mar 2019 05:06:07 GMT
--- response_headers
ETag: "416a870db16db5b7"
--- error_code: 200
--- no_error_log
[error]


=== TEST 26: If-None-Match decides when both are sent: the ETag with an older date is a 304
--- request
GET /c/ann
--- more_headers
If-None-Match: "416a870db16db5b7"
If-Modified-Since: Mon, 01 Jan 2018 00:00:00 GMT
--- response_headers
ETag: "416a870db16db5b7"
--- response_body chomp

--- error_code: 304
--- no_error_log
[error]


=== TEST 27: Last-Modified only when the viewer may see its field
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_last_modified last_seen;
--- config
    location /p/ {
        profile;
        profile_viewer $http_x_viewer trusted;
    }
--- request eval
["GET /p/ann", "GET /p/ann"]
--- more_headers eval
["", "X-Viewer: cy"]
--- response_headers eval
["!Last-Modified", "Last-Modified: Mon, 30 Nov 2026 22:00:00 GMT"]
--- error_code eval
[200, 200]
--- no_error_log
[error]


=== TEST 28: profile_last_modified off; a profile without the field has none
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
    profile_last_modified off;
--- config
    location /p/ {
        profile;
    }
--- request
GET /p/ann
--- response_headers
!Last-Modified
--- error_code: 200
--- no_error_log
[error]


=== TEST 29: no Last-Modified when the schema has no such timestamp (the default updated_at)
--- http_config
    profile_snapshot $TEST_NGINX_FIXTURES/clients.snap;
--- config
    location /p/ {
        profile;
    }
--- request
GET /p/ann
--- response_headers
!Last-Modified
--- error_code: 200
--- no_error_log
[error]


=== TEST 30: If-None-Match with the ETag among others: 304
--- request
GET /c/ann
--- more_headers
If-None-Match: "0000000000000000", "416a870db16db5b7"
--- response_headers
ETag: "416a870db16db5b7"
--- response_body chomp

--- error_code: 304
--- no_error_log
[error]
[alert]



=== TEST 31: If-None-Match with the weak form of the ETag: 304 (weak comparison)
--- request
GET /c/ann
--- more_headers
If-None-Match: W/"416a870db16db5b7"
--- response_headers
ETag: "416a870db16db5b7"
--- response_body chomp

--- error_code: 304
--- no_error_log
[error]
[alert]



=== TEST 32: If-None-Match: * is a 304 for a profile the viewer sees
--- request
GET /c/ann
--- more_headers
If-None-Match: *
--- response_headers
ETag: "416a870db16db5b7"
--- response_body chomp

--- error_code: 304
--- no_error_log
[error]
[alert]



=== TEST 33: If-None-Match with the ETag followed by text: no match, the whole body
--- request
GET /c/ann
--- more_headers
If-None-Match: "416a870db16db5b7" x
--- response_headers
ETag: "416a870db16db5b7"
--- response_body chomp
{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar_url":"https://cdn.example/a/ann.png","bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"followers":1200,"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","team_id":"maps"}
--- error_code: 200
--- no_error_log
[error]
[alert]



=== TEST 34: If-None-Match with a prefix of the ETag: the whole body
--- request
GET /c/ann
--- more_headers
If-None-Match: "416a870db16db5b7
--- response_headers
ETag: "416a870db16db5b7"
--- response_body chomp
{"id":"ann","user_id":9007199254740993,"display_name":"Ann Lee","username":"ann","avatar_url":"https://cdn.example/a/ann.png","bio":"Maps and \"trains\".","location":{"city":"Lisbon","country":"PT"},"followers":1200,"verified":true,"links":["https://ann.example"],"created_at":"2019-03-04T05:06:07Z","team_id":"maps"}
--- error_code: 200
--- no_error_log
[error]
[alert]



=== TEST 35: If-Match that fails comes first: 412, whatever If-None-Match says
--- request
GET /c/ann
--- more_headers
If-Match: "0000000000000000"
If-None-Match: "416a870db16db5b7"
--- response_headers
!ETag
--- error_code: 412
--- no_error_log
[error]
[alert]



=== TEST 36: HEAD with the ETag: 304
--- request
HEAD /c/ann
--- more_headers
If-None-Match: "416a870db16db5b7"
--- response_headers
ETag: "416a870db16db5b7"
--- response_body chomp

--- error_code: 304
--- no_error_log
[error]
[alert]



=== TEST 37: profile_cache_personal public is refused
--- config
    location /p/ {
        profile;
        profile_cache_personal public;
    }
--- must_die
--- error_log
invalid value "public" in "profile_cache_personal": "no-store" or "private" (a response that depends on the viewer is never shareable)


=== TEST 38: profile_cache_personal private s-maxage is refused
--- config
    location /p/ {
        profile;
        profile_cache_personal private s-maxage=60;
    }
--- must_die
--- error_log
invalid parameter "s-maxage=60" in "profile_cache_personal": only "max-age=TIME" (a response that depends on the viewer is never shareable)


=== TEST 39: profile_cache_personal private with a bad time
--- config
    location /p/ {
        profile;
        profile_cache_personal private max-age=soon;
    }
--- must_die
--- error_log
invalid time "soon" in "profile_cache_personal"


=== TEST 40: profile_cache_public with an unknown parameter
--- config
    location /p/ {
        profile;
        profile_cache_public no-cache;
    }
--- must_die
--- error_log
invalid parameter "no-cache" in "profile_cache_public": max-age=, s-maxage=, stale-while-revalidate= or stale-if-error= and a time, or "off"


=== TEST 41: profile_cache_public with a parameter twice
--- config
    location /p/ {
        profile;
        profile_cache_public max-age=1 max-age=2;
    }
--- must_die
--- error_log
"max-age" is given twice in "profile_cache_public"


=== TEST 42: profile_cache_public with a bad time
--- config
    location /p/ {
        profile;
        profile_cache_public max-age=x;
    }
--- must_die
--- error_log
invalid time "x" in "profile_cache_public"


=== TEST 43: profile_cache_public twice
--- config
    location /p/ {
        profile;
        profile_cache_public max-age=1;
        profile_cache_public max-age=2;
    }
--- must_die
--- error_log
"profile_cache_public" directive is duplicate


=== TEST 44: profile_cache_not_found 0
--- config
    location /p/ {
        profile;
        profile_cache_not_found 0;
    }
--- must_die
--- error_log
invalid value "0" in "profile_cache_not_found": a time above 0, or "off"


=== TEST 45: profile_cache_tags with a bad header name
--- config
    location /p/ {
        profile;
        profile_cache_tags "Cache Tag";
    }
--- must_die
--- error_log
invalid header name "Cache Tag" in "profile_cache_tags"


=== TEST 46: profile_cache_tags with a bad separator
--- config
    location /p/ {
        profile;
        profile_cache_tags Cache-Tag semicolon;
    }
--- must_die
--- error_log
invalid separator "semicolon" in "profile_cache_tags": "space" or "comma"
