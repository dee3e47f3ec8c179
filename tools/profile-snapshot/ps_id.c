
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "ps_bignum.h"
#include "ps_encode.h"
#include "ps_id.h"
#include "ps_report.h"
#include "ngx_http_profile_format.h"


int
ps_id_member(ps_report_t *rep, json_t *obj, const char *key, char *id,
    size_t *len)
{
    return ps_id_value(rep, json_object_get(obj, key), key, id, len);
}


int
ps_id_value(ps_report_t *rep, json_t *v, const char *key, char *id,
    size_t *len)
{
    size_t       n;
    const char  *text;

    if (v == NULL) {
        ps_report_reason(rep, PS_R_MISSING_ID, NULL, "no \"%s\" member",
                         key);
        return -1;
    }

    if (json_is_null(v)) {
        ps_report_reason(rep, PS_R_MISSING_ID, NULL,
                         "the \"%s\" member is null", key);
        return -1;
    }

    if (ps_bignum_marker(v, &text, &n)) {
        ps_report_reason(rep, PS_R_INVALID_ID, NULL,
                         "the id is a number out of range: %.*s", (int) n,
                         text);
        return -1;
    }

    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0) {
            ps_report_reason(rep, PS_R_INVALID_ID, NULL,
                             "a numeric id must not be negative");
            return -1;
        }

        *len = (size_t) snprintf(id, NGX_HTTP_PROFILE_ID_MAX + 1,
                                 "%" JSON_INTEGER_FORMAT,
                                 json_integer_value(v));
        ps_report_id(rep, id, *len);
        return 0;
    }

    if (!json_is_string(v)) {
        ps_report_reason(rep, PS_R_INVALID_ID, NULL,
                         "the id must be a string or an integer, not %s",
                         ps_json_type_name(v));
        return -1;
    }

    return ps_id_string(rep, json_string_value(v), json_string_length(v),
                        id, len);
}


int
ps_id_string(ps_report_t *rep, const char *s, size_t n, char *id,
    size_t *len)
{
    ps_report_id(rep, s, n);

    if (n > NGX_HTTP_PROFILE_ID_MAX) {
        ps_report_reason(rep, PS_R_ID_TOO_LONG, NULL,
                         "the id is %zu bytes, more than %d", n,
                         NGX_HTTP_PROFILE_ID_MAX);
        return -1;
    }

    if (!ngx_http_profile_id_valid((const unsigned char *) s, n)) {
        ps_report_reason(rep, PS_R_INVALID_ID, NULL,
                         n ? "the id has bytes outside [A-Za-z0-9._~-]"
                           : "the id is empty");
        return -1;
    }

    memcpy(id, s, n);
    id[n] = '\0';
    *len = n;

    return 0;
}
