
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Client views (docs/views.md).  A profile_view block is parsed here
 * into a list of "field" lines; each snapshot, when it is opened,
 * resolves every view's names against its own fields table into a plan
 * (ngx_http_profile_view_plans()), so a view naming a field the
 * snapshot lacks is refused at "nginx -t" and when a new snapshot is
 * about to be used, never at request time.  Per request, only the
 * choice of a view and the "fields=" names are read: no JSON.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_meta.h"
#include "ngx_http_profile_error.h"
#include "ngx_http_profile_accept.h"
#include "ngx_http_profile_view.h"


/* a node of a view's output tree, while its plan is made */
typedef struct {
    ngx_str_t                    seg;        /* this level's key */
    ngx_int_t                    first;      /* first child, or -1 */
    ngx_int_t                    last;
    ngx_int_t                    next;       /* next sibling, or -1 */
    ngx_int_t                    field;      /* a leaf: field id; or -1 */
    ngx_int_t                    member;     /* a leaf's member, or -1 */
    ngx_int_t                    embed;      /* a leaf's embed, or -1 */
    ngx_str_t                    source;     /* what the leaf names */
} ngx_http_profile_view_node_t;


typedef struct {
    ngx_http_profile_view_t           *view;
    const ngx_http_profile_meta_t     *meta;
    ngx_http_profile_plan_t           *plans;    /* every view's */
    ngx_array_t                       *views;

    /* what the view's records hold: the profiles', or a source's */
    const ngx_http_profile_field_t    *fields;
    unsigned                           nfields;
    const ngx_http_profile_member_t   *members;
    unsigned                           nmembers;
    uint8_t                           *default_cls;  /* a source's */
    ngx_int_t                          source;       /* -1: profiles */
    uint8_t                           *src_cls[NGX_HTTP_PROFILE_MAX_SOURCES];

    ngx_http_profile_plan_embed_t     *embeds;
    ngx_uint_t                         nembeds;
    ngx_int_t                          embed;    /* of the next leaf */
    ngx_array_t                        nodes;  /* view_node_t */
    ngx_http_profile_plan_op_t        *ops;
    ngx_uint_t                         nops;
    ngx_uint_t                         trailer;  /* a step reads it */
    ngx_pool_t                        *pool;
    u_char                            *err;
    u_char                            *last;
} ngx_http_profile_view_build_t;


static char *ngx_http_profile_view_line(ngx_conf_t *cf, ngx_command_t *dummy,
    void *conf);
static char *ngx_http_profile_view_flag(ngx_conf_t *cf, ngx_str_t *value,
    ngx_flag_t *flag);
static char *ngx_http_profile_view_embed_line(ngx_conf_t *cf,
    ngx_http_profile_view_t *view);
static char *ngx_http_profile_view_enum(ngx_conf_t *cf,
    ngx_http_profile_view_t *view, ngx_uint_t *slot, char *first,
    char *second);
static ngx_uint_t ngx_http_profile_view_dots(ngx_str_t *name);
static ngx_int_t ngx_http_profile_view_field_id(
    ngx_http_profile_view_build_t *b, ngx_str_t *name);
static ngx_int_t ngx_http_profile_view_records(
    ngx_http_profile_view_build_t *b);
static ngx_int_t ngx_http_profile_view_embed(ngx_http_profile_view_build_t *b,
    ngx_http_profile_view_field_t *f, ngx_int_t field);
static ngx_int_t ngx_http_profile_view_source(ngx_http_profile_view_build_t *b,
    ngx_http_profile_view_field_t *f, ngx_int_t *field, ngx_int_t *member);
static ngx_int_t ngx_http_profile_view_add(ngx_http_profile_view_build_t *b,
    ngx_str_t *source, ngx_str_t *output, ngx_int_t field, ngx_int_t member,
    ngx_uint_t line);
static ngx_int_t ngx_http_profile_view_flatten(
    ngx_http_profile_view_build_t *b, ngx_int_t node, ngx_uint_t top,
    ngx_uint_t depth);
static ngx_int_t ngx_http_profile_view_plan(ngx_http_profile_view_build_t *b,
    ngx_http_profile_plan_t *plan, const u_char *snapshot_id,
    size_t snapshot_id_len);
static ngx_int_t ngx_http_profile_view_keys(ngx_http_profile_view_build_t *b,
    ngx_http_profile_plan_t *plan);
static int ngx_http_profile_view_key_cmp(const void *a, const void *b);
static ngx_int_t ngx_http_profile_view_accept(ngx_http_request_t *r,
    ngx_str_t *accept);


