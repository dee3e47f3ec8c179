
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The request path: method, id, viewer, pin the snapshot, find the
 * record through the id index (checked against its stored hash), ask
 * the access rules which visibility classes the viewer gets, copy their
 * fragments into one buffer.  No JSON parsing, no malloc(), no LMDB
 * call (no mdb_get(), no transaction: the snapshot's one read
 * transaction was begun when it was opened), no blocking call: the
 * index is read in LMDB's map and the record in the module's own map of
 * the file, and everything else comes from r->pool.  The handler only
 * decides the outcome; ngx_http_profile_response.c answers it, the one
 * place where a response is sent.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_snapshot.h"
#include "ngx_http_profile_rules.h"
#include "ngx_http_profile_json.h"
#include "ngx_http_profile_error.h"
#include "ngx_http_profile_cache.h"
#include "ngx_http_profile_response.h"
#include "ngx_http_profile_view.h"
#include "ngx_http_profile_handler.h"


static void ngx_http_profile_handler_decide(ngx_http_request_t *r,
    ngx_http_profile_response_t *resp);
static ngx_http_profile_error_e ngx_http_profile_handler_invalid_id(
    ngx_http_request_t *r, ngx_str_t *id);
static ngx_int_t ngx_http_profile_handler_embeds(ngx_http_request_t *r,
    ngx_http_profile_asker_t *a, ngx_http_profile_item_t *item);
static time_t ngx_http_profile_handler_modified(
    ngx_http_profile_snapshot_t *snap, ngx_http_profile_item_t *item);
static void ngx_http_profile_handler_bad_record(ngx_http_request_t *r,
    ngx_http_profile_snapshot_t *snap, ngx_str_t *id, uint64_t slot,
    int problem);


ngx_int_t
ngx_http_profile_handler(ngx_http_request_t *r)
{
    ngx_http_profile_response_t  resp;

    ngx_memzero(&resp, sizeof(ngx_http_profile_response_t));
    resp.cache.modified = -1;

    ngx_http_profile_handler_decide(r, &resp);

    return ngx_http_profile_response_send(r, &resp);
}


/* fill resp with the outcome of r; the checks run in docs/errors.md's order */

static void
ngx_http_profile_handler_decide(ngx_http_request_t *r,
    ngx_http_profile_response_t *resp)
{
    int                           rc;
    size_t                        size;
    ngx_int_t                     nrc;
    ngx_str_t                     id;
    ngx_buf_t                    *b;
    ngx_http_profile_item_t       item;
    ngx_http_profile_asker_t      a;

    nrc = ngx_http_profile_handler_asker(r, &a, &id, resp);

    if (nrc != NGX_OK) {
        return;
    }

    nrc = ngx_http_profile_handler_item(r, &a, &id, &item);

    if (nrc != NGX_OK) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
        resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return;
    }

    if (item.error != NGX_HTTP_PROFILE_ITEM_SHOWN) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
        resp->error = item.error;

        /* a shareable 404 (profile_cache_not_found) is tagged too */

        if (item.error == NGX_HTTP_PROFILE_ERROR_NOT_FOUND
            && resp->cache.anonymous && a.plcf->cache.not_found > 0
            && a.plcf->cache.tags.len
            && ngx_http_profile_handler_tags(r, &a, &item, 1,
                                             &resp->cache.tags)
               != NGX_OK)
        {
            resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
            resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return;
    }

    resp->cache.personal = item.d.personal;
    resp->cache.etag = ngx_http_profile_handler_item_etag(&a, &item);
    resp->cache.modified = item.modified;

    if (!item.d.personal && a.plcf->cache.tags.len
        && ngx_http_profile_handler_tags(r, &a, &item, 1, &resp->cache.tags)
           != NGX_OK)
    {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
        resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return;
    }

    /*
     * The client holds these bytes already: nginx's not_modified filter
     * will answer 304, so the body is not written.  The record passed
     * its hash (ngx_http_profile_snapshot_record()), so its entries are
     * those its ETag was made of; a damaged entry would give the same
     * 500 only to a request without this validator.
     */

    if (ngx_http_profile_cache_fresh(r, resp->cache.etag)) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROFILE;
        resp->body = NULL;
        return;
    }

    /*
     * One pass: the entries are checked as the body is written, so a
     * HEAD request writes it too, for its Content-Length and so that a
     * corrupt record gets the same 500 as with GET.
     */

    size = ngx_http_profile_handler_item_size(&a, &item);

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
        resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return;
    }

    rc = ngx_http_profile_handler_item_write(r, &a, &item, a.plan, b);

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
        resp->error = NGX_HTTP_PROFILE_ERROR_INTERNAL;
        return;
    }

    resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROFILE;
    resp->body = b;
}


