
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Batches (docs/views.md "Batches"): GET with a list of ids in one
 * argument, answered from one snapshot, each profile decided by the
 * access rules as a single request would be.
 */


#ifndef _NGX_HTTP_PROFILE_BATCH_H_INCLUDED_
#define _NGX_HTTP_PROFILE_BATCH_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


#define NGX_HTTP_PROFILE_BATCH_ARRAY   0
#define NGX_HTTP_PROFILE_BATCH_OBJECT  1

#define NGX_HTTP_PROFILE_BATCH_MAX     1000


/* profile_batch ARG MAX array | object; in a location's configuration */
typedef struct {
    ngx_str_t                    arg;        /* "": not a batch location */
    ngx_uint_t                   max;
    ngx_uint_t                   shape;      /* BATCH_ARRAY or _OBJECT */
} ngx_http_profile_batch_conf_t;


char *ngx_http_profile_batch(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

ngx_int_t ngx_http_profile_batch_handler(ngx_http_request_t *r);


#endif /* _NGX_HTTP_PROFILE_BATCH_H_INCLUDED_ */