char *
ngx_http_profile_view_block(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_main_conf_t *pmcf = conf;

    char                      *rv;
    ngx_str_t                 *value;
    ngx_uint_t                 i;
    ngx_conf_t                 save;
    ngx_http_profile_view_t   *view, **v;

    value = cf->args->elts;

    if (ngx_http_profile_view_name_valid(&value[1], 0) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid view name \"%V\": 1 to %d bytes of "
                           "[A-Za-z0-9_-]", &value[1],
                           NGX_HTTP_PROFILE_VIEW_NAME_MAX);
        return NGX_CONF_ERROR;
    }

    if (pmcf->views == NULL) {
        pmcf->views = ngx_array_create(cf->pool, 4,
                                       sizeof(ngx_http_profile_view_t *));
        if (pmcf->views == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    v = pmcf->views->elts;

    for (i = 0; i < pmcf->views->nelts; i++) {
        if (v[i]->name.len == value[1].len
            && ngx_strncmp(v[i]->name.data, value[1].data, value[1].len)
               == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate view \"%V\", first declared "
                               "in %s:%ui", &value[1], v[i]->file,
                               v[i]->line);
            return NGX_CONF_ERROR;
        }
    }

    view = ngx_pcalloc(cf->pool, sizeof(ngx_http_profile_view_t));
    if (view == NULL) {
        return NGX_CONF_ERROR;
    }

    view->name = value[1];
    view->envelope = NGX_CONF_UNSET;
    view->omit_empty = NGX_CONF_UNSET;
    view->integers = NGX_CONF_UNSET_UINT;
    view->timestamps = NGX_CONF_UNSET_UINT;
    view->index = pmcf->views->nelts;
    view->file = cf->conf_file->file.name.data;
    view->line = cf->conf_file->line;

    view->subtype.len = sizeof("vnd.profile.+json") - 1 + value[1].len;
    view->subtype.data = ngx_pnalloc(cf->pool, view->subtype.len);
    if (view->subtype.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_sprintf(view->subtype.data, "vnd.profile.%V+json", &value[1]);

    if (ngx_array_init(&view->fields, cf->pool, 8,
                       sizeof(ngx_http_profile_view_field_t))
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    v = ngx_array_push(pmcf->views);
    if (v == NULL) {
        return NGX_CONF_ERROR;
    }

    *v = view;

    save = *cf;
    cf->handler = ngx_http_profile_view_line;
    cf->handler_conf = (char *) view;

    rv = ngx_conf_parse(cf, NULL);

    *cf = save;

    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (view->fields.nelts == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "view \"%V\" has no \"field\"", &view->name);
        return NGX_CONF_ERROR;
    }

    ngx_conf_init_value(view->envelope, 0);
    ngx_conf_init_value(view->omit_empty, 0);
    ngx_conf_init_uint_value(view->integers,
                             NGX_HTTP_PROFILE_INTEGERS_NUMBER);
    ngx_conf_init_uint_value(view->timestamps,
                             NGX_HTTP_PROFILE_TIMESTAMPS_RFC3339);

    return NGX_CONF_OK;
}


/* one line of a profile_view block */

static char *
ngx_http_profile_view_line(ngx_conf_t *cf, ngx_command_t *dummy, void *conf)
{
    ngx_http_profile_view_t *view = conf;

    ngx_str_t                      *value, *out;
    ngx_uint_t                      i, n;
    ngx_http_profile_view_field_t  *f, *fields;

    value = cf->args->elts;
    n = cf->args->nelts;

    if (value[0].len == sizeof("field") - 1
        && ngx_strncmp(value[0].data, "field", value[0].len) == 0)
    {
        if (n != 2 && n != 3) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid number of arguments in \"field\" "
                               "of view \"%V\"", &view->name);
            return NGX_CONF_ERROR;
        }

        out = (n == 3) ? &value[2] : NULL;

        if (value[1].len == 1 && value[1].data[0] == '*') {
            if (out != NULL) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "\"field *\" of view \"%V\" takes no "
                                   "output name", &view->name);
                return NGX_CONF_ERROR;
            }

        } else if (ngx_http_profile_view_name_valid(&value[1], 1)
                   != NGX_OK
                   || ngx_http_profile_view_dots(&value[1]) > 1)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid field name \"%V\" in view \"%V\": "
                               "a field of the schema, a member of one "
                               "(\"location.city\"), or \"*\"",
                               &value[1], &view->name);
            return NGX_CONF_ERROR;
        }

        if (out != NULL
            && ngx_http_profile_view_name_valid(out, 1) != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid output name \"%V\" in view \"%V\": "
                               "1 to %d names of [A-Za-z0-9_-] of at most "
                               "%d bytes, joined by \".\"", out,
                               &view->name, NGX_HTTP_PROFILE_PLAN_DEPTH,
                               NGX_HTTP_PROFILE_VIEW_KEY_MAX);
            return NGX_CONF_ERROR;
        }

        fields = view->fields.elts;

        for (i = 0; i < view->fields.nelts; i++) {
            if (fields[i].source.len == 1 && fields[i].source.data[0] == '*'
                && value[1].len == 1 && value[1].data[0] == '*')
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "duplicate \"field *\" in view \"%V\"",
                                   &view->name);
                return NGX_CONF_ERROR;
            }
        }

        f = ngx_array_push(&view->fields);
        if (f == NULL) {
            return NGX_CONF_ERROR;
        }

        f->source = value[1];
        ngx_str_null(&f->embed);
        f->missing_null = 0;

        if (out != NULL) {
            f->output = *out;

        } else {
            ngx_str_null(&f->output);
        }

        f->line = cf->conf_file->line;

        view->hash = ngx_http_profile_hash64(value[1].data, value[1].len,
                                             view->hash);
        view->hash = ngx_http_profile_hash64((u_char *) "=", 1, view->hash);

        if (out != NULL) {
            view->hash = ngx_http_profile_hash64(out->data, out->len,
                                                 view->hash);
        }

        view->hash = ngx_http_profile_hash64((u_char *) ";", 1, view->hash);

        return NGX_CONF_OK;
    }

    if (value[0].len == sizeof("embed") - 1
        && ngx_strncmp(value[0].data, "embed", value[0].len) == 0)
    {
        return ngx_http_profile_view_embed_line(cf, view);
    }

    if (n != 2) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown directive \"%V\" or invalid number of "
                           "arguments in view \"%V\"", &value[0],
                           &view->name);
        return NGX_CONF_ERROR;
    }

    if (value[0].len == sizeof("source") - 1
        && ngx_strncmp(value[0].data, "source", value[0].len) == 0)
    {
        if (view->source.len) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"source\" is duplicate");
            return NGX_CONF_ERROR;
        }

        if (!ngx_http_profile_source_name_valid(value[1].data,
                                                value[1].len))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid source name \"%V\" in view \"%V\":"
                               " 1 to 32 bytes of [a-z0-9_]", &value[1],
                               &view->name);
            return NGX_CONF_ERROR;
        }

        view->source = value[1];

        view->hash = ngx_http_profile_hash64((u_char *) "source", 6,
                                             view->hash);
        view->hash = ngx_http_profile_hash64(value[1].data, value[1].len,
                                             view->hash);

        return NGX_CONF_OK;
    }

    if (value[0].len == sizeof("envelope") - 1
        && ngx_strncmp(value[0].data, "envelope", value[0].len) == 0)
    {
        if (ngx_http_profile_view_flag(cf, &value[1], &view->envelope)
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }

    } else if (value[0].len == sizeof("omit_empty") - 1
               && ngx_strncmp(value[0].data, "omit_empty", value[0].len)
                  == 0)
    {
        if (ngx_http_profile_view_flag(cf, &value[1], &view->omit_empty)
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }

    } else if (value[0].len == sizeof("integers") - 1
               && ngx_strncmp(value[0].data, "integers", value[0].len) == 0)
    {
        if (ngx_http_profile_view_enum(cf, view, &view->integers, "number",
                                       "string")
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }

    } else if (value[0].len == sizeof("timestamps") - 1
               && ngx_strncmp(value[0].data, "timestamps", value[0].len)
                  == 0)
    {
        if (ngx_http_profile_view_enum(cf, view, &view->timestamps,
                                       "rfc3339", "epoch")
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown directive \"%V\" in view \"%V\"",
                           &value[0], &view->name);
        return NGX_CONF_ERROR;
    }

    view->hash = ngx_http_profile_hash64(value[0].data, value[0].len,
                                         view->hash);
    view->hash = ngx_http_profile_hash64(value[1].data, value[1].len,
                                         view->hash);

    return NGX_CONF_OK;
}


/*
 * A view's two-valued setting (the line "NAME VALUE" of cf->args): 0
 * for first, 1 for second, once.
 */

static char *
ngx_http_profile_view_enum(ngx_conf_t *cf, ngx_http_profile_view_t *view,
    ngx_uint_t *slot, char *first, char *second)
{
    ngx_str_t  *value;

    value = cf->args->elts;

    if (*slot != NGX_CONF_UNSET_UINT) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\" is duplicate",
                           &value[0]);
        return NGX_CONF_ERROR;
    }

    if (ngx_strcmp(value[1].data, first) == 0) {
        *slot = 0;

    } else if (ngx_strcmp(value[1].data, second) == 0) {
        *slot = 1;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" of view \"%V\": "
                           "\"%s\" or \"%s\"", &value[1], &value[0],
                           &view->name, first, second);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* embed OUTPUT FIELD VIEW [null | omit]; */

