
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <errno.h>
#include <string.h>
#include <lmdb.h>

#include "ps.h"
#include "ps_scratch.h"
#include "ngx_http_profile_format.h"


/* commit the scratch environment after this many puts or bytes */
#define PS_TXN_PUTS      100000
#define PS_TXN_BYTES     (512 * 1024 * 1024)

/* address space only: the scratch file grows with the data */
#define PS_MAPSIZE_DEFAULT  ((size_t) 256 << 30)
#define PS_MAPSIZE_MIN      ((size_t) 1 << 30)

/* ps_seen_t as stored, then the record's spool offset and length */
#define PS_SEEN_SIZE     36

#define PS_DB_SEEN       "_build_seen"


static int ps_scratch_txn(ps_scratch_t *sc);
static int ps_scratch_seen_value(ps_scratch_t *sc, MDB_val *val,
    ps_seen_t *seen);
static void ps_scratch_lmdb_err(ps_scratch_t *sc, const char *call, int rc);
static int ps_scratch_count(ps_scratch_t *sc, size_t bytes);


int
ps_scratch_open(ps_scratch_t *sc, const char *path, size_t mapsize)
{
    int  rc;

    memset(sc, 0, sizeof(ps_scratch_t));
    sc->path = path;

    rc = mdb_env_create(&sc->env);
    if (rc != 0) {
        sc->env = NULL;
        ps_scratch_lmdb_err(sc, "mdb_env_create()", rc);
        return -1;
    }

    /* "seen" and the joined sources' rows */
    mdb_env_set_maxdbs(sc->env, 1 + PS_SCRATCH_MAX_AUX);

    sc->mapsize = mapsize ? mapsize : PS_MAPSIZE_DEFAULT;

    for ( ;; ) {
        rc = mdb_env_set_mapsize(sc->env, sc->mapsize);

        if (rc == 0) {
            rc = mdb_env_open(sc->env, path,
                              MDB_NOSUBDIR | MDB_NOSYNC | MDB_NOMETASYNC
                              | MDB_NORDAHEAD, 0600);
        }

        /* a smaller address space limit (ulimit -v): try less */
        if (rc == ENOMEM && mapsize == 0 && sc->mapsize > PS_MAPSIZE_MIN) {
            sc->mapsize /= 2;
            continue;
        }

        break;
    }

    if (rc != 0) {
        ps_scratch_lmdb_err(sc, "mdb_env_open()", rc);
        mdb_env_close(sc->env);
        sc->env = NULL;
        return -1;
    }

    if (ps_scratch_txn(sc) != 0) {
        return -1;
    }

    rc = mdb_dbi_open(sc->txn, PS_DB_SEEN, MDB_CREATE, &sc->seen);

    if (rc != 0) {
        ps_scratch_lmdb_err(sc, "mdb_dbi_open()", rc);
        return -1;
    }

    return ps_scratch_commit(sc);
}


/*
 * Through one cursor a transaction: when the id sorts within the leaf
 * page the cursor is on (ids that come in order, or nearly), LMDB skips
 * the descent from the root; with prev, the lookup and the insert are
 * one descent of the tree.
 */

int
ps_scratch_seen_put(ps_scratch_t *sc, const char *id, size_t len,
    const ps_seen_t *seen, uint32_t flags, uint64_t off, size_t rec_len,
    ps_seen_t *prev)
{
    int            rc;
    MDB_val        key, val;
    unsigned char  b[PS_SEEN_SIZE];

    if (sc->txn == NULL && ps_scratch_txn(sc) != 0) {
        return -1;
    }

    ngx_http_profile_put64(b, seen->line);
    ngx_http_profile_put32(b + 8, seen->source);
    ngx_http_profile_put32(b + 12, flags);
    ngx_http_profile_put64(b + 16, (uint64_t) seen->order);
    ngx_http_profile_put64(b + 24, off);
    ngx_http_profile_put32(b + 32, (uint32_t) rec_len);

    key.mv_data = (void *) id;
    key.mv_size = len;
    val.mv_data = b;
    val.mv_size = PS_SEEN_SIZE;

    if (sc->cur == NULL) {
        rc = mdb_cursor_open(sc->txn, sc->seen, &sc->cur);
        if (rc != 0) {
            sc->cur = NULL;
            ps_scratch_lmdb_err(sc, "mdb_cursor_open()", rc);
            return -1;
        }
    }

    rc = mdb_cursor_put(sc->cur, &key, &val,
                        prev != NULL ? MDB_NOOVERWRITE : 0);

    if (rc == MDB_KEYEXIST && prev != NULL) {
        return ps_scratch_seen_value(sc, &val, prev);
    }

    if (rc != 0) {
        ps_scratch_lmdb_err(sc, "mdb_cursor_put()", rc);
        return -1;
    }

    return ps_scratch_count(sc, len + PS_SEEN_SIZE);
}


