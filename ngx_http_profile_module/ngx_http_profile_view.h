
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Client views (docs/views.md): the profile_view blocks, the
 * directives that offer and select them in a location, their
 * resolution against a snapshot into plans (ngx_http_profile_plan.h),
 * and the per-request choice of a view and of "fields=".
 */


#ifndef _NGX_HTTP_PROFILE_VIEW_H_INCLUDED_
#define _NGX_HTTP_PROFILE_VIEW_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_meta.h"
#include "ngx_http_profile_value.h"
#include "ngx_http_profile_plan.h"
#include "ngx_http_profile_accept.h"


#define NGX_HTTP_PROFILE_VIEW_NAME_MAX    64
#define NGX_HTTP_PROFILE_VIEW_KEY_MAX     64
#define NGX_HTTP_PROFILE_FIELDS_MAX       32      /* profile_fields_max */
#define NGX_HTTP_PROFILE_VIEWS_MAX        64      /* in one location */

#define NGX_HTTP_PROFILE_INTEGERS_NUMBER  0
#define NGX_HTTP_PROFILE_INTEGERS_STRING  1

#define NGX_HTTP_PROFILE_TIMESTAMPS_RFC3339  0
#define NGX_HTTP_PROFILE_TIMESTAMPS_EPOCH    1


/*
 * One "field SOURCE [OUTPUT];" line of a view, or one "embed OUTPUT
 * FIELD VIEW [null | omit];" (embed set: source is the key field)
 */
typedef struct {
    ngx_str_t                    source;     /* "f", "f.member" or "*" */
    ngx_str_t                    output;     /* a dotted path, or empty */
    ngx_str_t                    embed;      /* the embedded view's name */
    ngx_uint_t                   line;
    unsigned                     missing_null:1;
} ngx_http_profile_view_field_t;


typedef struct {
    ngx_str_t                    name;
    ngx_str_t                    source;     /* "source NAME;", or empty */
    ngx_str_t                    subtype;    /* vnd.profile.NAME+json */
    ngx_array_t                  fields;     /* view_field_t */
    ngx_flag_t                   envelope;
    ngx_flag_t                   omit_empty;
    ngx_uint_t                   integers;
    ngx_uint_t                   timestamps;
    ngx_uint_t                   index;      /* in the main conf's views */
    uint64_t                     hash;       /* of what the block says */
    ngx_uint_t                   nembeds;
    u_char                      *file;
    ngx_uint_t                   line;
} ngx_http_profile_view_t;


/* what a location says about views */
typedef struct {
    ngx_array_t                 *names;      /* profile_views (ngx_str_t) */
    u_char                      *file;       /* where profile_views is */
    ngx_uint_t                   line;
    ngx_http_profile_view_t    **offered;    /* resolved names; [0] default */
    ngx_http_profile_offer_t    *offers;     /* their media types */
    ngx_uint_t                   noffered;
    ngx_http_profile_value_t     select;     /* profile_view_select */
    ngx_str_t                    select_text;
    ngx_str_t                    fields_arg; /* profile_fields_arg; "" off */
    ngx_uint_t                   fields_max; /* profile_fields_max */

    /* the 406 problem, listing the offered views: made at merge */
    ngx_str_t                    not_acceptable;
} ngx_http_profile_views_conf_t;


/* which view and fields a request gets: ngx_http_profile_view_choose() */
typedef struct {
    ngx_http_profile_view_t     *view;       /* NULL: the plain object */
    ngx_str_t                    fields;     /* "fields=", decoded, or "" */
    unsigned                     has_fields:1;
} ngx_http_profile_view_choice_t;


/*
 * Whether name is 1 to 64 bytes of [A-Za-z0-9_-] (dots 0: a view, field
 * or argument name), or such names joined by "." (dots 1: an output
 * path of at most NGX_HTTP_PROFILE_PLAN_DEPTH names): NGX_OK or
 * NGX_ERROR.
 */
ngx_int_t ngx_http_profile_view_name_valid(ngx_str_t *name, ngx_uint_t dots);

char *ngx_http_profile_view_block(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_profile_views(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_profile_view_select(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_profile_fields_arg(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/*
 * Initialise vc in a location configuration; merge it from prev and,
 * when the location serves profiles, check the offered names against
 * the main conf's views and render the 406 body.  Returns NGX_CONF_OK
 * or NGX_CONF_ERROR (logged).
 */
/*
 * What views say of each other, once all are parsed: an embedded view
 * is declared and renders a source; a view of a source has no envelope,
 * no epoch timestamps and no embed.  NGX_CONF_OK or NGX_CONF_ERROR.
 */
char *ngx_http_profile_views_check(ngx_conf_t *cf, ngx_array_t *views);

void ngx_http_profile_views_init(ngx_http_profile_views_conf_t *vc);
char *ngx_http_profile_views_merge(ngx_conf_t *cf,
    ngx_http_profile_views_conf_t *prev, ngx_http_profile_views_conf_t *vc,
    ngx_uint_t enable);

/*
 * The plans of every view of views (ngx_http_profile_view_t *, nviews)
 * for the snapshot of meta, in pool; NULL with the reason in err (ERRSTR
 * bytes, ": view \"web\" ..."), also when memory fails.
 */
ngx_http_profile_plan_t *ngx_http_profile_view_plans(ngx_array_t *views,
    const ngx_http_profile_meta_t *meta, const u_char *snapshot_id,
    size_t snapshot_id_len, ngx_pool_t *pool, u_char *err, size_t errlen);

/*
 * The view and "fields=" of r in a location offering views: NGX_OK with
 * *choice set, NGX_DECLINED when no offered view is acceptable (406),
 * NGX_ERROR when a variable failed.
 */
ngx_int_t ngx_http_profile_view_choose(ngx_http_request_t *r,
    ngx_http_profile_views_conf_t *vc,
    ngx_http_profile_view_choice_t *choice);

/*
 * The set of top-level keys of plan that the "fields=" value (decoded by
 * ngx_http_profile_view_choose()) names: NGX_OK with *sel set (NULL:
 * every key, for "*" or an empty value), or
 * NGX_DECLINED with the 400 problem body in *problem (from r->pool).
 */
ngx_int_t ngx_http_profile_view_fields(ngx_http_request_t *r,
    ngx_http_profile_views_conf_t *vc, const ngx_http_profile_plan_t *plan,
    ngx_str_t *value, ngx_http_profile_select_t **sel, ngx_str_t *problem);


#endif /* _NGX_HTTP_PROFILE_VIEW_H_INCLUDED_ */
