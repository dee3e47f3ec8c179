
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The content handler of a location with "profile".
 */


#ifndef _NGX_HTTP_PROFILE_HANDLER_H_INCLUDED_
#define _NGX_HTTP_PROFILE_HANDLER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_module.h"
#include "ngx_http_profile_snapshot.h"
#include "ngx_http_profile_rules.h"
#include "ngx_http_profile_view.h"
#include "ngx_http_profile_response.h"


/*
 * Answer r with the profile named by profile_id, as seen by the viewer
 * named by profile_viewer, from the worker's snapshot; or with a problem
 * response.  A content handler (clcf->handler).
 */
/* an item is shown: not one of ngx_http_profile_error_e */
#define NGX_HTTP_PROFILE_ITEM_SHOWN  -1


/* what every profile of one request's answer shares */
typedef struct {
    ngx_http_profile_loc_conf_t     *plcf;
    ngx_http_profile_snapshot_t     *snap;       /* pinned */
    ngx_str_t                        viewer;     /* "": anonymous */
    uint64_t                         roles;      /* held role classes */
    ngx_http_profile_view_t         *view;       /* NULL: no view */
    ngx_http_profile_plan_t         *plan;       /* its plan in snap */
    ngx_http_profile_select_t       *sel;        /* "fields=", or NULL */
} ngx_http_profile_asker_t;


/* one profile, decided for an asker */
typedef struct {
    ngx_str_t                        id;
    ngx_http_profile_record_t        rec;
    ngx_http_profile_decision_t      d;
    uint64_t                         slot;
    ngx_http_profile_viewer_e        relation;
    ngx_int_t                        error;      /* ITEM_SHOWN, or why not */
} ngx_http_profile_item_t;


ngx_int_t ngx_http_profile_handler(ngx_http_request_t *r);

ngx_int_t ngx_http_profile_handler_asker(ngx_http_request_t *r,
    ngx_http_profile_asker_t *a, ngx_str_t *id,
    ngx_http_profile_response_t *resp);

ngx_int_t ngx_http_profile_handler_item(ngx_http_request_t *r,
    ngx_http_profile_asker_t *a, ngx_str_t *id,
    ngx_http_profile_item_t *item);

size_t ngx_http_profile_handler_item_size(ngx_http_profile_asker_t *a,
    ngx_http_profile_item_t *item);

int ngx_http_profile_handler_item_write(ngx_http_request_t *r,
    ngx_http_profile_asker_t *a, ngx_http_profile_item_t *item,
    const ngx_http_profile_plan_t *plan, ngx_buf_t *b);

uint64_t ngx_http_profile_handler_item_etag(ngx_http_profile_asker_t *a,
    ngx_http_profile_item_t *item);

/*
 * The id and the viewer of r in a location of plcf (the viewer empty
 * when anonymous).  Returns NGX_OK, NGX_DECLINED when the id is not
 * valid, or NGX_ERROR.
 */
ngx_int_t ngx_http_profile_handler_identify(ngx_http_request_t *r,
    ngx_http_profile_loc_conf_t *plcf, ngx_str_t *id, ngx_str_t *viewer);

/*
 * The relation of viewer to the owner id in snap (pinned by r).  Returns
 * NGX_HTTP_PROFILE_FMT_OK, or the problem of a damaged relation value
 * (logged).
 */
int ngx_http_profile_handler_relation(ngx_http_request_t *r,
    ngx_http_profile_loc_conf_t *plcf, ngx_http_profile_snapshot_t *snap,
    ngx_str_t *id, ngx_str_t *viewer, ngx_http_profile_viewer_e *relation);


#endif /* _NGX_HTTP_PROFILE_HANDLER_H_INCLUDED_ */
