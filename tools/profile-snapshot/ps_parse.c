
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ps_parse.h"
#include "ps_utf8.h"


typedef struct {
    const unsigned char  *p;
    const unsigned char  *end;
    ps_buf_t             *scratch;
    unsigned              depth;
    ps_parse_stats_t     *stats;
} ps_parse_t;


static void ps_parse_init(ps_parse_t *ps, const unsigned char *p,
    size_t len, ps_buf_t *scratch, ps_parse_stats_t *stats);
static inline int ps_parse_member_new(ps_member_t *m, size_t n,
    uint64_t *seen);
static int ps_parse_skip(ps_parse_t *ps, unsigned level);
static int ps_parse_skip_value(ps_parse_t *ps, unsigned level);
static size_t ps_parse_raw(json_t *v, const unsigned char *p, size_t len);
static size_t ps_parse_plain(const unsigned char *p, const unsigned char *end);
static json_t *ps_parse_value(ps_parse_t *ps);
static json_t *ps_parse_obj(ps_parse_t *ps);
static json_t *ps_parse_array(ps_parse_t *ps);
static int ps_parse_string(ps_parse_t *ps, const char **s, size_t *len);
static int ps_parse_escape(ps_parse_t *ps);
static int ps_parse_hex4(const unsigned char *p, unsigned *v);
static json_t *ps_parse_number(ps_parse_t *ps);
static json_t *ps_parse_word(ps_parse_t *ps, const char *w, size_t n,
    json_t *v);


#define ps_parse_ws(ps)                                                     \
    while ((ps)->p < (ps)->end                                              \
           && (*(ps)->p == ' ' || *(ps)->p == '\t' || *(ps)->p == '\n'      \
               || *(ps)->p == '\r'))                                        \
    {                                                                       \
        (ps)->p++;                                                          \
    }


json_t *
ps_parse_object(const unsigned char *p, size_t len, ps_buf_t *scratch,
    ps_parse_stats_t *stats)
{
    json_t      *v;
    ps_parse_t   ps;

    ps_parse_init(&ps, p, len, scratch, stats);

    ps_parse_ws(&ps);

    if (ps.p == ps.end || *ps.p != '{') {
        return NULL;
    }

    v = ps_parse_obj(&ps);

    if (v == NULL) {
        return NULL;
    }

    ps_parse_ws(&ps);

    if (ps.p != ps.end) {
        json_decref(v);
        return NULL;
    }

    return v;
}


int
ps_parse_members(const unsigned char *p, size_t len, ps_buf_t *scratch,
    ps_parse_stats_t *stats, ps_buf_t *members)
{
    size_t                klen, slen, n, mark;
    json_t               *v;
    uint64_t              seen;
    unsigned              depth;
    const char           *key, *s;
    ps_parse_t            ps;
    ps_member_t          *m;
    const unsigned char  *start;

    ps_parse_init(&ps, p, len, scratch, stats);

    /* the object's own level, which ps_parse_obj() would count */
    ps.depth = 1;
    stats->depth = 1;

    members->len = 0;
    seen = 0;
    n = 0;

    ps_parse_ws(&ps);

    if (ps.p == ps.end || *ps.p != '{') {
        return -1;
    }

    ps.p++;
    ps_parse_ws(&ps);

    if (ps.p < ps.end && *ps.p == '}') {
        ps.p++;
        goto end;
    }

    for ( ;; ) {
        if (ps.p == ps.end || *ps.p != '"' || n == PS_PARSE_MAX_MEMBERS) {
            goto fail;
        }

        mark = scratch->len;

        if (ps_parse_string(&ps, &key, &klen) != 0
            || scratch->len != mark)
        {
            /* unescaped into scratch: the general way keeps such names */
            goto fail;
        }

        ps_parse_ws(&ps);

        if (ps.p == ps.end || *ps.p != ':') {
            goto fail;
        }

        ps.p++;
        ps_parse_ws(&ps);

        start = ps.p;

        if (ps.p < ps.end && *ps.p == '"') {
            if (ps_parse_string(&ps, &s, &slen) != 0) {
                goto fail;
            }

            /* without escapes: no value until needed */
            v = NULL;

            if (scratch->len != mark) {
                v = json_stringn_nocheck(s, slen);
                scratch->len = mark;

                if (v == NULL) {
                    goto fail;
                }
            }

        } else if (ps.p < ps.end && (*ps.p == '{' || *ps.p == '[')) {
            depth = ps.depth;

            /* already as it would be written: no value until needed */
            if (ps_parse_skip(&ps, 0) == 0) {
                v = NULL;

            } else {
                ps.p = start;
                ps.depth = depth;
                scratch->len = mark;

                v = ps_parse_value(&ps);

                if (v == NULL) {
                    goto fail;
                }
            }

        } else if ((slen = ps_parse_plain(ps.p, ps.end)) != 0) {
            /* a number, true or false as it would be written */
            ps.p += slen;
            v = NULL;

        } else {
            v = ps_parse_value(&ps);

            if (v == NULL) {
                goto fail;
            }
        }

        ps_buf_reserve(members, sizeof(ps_member_t));
        m = (ps_member_t *) members->data;
        m[n].key = key;
        m[n].len = klen;
        m[n].value = v;
        m[n].raw.data = (const char *) start;
        m[n].raw.len = (v == NULL) ? (size_t) (ps.p - start)
                                   : ps_parse_raw(v, start,
                                                  (size_t) (ps.p - start));
        members->len += sizeof(ps_member_t);
        n++;

        if (ps_parse_member_new(m, n - 1, &seen) != 0) {
            goto fail;
        }

        scratch->len = mark;

        ps_parse_ws(&ps);

        if (ps.p == ps.end) {
            goto fail;
        }

        if (*ps.p == ',') {
            ps.p++;
            ps_parse_ws(&ps);
            continue;
        }

        if (*ps.p == '}') {
            ps.p++;
            break;
        }

        goto fail;
    }

end:

    ps_parse_ws(&ps);

    if (ps.p == ps.end) {
        return (int) n;
    }

fail:

    ps_parse_members_free(members);

    return -1;
}


