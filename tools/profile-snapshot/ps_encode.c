
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_encode.h"
#include "ps_trailer.h"
#include "ps_utf8.h"


static void ps_record_trailer_add(ps_record_t *r, const ps_field_t *f,
    size_t off);
static void ps_record_alt(ps_record_t *r, unsigned of, unsigned id,
    const unsigned char *v, size_t len);
static void ps_record_member(ps_record_t *r, unsigned id, size_t off,
    size_t len);
static unsigned char *ps_record_write_trailer(const ps_record_t *r,
    unsigned char *p);
static int ps_encode_value(ps_buf_t *b, json_t *v, int precision);
static int ps_encode_string(ps_buf_t *b, const char *s, size_t len);
static void ps_encode_integer(ps_buf_t *b, json_int_t v);
static int ps_encode_real(ps_buf_t *b, double d, int precision);
static int ps_encode_real_fixed(ps_buf_t *b, double d, int precision);
static int ps_encode_precision(json_t *v);
static int ps_encode_real_precision(double d);
static int ps_encode_real_digits(double d);
static int ps_encode_real_decimal(double a, uint64_t *u, int *k);


void
ps_record_reset(ps_record_t *r)
{
    r->entries.len = 0;
    r->body.len = 0;
    r->tmembers.len = 0;
    r->talts.len = 0;
    r->tdata.len = 0;
    r->nmembers = 0;
    r->nalts = 0;
    r->n = 0;
    r->last_field = -1;
    r->state = NGX_HTTP_PROFILE_STATE_ACTIVE;
}


int
ps_record_add(ps_record_t *r, const ps_field_t *f, unsigned cls,
    json_t *v, const ps_raw_t *raw)
{
    size_t                     off;
    unsigned                   type;
    unsigned char             *p;
    ngx_http_profile_entry_t   e;

    if ((int) f->id <= r->last_field) {
        return -1;
    }

    /* ',', '"', the name, '"', ':' and a value kept as its text */
    ps_buf_reserve(&r->body, f->name_len + 4
                             + ((raw != NULL) ? raw->len : 0));

    p = r->body.data + r->body.len;

    if (r->n) {
        *p++ = ',';
    }

    off = (size_t) (p - r->body.data);

    *p++ = '"';
    memcpy(p, f->name, f->name_len);
    p += f->name_len;
    *p++ = '"';
    *p++ = ':';

    if (raw != NULL && raw->len != 0) {
        memcpy(p, raw->data, raw->len);
        p += raw->len;
        r->body.len = (size_t) (p - r->body.data);

    } else {
        r->body.len = (size_t) (p - r->body.data);

        if (ps_encode_json(&r->body, v) != 0) {
            r->body.len = off ? off - 1 : 0;
            return -1;
        }
    }

    if (r->body.len > 0xffffffffUL) {
        return -1;
    }

    type = json_is_null(v) ? NGX_HTTP_PROFILE_TYPE_NULL : f->type;

    e.field_id = (uint16_t) f->id;
    e.cls = (uint8_t) cls;
    e.type = (uint8_t) type;
    e.off = (uint32_t) off;
    e.len = (uint32_t) (r->body.len - off);

    ps_buf_reserve(&r->entries, NGX_HTTP_PROFILE_ENTRY_SIZE);
    ngx_http_profile_entry_encode(r->entries.data + r->entries.len, &e);

    r->entries.len += NGX_HTTP_PROFILE_ENTRY_SIZE;
    r->n++;
    r->last_field = (int) f->id;

    if (type != NGX_HTTP_PROFILE_TYPE_NULL) {
        ps_record_trailer_add(r, f, off + f->name_len + 3);
    }

    return 0;
}


/*
 * The trailer's part for field f, whose value starts at body offset off
 * and ends the body: an epoch alt for a timestamp; for an object with
 * declared members, a member entry per declared member it holds (ids
 * ascending: sorted here, whatever the object's member order) and an
 * epoch alt per non-null timestamp member.
 */

