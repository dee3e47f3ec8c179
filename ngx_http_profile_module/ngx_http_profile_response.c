
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The one response path.  A profile is 200 with its JSON; a problem is
 * its fixed RFC 9457 body (ngx_http_profile_error.c), unless the
 * location has an error_page for its status: nginx users expect
 * error_page to apply to a module's errors, as it does to those of
 * nginx's own content handlers, which return the status and let
 * ngx_http_special_response_handler() find the page.  Hidden profiles
 * (blocked, deleted, suspended, forbidden) get the not-found problem
 * here, byte for byte.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_error.h"
#include "ngx_http_profile_cache.h"
#include "ngx_http_profile_snapshot.h"
#include "ngx_http_profile_response.h"


static ngx_int_t ngx_http_profile_response_snapshot(ngx_http_request_t *r);
static ngx_uint_t ngx_http_profile_response_error_page(ngx_http_request_t *r,
    ngx_uint_t status);


static ngx_str_t  ngx_http_profile_json_type =
    ngx_string("application/json; charset=utf-8");
static ngx_str_t  ngx_http_profile_problem_type =
    ngx_string(NGX_HTTP_PROFILE_PROBLEM_TYPE);


ngx_int_t
ngx_http_profile_response_send(ngx_http_request_t *r,
    ngx_http_profile_response_t *resp)
{
    ngx_int_t                          rc;
    ngx_buf_t                         *b;
    ngx_uint_t                         status;
    ngx_str_t                          body;
    ngx_chain_t                        out;
    const ngx_http_profile_problem_t  *problem;

    switch (resp->outcome) {

    case NGX_HTTP_PROFILE_OUTCOME_PROFILE:
        status = NGX_HTTP_OK;
        problem = NULL;
        ngx_str_null(&body);
        break;

    case NGX_HTTP_PROFILE_OUTCOME_PROBLEM:
        problem = ngx_http_profile_error_problem(resp->error);
        status = problem->status;
        body = resp->problem.len ? resp->problem : problem->body;
        resp->cache.personal = 0;

        if (ngx_http_profile_error_headers(r, resp->error) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        break;

    default: /* NGX_HTTP_PROFILE_OUTCOME_NGINX */
        return resp->rc;
    }

    if (ngx_http_profile_cache_headers(r, status, &resp->cache) != NGX_OK
        || ngx_http_profile_response_snapshot(r) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (problem != NULL && ngx_http_profile_response_error_page(r, status)) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "profile: %ui left to error_page", status);

        return status;
    }

    r->headers_out.status = status;
    r->headers_out.content_type_lowcase = NULL;

    if (problem != NULL) {
        r->headers_out.content_type = ngx_http_profile_problem_type;
        r->headers_out.content_type_len = ngx_http_profile_problem_type.len;
        r->headers_out.content_length_n = body.len;

        if (r->headers_out.content_length) {
            r->headers_out.content_length->hash = 0;
            r->headers_out.content_length = NULL;
        }

    } else {
        r->headers_out.content_type = ngx_http_profile_json_type;
        r->headers_out.content_type_len = sizeof("application/json") - 1;

        /* no body: one the not_modified filter answers with a 304 */

        r->headers_out.content_length_n = resp->body
                                          ? resp->body->last - resp->body->pos
                                          : -1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    if (problem == NULL && resp->body == NULL) {

        /* ngx_http_profile_cache_fresh() and nginx disagreed: a bug */

        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "profile: a 304 was expected for this request, but "
                      "nginx sent %ui; closing the connection",
                      r->headers_out.status);
        return NGX_ERROR;
    }

    if (problem != NULL) {

        /* static memory or the pool's: the buffer only points at it */

        b = ngx_calloc_buf(r->pool);
        if (b == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        b->pos = body.data;
        b->last = body.data + body.len;
        b->memory = 1;

    } else {
        b = resp->body;
    }

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * profile_snapshot_header: the id of the snapshot the request pinned,
 * which produced the body.  A request answered before the handler
 * pinned one (an invalid id, a method) pins it here, so that every
 * answer names the snapshot of its worker; a worker without one sends
 * no header.  The id lives in the snapshot's pool, as long as the pin.
 */

static ngx_int_t
ngx_http_profile_response_snapshot(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_http_profile_snapshot_t  *snap;
    ngx_http_profile_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_profile_module);

    if (plcf->snapshot_header.len == 0) {
        return NGX_OK;
    }

    rc = ngx_http_profile_snapshot_pin(r, &snap);

    if (rc == NGX_DECLINED) {
        return NGX_OK;
    }

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_profile_header_add(r, &plcf->snapshot_header, &snap->id);
}


/*
 * Whether ngx_http_special_response_handler() would answer status with
 * an error_page of this location: the same test as nginx's, which sets
 * r->error_page once it has redirected (unless recursive_error_pages is
 * on), so that a page that fails again gets our problem and never loops;
 * r->uri_changes is 0 after too many redirects.
 */

static ngx_uint_t
ngx_http_profile_response_error_page(ngx_http_request_t *r,
    ngx_uint_t status)
{
    ngx_uint_t                 i;
    ngx_http_err_page_t       *err_page;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (r->error_page || clcf->error_pages == NULL || r->uri_changes == 0) {
        return 0;
    }

    err_page = clcf->error_pages->elts;

    for (i = 0; i < clcf->error_pages->nelts; i++) {
        if (err_page[i].status == (ngx_int_t) status) {
            return 1;
        }
    }

    return 0;
}