void
ps_parse_members_free(ps_buf_t *members)
{
    size_t        i, n;
    ps_member_t  *m;

    m = (ps_member_t *) members->data;
    n = members->len / sizeof(ps_member_t);

    for (i = 0; i < n; i++) {
        if (m[i].value != NULL) {
            json_decref(m[i].value);
        }
    }

    members->len = 0;
}


json_t *
ps_member_value(ps_member_t *m)
{
    if (m->value == NULL) {
        m->value = ps_raw_value(&m->raw);
    }

    return m->value;
}


json_t *
ps_raw_value(const ps_raw_t *raw)
{
    ps_buf_t          none;
    ps_parse_t        ps;
    ps_parse_stats_t  st;

    if (raw->data[0] == '"') {
        return json_stringn_nocheck(raw->data + 1, raw->len - 2);
    }

    /* compact, without escapes: the parser needs no scratch memory */

    memset(&none, 0, sizeof(ps_buf_t));
    ps_parse_init(&ps, (const unsigned char *) raw->data, raw->len, &none,
                  &st);

    return ps_parse_value(&ps);
}


static void
ps_parse_init(ps_parse_t *ps, const unsigned char *p, size_t len,
    ps_buf_t *scratch, ps_parse_stats_t *stats)
{
    ps->p = p;
    ps->end = p + len;
    ps->scratch = scratch;
    ps->depth = 0;
    ps->stats = stats;

    stats->depth = 0;
    stats->string_bytes = 0;
    stats->array_items = 0;

    scratch->len = 0;
}


/*
 * Whether m[n]'s name differs from m[0 .. n - 1]'s: a 64-bit filter of
 * (length, first byte, last byte) first, names compared only when their
 * bits were set before.  Returns -1 for a name seen before.
 */

static inline int
ps_parse_member_new(ps_member_t *m, size_t n, uint64_t *seen)
{
    size_t          i;
    uint64_t        bit;
    const unsigned char  *k;

    k = (const unsigned char *) m[n].key;
    bit = (uint64_t) 1 << ((m[n].len * 7 + (m[n].len ? k[0] * 3
                                                    + k[m[n].len - 1]
                                                  : 0))
                           & 63);

    if ((*seen & bit) == 0) {
        *seen |= bit;
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (m[i].len == m[n].len
            && memcmp(m[i].key, m[n].key, m[n].len) == 0)
        {
            return -1;
        }
    }

    return 0;
}


/*
 * A nested object or array at ps->p, scanned without building it, when
 * its text is already what ps_encode_json() writes: compact, strings and
 * names without escapes, integers other than "-0" and no reals, no name
 * twice in an object.  Within PS_PARSE_SKIP_DEPTH levels of
 * PS_PARSE_SKIP_MEMBERS members at most, which keeps the names on the
 * stack.  Returns 0 with ps->p past the value and the stats counted, or
 * -1 for anything else: the caller parses the value again from its
 * start (restoring ps->p, ps->depth and the scratch length), and the
 * parser proper judges it.
 */