/*
 * What every profile of r's answer shares: the method and the id (id:
 * the single profile's; a batch reads its own), the view and its
 * "fields=", the pinned snapshot, the viewer and the roles.  NGX_OK
 * with a filled; otherwise resp holds the answer.
 */

ngx_int_t
ngx_http_profile_handler_asker(ngx_http_request_t *r,
    ngx_http_profile_asker_t *a, ngx_str_t *id,
    ngx_http_profile_response_t *resp)
{
    ngx_int_t                        nrc;
    ngx_str_t                        held;
    ngx_http_profile_snapshot_t     *snap;
    ngx_http_profile_loc_conf_t     *plcf;
    ngx_http_profile_view_choice_t   choice;

    nrc = ngx_http_discard_request_body(r);

    if (nrc != NGX_OK) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
        resp->rc = nrc;
        return NGX_DECLINED;
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
        resp->error = NGX_HTTP_PROFILE_ERROR_METHOD_NOT_ALLOWED;
        return NGX_DECLINED;
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_profile_module);

    ngx_memzero(a, sizeof(ngx_http_profile_asker_t));
    a->plcf = plcf;

    nrc = ngx_http_profile_handler_identify(r, plcf, id, &a->viewer);

    if (nrc == NGX_ERROR) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
        resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return NGX_DECLINED;
    }

    if (nrc == NGX_DECLINED) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
        resp->error = ngx_http_profile_handler_invalid_id(r, id);
        return NGX_DECLINED;
    }

    /* whether an error's answer can be the same for every request */

    resp->cache.anonymous = (a->viewer.len == 0);

    /* the view: by profile_view_select, or negotiated on Accept */

    choice.view = NULL;
    choice.has_fields = 0;

    if (plcf->views.offered != NULL) {
        nrc = ngx_http_profile_view_choose(r, &plcf->views, &choice);

        if (nrc == NGX_ERROR) {
            resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
            resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
            return NGX_DECLINED;
        }

        if (nrc == NGX_DECLINED) {
            ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "profile: no acceptable view");

            resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
            resp->error = NGX_HTTP_PROFILE_ERROR_NOT_ACCEPTABLE;
            resp->problem = plcf->views.not_acceptable;
            return NGX_DECLINED;
        }
    }

    nrc = ngx_http_profile_snapshot_pin(r, &snap);

    if (nrc == NGX_DECLINED) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "profile: no snapshot");

        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
        resp->error = NGX_HTTP_PROFILE_ERROR_SNAPSHOT_UNAVAILABLE;
        return NGX_DECLINED;
    }

    if (nrc != NGX_OK) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
        resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return NGX_DECLINED;
    }

    a->snap = snap;
    a->view = choice.view;

    /* "fields=": checked before any profile is looked up */

    if (choice.view != NULL) {
        a->plan = &snap->plans[choice.view->index];

        if (choice.has_fields) {
            nrc = ngx_http_profile_view_fields(r, &plcf->views, a->plan,
                                               &choice.fields, &a->sel,
                                               &resp->problem);
            if (nrc == NGX_ERROR) {
                resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
                resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
                return NGX_DECLINED;
            }

            if (nrc == NGX_DECLINED) {
                ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                              "profile: client sent an invalid field list "
                              "for view \"%V\"", &choice.view->name);

                resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
                resp->error = NGX_HTTP_PROFILE_ERROR_FIELDS;
                return NGX_DECLINED;
            }
        }
    }

    /* the roles: only with an identity, only those the snapshot knows */

    if (a->viewer.len && plcf->roles.cv != NULL && snap->grants.nroles) {
        if (ngx_http_profile_value(r, &plcf->roles, &held) != NGX_OK) {
            resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
            resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
            return NGX_DECLINED;
        }

        a->roles = held.len ? ngx_http_profile_rules_roles(&snap->meta,
                                                           &snap->grants,
                                                           &held)
                            : 0;
    }

    return NGX_OK;
}