static char *
ngx_http_profile_view_embed_line(ngx_conf_t *cf, ngx_http_profile_view_t *view)
{
    ngx_str_t                      *value;
    ngx_uint_t                      i, n;
    ngx_http_profile_view_field_t  *f;

    value = cf->args->elts;
    n = cf->args->nelts;

    if (n != 4 && n != 5) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid number of arguments in \"embed\" of "
                           "view \"%V\"", &view->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_profile_view_name_valid(&value[1], 1) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid output name \"%V\" in view \"%V\": "
                           "1 to %d names of [A-Za-z0-9_-] of at most "
                           "%d bytes, joined by \".\"", &value[1],
                           &view->name, NGX_HTTP_PROFILE_PLAN_DEPTH,
                           NGX_HTTP_PROFILE_VIEW_KEY_MAX);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_profile_view_name_valid(&value[2], 0) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid field name \"%V\" in \"embed\" of "
                           "view \"%V\"", &value[2], &view->name);
        return NGX_CONF_ERROR;
    }

    if (view->nembeds == NGX_HTTP_PROFILE_PLAN_EMBEDS) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "more than %d \"embed\" in view \"%V\"",
                           NGX_HTTP_PROFILE_PLAN_EMBEDS, &view->name);
        return NGX_CONF_ERROR;
    }

    f = ngx_array_push(&view->fields);
    if (f == NULL) {
        return NGX_CONF_ERROR;
    }

    f->source = value[2];
    f->output = value[1];
    f->embed = value[3];
    f->line = cf->conf_file->line;
    f->missing_null = 1;

    if (n == 5) {
        if (ngx_strcmp(value[4].data, "omit") == 0) {
            f->missing_null = 0;

        } else if (ngx_strcmp(value[4].data, "null") != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid value \"%V\" in \"embed\" of view "
                               "\"%V\": \"null\" or \"omit\"", &value[4],
                               &view->name);
            return NGX_CONF_ERROR;
        }
    }

    view->nembeds++;

    for (i = 0; i < n; i++) {
        view->hash = ngx_http_profile_hash64(value[i].data, value[i].len,
                                             view->hash);
        view->hash = ngx_http_profile_hash64((u_char *) " ", 1, view->hash);
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_profile_view_flag(ngx_conf_t *cf, ngx_str_t *value,
    ngx_flag_t *flag)
{
    ngx_str_t  *name;

    name = cf->args->elts;

    if (*flag != NGX_CONF_UNSET) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\" is duplicate",
                           &name[0]);
        return NGX_CONF_ERROR;
    }

    if (ngx_strcmp(value->data, "on") == 0) {
        *flag = 1;

    } else if (ngx_strcmp(value->data, "off") == 0) {
        *flag = 0;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\", "
                           "it must be \"on\" or \"off\"", value, &name[0]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * A view name (dots 0: [A-Za-z0-9_-], 1 to 64 bytes; also a field name,
 * whose grammar [A-Za-z0-9_] the snapshot enforces) or an output path
 * (dots 1: such names joined by ".", at most NGX_HTTP_PROFILE_PLAN_DEPTH
 * of them).
 */

ngx_int_t
ngx_http_profile_view_name_valid(ngx_str_t *name, ngx_uint_t dots)
{
    u_char      c;
    ngx_uint_t  i, seg, nseg;

    if (name->len == 0) {
        return NGX_ERROR;
    }

    seg = 0;
    nseg = 1;

    for (i = 0; i < name->len; i++) {
        c = name->data[i];

        if (c == '.' && dots) {
            if (seg == 0 || ++nseg > NGX_HTTP_PROFILE_PLAN_DEPTH) {
                return NGX_ERROR;
            }

            seg = 0;
            continue;
        }

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_' || c == '-'))
        {
            return NGX_ERROR;
        }

        if (++seg > NGX_HTTP_PROFILE_VIEW_KEY_MAX) {
            return NGX_ERROR;
        }
    }

    return (seg == 0) ? NGX_ERROR : NGX_OK;
}


static ngx_uint_t
ngx_http_profile_view_dots(ngx_str_t *name)
{
    ngx_uint_t  i, n;

    n = 0;

    for (i = 0; i < name->len; i++) {
        n += (name->data[i] == '.');
    }

    return n;
}


/* profile_views NAME ...; */

char *
ngx_http_profile_views(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_views_conf_t *vc = (ngx_http_profile_views_conf_t *)
                                         ((char *) conf + cmd->offset);

    ngx_str_t   *value, *name;
    ngx_uint_t   i, j;

    if (vc->names != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts - 1 > NGX_HTTP_PROFILE_VIEWS_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "more than %d views in \"%V\"",
                           NGX_HTTP_PROFILE_VIEWS_MAX, &cmd->name);
        return NGX_CONF_ERROR;
    }

    vc->file = cf->conf_file->file.name.data;
    vc->line = cf->conf_file->line;

    vc->names = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                 sizeof(ngx_str_t));
    if (vc->names == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < cf->args->nelts; i++) {
        for (j = 1; j < i; j++) {
            if (value[j].len == value[i].len
                && ngx_strncmp(value[j].data, value[i].data, value[i].len)
                   == 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "view \"%V\" is given twice in \"%V\"",
                                   &value[i], &cmd->name);
                return NGX_CONF_ERROR;
            }
        }

        name = ngx_array_push(vc->names);
        if (name == NULL) {
            return NGX_CONF_ERROR;
        }

        *name = value[i];
    }

    return NGX_CONF_OK;
}


/* profile_view_select VALUE; */

