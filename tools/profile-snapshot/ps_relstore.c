
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The relations of a build, gathered in memory: a hash set of pair keys
 * (open addressing over the pairs' indexes, keys compared in full, so a
 * duplicate is never guessed from a hash), then sorted once and written
 * with MDB_APPEND, which fills LMDB's pages in order without a search.
 * About 40 bytes a pair plus its key.
 */


#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_relstore.h"
#include "ngx_http_profile_format.h"


static void ps_relstore_grow(ps_relstore_t *t);
static uint32_t *ps_relstore_slot(ps_relstore_t *t, const unsigned char *key,
    size_t len);
static int ps_relstore_cmp(const void *x, const void *y, void *ctx);


int
ps_relstore_add(ps_relstore_t *t, const unsigned char *key, size_t len,
    unsigned fact, uint64_t line)
{
    uint32_t  *slot;
    ps_rel_t  *r;

    if (2 * (t->n + 1) > t->mask + 1 || t->slots == NULL) {
        ps_relstore_grow(t);
    }

    slot = ps_relstore_slot(t, key, len);

    if (*slot != 0) {
        r = &t->rels[*slot - 1];

        if (r->facts & fact) {
            return 1;
        }

        r->facts |= (uint8_t) fact;
        return 0;
    }

    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 1024;
        t->rels = ps_realloc(t->rels, t->cap * sizeof(ps_rel_t));
    }

    r = &t->rels[t->n];
    r->key_off = t->keys.len;
    r->key_len = (uint16_t) len;
    r->line = line;
    r->facts = (uint8_t) fact;

    ps_buf_add(&t->keys, key, len);

    *slot = (uint32_t) ++t->n;

    return 0;
}


void
ps_relstore_sort(ps_relstore_t *t)
{
    free(t->slots);
    t->slots = NULL;
    t->mask = 0;

    if (t->n > 1) {
        qsort_r(t->rels, t->n, sizeof(ps_rel_t), ps_relstore_cmp, t);
    }

    t->sorted = 1;
}


uint8_t
ps_relstore_bits(unsigned facts)
{
    uint8_t  bits;

    bits = 0;

    if (facts & PS_REL_A_FOLLOWS_B) {
        bits |= NGX_HTTP_PROFILE_REL_A_FOLLOWS_B;
    }

    if (facts & PS_REL_B_FOLLOWS_A) {
        bits |= NGX_HTTP_PROFILE_REL_B_FOLLOWS_A;
    }

    if ((facts & (PS_REL_A_FRIENDS_B | PS_REL_B_FRIENDS_A))
        || (facts & (PS_REL_A_FOLLOWS_B | PS_REL_B_FOLLOWS_A))
           == (PS_REL_A_FOLLOWS_B | PS_REL_B_FOLLOWS_A))
    {
        bits |= NGX_HTTP_PROFILE_REL_FRIEND;
    }

    if (facts & PS_REL_A_BLOCKS_B) {
        bits |= NGX_HTTP_PROFILE_REL_A_BLOCKS_B;
    }

    if (facts & PS_REL_B_BLOCKS_A) {
        bits |= NGX_HTTP_PROFILE_REL_B_BLOCKS_A;
    }

    return bits;
}


uint64_t
ps_relstore_count(const ps_relstore_t *t, uint64_t *bytes)
{
    size_t    i;
    uint64_t  n;

    n = 0;
    *bytes = 0;

    for (i = 0; i < t->n; i++) {
        if (t->rels[i].facts != 0) {
            n++;
            *bytes += NGX_HTTP_PROFILE_REL_KEY + 2 * t->rels[i].key_len;
        }
    }

    return n;
}


