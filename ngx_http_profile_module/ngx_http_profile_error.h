
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Error responses: RFC 9457 application/problem+json bodies with stable
 * "type" URIs (docs/errors.md lists them), and the headers that go with
 * each.  Sending them is ngx_http_profile_response.c's.
 */


#ifndef _NGX_HTTP_PROFILE_ERROR_H_INCLUDED_
#define _NGX_HTTP_PROFILE_ERROR_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


#define NGX_HTTP_PROFILE_PROBLEM_PREFIX  "urn:ngx-http-profile:problem:"
#define NGX_HTTP_PROFILE_PROBLEM_TYPE    "application/problem+json"


/*
 * The error responses the module gives, one per body: each body is
 * fixed text, rendered when the module is compiled (docs/errors.md).
 */
typedef enum {
    NGX_HTTP_PROFILE_ERROR_ID_EMPTY = 0,
    NGX_HTTP_PROFILE_ERROR_ID_LONG,
    NGX_HTTP_PROFILE_ERROR_ID_BYTE,
    NGX_HTTP_PROFILE_ERROR_NOT_FOUND,
    NGX_HTTP_PROFILE_ERROR_METHOD_NOT_ALLOWED,
    NGX_HTTP_PROFILE_ERROR_SNAPSHOT_UNAVAILABLE,
    NGX_HTTP_PROFILE_ERROR_INTERNAL,
    NGX_HTTP_PROFILE_ERROR_FORBIDDEN,      /* profile_forbidden_status 403 */
    NGX_HTTP_PROFILE_ERROR_NOT_ACCEPTABLE, /* no offered view acceptable */
    NGX_HTTP_PROFILE_ERROR_FIELDS,         /* a bad "fields=" */
    NGX_HTTP_PROFILE_ERROR_BATCH_ID,       /* an invalid id in a batch */
    NGX_HTTP_PROFILE_ERROR_BATCH_SIZE      /* more ids than its maximum */
} ngx_http_profile_error_e;


/* a problem response: its status and its body, static memory */
typedef struct {
    ngx_uint_t  status;
    ngx_str_t   body;
} ngx_http_profile_problem_t;


/*
 * The problem response of err: a constant, never NULL.  Nothing in it
 * is formatted and nothing from the request is echoed.
 */
const ngx_http_profile_problem_t *ngx_http_profile_error_problem(
    ngx_http_profile_error_e err);

/*
 * Add to r's output headers those that err needs whoever sends its
 * body (the module, or an error_page): Allow for 405, Retry-After
 * (profile_retry_after, rendered at configuration time) for 503; none
 * for the others.  Caching headers are ngx_http_profile_cache.c's.
 * Returns NGX_OK, or NGX_ERROR when out of memory.
 */
ngx_int_t ngx_http_profile_error_headers(ngx_http_request_t *r,
    ngx_http_profile_error_e err);


#endif /* _NGX_HTTP_PROFILE_ERROR_H_INCLUDED_ */