static void
ps_record_trailer_add(ps_record_t *r, const ps_field_t *f, size_t off)
{
    int                         rc;
    size_t                      pos, len;
    unsigned                    j, first, k;
    ps_span_t                   m;
    const unsigned char        *v;
    const ps_field_t           *mf;
    ngx_http_profile_tentry_t  *te, tmp;

    v = r->body.data + off;
    len = r->body.len - off;

    if (f->type == NGX_HTTP_PROFILE_TYPE_TIMESTAMP) {
        ps_record_alt(r, NGX_HTTP_PROFILE_ALT_OF_FIELD, f->id, v, len);
        return;
    }

    if (f->type != NGX_HTTP_PROFILE_TYPE_OBJECT || f->nmembers == 0) {
        return;
    }

    first = r->nmembers;
    pos = 0;

    while ((rc = ps_span_next(v, len, &pos, &m)) == 1) {
        for (j = 0; j < f->nmembers; j++) {
            mf = &f->members[j];

            if (mf->name_len == m.key_len
                && memcmp(mf->name, m.key, m.key_len) == 0)
            {
                break;
            }
        }

        if (j == f->nmembers) {
            continue;       /* an undeclared member (keep_unknown) */
        }

        /* a name twice: the first one (JSON readers differ on it) */

        te = (ngx_http_profile_tentry_t *) r->tmembers.data;

        for (k = first; k < r->nmembers; k++) {
            if (te[k].id == f->member_base + j) {
                break;
            }
        }

        if (k < r->nmembers) {
            continue;
        }

        ps_record_member(r, f->member_base + j, off + m.off, m.len);
    }

    /* insertion sort of this object's entries by member id */

    te = (ngx_http_profile_tentry_t *) r->tmembers.data;

    for (j = first + 1; j < r->nmembers; j++) {
        tmp = te[j];

        for (k = j; k > first && te[k - 1].id > tmp.id; k--) {
            te[k] = te[k - 1];
        }

        te[k] = tmp;
    }

    for (j = first; j < r->nmembers; j++) {
        mf = &f->members[te[j].id - f->member_base];

        if (mf->type == NGX_HTTP_PROFILE_TYPE_TIMESTAMP) {
            ps_record_alt(r, NGX_HTTP_PROFILE_ALT_OF_MEMBER, te[j].id,
                          r->body.data + te[j].off, te[j].len);
        }
    }
}


/* an epoch alt of a timestamp value v (none for null or a non-time) */

static void
ps_record_alt(ps_record_t *r, unsigned of, unsigned id,
    const unsigned char *v, size_t len)
{
    int                         n;
    char                        text[PS_EPOCH_TEXT];
    ngx_http_profile_tentry_t   e;

    n = ps_epoch_text(v, len, text);

    if (n <= 0) {
        return;
    }

    e.kind = NGX_HTTP_PROFILE_ALT_EPOCH;
    e.of = (uint8_t) of;
    e.id = (uint16_t) id;
    e.off = (uint32_t) r->tdata.len;
    e.len = (uint32_t) n;

    ps_buf_add(&r->tdata, text, (size_t) n);
    ps_buf_add(&r->talts, &e, sizeof(e));
    r->nalts++;
}


static void
ps_record_member(ps_record_t *r, unsigned id, size_t off, size_t len)
{
    ngx_http_profile_tentry_t  e;

    e.kind = 0;
    e.of = NGX_HTTP_PROFILE_ALT_OF_MEMBER;
    e.id = (uint16_t) id;
    e.off = (uint32_t) off;
    e.len = (uint32_t) len;

    ps_buf_add(&r->tmembers, &e, sizeof(e));
    r->nmembers++;
}


size_t
ps_record_size(const ps_record_t *r, size_t id_len)
{
    uint64_t  n;

    n = ngx_http_profile_record_size_of(id_len, r->n, r->body.len);

    if (r->nmembers != 0 || r->nalts != 0) {
        n += ngx_http_profile_trailer_size_of(r->nmembers, r->nalts,
                                              r->tdata.len);
    }

    return (size_t) n;
}


