
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
#include "ngx_http_profile_response.h"
#include "ngx_http_profile_handler.h"


static void ngx_http_profile_handler_decide(ngx_http_request_t *r,
    ngx_http_profile_response_t *resp);
static ngx_http_profile_error_e ngx_http_profile_handler_invalid_id(
    ngx_http_request_t *r, ngx_str_t *id);
static void ngx_http_profile_handler_bad_record(ngx_http_request_t *r,
    ngx_http_profile_snapshot_t *snap, ngx_str_t *id, uint64_t slot,
    int problem);


ngx_int_t
ngx_http_profile_handler(ngx_http_request_t *r)
{
    ngx_http_profile_response_t  resp;

    ngx_memzero(&resp, sizeof(ngx_http_profile_response_t));

    ngx_http_profile_handler_decide(r, &resp);

    return ngx_http_profile_response_send(r, &resp);
}


/* fill resp with the outcome of r; the checks run in docs/errors.md's order */

static void
ngx_http_profile_handler_decide(ngx_http_request_t *r,
    ngx_http_profile_response_t *resp)
{
    int                           rc;
    uint64_t                      slot;
    ngx_int_t                     nrc;
    ngx_str_t                     id, viewer;
    ngx_buf_t                    *b;
    ngx_http_profile_mask_t       mask;
    ngx_http_profile_record_t     rec;
    ngx_http_profile_loc_conf_t  *plcf;
    ngx_http_profile_snapshot_t  *snap;

    nrc = ngx_http_discard_request_body(r);

    if (nrc != NGX_OK) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
        resp->rc = nrc;
        return;
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
        resp->error = NGX_HTTP_PROFILE_ERROR_METHOD_NOT_ALLOWED;
        return;
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_profile_module);

    if (plcf->id.cv != NULL) {
        if (ngx_http_profile_value(r, &plcf->id, &id) != NGX_OK) {
            resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
            resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
            return;
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
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
        resp->error = ngx_http_profile_handler_invalid_id(r, &id);
        return;
    }

    /* no profile_viewer, or an empty value: an anonymous viewer */

    ngx_str_null(&viewer);

    if (plcf->viewer.cv != NULL
        && ngx_http_profile_value(r, &plcf->viewer, &viewer) != NGX_OK)
    {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
        resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return;
    }

    nrc = ngx_http_profile_snapshot_pin(r, &snap);

    if (nrc == NGX_DECLINED) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "profile: no snapshot");

        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
        resp->error = NGX_HTTP_PROFILE_ERROR_SNAPSHOT_UNAVAILABLE;
        return;
    }

    if (nrc != NGX_OK) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
        resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return;
    }

    rc = ngx_http_profile_snapshot_record(snap, &id, &rec, &slot);

    if (rc == NGX_HTTP_PROFILE_FMT_MISSING) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "profile: \"%V\" not found", &id);

        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
        resp->error = NGX_HTTP_PROFILE_ERROR_NOT_FOUND;
        return;
    }

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ngx_http_profile_handler_bad_record(r, snap, &id, slot, rc);

        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
        resp->error = NGX_HTTP_PROFILE_ERROR_INTERNAL;
        return;
    }

    mask = ngx_http_profile_rules_grant(&id, &viewer);

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "profile: \"%V\" from snapshot \"%V\", classes %uxL",
                   &id, &snap->id, mask);

    /*
     * One pass: the entries are checked as the body is written, so a
     * HEAD request writes it too, for its Content-Length and so that a
     * corrupt record gets the same 500 as with GET.
     */

    b = ngx_create_temp_buf(r->pool, ngx_http_profile_json_size(&rec));
    if (b == NULL) {
        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_NGINX;
        resp->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return;
    }

    rc = ngx_http_profile_json_write(b, &rec, snap->meta.nfields,
                                     snap->meta.nclasses, mask);

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ngx_http_profile_handler_bad_record(r, snap, &id, slot, rc);

        resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROBLEM;
        resp->error = NGX_HTTP_PROFILE_ERROR_INTERNAL;
        return;
    }

    resp->outcome = NGX_HTTP_PROFILE_OUTCOME_PROFILE;
    resp->body = b;
    resp->mask = mask;
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
