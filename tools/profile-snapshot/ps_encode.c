
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_encode.h"


static int ps_encode_cb(const char *buf, size_t size, void *data);
static int ps_encode_precision(json_t *v);
static int ps_encode_real_precision(double d);


void
ps_record_reset(ps_record_t *r)
{
    r->entries.len = 0;
    r->body.len = 0;
    r->out.len = 0;
    r->n = 0;
    r->last_field = -1;
}


int
ps_record_add(ps_record_t *r, const ps_field_t *f, json_t *v)
{
    size_t          off;
    unsigned        type;
    unsigned char  *p;

    if ((int) f->id <= r->last_field) {
        return -1;
    }

    if (r->n) {
        ps_buf_addc(&r->body, ',');
    }

    off = r->body.len;

    ps_buf_addc(&r->body, '"');
    ps_buf_add(&r->body, f->name, f->name_len);
    ps_buf_add(&r->body, "\":", 2);

    if (ps_encode_json(&r->body, v) != 0) {
        r->body.len = off ? off - 1 : 0;
        return -1;
    }

    if (r->body.len > 0xffffffffUL) {
        return -1;
    }

    type = json_is_null(v) ? NGX_HTTP_PROFILE_TYPE_NULL : f->type;

    ps_buf_reserve(&r->entries, NGX_HTTP_PROFILE_ENTRY_SIZE);
    p = r->entries.data + r->entries.len;

    p = ngx_http_profile_put16(p, (uint16_t) f->id);
    *p++ = (unsigned char) f->cls;
    *p++ = (unsigned char) type;
    p = ngx_http_profile_put32(p, (uint32_t) off);
    ngx_http_profile_put32(p, (uint32_t) (r->body.len - off));

    r->entries.len += NGX_HTTP_PROFILE_ENTRY_SIZE;
    r->n++;
    r->last_field = (int) f->id;

    return 0;
}


const unsigned char *
ps_record_finish(ps_record_t *r, size_t *len)
{
    size_t          size;
    uint64_t        hash;
    unsigned char  *p;

    size = NGX_HTTP_PROFILE_RECORD_HEADER_SIZE + r->entries.len
           + r->body.len;

    r->out.len = 0;
    ps_buf_reserve(&r->out, size);

    p = r->out.data;
    p[0] = NGX_HTTP_PROFILE_RECORD_VERSION;
    p[1] = 0;
    ngx_http_profile_put16(p + 2, (uint16_t) r->n);
    ngx_http_profile_put32(p + 4, (uint32_t) r->body.len);

    p += NGX_HTTP_PROFILE_RECORD_HEADER_SIZE;

    if (r->entries.len) {
        memcpy(p, r->entries.data, r->entries.len);
        p += r->entries.len;
    }

    if (r->body.len) {
        memcpy(p, r->body.data, r->body.len);
    }

    hash = ngx_http_profile_fnv1a64(NGX_HTTP_PROFILE_FNV_OFFSET,
                              r->out.data + NGX_HTTP_PROFILE_RECORD_HEADER_SIZE,
                              size - NGX_HTTP_PROFILE_RECORD_HEADER_SIZE);
    ngx_http_profile_put64(r->out.data + 8, hash);

    r->out.len = size;
    *len = size;

    return r->out.data;
}


void
ps_record_free(ps_record_t *r)
{
    ps_buf_free(&r->entries);
    ps_buf_free(&r->body);
    ps_buf_free(&r->out);
}


int
ps_encode_json(ps_buf_t *b, json_t *v)
{
    int     p;
    size_t  flags;

    /*
     * jansson escapes '"', '\\' and control characters, writes UTF-8
     * as is (its decoder has already refused invalid UTF-8 and lone
     * surrogates) and leaves "/" alone without JSON_ESCAPE_SLASH.
     */

    flags = JSON_COMPACT | JSON_ENCODE_ANY;

    p = ps_encode_precision(v);
    if (p > 0) {
        flags |= JSON_REAL_PRECISION(p);
    }

    return json_dump_callback(v, ps_encode_cb, b, flags);
}


const char *
ps_json_type_name(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}


static int
ps_encode_cb(const char *buf, size_t size, void *data)
{
    ps_buf_add(data, buf, size);

    return 0;
}


/* the precision every real inside v needs; 0 if there are none */

static int
ps_encode_precision(json_t *v)
{
    int          p, max;
    size_t       i;
    json_t      *m;
    const char  *key;

    switch (json_typeof(v)) {

    case JSON_REAL:
        return ps_encode_real_precision(json_real_value(v));

    case JSON_ARRAY:
        max = 0;

        json_array_foreach(v, i, m) {
            p = ps_encode_precision(m);
            if (p > max) {
                max = p;
            }
        }

        return max;

    case JSON_OBJECT:
        max = 0;

        json_object_foreach(v, key, m) {
            p = ps_encode_precision(m);
            if (p > max) {
                max = p;
            }
        }

        return max;

    default:
        return 0;
    }
}


/*
 * Fewest significant digits (1..17) that read back as exactly d, but at
 * least its integer digits below 1e17, so that %g does not switch to an
 * exponent: 1000.0 stays "1000.0", not "1e3".
 */

static int
ps_encode_real_precision(double d)
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
