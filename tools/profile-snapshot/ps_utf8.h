
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * UTF-8 checks (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
 * jansson refuses a whole document for one bad byte, so input lines are
 * checked, and repaired when the policy says so, before jansson sees them.
 */


#ifndef _PS_UTF8_H_INCLUDED_
#define _PS_UTF8_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ps_buf.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif


/*
 * Eight bytes at a time: the scanners of the build's hot path (UTF-8
 * check, string parsing, string encoding) skip runs of plain ASCII with
 * these and look at single bytes only around what needs attention.
 */

#define PS_SWAR_ONES   0x0101010101010101ULL
#define PS_SWAR_HIGHS  0x8080808080808080ULL


static inline uint64_t
ps_swar_load(const unsigned char *p)
{
    uint64_t  w;

    memcpy(&w, p, sizeof(uint64_t));

    return w;
}


/* nonzero if one of the 8 bytes at p is 0x80 or above */
static inline uint64_t
ps_swar_nonascii(const unsigned char *p)
{
    return ps_swar_load(p) & PS_SWAR_HIGHS;
}


/*
 * Zero if none of the 8 bytes at p is '"', '\\' or a control character,
 * for scanners of text already known to be valid UTF-8.  A borrow can
 * only flag a byte above one that really matches, so zero is exact.
 */
static inline uint64_t
ps_swar_quote(const unsigned char *p)
{
    uint64_t  w, q, s;

    w = ps_swar_load(p);
    q = w ^ (PS_SWAR_ONES * '"');
    s = w ^ (PS_SWAR_ONES * '\\');

    return (((w - PS_SWAR_ONES * 0x20) & ~w)
            | ((q - PS_SWAR_ONES) & ~q)
            | ((s - PS_SWAR_ONES) & ~s))
           & PS_SWAR_HIGHS;
}


/*
 * Zero if the 8 bytes at p are all printable ASCII other than '"' and
 * '\\', i.e. bytes a JSON string carries as they are.
 */
static inline uint64_t
ps_swar_special(const unsigned char *p)
{
    return ps_swar_quote(p) | ps_swar_nonascii(p);
}


/* ps_swar_special() of the n < 8 bytes at p, as if padded with 'A' */
static inline uint64_t
ps_swar_special_n(const unsigned char *p, size_t n)
{
    unsigned char  w[8];

    memset(w, 'A', sizeof(w));
    memcpy(w, p, n);

    return ps_swar_special(w);
}


/*
 * How many bytes at p come before the first one a nonzero mask from
 * ps_swar_special() or ps_swar_nonascii() flags.  On little-endian
 * machines the lowest flagged byte is exact (a borrow only runs towards
 * higher addresses), so the scanners jump straight to it; elsewhere 0,
 * and they step over the plain bytes one at a time.
 */
static inline size_t
ps_swar_skip(uint64_t mask)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return (size_t) __builtin_ctzll(mask) >> 3;
#else
    (void) mask;
    return 0;
#endif
}


/*
 * The first byte in p .. end - 1 that a scanner stops at, or end: with
 * quote, '"', '\\' or a control character (the end of a JSON string's
 * plain run); without, a byte from 0x80 up.  16 bytes a step with SSE2
 * (every x86-64 has it), else 8 (the SWAR masks), then byte by byte;
 * quote is a constant at every call, so each caller gets one loop.
 */
static inline const unsigned char *
ps_scan(const unsigned char *p, const unsigned char *end, int quote)
{
    uint64_t  m;

#if defined(__SSE2__)
    unsigned  bits;
    __m128i   v;

    while (end - p >= 16) {
        v = _mm_loadu_si128((const __m128i *) p);

        if (quote) {
            /* min(v, 0x1f) == v: the bytes up to 0x1f, unsigned */
            v = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                 _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                    _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v));
        }

        bits = (unsigned) _mm_movemask_epi8(v);

        if (bits != 0) {
            return p + __builtin_ctz(bits);
        }

        p += 16;
    }
#endif

    while (end - p >= 8) {
        m = quote ? ps_swar_quote(p) : ps_swar_nonascii(p);

        if (m != 0) {
            p += ps_swar_skip(m);
            break;
        }

        p += 8;
    }

    while (p < end
           && (quote ? *p != '"' && *p != '\\' && *p >= 0x20 : *p < 0x80))
    {
        p++;
    }

    return p;
}

#define ps_scan_quote(p, end)     ps_scan(p, end, 1)
#define ps_scan_nonascii(p, end)  ps_scan(p, end, 0)


/*
 * Length of the valid UTF-8 sequence at p[0 .. n - 1], or 0 if the bytes
 * there do not start one (n must be at least 1).
 */
size_t ps_utf8_seq(const unsigned char *p, size_t n);

/* offset of the first invalid byte, or n if p[0 .. n - 1] is valid */
size_t ps_utf8_check(const unsigned char *p, size_t n);

/*
 * Copy p[0 .. n - 1] to out (reset first), each invalid byte replaced by
 * U+FFFD; returns the number of replacements.
 */
size_t ps_utf8_repair(const unsigned char *p, size_t n, ps_buf_t *out);

/*
 * In the JSON text p[0 .. n - 1], make every escaped lone surrogate in a
 * string ("\ud800" without a low one after it, "\udc00" without a high
 * one before it) "\ufffd", in place (the same length: columns do not
 * move); returns the number of replacements.
 */
size_t ps_utf8_surrogates(unsigned char *p, size_t n);


#endif /* _PS_UTF8_H_INCLUDED_ */
