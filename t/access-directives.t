# The access directives at "nginx -t" (docs/access-rules.md "Refusals at
# nginx -t", "Identity from a trusted source"): a viewer or a role list
# read from the client's request is refused with the documented message
# unless marked "trusted"; a constant role the snapshot does not declare
# is refused; every bad argument of profile_private_mode,
# profile_forbidden_status, profile_hidden_fields and profile_block; the
# good values are accepted.  The snapshot is the one of t/access/.
# The whole documented text of a message is checked once (TESTs 1 and
# 28), its start with the value and the variable everywhere else.

use Test::Nginx::Socket 'no_plan';
use FindBin;

BEGIN {
    my ($snap) = split /\n/, `$FindBin::Bin/access/build`;
    $? == 0 or die "t/access/build failed\n";
    $ENV{TEST_NGINX_ACCESS_SNAP} = $snap;
}

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config',
                      "    profile_snapshot \$TEST_NGINX_ACCESS_SNAP;\n")
        unless defined $block->http_config;
});

run_tests();

__DATA__

=== TEST 1: profile_viewer $http_x_user is refused, with the whole documented message
--- config
    location /p/ {
        profile;
        profile_viewer $http_x_user;
    }
--- must_die
--- error_log
profile_viewer "$http_x_user" reads the client's request ($http_x_user): any client can claim any identity; take it from auth_request_set or another verified source, or add "trusted" if a proxy in front sets and strips it


=== TEST 2: profile_viewer $cookie_sid is refused
--- config
    location /p/ {
        profile;
        profile_viewer $cookie_sid;
    }
--- must_die
--- error_log
profile_viewer "$cookie_sid" reads the client's request ($cookie_sid)


=== TEST 3: profile_viewer $arg_user is refused
--- config
    location /p/ {
        profile;
        profile_viewer $arg_user;
    }
--- must_die
--- error_log
profile_viewer "$arg_user" reads the client's request ($arg_user)


=== TEST 4: profile_viewer $request_uri is refused
--- config
    location /p/ {
        profile;
        profile_viewer $request_uri;
    }
--- must_die
--- error_log
profile_viewer "$request_uri" reads the client's request ($request_uri)


=== TEST 5: profile_viewer $uri is refused
--- config
    location /p/ {
        profile;
        profile_viewer $uri;
    }
--- must_die
--- error_log
profile_viewer "$uri" reads the client's request ($uri)


=== TEST 6: profile_viewer $document_uri is refused
--- config
    location /p/ {
        profile;
        profile_viewer $document_uri;
    }
--- must_die
--- error_log
profile_viewer "$document_uri" reads the client's request ($document_uri)


=== TEST 7: profile_viewer $args is refused
--- config
    location /p/ {
        profile;
        profile_viewer $args;
    }
--- must_die
--- error_log
profile_viewer "$args" reads the client's request ($args)


=== TEST 8: profile_viewer $query_string is refused
--- config
    location /p/ {
        profile;
        profile_viewer $query_string;
    }
--- must_die
--- error_log
profile_viewer "$query_string" reads the client's request ($query_string)


=== TEST 9: profile_viewer $request is refused
--- config
    location /p/ {
        profile;
        profile_viewer $request;
    }
--- must_die
--- error_log
profile_viewer "$request" reads the client's request ($request)


=== TEST 10: profile_viewer $request_body is refused
--- config
    location /p/ {
        profile;
        profile_viewer $request_body;
    }
--- must_die
--- error_log
profile_viewer "$request_body" reads the client's request ($request_body)


=== TEST 11: profile_viewer $remote_user is refused
--- config
    location /p/ {
        profile;
        profile_viewer $remote_user;
    }
--- must_die
--- error_log
profile_viewer "$remote_user" reads the client's request ($remote_user)


=== TEST 12: profile_viewer ${http_x_user} (braces) is refused
--- config
    location /p/ {
        profile;
        profile_viewer ${http_x_user};
    }
--- must_die
--- error_log eval
qr/profile_viewer "\$\{http_x_user\}" reads the client's request \(\$\{?http_x_user\}?\)/


