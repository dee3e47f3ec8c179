
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Error responses (RFC 9457):
 *
 *   {"type":"urn:ngx-http-profile:problem:not-found",
 *    "title":"Profile not found","status":404,"detail":"..."}
 *
 * Every body is a constant: the compiler assembles it from the parts
 * below, so sending one costs a buffer header and no formatting.  The
 * table below is the one list of what can go wrong with a request.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_error.h"


/* the parts need no escaping: ASCII without quotes, backslashes or controls */
#define ngx_http_profile_problem(status, type, title, detail)              \
    { status,                                                              \
      ngx_string("{\"type\":\"" NGX_HTTP_PROFILE_PROBLEM_PREFIX type         \
                 "\",\"title\":\"" title "\",\"status\":" #status            \
                 ",\"detail\":\"" detail "\"}") }


/*
 * Indexed by ngx_http_profile_error_e; "type" values never change.  The
 * status is spelled as a number so that "#status" prints it.
 */
static ngx_http_profile_problem_t  ngx_http_profile_errors[] = {

    ngx_http_profile_problem(400, "invalid-id", "Invalid profile id",
                             "The profile id is empty."),

    ngx_http_profile_problem(400, "invalid-id", "Invalid profile id",
                             "The profile id is longer than 128 bytes."),

    ngx_http_profile_problem(400, "invalid-id", "Invalid profile id",
                             "The profile id holds a byte outside "
                             "[A-Za-z0-9._~-]."),

    ngx_http_profile_problem(404, "not-found", "Profile not found",
                             "No profile has this id."),

    ngx_http_profile_problem(405, "method-not-allowed", "Method not allowed",
                             "Profiles can only be read with GET or HEAD."),

    ngx_http_profile_problem(503, "snapshot-unavailable",
                             "Profile snapshot unavailable",
                             "No profile snapshot is available; "
                             "retry later."),

    ngx_http_profile_problem(500, "internal-error", "Internal error",
                             "The profile could not be read."),

    ngx_http_profile_problem(403, "forbidden", "Profile not visible",
                             "This profile is not visible to this viewer."),

    /* the module sends the location's own body, listing its views */
    ngx_http_profile_problem(406, "not-acceptable", "No acceptable view",
                             "No view of this location is acceptable."),

    /* the module sends a body naming what is wrong with the list */
    ngx_http_profile_problem(400, "invalid-fields", "Invalid field list",
                             "The field list is not valid for this view."),

    ngx_http_profile_problem(400, "invalid-id", "Invalid profile id",
                             "The batch holds an id that is longer than "
                             "128 bytes or holds a byte outside "
                             "[A-Za-z0-9._~-]."),

    ngx_http_profile_problem(400, "too-many-ids", "Too many ids",
                             "The batch holds more ids than this location "
                             "answers at once.")
};


static ngx_str_t  ngx_http_profile_allow = ngx_string("Allow");
static ngx_str_t  ngx_http_profile_allow_value = ngx_string("GET, HEAD");
static ngx_str_t  ngx_http_profile_retry_after = ngx_string("Retry-After");


const ngx_http_profile_problem_t *
ngx_http_profile_error_problem(ngx_http_profile_error_e err)
{
    return &ngx_http_profile_errors[err];
}


ngx_int_t
ngx_http_profile_error_headers(ngx_http_request_t *r,
    ngx_http_profile_error_e err)
{
    ngx_http_profile_loc_conf_t  *plcf;

    switch (err) {

    case NGX_HTTP_PROFILE_ERROR_METHOD_NOT_ALLOWED:
        return ngx_http_profile_header_add(r, &ngx_http_profile_allow,
                                           &ngx_http_profile_allow_value);

    case NGX_HTTP_PROFILE_ERROR_SNAPSHOT_UNAVAILABLE:
        plcf = ngx_http_get_module_loc_conf(r, ngx_http_profile_module);

        return ngx_http_profile_header_add(r, &ngx_http_profile_retry_after,
                                           &plcf->retry_after_value);

    default:
        return NGX_OK;
    }
}
