
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Caching headers.  A view that depends on the viewer must never be
 * stored by a cache and served to someone else; an answer about the
 * worker's state (503, 500) must not outlive it.  The ETag and 304 of
 * later versions belong here too.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_etag.h"
#include "ngx_http_profile_cache.h"


static u_char *ngx_http_profile_cache_etag_text(u_char *p, uint64_t etag);
static time_t ngx_http_profile_cache_time(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_str_t *v);


static ngx_str_t  ngx_http_profile_cache_control =
    ngx_string("Cache-Control");
static ngx_str_t  ngx_http_profile_no_store = ngx_string("no-store");
static ngx_str_t  ngx_http_profile_vary = ngx_string("Vary");
static ngx_str_t  ngx_http_profile_etag = ngx_string("ETag");


/*
 * The version of the JSON the module writes from a record: bumped when
 * the same record and decision would give other bytes (an encoding
 * change), so that no cache keeps a body under a validator it no
 * longer matches.
 */
#define NGX_HTTP_PROFILE_ENCODING  1

#define NGX_HTTP_PROFILE_ETAG_STUB  0x01
#define NGX_HTTP_PROFILE_ETAG_NULLS 0x02

/* the ETag's text: 16 hexadecimal digits between quotes */
#define NGX_HTTP_PROFILE_ETAG_LEN   (sizeof("\"\"") - 1 + 16)


uint64_t
ngx_http_profile_cache_etag(const ngx_http_profile_grants_t *g,
    const ngx_http_profile_record_t *rec,
    const ngx_http_profile_decision_t *d)
{
    u_char  buf[8 * 4 + 2];

    ngx_http_profile_put64(buf, rec->hash);
    ngx_http_profile_put64(buf + 8, g->representation);
    ngx_http_profile_put64(buf + 16, d->filter.mask);
    ngx_http_profile_put64(buf + 24,
                           d->filter.extra == NULL
                           ? 0
                           : ngx_http_profile_hash64(d->filter.extra,
                                                     g->bitmap_size, 0));
    buf[32] = (u_char) ((d->filter.limit ? NGX_HTTP_PROFILE_ETAG_STUB : 0)
                        | (d->filter.nulls ? NGX_HTTP_PROFILE_ETAG_NULLS
                                           : 0));
    buf[33] = NGX_HTTP_PROFILE_ENCODING;

    return ngx_http_profile_hash64(buf, sizeof(buf), 0);
}


uint64_t
ngx_http_profile_cache_etag_view(uint64_t etag, uint64_t view_hash,
    const ngx_http_profile_plan_t *plan,
    const ngx_http_profile_select_t *sel)
{
    u_char  buf[8 * 4];

    ngx_http_profile_put64(buf, etag);
    ngx_http_profile_put64(buf + 8, view_hash);
    ngx_http_profile_put64(buf + 16, plan->tail_hash);
    ngx_http_profile_put64(buf + 24,
                           sel == NULL
                           ? 0
                           : ngx_http_profile_hash64(sel->bits,
                                                     sizeof(sel->bits), 1));

    return ngx_http_profile_hash64(buf, sizeof(buf), 0);
}