/*
 * Decide the profile id for the asker a: item->error is
 * NGX_HTTP_PROFILE_ITEM_SHOWN with the record and the decision, or the
 * problem of this profile (not found, hidden exactly as not found,
 * forbidden, a bad record: logged here).  NGX_ERROR when memory fails.
 */

ngx_int_t
ngx_http_profile_handler_item(ngx_http_request_t *r,
    ngx_http_profile_asker_t *a, ngx_str_t *id, ngx_http_profile_item_t *item)
{
    int                           rc;
    u_char                       *extra;
    ngx_http_profile_ctx_t       *ctx;
    ngx_http_profile_snapshot_t  *snap;
    ngx_http_profile_loc_conf_t  *plcf;

    snap = a->snap;
    plcf = a->plcf;

    item->id = *id;
    item->slot = 0;
    item->error = NGX_HTTP_PROFILE_ITEM_SHOWN;
    item->found = NULL;
    item->partial = 0;
    item->modified = -1;

    rc = ngx_http_profile_handler_relation(r, plcf, snap, id, &a->viewer,
                                           &item->relation);

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        item->error = NGX_HTTP_PROFILE_ERROR_INTERNAL;
        return NGX_OK;
    }

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_profile_module);

    if (ctx != NULL) {
        ctx->relation = item->relation;
        ctx->decided = 1;
        ctx->view = a->view;
    }

    if (item->relation == NGX_HTTP_PROFILE_VIEWER_BLOCKED) {

        /* hidden whatever the record: the answer of a missing profile */

        item->error = NGX_HTTP_PROFILE_ERROR_NOT_FOUND;
        return NGX_OK;
    }

    rc = ngx_http_profile_snapshot_record(snap, id, &item->rec, &item->slot);

    if (rc == NGX_HTTP_PROFILE_FMT_MISSING) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "profile: \"%V\" not found", id);

        item->error = NGX_HTTP_PROFILE_ERROR_NOT_FOUND;
        return NGX_OK;
    }

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ngx_http_profile_handler_bad_record(r, snap, id, item->slot, rc);

        item->error = NGX_HTTP_PROFILE_ERROR_INTERNAL;
        return NGX_OK;
    }

    /* several roles' extra fields are joined in a bitmap of r's */

    extra = NULL;

    if (a->roles & (a->roles - 1)) {
        extra = ngx_palloc(r->pool, snap->grants.bitmap_size + 1);
        if (extra == NULL) {
            return NGX_ERROR;
        }
    }

    ngx_http_profile_rules_decide(&snap->grants, &item->rec, item->relation,
                                  a->roles, &plcf->rules, extra, &item->d);

    ngx_log_debug5(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "profile: \"%V\" from snapshot \"%V\", relation %V, "
                   "access %d, classes %uxL", id, &snap->id,
                   ngx_http_profile_rules_relation_name(item->relation),
                   (int) item->d.access, item->d.filter.mask);

    if (item->d.access == NGX_HTTP_PROFILE_ACCESS_HIDDEN
        || (item->d.access == NGX_HTTP_PROFILE_ACCESS_FORBIDDEN
            && plcf->rules.forbidden != NGX_HTTP_FORBIDDEN))
    {
        /* exactly what a missing profile gets */

        item->error = NGX_HTTP_PROFILE_ERROR_NOT_FOUND;
        return NGX_OK;
    }

    if (item->d.access == NGX_HTTP_PROFILE_ACCESS_FORBIDDEN) {
        item->error = NGX_HTTP_PROFILE_ERROR_FORBIDDEN;
        return NGX_OK;
    }

    if (snap->modified_field >= 0) {
        item->modified = ngx_http_profile_handler_modified(snap, item);
    }

    if (a->plan != NULL && a->plan->nembeds) {
        return ngx_http_profile_handler_embeds(r, a, item);
    }

    return NGX_OK;
}


