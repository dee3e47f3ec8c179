
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ps.h"
#include "ps_bignum.h"
#include "ps_coerce.h"
#include "ps_encode.h"
#include "ps_utf8.h"


static void ps_coerce_bound(char *buf, size_t size, const json_t *v,
    const ps_field_t *f);
static int ps_coerce_invalid(ps_report_t *rep, const ps_field_t *f,
    ps_reason_e code, json_t **out, const char *msg);
static json_t *ps_coerce_type(const ps_field_t *f, json_t *v);
static json_t *ps_coerce_string_number(const char *s, int integer);
static json_t *ps_coerce_boolean(json_t *v);
static json_t *ps_coerce_split(const ps_field_t *f, json_t *v);
static json_t *ps_trim(json_t *v);
static size_t ps_coerce_cut(const unsigned char *s, size_t n, size_t max);
static int ps_coerce_length(ps_report_t *rep, const ps_field_t *f,
    json_t **v);
static int ps_coerce_array(ps_report_t *rep, const ps_field_t *f,
    json_t **v);
static int ps_coerce_object(ps_report_t *rep, const ps_field_t *f,
    json_t **v);
static int ps_in_enum(const ps_field_t *f, json_t *v);
static int ps_limits_walk(ps_schema_t *s, json_t *v, size_t depth,
    ps_report_t *rep);


int
ps_coerce(ps_report_t *rep, const ps_field_t *f, json_t *v, json_t **out)
{
    int          rc;
    size_t       n;
    char         text[PS_TIME_TEXT];
    json_t      *w, *m;
    const char  *from;

    if (v == NULL) {
        if (f->dflt != NULL) {
            ps_report_reason(rep, PS_R_DEFAULT, f->path,
                             "absent; default used");
            *out = json_deep_copy(f->dflt);
            return PS_KEEP;
        }

        if (f->required) {
            ps_report_reason(rep, PS_R_REQUIRED, f->path,
                             "required, but absent");
            return PS_QUARANTINE;
        }

        return PS_DROP;
    }

    if (json_is_null(v)) {
        if (f->nullable) {
            *out = json_incref(v);
            return PS_KEEP;
        }

        return ps_coerce_invalid(rep, f, PS_R_INVALID_VALUE, out,
                                 "null is not allowed");
    }

    if (ps_bignum_marker(v, &from, &n)) {
        snprintf(text, sizeof(text), "a number out of range: %.*s",
                 (int) n, from);
        return ps_coerce_invalid(rep, f, PS_R_INVALID_VALUE, out, text);
    }

    v = json_incref(v);

    if (f->trim && json_is_string(v)) {
        w = ps_trim(v);

        if (w != v) {
            ps_report_reason(rep, PS_R_TRIMMED, f->path,
                             "surrounding white space removed");
            json_decref(v);
            v = w;

        } else {
            json_decref(w);
        }
    }

    if (f->map != NULL && json_is_string(v)) {
        m = json_object_get(f->map, json_string_value(v));

        if (m != NULL) {
            ps_report_reason(rep, PS_R_MAPPED, f->path, "value mapped");
            json_decref(v);
            v = json_deep_copy(m);

            if (json_is_null(v)) {
                *out = v;
                return PS_KEEP;
            }
        }
    }

    if (!ps_type_matches(f->type, v)) {
        w = f->coerce ? ps_coerce_type(f, v) : NULL;

        if (w == NULL) {
            from = ps_json_type_name(v);

            if (f->type == NGX_HTTP_PROFILE_TYPE_TIMESTAMP
                && json_is_string(v))
            {
                from = ps_time_why(json_string_value(v),
                                   json_string_length(v));

                if (from == NULL) {
                    from = "string that is not a known time format";
                }
            }

            json_decref(v);

            return ps_coerce_invalid(rep, f, PS_R_WRONG_TYPE, out,
                                     from);
        }

        ps_report_reason(rep, PS_R_COERCED, f->path, "%s to %s",
                         ps_json_type_name(v), ps_type_name(f->type));
        json_decref(v);
        v = w;

    } else if (f->type == NGX_HTTP_PROFILE_TYPE_TIMESTAMP) {
        /* one text per instant, so equal times encode alike */
        rc = ps_time_canonical(json_string_value(v), json_string_length(v),
                               text);

        if (rc < 0) {
            json_decref(v);
            return ps_coerce_invalid(rep, f, PS_R_WRONG_TYPE, out,
                                     "a time outside the years "
                                     "0000..9999 in UTC");
        }

        /* "+00:00" for "Z" or ".5" for ".500" is no news: not reported */
        if (rc > PS_TIME_SPELLING) {
            ps_report_reason(rep, PS_R_COERCED, f->path, "%s",
                             rc == PS_TIME_OFFSET
                             ? "timestamp with an offset to UTC"
                             : rc == PS_TIME_SUBMS
                             ? "timestamp cut to milliseconds"
                             : "leap second to the next second");
        }

        if (rc > 0) {
            json_decref(v);
            v = json_string(text);
        }
    }

    if ((f->minimum != NULL && ps_number_cmp(v, f->minimum) < 0)
        || (f->maximum != NULL && ps_number_cmp(v, f->maximum) > 0))
    {
        ps_coerce_bound(text, sizeof(text), v, f);
        json_decref(v);
        return ps_coerce_invalid(rep, f, PS_R_INVALID_VALUE, out, text);
    }

    if (f->pattern != NULL
        && regexec(f->pattern, json_string_value(v), 0, NULL, 0) != 0)
    {
        json_decref(v);
        return ps_coerce_invalid(rep, f, PS_R_INVALID_VALUE, out,
                                 "does not match the pattern");
    }

    if (f->enums != NULL && !ps_in_enum(f, v)) {
        json_decref(v);
        return ps_coerce_invalid(rep, f, PS_R_INVALID_VALUE, out,
                                 "not one of the enum values");
    }

    rc = ps_coerce_length(rep, f, &v);

    if (rc == PS_KEEP && f->items != NULL) {
        rc = ps_coerce_array(rep, f, &v);
    }

    if (rc == PS_KEEP && f->members != NULL) {
        rc = ps_coerce_object(rep, f, &v);
    }

    if (rc != PS_KEEP) {
        json_decref(v);
        return rc;
    }

    *out = v;

    return PS_KEEP;
}


