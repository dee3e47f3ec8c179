
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
#include "ngx_http_profile_plan.h"


/*
 * Add to r's output headers the caching headers of a response with
 * status (200 or a problem's) that, for 200, is personal (depends on
 * the viewer: anything but what an anonymous viewer gets) or not:
 *
 *   200, personal                          Cache-Control: private, no-store
 *   200                                    ETag: "16 hex digits" (etag),
 *                                          for nginx's not_modified filter
 *   200, when profile_viewer reads request headers   Vary: those headers
 *   5xx                                    Cache-Control: no-store
 *   4xx                                    nothing
 *
 * Returns NGX_OK, or NGX_ERROR when out of memory.
 */
ngx_int_t ngx_http_profile_cache_headers(ngx_http_request_t *r,
    ngx_uint_t status, ngx_uint_t personal, uint64_t etag);

/*
 * The strong validator of the representation the decision d gives of
 * record rec (of the snapshot of grants g): a hash of the record's own
 * hash, the schema's (g->representation), the granted classes, the role
 * fields, the stub and hidden-as-null settings and the encoding's
 * version; no byte of the body is read.  Two requests get the same
 * value only if they get the same body.
 */
uint64_t ngx_http_profile_cache_etag(const ngx_http_profile_grants_t *g,
    const ngx_http_profile_record_t *rec,
    const ngx_http_profile_decision_t *d);


/*
 * The ETag of a view's response: etag (ngx_http_profile_cache_etag() of
 * the same record and decision) with what the view adds: the view's
 * configuration (view_hash), its plan's envelope (which names the
 * snapshot) and the "fields=" set (sel, or NULL for every field).
 */
uint64_t ngx_http_profile_cache_etag_view(uint64_t etag, uint64_t view_hash,
    const ngx_http_profile_plan_t *plan,
    const ngx_http_profile_select_t *sel);


#endif /* _NGX_HTTP_PROFILE_CACHE_H_INCLUDED_ */
