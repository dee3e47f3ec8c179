
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Values of the configuration read per request (see
 * ngx_http_profile_value.h).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_value.h"


/*
 * Compile value into v.  A value that is exactly one variable, "$name"
 * or "${name}", is also kept as the variable's index: reading it per
 * request then costs one ngx_http_get_indexed_variable() instead of the
 * script engine's length and copy passes and an allocation.  "$1" and
 * the like are captures, not variables: they stay complex values.
 */

ngx_int_t
ngx_http_profile_value_compile(ngx_conf_t *cf, ngx_str_t *value,
    ngx_http_profile_value_t *v)
{
    u_char                            *p, *last;
    ngx_str_t                          name;
    ngx_http_complex_value_t          *cv;
    ngx_http_compile_complex_value_t   ccv;

    cv = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (cv == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = value;
    ccv.complex_value = cv;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_ERROR;
    }

    v->cv = cv;
    v->index = NGX_ERROR;

    if (cv->lengths == NULL || value->len < 2 || value->data[0] != '$') {
        return NGX_OK;
    }

    p = value->data + 1;
    last = value->data + value->len;

    if (*p == '{') {
        if (last - p < 3 || last[-1] != '}') {
            return NGX_OK;
        }

        p++;
        last--;
    }

    name.data = p;
    name.len = last - p;

    if (*p >= '0' && *p <= '9') {
        return NGX_OK;
    }

    for ( /* void */ ; p < last; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '_'))
        {
            return NGX_OK;
        }
    }

    v->index = ngx_http_get_variable_index(cf, &name);

    if (v->index == NGX_ERROR) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_profile_value_arg(ngx_http_request_t *r, u_char *name, size_t len,
    ngx_str_t *value)
{
    u_char  *dst, *src;

    if (ngx_http_arg(r, name, len, value) != NGX_OK) {
        ngx_str_null(value);
        return NGX_OK;
    }

    if (ngx_strlchr(value->data, value->data + value->len, '%') == NULL) {
        return NGX_OK;
    }

    dst = ngx_pnalloc(r->pool, value->len);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    src = value->data;
    value->data = dst;
    ngx_unescape_uri(&dst, &src, value->len, NGX_UNESCAPE_URI);
    value->len = dst - value->data;

    return NGX_OK;
}
