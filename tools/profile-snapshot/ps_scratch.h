
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The scratch environment: an LMDB environment beside the output that
 * holds a build's bookkeeping and nothing of the snapshot itself.  Its
 * "seen" database maps each id to what the build knows of it (ps_seen_t)
 * and where its record is in the spool (ps_spool.c); the auxiliary
 * databases keep the joined sources' rows and the report's amendments.
 * Writes are batched into transactions of PS_TXN_PUTS puts or
 * PS_TXN_BYTES bytes; the file is removed when the build ends.
 */


#ifndef _PS_SCRATCH_H_INCLUDED_
#define _PS_SCRATCH_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>


/* what the build remembers about an id already written */
typedef struct {
    uint64_t        line;       /* line of the stored record */
    uint32_t        source;     /* its source index */
    uint32_t        flags;      /* PS_SEEN_* */
    int64_t         order;      /* duplicate ordering value (newest) */
} ps_seen_t;

#define PS_SEEN_STORED    0x01  /* a record with this id is stored */
#define PS_SEEN_REJECTED  0x02  /* duplicates rejected: id is banned */
#define PS_SEEN_HAS_ORDER 0x04  /* order is meaningful */
#define PS_SEEN_FIXED     0x08  /* the stored record's outcome was fixed */
#define PS_SEEN_DEFAULTED 0x10  /* ... was defaulted */

#define PS_SCRATCH_MAX_AUX  20


typedef struct {
    MDB_env        *env;
    MDB_txn        *txn;        /* the open write transaction, or NULL */
    MDB_cursor     *cur;        /* on seen in txn, or NULL */
    MDB_dbi         seen;       /* id -> ps_seen_t + spool offset, length */
    const char     *path;       /* the file, for messages */
    size_t          txn_puts;
    size_t          txn_bytes;
    size_t          mapsize;
    MDB_dbi         aux[PS_SCRATCH_MAX_AUX];
    unsigned        naux;
} ps_scratch_t;


/* a walk of the stored records in key order (ps_scratch_walk_*()) */
typedef struct {
    MDB_txn        *txn;
    MDB_cursor     *cur;
    int             started;
} ps_scratch_walk_t;


/*
 * Create the scratch environment at path (which must outlive sc; its
 * "-lock" file beside it) with its "seen" database.  mapsize 0 picks
 * the default: 256 GiB of address space, halved down to 1 GiB while the
 * system refuses.  Returns 0, or -1 with a message printed; sc->env is
 * NULL then unless the environment was opened.
 */
int ps_scratch_open(ps_scratch_t *sc, const char *path, size_t mapsize);

/*
 * Write the bookkeeping of id: *seen with flags instead of seen->flags,
 * and the record's place in the spool (off, rec_len).  With prev, only
 * if id has none yet: an id already there gives 1 with *prev filled and
 * nothing written.  Returns 0 when written, -1 on error (printed).
 */
int ps_scratch_seen_put(ps_scratch_t *sc, const char *id, size_t len,
    const ps_seen_t *seen, uint32_t flags, uint64_t off, size_t rec_len,
    ps_seen_t *prev);

/*
 * Where the record stored for id is in the spool: 1 with *off and
 * *rec_len set, 0 if none is stored, -1 on error (printed).
 */
int ps_scratch_seen_get(ps_scratch_t *sc, const char *id, size_t len,
    uint64_t *off, size_t *rec_len);

/*
 * Auxiliary databases beside "seen": open or create one, put, get (1
 * and the value, valid until the next write call; 0 if none; -1 on
 * error), and walk one in key order (stop when cb returns non-zero;
 * that value is returned).  Errors are printed.
 */
int ps_scratch_aux(ps_scratch_t *sc, const char *name, MDB_dbi *dbi);
int ps_scratch_aux_put(ps_scratch_t *sc, MDB_dbi dbi, const void *key,
    size_t key_len, const void *val, size_t val_len);
int ps_scratch_aux_get(ps_scratch_t *sc, MDB_dbi dbi, const void *key,
    size_t key_len, const void **val, size_t *val_len);
int ps_scratch_aux_each(ps_scratch_t *sc, MDB_dbi dbi,
    int (*cb)(void *ctx, MDB_val *key, MDB_val *val), void *ctx);

/* commit the open write transaction, if any; 0, or -1 (printed) */
int ps_scratch_commit(ps_scratch_t *sc);

/*
 * Walk the ids whose record is stored, in key order, in a read
 * transaction of their own (after ps_scratch_commit()): next gives 1
 * with *key (valid until the next call), *off and *rec_len, 0 at the
 * end, -1 on error (printed).  Close the walk in every case after open
 * returned 0.
 */
int ps_scratch_walk_open(ps_scratch_t *sc, ps_scratch_walk_t *wk);
int ps_scratch_walk_next(ps_scratch_t *sc, ps_scratch_walk_t *wk,
    MDB_val *key, uint64_t *off, size_t *rec_len);
void ps_scratch_walk_close(ps_scratch_walk_t *wk);

/* abort the open transaction, close the environment (files stay) */
void ps_scratch_close(ps_scratch_t *sc);


#endif /* _PS_SCRATCH_H_INCLUDED_ */