/*
 * Last-Modified: the epoch seconds the compiler stored for the
 * snapshot's profile_last_modified field (format 4), when the viewer
 * may see that field (the time of a change is data too); -1 otherwise.
 */

static time_t
ngx_http_profile_handler_modified(ngx_http_profile_snapshot_t *snap,
    ngx_http_profile_item_t *item)
{
    time_t                      t;
    uint32_t                    len, i;
    const u_char               *v;
    ngx_http_profile_entry_t    e;
    ngx_http_profile_trailer_t  tr;

    if (!(item->rec.flags & NGX_HTTP_PROFILE_REC_TRAILER)
        || ngx_http_profile_record_trailer(&item->rec, &tr)
           != NGX_HTTP_PROFILE_FMT_OK
        || ngx_http_profile_trailer_alt(&tr, NGX_HTTP_PROFILE_ALT_EPOCH,
                                        NGX_HTTP_PROFILE_ALT_OF_FIELD,
                                        snap->modified_field, &v, &len)
           != NGX_HTTP_PROFILE_FMT_OK)
    {
        return -1;
    }

    /* its entry exists (the trailer's check): is it shown? */

    if (ngx_http_profile_record_find(&item->rec, snap->modified_field, &e)
        != NGX_HTTP_PROFILE_FMT_OK
        || ngx_http_profile_entry_check(&e, item->rec.body_len,
                                        snap->meta.nfields,
                                        snap->meta.nclasses)
           != NGX_HTTP_PROFILE_FMT_OK
        || !ngx_http_profile_filter_shows(&item->d.filter, e.cls,
                                          e.field_id))
    {
        return -1;
    }

    /* whole seconds; before 1970 none */

    t = 0;

    for (i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
        if (t > (NGX_MAX_TIME_T_VALUE - 9) / 10) {
            return -1;
        }

        t = t * 10 + (v[i] - '0');
    }

    return (i == 0) ? -1 : t;
}


/*
 * The cache tags of a shareable response (docs/caching.md): "p:ID" of
 * each profile asked for (shown or not: one added later must purge the
 * answer that had none), "s:SOURCE:KEY" of each embedded record looked
 * up (found or missing), "v:VIEW", "snap:ID"; joined by the header's
 * separator, in r->pool.
 */