=== TEST 13: profile_viewer with a client variable inside a longer value is refused
--- config
    location /p/ {
        profile;
        profile_viewer "u-$cookie_uid";
    }
--- must_die
--- error_log
profile_viewer "u-$cookie_uid" reads the client's request ($cookie_uid)


=== TEST 14: profile_viewer $1 (a regex capture) is refused
--- config
    location ~ ^/p/([^/]+)/as/([^/]+)$ {
        profile;
        profile_id $1;
        profile_viewer $2;
    }
--- must_die
--- error_log
profile_viewer "$2" reads the client's request ($2)


=== TEST 15: profile_viewer $http_x_user is refused in server context too
--- config
    profile_viewer $http_x_user;
    location /p/ {
        profile;
    }
--- must_die
--- error_log
profile_viewer "$http_x_user" reads the client's request ($http_x_user)


=== TEST 16: profile_viewer $http_x_user trusted is accepted, and the header is then the viewer
--- config
    location /p/ {
        profile;
        profile_viewer $http_x_user trusted;
    }
--- request
GET /p/act-full
--- more_headers
X-User: act-full
--- response_headers_like
Cache-Control: .*\b(private|no-store)\b.*
--- response_body chomp
{"id":"act-full","username":"u_act-full","avatar":"https://img.example/act-full.png","display_name":"Name 12","bio":"bio of act-full","city":"City12","birthday":"1962-01-13","email":"act-full@example.com","phone":"+15550000012","karma":-16,"verified":false,"posts":36,"last_login":"2026-11-13T10:00:00Z","notes":"support note 12","deals":"deal-12"}
--- no_error_log
[error]
[emerg]


=== TEST 17: a variable made from a header elsewhere is not traced: accepted
--- http_config
    profile_snapshot $TEST_NGINX_ACCESS_SNAP;
    map $http_x_user $mapped_viewer {
        default $http_x_user;
    }
--- config
    location /p/ {
        profile;
        profile_viewer $mapped_viewer;
    }
--- request
GET /p/act-full
--- response_body chomp
{"id":"act-full","username":"u_act-full","avatar":"https://img.example/act-full.png","bio":"bio of act-full","verified":false}


=== TEST 18: profile_viewer_roles $http_x_roles is refused
--- config
    location /p/ {
        profile;
        profile_viewer sam;
        profile_viewer_roles $http_x_roles;
    }
--- must_die
--- error_log
profile_viewer_roles "$http_x_roles" reads the client's request ($http_x_roles): 


=== TEST 19: profile_viewer_roles $cookie_roles is refused
--- config
    location /p/ {
        profile;
        profile_viewer sam;
        profile_viewer_roles $cookie_roles;
    }
--- must_die
--- error_log
profile_viewer_roles "$cookie_roles" reads the client's request ($cookie_roles): 


=== TEST 20: profile_viewer_roles $arg_roles is refused
--- config
    location /p/ {
        profile;
        profile_viewer sam;
        profile_viewer_roles $arg_roles;
    }
--- must_die
--- error_log
profile_viewer_roles "$arg_roles" reads the client's request ($arg_roles): 


=== TEST 21: profile_viewer_roles $http_x_roles trusted is accepted
--- config
    location /p/ {
        profile;
        profile_viewer $http_x_user trusted;
        profile_viewer_roles $http_x_roles trusted;
    }
--- request
GET /p/act-full
--- more_headers
X-User: sup
X-Roles: support
--- response_body chomp
{"id":"act-full","username":"u_act-full","avatar":"https://img.example/act-full.png","display_name":"Name 12","bio":"bio of act-full","email":"act-full@example.com","phone":"+15550000012","karma":-16,"verified":false,"notes":"support note 12"}


=== TEST 22: a constant declared role is accepted and counts
--- config
    location /p/ {
        profile;
        profile_viewer par;
        profile_viewer_roles partner;
    }
--- request
GET /p/act-full
--- response_body chomp
{"id":"act-full","username":"u_act-full","avatar":"https://img.example/act-full.png","display_name":"Name 12","bio":"bio of act-full","karma":-16,"verified":false,"deals":"deal-12"}


