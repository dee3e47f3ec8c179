# Identity from auth_request only (docs/access-rules.md "Identity from a
# trusted source"): the headers a client may send (X-User-Id, X-Viewer,
# X-Forwarded-User, X-User, X-Roles) with privileged values change
# nothing, byte for byte; the existence-hiding answers; the forbidden
# status; hidden fields as null; the error_page fallback after a failed
# auth subrequest.  The expected bodies were worked out from the spec for
# the fixtures of t/access/ (t/access/oracle.pl prints them).  The whole
# matrix is t/access-matrix.t.
#
# The "auth server" is core nginx: a map from a bearer token to a user
# and roles, answered by /_verify (204, or 401 for an unknown token) and
# reached by auth_request through /_auth.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN {
    my ($snap) = split /\n/, `$FindBin::Bin/access/build`;
    $? == 0 or die "t/access/build failed\n";
    $ENV{TEST_NGINX_ACCESS_SNAP} = $snap;
}

our $HttpConfig = <<'_EOC_';
    profile_snapshot $TEST_NGINX_ACCESS_SNAP;
    map $http_authorization $tok_ok {
        default 0;
        "" 1;
        "Bearer t-sam" 1;
        "Bearer t-sup" 1;
        "Bearer t-pal" 1;
        "Bearer t-blockee" 1;
        "Bearer t-act-full" 1;
    }
    map $http_authorization $tok_user {
        default "";
        "Bearer t-sam" sam;
        "Bearer t-sup" sup;
        "Bearer t-pal" pal;
        "Bearer t-blockee" blockee;
        "Bearer t-act-full" act-full;
        "Bearer t-denied" adm;
    }
    map $http_authorization $tok_roles {
        default "";
        "Bearer t-sup" support;
        "Bearer t-denied" "admin support partner";
    }
_EOC_

our $Auth = <<'_EOC_';
    location = /_verify {
        add_header X-User $tok_user always;
        add_header X-Roles $tok_roles always;
        if ($tok_ok = 0) {
            return 401;
        }
        return 204;
    }

    location = /_auth {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_verify;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
    }
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', $HttpConfig)
        unless defined $block->http_config;
    $block->set_value('config', $Auth . ($block->config // ''));
});

run_tests();

__DATA__

=== TEST 1: anonymous, with every identity header a client could forge
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
    }
--- request
GET /p/act-full
--- more_headers
X-User-Id: act-full
X-Viewer: act-full
X-Forwarded-User: act-full
X-User: act-full
X-Roles: admin, support, partner
X-Remote-User: act-full
--- response_headers
Content-Type: application/json; charset=utf-8
!Vary
--- response_body chomp
{"id":"act-full","username":"u_act-full","avatar":"https://img.example/act-full.png","bio":"bio of act-full","verified":false}
--- no_error_log
[error]



=== TEST 2: a stranger claiming to be the owner and an admin gets the stranger's view
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
    }
--- request
GET /p/act-full
--- more_headers
Authorization: Bearer t-sam
X-User-Id: act-full
X-Viewer: act-full
X-Forwarded-User: act-full
X-User: act-full
X-Roles: admin
--- response_body chomp
{"id":"act-full","username":"u_act-full","avatar":"https://img.example/act-full.png","display_name":"Name 12","bio":"bio of act-full","karma":-16,"verified":false}
--- no_error_log
[error]



=== TEST 3: support claiming admin in X-Roles keeps support's view
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
    }
--- request
GET /p/act-full
--- more_headers
Authorization: Bearer t-sup
X-Roles: admin
X-User: act-full
X-Viewer: adm
--- response_body chomp
{"id":"act-full","username":"u_act-full","avatar":"https://img.example/act-full.png","display_name":"Name 12","bio":"bio of act-full","email":"act-full@example.com","phone":"+15550000012","karma":-16,"verified":false,"notes":"support note 12"}
--- no_error_log
[error]



=== TEST 4: a deleted profile stays hidden to forged admin headers
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
    }
--- request
GET /p/del-plain
--- more_headers
X-User-Id: adm
X-Viewer: adm
X-Forwarded-User: adm
X-User: adm
X-Roles: admin
--- error_code: 404
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}



=== TEST 5: a private profile: forged owner headers get the stub
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
    }
--- request
GET /p/priv-plain
--- more_headers
X-User-Id: priv-plain
X-Viewer: priv-plain
X-Forwarded-User: priv-plain
X-User: priv-plain
X-Roles: support
--- response_body chomp
{"id":"priv-plain","username":"u_priv-plain","avatar":"https://img.example/priv-plain.png"}



=== TEST 6: a blocked viewer forging another identity still gets the not-found answer
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
    }
--- request
GET /p/act-full
--- more_headers
Authorization: Bearer t-blockee
X-User-Id: act-full
X-User: sam
X-Roles: admin
--- error_code: 404
--- response_headers
Content-Type: application/problem+json
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}



=== TEST 7: an unknown token is refused by the auth subrequest, whatever the headers
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
    }
--- request
GET /p/act-full
--- more_headers
Authorization: Bearer forged
X-User: act-full
X-Roles: admin
--- error_code: 401
--- response_body_unlike
act-full



=== TEST 8: error_page 401 to a profile location after a refused token that still named an admin: anonymous
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        error_page 401 = /fallback$uri;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
    }
    location /fallback/p/ {
        internal;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
    }
