
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * SHA-256 for schema_digest and content_hash, computed by OpenSSL's
 * libcrypto (EVP_Digest*).  What is ours is only the content hash's
 * framing of items and the "sha256:HEX" text (docs/snapshot-format.md).
 *
 * A libcrypto failure (out of memory, or no SHA-256 in the loaded
 * providers) prints the call and OpenSSL's error text and exits with
 * PS_EXIT_IO, as ps_alloc() does when memory runs out: there is no
 * digest to fall back on.
 */


#ifndef _PS_SHA256_H_INCLUDED_
#define _PS_SHA256_H_INCLUDED_


#include <stddef.h>

#include <openssl/evp.h>


#define PS_SHA256_SIZE  32
/* "sha256:" + 64 hex digits + NUL */
#define PS_SHA256_TEXT  (7 + 64 + 1)


typedef struct {
    EVP_MD_CTX    *md;
} ps_sha256_t;


/*
 * Start a digest in ctx.  The context is libcrypto's (allocated here):
 * ps_sha256_final() frees it, and a caller that gives up before the end
 * frees it with ps_sha256_free().
 */
void ps_sha256_init(ps_sha256_t *ctx);

/* add data[0 .. len - 1] */
void ps_sha256_update(ps_sha256_t *ctx, const void *data, size_t len);

/* the digest into out; frees the context */
void ps_sha256_final(ps_sha256_t *ctx, unsigned char out[PS_SHA256_SIZE]);

/* free the context of a digest that will not be finished */
void ps_sha256_free(ps_sha256_t *ctx);

/*
 * Add len as a little-endian u32, then the bytes: the framing of each
 * item of the content hash (docs/snapshot-format.md).
 */
void ps_sha256_item(ps_sha256_t *ctx, const void *data, size_t len);

/* write "sha256:<hex>" of the digest into text[PS_SHA256_TEXT] */
void ps_sha256_text(const unsigned char digest[PS_SHA256_SIZE],
    char *text);

/* "sha256:<hex>" of data[0 .. len - 1] into text[PS_SHA256_TEXT] */
void ps_sha256_digest(const void *data, size_t len, char *text);


#endif /* _PS_SHA256_H_INCLUDED_ */
