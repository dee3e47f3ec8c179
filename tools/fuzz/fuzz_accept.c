
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzz target "accept": ngx_http_profile_accept_choose(), the Accept
 * negotiation of views, against a second reading of docs/views.md
 * ("Selecting a view by Accept") written here another way: the header
 * split into elements first, each element cut into lexical tokens and
 * checked against the grammar, then every offer's best range found by
 * a loop over the ranges per offer.
 *
 * Input:
 *   u8   offers      bit 7 set: the first (bits 0-6) % 5 of four
 *                    realistic subtypes; clear: bits 0-6 offers (0..127:
 *                    above 64 the answer must be -1), each as u8 len
 *                    and len bytes, as many as the input holds
 *   u8   def         the default view's index + 1 (0: none; above n:
 *                    out of range, which counts as none)
 *   ...  header      the rest: the Accept value (a lone byte 0xff: no
 *                    header at all, value NULL)
 *
 * Each offer and the header are in buffers of their exact size.
 * Invariants: the answer is the reading's; it lies in -1 .. n - 1; it
 * does not change when the header's ASCII letters are upper-cased, nor
 * when ", " is put before it; without a well-formed element it is def
 * (offer 0 without one).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "ngx_http_profile_accept.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* the reading's tokens of one element */
enum {
    FZ_TOKEN = 1,      /* 1*tchar */
    FZ_WS,             /* 1*( SP / HTAB ) */
    FZ_QSTRING,        /* a complete, valid quoted-string */
    FZ_SLASH,
    FZ_SEMI,
    FZ_EQ,
    FZ_BAD             /* anything else */
};

typedef struct {
    int                  kind;
    const unsigned char *p;
    size_t               n;
} fz_tok_t;

/*
 * A well-formed range: spec 0 names no offer, 1 is "*" "/" "*", 2 is
 * "application" "/" "*", 3 is application/SUB.
 */
typedef struct {
    int                  spec;
    unsigned             q;
    const unsigned char *sub;
    size_t               sub_n;
} fz_range_t;


static int fz_reference(const unsigned char *v, size_t len,
    const ngx_http_profile_offer_t *offers, unsigned n, int def,
    unsigned *nranges);
static int fz_element(const unsigned char *p, size_t n, fz_range_t *r);
static int fz_grammar(fz_tok_t *toks, size_t nt, fz_range_t *r);
static size_t fz_lex(const unsigned char *p, size_t n, fz_tok_t *toks);
static int fz_is_tchar(unsigned char c);
static int fz_weight(const unsigned char *p, size_t n, unsigned *q);
static int fz_same(const unsigned char *a, size_t an, const char *b);
static unsigned fz_lower(unsigned char c);
static void fz_accept_stats(void);
static int fz_same2(const unsigned char *a, size_t an,
    const unsigned char *b, size_t bn);


/* totals, printed at exit when FUZZ_STATS is set (t/fuzz-smoke.t) */
static unsigned long  fz_chosen;
static unsigned long  fz_none;
static unsigned long  fz_absent;
static unsigned long  fz_stats_on;


