
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <string.h>

#include "ps.h"
#include "ps_coerce.h"
#include "ps_encode.h"


static int ps_type_matches(unsigned type, json_t *v);
static int ps_digits(const char *s, size_t n, int *val);


int
ps_coerce(ps_report_t *rep, const ps_field_t *f, json_t *v, json_t **out)
{
    if (json_is_null(v) || ps_type_matches(f->type, v)) {
        *out = json_incref(v);
        return PS_KEEP;
    }

    if (f->type == NGX_HTTP_PROFILE_TYPE_TIMESTAMP && json_is_string(v)) {
        ps_report_reason(rep, PS_R_WRONG_TYPE, f->name,
                         "not an RFC 3339 timestamp; dropped");
        return PS_DROP;
    }

    ps_report_reason(rep, PS_R_WRONG_TYPE, f->name,
                     "expected %s, got %s; dropped", ps_type_name(f->type),
                     ps_json_type_name(v));

    return PS_DROP;
}


int
ps_rfc3339_valid(const char *s, size_t len)
{
    int     y, mo, d, h, mi, sec, oh, om, mdays;
    size_t  i;

    static const int  days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
                                 30, 31 };

    /* YYYY-MM-DDTHH:MM:SS */

    if (len < 20
        || !ps_digits(s, 4, &y) || s[4] != '-'
        || !ps_digits(s + 5, 2, &mo) || s[7] != '-'
        || !ps_digits(s + 8, 2, &d)
        || (s[10] != 'T' && s[10] != 't')
        || !ps_digits(s + 11, 2, &h) || s[13] != ':'
        || !ps_digits(s + 14, 2, &mi) || s[16] != ':'
        || !ps_digits(s + 17, 2, &sec))
    {
        return 0;
    }

    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60) {
        return 0;
    }

    mdays = days[mo - 1];

    if (mo == 2 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        mdays = 28;
    }

    if (d > mdays) {
        return 0;
    }

    i = 19;

    if (s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            /* void */
        }

        if (i == 20) {
            return 0;
        }
    }

    if (i == len) {
        return 0;
    }

    if (s[i] == 'Z' || s[i] == 'z') {
        return i + 1 == len;
    }

    if ((s[i] != '+' && s[i] != '-') || len - i != 6
        || !ps_digits(s + i + 1, 2, &oh) || s[i + 3] != ':'
        || !ps_digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
    {
        return 0;
    }

    return 1;
}


static int
ps_type_matches(unsigned type, json_t *v)
{
    switch (type) {
    case NGX_HTTP_PROFILE_TYPE_STRING:
        return json_is_string(v);
    case NGX_HTTP_PROFILE_TYPE_INTEGER:
        return json_is_integer(v);
    case NGX_HTTP_PROFILE_TYPE_NUMBER:
        return json_is_number(v);
    case NGX_HTTP_PROFILE_TYPE_BOOLEAN:
        return json_is_boolean(v);
    case NGX_HTTP_PROFILE_TYPE_TIMESTAMP:
        return json_is_string(v)
               && ps_rfc3339_valid(json_string_value(v),
                                   json_string_length(v));
    case NGX_HTTP_PROFILE_TYPE_OBJECT:
        return json_is_object(v);
    case NGX_HTTP_PROFILE_TYPE_ARRAY:
        return json_is_array(v);
    default:
        return 0;
    }
}


static int
ps_digits(const char *s, size_t n, int *val)
{
    size_t  i;

    *val = 0;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }

        *val = *val * 10 + (s[i] - '0');
    }

    return 1;
}
