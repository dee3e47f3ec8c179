
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Variables:
 *
 *   $profile_snapshot_id   the "snapshot_id" of the snapshot the request
 *                          uses (pinning it), empty if there is none
 *   $profile_relation      the viewer's relation to the profile's owner:
 *                          self, friend, follower, none, blocked or
 *                          anonymous (docs/access-rules.md)
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_snapshot.h"
#include "ngx_http_profile_handler.h"
#include "ngx_http_profile_variables.h"


static ngx_int_t ngx_http_profile_variable_snapshot_id(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_profile_variable_snapshot_age(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_profile_variable_relation(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_profile_variable_view(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


static ngx_http_variable_t  ngx_http_profile_vars[] = {

    { ngx_string("profile_snapshot_id"), NULL,
      ngx_http_profile_variable_snapshot_id, 0, 0, 0 },

    { ngx_string("profile_snapshot_age"), NULL,
      ngx_http_profile_variable_snapshot_age, 0, 0, 0 },

    { ngx_string("profile_relation"), NULL,
      ngx_http_profile_variable_relation, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("profile_view"), NULL,
      ngx_http_profile_variable_view, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("profile_partial"), NULL,
      ngx_http_profile_variable_view, 1, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


ngx_int_t
ngx_http_profile_variables_add(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_profile_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_profile_variable_snapshot_id(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_int_t                     rc;
    ngx_http_profile_snapshot_t  *snap;

    /* the same snapshot as the response: pin it, or reuse the pin */

    rc = ngx_http_profile_snapshot_pin(r, &snap);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->len = snap->id.len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = snap->id.data;

    return NGX_OK;
}


/*
 * Seconds since the pinned snapshot was built (its meta "created_at",
 * parsed at open), 0 if the clock is behind it; not found without a
 * snapshot or when created_at is absent or not of the form the CLI
 * writes.
 */

static ngx_int_t
ngx_http_profile_variable_snapshot_age(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char                       *p;
    time_t                        age;
    ngx_int_t                     rc;
    ngx_http_profile_snapshot_t  *snap;

    rc = ngx_http_profile_snapshot_pin(r, &snap);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED || snap->created == -1) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    age = ngx_time() - snap->created;

    if (age < 0) {
        age = 0;
    }

    v->len = ngx_sprintf(p, "%T", age) - p;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = p;

    return NGX_OK;
}


/*
 * The handler's decision once it is made; before (limit_req, map in an
 * earlier phase) the same steps, without keeping the result: the
 * viewer may not be known yet (auth_request runs after limit_req), so a
 * value found early must not stand for the handler's.  Not found
 * outside a "profile" location, for an invalid id, without a snapshot.
 */

static ngx_int_t
ngx_http_profile_variable_relation(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_int_t                     rc;
    ngx_str_t                     id, viewer, *name;
    ngx_http_profile_ctx_t       *ctx;
    ngx_http_profile_viewer_e     relation;
    ngx_http_profile_snapshot_t  *snap;
    ngx_http_profile_loc_conf_t  *plcf;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_profile_module);

    if (ctx != NULL && ctx->decided) {
        relation = ctx->relation;
        goto found;
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_profile_module);

    if (!plcf->enable) {
        v->not_found = 1;
        return NGX_OK;
    }

    rc = ngx_http_profile_handler_identify(r, plcf, &id, &viewer);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        v->not_found = 1;
        return NGX_OK;
    }

    rc = ngx_http_profile_snapshot_pin(r, &snap);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED
        || ngx_http_profile_handler_relation(r, plcf, snap, &id, &viewer,
                                             &relation)
           != NGX_HTTP_PROFILE_FMT_OK)
    {
        v->not_found = 1;
        return NGX_OK;
    }

found:

    name = ngx_http_profile_rules_relation_name(relation);

    v->len = name->len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->data = name->data;

    return NGX_OK;
}


/*
 * $profile_view (data 0): the name of the view the handler chose for r;
 * $profile_partial (data 1): "1" when an embedded record the view names
 * was missing from the snapshot, "0" otherwise.  Both are not found
 * before the handler has run, in a location without views, and when no
 * view was acceptable.
 */

static ngx_int_t
ngx_http_profile_variable_view(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_profile_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_profile_module);

    if (ctx == NULL || ctx->view == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    if (data == 0) {
        v->data = ctx->view->name.data;
        v->len = ctx->view->name.len;

    } else {
        v->data = (u_char *) (ctx->partial ? "1" : "0");
        v->len = 1;
    }

    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}
