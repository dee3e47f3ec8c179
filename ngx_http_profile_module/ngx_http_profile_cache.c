
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
static ngx_str_t  ngx_http_profile_etag = ngx_string("ETag");


/*
 * The version of the JSON the module writes from a record: bumped when
 * the same record and decision would give other bytes (an encoding
 * change), so that no cache keeps a body under a validator it no
 * longer matches.
 */
#define NGX_HTTP_PROFILE_ENCODING  1

#define NGX_HTTP_PROFILE_ETAG_STUB  0x01
#define NGX_HTTP_PROFILE_ETAG_NULLS 0x02


uint64_t
ngx_http_profile_cache_etag(const ngx_http_profile_grants_t *g,
    const ngx_http_profile_record_t *rec,
    const ngx_http_profile_decision_t *d)
{
    u_char  buf[8 * 4 + 2];

    ngx_http_profile_put64(buf, rec->hash);
    ngx_http_profile_put64(buf + 8, g->representation);
    ngx_http_profile_put64(buf + 16, d->filter.mask);
    ngx_http_profile_put64(buf + 24,
                           d->filter.extra == NULL
                           ? 0
                           : ngx_http_profile_hash64(d->filter.extra,
                                                     g->bitmap_size, 0));
    buf[32] = (u_char) ((d->filter.limit ? NGX_HTTP_PROFILE_ETAG_STUB : 0)
                        | (d->filter.nulls ? NGX_HTTP_PROFILE_ETAG_NULLS
                                           : 0));
    buf[33] = NGX_HTTP_PROFILE_ENCODING;

    return ngx_http_profile_hash64(buf, sizeof(buf), 0);
}


uint64_t
ngx_http_profile_cache_etag_view(uint64_t etag, uint64_t view_hash,
    const ngx_http_profile_plan_t *plan,
    const ngx_http_profile_select_t *sel)
{
    u_char  buf[8 * 4];

    ngx_http_profile_put64(buf, etag);
    ngx_http_profile_put64(buf + 8, view_hash);
    ngx_http_profile_put64(buf + 16,
                           ngx_http_profile_hash64(plan->tail,
                                                   plan->tail_len, 0));
    ngx_http_profile_put64(buf + 24,
                           sel == NULL
                           ? 0
                           : ngx_http_profile_hash64(sel->bits,
                                                     sizeof(sel->bits), 1));

    return ngx_http_profile_hash64(buf, sizeof(buf), 0);
}


ngx_int_t
ngx_http_profile_cache_headers(ngx_http_request_t *r, ngx_uint_t status,
    ngx_uint_t personal, uint64_t etag)
{
    u_char                       *p;
    ngx_str_t                     value;
    ngx_uint_t                    i;
    ngx_http_profile_loc_conf_t  *plcf;
    u_char                        be[8];

    if (status >= NGX_HTTP_INTERNAL_SERVER_ERROR) {
        return ngx_http_profile_header_add(r, &ngx_http_profile_cache_control,
                                           &ngx_http_profile_no_store);
    }

    if (status == 406) {

        /* no view acceptable: what selects the view decided it */

        plcf = ngx_http_get_module_loc_conf(r, ngx_http_profile_module);

        return plcf->vary.len
               ? ngx_http_profile_header_add(r, &ngx_http_profile_vary,
                                             &plcf->vary)
               : NGX_OK;
    }

    if (status != NGX_HTTP_OK) {
        return NGX_OK;
    }

    /*
     * A strong validator, set as nginx's own: the not_modified filter
     * answers If-None-Match (weak comparison, lists, "*") and its
     * precedence over If-Modified-Since with a 304, after this handler
     * has made the access decision, so a viewer who may not see the
     * profile gets its 404 whatever they send.
     */

    value.len = sizeof("\"\"") - 1 + 16;
    value.data = ngx_pnalloc(r->pool, value.len);
    if (value.data == NULL) {
        return NGX_ERROR;
    }

    /* 16 hexadecimal digits, most significant first, between quotes */

    for (i = 0; i < 8; i++) {
        be[i] = (u_char) (etag >> (56 - 8 * i));
    }

    p = value.data;
    *p++ = '"';
    p = ngx_hex_dump(p, be, 8);
    *p = '"';

    r->headers_out.etag = ngx_http_profile_header_push(r,
                                                       &ngx_http_profile_etag,
                                                       &value);
    if (r->headers_out.etag == NULL) {
        return NGX_ERROR;
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