char *
ngx_http_profile_view_select(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_views_conf_t *vc = (ngx_http_profile_views_conf_t *)
                                         ((char *) conf + cmd->offset);

    ngx_str_t  *value;

    if (vc->select.cv != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_http_profile_value_compile(cf, &value[1], &vc->select)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    vc->select_text = value[1];

    return NGX_CONF_OK;
}


/* profile_fields_arg NAME | off; */

char *
ngx_http_profile_fields_arg(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_views_conf_t *vc = (ngx_http_profile_views_conf_t *)
                                         ((char *) conf + cmd->offset);

    ngx_str_t  *value;

    if (vc->fields_arg.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        vc->fields_arg.len = 0;
        vc->fields_arg.data = (u_char *) "";
        return NGX_CONF_OK;
    }

    if (ngx_http_profile_view_name_valid(&value[1], 0) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid argument name \"%V\" in \"%V\": "
                           "[A-Za-z0-9_-], or \"off\"", &value[1],
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    vc->fields_arg = value[1];

    return NGX_CONF_OK;
}


char *
ngx_http_profile_views_check(ngx_conf_t *cf, ngx_array_t *views)
{
    ngx_uint_t                      i, j, k;
    ngx_http_profile_view_t       **v, *t;
    ngx_http_profile_view_field_t  *f;

    v = views->elts;

    for (i = 0; i < views->nelts; i++) {

        if (v[i]->source.len) {
            if (v[i]->envelope) {
                ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                              "view \"%V\" in %s:%ui renders source \"%V\" "
                              "and cannot have an envelope",
                              &v[i]->name, v[i]->file, v[i]->line,
                              &v[i]->source);
                return NGX_CONF_ERROR;
            }

            if (v[i]->nembeds) {
                ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                              "view \"%V\" in %s:%ui renders source \"%V\" "
                              "and cannot embed", &v[i]->name, v[i]->file,
                              v[i]->line, &v[i]->source);
                return NGX_CONF_ERROR;
            }
        }

        f = v[i]->fields.elts;

        for (j = 0; j < v[i]->fields.nelts; j++) {
            if (f[j].embed.len == 0) {
                continue;
            }

            t = NULL;

            for (k = 0; k < views->nelts; k++) {
                if (v[k]->name.len == f[j].embed.len
                    && ngx_strncmp(v[k]->name.data, f[j].embed.data,
                                   f[j].embed.len)
                       == 0)
                {
                    t = v[k];
                    break;
                }
            }

            if (t == NULL || t->source.len == 0) {
                ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                              "view \"%V\" in %s:%ui embeds view \"%V\", "
                              "which %s", &v[i]->name, v[i]->file, f[j].line,
                              &f[j].embed,
                              t == NULL ? "is not declared"
                                        : "has no \"source\" line (an "
                                          "embedded view renders an "
                                          "embeddable source)");
                return NGX_CONF_ERROR;
            }
        }
    }

    return NGX_CONF_OK;
}


void
ngx_http_profile_views_init(ngx_http_profile_views_conf_t *vc)
{
    vc->names = NULL;
    vc->file = NULL;
    vc->line = 0;
    vc->offered = NULL;
    vc->offers = NULL;
    vc->noffered = 0;
    vc->select.cv = NULL;
    vc->select.index = NGX_ERROR;
    ngx_str_null(&vc->select_text);
    ngx_str_null(&vc->fields_arg);
    vc->fields_max = NGX_CONF_UNSET_UINT;
    ngx_str_null(&vc->not_acceptable);
}


char *
ngx_http_profile_views_merge(ngx_conf_t *cf,
    ngx_http_profile_views_conf_t *prev, ngx_http_profile_views_conf_t *vc,
    ngx_uint_t enable)
{
    u_char                        *p;
    size_t                         len;
    ngx_str_t                     *name;
    ngx_uint_t                     i, j, nviews;
    ngx_http_profile_view_t      **views;
    ngx_http_profile_main_conf_t  *pmcf;

    if (vc->names == NULL) {
        vc->names = prev->names;
        vc->file = prev->file;
        vc->line = prev->line;
    }

    if (vc->select.cv == NULL) {
        vc->select = prev->select;
        vc->select_text = prev->select_text;
    }

    if (vc->fields_arg.data == NULL) {
        vc->fields_arg = prev->fields_arg;
    }

    if (vc->fields_arg.data == NULL) {
        ngx_str_set(&vc->fields_arg, "fields");
    }

    ngx_conf_merge_uint_value(vc->fields_max, prev->fields_max,
                              NGX_HTTP_PROFILE_FIELDS_MAX);

    if (!enable || vc->names == NULL) {
        return NGX_CONF_OK;
    }

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_profile_module);

    views = pmcf->views ? pmcf->views->elts : NULL;
    nviews = pmcf->views ? pmcf->views->nelts : 0;

    vc->noffered = vc->names->nelts;
    vc->offered = ngx_palloc(cf->pool,
                             vc->noffered * sizeof(ngx_http_profile_view_t *));
    vc->offers = ngx_palloc(cf->pool,
                            vc->noffered * sizeof(ngx_http_profile_offer_t));
    if (vc->offered == NULL || vc->offers == NULL) {
        return NGX_CONF_ERROR;
    }

    name = vc->names->elts;
    len = sizeof("{\"type\":\"" NGX_HTTP_PROFILE_PROBLEM_PREFIX
                 "not-acceptable\",\"title\":\"No acceptable view\","
                 "\"status\":406,\"detail\":\"No view of this location "
                 "is acceptable.\",\"views\":[]}") - 1;

    for (i = 0; i < vc->noffered; i++) {
        for (j = 0; j < nviews; j++) {
            if (views[j]->name.len == name[i].len
                && ngx_strncmp(views[j]->name.data, name[i].data,
                               name[i].len)
                   == 0)
            {
                break;
            }
        }

        if (j == nviews) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "unknown view \"%V\" in \"profile_views\" in "
                          "%s:%ui: no \"profile_view %V\" block is declared",
                          &name[i], vc->file, vc->line, &name[i]);
            return NGX_CONF_ERROR;
        }

        if (views[j]->source.len) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "view \"%V\" in \"profile_views\" in %s:%ui "
                          "renders source \"%V\": it can only be embedded",
                          &name[i], vc->file, vc->line, &views[j]->source);
            return NGX_CONF_ERROR;
        }

        vc->offered[i] = views[j];
        vc->offers[i].subtype = views[j]->subtype.data;
        vc->offers[i].len = views[j]->subtype.len;
        len += name[i].len + sizeof("\"\",") - 1;
    }

    /* the 406 problem: a constant of the location */

    p = ngx_pnalloc(cf->pool, len);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    vc->not_acceptable.data = p;

    p = ngx_cpymem(p, "{\"type\":\"" NGX_HTTP_PROFILE_PROBLEM_PREFIX
                   "not-acceptable\",\"title\":\"No acceptable view\","
                   "\"status\":406,\"detail\":\"No view of this location "
                   "is acceptable.\",\"views\":[",
                   sizeof("{\"type\":\"" NGX_HTTP_PROFILE_PROBLEM_PREFIX
                          "not-acceptable\",\"title\":\"No acceptable "
                          "view\",\"status\":406,\"detail\":\"No view of "
                          "this location is acceptable.\",\"views\":[")
                   - 1);

    for (i = 0; i < vc->noffered; i++) {
        if (i) {
            *p++ = ',';
        }

        *p++ = '"';
        p = ngx_cpymem(p, name[i].data, name[i].len);
        *p++ = '"';
    }

    *p++ = ']';
    *p++ = '}';

    vc->not_acceptable.len = p - vc->not_acceptable.data;

    return NGX_CONF_OK;
}