--- request
GET /p/act-full
--- more_headers
Authorization: Bearer t-denied
--- response_body chomp
{"id":"act-full","username":"u_act-full","avatar":"https://img.example/act-full.png","bio":"bio of act-full","verified":false}



=== TEST 9: the owner's view, through auth_request, is private
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
    }
--- request
GET /p/act-full
--- more_headers
Authorization: Bearer t-act-full
X-Roles: admin
--- response_headers_like
Cache-Control: .*\b(private|no-store)\b.*
--- response_body chomp
{"id":"act-full","username":"u_act-full","avatar":"https://img.example/act-full.png","display_name":"Name 12","bio":"bio of act-full","city":"City12","birthday":"1962-01-13","email":"act-full@example.com","phone":"+15550000012","karma":-16,"verified":false,"posts":36,"last_login":"2026-11-13T10:00:00Z","notes":"support note 12","deals":"deal-12"}



=== TEST 10: profile_forbidden_status 403: a private profile, not_found mode, is 403 forbidden
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
        profile_private_mode not_found;
        profile_forbidden_status 403;
    }
--- request
GET /p/priv-plain
--- error_code: 403
--- response_headers
Content-Type: application/problem+json
--- response_body_like chomp
^\{"type":"urn:ngx-http-profile:problem:forbidden",.*"status":403,


=== TEST 11: profile_forbidden_status 403: nonexistent is still 404
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
        profile_private_mode not_found;
        profile_forbidden_status 403;
    }
--- request
GET /p/nobody
--- error_code: 404
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}



=== TEST 12: profile_forbidden_status 403: blocked is still 404
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
        profile_private_mode not_found;
        profile_forbidden_status 403;
    }
--- request
GET /p/priv-plain
--- more_headers
Authorization: Bearer t-blockee
--- error_code: 404
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}



=== TEST 13: profile_forbidden_status 403: deleted is still 404
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
        profile_private_mode not_found;
        profile_forbidden_status 403;
    }
--- request
GET /p/del-closed
--- error_code: 404
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}



=== TEST 14: profile_forbidden_status 403: suspended is still 404
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
        profile_private_mode not_found;
        profile_forbidden_status 403;
    }
--- request
GET /p/susp-banned
--- more_headers
Authorization: Bearer t-pal
--- error_code: 404
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}



=== TEST 15: profile_private_mode not_found alone: the forbidden answer is the not-found one
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
        profile_private_mode not_found;
    }
--- request
GET /p/priv-plain
--- more_headers
Authorization: Bearer t-sam
--- error_code: 404
--- response_body chomp
{"type":"urn:ngx-http-profile:problem:not-found","title":"Profile not found","status":404,"detail":"No profile has this id."}



=== TEST 16: profile_private_mode not_found: a friend still sees the fields
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
        profile_private_mode not_found;
        profile_forbidden_status 403;
    }
--- request
GET /p/priv-avatar-friend
--- more_headers
Authorization: Bearer t-pal
--- response_body chomp
{"id":"priv-avatar-friend","username":"u_priv-avatar-friend","avatar":"https://img.example/priv-avatar-friend.png","display_name":"Name 39","bio":"bio of priv-avatar-friend","city":"City39","birthday":"1989-04-12","email":"priv-avatar-friend@example.com","karma":173,"verified":true,"posts":117}



=== TEST 17: profile_hidden_fields null: every hidden field null, a visible field the record lacks absent
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
        profile_hidden_fields null;
    }
--- request
GET /p/act-sparse
--- response_body chomp
{"id":"act-sparse","username":"u_act-sparse","state":null,"display_name":null,"city":null,"birthday":null,"email":null,"phone":null,"karma":null,"verified":true,"posts":null,"last_login":null,"notes":null,"deals":null}



=== TEST 18: profile_hidden_fields null: a friend of a private profile
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
        profile_hidden_fields null;
    }
--- request
GET /p/priv-avatar-friend
--- more_headers
Authorization: Bearer t-pal
--- response_body chomp
{"id":"priv-avatar-friend","username":"u_priv-avatar-friend","avatar":"https://img.example/priv-avatar-friend.png","state":null,"display_name":"Name 39","bio":"bio of priv-avatar-friend","city":"City39","birthday":"1989-04-12","email":"priv-avatar-friend@example.com","phone":null,"karma":173,"verified":true,"posts":117,"last_login":null,"notes":null,"deals":null}



=== TEST 19: profile_hidden_fields null: the stub, every other field null (fail-closed reading)
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
        profile_hidden_fields null;
    }
--- request
GET /p/priv-avatar-friend
--- response_body chomp
{"id":"priv-avatar-friend","username":"u_priv-avatar-friend","avatar":null,"state":null,"display_name":null,"bio":null,"city":null,"birthday":null,"email":null,"phone":null,"karma":null,"verified":null,"posts":null,"last_login":null,"notes":null,"deals":null}



=== TEST 20: profile_hidden_fields omit (the default, said explicitly)
--- config
    location /p/ {
        auth_request /_auth;
        auth_request_set $viewer $upstream_http_x_user;
        auth_request_set $roles $upstream_http_x_roles;
        profile;
        profile_viewer $viewer;
        profile_viewer_roles $roles;
        profile_hidden_fields omit;
    }
--- request
GET /p/act-sparse
--- response_body chomp
{"id":"act-sparse","username":"u_act-sparse","verified":true}