static const char  *fz_real[] = {
    "vnd.profile.web+json",
    "vnd.profile.mobile+json",
    "vnd.profile.v1+json",
    "json"
};


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                        got, want, again, def;
    size_t                     off, hlen, i, k;
    unsigned                   n, want_n, nranges;
    unsigned char             *hdr, *alt;
    ngx_http_profile_offer_t   offers[128];

    if (!fz_stats_on && getenv("FUZZ_STATS") != NULL) {
        fz_stats_on = 1;
        atexit(fz_accept_stats);
    }

    if (size < 2) {
        return 0;
    }

    n = 0;
    off = 1;

    if (data[0] & 0x80) {
        want_n = (data[0] & 0x7f) % 5;

        for (n = 0; n < want_n; n++) {
            offers[n].subtype = fz_dup((const unsigned char *) fz_real[n],
                                       strlen(fz_real[n]));
            offers[n].len = strlen(fz_real[n]);
        }

    } else {
        want_n = data[0] & 0x7f;

        while (n < want_n && off < size && size - off - 1 >= data[off]) {
            offers[n].len = data[off];
            offers[n].subtype = fz_dup(data + off + 1, data[off]);
            off += 1 + (size_t) data[off];
            n++;
        }
    }

    if (off >= size) {
        goto done;
    }

    def = (int) data[off] - 1;
    off++;

    hlen = size - off;
    hdr = fz_dup(data + off, hlen);

    if (hlen == 1 && hdr[0] == 0xff) {
        got = ngx_http_profile_accept_choose(NULL, 0, offers, n, def);
        want = fz_reference(NULL, 0, offers, n, def, &nranges);

    } else {
        got = ngx_http_profile_accept_choose(hdr, hlen, offers, n, def);
        want = fz_reference(hdr, hlen, offers, n, def, &nranges);
    }

    fz_assert(got == want, "the choice is the reading of docs/views.md's");

    if (nranges == 0) {
        fz_absent++;

    } else if (got == -1) {
        fz_none++;

    } else {
        fz_chosen++;
    }

    fz_assert(got >= -1 && got < (int) n, "the choice is an offer or -1");

    if (n > NGX_HTTP_PROFILE_ACCEPT_MAX_OFFERS || n == 0) {
        fz_assert(got == -1, "no offers or too many: -1");

    } else if (nranges == 0) {
        fz_assert(got == ((def >= 0 && def < (int) n) ? def : 0),
                  "no well-formed element: the default, else offer 0");
    }

    /* letters in any case: the same choice */

    alt = fz_dup(hdr, hlen);

    for (i = 0; i < hlen; i++) {
        if (alt[i] >= 'a' && alt[i] <= 'z') {
            alt[i] = (unsigned char) (alt[i] - 'a' + 'A');
        }
    }

    if (!(hlen == 1 && hdr[0] == 0xff)) {
        again = ngx_http_profile_accept_choose(alt, hlen, offers, n, def);
        fz_assert(again == got, "upper-case letters: the same choice");
    }

    free(alt);

    /* an empty element first: the same choice */

    alt = malloc(hlen + 2);
    fz_assert(alt != NULL, "out of memory");

    alt[0] = ',';
    alt[1] = ' ';

    for (k = 0; k < hlen; k++) {
        alt[k + 2] = hdr[k];
    }

    if (!(hlen == 1 && hdr[0] == 0xff)) {
        again = ngx_http_profile_accept_choose(alt, hlen + 2, offers, n, def);
        fz_assert(again == got, "an empty element first: the same choice");
    }

    free(alt);
    free(hdr);

done:

    for (i = 0; i < n; i++) {
        free((void *) offers[i].subtype);
    }

    return 0;
}


/*
 * The reading: split the header into elements at commas outside quoted
 * strings (a '"' outside one opens one; inside, '\' takes the next byte
 * whatever it is), drop those of only whitespace, keep the first 128;
 * parse each; then, per offer, the first of the most specific ranges
 * that match it; then the best offer.
 */