ngx_int_t
ngx_http_profile_handler_tags(ngx_http_request_t *r,
    ngx_http_profile_asker_t *a, ngx_http_profile_item_t *items,
    ngx_uint_t n, ngx_str_t *tags)
{
    u_char                               *p, sep;
    size_t                                len, klen;
    ngx_uint_t                            i, e;
    const u_char                         *k;
    ngx_http_profile_snapshot_t          *snap;
    const ngx_http_profile_meta_source_t *src;

    snap = a->snap;
    sep = a->plcf->cache.tags_sep;

    len = sizeof("snap:") - 1 + snap->id.len;

    if (a->view != NULL) {
        len += sizeof(" v:") - 1 + a->view->name.len;
    }

    for (i = 0; i < n; i++) {
        len += sizeof(" p:") - 1 + items[i].id.len;

        for (e = 0; items[i].found && e < a->plan->nembeds; e++) {
            if (items[i].found[e].rc == NGX_HTTP_PROFILE_FMT_OK
                || items[i].found[e].rc == NGX_HTTP_PROFILE_FMT_MISSING)
            {
                src = &snap->meta.sources[a->plan->embeds[e].source];
                len += sizeof(" s::") - 1 + src->name_len
                       + items[i].found[e].key_len;
            }
        }
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    tags->data = p;

    for (i = 0; i < n; i++) {
        p = ngx_cpymem(p, "p:", 2);
        p = ngx_cpymem(p, items[i].id.data, items[i].id.len);
        *p++ = sep;

        for (e = 0; items[i].found && e < a->plan->nembeds; e++) {
            if (items[i].found[e].rc != NGX_HTTP_PROFILE_FMT_OK
                && items[i].found[e].rc != NGX_HTTP_PROFILE_FMT_MISSING)
            {
                continue;
            }

            src = &snap->meta.sources[a->plan->embeds[e].source];
            k = items[i].found[e].key;
            klen = items[i].found[e].key_len;

            p = ngx_cpymem(p, "s:", 2);
            p = ngx_cpymem(p, src->name, src->name_len);
            *p++ = ':';
            p = ngx_cpymem(p, k, klen);
            *p++ = sep;
        }
    }

    if (a->view != NULL) {
        p = ngx_cpymem(p, "v:", 2);
        p = ngx_cpymem(p, a->view->name.data, a->view->name.len);
        *p++ = sep;
    }

    p = ngx_cpymem(p, "snap:", 5);
    p = ngx_cpymem(p, snap->id.data, snap->id.len);

    tags->len = p - tags->data;

    return NGX_OK;
}


/*
 * The embedded records of a shown item's view, by the keys its record
 * holds, from the same snapshot: a damaged one is a bad record of the
 * profile (500), logged with its source and key.
 */

static ngx_int_t
ngx_http_profile_handler_embeds(ngx_http_request_t *r,
    ngx_http_profile_asker_t *a, ngx_http_profile_item_t *item)
{
    int                                   rc;
    size_t                                len;
    uint64_t                              slot;
    ngx_str_t                             key, source;
    ngx_uint_t                            e;
    const u_char                         *k;
    ngx_http_profile_snapshot_t          *snap;
    const ngx_http_profile_plan_t        *plan;
    const ngx_http_profile_plan_embed_t  *em;

    snap = a->snap;
    plan = a->plan;

    item->found = ngx_palloc(r->pool, plan->nembeds
                                      * sizeof(ngx_http_profile_plan_found_t));
    if (item->found == NULL) {
        return NGX_ERROR;
    }

    for (e = 0; e < plan->nembeds; e++) {
        em = &plan->embeds[e];

        rc = ngx_http_profile_plan_embed_key(plan, e, &item->rec,
                                             snap->meta.nfields,
                                             snap->meta.nclasses,
                                             &item->d.filter, &k, &len);
        if (rc == -1) {
            item->found[e].rc = -1;
            continue;
        }

        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            ngx_http_profile_handler_bad_record(r, snap, &item->id,
                                                item->slot, rc);
            item->error = NGX_HTTP_PROFILE_ERROR_INTERNAL;
            return NGX_OK;
        }

        rc = ngx_http_profile_snapshot_embedded(snap, em->source, k, len,
                                                &item->found[e].rec, &slot);
        item->found[e].rc = rc;
        item->found[e].key = k;
        item->found[e].key_len = len;

        if (rc == NGX_HTTP_PROFILE_FMT_OK
            || rc == NGX_HTTP_PROFILE_FMT_MISSING)
        {
            continue;
        }

        key.data = (u_char *) k;
        key.len = len;
        source.data = (u_char *) snap->meta.sources[em->source].name;
        source.len = snap->meta.sources[em->source].name_len;

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "profile snapshot \"%V\": bad record for key \"%V\" "
                      "of source \"%V\" at index slot %uL (%s)",
                      &snap->path, &key, &source, slot,
                      ngx_http_profile_fmt_strerror(rc));

        item->error = NGX_HTTP_PROFILE_ERROR_INTERNAL;
        return NGX_OK;
    }

    return NGX_OK;
}


/* the room ngx_http_profile_handler_item_write() needs for a shown item */

size_t
ngx_http_profile_handler_item_size(ngx_http_profile_asker_t *a,
    ngx_http_profile_item_t *item)
{
    size_t                                size;
    ngx_uint_t                            e;
    ngx_http_profile_snapshot_t          *snap;
    const ngx_http_profile_plan_embed_t  *em;

    if (a->plan != NULL) {
        size = ngx_http_profile_plan_size(a->plan, &item->rec);

        for (e = 0; item->found && e < a->plan->nembeds; e++) {
            em = &a->plan->embeds[e];

            if (item->found[e].rc == NGX_HTTP_PROFILE_FMT_OK) {
                size += ngx_http_profile_plan_size(em->plan,
                                                   &item->found[e].rec);
            }
        }

        return size;
    }

    snap = a->snap;
    size = ngx_http_profile_render_size(&item->rec);

    if (item->d.filter.nulls != NULL) {
        size += snap->grants.null_off[snap->meta.nfields]
                + snap->meta.nfields;
    }

    return size;
}


