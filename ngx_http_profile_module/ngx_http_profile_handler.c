
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The request path: method, id, viewer, pin the snapshot, read the
 * record through the id index (checked against its stored hash), decide
 * which visibility classes the viewer gets, copy their fragments into
 * one buffer, send.  No JSON parsing, no malloc(), no blocking call: the
 * index and the record are read in LMDB's map of the file, and
 * everything else comes from r->pool.  Error bodies are constants
 * (ngx_http_profile_error.c).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_snapshot.h"
#include "ngx_http_profile_json.h"
#include "ngx_http_profile_error.h"
#include "ngx_http_profile_handler.h"


static ngx_int_t ngx_http_profile_handler_invalid_id(ngx_http_request_t *r,
    ngx_str_t *id);
static ngx_http_profile_mask_t ngx_http_profile_handler_grant(
    ngx_str_t *id, ngx_str_t *viewer);


static ngx_str_t  ngx_http_profile_json_type =
    ngx_string("application/json; charset=utf-8");

static ngx_str_t  ngx_http_profile_cache_control =
    ngx_string("Cache-Control");
static ngx_str_t  ngx_http_profile_private =
    ngx_string("private, no-store");
static ngx_str_t  ngx_http_profile_vary = ngx_string("Vary");


ngx_int_t
ngx_http_profile_handler(ngx_http_request_t *r)
{
    int                           fmt;
    ngx_int_t                     rc;
    ngx_str_t                     id, viewer;
    ngx_buf_t                    *b;
    ngx_chain_t                   out;
    ngx_table_elt_t              *h;
    ngx_http_profile_mask_t       mask;
    ngx_http_profile_record_t     rec;
    ngx_http_profile_loc_conf_t  *plcf;
    ngx_http_profile_snapshot_t  *snap;

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return ngx_http_profile_error_send(r,
                   NGX_HTTP_PROFILE_ERROR_METHOD_NOT_ALLOWED);
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_profile_module);

    if (plcf->id.cv != NULL) {
        if (ngx_http_profile_value(r, &plcf->id, &id) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

    } else if (r->uri.len >= plcf->prefix.len
               && ngx_memcmp(r->uri.data, plcf->prefix.data,
                             plcf->prefix.len)
                  == 0)
    {
        /* the rest of the (decoded) URI after the location's prefix */

        id.data = r->uri.data + plcf->prefix.len;
        id.len = r->uri.len - plcf->prefix.len;

    } else {
        /* a rewrite with "break" moved the URI out of the prefix */

        ngx_str_null(&id);
    }

    if (!ngx_http_profile_id_valid(id.data, id.len)) {
        return ngx_http_profile_handler_invalid_id(r, &id);
    }

    /* no profile_viewer, or an empty value: an anonymous viewer */

    ngx_str_null(&viewer);

    if (plcf->viewer.cv != NULL
        && ngx_http_profile_value(r, &plcf->viewer, &viewer) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_profile_snapshot_pin(r, &snap);

    if (rc == NGX_DECLINED) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "profile: no snapshot");

        return ngx_http_profile_error_send(r,
                   NGX_HTTP_PROFILE_ERROR_SNAPSHOT_UNAVAILABLE);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_profile_snapshot_record(r, snap, &id, &rec);

    if (rc == NGX_DECLINED) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "profile: \"%V\" not found", &id);

        return ngx_http_profile_error_send(r,
                   NGX_HTTP_PROFILE_ERROR_NOT_FOUND);
    }

    if (rc != NGX_OK) {
        return ngx_http_profile_error_send(r,
                   NGX_HTTP_PROFILE_ERROR_INTERNAL);
    }

    mask = ngx_http_profile_handler_grant(&id, &viewer);

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "profile: \"%V\" from snapshot \"%V\", classes %uxL",
                   &id, &snap->id, mask);

    /*
     * One pass: the entries are checked as the body is written, so a
     * HEAD request writes it too, for its Content-Length and so that a
     * corrupt record gets the same 500 as with GET.
     */

    fmt = ngx_http_profile_json_write(r->pool, &rec, snap->nfields,
                                      snap->nclasses, mask, &b);

    if (fmt == -1) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (fmt != NGX_HTTP_PROFILE_FMT_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "profile snapshot \"%V\": bad record for id \"%V\" "
                      "(%s)", &snap->path, &id,
                      ngx_http_profile_fmt_strerror(fmt));

        return ngx_http_profile_error_send(r,
                   NGX_HTTP_PROFILE_ERROR_INTERNAL);
    }

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    /*
     * A view that depends on the viewer must never be stored by a cache
     * and served to someone else: "no-store" for caches that would keep
     * a "private" response, and Vary naming the request headers the
     * viewer came from for caches told to ignore Cache-Control (which
     * then keep one viewer's response from another).  The public view is
     * the same for every viewer, but which view a request gets depends
     * on those headers too, so it names them as well.
     */

    if (mask != ngx_http_profile_mask_class(NGX_HTTP_PROFILE_CLASS_PUBLIC)) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        h->key = ngx_http_profile_cache_control;
        h->value = ngx_http_profile_private;
        h->lowcase_key = NULL;
    }

    if (plcf->vary.len) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        h->key = ngx_http_profile_vary;
        h->value = plcf->vary;
        h->lowcase_key = NULL;
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_type = ngx_http_profile_json_type;
    r->headers_out.content_type_len = sizeof("application/json") - 1;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.content_length_n = b->last - b->pos;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* 400, with a detail that says what is wrong but never echoes the id */

static ngx_int_t
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

    return ngx_http_profile_error_send(r, err);
}


/*
 * The access decision of v0: the profile's owner gets every class, any
 * other viewer the public class.  Relations and roles will add classes
 * to the mask here (a rules concern of its own).
 */

static ngx_http_profile_mask_t
ngx_http_profile_handler_grant(ngx_str_t *id, ngx_str_t *viewer)
{
    if (viewer->len == id->len
        && ngx_memcmp(viewer->data, id->data, id->len) == 0)
    {
        return NGX_HTTP_PROFILE_MASK_ALL;
    }

    return ngx_http_profile_mask_class(NGX_HTTP_PROFILE_CLASS_PUBLIC);
}