int
ps_scratch_seen_get(ps_scratch_t *sc, const char *id, size_t len,
    uint64_t *off, size_t *rec_len)
{
    int                   rc;
    MDB_val               key, val;
    const unsigned char  *p;

    if (sc->txn == NULL && ps_scratch_txn(sc) != 0) {
        return -1;
    }

    key.mv_data = (void *) id;
    key.mv_size = len;

    rc = mdb_get(sc->txn, sc->seen, &key, &val);

    if (rc == MDB_NOTFOUND) {
        return 0;
    }

    if (rc != 0) {
        ps_scratch_lmdb_err(sc, "mdb_get()", rc);
        return -1;
    }

    p = val.mv_data;

    if (val.mv_size != PS_SEEN_SIZE) {
        ps_error("%s: build bookkeeping is corrupt", sc->path);
        return -1;
    }

    if (!(ngx_http_profile_get32(p + 12) & PS_SEEN_STORED)) {
        return 0;
    }

    *rec_len = ngx_http_profile_get32(p + 32);
    *off = ngx_http_profile_get64(p + 24);

    return 1;
}


int
ps_scratch_aux(ps_scratch_t *sc, const char *name, MDB_dbi *dbi)
{
    int  rc;

    if (sc->naux == PS_SCRATCH_MAX_AUX) {
        ps_error("too many build databases");
        return -1;
    }

    if (sc->txn == NULL && ps_scratch_txn(sc) != 0) {
        return -1;
    }

    rc = mdb_dbi_open(sc->txn, name, MDB_CREATE, dbi);
    if (rc != 0) {
        ps_scratch_lmdb_err(sc, "mdb_dbi_open()", rc);
        return -1;
    }

    sc->aux[sc->naux++] = *dbi;

    return 0;
}


int
ps_scratch_aux_put(ps_scratch_t *sc, MDB_dbi dbi, const void *key,
    size_t key_len, const void *val, size_t val_len)
{
    int      rc;
    MDB_val  k, v;

    if (sc->txn == NULL && ps_scratch_txn(sc) != 0) {
        return -1;
    }

    k.mv_data = (void *) key;
    k.mv_size = key_len;
    v.mv_data = (void *) val;
    v.mv_size = val_len;

    rc = mdb_put(sc->txn, dbi, &k, &v, 0);
    if (rc != 0) {
        ps_scratch_lmdb_err(sc, "mdb_put()", rc);
        return -1;
    }

    return ps_scratch_count(sc, key_len + val_len);
}


int
ps_scratch_aux_get(ps_scratch_t *sc, MDB_dbi dbi, const void *key,
    size_t key_len, const void **val, size_t *val_len)
{
    int      rc;
    MDB_val  k, v;

    if (sc->txn == NULL && ps_scratch_txn(sc) != 0) {
        return -1;
    }

    k.mv_data = (void *) key;
    k.mv_size = key_len;

    rc = mdb_get(sc->txn, dbi, &k, &v);

    if (rc == MDB_NOTFOUND) {
        return 0;
    }

    if (rc != 0) {
        ps_scratch_lmdb_err(sc, "mdb_get()", rc);
        return -1;
    }

    *val = v.mv_data;
    *val_len = v.mv_size;

    return 1;
}


int
ps_scratch_aux_each(ps_scratch_t *sc, MDB_dbi dbi,
    int (*cb)(void *ctx, MDB_val *key, MDB_val *val), void *ctx)
{
    int          rc, stop;
    MDB_val      k, v;
    MDB_cursor  *cur;

    if (sc->txn == NULL && ps_scratch_txn(sc) != 0) {
        return -1;
    }

    rc = mdb_cursor_open(sc->txn, dbi, &cur);
    if (rc != 0) {
        ps_scratch_lmdb_err(sc, "mdb_cursor_open()", rc);
        return -1;
    }

    stop = 0;

    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
         rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
    {
        stop = cb(ctx, &k, &v);

        if (stop) {
            break;
        }
    }

    mdb_cursor_close(cur);

    if (rc != 0 && rc != MDB_NOTFOUND) {
        ps_scratch_lmdb_err(sc, "mdb_cursor_get()", rc);
        return -1;
    }

    return stop;
}


int
ps_scratch_commit(ps_scratch_t *sc)
{
    int  rc;

    if (sc->txn == NULL) {
        return 0;
    }

    /* the commit closes the cursor */
    rc = mdb_txn_commit(sc->txn);
    sc->txn = NULL;
    sc->cur = NULL;

    if (rc != 0) {
        ps_scratch_lmdb_err(sc, "mdb_txn_commit()", rc);
        return -1;
    }

    return 0;
}


