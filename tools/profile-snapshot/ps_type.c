
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The field types: their names, whether a JSON value is acceptable as
 * is for one, and the order of JSON numbers (for bounds).
 */


#include <jansson.h>

#include "ps_time.h"
#include "ps_type.h"
#include "ngx_http_profile_format.h"


static const char  *ps_type_names[] = {
    "null", "string", "integer", "number", "boolean", "timestamp",
    "object", "array"
};


const char *
ps_type_name(unsigned type)
{
    if (type > NGX_HTTP_PROFILE_TYPE_MAX) {
        return "unknown";
    }

    return ps_type_names[type];
}


const char *
ps_type_name_a(unsigned type)
{
    static const char  *names[] = {
        "null", "a string", "an integer", "a number", "a boolean",
        "a timestamp", "an object", "an array"
    };

    if (type > NGX_HTTP_PROFILE_TYPE_MAX) {
        return "unknown";
    }

    return names[type];
}


int
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


int
ps_number_cmp(const json_t *a, const json_t *b)
{
    double        x, y;
    json_int_t    i, j;

    if (json_is_integer(a) && json_is_integer(b)) {
        i = json_integer_value(a);
        j = json_integer_value(b);

        return (i > j) - (i < j);
    }

    x = json_number_value(a);
    y = json_number_value(b);

    return (x > y) - (x < y);
}
