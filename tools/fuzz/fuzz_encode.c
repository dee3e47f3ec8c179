
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzz target "encode": the CLI's own JSON writer, ps_encode_json()
 * (tools/profile-snapshot/ps_encode.c: strings, integers, and reals
 * with the shortest precision that reads back), against jansson's
 * json_dumps(), which it replaced and whose bytes it promises.  Each
 * value is encoded alone and inside an array and an object (one
 * precision serves every real of a value); the text must be what
 * jansson writes and must read back as the same value, bit for bit.
 *
 * Input: items, each a tag byte and its bytes:
 *   0  real, 8 bytes (little-endian IEEE 754; NaN and infinities skipped)
 *   1  integer, 8 bytes
 *   2  string, u8 length and the bytes (invalid UTF-8 included: both
 *      writers must then refuse the value)
 *   3  true, 4 false, 5 null
 *   6  real with few significant digits: i64 mantissa mod 10^15 and a
 *      u8 power of ten (the encoder's fast path)
 */


#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ps_buf.h"
#include "ps_encode.h"
#include "fz.h"
#include "fz_json.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_encode_check(json_t *v);


/* ps_buf.c reports out of memory through ps_error.c's ps_error() */
void ps_error(const char *fmt, ...);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int        k;
    double     d;
    size_t     i, n;
    json_t    *arr, *obj, *v;
    int64_t    m;
    uint64_t   u;

    static const double  pow10[] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
    };

    arr = json_array();
    i = 0;

    while (i < size) {
        v = NULL;

        switch (data[i++] % 7) {

        case 0:
        case 1:
            if (size - i < 8) {
                i = size;
                break;
            }

            u = ngx_http_profile_get64(data + i);
            i += 8;

            if (data[i - 9] % 7 == 1) {
                v = json_integer((json_int_t) u);
                break;
            }

            memcpy(&d, &u, sizeof(double));
            v = isfinite(d) ? json_real(d) : NULL;
            break;

        case 2:
            if (i == size) {
                break;
            }

            n = data[i++];
            n = n < size - i ? n : size - i;
            v = json_stringn_nocheck((const char *) data + i, n);
            i += n;
            break;

        case 3:
            v = json_true();
            break;

        case 4:
            v = json_false();
            break;

        case 5:
            v = json_null();
            break;

        case 6:
            if (size - i < 9) {
                i = size;
                break;
            }

            m = (int64_t) ngx_http_profile_get64(data + i)
                % 1000000000000000LL;
            k = data[i + 8] % (int) (sizeof(pow10) / sizeof(pow10[0]));
            i += 9;

            d = (data[i - 1] & 0x80) ? (double) m * pow10[k]
                                     : (double) m / pow10[k];
            v = isfinite(d) ? json_real(d) : NULL;
            break;
        }

        if (v == NULL) {
            continue;
        }

        fz_encode_check(v);
        json_array_append_new(arr, v);
    }

    fz_encode_check(arr);

    obj = json_object();
    json_object_set(obj, "a", arr);
    json_object_set_new(obj, "b", json_real(0.1));
    fz_encode_check(obj);

    json_decref(obj);
    json_decref(arr);

    return 0;
}


static void
fz_encode_check(json_t *v)
{
    int            rc;
    char          *ref;
    size_t         rlen;
    json_t        *back;
    ps_buf_t       b;
    json_error_t   err;

    memset(&b, 0, sizeof(ps_buf_t));

    rc = ps_encode_json(&b, v);
    ref = fz_json_reference(v, &rlen);

    if (ref == NULL) {
        fz_assert(rc != 0, "the encoder writes what jansson refuses");
        ps_buf_free(&b);
        return;
    }

    fz_assert(rc == 0, "the encoder refuses what jansson writes");

    if (b.len != rlen || memcmp(b.data, ref, rlen) != 0) {
        fprintf(stderr, "encoder: %.*s\njansson: %s\n", (int) b.len,
                (char *) b.data, ref);
    }

    fz_assert(b.len == rlen && memcmp(b.data, ref, rlen) == 0,
              "the encoder writes jansson's bytes");

    /* strings may hold NUL here (jansson's own values can) */
    back = json_loadb((const char *) b.data, b.len,
                      JSON_DECODE_ANY | JSON_REJECT_DUPLICATES
                      | JSON_ALLOW_NUL, &err);
    fz_assert(back != NULL, "the encoder's text is JSON");
    fz_json_same(back, v);

    json_decref(back);
    free(ref);
    ps_buf_free(&b);
}


void
ps_error(const char *fmt, ...)
{
    (void) fmt;
}