ngx_int_t
ngx_http_profile_cache_headers(ngx_http_request_t *r, ngx_uint_t status,
    ngx_http_profile_cache_info_t *ci)
{
    ngx_str_t                       value, *cc;
    ngx_uint_t                      vary;
    ngx_http_profile_loc_conf_t    *plcf;
    ngx_http_profile_cache_conf_t  *conf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_profile_module);
    conf = &plcf->cache;

    if (status != NGX_HTTP_OK) {

        /*
         * An error is never stored, but the 404 of an anonymous request
         * with profile_cache_not_found: a missing profile and a hidden
         * one give the same bytes, and without a viewer no relation
         * can have hidden it, so every anonymous request gets it.
         */

        if (status == NGX_HTTP_NOT_FOUND && ci->anonymous
            && conf->not_found > 0)
        {
            cc = &conf->not_found_value;
            vary = 1;

        } else {
            cc = &ngx_http_profile_no_store;

            /* a 406: what selects the view decided it */
            vary = (status == 406);
        }

        if (ngx_http_profile_header_add(r, &ngx_http_profile_cache_control,
                                        cc)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (cc == &conf->not_found_value && conf->tags.len && ci->tags.len
            && ngx_http_profile_header_add(r, &conf->tags, &ci->tags)
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        return (vary && plcf->vary.len)
               ? ngx_http_profile_header_add(r, &ngx_http_profile_vary,
                                             &plcf->vary)
               : NGX_OK;
    }

    /*
     * A strong validator, set as nginx's own: the not_modified filter
     * answers If-None-Match (weak comparison, lists, "*") with a 304,
     * after this handler has made the access decision, so a viewer who
     * may not see the profile gets its 404 whatever they send.
     */

    value.len = NGX_HTTP_PROFILE_ETAG_LEN;
    value.data = ngx_pnalloc(r->pool, value.len);
    if (value.data == NULL) {
        return NGX_ERROR;
    }

    ngx_http_profile_cache_etag_text(value.data, ci->etag);

    r->headers_out.etag = ngx_http_profile_header_push(r,
                                                       &ngx_http_profile_etag,
                                                       &value);
    if (r->headers_out.etag == NULL) {
        return NGX_ERROR;
    }

    /*
     * Last-Modified: nginx's not_modified filter answers
     * If-Modified-Since; RFC 9110 13.2.2 says a request with
     * If-None-Match is decided by it alone, so If-Modified-Since is not
     * looked at then (nginx would look at both).
     */

    if (ci->modified != -1) {
        r->headers_out.last_modified_time = ci->modified;
    }

    if (r->headers_in.if_none_match) {
        r->headers_in.if_modified_since = NULL;
    }

    /*
     * A response that depends on the viewer: private (no-store by
     * default), whatever profile_cache_public says.  Vary names the
     * request headers the viewer and the view came from, for caches
     * told to ignore Cache-Control; the public view names them too,
     * since which view a request gets depends on them.
     */

    if (ci->personal) {
        cc = &conf->personal_value;

    } else {
        cc = conf->shared.len ? &conf->shared : NULL;
    }

    if (cc != NULL
        && ngx_http_profile_header_add(r, &ngx_http_profile_cache_control, cc)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* cache tags: on shareable responses only */

    if (!ci->personal && conf->tags.len && ci->tags.len
        && ngx_http_profile_header_add(r, &conf->tags, &ci->tags) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (plcf->vary.len) {
        return ngx_http_profile_header_add(r, &ngx_http_profile_vary,
                                           &plcf->vary);
    }

    return NGX_OK;
}


ngx_uint_t
ngx_http_profile_cache_fresh(ngx_http_request_t *r, uint64_t etag)
{
    ngx_table_elt_t  *h;
    u_char            tag[NGX_HTTP_PROFILE_ETAG_LEN];

    h = r->headers_in.if_none_match;

    /*
     * The not_modified filter's conditions: the main request, nothing
     * that disables it, no If-Match or If-Unmodified-Since (which it
     * checks first), and one If-None-Match line (nginx reads the first)
     */

    if (h == NULL || r != r->main || r->disable_not_modified
        || r->headers_in.if_match || r->headers_in.if_unmodified_since)
    {
        return 0;
    }

    ngx_http_profile_cache_etag_text(tag, etag);

    return ngx_http_profile_etag_listed(h->value.data, h->value.len, tag,
                                        sizeof(tag));
}


/*
 * The ETag's text for etag at p (NGX_HTTP_PROFILE_ETAG_LEN bytes): its
 * 16 hexadecimal digits between quotes
 */

static u_char *
ngx_http_profile_cache_etag_text(u_char *p, uint64_t etag)
{
    u_char      be[8];
    ngx_uint_t  i;

    /* most significant first (ngx_http_profile_put64() is little-endian) */

    for (i = 0; i < 8; i++) {
        be[i] = (u_char) (etag >> (56 - 8 * i));
    }

    *p++ = '"';
    p = ngx_hex_dump(p, be, 8);
    *p++ = '"';

    return p;
}


/*
 * profile_cache_public [max-age=TIME] [s-maxage=TIME]
 *     [stale-while-revalidate=TIME] [stale-if-error=TIME] | off;
 */

char *
ngx_http_profile_cache_public(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_cache_conf_t *cc = (ngx_http_profile_cache_conf_t *)
                                        ((char *) conf + cmd->offset);

    u_char          *p;
    time_t           t;
    ngx_str_t       *value, v;
    ngx_uint_t       i, k, seen;
    static char     *names[] = { "max-age", "s-maxage",
                                 "stale-while-revalidate", "stale-if-error",
                                 NULL };

    if (cc->public_set) {
        return "is duplicate";
    }

    cc->public_set = 1;
    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        cc->shared.len = 0;
        cc->shared.data = (u_char *) "";
        return NGX_CONF_OK;
    }

    p = ngx_pnalloc(cf->pool, sizeof("public") - 1
                              + (cf->args->nelts - 1)
                                * (sizeof(", stale-while-revalidate=") - 1
                                   + NGX_TIME_T_LEN));
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    cc->shared.data = p;
    p = ngx_cpymem(p, "public", sizeof("public") - 1);
    seen = 0;

    for (i = 1; i < cf->args->nelts; i++) {
        for (k = 0; names[k]; k++) {
            if (ngx_strncmp(value[i].data, names[k], ngx_strlen(names[k]))
                == 0
                && value[i].data[ngx_strlen(names[k])] == '=')
            {
                break;
            }
        }

        if (names[k] == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" in \"%V\": "
                               "max-age=, s-maxage=, stale-while-revalidate="
                               " or stale-if-error= and a time, or \"off\"",
                               &value[i], &cmd->name);
            return NGX_CONF_ERROR;
        }

        if (seen & (1 << k)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%s\" is given twice in \"%V\"", names[k],
                               &cmd->name);
            return NGX_CONF_ERROR;
        }

        seen |= 1 << k;

        v.data = value[i].data + ngx_strlen(names[k]) + 1;
        v.len = value[i].len - ngx_strlen(names[k]) - 1;

        t = ngx_http_profile_cache_time(cf, cmd, &v);

        if (t == (time_t) NGX_ERROR) {
            return NGX_CONF_ERROR;
        }

        p = ngx_sprintf(p, ", %s=%T", names[k], t);
    }

    cc->shared.len = p - cc->shared.data;

    return NGX_CONF_OK;
}