static int
ps_parse_skip(ps_parse_t *ps, unsigned level)
{
    size_t          n, len, mark;
    uint64_t        seen;
    const char     *s;
    unsigned char   close;
    ps_member_t     names[PS_PARSE_SKIP_MEMBERS];

    if (level == PS_PARSE_SKIP_DEPTH || ++ps->depth > PS_PARSE_MAX_DEPTH) {
        return -1;
    }

    if (ps->depth > ps->stats->depth) {
        ps->stats->depth = ps->depth;
    }

    close = (*ps->p == '{') ? '}' : ']';
    ps->p++;

    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return 0;
    }

    n = 0;
    seen = 0;

    for ( ;; ) {
        if (close == '}') {
            if (ps->p == ps->end || *ps->p != '"'
                || n == PS_PARSE_SKIP_MEMBERS)
            {
                return -1;
            }

            mark = ps->scratch->len;

            if (ps_parse_string(ps, &s, &len) != 0
                || ps->scratch->len != mark
                || ps->p == ps->end || *ps->p != ':')
            {
                return -1;
            }

            names[n].key = s;
            names[n].len = len;

            if (ps_parse_member_new(names, n, &seen) != 0) {
                return -1;
            }

            ps->p++;
        }

        n++;

        if (ps_parse_skip_value(ps, level) != 0 || ps->p == ps->end) {
            return -1;
        }

        if (*ps->p == ',') {
            ps->p++;
            continue;
        }

        if (*ps->p != close) {
            return -1;
        }

        if (close == ']' && n > ps->stats->array_items) {
            ps->stats->array_items = n;
        }

        ps->p++;
        ps->depth--;

        return 0;
    }
}


static int
ps_parse_skip_value(ps_parse_t *ps, unsigned level)
{
    size_t       len, mark;
    const char  *s;

    if (ps->p == ps->end) {
        return -1;
    }

    switch (*ps->p) {

    case '{':
    case '[':
        return ps_parse_skip(ps, level + 1);

    case '"':
        mark = ps->scratch->len;

        if (ps_parse_string(ps, &s, &len) != 0 || ps->scratch->len != mark) {
            return -1;
        }

        return 0;

    case 'n':
        return ps_parse_word(ps, "null", 4, json_null()) ? 0 : -1;
    }

    /* true, false or an integer as it is written: no reals in here */

    len = ps_parse_plain(ps->p, ps->end);

    if (len == 0 || memchr(ps->p, '.', len) != NULL) {
        return -1;
    }

    ps->p += len;

    return 0;
}


/*
 * len if the text p[0 .. len - 1] of v is what ps_encode_json() writes
 * for v, or 0.  An escape always makes the text longer than the string
 * it stands for; the line is valid UTF-8 and the parser takes no control
 * character as it is, so a string of the same length is written as it
 * came.  The grammar leaves one integer with two spellings: "-0".
 */

static size_t
ps_parse_raw(json_t *v, const unsigned char *p, size_t len)
{
    switch (json_typeof(v)) {

    case JSON_STRING:
        return (json_string_length(v) + 2 == len) ? len : 0;

    case JSON_INTEGER:
        return (len == 2 && p[0] == '-') ? 0 : len;

    case JSON_TRUE:
    case JSON_FALSE:
    case JSON_NULL:
        return len;

    default:
        return 0;
    }
}


/*
 * The length of the number, true or false at p when its text is what
 * ps_encode_json() writes for it, or 0.  Integers: at most 18 digits
 * (always within 64 bits), not "-0".  Reals: plain decimals, not zero,
 * of at most 15 significant digits, the last of the fraction not 0
 * unless the fraction is just "0" after a non-zero integer part, at most
 * three zeros between the point and the first digit of a number below
 * 1.  Two decimals of at most 15 significant digits never give the same
 * double, so no shorter text reads back as the real's double, and the
 * encoder, which prints the fewest digits that do (but at least the
 * integer part's), in plain notation for exponents -4 up to below that
 * precision, writes exactly these digits.  What follows the text is for
 * the caller to check, as after any value.
 */