/*
 * Write a shown item at b->last (with room for its item_size()) as
 * plan's view (the asker's, or a copy without its envelope), or as the
 * plain object when plan is NULL; b->last is moved past it.  FMT_OK, or
 * the problem of a corrupt record, logged here.
 */

int
ngx_http_profile_handler_item_write(ngx_http_request_t *r,
    ngx_http_profile_asker_t *a, ngx_http_profile_item_t *item,
    const ngx_http_profile_plan_t *plan, ngx_buf_t *b)
{
    int                           rc;
    size_t                        len;
    unsigned                      partial;
    ngx_http_profile_ctx_t       *ctx;
    ngx_http_profile_snapshot_t  *snap;

    snap = a->snap;

    if (plan != NULL) {
        partial = 0;

        rc = ngx_http_profile_plan_render(b->last, b->end - b->last, plan,
                                          &item->rec, snap->meta.nfields,
                                          snap->meta.nclasses,
                                          &item->d.filter, a->sel,
                                          item->found, &partial, &len);
        if (rc == NGX_HTTP_PROFILE_FMT_OK) {
            b->last += len;
        }

        if (partial) {
            item->partial = 1;

            ctx = ngx_http_get_module_ctx(r->main, ngx_http_profile_module);
            if (ctx != NULL) {
                ctx->partial = 1;
            }
        }

    } else {
        rc = ngx_http_profile_json_write(b, &item->rec, snap->meta.nfields,
                                         snap->meta.nclasses,
                                         &item->d.filter);
    }

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ngx_http_profile_handler_bad_record(r, snap, &item->id, item->slot,
                                            rc);
    }

    return rc;
}


/* the strong validator of a shown item's bytes */

uint64_t
ngx_http_profile_handler_item_etag(ngx_http_profile_asker_t *a,
    ngx_http_profile_item_t *item)
{
    u_char      be[9];
    uint64_t    etag;
    ngx_uint_t  e;

    etag = ngx_http_profile_cache_etag(&a->snap->grants, &item->rec,
                                       &item->d);

    if (a->plan == NULL) {
        return etag;
    }

    etag = ngx_http_profile_cache_etag_view(etag, a->view->hash, a->plan,
                                            a->sel);

    /* and what each embed found: a record's hash, missing, or nothing */

    for (e = 0; item->found && e < a->plan->nembeds; e++) {
        ngx_http_profile_put64(be, item->found[e].rc
                                   == NGX_HTTP_PROFILE_FMT_OK
                                   ? item->found[e].rec.hash : 0);
        be[8] = (u_char) (item->found[e].rc + 2);
        etag = ngx_http_profile_hash64(be, sizeof(be), etag);
    }

    return etag;
}


/*
 * The id and the viewer of r.  The id: profile_id, or the URI after the
 * location's prefix (id NULL: none, for a batch).  The viewer:
 * profile_viewer, empty (anonymous)
 * when it is not set, when its value is not a valid id (logged at
 * "info"), or when r reached this location through error_page (a
 * request sent on after a failed auth_request must not keep what the
 * failed subrequest set).  Returns NGX_OK, NGX_DECLINED when the id is
 * not valid (id is set for the detail), or NGX_ERROR.
 */

