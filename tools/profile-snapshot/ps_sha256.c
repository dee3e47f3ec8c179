
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * SHA-256 as FIPS 180-4 section 6.2 describes it; checked against the
 * standard test vectors by the "sha256" command's test case.
 */


#include <stdio.h>
#include <string.h>

#if (defined __x86_64__ && defined __GNUC__)
#define PS_SHA256_NI  1
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "ps.h"
#include "ps_sha256.h"


#define PS_ROTR(x, n)  (((x) >> (n)) | ((x) << (32 - (n))))
#define PS_CH(x, y, z)  (((x) & (y)) ^ (~(x) & (z)))
#define PS_MAJ(x, y, z)  (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define PS_BSIG0(x)  (PS_ROTR(x, 2) ^ PS_ROTR(x, 13) ^ PS_ROTR(x, 22))
#define PS_BSIG1(x)  (PS_ROTR(x, 6) ^ PS_ROTR(x, 11) ^ PS_ROTR(x, 25))
#define PS_SSIG0(x)  (PS_ROTR(x, 7) ^ PS_ROTR(x, 18) ^ ((x) >> 3))
#define PS_SSIG1(x)  (PS_ROTR(x, 17) ^ PS_ROTR(x, 19) ^ ((x) >> 10))


static void ps_sha256_blocks(ps_sha256_t *ctx, const unsigned char *p,
    size_t n);
static void ps_sha256_block_c(ps_sha256_t *ctx, const unsigned char *p);
#if (PS_SHA256_NI)
static int ps_sha256_ni(void);
static void ps_sha256_blocks_ni(ps_sha256_t *ctx, const unsigned char *p,
    size_t n);
#endif


/* first 32 bits of the fractional parts of the cube roots of the primes */
static const uint32_t  ps_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
    0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
    0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};


void
ps_sha256_init(ps_sha256_t *ctx)
{
    /* first 32 bits of the fractional parts of the square roots */
    ctx->h[0] = 0x6a09e667;
    ctx->h[1] = 0xbb67ae85;
    ctx->h[2] = 0x3c6ef372;
    ctx->h[3] = 0xa54ff53a;
    ctx->h[4] = 0x510e527f;
    ctx->h[5] = 0x9b05688c;
    ctx->h[6] = 0x1f83d9ab;
    ctx->h[7] = 0x5be0cd19;
    ctx->bytes = 0;
    ctx->used = 0;
}


void
ps_sha256_update(ps_sha256_t *ctx, const void *data, size_t len)
{
    size_t                n;
    const unsigned char  *p;

    p = data;
    ctx->bytes += len;

    if (ctx->used) {
        n = 64 - ctx->used;
        if (n > len) {
            n = len;
        }

        memcpy(ctx->block + ctx->used, p, n);
        ctx->used += n;
        p += n;
        len -= n;

        if (ctx->used < 64) {
            return;
        }

        ps_sha256_blocks(ctx, ctx->block, 1);
        ctx->used = 0;
    }

    if (len >= 64) {
        ps_sha256_blocks(ctx, p, len / 64);
        p += len & ~(size_t) 63;
        len &= 63;
    }

    if (len) {
        memcpy(ctx->block, p, len);
        ctx->used = len;
    }
}


void
ps_sha256_final(ps_sha256_t *ctx, unsigned char out[PS_SHA256_SIZE])
{
    int       i;
    uint64_t  bits;

    bits = ctx->bytes * 8;

    /* padding: 0x80, zeros up to 56 mod 64, then the bit length */

    ctx->block[ctx->used++] = 0x80;

    if (ctx->used > 56) {
        memset(ctx->block + ctx->used, 0, 64 - ctx->used);
        ps_sha256_blocks(ctx, ctx->block, 1);
        ctx->used = 0;
    }

    memset(ctx->block + ctx->used, 0, 56 - ctx->used);

    for (i = 0; i < 8; i++) {
        ctx->block[56 + i] = (unsigned char) (bits >> (56 - 8 * i));
    }

    ps_sha256_blocks(ctx, ctx->block, 1);

    for (i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char) (ctx->h[i] >> 24);
        out[4 * i + 1] = (unsigned char) (ctx->h[i] >> 16);
        out[4 * i + 2] = (unsigned char) (ctx->h[i] >> 8);
        out[4 * i + 3] = (unsigned char) ctx->h[i];
    }
}


void
ps_sha256_item(ps_sha256_t *ctx, const void *data, size_t len)
{
    unsigned char  b[4];

    b[0] = (unsigned char) len;
    b[1] = (unsigned char) (len >> 8);
    b[2] = (unsigned char) (len >> 16);
    b[3] = (unsigned char) (len >> 24);

    ps_sha256_update(ctx, b, 4);
    ps_sha256_update(ctx, data, len);
}


void
ps_sha256_text(const unsigned char digest[PS_SHA256_SIZE], char *text)
{
    int  i;

    memcpy(text, "sha256:", 7);

    for (i = 0; i < PS_SHA256_SIZE; i++) {
        sprintf(text + 7 + 2 * i, "%02x", digest[i]);
    }
}