void
ps_record_write(const ps_record_t *r, const char *id, size_t id_len,
    unsigned char *out)
{
    unsigned char  *p;

    /* the caller's id is valid: 1 .. NGX_HTTP_PROFILE_ID_MAX bytes */

    p = ngx_http_profile_record_encode(out, (uint16_t) r->n,
                                       (uint32_t) r->body.len, id, id_len);

    /* before the seal: the flags seed the record's hash */
    ngx_http_profile_record_set_state(out, r->state);

    if (r->entries.len) {
        memcpy(p, r->entries.data, r->entries.len);
        p += r->entries.len;
    }

    if (r->body.len) {
        memcpy(p, r->body.data, r->body.len);
        p += r->body.len;
    }

    if (r->nmembers != 0 || r->nalts != 0) {
        ngx_http_profile_record_set_trailer(out);
        p = ps_record_write_trailer(r, p);
    }

    ngx_http_profile_record_seal(out, ps_record_size(r, id_len));
}


/*
 * The trailer at p: the member entries, the alts in (of, id, kind)
 * order (the fields' alts, added in field order, before the members',
 * added in member id order), the alt data.
 */

static unsigned char *
ps_record_write_trailer(const ps_record_t *r, unsigned char *p)
{
    unsigned                          i, n, of;
    const ngx_http_profile_tentry_t  *a;
    ngx_http_profile_tentry_t         sorted[64], *alts;

    a = (const ngx_http_profile_tentry_t *) r->talts.data;

    alts = (r->nalts <= 64) ? sorted
           : ps_alloc(r->nalts * sizeof(ngx_http_profile_tentry_t));

    n = 0;

    for (of = NGX_HTTP_PROFILE_ALT_OF_FIELD;
         of <= NGX_HTTP_PROFILE_ALT_OF_MEMBER;
         of++)
    {
        for (i = 0; i < r->nalts; i++) {
            if (a[i].of == of) {
                alts[n++] = a[i];
            }
        }
    }

    p = ngx_http_profile_trailer_encode(p,
            (const ngx_http_profile_tentry_t *) r->tmembers.data,
            r->nmembers, alts, r->nalts, (uint32_t) r->tdata.len);

    if (alts != sorted) {
        free(alts);
    }

    if (r->tdata.len) {
        memcpy(p, r->tdata.data, r->tdata.len);
        p += r->tdata.len;
    }

    return p;
}


void
ps_record_free(ps_record_t *r)
{
    ps_buf_free(&r->entries);
    ps_buf_free(&r->body);
    ps_buf_free(&r->tmembers);
    ps_buf_free(&r->talts);
    ps_buf_free(&r->tdata);
}


