
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Caching headers.  A view that depends on the viewer must never be
 * stored by a cache and served to someone else; an answer about the
 * worker's state (503, 500) must not outlive it.  The ETag and 304 of
 * later versions belong here too.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_cache.h"


static ngx_str_t  ngx_http_profile_cache_control =
    ngx_string("Cache-Control");
static ngx_str_t  ngx_http_profile_private =
    ngx_string("private, no-store");
static ngx_str_t  ngx_http_profile_no_store = ngx_string("no-store");
static ngx_str_t  ngx_http_profile_vary = ngx_string("Vary");


ngx_int_t
ngx_http_profile_cache_headers(ngx_http_request_t *r, ngx_uint_t status,
    ngx_uint_t personal)
{
    ngx_http_profile_loc_conf_t  *plcf;

    if (status >= NGX_HTTP_INTERNAL_SERVER_ERROR) {
        return ngx_http_profile_header_add(r, &ngx_http_profile_cache_control,
                                           &ngx_http_profile_no_store);
    }

    if (status != NGX_HTTP_OK) {
        return NGX_OK;
    }

    /*
     * "no-store" for caches that would keep a "private" response, and
     * Vary naming the request headers the viewer came from for caches
     * told to ignore Cache-Control (which then keep one viewer's
     * response from another).  The public view is the same for every
     * viewer, but which view a request gets depends on those headers
     * too, so it names them as well.
     */

    if (personal
        && ngx_http_profile_header_add(r, &ngx_http_profile_cache_control,
                                       &ngx_http_profile_private)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_profile_module);

    if (plcf->vary.len) {
        return ngx_http_profile_header_add(r, &ngx_http_profile_vary,
                                           &plcf->vary);
    }

    return NGX_OK;
}