/* an nginx time in seconds, or NGX_ERROR (logged) */

static time_t
ngx_http_profile_cache_time(ngx_conf_t *cf, ngx_command_t *cmd, ngx_str_t *v)
{
    time_t  t;

    t = ngx_parse_time(v, 1);

    if (t == (time_t) NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid time \"%V\" in \"%V\"", v, &cmd->name);
    }

    return t;
}


/* profile_cache_personal no-store | private [max-age=TIME]; */

char *
ngx_http_profile_cache_personal(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_profile_cache_conf_t *cc = (ngx_http_profile_cache_conf_t *)
                                        ((char *) conf + cmd->offset);

    time_t      t;
    ngx_str_t  *value, v;

    if (cc->personal != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "no-store") == 0 && cf->args->nelts == 2) {
        cc->personal = NGX_HTTP_PROFILE_PERSONAL_NO_STORE;
        return NGX_CONF_OK;
    }

    if (ngx_strcmp(value[1].data, "private") != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\": \"no-store\" or "
                           "\"private\" (a response that depends on the "
                           "viewer is never shareable)", &value[1],
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    cc->personal = NGX_HTTP_PROFILE_PERSONAL_PRIVATE;
    cc->personal_max_age = -1;

    if (cf->args->nelts == 3) {
        if (ngx_strncmp(value[2].data, "max-age=", 8) != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" in \"%V\": only "
                               "\"max-age=TIME\" (a response that depends on "
                               "the viewer is never shareable)", &value[2],
                               &cmd->name);
            return NGX_CONF_ERROR;
        }

        v.data = value[2].data + 8;
        v.len = value[2].len - 8;

        t = ngx_http_profile_cache_time(cf, cmd, &v);

        if (t == (time_t) NGX_ERROR) {
            return NGX_CONF_ERROR;
        }

        cc->personal_max_age = t;
    }

    return NGX_CONF_OK;
}


/* profile_cache_not_found TIME | off; */

