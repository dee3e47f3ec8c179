
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The content hash recomputed (see ngx_http_profile_digest.h).  SHA-256
 * is libcrypto's, the library profile-snapshot computes the hash with:
 * what is ours is the walk and the framing of each item, its length as
 * a little-endian u32 and then its bytes.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <openssl/evp.h>

#include "ngx_http_profile_digest.h"


/* "sha256:" and 64 hex digits */
#define NGX_HTTP_PROFILE_DIGEST_TEXT  (7 + 64)


static int ngx_http_profile_digest_item(EVP_MD_CTX *md, const void *data,
    size_t len);
static ngx_int_t ngx_http_profile_digest_db(ngx_http_profile_file_t *f,
    MDB_dbi dbi, EVP_MD_CTX *md, const char *name, u_char *err);


ngx_int_t
ngx_http_profile_digest_check(ngx_http_profile_file_t *f,
    ngx_http_profile_meta_t *m, u_char *err)
{
    int             rc;
    u_char         *last, *p;
    MDB_val         val;
    ngx_uint_t      i;
    EVP_MD_CTX     *md;
    unsigned int    len;
    const char     *name;
    u_char          digest[EVP_MAX_MD_SIZE];
    u_char          text[NGX_HTTP_PROFILE_DIGEST_TEXT];
    char            key[NGX_HTTP_PROFILE_SOURCE_KEY_MAX];

    static const char  *tables[] = {
        NGX_HTTP_PROFILE_META_CLASSES,
        NGX_HTTP_PROFILE_META_FIELDS,
        NGX_HTTP_PROFILE_META_ROLES,
        NGX_HTTP_PROFILE_META_STATES,
        NGX_HTTP_PROFILE_META_MEMBERS,
        NULL
    };

    last = err + NGX_HTTP_PROFILE_FILE_ERRSTR - 1;

    md = EVP_MD_CTX_new();
    if (md == NULL) {
        *ngx_slprintf(err, last, ": EVP_MD_CTX_new() failed") = '\0';
        return NGX_ERROR;
    }

    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        *ngx_slprintf(err, last, ": EVP_DigestInit_ex() failed") = '\0';
        goto failed;
    }

    /*
     * the embedded sources first: the "sources" table, then per source
     * its fields table and its records
     */

    rc = ngx_http_profile_file_get(f, m->meta, NGX_HTTP_PROFILE_META_SOURCES,
                                   sizeof(NGX_HTTP_PROFILE_META_SOURCES) - 1,
                                   &val);
    if (rc != 0 && rc != MDB_NOTFOUND) {
        *ngx_slprintf(err, last, ": reading \"%s\" failed (%d: %s)",
                      NGX_HTTP_PROFILE_META_SOURCES, rc, mdb_strerror(rc))
            = '\0';
        goto failed;
    }

    if (rc == 0
        && !ngx_http_profile_digest_item(md, val.mv_data, val.mv_size))
    {
        *ngx_slprintf(err, last, ": EVP_DigestUpdate() failed") = '\0';
        goto failed;
    }

    for (i = 0; i < m->nsources; i++) {
        ngx_http_profile_source_key(key, NGX_HTTP_PROFILE_META_FIELDS_SOURCE,
                                    m->sources[i].name,
                                    m->sources[i].name_len);

        rc = ngx_http_profile_file_get(f, m->meta, key, ngx_strlen(key),
                                       &val);
        if (rc != 0) {
            *ngx_slprintf(err, last, ": reading \"%s\" failed (%d: %s)",
                          key, rc, mdb_strerror(rc)) = '\0';
            goto failed;
        }

        if (!ngx_http_profile_digest_item(md, val.mv_data, val.mv_size)) {
            *ngx_slprintf(err, last, ": EVP_DigestUpdate() failed") = '\0';
            goto failed;
        }

        /* its members table, when it has one */

        ngx_http_profile_source_key(key,
                                    NGX_HTTP_PROFILE_META_MEMBERS_SOURCE,
                                    m->sources[i].name,
                                    m->sources[i].name_len);

        rc = ngx_http_profile_file_get(f, m->meta, key, ngx_strlen(key),
                                       &val);
        if (rc != 0 && rc != MDB_NOTFOUND) {
            *ngx_slprintf(err, last, ": reading \"%s\" failed (%d: %s)",
                          key, rc, mdb_strerror(rc)) = '\0';
            goto failed;
        }

        if (rc == 0
            && !ngx_http_profile_digest_item(md, val.mv_data, val.mv_size))
        {
            *ngx_slprintf(err, last, ": EVP_DigestUpdate() failed") = '\0';
            goto failed;
        }

        ngx_http_profile_source_key(key, NGX_HTTP_PROFILE_DB_SOURCE,
                                    m->sources[i].name,
                                    m->sources[i].name_len);

        if (ngx_http_profile_digest_db(f, m->sources[i].dbi, md, key, err)
            != NGX_OK)
        {
            goto failed;
        }
    }

    if (ngx_http_profile_digest_db(f, m->profiles, md,
                                   NGX_HTTP_PROFILE_DB_PROFILES, err)
        != NGX_OK)
    {
        goto failed;
    }

    /* the tables: "roles", "states" and "members" only when present */

    for (i = 0; tables[i] != NULL; i++) {
        name = tables[i];

        rc = ngx_http_profile_file_get(f, m->meta, name, ngx_strlen(name),
                                       &val);
        if (rc == MDB_NOTFOUND) {
            continue;
        }

        if (rc != 0) {
            *ngx_slprintf(err, last, ": reading \"%s\" failed (%d: %s)",
                          name, rc, mdb_strerror(rc)) = '\0';
            goto failed;
        }

        if (!ngx_http_profile_digest_item(md, val.mv_data, val.mv_size)) {
            *ngx_slprintf(err, last, ": EVP_DigestUpdate() failed") = '\0';
            goto failed;
        }
    }

    if (m->has_relations
        && ngx_http_profile_digest_db(f, m->relations, md,
                                      NGX_HTTP_PROFILE_DB_RELATIONS, err)
           != NGX_OK)
    {
        goto failed;
    }

    if (EVP_DigestFinal_ex(md, digest, &len) != 1 || len != 32) {
        *ngx_slprintf(err, last, ": EVP_DigestFinal_ex() failed") = '\0';
        goto failed;
    }

    EVP_MD_CTX_free(md);

    p = ngx_cpymem(text, "sha256:", 7);
    ngx_hex_dump(p, digest, 32);

    rc = ngx_http_profile_file_get(f, m->meta,
                                   NGX_HTTP_PROFILE_META_CONTENT_HASH,
                                   sizeof(NGX_HTTP_PROFILE_META_CONTENT_HASH)
                                   - 1, &val);
    if (rc == MDB_NOTFOUND) {
        *ngx_slprintf(err, last, " is not a profile snapshot: meta \""
                      NGX_HTTP_PROFILE_META_CONTENT_HASH "\" is missing")
            = '\0';
        return NGX_ERROR;
    }

    if (rc != 0) {
        *ngx_slprintf(err, last, ": reading \"%s\" failed (%d: %s)",
                      NGX_HTTP_PROFILE_META_CONTENT_HASH, rc,
                      mdb_strerror(rc)) = '\0';
        return NGX_ERROR;
    }

    if (val.mv_size != NGX_HTTP_PROFILE_DIGEST_TEXT
        || ngx_memcmp(val.mv_data, text, NGX_HTTP_PROFILE_DIGEST_TEXT) != 0)
    {
        *ngx_slprintf(err, last, ": meta \"content_hash\" does not match "
                      "the content (%*s)",
                      (size_t) NGX_HTTP_PROFILE_DIGEST_TEXT, text) = '\0';
        return NGX_ERROR;
    }

    return NGX_OK;

