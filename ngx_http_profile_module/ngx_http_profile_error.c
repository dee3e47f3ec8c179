
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Error responses (RFC 9457):
 *
 *   {"type":"urn:ngx-http-profile:problem:not-found",
 *    "title":"Profile not found","status":404,"detail":"..."}
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_error.h"


typedef struct {
    ngx_uint_t  status;
    ngx_str_t   type;       /* the part after the prefix */
    ngx_str_t   title;
} ngx_http_profile_problem_t;


static ngx_int_t ngx_http_profile_error_header(ngx_http_request_t *r,
    ngx_str_t *key, ngx_str_t *value);


/* indexed by ngx_http_profile_problem_e; "type" values never change */
static ngx_http_profile_problem_t  ngx_http_profile_problems[] = {

    { NGX_HTTP_BAD_REQUEST,
      ngx_string("invalid-id"),
      ngx_string("Invalid profile id") },

    { NGX_HTTP_NOT_FOUND,
      ngx_string("not-found"),
      ngx_string("Profile not found") },

    { NGX_HTTP_NOT_ALLOWED,
      ngx_string("method-not-allowed"),
      ngx_string("Method not allowed") },

    { NGX_HTTP_SERVICE_UNAVAILABLE,
      ngx_string("snapshot-unavailable"),
      ngx_string("Profile snapshot unavailable") },

    { NGX_HTTP_INTERNAL_SERVER_ERROR,
      ngx_string("internal-error"),
      ngx_string("Internal error") }
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
    ngx_http_profile_problem_e problem, ngx_str_t *detail)
{
    size_t                        len;
    u_char                       *p;
    ngx_int_t                     rc;
    ngx_str_t                     value;
    ngx_buf_t                    *b;
    ngx_chain_t                   out;
    ngx_http_profile_problem_t   *pr;
    ngx_http_profile_loc_conf_t  *plcf;

    pr = &ngx_http_profile_problems[problem];

    /* the fixed parts need no escaping: they are ASCII without " or \ */

    len = sizeof("{\"type\":\"" NGX_HTTP_PROFILE_PROBLEM_PREFIX) - 1
          + pr->type.len
          + sizeof("\",\"title\":\"") - 1 + pr->title.len
          + sizeof("\",\"status\":") - 1 + NGX_INT_T_LEN
          + sizeof(",\"detail\":\"") - 1
          + detail->len + ngx_escape_json(NULL, detail->data, detail->len)
          + sizeof("\"}") - 1;

    b = ngx_create_temp_buf(r->pool, len);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(b->last, "{\"type\":\"" NGX_HTTP_PROFILE_PROBLEM_PREFIX
                    "%V\",\"title\":\"%V\",\"status\":%ui,\"detail\":\"",
                    &pr->type, &pr->title, pr->status);

    p = (u_char *) ngx_escape_json(p, detail->data, detail->len);

    *p++ = '"';
    *p++ = '}';

    b->last = p;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.status = pr->status;
    r->headers_out.content_type = ngx_http_profile_error_type;
    r->headers_out.content_type_len = ngx_http_profile_error_type.len;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.content_length_n = b->last - b->pos;

    if (r->headers_out.content_length) {
        r->headers_out.content_length->hash = 0;
        r->headers_out.content_length = NULL;
    }

    switch (problem) {

    case NGX_HTTP_PROFILE_PROBLEM_METHOD_NOT_ALLOWED:

        if (ngx_http_profile_error_header(r, &ngx_http_profile_allow,
                                          &ngx_http_profile_allow_value)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        break;

    case NGX_HTTP_PROFILE_PROBLEM_SNAPSHOT_UNAVAILABLE:

        plcf = ngx_http_get_module_loc_conf(r, ngx_http_profile_module);

        value.data = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
        if (value.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        value.len = ngx_sprintf(value.data, "%T", plcf->retry_after)
                    - value.data;

        if (ngx_http_profile_error_header(r, &ngx_http_profile_retry_after,
                                          &value)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        /* fall through */

    case NGX_HTTP_PROFILE_PROBLEM_INTERNAL_ERROR:

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
