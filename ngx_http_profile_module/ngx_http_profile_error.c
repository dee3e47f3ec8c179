
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Error responses (RFC 9457):
 *
 *   {"type":"urn:ngx-http-profile:problem:not-found",
 *    "title":"Profile not found","status":404,"detail":"..."}
 *
 * Every body is a constant: the compiler assembles it from the parts
 * below, so sending one costs a buffer header and no formatting.
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


typedef struct {
    ngx_uint_t  status;
    ngx_str_t   body;
} ngx_http_profile_error_t;


static ngx_int_t ngx_http_profile_error_header(ngx_http_request_t *r,
    ngx_str_t *key, ngx_str_t *value);


/*
 * Indexed by ngx_http_profile_error_e; "type" values never change.  The
 * status is spelled as a number so that "#status" prints it.
 */
static ngx_http_profile_error_t  ngx_http_profile_errors[] = {

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
                             "The profile could not be read.")
};


static ngx_str_t  ngx_http_profile_error_type =
    ngx_string("application/problem+json");

static ngx_str_t  ngx_http_profile_allow = ngx_string("Allow");
static ngx_str_t  ngx_http_profile_allow_value = ngx_string("GET, HEAD");
static ngx_str_t  ngx_http_profile_retry_after = ngx_string("Retry-After");
static ngx_str_t  ngx_http_profile_cache_control =
    ngx_string("Cache-Control");
static ngx_str_t  ngx_http_profile_no_store = ngx_string("no-store");


ngx_int_t
ngx_http_profile_error_send(ngx_http_request_t *r,
    ngx_http_profile_error_e err)
{
    ngx_int_t                     rc;
    ngx_buf_t                    *b;
    ngx_chain_t                   out;
    ngx_http_profile_error_t     *pe;
    ngx_http_profile_loc_conf_t  *plcf;

    pe = &ngx_http_profile_errors[err];

    r->headers_out.status = pe->status;
    r->headers_out.content_type = ngx_http_profile_error_type;
    r->headers_out.content_type_len = ngx_http_profile_error_type.len;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.content_length_n = pe->body.len;

    if (r->headers_out.content_length) {
        r->headers_out.content_length->hash = 0;
        r->headers_out.content_length = NULL;
    }

    switch (err) {

    case NGX_HTTP_PROFILE_ERROR_METHOD_NOT_ALLOWED:

        if (ngx_http_profile_error_header(r, &ngx_http_profile_allow,
                                          &ngx_http_profile_allow_value)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        break;

    case NGX_HTTP_PROFILE_ERROR_SNAPSHOT_UNAVAILABLE:

        /* rendered at configuration time */

        plcf = ngx_http_get_module_loc_conf(r, ngx_http_profile_module);

        if (ngx_http_profile_error_header(r, &ngx_http_profile_retry_after,
                                          &plcf->retry_after_value)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        /* fall through */

    case NGX_HTTP_PROFILE_ERROR_INTERNAL:

        if (ngx_http_profile_error_header(r, &ngx_http_profile_cache_control,
                                          &ngx_http_profile_no_store)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        break;

    default:
        break;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    /* the body is static memory: the buffer only points at it */

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = pe->body.data;
    b->last = pe->body.data + pe->body.len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


static ngx_int_t
ngx_http_profile_error_header(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key = *key;
    h->value = *value;
    h->lowcase_key = NULL;

    return NGX_OK;
}
