
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
/* profile_cache_personal */
#define NGX_HTTP_PROFILE_PERSONAL_NO_STORE  0
#define NGX_HTTP_PROFILE_PERSONAL_PRIVATE   1


/* the caching directives of a location (docs/caching.md) */
typedef struct {
    ngx_str_t                    shared;      /* profile_cache_public's
                                                 Cache-Control, or "" */
    ngx_uint_t                   personal;    /* profile_cache_personal */
    time_t                       personal_max_age;
    ngx_str_t                    personal_value;
    time_t                       not_found;   /* profile_cache_not_found */
    ngx_str_t                    not_found_value;
    ngx_str_t                    tags;        /* profile_cache_tags; "" */
    u_char                       tags_sep;
    unsigned                     public_set:1;
} ngx_http_profile_cache_conf_t;


/* what a response says to caches, beyond its status */
typedef struct {
    uint64_t                     etag;        /* a 200's */
    time_t                       modified;    /* -1: no Last-Modified */
    ngx_str_t                    tags;        /* "" or the cache tags */
    unsigned                     personal:1;  /* depends on the viewer */
    unsigned                     anonymous:1; /* no viewer identified */
} ngx_http_profile_cache_info_t;


char *ngx_http_profile_cache_public(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_profile_cache_personal(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_profile_cache_not_found(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_profile_cache_tags(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/*
 * Whether nginx's not_modified filter will answer r's If-None-Match
 * with a 304 for a 200 whose ETag is etag (a list holding it, or "*",
 * compared weakly as RFC 9110 says for GET), with no other
 * precondition in the way: then the body need not be written.  Never
 * true where the filter would not answer 304.
 */
ngx_uint_t ngx_http_profile_cache_fresh(ngx_http_request_t *r,
    uint64_t etag);

void ngx_http_profile_cache_init(ngx_http_profile_cache_conf_t *cc);
char *ngx_http_profile_cache_merge(ngx_conf_t *cf,
    ngx_http_profile_cache_conf_t *prev, ngx_http_profile_cache_conf_t *cc);

/*
 * Cache-Control, ETag, Last-Modified, Vary and cache tags of a response
 * of status (docs/caching.md): a 200 or 304 that is the same for every
 * viewer is shareable as profile_cache_public says; one that depends on
 * the viewer private or no-store, whatever is configured; errors
 * no-store, but for an anonymous 404 with profile_cache_not_found.
 */
ngx_int_t ngx_http_profile_cache_headers(ngx_http_request_t *r,
    ngx_uint_t status, ngx_http_profile_cache_info_t *ci);

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
