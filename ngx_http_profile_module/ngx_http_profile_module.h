
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Types shared by the files of the module: its configuration.
 */


#ifndef _NGX_HTTP_PROFILE_MODULE_H_INCLUDED_
#define _NGX_HTTP_PROFILE_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


typedef struct ngx_http_profile_snapshot_s  ngx_http_profile_snapshot_t;


/* http{} level: one snapshot per http block */
typedef struct {
    ngx_str_t                    snapshot;     /* absolute path, or empty */
    u_char                      *snapshot_file;
    ngx_uint_t                   snapshot_line;
} ngx_http_profile_main_conf_t;


/* server{} and location{} level */
typedef struct {
    ngx_http_complex_value_t    *id;           /* profile_id */
    ngx_http_complex_value_t    *viewer;       /* profile_viewer */
    time_t                       retry_after;  /* profile_retry_after */

    /* where "profile" was given, for errors found at merge time */
    u_char                      *profile_file;
    ngx_uint_t                   profile_line;

    unsigned                     enable:1;     /* profile */
} ngx_http_profile_loc_conf_t;


/* per-request state (of the main request) */
typedef struct {
    ngx_http_profile_snapshot_t *snapshot;     /* pinned, or NULL */
} ngx_http_profile_ctx_t;


extern ngx_module_t  ngx_http_profile_module;


#endif /* _NGX_HTTP_PROFILE_MODULE_H_INCLUDED_ */