int
ps_coerce_plain(const ps_field_t *f, const ps_raw_t *raw)
{
    char                  text[PS_TIME_TEXT];
    size_t                n;
    const unsigned char  *p;

    if (f->map != NULL || f->enums != NULL || f->minimum != NULL
        || f->maximum != NULL || f->pattern != NULL)
    {
        return 0;
    }

    switch (raw->data[0]) {

    case '{':
        return f->type == NGX_HTTP_PROFILE_TYPE_OBJECT && f->members == NULL;

    case '[':
        return f->type == NGX_HTTP_PROFILE_TYPE_ARRAY && f->items == NULL
               && !f->has_max;

    case 't':
    case 'f':
        return f->type == NGX_HTTP_PROFILE_TYPE_BOOLEAN;

    case '"':
        break;

    default:
        /* a number: an integer has neither '.' nor an exponent */
        return f->type == NGX_HTTP_PROFILE_TYPE_NUMBER
               || (f->type == NGX_HTTP_PROFILE_TYPE_INTEGER
                   && memchr(raw->data, '.', raw->len) == NULL);
    }

    if (f->trim) {
        return 0;
    }

    /* the string without its quotes; no escapes: bytes as they are */

    p = (const unsigned char *) raw->data + 1;
    n = raw->len - 2;

    if (f->type == NGX_HTTP_PROFILE_TYPE_TIMESTAMP) {
        /* valid, and already its one text (ps_coerce()) */
        return !f->has_max
               && ps_time_canonical((const char *) p, n, text) == 0;
    }

    if (f->type != NGX_HTTP_PROFILE_TYPE_STRING) {
        return 0;
    }

    return !f->has_max || n <= f->max_length
           || ps_coerce_cut(p, n, f->max_length) == n;
}


/*
 * Where the first max code points of the UTF-8 string s[0 .. n - 1] end:
 * the offset of the byte that starts code point max + 1, or n if there
 * are no more than max.
 */

static size_t
ps_coerce_cut(const unsigned char *s, size_t n, size_t max)
{
    size_t  i, count;

    count = 0;

    for (i = 0; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80 && ++count > max) {
            return i;
        }
    }

    return n;
}


int
ps_check_limits(ps_schema_t *s, json_t *v, ps_report_t *rep)
{
    return ps_limits_walk(s, v, 1, rep);
}


/* "V is below the minimum M" or "V is above the maximum M" */

