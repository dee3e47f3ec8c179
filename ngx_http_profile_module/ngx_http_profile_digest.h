
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The full check of "profile_snapshot_verify full": a snapshot's
 * content hash recomputed as docs/snapshot-format.md "Content hash"
 * defines it, with libcrypto's SHA-256 (EVP_Digest*), and compared with
 * its meta "content_hash".
 */


#ifndef _NGX_HTTP_PROFILE_DIGEST_H_INCLUDED_
#define _NGX_HTTP_PROFILE_DIGEST_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_profile_file.h"
#include "ngx_http_profile_meta.h"


/*
 * Recompute the content hash of the open file f, whose metadata m has
 * passed ngx_http_profile_meta_check(): with embedded sources first the
 * "sources" value and per source its "fields.NAME" value, its
 * "members.NAME" value (when present) and every key and value of
 * "src.NAME" in key order; then every key and value of
 * "profiles" in key order, the "classes", "fields", "roles", "states"
 * and "members" values (those present), every key and value of
 * "relations" when there are relations; each key or value LMDB returns
 * is checked to lie inside the file before it is hashed.  It reads
 * every page of the file: as long as reading the file once.  Returns
 * NGX_OK when it matches meta "content_hash", or NGX_ERROR with a
 * reason in err
 * (NGX_HTTP_PROFILE_FILE_ERRSTR bytes, terminated) that reads on after
 * the snapshot's quoted path.
 */
ngx_int_t ngx_http_profile_digest_check(ngx_http_profile_file_t *f,
    ngx_http_profile_meta_t *m, u_char *err);


#endif /* _NGX_HTTP_PROFILE_DIGEST_H_INCLUDED_ */
