
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


static int ps_utf8_hex4(const unsigned char *p, unsigned *v);


size_t
ps_utf8_surrogates(unsigned char *p, size_t n)
{
    size_t    i, count;
    unsigned  u, w;
    int       in_string;

    count = 0;
    in_string = 0;

    for (i = 0; i < n; i++) {
        if (!in_string) {
            in_string = (p[i] == '"');
            continue;
        }

        if (p[i] == '"') {
            in_string = 0;
            continue;
        }

        if (p[i] != '\\' || i + 1 >= n) {
            continue;
        }

        if (p[i + 1] != 'u' || i + 6 > n || !ps_utf8_hex4(p + i + 2, &u)) {
            i++;        /* the escaped character */
            continue;
        }

        if (u >= 0xd800 && u <= 0xdbff && i + 12 <= n && p[i + 6] == '\\'
            && p[i + 7] == 'u' && ps_utf8_hex4(p + i + 8, &w)
            && w >= 0xdc00 && w <= 0xdfff)
        {
            i += 11;    /* a pair */
            continue;
        }

        if (u >= 0xd800 && u <= 0xdfff) {
            memcpy(p + i + 2, "fffd", 4);
            count++;
        }

        i += 5;
    }

    return count;
}


static int
ps_utf8_hex4(const unsigned char *p, unsigned *v)
{
    unsigned  i, c;

    *v = 0;

    for (i = 0; i < 4; i++) {
        c = p[i];

        if (c >= '0' && c <= '9') {
            c -= '0';

        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            c = (c | 0x20) - 'a' + 10;

        } else {
            return 0;
        }

        *v = *v * 16 + c;
    }

    return 1;
}