static void
ps_coerce_bound(char *buf, size_t size, const json_t *v, const ps_field_t *f)
{
    int            below;
    char           a[28], b[28];
    const json_t  *m;

    below = (f->minimum != NULL && ps_number_cmp(v, f->minimum) < 0);
    m = below ? f->minimum : f->maximum;

    if (json_is_integer(v)) {
        snprintf(a, sizeof(a), "%" JSON_INTEGER_FORMAT,
                 json_integer_value(v));

    } else {
        snprintf(a, sizeof(a), "%.17g", json_real_value(v));
    }

    if (json_is_integer(m)) {
        snprintf(b, sizeof(b), "%" JSON_INTEGER_FORMAT,
                 json_integer_value(m));

    } else {
        snprintf(b, sizeof(b), "%.17g", json_real_value(m));
    }

    snprintf(buf, size, "%s is %s %s", a,
             below ? "below the minimum" : "above the maximum", b);
}


/* a value that cannot be made valid: the field's on_invalid decides */

static int
ps_coerce_invalid(ps_report_t *rep, const ps_field_t *f, ps_reason_e code,
    json_t **out, const char *msg)
{
    const char  *what;

    what = (code == PS_R_WRONG_TYPE) ? "expected " : "";

    if (f->on_invalid == PS_ON_QUARANTINE
        || (f->required && f->on_invalid == PS_ON_DROP))
    {
        ps_report_reason_kind(rep, code, PS_KIND_QUARANTINE, f->path,
                              "%s%s%s%s", what,
                              code == PS_R_WRONG_TYPE
                              ? ps_type_name(f->type) : "",
                              code == PS_R_WRONG_TYPE ? ", got " : "", msg);
        return PS_QUARANTINE;
    }

    if (f->on_invalid == PS_ON_DEFAULT) {
        ps_report_reason(rep, code, f->path, "%s%s%s%s; default used", what,
                         code == PS_R_WRONG_TYPE
                         ? ps_type_name(f->type) : "",
                         code == PS_R_WRONG_TYPE ? ", got " : "", msg);
        *out = json_deep_copy(f->dflt);
        return PS_KEEP;
    }

    ps_report_reason(rep, code, f->path, "%s%s%s%s; dropped", what,
                     code == PS_R_WRONG_TYPE ? ps_type_name(f->type) : "",
                     code == PS_R_WRONG_TYPE ? ", got " : "", msg);

    return PS_DROP;
}


/* a new value of f's type made from v, or NULL */

static json_t *
ps_coerce_type(const ps_field_t *f, json_t *v)
{
    char          text[PS_TIME_TEXT];
    double        d;
    int64_t       ms;
    ps_buf_t      b;
    json_t       *w;

    switch (f->type) {

    case NGX_HTTP_PROFILE_TYPE_INTEGER:
        if (json_is_string(v)) {
            return ps_coerce_string_number(json_string_value(v), 1);
        }

        if (json_is_real(v)) {
            d = json_real_value(v);

            if (d == floor(d) && d >= -9223372036854775808.0
                && d < 9223372036854775808.0)
            {
                return json_integer((json_int_t) d);
            }
        }

        return NULL;

    case NGX_HTTP_PROFILE_TYPE_NUMBER:
        return json_is_string(v)
               ? ps_coerce_string_number(json_string_value(v), 0) : NULL;

    case NGX_HTTP_PROFILE_TYPE_BOOLEAN:
        return ps_coerce_boolean(v);

    case NGX_HTTP_PROFILE_TYPE_STRING:
        if (json_is_boolean(v)) {
            return json_string(json_is_true(v) ? "true" : "false");
        }

        if (json_is_number(v)) {
            memset(&b, 0, sizeof(ps_buf_t));
            ps_encode_json(&b, v);
            w = json_stringn((char *) b.data, b.len);
            ps_buf_free(&b);
            return w;
        }

        return NULL;

    case NGX_HTTP_PROFILE_TYPE_TIMESTAMP:
        if (ps_time_coerce(v, f->formats, &ms) != 0) {
            return NULL;
        }

        ps_time_format(ms, text);
        return json_string(text);

    case NGX_HTTP_PROFILE_TYPE_ARRAY:
        return ps_coerce_split(f, v);

    default:
        return NULL;
    }
}


/* a string holding a JSON number (white space around allowed) */

static json_t *
ps_coerce_string_number(const char *s, int integer)
{
    char          *end;
    size_t         n;
    json_t        *v;
    json_error_t   err;

    while (*s == ' ' || *s == '\t') {
        s++;
    }

    n = strlen(s);

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }

    if (n == 0 || strspn(s, "-+0123456789.eE") < n) {
        return NULL;
    }

    /* the JSON grammar decides: no "+1", "01", ".5" or "1." */
    v = json_loadb(s, n, JSON_DECODE_ANY, &err);

    if (v == NULL || !json_is_number(v)) {
        if (v != NULL) {
            json_decref(v);
        }
        return NULL;
    }

    if (integer && !json_is_integer(v)) {
        json_decref(v);
        return NULL;
    }

    (void) end;

    return v;
}


