
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * SHA-256 (FIPS 180-4), for schema_digest and content_hash.
 */


#ifndef _PS_SHA256_H_INCLUDED_
#define _PS_SHA256_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define PS_SHA256_SIZE  32
/* "sha256:" + 64 hex digits + NUL */
#define PS_SHA256_TEXT  (7 + 64 + 1)


typedef struct {
    uint32_t       h[8];
    uint64_t       bytes;
    unsigned char  block[64];
    size_t         used;
} ps_sha256_t;


void ps_sha256_init(ps_sha256_t *ctx);
void ps_sha256_update(ps_sha256_t *ctx, const void *data, size_t len);
void ps_sha256_final(ps_sha256_t *ctx, unsigned char out[PS_SHA256_SIZE]);

/*
 * Add len as a little-endian u32, then the bytes: the framing of each
 * item of the content hash (docs/snapshot-format.md).
 */
void ps_sha256_item(ps_sha256_t *ctx, const void *data, size_t len);

/* write "sha256:<hex>" of the digest into text[PS_SHA256_TEXT] */
void ps_sha256_text(const unsigned char digest[PS_SHA256_SIZE],
    char *text);


#endif /* _PS_SHA256_H_INCLUDED_ */
