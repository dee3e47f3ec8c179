
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Accept negotiation (see ngx_http_profile_accept.h; the rules are
 * docs/views.md's "Selecting a view by Accept").  One forward pass over
 * the header: each element is parsed as a media range (RFC 9110 12.5.1)
 * and, when well formed, applied at once to every offer's best match
 * so far; nothing is kept of an element once the next one starts.  A
 * malformed element is skipped to the next comma outside a quoted
 * string from where the parse stopped, so no byte is read twice.
 */


#include <stdint.h>

#include "ngx_http_profile_accept.h"


/* how specific a range is for an offer: the order of the rules */
#define NGX_HTTP_PROFILE_ACCEPT_BAD    -1  /* malformed: ignored */
#define NGX_HTTP_PROFILE_ACCEPT_NONE    0  /* well formed, names no offer */
#define NGX_HTTP_PROFILE_ACCEPT_ANY     1  /* the range is * / * */
#define NGX_HTTP_PROFILE_ACCEPT_APP     2  /* application / * */
#define NGX_HTTP_PROFILE_ACCEPT_EXACT   3  /* application/SUBTYPE */

/* q in thousandths */
#define NGX_HTTP_PROFILE_ACCEPT_Q1      1000

#define ngx_http_profile_accept_ows(c)  ((c) == ' ' || (c) == '\t')

/* RFC 9110 5.6.2 tchar: "!#$%&'*+-.^_`|~", digits and letters */
#define ngx_http_profile_accept_tchar(c)                                      \
    (ngx_http_profile_accept_tchars[(c) >> 5] & (1u << ((c) & 0x1f)))

/* bytes neither qdtext nor allowed after "\" (RFC 9110 5.6.4): CTLs */
#define ngx_http_profile_accept_qbad(c)                                       \
    (((c) < 0x20 && (c) != '\t') || (c) == 0x7f)

#define ngx_http_profile_accept_lower(c)                                      \
    (((c) >= 'A' && (c) <= 'Z') ? (c) | 0x20 : (c))


/* one media range of the header */
typedef struct {
    int                        spec;      /* NGX_HTTP_PROFILE_ACCEPT_* */
    unsigned                   q;         /* 0 .. 1000 */
    const unsigned char       *sub;       /* the subtype, for EXACT */
    size_t                     sub_len;
} ngx_http_profile_accept_range_t;


static const unsigned char *ngx_http_profile_accept_range(
    const unsigned char *p, const unsigned char *end,
    ngx_http_profile_accept_range_t *range);
static const unsigned char *ngx_http_profile_accept_quoted(
    const unsigned char *p, const unsigned char *end, int *bad);
static const unsigned char *ngx_http_profile_accept_skip(
    const unsigned char *p, const unsigned char *end, int quoted);
static int ngx_http_profile_accept_names(
    const ngx_http_profile_accept_range_t *range,
    const ngx_http_profile_offer_t *offer, int is_default);
static int ngx_http_profile_accept_qvalue(const unsigned char *p, size_t n,
    unsigned *q);
static int ngx_http_profile_accept_eq(const unsigned char *a,
    const unsigned char *b, size_t n);


static const uint32_t  ngx_http_profile_accept_tchars[8] = {
    0x00000000,   /* 0x00 - 0x1f: control characters */
    0x03ff6cfa,   /* 0x20 - 0x3f: ! # $ % & ' * + - . 0-9 */
    0xc7fffffe,   /* 0x40 - 0x5f: A-Z ^ _ */
    0x57ffffff,   /* 0x60 - 0x7f: ` a-z | ~ */
    0x00000000,   /* 0x80 - 0xff: obs-text is no token */
    0x00000000,
    0x00000000,
    0x00000000
};


int
ngx_http_profile_accept_choose(const unsigned char *value, size_t len,
    const ngx_http_profile_offer_t *offers, unsigned n, int def)
{
    int                              best;
    unsigned                         i, elements, ranges;
    unsigned char                    spec[NGX_HTTP_PROFILE_ACCEPT_MAX_OFFERS];
    unsigned short                   q[NGX_HTTP_PROFILE_ACCEPT_MAX_OFFERS];
    const unsigned char             *p, *end;
    ngx_http_profile_accept_range_t  range;

    if (n == 0 || n > NGX_HTTP_PROFILE_ACCEPT_MAX_OFFERS) {
        return -1;
    }

    if (def < 0 || def >= (int) n) {
        def = -1;
    }

    for (i = 0; i < n; i++) {
        spec[i] = NGX_HTTP_PROFILE_ACCEPT_NONE;
        q[i] = 0;
    }

    ranges = 0;

    if (value != NULL) {
        p = value;
        end = value + len;

        for (elements = 0;
             elements < NGX_HTTP_PROFILE_ACCEPT_MAX_ELEMENTS;
             elements++)
        {
            /* empty list elements are no elements (RFC 9110 5.6.1) */

            while (p < end && (*p == ',' || ngx_http_profile_accept_ows(*p)))
            {
                p++;
            }

            if (p == end) {
                break;
            }

            p = ngx_http_profile_accept_range(p, end, &range);

            if (range.spec == NGX_HTTP_PROFILE_ACCEPT_BAD) {
                continue;
            }

            ranges++;

            /* a range replaces a less specific one only: the first wins */

            for (i = 0; i < n; i++) {
                if (spec[i] >= range.spec) {
                    continue;
                }

                if (range.spec == NGX_HTTP_PROFILE_ACCEPT_EXACT
                    && !ngx_http_profile_accept_names(&range, &offers[i],
                                                      (int) i == def))
                {
                    continue;
                }

                spec[i] = (unsigned char) range.spec;
                q[i] = (unsigned short) range.q;
            }
        }
    }

    /* nothing well formed said: as without the header */

    if (ranges == 0) {
        return (def >= 0) ? def : 0;
    }

    best = -1;

    for (i = 0; i < n; i++) {
        if (spec[i] == NGX_HTTP_PROFILE_ACCEPT_NONE || q[i] == 0) {
            continue;
        }

        if (best == -1
            || q[i] > q[best]
            || (q[i] == q[best]
                && (spec[i] > spec[best]
                    || (spec[i] == spec[best] && (int) i == def))))
        {
            best = (int) i;
        }
    }

    return best;
}


/*
 * Parse the element at p (not OWS nor ","): a media range with its
 * parameters.  Returns where it ends, at the next "," outside a quoted
 * string or at end, with range->spec BAD when it is malformed.
 */

static const unsigned char *
ngx_http_profile_accept_range(const unsigned char *p,
    const unsigned char *end, ngx_http_profile_accept_range_t *range)
{
    int                   bad, qseen;
    size_t                type_len, name_len;
    const unsigned char  *type, *name, *val;

    range->spec = NGX_HTTP_PROFILE_ACCEPT_BAD;
    range->q = NGX_HTTP_PROFILE_ACCEPT_Q1;
    range->sub = NULL;
    range->sub_len = 0;

    type = p;

    while (p < end && ngx_http_profile_accept_tchar(*p)) {
        p++;
    }

    type_len = (size_t) (p - type);

    if (type_len == 0 || p == end || *p != '/') {
        goto bad;
    }

    p++;
    range->sub = p;

    while (p < end && ngx_http_profile_accept_tchar(*p)) {
        p++;
    }

    range->sub_len = (size_t) (p - range->sub);

    if (range->sub_len == 0) {
        goto bad;
    }

    qseen = 0;

    for ( ;; ) {
        while (p < end && ngx_http_profile_accept_ows(*p)) {
            p++;
        }

        if (p == end || *p == ',') {
            break;
        }

        if (*p != ';') {
            goto bad;
        }

        p++;

        while (p < end && ngx_http_profile_accept_ows(*p)) {
            p++;
        }

        /* an empty parameter: "a/b;;q=1", "a/b;" */

        if (p == end || *p == ',' || *p == ';') {
            continue;
        }

        name = p;

        while (p < end && ngx_http_profile_accept_tchar(*p)) {
            p++;
        }

        name_len = (size_t) (p - name);

        if (name_len == 0) {
            goto bad;
        }

        while (p < end && ngx_http_profile_accept_ows(*p)) {
            p++;
        }

        if (p == end || *p != '=') {
            goto bad;
        }

        p++;

        while (p < end && ngx_http_profile_accept_ows(*p)) {
            p++;
        }

        if (p < end && *p == '"') {

            /* a quoted value: never a weight, skipped otherwise */

            if (name_len == 1 && (*name == 'q' || *name == 'Q')) {
                goto bad;
            }

            p = ngx_http_profile_accept_quoted(p + 1, end, &bad);

            if (bad) {
                return ngx_http_profile_accept_skip(p, end, 1);
            }

            continue;
        }

        val = p;

        while (p < end && ngx_http_profile_accept_tchar(*p)) {
            p++;
        }

        if (p == val) {
            goto bad;
        }

        if (name_len == 1 && (*name == 'q' || *name == 'Q')) {
            if (qseen
                || !ngx_http_profile_accept_qvalue(val, (size_t) (p - val),
                                                   &range->q))
            {
                goto bad;
            }

            qseen = 1;
        }
    }

    if (type_len == 1 && type[0] == '*') {
        if (range->sub_len == 1 && range->sub[0] == '*') {
            range->spec = NGX_HTTP_PROFILE_ACCEPT_ANY;
        }

        /* "* /json" is no media range */

        return p;
    }

    if (type_len == 11
        && ngx_http_profile_accept_eq(type,
                                      (const unsigned char *) "application",
                                      11))
    {
        range->spec = (range->sub_len == 1 && range->sub[0] == '*')
                      ? NGX_HTTP_PROFILE_ACCEPT_APP
                      : NGX_HTTP_PROFILE_ACCEPT_EXACT;
        return p;
    }

    range->spec = NGX_HTTP_PROFILE_ACCEPT_NONE;

    return p;

bad:

    range->spec = NGX_HTTP_PROFILE_ACCEPT_BAD;

    return ngx_http_profile_accept_skip(p, end, 0);
}


/*
 * Read a quoted string's contents from p (after its opening quote).
 * Returns the byte after the closing quote with *bad 0; or, with *bad
 * 1, where its reading stopped, still inside the string: after a byte
 * that is no qdtext, after "\" and a byte no quoted-pair allows, or at
 * end when the string is not closed.
 */

static const unsigned char *
ngx_http_profile_accept_quoted(const unsigned char *p,
    const unsigned char *end, int *bad)
{
    *bad = 1;

    while (p < end) {
        if (*p == '"') {
            *bad = 0;
            return p + 1;
        }

        if (*p == '\\') {
            if (end - p < 2) {
                return end;
            }

            if (ngx_http_profile_accept_qbad(p[1])) {
                return p + 2;
            }

            p += 2;
            continue;
        }

        if (ngx_http_profile_accept_qbad(*p)) {
            return p + 1;
        }

        p++;
    }

    return end;
}


/*
 * The rest of a malformed element from p: the next "," outside a quoted
 * string, or end.  quoted says whether p is inside one.  Any '"' outside
 * a string opens one, and inside, '\' takes the next byte whatever it
 * is, as docs/views.md says: the same split as for a well-formed header.
 */

static const unsigned char *
ngx_http_profile_accept_skip(const unsigned char *p,
    const unsigned char *end, int quoted)
{
    while (p < end) {
        if (quoted) {
            if (*p == '\\') {
                if (end - p < 2) {
                    return end;
                }

                p += 2;
                continue;
            }

            if (*p == '"') {
                quoted = 0;
            }

        } else if (*p == ',') {
            return p;

        } else if (*p == '"') {
            quoted = 1;
        }

        p++;
    }

    return end;
}


/*
 * Whether the exact range names the offer: its subtype, or "json" for
 * the default view (application/json).
 */

static int
ngx_http_profile_accept_names(const ngx_http_profile_accept_range_t *range,
    const ngx_http_profile_offer_t *offer, int is_default)
{
    if (range->sub_len == offer->len
        && ngx_http_profile_accept_eq(range->sub, offer->subtype, offer->len))
    {
        return 1;
    }

    return is_default && range->sub_len == 4
           && ngx_http_profile_accept_eq(range->sub,
                                         (const unsigned char *) "json", 4);
}


/*
 * A weight's value (RFC 9110 12.4.2): "0" [ "." 0*3DIGIT ] or
 * "1" [ "." 0*3"0" ], as *q in thousandths; 0 if p[0 .. n - 1] is not
 * one.
 */

static int
ngx_http_profile_accept_qvalue(const unsigned char *p, size_t n,
    unsigned *q)
{
    size_t    i;
    unsigned  v, scale;

    if (n == 0 || n > 5 || (p[0] != '0' && p[0] != '1')
        || (n > 1 && p[1] != '.'))
    {
        return 0;
    }

    v = 0;
    scale = 100;

    for (i = 2; i < n; i++) {
        if (p[i] < '0' || p[i] > '9' || (p[0] == '1' && p[i] != '0')) {
            return 0;
        }

        v += (unsigned) (p[i] - '0') * scale;
        scale /= 10;
    }

    *q = (p[0] == '1') ? NGX_HTTP_PROFILE_ACCEPT_Q1 : v;

    return 1;
}


/* ASCII case-insensitive comparison of n bytes: 1 if equal */

static int
ngx_http_profile_accept_eq(const unsigned char *a, const unsigned char *b,
    size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (ngx_http_profile_accept_lower(a[i])
            != ngx_http_profile_accept_lower(b[i]))
        {
            return 0;
        }
    }

    return 1;
}