static json_t *
ps_coerce_boolean(json_t *v)
{
    size_t       i;
    const char  *s;

    static const char  *yes[] = { "true", "yes", "y", "1", "on", NULL };
    static const char  *no[] = { "false", "no", "n", "0", "off", NULL };

    if (json_is_integer(v)) {
        if (json_integer_value(v) == 0 || json_integer_value(v) == 1) {
            return json_boolean(json_integer_value(v));
        }

        return NULL;
    }

    if (!json_is_string(v)) {
        return NULL;
    }

    s = json_string_value(v);

    for (i = 0; yes[i] != NULL; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            return json_true();
        }

        if (strcasecmp(s, no[i]) == 0) {
            return json_false();
        }
    }

    return NULL;
}


/* "a, b,c" -> ["a","b","c"] for arrays with a "split" separator */

static json_t *
ps_coerce_split(const ps_field_t *f, json_t *v)
{
    size_t       sep;
    json_t      *a, *e, *t;
    const char  *p, *q;

    if (f->split == NULL || !json_is_string(v)) {
        return NULL;
    }

    a = json_array();
    sep = strlen(f->split);
    p = json_string_value(v);

    for ( ;; ) {
        q = strstr(p, f->split);

        if (q == NULL) {
            q = p + strlen(p);
        }

        e = json_stringn(p, q - p);
        t = ps_trim(e);
        json_decref(e);

        if (json_string_length(t) > 0) {
            json_array_append_new(a, t);

        } else {
            json_decref(t);
        }

        if (*q == '\0') {
            break;
        }

        p = q + sep;
    }

    return a;
}


/* v itself if nothing to trim, else a new string */

static json_t *
ps_trim(json_t *v)
{
    size_t       n;
    const char  *s;

    s = json_string_value(v);
    n = json_string_length(v);

    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
        s++;
        n--;
    }

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'
                     || s[n - 1] == '\n' || s[n - 1] == '\r'))
    {
        n--;
    }

    if (n == json_string_length(v)) {
        return json_incref(v);
    }

    return json_stringn(s, n);
}


/* max_length: code points of a string, items of an array */

static int
ps_coerce_length(ps_report_t *rep, const ps_field_t *f, json_t **v)
{
    size_t                i, n;
    json_t               *w;
    const unsigned char  *s;

    if (!f->has_max) {
        return PS_KEEP;
    }

    if (json_is_string(*v)) {
        s = (const unsigned char *) json_string_value(*v);
        n = json_string_length(*v);
        i = ps_coerce_cut(s, n, f->max_length);

        if (i == n) {
            return PS_KEEP;
        }

        /* i is the first byte beyond max_length code points */

        if (f->on_too_long == PS_ON_TRUNCATE) {
            ps_report_reason(rep, PS_R_TRUNCATED, f->path,
                             "truncated to %zu characters", f->max_length);
            w = json_stringn((const char *) s, i);
            json_decref(*v);
            *v = w;
            return PS_KEEP;
        }

        if (f->on_too_long == PS_ON_QUARANTINE) {
            ps_report_reason(rep, PS_R_STRING_TOO_LONG, f->path,
                             "longer than %zu characters", f->max_length);
            return PS_QUARANTINE;
        }

        ps_report_reason_kind(rep, PS_R_STRING_TOO_LONG, PS_KIND_FIX,
                              f->path, "longer than %zu characters; "
                              "dropped", f->max_length);
        return PS_DROP;
    }

    if (!json_is_array(*v) || json_array_size(*v) <= f->max_length) {
        return PS_KEEP;
    }

    if (f->on_too_long == PS_ON_TRUNCATE) {
        ps_report_reason(rep, PS_R_TRUNCATED, f->path,
                         "truncated to %zu items", f->max_length);

        /* a new array: the input value is never changed (ps_coerce()) */

        w = json_array();

        for (i = 0; i < f->max_length; i++) {
            json_array_append(w, json_array_get(*v, i));
        }

        json_decref(*v);
        *v = w;

        return PS_KEEP;
    }

    if (f->on_too_long == PS_ON_QUARANTINE) {
        ps_report_reason(rep, PS_R_ARRAY_TOO_LONG, f->path,
                         "more than %zu items", f->max_length);
        return PS_QUARANTINE;
    }

    ps_report_reason_kind(rep, PS_R_ARRAY_TOO_LONG, PS_KIND_FIX, f->path,
                          "more than %zu items; dropped", f->max_length);

    return PS_DROP;
}


