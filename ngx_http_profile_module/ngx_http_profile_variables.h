
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The module's variables.
 */


#ifndef _NGX_HTTP_PROFILE_VARIABLES_H_INCLUDED_
#define _NGX_HTTP_PROFILE_VARIABLES_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/* register the variables ($profile_*); preconfiguration */
ngx_int_t ngx_http_profile_variables_add(ngx_conf_t *cf);


#endif /* _NGX_HTTP_PROFILE_VARIABLES_H_INCLUDED_ */
