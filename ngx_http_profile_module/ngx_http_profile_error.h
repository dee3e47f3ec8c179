
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Error responses: RFC 9457 application/problem+json bodies with stable
 * "type" URIs (docs/errors.md lists them).
 */


#ifndef _NGX_HTTP_PROFILE_ERROR_H_INCLUDED_
#define _NGX_HTTP_PROFILE_ERROR_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


#define NGX_HTTP_PROFILE_PROBLEM_PREFIX  "urn:ngx-http-profile:problem:"


/*
 * The error responses the module sends, one per body: each body is
 * fixed text, rendered when the module is compiled (docs/errors.md).
 */
typedef enum {
    NGX_HTTP_PROFILE_ERROR_ID_EMPTY = 0,
    NGX_HTTP_PROFILE_ERROR_ID_LONG,
    NGX_HTTP_PROFILE_ERROR_ID_BYTE,
    NGX_HTTP_PROFILE_ERROR_NOT_FOUND,
    NGX_HTTP_PROFILE_ERROR_METHOD_NOT_ALLOWED,
    NGX_HTTP_PROFILE_ERROR_SNAPSHOT_UNAVAILABLE,
    NGX_HTTP_PROFILE_ERROR_INTERNAL
} ngx_http_profile_error_e;


/*
 * Send the problem response err, with the headers that go with it:
 * Allow for 405, Retry-After (profile_retry_after) for 503,
 * Cache-Control: no-store for 5xx.  The body is static: nothing is
 * formatted and nothing from the request is echoed.  The request body
 * must already be discarded.  Returns what a content handler returns.
 */
ngx_int_t ngx_http_profile_error_send(ngx_http_request_t *r,
    ngx_http_profile_error_e err);


#endif /* _NGX_HTTP_PROFILE_ERROR_H_INCLUDED_ */
