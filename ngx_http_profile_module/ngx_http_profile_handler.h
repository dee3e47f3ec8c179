
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


/*
 * Answer r with the profile named by profile_id, as seen by the viewer
 * named by profile_viewer, from the worker's snapshot; or with a problem
 * response.  A content handler (clcf->handler).
 */
ngx_int_t ngx_http_profile_handler(ngx_http_request_t *r);

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
