
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The relations of a build (docs/snapshot-format.md "Relations"): one
 * entry per pair of ids with any edge, gathered in memory as edges come,
 * written in key order into the new snapshot's "relations" database.
 */


#ifndef _PS_RELSTORE_H_INCLUDED_
#define _PS_RELSTORE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "ps_buf.h"
#include "ps_sha256.h"


/* the directed facts of a pair (a, b) as the build gathers them */
#define PS_REL_A_FOLLOWS_B  0x01
#define PS_REL_B_FOLLOWS_A  0x02
#define PS_REL_A_FRIENDS_B  0x04
#define PS_REL_B_FRIENDS_A  0x08
#define PS_REL_A_BLOCKS_B   0x10
#define PS_REL_B_BLOCKS_A   0x20


typedef struct {
    uint64_t        key_off;    /* the pair key in keys */
    uint64_t        line;       /* the line of its first edge */
    uint16_t        key_len;
    uint8_t         facts;      /* PS_REL_*; 0: dropped */
} ps_rel_t;


typedef struct {
    ps_buf_t        keys;       /* every pair key, one after another */
    ps_rel_t       *rels;
    size_t          n;
    size_t          cap;
    uint32_t       *slots;      /* 1 + index into rels; 0: empty */
    uint64_t        mask;
    int             sorted;
} ps_relstore_t;


/*
 * Add the fact (one PS_REL_* bit) of pair key key[0 .. len - 1]
 * (ngx_http_profile_pair_key()) read at line.  Returns 0, or 1 if the
 * pair had the fact already (a duplicate edge; nothing changes).
 */
int ps_relstore_add(ps_relstore_t *t, const unsigned char *key, size_t len,
    unsigned fact, uint64_t line);

/* sort the pairs in LMDB's key order (no more ps_relstore_add() then) */
void ps_relstore_sort(ps_relstore_t *t);

/* the key of pair r */
static inline const unsigned char *
ps_relstore_key(const ps_relstore_t *t, const ps_rel_t *r)
{
    return t->keys.data + r->key_off;
}

/*
 * The stored relation bits of a pair's facts: followers, blocks, and
 * NGX_HTTP_PROFILE_REL_FRIEND for a friend edge either way or follows
 * both ways (docs/snapshot-format.md "Relations").
 */
uint8_t ps_relstore_bits(unsigned facts);

/* the pairs kept (facts not 0) and the bytes of their values */
uint64_t ps_relstore_count(const ps_relstore_t *t, uint64_t *bytes);

/*
 * Write the kept pairs, sorted, into database "relations" of env (a
 * new snapshot with room for them) in one transaction, with MDB_APPEND.
 * Returns 0, or -1 with a message naming path printed.
 */
int ps_relstore_write(ps_relstore_t *t, MDB_env *env, const char *path);

/* add every kept pair's key and value to the content hash, in order */
void ps_relstore_hash(const ps_relstore_t *t, ps_sha256_t *sha);

void ps_relstore_free(ps_relstore_t *t);


#endif /* _PS_RELSTORE_H_INCLUDED_ */
