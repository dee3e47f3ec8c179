
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Caching: what a cache may do with a response, as Cache-Control and
 * Vary headers.
 */


#ifndef _NGX_HTTP_PROFILE_CACHE_H_INCLUDED_
#define _NGX_HTTP_PROFILE_CACHE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_rules.h"


/*
 * Add to r's output headers the caching headers of a response with
 * status (200 or a problem's) that, for 200, is personal (depends on
 * the viewer: anything but what an anonymous viewer gets) or not:
 *
 *   200, personal                          Cache-Control: private, no-store
 *   200, when profile_viewer reads request headers   Vary: those headers
 *   5xx                                    Cache-Control: no-store
 *   4xx                                    nothing
 *
 * Returns NGX_OK, or NGX_ERROR when out of memory.
 */
ngx_int_t ngx_http_profile_cache_headers(ngx_http_request_t *r,
    ngx_uint_t status, ngx_uint_t personal);


#endif /* _NGX_HTTP_PROFILE_CACHE_H_INCLUDED_ */