=== TEST 23: a constant undeclared role is refused
--- config
    location /p/ {
        profile;
        profile_viewer sam;
        profile_viewer_roles root;
    }
--- must_die
--- error_log eval
qr{profile_viewer_roles "root": role "root" is not declared by the schema of snapshot "[^"]*/build/access/access(?:-nostates)?\.snap"}


=== TEST 24: a constant list with one undeclared role is refused, naming it
--- config
    location /p/ {
        profile;
        profile_viewer sam;
        profile_viewer_roles "admin, superuser";
    }
--- must_die
--- error_log eval
qr{profile_viewer_roles "admin, superuser": role "superuser" is not declared by the schema of snapshot "}


=== TEST 25: profile_private_mode maybe is refused
--- config
    location /p/ {
        profile;
        profile_private_mode maybe;
    }
--- must_die
--- error_log
invalid value "maybe" in "profile_private_mode" directive, it must be "stub" or "not_found"


=== TEST 26: profile_private_mode 404 is refused
--- config
    location /p/ {
        profile;
        profile_private_mode 404;
    }
--- must_die
--- error_log
invalid value "404" in "profile_private_mode" directive, it must be "stub" or "not_found"


=== TEST 27: profile_private_mode "" is refused
--- config
    location /p/ {
        profile;
        profile_private_mode "";
    }
--- must_die
--- error_log
invalid value "" in "profile_private_mode" directive, it must be "stub" or "not_found"


=== TEST 28: profile_forbidden_status 401 is refused, with the whole documented message
--- config
    location /p/ {
        profile;
        profile_forbidden_status 401;
    }
--- must_die
--- error_log
invalid value "401" in "profile_forbidden_status" directive, it must be "404" or "403"


=== TEST 29: profile_forbidden_status 500 is refused
--- config
    location /p/ {
        profile;
        profile_forbidden_status 500;
    }
--- must_die
--- error_log
invalid value "500" in "profile_forbidden_status" directive


=== TEST 30: profile_forbidden_status forbidden is refused
--- config
    location /p/ {
        profile;
        profile_forbidden_status forbidden;
    }
--- must_die
--- error_log
invalid value "forbidden" in "profile_forbidden_status" directive


=== TEST 31: profile_hidden_fields hide is refused
--- config
    location /p/ {
        profile;
        profile_hidden_fields hide;
    }
--- must_die
--- error_log
invalid value "hide" in "profile_hidden_fields" directive, it must be "omit" or "null"


=== TEST 32: profile_hidden_fields none is refused
--- config
    location /p/ {
        profile;
        profile_hidden_fields none;
    }
--- must_die
--- error_log
invalid value "none" in "profile_hidden_fields" directive, it must be "omit" or "null"


=== TEST 33: profile_block none is refused
--- config
    location /p/ {
        profile;
        profile_block none;
    }
--- must_die
--- error_log
invalid value "none" in "profile_block" directive, it must be "both", "owner" or "viewer"


=== TEST 34: profile_block either is refused
--- config
    location /p/ {
        profile;
        profile_block either;
    }
--- must_die
--- error_log
invalid value "either" in "profile_block" directive, it must be "both", "owner" or "viewer"


=== TEST 35: every good value of the four directives is accepted
--- config
    location /a/ {
        profile;
        profile_private_mode stub;
        profile_forbidden_status 404;
        profile_hidden_fields omit;
        profile_block both;
    }
    location /b/ {
        profile;
        profile_private_mode not_found;
        profile_forbidden_status 403;
        profile_hidden_fields null;
        profile_block owner;
    }
    location /c/ {
        profile;
        profile_block viewer;
    }
--- request
GET /b/act-full
--- response_body chomp
{"id":"act-full","username":"u_act-full","avatar":"https://img.example/act-full.png","state":null,"display_name":null,"bio":"bio of act-full","city":null,"birthday":null,"email":null,"phone":null,"karma":null,"verified":false,"posts":null,"last_login":null,"notes":null,"deals":null}