ngx_http_profile_plan_t *
ngx_http_profile_view_plans(ngx_array_t *views,
    const ngx_http_profile_meta_t *meta, const u_char *snapshot_id,
    size_t snapshot_id_len, ngx_pool_t *pool, u_char *err, size_t errlen)
{
    ngx_int_t                        field, member, rc;
    ngx_uint_t                       i, j, k, named;
    ngx_str_t                        name;
    ngx_http_profile_view_t        **v;
    ngx_http_profile_plan_t         *plans;
    ngx_http_profile_view_field_t   *f;
    ngx_http_profile_view_build_t    b;

    v = views->elts;

    plans = ngx_pcalloc(pool, views->nelts * sizeof(ngx_http_profile_plan_t));
    if (plans == NULL) {
        goto nomem;
    }

    b.meta = meta;
    b.pool = pool;
    b.err = err;
    b.last = err + errlen - 1;

    b.plans = plans;
    b.views = views;

    /* each source's fields' classes, for its hidden fields as null */

    for (k = 0; k < meta->nsources; k++) {
        b.src_cls[k] = ngx_palloc(pool, meta->sources[k].nfields + 1);
        if (b.src_cls[k] == NULL) {
            goto nomem;
        }

        for (j = 0; j < meta->sources[k].nfields; j++) {
            b.src_cls[k][j] = meta->sources[k].fields[j].cls;
        }
    }

    for (i = 0; i < views->nelts; i++) {
        b.view = v[i];
        b.embed = -1;
        b.embeds = NULL;
        b.nembeds = 0;

        if (ngx_http_profile_view_records(&b) != NGX_OK) {
            return NULL;
        }

        if (ngx_array_init(&b.nodes, pool, 16,
                           sizeof(ngx_http_profile_view_node_t))
            != NGX_OK)
        {
            goto nomem;
        }

        /* the root */

        if (ngx_http_profile_view_add(&b, NULL, NULL, -1, -1, 0) != NGX_OK) {
            goto nomem;
        }

        f = v[i]->fields.elts;

        for (j = 0; j < v[i]->fields.nelts; j++) {

            if (!(f[j].source.len == 1 && f[j].source.data[0] == '*')) {
                if (ngx_http_profile_view_source(&b, &f[j], &field,
                                                 &member)
                    != NGX_OK)
                {
                    return NULL;
                }

                if (f[j].embed.len
                    && ngx_http_profile_view_embed(&b, &f[j], field)
                       != NGX_OK)
                {
                    return NULL;
                }

                rc = ngx_http_profile_view_add(&b, &f[j].source,
                                               f[j].output.len
                                               ? &f[j].output
                                               : &f[j].source,
                                               field, member, f[j].line);
                b.embed = -1;

                if (rc != NGX_OK) {
                    return NULL;
                }

                continue;
            }

            /* "*": every field the view does not name elsewhere */

            for (k = 0; k < b.nfields; k++) {
                name.data = (u_char *) b.fields[k].name;
                name.len = b.fields[k].name_len;

                named = 0;

                for (field = 0; field < (ngx_int_t) v[i]->fields.nelts;
                     field++)
                {
                    if (f[field].source.len == name.len
                        && f[field].embed.len == 0
                        && ngx_strncmp(f[field].source.data, name.data,
                                       name.len)
                           == 0)
                    {
                        named = 1;
                        break;
                    }
                }

                if (named) {
                    continue;
                }

                if (ngx_http_profile_view_add(&b, &name, &name, k, -1,
                                              f[j].line)
                    != NGX_OK)
                {
                    return NULL;
                }
            }
        }

        if (ngx_http_profile_view_plan(&b, &plans[i], snapshot_id,
                                       snapshot_id_len)
            != NGX_OK)
        {
            return NULL;
        }
    }

    return plans;

nomem:

    *ngx_slprintf(err, err + errlen - 1, ": out of memory") = '\0';

    return NULL;
}


static ngx_int_t
ngx_http_profile_view_field_id(ngx_http_profile_view_build_t *b,
    ngx_str_t *name)
{
    ngx_uint_t  k;

    for (k = 0; k < b->nfields; k++) {
        if (b->fields[k].name_len == name->len
            && ngx_memcmp(b->fields[k].name, name->data, name->len) == 0)
        {
            return k;
        }
    }

    return -1;
}


/*
 * What the records of b's view hold: the profiles' fields and members,
 * or those of the embeddable source its "source" line names (and the
 * source's default classes, for hidden fields as null).
 */

static ngx_int_t
ngx_http_profile_view_records(ngx_http_profile_view_build_t *b)
{
    ngx_uint_t                             k;
    const ngx_http_profile_meta_source_t  *src;

    b->source = -1;
    b->default_cls = NULL;

    if (b->view->source.len == 0) {
        b->fields = b->meta->fields;
        b->nfields = b->meta->nfields;
        b->members = b->meta->members;
        b->nmembers = b->meta->nmembers;
        return NGX_OK;
    }

    for (k = 0; k < b->meta->nsources; k++) {
        src = &b->meta->sources[k];

        if (src->name_len == b->view->source.len
            && ngx_memcmp(src->name, b->view->source.data, src->name_len)
               == 0)
        {
            b->source = k;
            b->fields = src->fields;
            b->nfields = src->nfields;
            b->members = src->members;
            b->nmembers = src->nmembers;
            b->default_cls = b->src_cls[k];

            return NGX_OK;
        }
    }

    *ngx_slprintf(b->err, b->last, ": view \"%V\" (%s:%ui) renders source "
                  "\"%V\", which the snapshot does not have (an embeddable "
                  "source of the schema, built with --source %V=FILE)",
                  &b->view->name, b->view->file, b->view->line,
                  &b->view->source, &b->view->source)
        = '\0';

    return NGX_DECLINED;
}


/*
 * An "embed" line: its view (one of an embeddable source, resolved in
 * its own turn into b->plans), and its key field (a string or an
 * integer, which holds keys); b->embed names it for the leaf.
 */

static ngx_int_t
ngx_http_profile_view_embed(ngx_http_profile_view_build_t *b,
    ngx_http_profile_view_field_t *f, ngx_int_t field)
{
    ngx_uint_t                        k, n;
    ngx_http_profile_view_t         **v, *target;
    ngx_http_profile_plan_embed_t    *em;

    v = b->views->elts;
    target = NULL;

    for (k = 0; k < b->views->nelts; k++) {
        if (v[k]->name.len == f->embed.len
            && ngx_strncmp(v[k]->name.data, f->embed.data, f->embed.len)
               == 0)
        {
            target = v[k];
            break;
        }
    }

    /* checked at configuration time: a declared view of a source */

    if (target == NULL || target->source.len == 0) {
        return NGX_ERROR;
    }

    if (b->fields[field].type != NGX_HTTP_PROFILE_TYPE_STRING
        && b->fields[field].type != NGX_HTTP_PROFILE_TYPE_INTEGER)
    {
        *ngx_slprintf(b->err, b->last, ": view \"%V\" (%s:%ui) embeds by "
                      "field \"%V\", which is neither a string nor an "
                      "integer", &b->view->name, b->view->file, f->line,
                      &f->source)
            = '\0';
        return NGX_DECLINED;
    }

    for (n = 0; n < b->meta->nsources; n++) {
        if (b->meta->sources[n].name_len == target->source.len
            && ngx_memcmp(b->meta->sources[n].name, target->source.data,
                          target->source.len)
               == 0)
        {
            break;
        }
    }

    if (n == b->meta->nsources) {
        *ngx_slprintf(b->err, b->last, ": view \"%V\" (%s:%ui) embeds view "
                      "\"%V\" of source \"%V\", which the snapshot does "
                      "not have", &b->view->name, b->view->file, f->line,
                      &target->name, &target->source)
            = '\0';
        return NGX_DECLINED;
    }

    if (b->embeds == NULL) {
        b->embeds = ngx_pcalloc(b->pool, NGX_HTTP_PROFILE_PLAN_EMBEDS
                                * sizeof(ngx_http_profile_plan_embed_t));
        if (b->embeds == NULL) {
            *ngx_slprintf(b->err, b->last, ": out of memory") = '\0';
            return NGX_ERROR;
        }
    }

    em = &b->embeds[b->nembeds];
    em->plan = &b->plans[target->index];
    em->field_id = field;
    em->name_len = b->fields[field].name_len;
    em->source = n;
    em->nfields = b->meta->sources[n].nfields;
    em->nclasses = b->meta->nclasses;
    em->missing_null = f->missing_null;

    em->default_cls = b->src_cls[n];

    b->embed = b->nembeds++;

    return NGX_OK;
}


