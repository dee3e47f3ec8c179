
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The one response path: every answer of a "profile" location, a
 * profile or a problem, is given by ngx_http_profile_response_send().
 */


#ifndef _NGX_HTTP_PROFILE_RESPONSE_H_INCLUDED_
#define _NGX_HTTP_PROFILE_RESPONSE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_rules.h"
#include "ngx_http_profile_error.h"


/* what became of a request */
typedef enum {
    NGX_HTTP_PROFILE_OUTCOME_PROFILE = 0,  /* 200: the profile */
    NGX_HTTP_PROFILE_OUTCOME_PROBLEM,      /* a problem response */
    NGX_HTTP_PROFILE_OUTCOME_NGINX         /* nginx's own answer to rc */
} ngx_http_profile_outcome_e;


/*
 * The outcome of a request, filled by the handler; what each field
 * means depends on the outcome.
 */
typedef struct {
    ngx_http_profile_outcome_e   outcome;

    /*
     * PROFILE: the JSON (from r->pool), and whether it depends on the
     * viewer (anything but what an anonymous viewer gets)
     */
    ngx_buf_t                   *body;
    uint64_t                     etag;
    unsigned                     personal:1;

    /* PROBLEM: which one, and its body when it is not the constant */
    ngx_http_profile_error_e     error;
    ngx_str_t                    problem;

    /*
     * NGINX: what the handler returns to nginx, which answers it
     * itself: NGX_HTTP_INTERNAL_SERVER_ERROR when memory or a variable
     * failed, or what reading the request body returned
     */
    ngx_int_t                    rc;
} ngx_http_profile_response_t;


/*
 * Answer r (a request of a "profile" location, its body discarded) with
 * resp: set the status and the headers (those of the problem,
 * ngx_http_profile_error_headers(), then the caching ones,
 * ngx_http_profile_cache_headers()) and send the body, or only the
 * headers for HEAD.  A problem whose status has an error_page that
 * nginx would apply in the location (not while nginx is already
 * answering with an error_page, unless recursive_error_pages is on) is
 * left to nginx: its headers are set, and its status is returned for
 * nginx to redirect to that page.  Returns what a content handler
 * returns.  Every outcome passes here: the place for what each one must
 * do alike (a variable naming it, a metrics counter).
 */
ngx_int_t ngx_http_profile_response_send(ngx_http_request_t *r,
    ngx_http_profile_response_t *resp);


#endif /* _NGX_HTTP_PROFILE_RESPONSE_H_INCLUDED_ */