/* n 64-byte blocks at p */

static void
ps_sha256_blocks(ps_sha256_t *ctx, const unsigned char *p, size_t n)
{
#if (PS_SHA256_NI)
    if (ps_sha256_ni()) {
        ps_sha256_blocks_ni(ctx, p, n);
        return;
    }
#endif

    while (n--) {
        ps_sha256_block_c(ctx, p);
        p += 64;
    }
}


static void
ps_sha256_block_c(ps_sha256_t *ctx, const unsigned char *p)
{
    int       t;
    uint32_t  w[64], a, b, c, d, e, f, g, h, t1, t2;

    for (t = 0; t < 16; t++) {
        w[t] = ((uint32_t) p[4 * t] << 24) | ((uint32_t) p[4 * t + 1] << 16)
               | ((uint32_t) p[4 * t + 2] << 8) | (uint32_t) p[4 * t + 3];
    }

    for (t = 16; t < 64; t++) {
        w[t] = PS_SSIG1(w[t - 2]) + w[t - 7] + PS_SSIG0(w[t - 15])
               + w[t - 16];
    }

    a = ctx->h[0];
    b = ctx->h[1];
    c = ctx->h[2];
    d = ctx->h[3];
    e = ctx->h[4];
    f = ctx->h[5];
    g = ctx->h[6];
    h = ctx->h[7];

    for (t = 0; t < 64; t++) {
        t1 = h + PS_BSIG1(e) + PS_CH(e, f, g) + ps_sha256_k[t] + w[t];
        t2 = PS_BSIG0(a) + PS_MAJ(a, b, c);
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }

    ctx->h[0] += a;
    ctx->h[1] += b;
    ctx->h[2] += c;
    ctx->h[3] += d;
    ctx->h[4] += e;
    ctx->h[5] += f;
    ctx->h[6] += g;
    ctx->h[7] += h;
}


#if (PS_SHA256_NI)

/*
 * The x86 SHA extensions (SHA-NI): about ten times the speed of the C
 * block function on the content hash, which covers every record.  The
 * answer of cpuid is kept: it cannot change while the process runs.
 */

static int
ps_sha256_ni(void)
{
    unsigned    a, b, c, d;
    static int  have = -1;

    if (have < 0) {
        have = 0;

        if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1)
            && (c & bit_SSSE3) && __get_cpuid_max(0, NULL) >= 7)
        {
            __cpuid_count(7, 0, a, b, c, d);
            have = (b & bit_SHA) != 0;
        }
    }

    return have;
}


__attribute__ ((target ("sha,sse4.1,ssse3")))
static void
ps_sha256_blocks_ni(ps_sha256_t *ctx, const unsigned char *p, size_t n)
{
    int      i;
    __m128i  state0, state1, abef, cdgh, msg, tmp, mask, w[16];

    mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);

    /* h[0..7] as the instructions want them: ABEF and CDGH */
    tmp = _mm_loadu_si128((const __m128i *) &ctx->h[0]);
    state1 = _mm_loadu_si128((const __m128i *) &ctx->h[4]);

    tmp = _mm_shuffle_epi32(tmp, 0xb1);
    state1 = _mm_shuffle_epi32(state1, 0x1b);
    state0 = _mm_alignr_epi8(tmp, state1, 8);
    state1 = _mm_blend_epi16(state1, tmp, 0xf0);

    /* the state stays in registers from one block to the next */

    while (n--) {
        abef = state0;
        cdgh = state1;

        /* unrolled, w[] lives in registers: a third less time a block */

#pragma GCC unroll 16
        for (i = 0; i < 16; i++) {
            if (i < 4) {
                w[i] = _mm_shuffle_epi8(
                           _mm_loadu_si128((const __m128i *) (p + 16 * i)),
                           mask);

            } else {
                tmp = _mm_sha256msg1_epu32(w[i - 4], w[i - 3]);
                tmp = _mm_add_epi32(tmp,
                                    _mm_alignr_epi8(w[i - 1], w[i - 2], 4));
                w[i] = _mm_sha256msg2_epu32(tmp, w[i - 1]);
            }

            msg = _mm_add_epi32(w[i],
                      _mm_loadu_si128((const __m128i *) &ps_sha256_k[4 * i]));
            state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
            msg = _mm_shuffle_epi32(msg, 0x0e);
            state0 = _mm_sha256rnds2_epu32(state0, state1, msg);
        }

        state0 = _mm_add_epi32(state0, abef);
        state1 = _mm_add_epi32(state1, cdgh);

        p += 64;
    }

    tmp = _mm_shuffle_epi32(state0, 0x1b);
    state1 = _mm_shuffle_epi32(state1, 0xb1);
    state0 = _mm_blend_epi16(tmp, state1, 0xf0);
    state1 = _mm_alignr_epi8(state1, tmp, 8);

    _mm_storeu_si128((__m128i *) &ctx->h[0], state0);
    _mm_storeu_si128((__m128i *) &ctx->h[4], state1);
}

#endif
