
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


/*
 * Answer r with the profile named by profile_id, as seen by the viewer
 * named by profile_viewer, from the worker's snapshot; or with a problem
 * response.  A content handler (clcf->handler).
 */
ngx_int_t ngx_http_profile_handler(ngx_http_request_t *r);


#endif /* _NGX_HTTP_PROFILE_HANDLER_H_INCLUDED_ */