int
ps_encode_json(ps_buf_t *b, json_t *v)
{
    int     p;
    size_t  len;

    /*
     * The bytes json_dumps(JSON_COMPACT | JSON_ENCODE_ANY |
     * JSON_REAL_PRECISION(p)) gives, written straight into b: '"', '\\'
     * and control characters escaped (\b \f \n \r \t, else \u00XX),
     * UTF-8 as is (invalid UTF-8 fails), "/" not escaped, members in
     * insertion order, one precision for every real of the value.
     */

    p = ps_encode_precision(v);
    len = b->len;

    if (ps_encode_value(b, v, p > 0 ? p : 17) != 0) {
        b->len = len;
        return -1;
    }

    return 0;
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
ps_encode_value(ps_buf_t *b, json_t *v, int precision)
{
    int           first;
    size_t        i, klen;
    json_t       *m;
    const char   *key;

    switch (json_typeof(v)) {

    case JSON_OBJECT:
        ps_buf_addc(b, '{');
        first = 1;

        json_object_keylen_foreach(v, key, klen, m) {
            if (!first) {
                ps_buf_addc(b, ',');
            }

            first = 0;

            if (ps_encode_string(b, key, klen) != 0) {
                return -1;
            }

            ps_buf_addc(b, ':');

            if (ps_encode_value(b, m, precision) != 0) {
                return -1;
            }
        }

        ps_buf_addc(b, '}');
        return 0;

    case JSON_ARRAY:
        ps_buf_addc(b, '[');

        json_array_foreach(v, i, m) {
            if (i) {
                ps_buf_addc(b, ',');
            }

            if (ps_encode_value(b, m, precision) != 0) {
                return -1;
            }
        }

        ps_buf_addc(b, ']');
        return 0;

    case JSON_STRING:
        return ps_encode_string(b, json_string_value(v),
                                json_string_length(v));

    case JSON_INTEGER:
        ps_encode_integer(b, json_integer_value(v));
        return 0;

    case JSON_REAL:
        return ps_encode_real(b, json_real_value(v), precision);

    case JSON_TRUE:
        ps_buf_add(b, "true", 4);
        return 0;

    case JSON_FALSE:
        ps_buf_add(b, "false", 5);
        return 0;

    default:
        ps_buf_add(b, "null", 4);
        return 0;
    }
}


/* jansson's dump_string() without flags */

static int
ps_encode_string(ps_buf_t *b, const char *str, size_t len)
{
    size_t                i, k, n, run;
    uint64_t              m;
    unsigned char         c, *o;
    const unsigned char  *s;

    static const char  hex[] = "0123456789ABCDEF";

    s = (const unsigned char *) str;

    /* worst case: every byte as \\u00XX, and the quotes */
    ps_buf_reserve(b, len * 6 + 2);
    o = b->data + b->len;

    *o++ = '"';
    run = 0;

    i = 0;

    while (i < len) {
        n = len - i;
        m = (n >= 8) ? ps_swar_special(s + i) : ps_swar_special_n(s + i, n);

        if (m == 0) {
            i += (n >= 8) ? 8 : n;
            continue;
        }

        i += ps_swar_skip(m);
        c = s[i];

        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }

        if (c >= 0x80) {
            k = ps_utf8_seq(s + i, len - i);

            if (k == 0) {
                return -1;
            }

            i += k;
            continue;
        }

        memcpy(o, s + run, i - run);
        o += i - run;
        run = i + 1;

        *o++ = '\\';

        switch (c) {
        case '"':  *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 0xf];
        }

        i++;
    }

    memcpy(o, s + run, len - run);
    o += len - run;
    *o++ = '"';

    b->len = (size_t) (o - b->data);

    return 0;
}


static void
ps_encode_integer(ps_buf_t *b, json_int_t v)
{
    char      text[24], *p;
    uint64_t  u;

    p = text + sizeof(text);
    u = (v < 0) ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;

    do {
        *--p = (char) ('0' + u % 10);
        u /= 10;
    } while (u);

    if (v < 0) {
        *--p = '-';
    }

    ps_buf_add(b, p, (size_t) (text + sizeof(text) - p));
}


/*
 * jansson's jsonp_dtostr(): "%.*g", ".0" when there is neither a dot
 * nor an exponent, no "+" and no leading zeros in the exponent.
 */

static const double  ps_pow10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10
};


static int
ps_encode_real(ps_buf_t *b, double d, int precision)
{
    int    n;
    char   text[64], *e, *from, *to;

    if (ps_encode_real_fixed(b, d, precision) == 0) {
        return 0;
    }

    n = snprintf(text, sizeof(text), "%.*g", precision, d);

    if (n < 0 || (size_t) n >= sizeof(text) - 3) {
        return -1;
    }

    if (strchr(text, '.') == NULL && strchr(text, 'e') == NULL) {
        text[n++] = '.';
        text[n++] = '0';
        text[n] = '\0';
    }

    e = strchr(text, 'e');

    if (e != NULL) {
        from = e + 1;
        to = from;

        if (*to == '-') {
            to++;
            from++;

        } else if (*to == '+') {
            from++;
        }

        while (*from == '0' && from[1] != '\0') {
            from++;
        }

        if (from != to) {
            memmove(to, from, strlen(from) + 1);
            n = (int) strlen(text);
        }
    }

    ps_buf_add(b, text, (size_t) n);

    return 0;
}