static int
fz_reference(const unsigned char *v, size_t len,
    const ngx_http_profile_offer_t *offers, unsigned n, int def,
    unsigned *nranges)
{
    int          best, quoted, blank, match;
    size_t       i, start, count, j;
    unsigned     o, bq, oq;
    int          bspec, ospec;
    fz_range_t   ranges[NGX_HTTP_PROFILE_ACCEPT_MAX_ELEMENTS], r;

    *nranges = 0;

    if (n == 0 || n > 64) {
        return -1;
    }

    if (def >= (int) n) {
        def = -1;
    }

    count = 0;
    quoted = 0;
    start = 0;
    blank = 1;

    for (i = 0; v != NULL && count < 128; i++) {
        if (i < len && quoted) {
            if (v[i] == '\\' && i + 1 < len) {
                i++;

            } else if (v[i] == '"') {
                quoted = 0;
            }

            continue;
        }

        /* the end of an element (an unclosed string ends at the end) */

        if (i == len || v[i] == ',') {
            if (!blank) {
                count++;

                if (fz_element(v + start, i - start, &r)) {
                    ranges[(*nranges)++] = r;
                }
            }

            if (i == len) {
                break;
            }

            start = i + 1;
            blank = 1;
            continue;
        }

        if (v[i] == '"') {
            quoted = 1;
        }

        if (v[i] != ' ' && v[i] != '\t') {
            blank = 0;
        }
    }

    if (*nranges == 0) {
        return def >= 0 ? def : 0;
    }

    best = -1;
    bq = 0;
    bspec = 0;

    for (o = 0; o < n; o++) {
        ospec = 0;
        oq = 0;

        for (j = 0; j < *nranges; j++) {
            match = (ranges[j].spec == 1 || ranges[j].spec == 2)
                    || (ranges[j].spec == 3
                        && (fz_same2(ranges[j].sub, ranges[j].sub_n,
                                     offers[o].subtype, offers[o].len)
                            || ((int) o == def
                                && fz_same(ranges[j].sub, ranges[j].sub_n,
                                           "json"))));

            if (match && ranges[j].spec > ospec) {
                ospec = ranges[j].spec;
                oq = ranges[j].q;
            }
        }

        if (ospec == 0 || oq == 0) {
            continue;
        }

        /* (q, spec, is default) compared in that order; earlier on a tie */

        if (best == -1
            || oq * 8 + (unsigned) ospec * 2 + ((int) o == def)
               > bq * 8 + (unsigned) bspec * 2 + (best == def))
        {
            best = (int) o;
            bq = oq;
            bspec = ospec;
        }
    }

    return best;
}


/* an element: 1 and *r if it is a well-formed range */

static int
fz_element(const unsigned char *p, size_t n, fz_range_t *r)
{
    int        ok;
    size_t     nt;
    fz_tok_t  *toks;

    /* trim the whitespace at both ends */

    while (n > 0 && (p[0] == ' ' || p[0] == '\t')) {
        p++;
        n--;
    }

    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) {
        n--;
    }

    /* at most one token a byte */

    toks = malloc((n + 1) * sizeof(fz_tok_t));
    fz_assert(toks != NULL, "out of memory");

    nt = fz_lex(p, n, toks);
    ok = fz_grammar(toks, nt, r);

    free(toks);

    return ok;
}


/* the tokens of an element: 1 and *r if they are a well-formed range */

static int
fz_grammar(fz_tok_t *toks, size_t nt, fz_range_t *r)
{
    int        qs;
    size_t     t, a, b;
    fz_tok_t  *type, *sub;

    for (t = 0; t < nt; t++) {
        if (toks[t].kind == FZ_BAD) {
            return 0;
        }
    }

    if (nt < 3 || toks[0].kind != FZ_TOKEN || toks[1].kind != FZ_SLASH
        || toks[2].kind != FZ_TOKEN)
    {
        return 0;
    }

    type = &toks[0];
    sub = &toks[2];

    r->q = 1000;
    qs = 0;

    /* then: ( [WS] ";" [WS] [ TOKEN [WS] "=" [WS] (TOKEN|QSTRING) ] )* */

    t = 3;

    for ( ;; ) {
        if (t < nt && toks[t].kind == FZ_WS) {
            t++;
        }

        if (t == nt) {
            break;
        }

        if (toks[t].kind != FZ_SEMI) {
            return 0;
        }

        t++;

        if (t < nt && toks[t].kind == FZ_WS) {
            t++;
        }

        if (t == nt || toks[t].kind == FZ_SEMI) {
            continue;
        }

        if (toks[t].kind != FZ_TOKEN) {
            return 0;
        }

        a = t++;

        if (t < nt && toks[t].kind == FZ_WS) {
            t++;
        }

        if (t == nt || toks[t].kind != FZ_EQ) {
            return 0;
        }

        t++;

        if (t < nt && toks[t].kind == FZ_WS) {
            t++;
        }

        if (t == nt
            || (toks[t].kind != FZ_TOKEN && toks[t].kind != FZ_QSTRING))
        {
            return 0;
        }

        b = t++;

        if (fz_same(toks[a].p, toks[a].n, "q")) {
            if (qs++ || toks[b].kind != FZ_TOKEN
                || !fz_weight(toks[b].p, toks[b].n, &r->q))
            {
                return 0;
            }
        }
    }

    if (fz_same(type->p, type->n, "*")) {
        if (!fz_same(sub->p, sub->n, "*")) {
            return 0;
        }

        r->spec = 1;

    } else if (fz_same(type->p, type->n, "application")) {
        r->spec = fz_same(sub->p, sub->n, "*") ? 2 : 3;

    } else {
        r->spec = 0;
    }

    r->sub = sub->p;
    r->sub_n = sub->n;

    return 1;
}


