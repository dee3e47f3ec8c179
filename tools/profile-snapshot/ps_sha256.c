
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * SHA-256 through libcrypto's EVP interface; libcrypto picks the x86 SHA
 * instructions when the CPU has them.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "ps.h"
#include "ps_sha256.h"


static void ps_sha256_failed(const char *call);


void
ps_sha256_init(ps_sha256_t *ctx)
{
    ctx->md = EVP_MD_CTX_new();
    if (ctx->md == NULL) {
        ps_sha256_failed("EVP_MD_CTX_new()");
    }

    if (EVP_DigestInit_ex(ctx->md, EVP_sha256(), NULL) != 1) {
        ps_sha256_failed("EVP_DigestInit_ex()");
    }
}


void
ps_sha256_update(ps_sha256_t *ctx, const void *data, size_t len)
{
    if (EVP_DigestUpdate(ctx->md, data, len) != 1) {
        ps_sha256_failed("EVP_DigestUpdate()");
    }
}


void
ps_sha256_final(ps_sha256_t *ctx, unsigned char out[PS_SHA256_SIZE])
{
    unsigned int  n;

    if (EVP_DigestFinal_ex(ctx->md, out, &n) != 1 || n != PS_SHA256_SIZE) {
        ps_sha256_failed("EVP_DigestFinal_ex()");
    }

    ps_sha256_free(ctx);
}


void
ps_sha256_free(ps_sha256_t *ctx)
{
    EVP_MD_CTX_free(ctx->md);
    ctx->md = NULL;
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


void
ps_sha256_digest(const void *data, size_t len, char *text)
{
    unsigned int   n;
    unsigned char  digest[PS_SHA256_SIZE];

    if (EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL) != 1
        || n != PS_SHA256_SIZE)
    {
        ps_sha256_failed("EVP_Digest()");
    }

    ps_sha256_text(digest, text);
}


static void
ps_sha256_failed(const char *call)
{
    char  text[256];

    ERR_error_string_n(ERR_get_error(), text, sizeof(text));
    ps_error("SHA-256: %s failed (libcrypto: %s)", call, text);

    exit(PS_EXIT_IO);
}