/*
 * The field (and member, or -1) a "field" line's source names in the
 * snapshot of b: NGX_OK, or NGX_DECLINED with the reason in b->err.
 */

static ngx_int_t
ngx_http_profile_view_source(ngx_http_profile_view_build_t *b,
    ngx_http_profile_view_field_t *f, ngx_int_t *field, ngx_int_t *member)
{
    u_char                            *dot;
    ngx_str_t                          parent, name;
    ngx_uint_t                         m;
    const ngx_http_profile_member_t   *mb;

    *member = -1;

    dot = ngx_strlchr(f->source.data, f->source.data + f->source.len, '.');

    parent.data = f->source.data;
    parent.len = dot ? (size_t) (dot - f->source.data) : f->source.len;

    *field = ngx_http_profile_view_field_id(b, &parent);

    if (*field < 0) {
        *ngx_slprintf(b->err, b->last, ": view \"%V\" (%s:%ui) names "
                      "field \"%V\", which %s does not have",
                      &b->view->name, b->view->file, f->line, &parent,
                      b->source < 0 ? "the snapshot's schema"
                                    : "its source")
            = '\0';
        return NGX_DECLINED;
    }

    if (dot == NULL) {
        return NGX_OK;
    }

    name.data = dot + 1;
    name.len = f->source.data + f->source.len - name.data;

    for (m = 0; m < b->nmembers; m++) {
        mb = &b->members[m];

        if (mb->parent == (uint16_t) *field && mb->name_len == name.len
            && ngx_memcmp(mb->name, name.data, name.len) == 0)
        {
            *member = m;
            return NGX_OK;
        }
    }

    *ngx_slprintf(b->err, b->last, ": view \"%V\" (%s:%ui) names member "
                  "\"%V\" of field \"%V\", which %s",
                  &b->view->name, b->view->file, f->line, &name, &parent,
                  b->source < 0 ? "the snapshot's schema does not declare "
                                  "(an object field's \"fields\")"
                                : "its source does not declare (an object "
                                  "field's \"fields\")")
        = '\0';

    return NGX_DECLINED;
}


/*
 * Put the leaf of field (source, at output path output) in the output
 * tree; with output NULL, make the root.  A path given twice, or one
 * that is both a value and an object, is refused (NGX_DECLINED, the
 * reason in b->err); NGX_ERROR when memory fails (also in b->err).
 */

static ngx_int_t
ngx_http_profile_view_add(ngx_http_profile_view_build_t *b,
    ngx_str_t *source, ngx_str_t *output, ngx_int_t field, ngx_int_t member,
    ngx_uint_t line)
{
    u_char                        *p, *end, *q;
    ngx_int_t                      cur, child, n;
    ngx_str_t                      seg;
    ngx_http_profile_view_node_t  *node, *nodes;

    if (output == NULL) {
        node = ngx_array_push(&b->nodes);
        if (node == NULL) {
            return NGX_ERROR;
        }

        ngx_str_null(&node->seg);
        node->first = -1;
        node->last = -1;
        node->next = -1;
        node->field = -1;
        node->member = -1;
        node->embed = -1;
        ngx_str_null(&node->source);

        return NGX_OK;
    }

    cur = 0;
    p = output->data;
    end = output->data + output->len;

    while (p < end) {
        q = ngx_strlchr(p, end, '.');
        if (q == NULL) {
            q = end;
        }

        seg.data = p;
        seg.len = q - p;
        p = (q < end) ? q + 1 : end;

        nodes = b->nodes.elts;

        if (nodes[cur].field >= 0) {
            goto conflict;
        }

        for (child = nodes[cur].first; child >= 0; child = nodes[child].next)
        {
            if (nodes[child].seg.len == seg.len
                && ngx_strncmp(nodes[child].seg.data, seg.data, seg.len)
                   == 0)
            {
                break;
            }
        }

        if (child >= 0) {
            if (p == end || nodes[child].field >= 0) {
                goto conflict;
            }

            cur = child;
            continue;
        }

        node = ngx_array_push(&b->nodes);
        if (node == NULL) {
            *ngx_slprintf(b->err, b->last, ": out of memory") = '\0';
            return NGX_ERROR;
        }

        nodes = b->nodes.elts;
        n = b->nodes.nelts - 1;

        node->seg = seg;
        node->first = -1;
        node->last = -1;
        node->next = -1;
        node->field = (p == end) ? field : -1;
        node->member = (p == end) ? member : -1;
        node->embed = (p == end) ? b->embed : -1;
        node->source = *source;

        if (nodes[cur].last >= 0) {
            nodes[nodes[cur].last].next = n;

        } else {
            nodes[cur].first = n;
        }

        nodes[cur].last = n;
        cur = n;
    }

    return NGX_OK;

conflict:

    *ngx_slprintf(b->err, b->last, ": view \"%V\" (%s:%ui) writes field "
                  "\"%V\" as \"%V\", where another field of the view is "
                  "written", &b->view->name, b->view->file, line, source,
                  output)
        = '\0';

    return NGX_DECLINED;
}


/* the plan of the view whose output tree b holds */

