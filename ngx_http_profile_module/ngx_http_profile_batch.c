
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Batches: the ids of one argument, each decided and rendered as a
 * single request to the same location would be (the same view, field
 * list, viewer and snapshot), joined into one array or one object.  A
 * profile that a single request would answer 404 (missing, hidden) or
 * 403 is null, so a batch tells no more than single requests do.  The
 * answer is sized once for every profile, then written in one buffer.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_handler.h"
#include "ngx_http_profile_cache.h"
#include "ngx_http_profile_response.h"
#include "ngx_http_profile_batch.h"


static void ngx_http_profile_batch_decide(ngx_http_request_t *r,
    ngx_http_profile_response_t *resp);
static ngx_int_t ngx_http_profile_batch_ids(ngx_http_request_t *r,
    ngx_http_profile_batch_conf_t *bc, ngx_array_t *ids,
    ngx_http_profile_response_t *resp);


char *
ngx_http_profile_batch(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_profile_loc_conf_t *plcf = conf;

    ngx_int_t                  max;
    ngx_str_t                 *value;
    ngx_http_core_loc_conf_t  *clcf;

    if (plcf->enable) {
        return plcf->batch.arg.len ? "is duplicate"
                                   : "is not allowed with \"profile\"";
    }

    value = cf->args->elts;

    if (ngx_http_profile_view_name_valid(&value[1], 0) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid argument name \"%V\" in \"%V\": "
                           "[A-Za-z0-9_-]", &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    max = ngx_atoi(value[2].data, value[2].len);

    if (max < 1 || max > NGX_HTTP_PROFILE_BATCH_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid maximum \"%V\" in \"%V\": 1 to %d ids",
                           &value[2], &cmd->name, NGX_HTTP_PROFILE_BATCH_MAX);
        return NGX_CONF_ERROR;
    }

    if (ngx_strcmp(value[3].data, "array") == 0) {
        plcf->batch.shape = NGX_HTTP_PROFILE_BATCH_ARRAY;

    } else if (ngx_strcmp(value[3].data, "object") == 0) {
        plcf->batch.shape = NGX_HTTP_PROFILE_BATCH_OBJECT;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid shape \"%V\" in \"%V\": \"array\" or "
                           "\"object\"", &value[3], &cmd->name);
        return NGX_CONF_ERROR;
    }

    plcf->batch.arg = value[1];
    plcf->batch.max = max;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_profile_batch_handler;

    plcf->enable = 1;
    plcf->location = clcf;
    plcf->profile_file = cf->conf_file->file.name.data;
    plcf->profile_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_profile_batch_handler(ngx_http_request_t *r)
{
    ngx_http_profile_response_t  resp;

    ngx_memzero(&resp, sizeof(ngx_http_profile_response_t));
    resp.cache.modified = -1;

    ngx_http_profile_batch_decide(r, &resp);

    return ngx_http_profile_response_send(r, &resp);
}


