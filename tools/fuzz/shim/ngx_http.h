
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzzing shim (see ngx_config.h): nothing of nginx's HTTP layer is
 * needed by ngx_http_profile_json.c (nor by the types of
 * ngx_http_profile_rules.h it includes).
 */


#ifndef _NGX_HTTP_H_INCLUDED_
#define _NGX_HTTP_H_INCLUDED_


#include "ngx_core.h"


#endif /* _NGX_HTTP_H_INCLUDED_ */