static ngx_int_t
ngx_http_profile_view_plan(ngx_http_profile_view_build_t *b,
    ngx_http_profile_plan_t *plan, const u_char *snapshot_id,
    size_t snapshot_id_len)
{
    u_char                            *p;
    size_t                             fixed;
    ngx_uint_t                         i, nops, reads, *count;
    ngx_int_t                          child, top;
    ngx_http_profile_view_node_t      *nodes;
    ngx_http_profile_plan_op_t        *op;

    /* at most one VALUE or an OPEN and a CLOSE per node */

    b->ops = ngx_pcalloc(b->pool, 2 * b->nodes.nelts
                                  * sizeof(ngx_http_profile_plan_op_t));
    if (b->ops == NULL) {
        goto nomem;
    }

    b->nops = 0;
    b->trailer = 0;
    nodes = b->nodes.elts;
    top = 0;

    for (child = nodes[0].first; child >= 0; child = nodes[child].next) {
        if (ngx_http_profile_view_flatten(b, child, top, 1) != NGX_OK) {
            goto nomem;
        }

        top++;
    }

    if (top > NGX_HTTP_PROFILE_PLAN_KEYS) {
        *ngx_slprintf(b->err, b->last, ": view \"%V\" (%s:%ui) has more "
                      "than %d top-level names", &b->view->name,
                      b->view->file, b->view->line,
                      NGX_HTTP_PROFILE_PLAN_KEYS)
            = '\0';
        return NGX_DECLINED;
    }

    nops = b->nops;

    /* the most steps that read the same field, for the room needed */

    count = ngx_pcalloc(b->pool, (b->nfields + 1) * sizeof(ngx_uint_t));
    if (count == NULL) {
        goto nomem;
    }

    fixed = 2;
    reads = 1;

    for (i = 0; i < nops; i++) {
        op = &b->ops[i];

        switch (op->op) {

        case NGX_HTTP_PROFILE_OP_VALUE:
            /* a ",", the key, quotes or a null instead of the value */
            fixed += 1 + op->key_len + 4;

            if (++count[op->field_id] > reads) {
                reads = count[op->field_id];
            }

            break;

        case NGX_HTTP_PROFILE_OP_EMBED:
            /* the embedded object is sized by its own plan */
            fixed += 1 + op->key_len + 4;
            break;

        case NGX_HTTP_PROFILE_OP_OPEN:
            fixed += 1 + op->key_len + 1;
            break;

        default: /* NGX_HTTP_PROFILE_OP_CLOSE: "}" or "{}" */
            fixed += 2;
            break;
        }
    }

    plan->ops = b->ops;
    plan->nops = nops;
    plan->fixed = fixed;
    plan->reads = reads;
    plan->omit_empty = b->view->omit_empty ? 1 : 0;
    plan->trailer = b->trailer ? 1 : 0;
    plan->embeds = b->embeds;
    plan->nembeds = b->nembeds;

    if (ngx_http_profile_view_keys(b, plan) != NGX_OK) {
        goto nomem;
    }

    /* the envelope: the snapshot id and the view name need no escaping */

    if (b->view->envelope) {
        plan->head = (const unsigned char *) "{\"data\":";
        plan->head_len = sizeof("{\"data\":") - 1;

        p = ngx_pnalloc(b->pool, sizeof(",\"meta\":{\"snapshot\":\"\","
                                        "\"view\":\"\"}}") - 1
                                 + snapshot_id_len + b->view->name.len);
        if (p == NULL) {
            goto nomem;
        }

        plan->tail = p;
        p = ngx_sprintf(p, ",\"meta\":{\"snapshot\":\"%*s\",\"view\":\"%V\"}}",
                        snapshot_id_len, snapshot_id, &b->view->name);
        plan->tail_len = p - plan->tail;

    } else {
        plan->head = (const unsigned char *) "";
        plan->head_len = 0;
        plan->tail = (const unsigned char *) "";
        plan->tail_len = 0;
    }

    plan->tail_hash = ngx_http_profile_hash64(plan->tail, plan->tail_len, 0);

    return NGX_OK;

nomem:

    *ngx_slprintf(b->err, b->last, ": out of memory") = '\0';

    return NGX_ERROR;
}


/* the steps of node (a leaf, or an object and its children) */

