
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Types shared by the files of the module (its configuration), and two
 * request-time helpers: a directive value, an output header.
 */


#ifndef _NGX_HTTP_PROFILE_MODULE_H_INCLUDED_
#define _NGX_HTTP_PROFILE_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_rules.h"
#include "ngx_http_profile_value.h"
#include "ngx_http_profile_view.h"
#include "ngx_http_profile_batch.h"
#include "ngx_http_profile_cache.h"


typedef struct ngx_http_profile_snapshot_s  ngx_http_profile_snapshot_t;


/* http{} level: one snapshot per http block */
typedef struct {
    ngx_str_t                    snapshot;     /* absolute path, or empty */
    u_char                      *snapshot_file;
    ngx_uint_t                   snapshot_line;

    /*
     * The file the master validated: a worker serves that file only,
     * not whatever the path names when the worker starts.
     */
    uint64_t                     snapshot_dev;
    uint64_t                     snapshot_ino;
    ngx_str_t                    snapshot_id;

    /*
     * A snapshot directory (docs/snapshot-dir.md): snapshot is the
     * directory, and target the file its pointer named when the master
     * validated it.  Workers follow the pointer, not the validated
     * file (dev, ino and id above are those of target then).
     */
    ngx_str_t                    target;
    unsigned                     dir:1;

    ngx_msec_t                   check;        /* profile_snapshot_check */
    ngx_uint_t                   verify;       /* profile_snapshot_verify */

    /*
     * The role names the validated snapshot's schema declares
     * (ngx_str_t), for the check of a constant profile_viewer_roles.
     */
    ngx_array_t                 *roles;

    /*
     * The role names constant profile_viewer_roles values name
     * (ngx_str_t): a new snapshot of a directory that does not declare
     * one of them is incompatible with the configuration.
     */
    ngx_array_t                 *roles_used;

    /* the profile_view blocks (ngx_http_profile_view_t *), or NULL */
    ngx_array_t                 *views;

    /* profile_last_modified: the timestamp field, or "" (off) */
    ngx_str_t                    last_modified;
} ngx_http_profile_main_conf_t;


/* server{} and location{} level */
typedef struct {
    ngx_http_profile_value_t     id;           /* profile_id */
    ngx_http_profile_value_t     viewer;       /* profile_viewer */
    ngx_http_profile_value_t     roles;        /* profile_viewer_roles */

    /* their text, for Vary and for the configuration's checks */
    ngx_str_t                    viewer_text;
    ngx_str_t                    roles_text;

    ngx_http_profile_rules_conf_t  rules;      /* the other profile_* */
    ngx_http_profile_views_conf_t  views;      /* profile_views and co. */
    ngx_http_profile_batch_conf_t  batch;      /* profile_batch */
    ngx_http_profile_cache_conf_t  cache;      /* profile_cache_* */
    time_t                       retry_after;  /* profile_retry_after */
    ngx_str_t                    retry_after_value;  /* its header text */

    /* profile_snapshot_header: the name of the header, or empty */
    ngx_str_t                    snapshot_header;

    /*
     * The request headers profile_viewer reads, as a Vary value ("" if
     * it reads none): a response that depends on the viewer names them.
     */
    ngx_str_t                    vary;

    /*
     * Without profile_id, the id is the rest of the URI after the
     * prefix of the "profile" location: its clcf->name.
     */
    ngx_str_t                    prefix;

    /* where "profile" was given, for errors found at merge time */
    ngx_http_core_loc_conf_t    *location;
    u_char                      *profile_file;
    ngx_uint_t                   profile_line;

    unsigned                     enable:1;     /* profile */
} ngx_http_profile_loc_conf_t;


/* per-request state (of the main request) */
typedef struct {
    ngx_http_profile_snapshot_t *snapshot;     /* pinned, or NULL */

    /* the handler's decision, for $profile_relation (with decided) */
    ngx_http_profile_viewer_e    relation;
    unsigned                     decided:1;

    /* the view the handler chose, for $profile_view; NULL: none */
    ngx_http_profile_view_t     *view;

    /* an embedded record of the view was missing: $profile_partial */
    unsigned                     partial:1;
} ngx_http_profile_ctx_t;


extern ngx_module_t  ngx_http_profile_module;


/*
 * Add the output header "key: value" to r (after those already added);
 * key and value are not copied: they must live as long as r (static,
 * configuration or r->pool memory).  Returns the header, or NULL when
 * out of memory.
 */
static ngx_inline ngx_table_elt_t *
ngx_http_profile_header_push(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NULL;
    }

    h->hash = 1;
    h->key = *key;
    h->value = *value;
    h->lowcase_key = NULL;
#if defined(nginx_version) && nginx_version >= 1023000
    h->next = NULL;
#endif

    return h;
}


/* the same, returning NGX_OK, or NGX_ERROR when out of memory */
static ngx_inline ngx_int_t
ngx_http_profile_header_add(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *value)
{
    return ngx_http_profile_header_push(r, key, value) ? NGX_OK : NGX_ERROR;
}


#endif /* _NGX_HTTP_PROFILE_MODULE_H_INCLUDED_ */
