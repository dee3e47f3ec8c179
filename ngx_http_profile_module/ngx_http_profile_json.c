
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * JSON writing for the module: the one renderer of the format library
 * (ngx_http_profile_render.c) into the caller's one buffer, so that a
 * response is what "profile-snapshot inspect" shows.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_json.h"


int
ngx_http_profile_json_write(ngx_buf_t *b,
    const ngx_http_profile_record_t *rec, ngx_uint_t nfields,
    ngx_uint_t nclasses, const ngx_http_profile_filter_t *filter)
{
    int     rc;
    size_t  len;

    rc = ngx_http_profile_render_filter(b->last, (size_t) (b->end - b->last),
                                        rec, (unsigned) nfields,
                                        (unsigned) nclasses, filter, &len);

    if (rc == NGX_HTTP_PROFILE_FMT_OK) {
        b->last += len;
    }

    return rc;
}