static size_t
ps_parse_plain(const unsigned char *p, const unsigned char *end)
{
    size_t                nint, nfrac, lead, sig;
    const unsigned char  *start, *digits, *frac;

    if (p == end) {
        return 0;
    }

    start = p;

    if (*p == 't') {
        return ((size_t) (end - p) >= 4 && memcmp(p, "true", 4) == 0) ? 4
                                                                      : 0;
    }

    if (*p == 'f') {
        return ((size_t) (end - p) >= 5 && memcmp(p, "false", 5) == 0) ? 5
                                                                       : 0;
    }

    if (*p == '-') {
        p++;
    }

    digits = p;

    while (p < end && *p >= '0' && *p <= '9') {
        p++;
    }

    nint = (size_t) (p - digits);

    /* no digit, or a leading zero: the parser proper judges it */
    if (nint == 0 || (nint > 1 && digits[0] == '0')) {
        return 0;
    }

    if (p == end || (*p != '.' && *p != 'e' && *p != 'E')) {
        if (nint > 18 || (digits != start && nint == 1 && digits[0] == '0'))
        {
            return 0;
        }

        return (size_t) (p - start);
    }

    if (*p != '.') {
        return 0;
    }

    frac = ++p;

    while (p < end && *p >= '0' && *p <= '9') {
        p++;
    }

    nfrac = (size_t) (p - frac);

    if (nfrac == 0 || (p < end && (*p == 'e' || *p == 'E'))) {
        return 0;
    }

    if (digits[0] == '0') {
        for (lead = 0; lead < nfrac && frac[lead] == '0'; lead++) {
            /* void */
        }

        if (lead == nfrac || lead > 3 || frac[nfrac - 1] == '0') {
            return 0;
        }

        sig = nfrac - lead;

    } else if (nfrac == 1 && frac[0] == '0') {
        sig = nint;

    } else {
        if (frac[nfrac - 1] == '0') {
            return 0;
        }

        sig = nint + nfrac;
    }

    return (sig <= 15) ? (size_t) (p - start) : 0;
}


static json_t *
ps_parse_value(ps_parse_t *ps)
{
    size_t       len, mark;
    json_t      *v;
    const char  *s;

    if (ps->p == ps->end) {
        return NULL;
    }

    switch (*ps->p) {

    case '{':
        return ps_parse_obj(ps);

    case '[':
        return ps_parse_array(ps);

    case '"':
        mark = ps->scratch->len;

        if (ps_parse_string(ps, &s, &len) != 0) {
            return NULL;
        }

        v = json_stringn_nocheck(s, len);
        ps->scratch->len = mark;

        return v;

    case 't':
        return ps_parse_word(ps, "true", 4, json_true());

    case 'f':
        return ps_parse_word(ps, "false", 5, json_false());

    case 'n':
        return ps_parse_word(ps, "null", 4, json_null());

    default:
        return ps_parse_number(ps);
    }
}


static json_t *
ps_parse_obj(ps_parse_t *ps)
{
    size_t       klen, n, mark;
    json_t      *obj, *v;
    const char  *key;

    if (++ps->depth > PS_PARSE_MAX_DEPTH) {
        return NULL;
    }

    if (ps->depth > ps->stats->depth) {
        ps->stats->depth = ps->depth;
    }

    obj = json_object();
    if (obj == NULL) {
        return NULL;
    }

    ps->p++;    /* '{' */
    ps_parse_ws(ps);

    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        ps->depth--;
        return obj;
    }

    for ( ;; ) {
        if (ps->p == ps->end || *ps->p != '"') {
            goto fail;
        }

        /* the key stays in scratch (by offset) while the value is parsed */
        mark = ps->scratch->len;

        if (ps_parse_string(ps, &key, &klen) != 0) {
            goto fail;
        }

        ps_parse_ws(ps);

        if (ps->p == ps->end || *ps->p != ':') {
            goto fail;
        }

        ps->p++;
        ps_parse_ws(ps);

        /* data is NULL until scratch first grows: no offset from NULL */

        if (ps->scratch->data != NULL
            && key == (const char *) ps->scratch->data + mark)
        {
            /* unescaped into scratch: keep it below the value's strings */
            ps->scratch->len = mark + klen;
            v = ps_parse_value(ps);
            key = (const char *) ps->scratch->data + mark;

        } else {
            v = ps_parse_value(ps);
        }

        if (v == NULL) {
            goto fail;
        }

        /* a duplicate key replaces the value and leaves the size */
        n = json_object_size(obj);

        if (json_object_setn_new_nocheck(obj, key, klen, v) != 0
            || json_object_size(obj) == n)
        {
            goto fail;
        }

        ps->scratch->len = mark;

        ps_parse_ws(ps);

        if (ps->p == ps->end) {
            goto fail;
        }

        if (*ps->p == ',') {
            ps->p++;
            ps_parse_ws(ps);
            continue;
        }

        if (*ps->p == '}') {
            ps->p++;
            ps->depth--;
            return obj;
        }

        goto fail;
    }