int
ps_relstore_write(ps_relstore_t *t, MDB_env *env, const char *path)
{
    int             rc;
    size_t          i;
    MDB_txn        *txn;
    MDB_dbi         dbi;
    MDB_val         key, val;
    const char     *call;
    unsigned char   buf[NGX_HTTP_PROFILE_REL_KEY
                        + NGX_HTTP_PROFILE_PAIR_KEY_MAX];

    call = "mdb_txn_begin()";
    rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc != 0) {
        goto failed;
    }

    call = "mdb_dbi_open(relations)";
    rc = mdb_dbi_open(txn, NGX_HTTP_PROFILE_DB_RELATIONS, MDB_CREATE, &dbi);

    for (i = 0; rc == 0 && i < t->n; i++) {
        if (t->rels[i].facts == 0) {
            continue;
        }

        key.mv_data = (void *) ps_relstore_key(t, &t->rels[i]);
        key.mv_size = t->rels[i].key_len;

        val.mv_data = buf;
        val.mv_size = ngx_http_profile_relation_encode(buf,
                          ps_relstore_bits(t->rels[i].facts), key.mv_data,
                          key.mv_size)
                      - buf;

        call = "mdb_put(relations)";
        rc = mdb_put(txn, dbi, &key, &val, MDB_APPEND);
    }

    if (rc != 0) {
        mdb_txn_abort(txn);
        goto failed;
    }

    call = "mdb_txn_commit()";
    rc = mdb_txn_commit(txn);

    if (rc == 0) {
        return 0;
    }

failed:

    ps_error("%s: %s failed (%d: %s)", path, call, rc, mdb_strerror(rc));

    return -1;
}


void
ps_relstore_hash(const ps_relstore_t *t, ps_sha256_t *sha)
{
    size_t          i, len;
    const void     *key;
    unsigned char   buf[NGX_HTTP_PROFILE_REL_KEY
                        + NGX_HTTP_PROFILE_PAIR_KEY_MAX];

    for (i = 0; i < t->n; i++) {
        if (t->rels[i].facts == 0) {
            continue;
        }

        key = ps_relstore_key(t, &t->rels[i]);
        len = ngx_http_profile_relation_encode(buf,
                  ps_relstore_bits(t->rels[i].facts), key,
                  t->rels[i].key_len)
              - buf;

        ps_sha256_item(sha, key, t->rels[i].key_len);
        ps_sha256_item(sha, buf, len);
    }
}


void
ps_relstore_free(ps_relstore_t *t)
{
    free(t->rels);
    free(t->slots);
    ps_buf_free(&t->keys);
    memset(t, 0, sizeof(ps_relstore_t));
}


/* double the hash set (or make its first one) and place every pair */

static void
ps_relstore_grow(ps_relstore_t *t)
{
    size_t     i, nslots;
    uint32_t  *slot;

    nslots = t->slots != NULL ? 2 * (t->mask + 1) : 4096;

    free(t->slots);
    t->slots = ps_alloc(nslots * sizeof(uint32_t));
    memset(t->slots, 0, nslots * sizeof(uint32_t));
    t->mask = nslots - 1;

    for (i = 0; i < t->n; i++) {
        slot = ps_relstore_slot(t, ps_relstore_key(t, &t->rels[i]),
                                t->rels[i].key_len);
        *slot = (uint32_t) (i + 1);
    }
}


/* the slot of key: its pair's, or the empty one where it would go */

static uint32_t *
ps_relstore_slot(ps_relstore_t *t, const unsigned char *key, size_t len)
{
    uint64_t   i;
    ps_rel_t  *r;

    i = ngx_http_profile_hash64(key, len, 0) & t->mask;

    for ( ;; ) {
        if (t->slots[i] == 0) {
            return &t->slots[i];
        }

        r = &t->rels[t->slots[i] - 1];

        if (r->key_len == len
            && memcmp(ps_relstore_key(t, r), key, len) == 0)
        {
            return &t->slots[i];
        }

        i = (i + 1) & t->mask;
    }
}


/* LMDB's default key order: memcmp over the shorter, then the shorter */

static int
ps_relstore_cmp(const void *x, const void *y, void *ctx)
{
    int                   c;
    const ps_rel_t       *a, *b;
    const ps_relstore_t  *t;

    t = ctx;
    a = x;
    b = y;

    c = memcmp(ps_relstore_key(t, a), ps_relstore_key(t, b),
               a->key_len < b->key_len ? a->key_len : b->key_len);

    if (c != 0) {
        return c;
    }

    return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}