/*
 * Cut p[0 .. n - 1] into tokens (at most n), or one FZ_BAD at the first
 * byte that starts none.  A quoted string must be closed and hold only
 * qdtext and valid quoted-pairs.
 */

static size_t
fz_lex(const unsigned char *p, size_t n, fz_tok_t *toks)
{
    int     kind;
    size_t  i, s, nt;

    nt = 0;
    i = 0;

    while (i < n) {
        s = i;

        if (fz_is_tchar(p[i])) {
            while (i < n && fz_is_tchar(p[i])) {
                i++;
            }

            kind = FZ_TOKEN;

        } else if (p[i] == ' ' || p[i] == '\t') {
            while (i < n && (p[i] == ' ' || p[i] == '\t')) {
                i++;
            }

            kind = FZ_WS;

        } else if (p[i] == '"') {
            kind = FZ_BAD;

            for (i++; i < n; i++) {
                if (p[i] == '"') {
                    kind = FZ_QSTRING;
                    i++;
                    break;
                }

                if (p[i] == '\\') {
                    i++;

                    if (i == n) {
                        break;
                    }
                }

                if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) {
                    kind = FZ_BAD;
                    break;
                }
            }

            if (kind == FZ_BAD) {
                toks[0].kind = FZ_BAD;
                return 1;
            }

        } else if (p[i] == '/' || p[i] == ';' || p[i] == '=') {
            kind = (p[i] == '/') ? FZ_SLASH : (p[i] == ';') ? FZ_SEMI : FZ_EQ;
            i++;

        } else {
            toks[0].kind = FZ_BAD;
            return 1;
        }

        toks[nt].kind = kind;
        toks[nt].p = p + s;
        toks[nt].n = i - s;
        nt++;
    }

    return nt;
}


static int
fz_is_tchar(unsigned char c)
{
    return c != '\0' && (strchr("!#$%&'*+-.^_`|~", c) != NULL
                         || (c >= '0' && c <= '9')
                         || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}


/* "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3"0" ] in thousandths */

static int
fz_weight(const unsigned char *p, size_t n, unsigned *q)
{
    size_t    i;
    unsigned  digits[3] = { 0, 0, 0 };

    if (n == 1 && (p[0] == '0' || p[0] == '1')) {
        *q = (p[0] == '1') ? 1000 : 0;
        return 1;
    }

    if (n < 2 || n > 5 || p[1] != '.') {
        return 0;
    }

    for (i = 2; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return 0;
        }

        digits[i - 2] = (unsigned) (p[i] - '0');
    }

    if (p[0] == '1') {
        if (digits[0] + digits[1] + digits[2] != 0) {
            return 0;
        }

        *q = 1000;
        return 1;
    }

    if (p[0] != '0') {
        return 0;
    }

    *q = digits[0] * 100 + digits[1] * 10 + digits[2];

    return 1;
}


static int
fz_same(const unsigned char *a, size_t an, const char *b)
{
    return fz_same2(a, an, (const unsigned char *) b, strlen(b));
}


static int
fz_same2(const unsigned char *a, size_t an, const unsigned char *b,
    size_t bn)
{
    size_t  i;

    if (an != bn) {
        return 0;
    }

    for (i = 0; i < an; i++) {
        if (fz_lower(a[i]) != fz_lower(b[i])) {
            return 0;
        }
    }

    return 1;
}


static unsigned
fz_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned) c + ('a' - 'A') : c;
}


static void
fz_accept_stats(void)
{
    fprintf(stderr, "fz_accept: %lu chosen, %lu none acceptable, "
            "%lu as no header\n", fz_chosen, fz_none, fz_absent);
}