ngx_int_t
ngx_http_profile_handler_identify(ngx_http_request_t *r,
    ngx_http_profile_loc_conf_t *plcf, ngx_str_t *id, ngx_str_t *viewer)
{
    if (id == NULL) {
        /* a batch: its ids are its own */

    } else if (plcf->id.cv != NULL) {
        if (ngx_http_profile_value(r, &plcf->id, id) != NGX_OK) {
            return NGX_ERROR;
        }

    } else if (r->uri.len >= plcf->prefix.len
               && ngx_memcmp(r->uri.data, plcf->prefix.data,
                             plcf->prefix.len)
                  == 0)
    {
        /* the rest of the (decoded) URI after the location's prefix */

        id->data = r->uri.data + plcf->prefix.len;
        id->len = r->uri.len - plcf->prefix.len;

    } else {
        /* a rewrite with "break" moved the URI out of the prefix */

        ngx_str_null(id);
    }

    if (id != NULL && !ngx_http_profile_id_valid(id->data, id->len)) {
        return NGX_DECLINED;
    }

    ngx_str_null(viewer);

    if (plcf->viewer.cv == NULL || r->error_page) {
        return NGX_OK;
    }

    if (ngx_http_profile_value(r, &plcf->viewer, viewer) != NGX_OK) {
        return NGX_ERROR;
    }

    if (viewer->len && !ngx_http_profile_id_valid(viewer->data, viewer->len))
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "profile: the viewer is not a valid id; "
                      "answering as to an anonymous viewer");

        ngx_str_null(viewer);
    }

    return NGX_OK;
}


/*
 * The viewer's relation to the owner id in snap: anonymous, self, or
 * from one lookup in the relation store.  A damaged relation value is
 * logged at "error" and returned as its problem.
 */

int
ngx_http_profile_handler_relation(ngx_http_request_t *r,
    ngx_http_profile_loc_conf_t *plcf, ngx_http_profile_snapshot_t *snap,
    ngx_str_t *id, ngx_str_t *viewer, ngx_http_profile_viewer_e *relation)
{
    int       rc;
    uint8_t   bits;
    uint64_t  slot;

    if (viewer->len == 0) {
        *relation = NGX_HTTP_PROFILE_VIEWER_ANONYMOUS;
        return NGX_HTTP_PROFILE_FMT_OK;
    }

    if (viewer->len == id->len
        && ngx_memcmp(viewer->data, id->data, id->len) == 0)
    {
        *relation = NGX_HTTP_PROFILE_VIEWER_SELF;
        return NGX_HTTP_PROFILE_FMT_OK;
    }

    rc = ngx_http_profile_snapshot_relation(snap, viewer, id, &bits, &slot);

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "profile snapshot \"%V\": bad relation between "
                      "\"%V\" and \"%V\" at index slot %uL (%s)",
                      &snap->path, viewer, id, slot,
                      ngx_http_profile_fmt_strerror(rc));
        return rc;
    }

    *relation = ngx_http_profile_rules_relation(bits, plcf->rules.block);

    return NGX_HTTP_PROFILE_FMT_OK;
}


/* 400, with a detail that says what is wrong but never echoes the id */

static ngx_http_profile_error_e
ngx_http_profile_handler_invalid_id(ngx_http_request_t *r, ngx_str_t *id)
{
    char                      *reason;
    ngx_http_profile_error_e   err;

    if (id->len == 0) {
        reason = "empty";
        err = NGX_HTTP_PROFILE_ERROR_ID_EMPTY;

    } else if (id->len > NGX_HTTP_PROFILE_ID_MAX) {
        reason = "longer than 128 bytes";
        err = NGX_HTTP_PROFILE_ERROR_ID_LONG;

    } else {
        reason = "a byte outside [A-Za-z0-9._~-]";
        err = NGX_HTTP_PROFILE_ERROR_ID_BYTE;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "profile: client sent an invalid id (%s)", reason);

    return err;
}


/*
 * The one "bad record" line, whether the index lookup (slot, header,
 * hash) or the writer (an entry) found the problem: slot is the index
 * slot that led to the record.
 */

static void
ngx_http_profile_handler_bad_record(ngx_http_request_t *r,
    ngx_http_profile_snapshot_t *snap, ngx_str_t *id, uint64_t slot,
    int problem)
{
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "profile snapshot \"%V\": bad record for id \"%V\" "
                  "at index slot %uL (%s)", &snap->path, id, slot,
                  ngx_http_profile_fmt_strerror(problem));
}