/*
 * ps_encode_real() without printf for the common case (see
 * ps_encode_real_digits()): d is the double nearest to m / 10^k, m of at
 * most 15 digits, and "%.*g" would print it in fixed notation with no
 * more than precision significant digits.  precision is at most 15
 * then, so rounding d's exact binary value to that many digits gives m's
 * digits back (its error is far below half a unit of the 15th digit),
 * and %g drops the zeros that follow.  Returns -1 when d is not of that
 * kind (nothing written).
 */

static int
ps_encode_real_fixed(ps_buf_t *b, double d, int precision)
{
    int        k, nd, n, x, i;
    char       text[40], *p;
    double     a;
    uint64_t   u, v;

    a = d < 0 ? -d : d;

    /* also refuses 0, -0 and NaN, left to printf */
    if (!(a >= 1e-4 && a < 1e15) || precision > 15) {
        return -1;
    }

    if (ps_encode_real_decimal(a, &u, &k) != 0) {
        return -1;
    }

    while (k > 0 && u % 10 == 0) {
        u /= 10;
        k--;
    }

    /* digits of u, significant ones, and the decimal exponent of d */

    nd = 0;

    for (v = u; v != 0; v /= 10) {
        nd++;
    }

    n = nd;

    for (v = u; k == 0 && v % 10 == 0; v /= 10) {
        n--;
    }

    x = nd - 1 - k;

    if (n > precision || x >= precision || x < -4) {
        return -1;
    }

    /* u / 10^k in fixed notation, written backwards */

    p = text + sizeof(text);

    if (k == 0) {
        *--p = '0';
        *--p = '.';
    }

    for (i = 0; i < k || u != 0; i++) {
        if (i == k && k != 0) {
            *--p = '.';
        }

        *--p = (char) ('0' + u % 10);
        u /= 10;
    }

    if (nd <= k) {
        *--p = '.';
        *--p = '0';
    }

    if (d < 0) {
        *--p = '-';
    }

    ps_buf_add(b, p, (size_t) (text + sizeof(text) - p));

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

    p = ps_encode_real_digits(d);

    if (p > 0) {
        return p > min ? p : min;
    }

    for (p = min; p < 17; p++) {
        snprintf(text, sizeof(text), "%.*g", p, d);

        if (strtod(text, NULL) == d) {
            return p;
        }
    }

    return 17;
}


/*
 * The common case without printf and strtod: d is the double nearest to
 * m / 10^k for an integer m of at most 15 digits (checked exactly: the
 * division is correctly rounded, as strtod() is).  Two different
 * decimals of at most 15 significant digits never round to the same
 * double, so no shorter "%.*g" of d reads back as d, and m's digits
 * (trailing zeros dropped) are the answer.  Returns 0 when d is not of
 * that kind.
 */

static int
ps_encode_real_digits(double d)
{
    int       k, n;
    double    a;
    uint64_t  u;

    a = d < 0 ? -d : d;

    if (a == 0) {
        return 1;
    }

    if (ps_encode_real_decimal(a, &u, &k) != 0) {
        return 0;
    }

    while (u % 10 == 0) {
        u /= 10;
    }

    for (n = 0; u != 0; n++) {
        u /= 10;
    }

    return n;
}


/*
 * The m and k of ps_encode_real_digits() for a > 0: *u = m, the first
 * k (0..10) for which a is the double nearest to m / 10^k.  Returns 0,
 * or -1 if there is none with m below 10^15 (NaN and infinity included).
 */

static int
ps_encode_real_decimal(double a, uint64_t *u, int *k)
{
    int       i;
    double    x;
    uint64_t  m;

    if (!(a < 1e15)) {
        return -1;
    }

    for (i = 0; i < (int) (sizeof(ps_pow10) / sizeof(ps_pow10[0])); i++) {
        x = a * ps_pow10[i];

        if (x >= 1e15) {
            return -1;
        }

        m = (uint64_t) (x + 0.5);

        if ((double) m / ps_pow10[i] == a) {
            if (m == 0) {
                return -1;
            }

            *u = m;
            *k = i;

            return 0;
        }
    }

    return -1;
}