fail:

    json_decref(obj);

    return NULL;
}


static json_t *
ps_parse_array(ps_parse_t *ps)
{
    json_t  *a, *v;

    if (++ps->depth > PS_PARSE_MAX_DEPTH) {
        return NULL;
    }

    if (ps->depth > ps->stats->depth) {
        ps->stats->depth = ps->depth;
    }

    a = json_array();
    if (a == NULL) {
        return NULL;
    }

    ps->p++;    /* '[' */
    ps_parse_ws(ps);

    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        ps->depth--;
        return a;
    }

    for ( ;; ) {
        v = ps_parse_value(ps);

        if (v == NULL || json_array_append_new(a, v) != 0) {
            break;
        }

        ps_parse_ws(ps);

        if (ps->p == ps->end) {
            break;
        }

        if (*ps->p == ',') {
            ps->p++;
            ps_parse_ws(ps);
            continue;
        }

        if (*ps->p == ']') {
            if (json_array_size(a) > ps->stats->array_items) {
                ps->stats->array_items = json_array_size(a);
            }

            ps->p++;
            ps->depth--;
            return a;
        }

        break;
    }

    json_decref(a);

    return NULL;
}


/*
 * A string at ps->p ('"'): *s points into the input when there is no
 * escape, else into scratch (appended at its end).  UTF-8 is checked;
 * control characters, "\u0000" and lone surrogates give up.
 */

static int
ps_parse_string(ps_parse_t *ps, const char **s, size_t *len)
{
    size_t                k, start;
    unsigned char         c;
    const unsigned char  *p, *run;

    p = ++ps->p;
    run = p;

    /* the common case: no escape (the line is valid UTF-8 already) */

    p = ps_scan_quote(p, ps->end);

    if (p == ps->end || *p < 0x20) {
        return -1;
    }

    if (*p == '"') {
        *s = (const char *) run;
        *len = (size_t) (p - run);
        ps->p = p + 1;
        goto done;
    }

    /* escapes: unescape into scratch */

    start = ps->scratch->len;
    ps_buf_add(ps->scratch, run, (size_t) (p - run));
    ps->p = p;

    for ( ;; ) {
        if (ps->p == ps->end) {
            return -1;
        }

        c = *ps->p;

        if (c == '"') {
            ps->p++;
            break;
        }

        if (c == '\\') {
            if (ps_parse_escape(ps) != 0) {
                return -1;
            }
            continue;
        }

        if (c < 0x20) {
            return -1;
        }

        k = (c < 0x80) ? 1 : ps_utf8_seq(ps->p, (size_t) (ps->end - ps->p));
        if (k == 0) {
            return -1;
        }

        ps_buf_add(ps->scratch, ps->p, k);
        ps->p += k;
    }

    *s = (const char *) ps->scratch->data + start;
    *len = ps->scratch->len - start;

done:

    if (*len > ps->stats->string_bytes) {
        ps->stats->string_bytes = *len;
    }

    return 0;
}


