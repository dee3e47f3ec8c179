
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "fz_json.h"


static int fz_precision(json_t *v);
static int fz_real_precision(double d);


void
fz_json_same(json_t *a, json_t *b)
{
    size_t       i, n;
    double       x, y;
    void        *ia, *ib;

    fz_assert(json_typeof(a) == json_typeof(b), "same type");

    switch (json_typeof(a)) {

    case JSON_OBJECT:
        fz_assert(json_object_size(a) == json_object_size(b),
                  "same member count");

        ia = json_object_iter(a);
        ib = json_object_iter(b);

        while (ia != NULL) {
            fz_assert(ib != NULL, "same member count (iteration)");

            fz_assert(json_object_iter_key_len(ia)
                      == json_object_iter_key_len(ib)
                      && memcmp(json_object_iter_key(ia),
                                json_object_iter_key(ib),
                                json_object_iter_key_len(ia)) == 0,
                      "same member names in the same order");

            fz_json_same(json_object_iter_value(ia),
                         json_object_iter_value(ib));

            ia = json_object_iter_next(a, ia);
            ib = json_object_iter_next(b, ib);
        }

        fz_assert(ib == NULL, "same member count (iteration end)");
        break;

    case JSON_ARRAY:
        n = json_array_size(a);
        fz_assert(n == json_array_size(b), "same array size");

        for (i = 0; i < n; i++) {
            fz_json_same(json_array_get(a, i), json_array_get(b, i));
        }
        break;

    case JSON_STRING:
        fz_assert(json_string_length(a) == json_string_length(b)
                  && memcmp(json_string_value(a), json_string_value(b),
                            json_string_length(a)) == 0,
                  "same string bytes");
        fz_assert(json_string_value(a)[json_string_length(a)] == '\0',
                  "string NUL-terminated");
        break;

    case JSON_INTEGER:
        fz_assert(json_integer_value(a) == json_integer_value(b),
                  "same integer");
        break;

    case JSON_REAL:
        x = json_real_value(a);
        y = json_real_value(b);
        fz_assert(memcmp(&x, &y, sizeof(double)) == 0,
                  "same double, bit for bit");
        fz_assert(isfinite(x), "finite real");
        break;

    default:
        break;
    }
}


char *
fz_json_reference(json_t *v, size_t *len)
{
    int              p;
    char            *s, *copy;
    size_t           flags;
    json_free_t      jfree;
    json_malloc_t    jmalloc;

    flags = JSON_COMPACT | JSON_ENCODE_ANY;

    p = fz_precision(v);
    if (p > 0) {
        flags |= JSON_REAL_PRECISION(p);
    }

    s = json_dumps(v, flags);

    if (s == NULL) {
        return NULL;
    }

    /* jansson's allocator may be the CLI's arena: hand back malloc() */
    *len = strlen(s);
    copy = (char *) fz_dup((const unsigned char *) s, *len + 1);

    json_get_alloc_funcs(&jmalloc, &jfree);
    jfree(s);

    return copy;
}


static int
fz_precision(json_t *v)
{
    int          p, max;
    size_t       i;
    json_t      *m;
    const char  *key;

    switch (json_typeof(v)) {

    case JSON_REAL:
        return fz_real_precision(json_real_value(v));

    case JSON_ARRAY:
        max = 0;

        json_array_foreach(v, i, m) {
            p = fz_precision(m);
            max = p > max ? p : max;
        }

        return max;

    case JSON_OBJECT:
        max = 0;

        json_object_foreach(v, key, m) {
            p = fz_precision(m);
            max = p > max ? p : max;
        }

        return max;

    default:
        return 0;
    }
}


static int
fz_real_precision(double d)
{
    int     p, min;
    char    text[64];
    double  a;

    a = d < 0 ? -d : d;
    min = 1;

    while (a >= 10 && a < 1e17 && min < 17) {
        a /= 10;
        min++;
    }

    for (p = min; p < 17; p++) {
        snprintf(text, sizeof(text), "%.*g", p, d);

        if (strtod(text, NULL) == d) {
            return p;
        }
    }

    return 17;
}