static void
ngx_http_profile_batch_decide(ngx_http_request_t *r,
    ngx_http_profile_response_t *resp)
{
    int                            rc;
    u_char                         be[8];
    size_t                         size;
    uint64_t                       etag;
    ngx_int_t                      nrc;
    ngx_str_t                     *id;
    ngx_buf_t                     *b;
    ngx_uint_t                     i, n, shown, personal, object;
    ngx_array_t                    ids;
    ngx_http_profile_item_t       *items;
    ngx_http_profile_plan_t        bare, *plan;
    ngx_http_profile_asker_t       a;
    ngx_http_profile_loc_conf_t   *plcf;

    nrc = ngx_http_profile_handler_asker(r, &a, NULL, resp);

    if (nrc != NGX_OK) {
        return;
    }

    plcf = a.plcf;
    object = (plcf->batch.shape == NGX_HTTP_PROFILE_BATCH_OBJECT);

    if (ngx_http_profile_batch_ids(r, &plcf->batch, &ids, resp) != NGX_OK) {
        return;
    }

    n = ids.nelts;
    id = ids.elts;

    items = ngx_palloc(r->pool, (n + 1) * sizeof(ngx_http_profile_item_t));
    if (items == NULL) {
        goto nomem;
    }

    /* the view's envelope goes around the batch, not each profile */

    plan = NULL;

    if (a.plan != NULL) {
        bare = *a.plan;
        bare.head_len = 0;
        bare.tail_len = 0;
        plan = &bare;
    }

    size = 2 + (a.plan ? a.plan->head_len + a.plan->tail_len : 0);
    personal = 0;

    for (i = 0; i < n; i++) {
        if (ngx_http_profile_handler_item(r, &a, &id[i], &items[i])
            != NGX_OK)
        {
            goto nomem;
        }

        if (items[i].error == NGX_HTTP_PROFILE_ERROR_INTERNAL) {

            /* a damaged record: never served, not even as a null */

            resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
            resp->error = NGX_HTTP_PROFILE_ERROR_INTERNAL;
            return;
        }

        shown = (items[i].error == NGX_HTTP_PROFILE_ITEM_SHOWN);

        size += 1 + (object ? id[i].len + 3 : 0)
                + (shown ? ngx_http_profile_handler_item_size(&a, &items[i])
                         : 4);

        if (shown && items[i].d.personal) {
            personal = 1;
        }
    }

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        goto nomem;
    }

    if (a.plan != NULL) {
        b->last = ngx_cpymem(b->last, a.plan->head, a.plan->head_len);
    }

    *b->last++ = object ? '{' : '[';

    etag = object;

    for (i = 0; i < n; i++) {
        if (i) {
            *b->last++ = ',';
        }

        if (object) {
            *b->last++ = '"';
            b->last = ngx_cpymem(b->last, id[i].data, id[i].len);
            *b->last++ = '"';
            *b->last++ = ':';
        }

        if (items[i].error != NGX_HTTP_PROFILE_ITEM_SHOWN) {
            b->last = ngx_cpymem(b->last, "null", 4);
            etag = ngx_http_profile_hash64(id[i].data, id[i].len, etag);
            continue;
        }

        rc = ngx_http_profile_handler_item_write(r, &a, &items[i], plan, b);

        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
            resp->error = NGX_HTTP_PROFILE_ERROR_INTERNAL;
            return;
        }

        /* each profile's own validator, in order */

        ngx_http_profile_put64(be, ngx_http_profile_handler_item_etag(
                                       &a, &items[i]));
        etag = ngx_http_profile_hash64(be, 8, etag);
    }

    *b->last++ = object ? '}' : ']';

    if (a.plan != NULL) {
        b->last = ngx_cpymem(b->last, a.plan->tail, a.plan->tail_len);
    }

    resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROFILE;
    resp->body = b;
    resp->cache.personal = personal;
    resp->cache.etag = etag;

    if (!personal && plcf->cache.tags.len
        && ngx_http_profile_handler_tags(r, &a, items, n, &resp->cache.tags)
           != NGX_OK)
    {
        goto nomem;
    }

    return;

nomem:

    resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
    resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
}


/*
 * The ids of the batch argument, percent-decoded and split on ",";
 * empty elements are skipped, an object keeps the first of duplicate
 * ids.  NGX_OK, or NGX_DECLINED with the 400 in resp.
 */

static ngx_int_t
ngx_http_profile_batch_ids(ngx_http_request_t *r,
    ngx_http_profile_batch_conf_t *bc, ngx_array_t *ids,
    ngx_http_profile_response_t *resp)
{
    u_char      *p, *q, *end;
    ngx_str_t    value, one, *id;
    ngx_uint_t   i, dup;

    if (ngx_array_init(ids, r->pool, 16, sizeof(ngx_str_t)) != NGX_OK) {
        goto nomem;
    }

    if (ngx_http_profile_value_arg(r, bc->arg.data, bc->arg.len, &value)
        != NGX_OK)
    {
        goto nomem;
    }

    p = value.data;
    end = value.data + value.len;

    while (p < end) {
        q = ngx_strlchr(p, end, ',');
        if (q == NULL) {
            q = end;
        }

        one.data = p;
        one.len = q - p;
        p = q + 1;

        if (one.len == 0) {
            continue;
        }

        if (!ngx_http_profile_id_valid(one.data, one.len)) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "profile: client sent an invalid id in a batch");

            resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
            resp->error = NGX_HTTP_PROFILE_ERROR_BATCH_ID;
            return NGX_DECLINED;
        }

        if (bc->shape == NGX_HTTP_PROFILE_BATCH_OBJECT) {
            id = ids->elts;
            dup = 0;

            for (i = 0; i < ids->nelts; i++) {
                if (id[i].len == one.len
                    && ngx_memcmp(id[i].data, one.data, one.len) == 0)
                {
                    dup = 1;
                    break;
                }
            }

            if (dup) {
                continue;
            }
        }

        if (ids->nelts == bc->max) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "profile: client sent more than %ui ids in a "
                          "batch", bc->max);

            resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
            resp->error = NGX_HTTP_PROFILE_ERROR_BATCH_SIZE;
            return NGX_DECLINED;
        }

        id = ngx_array_push(ids);
        if (id == NULL) {
            goto nomem;
        }

        *id = one;
    }

    return NGX_OK;

nomem:

    resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
    resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;

    return NGX_DECLINED;
}
