
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Wiring: directives, configuration, process hooks.  The work is done
 * in the files named after their concern (snapshot, handler, json,
 * error, variables).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_snapshot.h"
#include "ngx_http_profile_handler.h"
#include "ngx_http_profile_variables.h"


#define NGX_HTTP_PROFILE_RETRY_AFTER  5


static ngx_int_t ngx_http_profile_preconfiguration(ngx_conf_t *cf);
static void *ngx_http_profile_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_profile_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_profile_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_profile_init_process(ngx_cycle_t *cycle);
static void ngx_http_profile_exit_process(ngx_cycle_t *cycle);

static char *ngx_http_profile_snapshot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_profile(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_profile_id(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


static ngx_command_t  ngx_http_profile_commands[] = {

    { ngx_string("profile_snapshot"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_profile_snapshot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("profile"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_profile,
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
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,     /* empty: anonymous viewer */
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_profile_loc_conf_t, viewer),
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
    NULL,                                  /* init main configuration */

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
     */

    return pmcf;
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
     *     plcf->id = NULL;
     *     plcf->viewer = NULL;
     *     plcf->profile_file = NULL;
     *     plcf->profile_line = 0;
     *     plcf->enable = 0;
     */

    plcf->retry_after = NGX_CONF_UNSET;

    return plcf;
}


static char *
ngx_http_profile_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_profile_loc_conf_t *prev = parent;
    ngx_http_profile_loc_conf_t *conf = child;

    ngx_http_profile_main_conf_t  *pmcf;

    if (conf->id == NULL) {
        conf->id = prev->id;
    }

    if (conf->viewer == NULL) {
        conf->viewer = prev->viewer;
    }

    ngx_conf_merge_sec_value(conf->retry_after, prev->retry_after,
                             NGX_HTTP_PROFILE_RETRY_AFTER);

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

    if (conf->id == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "no \"profile_id\" is defined for "
                      "the \"profile\" directive in %s:%ui",
                      conf->profile_file, conf->profile_line);
        return NGX_CONF_ERROR;
    }

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

    /* logs and degrades to 503 on failure: a worker must not exit */

    ngx_http_profile_snapshot_init_worker(cycle, &pmcf->snapshot);

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

    ngx_str_t                    *value, path;
    ngx_http_profile_snapshot_t  *snap;
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

    snap = ngx_http_profile_snapshot_open(&path, cf->log, err);

    if (snap == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V \"%V\"%s",
                           &cmd->name, &path, err);
        return NGX_CONF_ERROR;
    }

    ngx_http_profile_snapshot_release(snap);

    pmcf->snapshot = path;
    pmcf->snapshot_file = cf->conf_file->file.name.data;
    pmcf->snapshot_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


static char *
ngx_http_profile(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_loc_conf_t *plcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (plcf->enable) {
        return "is duplicate";
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_profile_handler;

    plcf->enable = 1;
    plcf->profile_file = cf->conf_file->file.name.data;
    plcf->profile_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


static char *
ngx_http_profile_id(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_loc_conf_t *plcf = conf;

    ngx_str_t                         *value;
    ngx_http_complex_value_t          *cv;
    ngx_http_compile_complex_value_t   ccv;

    if (plcf->id != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "empty value in \"%V\" directive", &cmd->name);
        return NGX_CONF_ERROR;
    }

    cv = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (cv == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = &value[1];
    ccv.complex_value = cv;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* a constant id can be checked now rather than answer 400 always */

    if (cv->lengths == NULL
        && !ngx_http_profile_id_valid(cv->value.data, cv->value.len))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid profile id \"%V\" in \"%V\" directive",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    plcf->id = cv;

    return NGX_CONF_OK;
}