static int
ps_parse_escape(ps_parse_t *ps)
{
    unsigned        cp, lo;
    unsigned char   u[4];
    const unsigned char  *p;

    p = ps->p + 1;

    if (p == ps->end) {
        return -1;
    }

    switch (*p) {
    case '"':  ps_buf_addc(ps->scratch, '"'); break;
    case '\\': ps_buf_addc(ps->scratch, '\\'); break;
    case '/':  ps_buf_addc(ps->scratch, '/'); break;
    case 'b':  ps_buf_addc(ps->scratch, '\b'); break;
    case 'f':  ps_buf_addc(ps->scratch, '\f'); break;
    case 'n':  ps_buf_addc(ps->scratch, '\n'); break;
    case 'r':  ps_buf_addc(ps->scratch, '\r'); break;
    case 't':  ps_buf_addc(ps->scratch, '\t'); break;

    case 'u':
        if (ps->end - p < 5 || ps_parse_hex4(p + 1, &cp) != 0 || cp == 0) {
            return -1;
        }

        p += 4;

        if (cp >= 0xdc00 && cp <= 0xdfff) {
            return -1;
        }

        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (ps->end - p < 7 || p[1] != '\\' || p[2] != 'u'
                || ps_parse_hex4(p + 3, &lo) != 0
                || lo < 0xdc00 || lo > 0xdfff)
            {
                return -1;
            }

            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            p += 6;
        }

        if (cp < 0x80) {
            ps_buf_addc(ps->scratch, (int) cp);

        } else if (cp < 0x800) {
            u[0] = (unsigned char) (0xc0 | (cp >> 6));
            u[1] = (unsigned char) (0x80 | (cp & 0x3f));
            ps_buf_add(ps->scratch, u, 2);

        } else if (cp < 0x10000) {
            u[0] = (unsigned char) (0xe0 | (cp >> 12));
            u[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3f));
            u[2] = (unsigned char) (0x80 | (cp & 0x3f));
            ps_buf_add(ps->scratch, u, 3);

        } else {
            u[0] = (unsigned char) (0xf0 | (cp >> 18));
            u[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3f));
            u[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3f));
            u[3] = (unsigned char) (0x80 | (cp & 0x3f));
            ps_buf_add(ps->scratch, u, 4);
        }

        break;

    default:
        return -1;
    }

    ps->p = p + 1;

    return 0;
}


static int
ps_parse_hex4(const unsigned char *p, unsigned *v)
{
    unsigned  i, c;

    *v = 0;

    for (i = 0; i < 4; i++) {
        c = p[i];

        if (c >= '0' && c <= '9') {
            c -= '0';

        } else if (c >= 'a' && c <= 'f') {
            c -= 'a' - 10;

        } else if (c >= 'A' && c <= 'F') {
            c -= 'A' - 10;

        } else {
            return -1;
        }

        *v = (*v << 4) | c;
    }

    return 0;
}


/*
 * The JSON number grammar; an integer of up to 19 digits that fits in
 * 64 bits is converted here, a real by strtod() as jansson does.
 */

static json_t *
ps_parse_number(ps_parse_t *ps)
{
    int                   neg, real;
    char                  text[64];
    double                d;
    size_t                n;
    uint64_t              u;
    const unsigned char  *p, *start, *digits;

    p = ps->p;
    start = p;
    neg = 0;
    real = 0;

    if (*p == '-') {
        neg = 1;
        p++;
    }

    digits = p;

    if (p == ps->end || *p < '0' || *p > '9') {
        return NULL;
    }

    if (*p == '0') {
        p++;

        if (p < ps->end && *p >= '0' && *p <= '9') {
            return NULL;
        }

    } else {
        while (p < ps->end && *p >= '0' && *p <= '9') {
            p++;
        }
    }

    n = (size_t) (p - digits);

    if (p < ps->end && *p == '.') {
        p++;
        real = 1;

        if (p == ps->end || *p < '0' || *p > '9') {
            return NULL;
        }

        while (p < ps->end && *p >= '0' && *p <= '9') {
            p++;
        }
    }

    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        p++;
        real = 1;

        if (p < ps->end && (*p == '+' || *p == '-')) {
            p++;
        }

        if (p == ps->end || *p < '0' || *p > '9') {
            return NULL;
        }

        while (p < ps->end && *p >= '0' && *p <= '9') {
            p++;
        }
    }

    ps->p = p;

    if (!real) {
        if (n > 19) {
            return NULL;
        }

        u = 0;

        while (digits < p) {
            u = u * 10 + (uint64_t) (*digits++ - '0');
        }

        if (neg) {
            if (u > (uint64_t) INT64_MAX + 1) {
                return NULL;
            }

            return json_integer(u == (uint64_t) INT64_MAX + 1
                                ? INT64_MIN : -(json_int_t) u);
        }

        if (u > (uint64_t) INT64_MAX) {
            return NULL;
        }

        return json_integer((json_int_t) u);
    }

    n = (size_t) (p - start);

    if (n >= sizeof(text)) {
        return NULL;
    }

    memcpy(text, start, n);
    text[n] = '\0';

    d = strtod(text, NULL);

    if (isinf(d) || isnan(d)) {
        return NULL;
    }

    return json_real(d);
}


static json_t *
ps_parse_word(ps_parse_t *ps, const char *w, size_t n, json_t *v)
{
    if ((size_t) (ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0) {
        return NULL;
    }

    ps->p += n;

    return v;
}