char *
ngx_http_profile_cache_not_found(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_profile_cache_conf_t *cc = (ngx_http_profile_cache_conf_t *)
                                        ((char *) conf + cmd->offset);

    time_t      t;
    ngx_str_t  *value;

    if (cc->not_found != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        cc->not_found = 0;
        return NGX_CONF_OK;
    }

    t = ngx_parse_time(&value[1], 1);

    if (t == (time_t) NGX_ERROR || t == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\": a time above 0, "
                           "or \"off\"", &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    cc->not_found = t;

    return NGX_CONF_OK;
}


/* profile_cache_tags HEADER [space | comma] | off; */

char *
ngx_http_profile_cache_tags(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_cache_conf_t *cc = (ngx_http_profile_cache_conf_t *)
                                        ((char *) conf + cmd->offset);

    u_char       c;
    ngx_str_t   *value;
    ngx_uint_t   i;

    if (cc->tags.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0 && cf->args->nelts == 2) {
        cc->tags.len = 0;
        cc->tags.data = (u_char *) "";
        return NGX_CONF_OK;
    }

    for (i = 0; i < value[1].len; i++) {
        c = value[1].data[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_'))
        {
            break;
        }
    }

    if (value[1].len == 0 || i < value[1].len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid header name \"%V\" in \"%V\"", &value[1],
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    cc->tags = value[1];

    /* Fastly's Surrogate-Key is space-separated; the others commas */

    cc->tags_sep = (value[1].len == sizeof("Surrogate-Key") - 1
                    && ngx_strncasecmp(value[1].data,
                                       (u_char *) "Surrogate-Key",
                                       value[1].len)
                       == 0)
                   ? ' ' : ',';

    if (cf->args->nelts == 3) {
        if (ngx_strcmp(value[2].data, "space") == 0) {
            cc->tags_sep = ' ';

        } else if (ngx_strcmp(value[2].data, "comma") == 0) {
            cc->tags_sep = ',';

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid separator \"%V\" in \"%V\": "
                               "\"space\" or \"comma\"", &value[2],
                               &cmd->name);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


void
ngx_http_profile_cache_init(ngx_http_profile_cache_conf_t *cc)
{
    ngx_str_null(&cc->shared);
    cc->personal = NGX_CONF_UNSET_UINT;
    cc->personal_max_age = -1;
    ngx_str_null(&cc->personal_value);
    cc->not_found = NGX_CONF_UNSET;
    ngx_str_null(&cc->not_found_value);
    ngx_str_null(&cc->tags);
    cc->tags_sep = ',';
    cc->public_set = 0;
}


char *
ngx_http_profile_cache_merge(ngx_conf_t *cf,
    ngx_http_profile_cache_conf_t *prev, ngx_http_profile_cache_conf_t *cc)
{
    u_char  *p;

    if (!cc->public_set) {
        cc->shared = prev->shared;
        cc->public_set = prev->public_set;
    }

    if (cc->personal == NGX_CONF_UNSET_UINT) {
        cc->personal = prev->personal;
        cc->personal_max_age = prev->personal_max_age;
    }

    if (cc->personal == NGX_CONF_UNSET_UINT) {
        cc->personal = NGX_HTTP_PROFILE_PERSONAL_NO_STORE;
    }

    ngx_conf_merge_value(cc->not_found, prev->not_found, 0);

    if (cc->tags.data == NULL) {
        cc->tags = prev->tags;
        cc->tags_sep = prev->tags_sep;
    }

    /* the header values, rendered once */

    if (cc->personal == NGX_HTTP_PROFILE_PERSONAL_NO_STORE) {
        ngx_str_set(&cc->personal_value, "private, no-store");

    } else if (cc->personal_max_age == -1) {
        ngx_str_set(&cc->personal_value, "private");

    } else {
        p = ngx_pnalloc(cf->pool, sizeof("private, max-age=") + NGX_TIME_T_LEN);
        if (p == NULL) {
            return NGX_CONF_ERROR;
        }

        cc->personal_value.data = p;
        cc->personal_value.len = ngx_sprintf(p, "private, max-age=%T",
                                             cc->personal_max_age)
                                 - p;
    }

    if (cc->not_found > 0) {
        p = ngx_pnalloc(cf->pool, sizeof("public, max-age=") + NGX_TIME_T_LEN);
        if (p == NULL) {
            return NGX_CONF_ERROR;
        }

        cc->not_found_value.data = p;
        cc->not_found_value.len = ngx_sprintf(p, "public, max-age=%T",
                                              cc->not_found)
                                  - p;
    }

    return NGX_CONF_OK;
}
