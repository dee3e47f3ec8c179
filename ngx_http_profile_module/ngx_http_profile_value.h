
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * A value of the configuration read per request (profile_id,
 * profile_viewer, profile_viewer_roles, profile_view_select): a
 * complex value, or, when it is exactly one variable, that variable's
 * index, which is cheaper to read.
 */


#ifndef _NGX_HTTP_PROFILE_VALUE_H_INCLUDED_
#define _NGX_HTTP_PROFILE_VALUE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


typedef struct {
    ngx_http_complex_value_t    *cv;           /* NULL: not set */
    ngx_int_t                    index;        /* NGX_ERROR: use cv */
} ngx_http_profile_value_t;


/*
 * Compile value (a directive's argument) into v, in cf->pool.  Returns
 * NGX_OK or NGX_ERROR (logged by nginx's script compiler).
 */
ngx_int_t ngx_http_profile_value_compile(ngx_conf_t *cf, ngx_str_t *value,
    ngx_http_profile_value_t *v);


/*
 * The value of request argument name (len bytes) of r into *value,
 * percent-decoded as nginx decodes a URI when it holds a "%" (then in
 * r->pool); empty when r has no such argument.  NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_http_profile_value_arg(ngx_http_request_t *r, u_char *name,
    size_t len, ngx_str_t *value);


/*
 * Evaluate v (which must be set) for r into *value; a variable that is
 * not found gives an empty value.  Returns NGX_OK or NGX_ERROR (a
 * variable failed).  value points into memory of r or of the
 * configuration.
 */

static ngx_inline ngx_int_t
ngx_http_profile_value(ngx_http_request_t *r, ngx_http_profile_value_t *v,
    ngx_str_t *value)
{
    ngx_http_variable_value_t  *vv;

    if (v->index == NGX_ERROR) {
        return ngx_http_complex_value(r, v->cv, value);
    }

    vv = ngx_http_get_indexed_variable(r, v->index);

    if (vv == NULL) {
        return NGX_ERROR;
    }

    if (vv->not_found) {
        value->len = 0;
        value->data = NULL;
        return NGX_OK;
    }

    value->len = vv->len;
    value->data = vv->data;

    return NGX_OK;
}


#endif /* _NGX_HTTP_PROFILE_VALUE_H_INCLUDED_ */