failed:

    EVP_MD_CTX_free(md);

    return NGX_ERROR;
}


/* every key and value of dbi, in key order, each checked and hashed */

static ngx_int_t
ngx_http_profile_digest_db(ngx_http_profile_file_t *f, MDB_dbi dbi,
    EVP_MD_CTX *md, const char *name, u_char *err)
{
    int          rc;
    u_char      *last;
    MDB_val      key, val;
    uint64_t     n;
    MDB_cursor  *cur;

    last = err + NGX_HTTP_PROFILE_FILE_ERRSTR - 1;

    rc = mdb_cursor_open(f->txn, dbi, &cur);
    if (rc != 0) {
        *ngx_slprintf(err, last, ": content hash: mdb_cursor_open() failed "
                      "(%d: %s)", rc, mdb_strerror(rc)) = '\0';
        return NGX_ERROR;
    }

    n = 0;

    for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
         rc == 0;
         rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT))
    {
        n++;

        if (!ngx_http_profile_file_inside(f, key.mv_data, key.mv_size)
            || !ngx_http_profile_file_inside(f, val.mv_data, val.mv_size))
        {
            mdb_cursor_close(cur);
            *ngx_slprintf(err, last, ": content hash: entry %uL of the "
                          "\"%s\" database lies outside the file", n, name)
                = '\0';
            return NGX_ERROR;
        }

        if (!ngx_http_profile_digest_item(md, key.mv_data, key.mv_size)
            || !ngx_http_profile_digest_item(md, val.mv_data, val.mv_size))
        {
            mdb_cursor_close(cur);
            *ngx_slprintf(err, last, ": EVP_DigestUpdate() failed") = '\0';
            return NGX_ERROR;
        }
    }

    mdb_cursor_close(cur);

    if (rc != MDB_NOTFOUND) {
        *ngx_slprintf(err, last, ": content hash: reading the \"%s\" "
                      "database failed (%d: %s)", name, rc, mdb_strerror(rc))
            = '\0';
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* the item's length as a little-endian u32, then its bytes: 1, or 0 */

static int
ngx_http_profile_digest_item(EVP_MD_CTX *md, const void *data, size_t len)
{
    u_char  b[4];

    b[0] = (u_char) (len & 0xff);
    b[1] = (u_char) ((len >> 8) & 0xff);
    b[2] = (u_char) ((len >> 16) & 0xff);
    b[3] = (u_char) ((len >> 24) & 0xff);

    return EVP_DigestUpdate(md, b, 4) == 1
           && EVP_DigestUpdate(md, data, len) == 1;
}