static ngx_int_t
ngx_http_profile_view_flatten(ngx_http_profile_view_build_t *b,
    ngx_int_t node, ngx_uint_t top, ngx_uint_t depth)
{
    u_char                          *p;
    ngx_int_t                        child;
    ngx_uint_t                       type;
    ngx_http_profile_plan_op_t      *op;
    ngx_http_profile_view_node_t    *n;
    const ngx_http_profile_field_t  *field;

    n = (ngx_http_profile_view_node_t *) b->nodes.elts + node;
    op = &b->ops[b->nops++];

    p = ngx_pnalloc(b->pool, n->seg.len + 3);
    if (p == NULL) {
        return NGX_ERROR;
    }

    op->key = p;
    *p++ = '"';
    p = ngx_cpymem(p, n->seg.data, n->seg.len);
    *p++ = '"';
    *p++ = ':';
    op->key_len = (uint16_t) (n->seg.len + 3);
    op->top = (uint16_t) top;

    if (n->field >= 0) {
        field = &b->fields[n->field];

        op->op = NGX_HTTP_PROFILE_OP_VALUE;
        op->field_id = (uint16_t) n->field;
        op->name_len = field->name_len;
        op->member = NGX_HTTP_PROFILE_NO_MEMBER;
        op->value = NGX_HTTP_PROFILE_VALUE_COPY;
        type = field->type;

        if (n->embed >= 0) {
            op->op = NGX_HTTP_PROFILE_OP_EMBED;
            op->member = (uint16_t) n->embed;
            return NGX_OK;
        }

        if (n->member >= 0) {
            op->member = (uint16_t) n->member;
            type = b->members[n->member].type;
            b->trailer = 1;
        }

        if (b->view->integers == NGX_HTTP_PROFILE_INTEGERS_STRING
            && type == NGX_HTTP_PROFILE_TYPE_INTEGER)
        {
            op->value = NGX_HTTP_PROFILE_VALUE_QUOTE;

        } else if (b->view->timestamps == NGX_HTTP_PROFILE_TIMESTAMPS_EPOCH
                   && type == NGX_HTTP_PROFILE_TYPE_TIMESTAMP)
        {
            op->value = NGX_HTTP_PROFILE_VALUE_EPOCH;
            b->trailer = 1;

        } else {
            op->value = NGX_HTTP_PROFILE_VALUE_COPY;
        }

        return NGX_OK;
    }

    op->op = NGX_HTTP_PROFILE_OP_OPEN;

    for (child = n->first; child >= 0;
         child = ((ngx_http_profile_view_node_t *) b->nodes.elts)[child].next)
    {
        if (ngx_http_profile_view_flatten(b, child, top, depth + 1)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    op = &b->ops[b->nops++];
    op->op = NGX_HTTP_PROFILE_OP_CLOSE;
    op->top = (uint16_t) top;

    return NGX_OK;
}


/* the top-level names, sorted for ngx_http_profile_plan_key() */

static ngx_int_t
ngx_http_profile_view_keys(ngx_http_profile_view_build_t *b,
    ngx_http_profile_plan_t *plan)
{
    ngx_int_t                      child;
    ngx_uint_t                     n;
    ngx_http_profile_plan_key_t   *keys;
    ngx_http_profile_view_node_t  *nodes;

    nodes = b->nodes.elts;
    n = 0;

    for (child = nodes[0].first; child >= 0; child = nodes[child].next) {
        n++;
    }

    keys = ngx_palloc(b->pool, (n + 1) * sizeof(ngx_http_profile_plan_key_t));
    if (keys == NULL) {
        return NGX_ERROR;
    }

    n = 0;

    for (child = nodes[0].first; child >= 0; child = nodes[child].next) {
        keys[n].name = nodes[child].seg.data;
        keys[n].len = (uint16_t) nodes[child].seg.len;
        keys[n].top = (uint16_t) n;
        n++;
    }

    ngx_qsort(keys, n, sizeof(ngx_http_profile_plan_key_t),
              ngx_http_profile_view_key_cmp);

    plan->keys = keys;
    plan->nkeys = n;

    return NGX_OK;
}


static int
ngx_http_profile_view_key_cmp(const void *a, const void *b)
{
    int                                 c;
    size_t                              n;
    const ngx_http_profile_plan_key_t  *x, *y;

    x = a;
    y = b;

    n = (x->len < y->len) ? x->len : y->len;
    c = ngx_memcmp(x->name, y->name, n);

    if (c != 0) {
        return c;
    }

    return (int) x->len - (int) y->len;
}


ngx_int_t
ngx_http_profile_view_choose(ngx_http_request_t *r,
    ngx_http_profile_views_conf_t *vc, ngx_http_profile_view_choice_t *choice)
{
    int          i;
    ngx_str_t    name, accept;
    ngx_uint_t   k;

    choice->view = NULL;
    choice->has_fields = 0;
    ngx_str_null(&choice->fields);

    if (vc->select.cv != NULL) {
        if (ngx_http_profile_value(r, &vc->select, &name) != NGX_OK) {
            return NGX_ERROR;
        }

        if (name.len == 0) {
            choice->view = vc->offered[0];

        } else {
            for (k = 0; k < vc->noffered; k++) {
                if (vc->offered[k]->name.len == name.len
                    && ngx_strncmp(vc->offered[k]->name.data, name.data,
                                   name.len)
                       == 0)
                {
                    choice->view = vc->offered[k];
                    break;
                }
            }

            if (choice->view == NULL) {
                return NGX_DECLINED;
            }
        }

    } else {
        if (ngx_http_profile_view_accept(r, &accept) != NGX_OK) {
            return NGX_ERROR;
        }

        i = ngx_http_profile_accept_choose(accept.data, accept.len,
                                           vc->offers, vc->noffered, 0);

        if (i < 0) {
            return NGX_DECLINED;
        }

        choice->view = vc->offered[i];
    }

    if (vc->fields_arg.len) {

        /* %2C and the like: decoded as nginx decodes a URI */

        if (ngx_http_profile_value_arg(r, vc->fields_arg.data,
                                       vc->fields_arg.len, &choice->fields)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        /* an empty list is the whole view, as no list is */

        choice->has_fields = (choice->fields.len != 0);
    }

    return NGX_OK;
}


/*
 * The request's Accept: its one header line, or its lines joined by ","
 * (RFC 9110 5.3), in r->pool; empty without one.
 */

static ngx_int_t
ngx_http_profile_view_accept(ngx_http_request_t *r, ngx_str_t *accept)
{
    u_char           *p;
    size_t            len;
    ngx_uint_t        i, n;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h, *first;

    n = 0;
    len = 0;
    first = NULL;

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].key.len == sizeof("Accept") - 1
                && ngx_strncasecmp(h[i].key.data, (u_char *) "Accept",
                                   sizeof("Accept") - 1)
                   == 0)
            {
                if (first == NULL) {
                    first = &h[i];
                }

                len += h[i].value.len + 1;
                n++;
            }
        }
    }

    if (n == 0) {
        ngx_str_null(accept);
        return NGX_OK;
    }

    if (n == 1) {
        *accept = first->value;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    accept->data = p;

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].key.len == sizeof("Accept") - 1
                && ngx_strncasecmp(h[i].key.data, (u_char *) "Accept",
                                   sizeof("Accept") - 1)
                   == 0)
            {
                if (p != accept->data) {
                    *p++ = ',';
                }

                p = ngx_cpymem(p, h[i].value.data, h[i].value.len);
            }
        }
    }

    accept->len = p - accept->data;

    return NGX_OK;
}


ngx_int_t
ngx_http_profile_view_fields(ngx_http_request_t *r,
    ngx_http_profile_views_conf_t *vc, const ngx_http_profile_plan_t *plan,
    ngx_str_t *value, ngx_http_profile_select_t **sel, ngx_str_t *problem)
{
    size_t                      nlen;
    ngx_str_t                   name;
    const u_char               *n;
    ngx_http_profile_select_t  *set;

    *sel = NULL;

    set = ngx_palloc(r->pool, sizeof(ngx_http_profile_select_t));
    if (set == NULL) {
        return NGX_ERROR;
    }

    switch (ngx_http_profile_plan_select(plan, value->data, value->len,
                                         vc->fields_max, set, &n, &nlen))
    {

    case NGX_HTTP_PROFILE_SELECT_ALL:
        return NGX_OK;

    case NGX_HTTP_PROFILE_SELECT_SET:
        *sel = set;
        return NGX_OK;

    case NGX_HTTP_PROFILE_SELECT_UNKNOWN:

        /* the name passed the grammar: it needs no escaping */

        name.data = (u_char *) n;
        name.len = nlen;

        problem->data = ngx_pnalloc(r->pool, 256 + 2 * name.len);
        if (problem->data == NULL) {
            return NGX_ERROR;
        }

        problem->len = ngx_sprintf(problem->data, "{\"type\":\""
                                   NGX_HTTP_PROFILE_PROBLEM_PREFIX
                                   "unknown-field\",\"title\":\"Unknown "
                                   "field\",\"status\":400,\"detail\":"
                                   "\"This view has no field \\\"%V\\\".\","
                                   "\"field\":\"%V\"}", &name, &name)
                       - problem->data;
        return NGX_DECLINED;

    case NGX_HTTP_PROFILE_SELECT_TOO_MANY:
        problem->data = ngx_pnalloc(r->pool, 256);
        if (problem->data == NULL) {
            return NGX_ERROR;
        }

        problem->len = ngx_sprintf(problem->data, "{\"type\":\""
                                   NGX_HTTP_PROFILE_PROBLEM_PREFIX
                                   "too-many-fields\",\"title\":"
                                   "\"Too many fields\",\"status\":"
                                   "400,\"detail\":\"At most %ui "
                                   "fields may be asked for.\"}",
                                   vc->fields_max)
                       - problem->data;
        return NGX_DECLINED;

    default: /* NGX_HTTP_PROFILE_SELECT_BAD */
        ngx_str_set(problem, "{\"type\":\""
                    NGX_HTTP_PROFILE_PROBLEM_PREFIX "invalid-fields\","
                    "\"title\":\"Invalid field list\",\"status\":400,"
                    "\"detail\":\"A field name holds a byte outside "
                    "[A-Za-z0-9_-] or is longer than 64 bytes.\"}");
        return NGX_DECLINED;
    }
}
