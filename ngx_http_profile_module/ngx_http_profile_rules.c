
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Access rules.  v0 knows one relation, being the profile's owner; the
 * decision is a class mask, so the JSON writer needs to know nothing
 * about who the viewer is.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_rules.h"


ngx_http_profile_mask_t
ngx_http_profile_rules_grant(const ngx_str_t *id, const ngx_str_t *viewer)
{
    if (viewer->len == id->len
        && ngx_memcmp(viewer->data, id->data, id->len) == 0)
    {
        return NGX_HTTP_PROFILE_MASK_ALL;
    }

    return NGX_HTTP_PROFILE_MASK_PUBLIC;
}