int
ps_scratch_walk_open(ps_scratch_t *sc, ps_scratch_walk_t *wk)
{
    int  rc;

    wk->txn = NULL;
    wk->cur = NULL;
    wk->started = 0;

    rc = mdb_txn_begin(sc->env, NULL, MDB_RDONLY, &wk->txn);
    if (rc != 0) {
        wk->txn = NULL;
        ps_scratch_lmdb_err(sc, "mdb_txn_begin()", rc);
        return -1;
    }

    rc = mdb_cursor_open(wk->txn, sc->seen, &wk->cur);
    if (rc != 0) {
        wk->cur = NULL;
        ps_scratch_lmdb_err(sc, "mdb_cursor_open()", rc);
        mdb_txn_abort(wk->txn);
        wk->txn = NULL;
        return -1;
    }

    return 0;
}


int
ps_scratch_walk_next(ps_scratch_t *sc, ps_scratch_walk_t *wk, MDB_val *key,
    uint64_t *off, size_t *rec_len)
{
    int                   rc;
    MDB_val               val;
    const unsigned char  *p;

    for ( ;; ) {
        rc = mdb_cursor_get(wk->cur, key, &val,
                            wk->started ? MDB_NEXT : MDB_FIRST);
        wk->started = 1;

        if (rc == MDB_NOTFOUND) {
            return 0;
        }

        if (rc != 0) {
            ps_scratch_lmdb_err(sc, "mdb_cursor_get()", rc);
            return -1;
        }

        p = val.mv_data;

        if (val.mv_size != PS_SEEN_SIZE) {
            ps_error("%s: build bookkeeping is corrupt", sc->path);
            return -1;
        }

        if (ngx_http_profile_get32(p + 12) & PS_SEEN_STORED) {
            *off = ngx_http_profile_get64(p + 24);
            *rec_len = ngx_http_profile_get32(p + 32);
            return 1;
        }
    }
}


void
ps_scratch_walk_close(ps_scratch_walk_t *wk)
{
    if (wk->cur != NULL) {
        mdb_cursor_close(wk->cur);
        wk->cur = NULL;
    }

    if (wk->txn != NULL) {
        mdb_txn_abort(wk->txn);
        wk->txn = NULL;
    }
}


void
ps_scratch_close(ps_scratch_t *sc)
{
    if (sc->txn != NULL) {
        mdb_txn_abort(sc->txn);
        sc->txn = NULL;
        sc->cur = NULL;
    }

    if (sc->env != NULL) {
        mdb_env_close(sc->env);
        sc->env = NULL;
    }
}


static int
ps_scratch_txn(ps_scratch_t *sc)
{
    int  rc;

    rc = mdb_txn_begin(sc->env, NULL, 0, &sc->txn);

    if (rc != 0) {
        sc->txn = NULL;
        ps_scratch_lmdb_err(sc, "mdb_txn_begin()", rc);
        return -1;
    }

    sc->cur = NULL;
    sc->txn_puts = 0;
    sc->txn_bytes = 0;

    return 0;
}


/* ps_seen_t from a "seen" value: 1, or -1 if the value is damaged */

static int
ps_scratch_seen_value(ps_scratch_t *sc, MDB_val *val, ps_seen_t *seen)
{
    const unsigned char  *p;

    if (val->mv_size != PS_SEEN_SIZE) {
        ps_error("%s: build bookkeeping is corrupt", sc->path);
        return -1;
    }

    p = val->mv_data;
    seen->line = ngx_http_profile_get64(p);
    seen->source = ngx_http_profile_get32(p + 8);
    seen->flags = ngx_http_profile_get32(p + 12);
    seen->order = (int64_t) ngx_http_profile_get64(p + 16);

    return 1;
}


static void
ps_scratch_lmdb_err(ps_scratch_t *sc, const char *call, int rc)
{
    ps_error("%s: %s failed (%d: %s)%s", sc->path, call, rc,
             mdb_strerror(rc),
             rc == MDB_MAP_FULL ? "; use a larger --map-size" : "");
}


/* one more put of bytes in the open transaction: commit when it is full */

static int
ps_scratch_count(ps_scratch_t *sc, size_t bytes)
{
    sc->txn_puts++;
    sc->txn_bytes += bytes;

    if (sc->txn_puts >= PS_TXN_PUTS || sc->txn_bytes >= PS_TXN_BYTES) {
        return ps_scratch_commit(sc);
    }

    return 0;
}
