
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


/* the problems the module answers with; their order is the table's */
typedef enum {
    NGX_HTTP_PROFILE_PROBLEM_INVALID_ID = 0,
    NGX_HTTP_PROFILE_PROBLEM_NOT_FOUND,
    NGX_HTTP_PROFILE_PROBLEM_METHOD_NOT_ALLOWED,
    NGX_HTTP_PROFILE_PROBLEM_SNAPSHOT_UNAVAILABLE,
    NGX_HTTP_PROFILE_PROBLEM_INTERNAL_ERROR
} ngx_http_profile_problem_e;


/*
 * Send the problem response for problem, with detail (module text; it is
 * JSON-escaped but must never carry unescaped client bytes) and the
 * headers that go with it: Allow for 405, Retry-After for 503,
 * Cache-Control: no-store for 5xx.  The request body must already be
 * discarded.  Returns what a content handler returns.
 */
ngx_int_t ngx_http_profile_error_send(ngx_http_request_t *r,
    ngx_http_profile_problem_e problem, ngx_str_t *detail);


#endif /* _NGX_HTTP_PROFILE_ERROR_H_INCLUDED_ */