static int
ps_coerce_array(ps_report_t *rep, const ps_field_t *f, json_t **v)
{
    int      rc;
    size_t   i;
    json_t  *a, *e, *o;

    a = json_array();

    json_array_foreach(*v, i, e) {
        rc = ps_coerce(rep, f->items, e, &o);

        if (rc == PS_QUARANTINE) {
            json_decref(a);
            return rc;
        }

        if (rc == PS_KEEP) {
            json_array_append_new(a, o);
        }
    }

    json_decref(*v);
    *v = a;

    return PS_KEEP;
}


/* declared members in declaration order, then kept unknown ones */

static int
ps_coerce_object(ps_report_t *rep, const ps_field_t *f, json_t **v)
{
    int          rc, known;
    json_t      *obj, *m, *o;
    unsigned     i, k;
    const char  *key;
    ps_field_t  *mf;

    obj = json_object();

    for (i = 0; i < f->nmembers; i++) {
        mf = &f->members[i];
        m = json_object_get(*v, mf->name);

        for (k = 0; m == NULL && k < mf->naliases; k++) {
            m = json_object_get(*v, mf->aliases[k]);

            if (m != NULL) {
                ps_report_reason(rep, PS_R_ALIAS, mf->path, "from \"%s\"",
                                 mf->aliases[k]);
            }
        }

        rc = ps_coerce(rep, mf, m, &o);

        if (rc == PS_QUARANTINE) {
            json_decref(obj);
            return rc;
        }

        if (rc == PS_KEEP) {
            json_object_set_new(obj, mf->name, o);
        }
    }

    json_object_foreach(*v, key, m) {
        known = 0;

        for (i = 0; i < f->nmembers && !known; i++) {
            mf = &f->members[i];
            known = (strcmp(key, mf->name) == 0);

            for (k = 0; k < mf->naliases && !known; k++) {
                known = (strcmp(key, mf->aliases[k]) == 0);
            }
        }

        if (known) {
            continue;
        }

        if (f->keep_unknown) {
            json_object_set(obj, key, m);
            continue;
        }

        ps_report_reason(rep, PS_R_UNKNOWN_FIELD, f->path,
                         "unknown member \"%s\" dropped", key);
    }

    json_decref(*v);
    *v = obj;

    return PS_KEEP;
}


static int
ps_in_enum(const ps_field_t *f, json_t *v)
{
    size_t   i;
    json_t  *e;

    json_array_foreach(f->enums, i, e) {
        if (json_equal(e, v)) {
            return 1;
        }
    }

    return 0;
}


static int
ps_limits_walk(ps_schema_t *s, json_t *v, size_t depth, ps_report_t *rep)
{
    size_t       i;
    json_t      *m;
    const char  *key;

    switch (json_typeof(v)) {

    case JSON_STRING:
        if (json_string_length(v) > s->max_string_bytes) {
            ps_report_reason(rep, PS_R_STRING_TOO_LONG, NULL,
                             "a string of %zu bytes exceeds limits."
                             "string_bytes %zu", json_string_length(v),
                             s->max_string_bytes);
            return -1;
        }

        return 0;

    case JSON_ARRAY:
    case JSON_OBJECT:
        if (depth > s->max_depth) {
            ps_report_reason(rep, PS_R_TOO_DEEP, NULL,
                             "nested deeper than limits.depth %zu",
                             s->max_depth);
            return -1;
        }

        if (json_is_array(v)) {
            if (json_array_size(v) > s->max_array_items) {
                ps_report_reason(rep, PS_R_ARRAY_TOO_LONG, NULL,
                                 "an array of %zu items exceeds "
                                 "limits.array_items %zu",
                                 json_array_size(v), s->max_array_items);
                return -1;
            }

            json_array_foreach(v, i, m) {
                if (ps_limits_walk(s, m, depth + 1, rep) != 0) {
                    return -1;
                }
            }

            return 0;
        }

        json_object_foreach(v, key, m) {
            if (strlen(key) > s->max_string_bytes) {
                ps_report_reason(rep, PS_R_STRING_TOO_LONG, NULL,
                                 "a member name exceeds "
                                 "limits.string_bytes %zu",
                                 s->max_string_bytes);
                return -1;
            }

            if (ps_limits_walk(s, m, depth + 1, rep) != 0) {
                return -1;
            }
        }

        return 0;

    default:
        return 0;
    }
}
