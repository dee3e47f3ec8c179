
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include "ps_utf8.h"


size_t
ps_utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char  c;

    c = p[0];

    if (c < 0x80) {
        return 1;
    }

    if (c >= 0xc2 && c <= 0xdf) {
        return (n >= 2 && (p[1] & 0xc0) == 0x80) ? 2 : 0;
    }

    if (c >= 0xe0 && c <= 0xef) {
        if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80) {
            return 0;
        }

        /* overlong (E0 80..9F) and surrogates (ED A0..BF) */
        if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f)) {
            return 0;
        }

        return 3;
    }

    if (c >= 0xf0 && c <= 0xf4) {
        if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80
            || (p[3] & 0xc0) != 0x80)
        {
            return 0;
        }

        /* overlong (F0 80..8F) and above U+10FFFF (F4 90..) */
        if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f)) {
            return 0;
        }

        return 4;
    }

    return 0;
}


size_t
ps_utf8_check(const unsigned char *p, size_t n)
{
    size_t                k;
    const unsigned char  *q, *end;

    q = p;
    end = p + n;

    for ( ;; ) {
        q = ps_scan_nonascii(q, end);

        if (q == end) {
            return n;
        }

        k = ps_utf8_seq(q, (size_t) (end - q));

        if (k == 0) {
            return (size_t) (q - p);
        }

        q += k;
    }
}


size_t
ps_utf8_repair(const unsigned char *p, size_t n, ps_buf_t *out)
{
    size_t  i, k, bad;

    out->len = 0;
    bad = 0;
    i = 0;

    ps_buf_reserve(out, n + 16);

    while (i < n) {
        k = ps_utf8_seq(p + i, n - i);

        if (k == 0) {
            ps_buf_add(out, "\xef\xbf\xbd", 3);
            bad++;
            i++;
            continue;
        }

        ps_buf_add(out, p + i, k);
        i += k;
    }

    return bad;
}
