
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Wiring: directives, configuration, process hooks.  The work is done
 * in the files named after their concern (snapshot, rules, json, cache,
 * error, response, handler, variables).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_snapshot.h"
#include "ngx_http_profile_handler.h"
#include "ngx_http_profile_variables.h"


#define NGX_HTTP_PROFILE_RETRY_AFTER  5
#define NGX_HTTP_PROFILE_CHECK        1000


static ngx_int_t ngx_http_profile_preconfiguration(ngx_conf_t *cf);
static void *ngx_http_profile_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_profile_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_profile_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_profile_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_profile_init_process(ngx_cycle_t *cycle);
static void ngx_http_profile_exit_process(ngx_cycle_t *cycle);

static char *ngx_http_profile_snapshot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_profile_snapshot_check(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_profile_snapshot_header(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_profile(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_profile_id(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_profile_viewer(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_profile_conf_enum(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_profile_trusted(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *value, ngx_uint_t nargs);
static char *ngx_http_profile_merge_roles(ngx_conf_t *cf,
    ngx_http_profile_loc_conf_t *conf, ngx_http_profile_main_conf_t *pmcf);
static ngx_int_t ngx_http_profile_viewer_vary(ngx_conf_t *cf,
    ngx_str_t *value, ngx_str_t *vary);
static char *ngx_http_profile_merge_location(ngx_conf_t *cf,
    ngx_http_profile_loc_conf_t *conf);


static ngx_conf_enum_t  ngx_http_profile_private_modes[] = {
    { ngx_string("stub"), 1 },
    { ngx_string("not_found"), 0 },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_profile_forbidden_statuses[] = {
    { ngx_string("404"), NGX_HTTP_NOT_FOUND },
    { ngx_string("403"), NGX_HTTP_FORBIDDEN },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_profile_hidden_modes[] = {
    { ngx_string("omit"), 0 },
    { ngx_string("null"), 1 },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_profile_verify_modes[] = {
    { ngx_string("sample"), NGX_HTTP_PROFILE_VERIFY_SAMPLE },
    { ngx_string("full"), NGX_HTTP_PROFILE_VERIFY_FULL },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_profile_blocks[] = {
    { ngx_string("both"), NGX_HTTP_PROFILE_BLOCK_BOTH },
    { ngx_string("owner"), NGX_HTTP_PROFILE_BLOCK_OWNER },
    { ngx_string("viewer"), NGX_HTTP_PROFILE_BLOCK_VIEWER },
    { ngx_null_string, 0 }
};


/*
 * Variables whose value comes from the client's request: an identity
 * read from one of them is whatever the client claims.  Names ending in
 * "_" are prefixes.
 */
static ngx_str_t  ngx_http_profile_client_vars[] = {
    ngx_string("http_"),
    ngx_string("cookie_"),
    ngx_string("arg_"),
    ngx_string("request_uri"),
    ngx_string("uri"),
    ngx_string("document_uri"),
    ngx_string("args"),
    ngx_string("query_string"),
    ngx_string("request"),
    ngx_string("request_body"),
    ngx_string("remote_user"),
    ngx_null_string
};


static ngx_conf_num_bounds_t  ngx_http_profile_fields_max_bounds = {
    ngx_conf_check_num_bounds, 1, NGX_HTTP_PROFILE_PLAN_KEYS
};


static ngx_command_t  ngx_http_profile_commands[] = {

    { ngx_string("profile_snapshot"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_snapshot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("profile_snapshot_check"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_snapshot_check,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("profile_snapshot_verify"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_conf_enum,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_profile_main_conf_t, verify),
      &ngx_http_profile_verify_modes },

    { ngx_string("profile_snapshot_header"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_snapshot_header,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("profile"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_profile,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("profile_batch"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE3,
      ngx_http_profile_batch,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("profile_id"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_id,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("profile_viewer"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_profile_viewer,             /* empty: anonymous viewer */
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, viewer),
      NULL },

    { ngx_string("profile_viewer_roles"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_profile_viewer,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, roles),
      NULL },

    { ngx_string("profile_private_mode"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_conf_enum,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, rules.private_stub),
      &ngx_http_profile_private_modes },

    { ngx_string("profile_forbidden_status"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_conf_enum,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, rules.forbidden),
      &ngx_http_profile_forbidden_statuses },

    { ngx_string("profile_hidden_fields"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_conf_enum,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, rules.hidden_null),
      &ngx_http_profile_hidden_modes },

    { ngx_string("profile_block"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_conf_enum,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, rules.block),
      &ngx_http_profile_blocks },

    { ngx_string("profile_view"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_BLOCK|NGX_CONF_TAKE1,
      ngx_http_profile_view_block,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("profile_views"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_profile_views,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, views),
      NULL },

    { ngx_string("profile_view_select"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_view_select,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, views),
      NULL },

    { ngx_string("profile_fields_arg"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_fields_arg,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, views),
      NULL },

    { ngx_string("profile_fields_max"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, views.fields_max),
      &ngx_http_profile_fields_max_bounds },

    { ngx_string("profile_cache_public"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_profile_cache_public,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, cache),
      NULL },

    { ngx_string("profile_cache_personal"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_profile_cache_personal,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, cache),
      NULL },

    { ngx_string("profile_cache_not_found"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_cache_not_found,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, cache),
      NULL },

    { ngx_string("profile_cache_tags"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_profile_cache_tags,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, cache),
      NULL },

    { ngx_string("profile_last_modified"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_profile_main_conf_t, last_modified),
      NULL },

    { ngx_string("profile_retry_after"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, retry_after),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_profile_module_ctx = {
    ngx_http_profile_preconfiguration,     /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_http_profile_create_main_conf,     /* create main configuration */
    ngx_http_profile_init_main_conf,       /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_profile_create_loc_conf,      /* create location configuration */
    ngx_http_profile_merge_loc_conf        /* merge location configuration */
};


ngx_module_t  ngx_http_profile_module = {
    NGX_MODULE_V1,
    &ngx_http_profile_module_ctx,          /* module context */
    ngx_http_profile_commands,             /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_profile_init_process,         /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_profile_exit_process,         /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_http_profile_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_profile_variables_add(cf);
}


static void *
ngx_http_profile_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_profile_main_conf_t  *pmcf;

    pmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_profile_main_conf_t));
    if (pmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     pmcf->snapshot = { 0, NULL };
     *     pmcf->snapshot_file = NULL;
     *     pmcf->snapshot_line = 0;
     *     pmcf->snapshot_dev = 0;
     *     pmcf->snapshot_ino = 0;
     *     pmcf->snapshot_id = { 0, NULL };
     *     pmcf->target = { 0, NULL };
     *     pmcf->dir = 0;
     */

    pmcf->check = NGX_CONF_UNSET_MSEC;
    pmcf->verify = NGX_CONF_UNSET_UINT;

    return pmcf;
}


/*
 * profile_snapshot_verify full: the content hash of the snapshot
 * profile_snapshot validated is checked now (the directive may come
 * after profile_snapshot), so that nginx -t, a start and a reload
 * refuse a snapshot whose records do not match it, as workers will.
 */

static char *
ngx_http_profile_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_profile_main_conf_t *pmcf = conf;

    ngx_http_profile_snapshot_t  *snap;
    u_char                        err[NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR];

    ngx_conf_init_uint_value(pmcf->verify, NGX_HTTP_PROFILE_VERIFY_SAMPLE);

    if (pmcf->last_modified.data == NULL) {
        ngx_str_set(&pmcf->last_modified, "updated_at");

    } else if (ngx_strcmp(pmcf->last_modified.data, "off") == 0) {
        ngx_str_set(&pmcf->last_modified, "");
    }

    if (pmcf->views != NULL
        && ngx_http_profile_views_check(cf, pmcf->views) != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (pmcf->snapshot.len == 0
        || (pmcf->verify != NGX_HTTP_PROFILE_VERIFY_FULL
            && pmcf->views == NULL))
    {
        return NGX_CONF_OK;
    }

    snap = ngx_http_profile_snapshot_open(&pmcf->target, pmcf->verify,
                                          cf->log, err);

    if (snap == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "profile_snapshot \"%V\"%s%s",
                      &pmcf->target, err,
                      pmcf->verify == NGX_HTTP_PROFILE_VERIFY_FULL
                      ? ", for \"profile_snapshot_verify full\"" : "");
        return NGX_CONF_ERROR;
    }

    /* every view against the snapshot's schema: refused now, not later */

    if (pmcf->views != NULL
        && ngx_http_profile_view_plans(pmcf->views, &snap->meta,
                                       snap->id.data, snap->id.len,
                                       snap->pool, err, sizeof(err))
           == NULL)
    {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "profile_snapshot \"%V\" is incompatible with the "
                      "views%s", &pmcf->target, err);
        ngx_http_profile_snapshot_release(snap);
        return NGX_CONF_ERROR;
    }

    ngx_http_profile_snapshot_release(snap);

    return NGX_CONF_OK;
}


static void *
ngx_http_profile_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_profile_loc_conf_t  *plcf;

    plcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_profile_loc_conf_t));
    if (plcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     plcf->id.cv = NULL;
     *     plcf->viewer.cv = NULL;
     *     plcf->roles.cv = NULL;
     *     plcf->viewer_text = { 0, NULL };
     *     plcf->roles_text = { 0, NULL };
     *     plcf->retry_after_value = { 0, NULL };
     *     plcf->snapshot_header = { 0, NULL };
     *     plcf->vary = { 0, NULL };
     *     plcf->prefix = { 0, NULL };
     *     plcf->location = NULL;
     *     plcf->profile_file = NULL;
     *     plcf->profile_line = 0;
     *     plcf->enable = 0;
     */

    plcf->id.index = NGX_ERROR;
    plcf->viewer.index = NGX_ERROR;
    plcf->roles.index = NGX_ERROR;
    plcf->retry_after = NGX_CONF_UNSET;
    plcf->rules.block = NGX_CONF_UNSET_UINT;
    plcf->rules.forbidden = NGX_CONF_UNSET_UINT;
    plcf->rules.private_stub = NGX_CONF_UNSET_UINT;
    plcf->rules.hidden_null = NGX_CONF_UNSET_UINT;

    ngx_http_profile_views_init(&plcf->views);
    ngx_http_profile_cache_init(&plcf->cache);

    return plcf;
}


static char *
ngx_http_profile_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_profile_loc_conf_t *prev = parent;
    ngx_http_profile_loc_conf_t *conf = child;

    ngx_str_t                      both, select;
    ngx_http_profile_main_conf_t  *pmcf;

    if (conf->id.cv == NULL) {
        conf->id = prev->id;
    }

    if (conf->viewer.cv == NULL) {
        conf->viewer = prev->viewer;
        conf->viewer_text = prev->viewer_text;
    }

    if (conf->roles.cv == NULL) {
        conf->roles = prev->roles;
        conf->roles_text = prev->roles_text;
    }

    if (conf->snapshot_header.data == NULL) {
        conf->snapshot_header = prev->snapshot_header;
    }

    ngx_conf_merge_sec_value(conf->retry_after, prev->retry_after,
                             NGX_HTTP_PROFILE_RETRY_AFTER);
    ngx_conf_merge_uint_value(conf->rules.block, prev->rules.block,
                              NGX_HTTP_PROFILE_BLOCK_BOTH);
    ngx_conf_merge_uint_value(conf->rules.forbidden, prev->rules.forbidden,
                              NGX_HTTP_NOT_FOUND);
    ngx_conf_merge_uint_value(conf->rules.private_stub,
                              prev->rules.private_stub, 1);
    ngx_conf_merge_uint_value(conf->rules.hidden_null,
                              prev->rules.hidden_null, 0);

    if (ngx_http_profile_views_merge(cf, &prev->views, &conf->views,
                                     conf->enable)
        != NGX_CONF_OK
        || ngx_http_profile_cache_merge(cf, &prev->cache, &conf->cache)
           != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (!conf->enable) {
        return NGX_CONF_OK;
    }

    /* a "profile" location must be able to answer: check it now */

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_profile_module);

    if (pmcf->snapshot.len == 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "no \"profile_snapshot\" is defined for "
                      "the \"profile\" directive in %s:%ui",
                      conf->profile_file, conf->profile_line);
        return NGX_CONF_ERROR;
    }

    /* the Retry-After text of 503 responses, rendered once */

    conf->retry_after_value.data = ngx_pnalloc(cf->pool, NGX_TIME_T_LEN);
    if (conf->retry_after_value.data == NULL) {
        return NGX_CONF_ERROR;
    }

    conf->retry_after_value.len = ngx_sprintf(conf->retry_after_value.data,
                                              "%T", conf->retry_after)
                                  - conf->retry_after_value.data;

    if (ngx_http_profile_merge_roles(cf, conf, pmcf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    /* Vary: the request headers the viewer and the roles are read from */

    if (ngx_http_profile_viewer_vary(cf, &conf->viewer_text, &conf->vary)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    /* ... and those the view is selected by (docs/views.md) */

    if (conf->views.offered != NULL && conf->views.select.cv != NULL) {
        select = conf->views.select_text;

    } else {
        ngx_str_null(&select);
    }

    if (conf->roles_text.len || select.len) {
        both.len = conf->viewer_text.len + 1 + conf->roles_text.len + 1
                   + select.len;
        both.data = ngx_pnalloc(cf->pool, both.len);
        if (both.data == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_sprintf(both.data, "%V %V %V", &conf->viewer_text,
                    &conf->roles_text, &select);

        if (ngx_http_profile_viewer_vary(cf, &both, &conf->vary) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    if (conf->views.offered != NULL && conf->views.select.cv == NULL) {

        /* negotiated: the view depends on Accept */

        both.len = conf->vary.len + sizeof(", Accept") - 1;
        both.data = ngx_pnalloc(cf->pool, both.len);
        if (both.data == NULL) {
            return NGX_CONF_ERROR;
        }

        both.len = (conf->vary.len
                    ? ngx_sprintf(both.data, "%V, Accept", &conf->vary)
                    : ngx_sprintf(both.data, "Accept"))
                   - both.data;

        conf->vary = both;
    }

    if (conf->id.cv == NULL && conf->batch.arg.len == 0) {
        return ngx_http_profile_merge_location(cf, conf);
    }

    return NGX_CONF_OK;
}


/*
 * "profile" without "profile_id": the id is what follows the location's
 * prefix in the URI, so only a prefix location ending in "/" can give
 * one ("location /profiles" would also match "/profilesX").
 */

static char *
ngx_http_profile_merge_location(ngx_conf_t *cf,
    ngx_http_profile_loc_conf_t *conf)
{
    char                      *kind;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = conf->location;
    kind = NULL;

#if (NGX_PCRE)
    if (clcf->regex) {
        kind = "a regex";
    }
#endif

    if (clcf->named) {
        kind = "a named";

    } else if (clcf->exact_match) {
        kind = "an exact-match";

    } else if (clcf->noname || clcf->name.len == 0) {
        kind = "an unnamed";
    }

    if (kind != NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "no \"profile_id\" is defined for "
                      "the \"profile\" directive in %s:%ui: "
                      "in %s location the id must be set "
                      "with \"profile_id\"",
                      conf->profile_file, conf->profile_line, kind);
        return NGX_CONF_ERROR;
    }

    if (clcf->name.data[clcf->name.len - 1] != '/') {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "no \"profile_id\" is defined for "
                      "the \"profile\" directive in %s:%ui: "
                      "the id is taken from the URI only after "
                      "a location prefix ending in \"/\", not \"%V\"",
                      conf->profile_file, conf->profile_line, &clcf->name);
        return NGX_CONF_ERROR;
    }

    conf->prefix = clcf->name;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_profile_init_process(ngx_cycle_t *cycle)
{
    ngx_http_profile_main_conf_t  *pmcf;

    /* not in cache manager and loader processes: they serve nothing */

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    pmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_profile_module);

    if (pmcf == NULL) {
        return NGX_OK;
    }

    if (pmcf->check == NGX_CONF_UNSET_MSEC) {
        pmcf->check = NGX_HTTP_PROFILE_CHECK;
    }

    /* logs and degrades to 503 on failure: a worker must not exit */

    ngx_http_profile_snapshot_init_worker(cycle, pmcf);

    return NGX_OK;
}


static void
ngx_http_profile_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_profile_snapshot_exit_worker();
}


static char *
ngx_http_profile_snapshot(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_main_conf_t *pmcf = conf;

    ngx_int_t                     rc;
    ngx_str_t                    *value, path, *role;
    ngx_uint_t                    i;
    ngx_http_profile_snapshot_t  *snap;
    ngx_http_profile_class_t     *cls;
    ngx_http_profile_pointer_t    ptr;
    u_char                        err[NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR];

    if (pmcf->snapshot.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;
    path = value[1];

    if (path.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "empty path in \"%V\" directive", &cmd->name);
        return NGX_CONF_ERROR;
    }

    /* relative to the prefix, like other nginx paths; null-terminated */

    if (ngx_conf_full_name(cf->cycle, &path, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /*
     * Validate now, so that "nginx -t" and a reload refuse a missing or
     * bad snapshot; then close it: the master must not keep an LMDB
     * environment across fork().  Workers open it again.
     */

    rc = ngx_http_profile_dir_detect(&path, err);

    if (rc == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V \"%V\"%s",
                           &cmd->name, &path, err);
        return NGX_CONF_ERROR;
    }

    if (rc == NGX_OK) {

        /* a snapshot directory: what its pointer names now */

        pmcf->dir = 1;

        pmcf->target.data = ngx_pnalloc(cf->pool,
                                        path.len
                                        + NGX_HTTP_PROFILE_DIR_NAME_MAX + 2);
        if (pmcf->target.data == NULL) {
            return NGX_CONF_ERROR;
        }

        snap = ngx_http_profile_snapshot_open_dir(
                   &path, pmcf->target.data, &ptr,
                   NGX_HTTP_PROFILE_VERIFY_SAMPLE, cf->log, err);
        pmcf->target.len = ngx_strlen(pmcf->target.data);

    } else {
        pmcf->target = path;

        snap = ngx_http_profile_snapshot_open(&path,
                                              NGX_HTTP_PROFILE_VERIFY_SAMPLE,
                                              cf->log, err);
    }

    if (snap == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V \"%V\"%s",
                           &cmd->name, &path, err);
        return NGX_CONF_ERROR;
    }

    /* the file workers must open: not whatever the path names later */

    pmcf->snapshot_dev = snap->file.dev;
    pmcf->snapshot_ino = snap->file.ino;

    pmcf->snapshot_id.len = snap->id.len;
    pmcf->snapshot_id.data = ngx_pstrdup(cf->pool, &snap->id);
    if (pmcf->snapshot_id.data == NULL) {
        ngx_http_profile_snapshot_release(snap);
        return NGX_CONF_ERROR;
    }

    /* the roles its schema declares, for profile_viewer_roles' check */

    if (snap->grants.audiences) {
        pmcf->roles = ngx_array_create(cf->pool, snap->grants.nroles + 1,
                                       sizeof(ngx_str_t));
        if (pmcf->roles == NULL) {
            ngx_http_profile_snapshot_release(snap);
            return NGX_CONF_ERROR;
        }

        cls = snap->meta.classes;

        for (i = NGX_HTTP_PROFILE_CLASS_ROLES; i < snap->meta.nclasses; i++) {
            role = ngx_array_push(pmcf->roles);
            if (role == NULL) {
                ngx_http_profile_snapshot_release(snap);
                return NGX_CONF_ERROR;
            }

            role->len = cls[i].name_len;
            role->data = ngx_pnalloc(cf->pool, role->len);
            if (role->data == NULL) {
                ngx_http_profile_snapshot_release(snap);
                return NGX_CONF_ERROR;
            }

            ngx_memcpy(role->data, cls[i].name, role->len);
        }
    }

    ngx_http_profile_snapshot_release(snap);

    pmcf->snapshot = path;
    pmcf->snapshot_file = cf->conf_file->file.name.data;
    pmcf->snapshot_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


/* profile_snapshot_header NAME | off; */

static char *
ngx_http_profile_snapshot_header(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_profile_loc_conf_t *plcf = conf;

    u_char      c;
    ngx_str_t  *value;
    ngx_uint_t  i;

    if (plcf->snapshot_header.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        plcf->snapshot_header.len = 0;
        plcf->snapshot_header.data = (u_char *) "";
        return NGX_CONF_OK;
    }

    /* a field name: a token of RFC 9110 */

    for (i = 0; i < value[1].len; i++) {
        c = value[1].data[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || ngx_strchr("!#$%&'*+-.^_`|~", c))
        {
            continue;
        }

        break;
    }

    if (value[1].len == 0 || i < value[1].len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid header name \"%V\" in \"%V\" directive",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    plcf->snapshot_header = value[1];

    return NGX_CONF_OK;
}


/* profile_snapshot_check TIME | off; */

static char *
ngx_http_profile_snapshot_check(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_profile_main_conf_t *pmcf = conf;

    ngx_str_t  *value;

    if (pmcf->check != NGX_CONF_UNSET_MSEC) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        pmcf->check = 0;
        return NGX_CONF_OK;
    }

    pmcf->check = ngx_parse_time(&value[1], 0);

    if (pmcf->check == (ngx_msec_t) NGX_ERROR || pmcf->check == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive: "
                           "a time above 0, or \"off\"",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_profile(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_loc_conf_t *plcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (plcf->enable) {
        return plcf->batch.arg.len ? "is not allowed with \"profile_batch\""
                                   : "is duplicate";
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_profile_handler;

    plcf->enable = 1;
    plcf->location = clcf;
    plcf->profile_file = cf->conf_file->file.name.data;
    plcf->profile_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


static char *
ngx_http_profile_id(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_loc_conf_t *plcf = conf;

    ngx_str_t  *value;

    if (plcf->id.cv != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "empty value in \"%V\" directive", &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_profile_value_compile(cf, &value[1], &plcf->id) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* a constant id can be checked now rather than answer 400 always */

    if (plcf->id.cv->lengths == NULL
        && !ngx_http_profile_id_valid(plcf->id.cv->value.data,
                                      plcf->id.cv->value.len))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid profile id \"%V\" in \"%V\" directive",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * profile_viewer VALUE [trusted]; and profile_viewer_roles VALUE
 * [trusted]; (cmd->offset: the ngx_http_profile_value_t).  A value read
 * from the client's own request is refused unless it says "trusted".
 */

static char *
ngx_http_profile_viewer(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_loc_conf_t *plcf = conf;

    ngx_str_t                 *value;
    ngx_http_profile_value_t  *v;

    v = (ngx_http_profile_value_t *) ((char *) plcf + cmd->offset);

    if (v->cv != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 3 && ngx_strcmp(value[2].data, "trusted") != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\" in \"%V\" directive, "
                           "it must be \"trusted\"", &value[2], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_profile_trusted(cf, &cmd->name, &value[1], cf->args->nelts)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_profile_value_compile(cf, &value[1], v) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (v == &plcf->viewer) {
        plcf->viewer_text = value[1];

    } else {
        plcf->roles_text = value[1];
    }

    return NGX_CONF_OK;
}


/*
 * Refuse an identity taken straight from the client's request (a
 * variable of ngx_http_profile_client_vars, or a regex capture), unless
 * the directive has its "trusted" parameter (nargs 3).
 */

static ngx_int_t
ngx_http_profile_trusted(ngx_conf_t *cf, ngx_str_t *name, ngx_str_t *value,
    ngx_uint_t nargs)
{
    u_char      *p, *last, *var, *end;
    size_t       len;
    ngx_str_t   *cv;
    ngx_uint_t   client;

    if (nargs == 3) {
        return NGX_OK;
    }

    last = value->data + value->len;

    for (p = value->data; p < last; p++) {

        if (*p != '$') {
            continue;
        }

        var = p++;

        if (p < last && *p == '{') {
            p++;
        }

        for (end = p;
             end < last
             && ((*end >= 'a' && *end <= 'z') || (*end >= 'A' && *end <= 'Z')
                 || (*end >= '0' && *end <= '9') || *end == '_');
             end++)
        {
            /* void */
        }

        len = end - p;

        if (len == 0) {
            continue;
        }

        /* a regex capture: a part of the URI (or of a header) */

        client = (*p >= '0' && *p <= '9');

        for (cv = ngx_http_profile_client_vars; !client && cv->len; cv++) {

            if (cv->data[cv->len - 1] == '_') {
                client = (len > cv->len
                          && ngx_strncasecmp(p, cv->data, cv->len) == 0);

            } else {
                client = (len == cv->len
                          && ngx_strncasecmp(p, cv->data, len) == 0);
            }
        }

        if (client) {
            if (var[1] == '{' && end < last && *end == '}') {
                end++;
            }

            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%V \"%V\" reads the client's request (%*s): "
                               "any client can claim any identity; take it "
                               "from auth_request_set or another verified "
                               "source, or add \"trusted\" if a proxy in "
                               "front sets and strips it",
                               name, value, end - var, var);
            return NGX_ERROR;
        }

        p = end - 1;
    }

    return NGX_OK;
}


/*
 * A constant profile_viewer_roles is checked against the roles of the
 * snapshot nginx validated: a role its schema does not declare would
 * grant nothing, which is a mistake worth refusing at "nginx -t".
 */

static char *
ngx_http_profile_merge_roles(ngx_conf_t *cf,
    ngx_http_profile_loc_conf_t *conf, ngx_http_profile_main_conf_t *pmcf)
{
    u_char      *p, *last;
    ngx_str_t    name, *role, *used;
    ngx_uint_t   i, n;

    if (conf->roles.cv == NULL || conf->roles.cv->lengths != NULL) {
        return NGX_CONF_OK;
    }

    role = (pmcf->roles != NULL) ? pmcf->roles->elts : NULL;
    n = (pmcf->roles != NULL) ? pmcf->roles->nelts : 0;

    p = conf->roles.cv->value.data;
    last = p + conf->roles.cv->value.len;

    for ( ;; ) {
        p = ngx_http_profile_rules_role_name(p, last, &name);

        if (name.len == 0) {
            return NGX_CONF_OK;
        }

        for (i = 0; i < n; i++) {
            if (role[i].len == name.len
                && ngx_memcmp(role[i].data, name.data, name.len) == 0)
            {
                break;
            }
        }

        if (i == n) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "profile_viewer_roles \"%V\": role \"%V\" is not "
                          "declared by the schema of snapshot \"%V\", "
                          "for the \"profile\" directive in %s:%ui",
                          &conf->roles_text, &name, &pmcf->snapshot,
                          conf->profile_file, conf->profile_line);
            return NGX_CONF_ERROR;
        }

        /* a later snapshot of a directory must declare it too */

        if (pmcf->roles_used == NULL) {
            pmcf->roles_used = ngx_array_create(cf->pool, 4,
                                                sizeof(ngx_str_t));
            if (pmcf->roles_used == NULL) {
                return NGX_CONF_ERROR;
            }
        }

        used = ngx_array_push(pmcf->roles_used);
        if (used == NULL) {
            return NGX_CONF_ERROR;
        }

        *used = name;
    }
}


/*
 * profile_private_mode, profile_forbidden_status, profile_hidden_fields,
 * profile_block: one of the names of cmd->post (ngx_conf_enum_t), into
 * the ngx_uint_t at cmd->offset; the error names every allowed value.
 */

static char *
ngx_http_profile_conf_enum(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    u_char           *q, *end, buf[128];
    ngx_str_t        *value;
    ngx_uint_t       *np, i, n;
    ngx_conf_enum_t  *e;

    np = (ngx_uint_t *) (p + cmd->offset);

    if (*np != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;
    e = cmd->post;

    for (n = 0; e[n].name.len; n++) {
        if (e[n].name.len == value[1].len
            && ngx_strcmp(e[n].name.data, value[1].data) == 0)
        {
            *np = e[n].value;
            return NGX_CONF_OK;
        }
    }

    q = buf;
    end = buf + sizeof(buf);

    for (i = 0; i < n; i++) {
        q = ngx_slprintf(q, end, "%s\"%V\"",
                         i == 0 ? "" : (i == n - 1 ? " or " : ", "),
                         &e[i].name);
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"%V\" directive, "
                       "it must be %*s", &value[1], &cmd->name,
                       q - buf, buf);

    return NGX_CONF_ERROR;
}


/*
 * The Vary value of a viewer read from the request's own headers: each
 * "$http_NAME" names the header NAME (with "-" for "_"), "$cookie_NAME"
 * the Cookie header.  A cache that ignores Cache-Control still keeps
 * the responses of different viewers apart when it honours Vary.  The
 * URI and its arguments ($arg_*, $args) are in every cache key already.
 */

static ngx_int_t
ngx_http_profile_viewer_vary(ngx_conf_t *cf, ngx_str_t *value,
    ngx_str_t *vary)
{
    u_char      *p, *last, *name, *out;
    size_t       len;
    ngx_uint_t   cookie;

    vary->len = 0;
    vary->data = ngx_pnalloc(cf->pool, value->len + sizeof(", Cookie"));
    if (vary->data == NULL) {
        return NGX_ERROR;
    }

    out = vary->data;
    cookie = 0;
    last = value->data + value->len;

    for (p = value->data; p < last; p++) {

        if (*p != '$') {
            continue;
        }

        p++;

        if (p < last && *p == '{') {
            p++;
        }

        name = p;

        while (p < last
               && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                   || (*p >= '0' && *p <= '9') || *p == '_'))
        {
            p++;
        }

        len = p - name;
        p--;

        if (len > sizeof("cookie_") - 1
            && ngx_strncasecmp(name, (u_char *) "cookie_",
                               sizeof("cookie_") - 1)
               == 0)
        {
            cookie = 1;
            continue;
        }

        if (len <= sizeof("http_") - 1
            || ngx_strncasecmp(name, (u_char *) "http_", sizeof("http_") - 1)
               != 0)
        {
            continue;
        }

        if (out != vary->data) {
            out = ngx_cpymem(out, ", ", 2);
        }

        /* "$http_x_user" is X-User: field names are case-insensitive */

        for (name += sizeof("http_") - 1; name <= p; name++) {
            if (*name == '_') {
                *out++ = '-';

            } else if (out == vary->data || out[-1] == '-'
                       || out[-1] == ' ')
            {
                *out++ = ngx_toupper(*name);

            } else {
                *out++ = ngx_tolower(*name);
            }
        }
    }

    if (cookie) {
        if (out != vary->data) {
            out = ngx_cpymem(out, ", ", 2);
        }

        out = ngx_cpymem(out, "Cookie", sizeof("Cookie") - 1);
    }

    vary->len = out - vary->data;

    return NGX_OK;
}
