
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Writing a snapshot, the build's one entry: names the files beside the
 * output and removes them in the end, and ties the steps together.
 * Records are appended to an unlinked spool file (ps_spool.c) as they
 * come, and a scratch LMDB environment keeps the build's bookkeeping
 * (ps_scratch.c: id -> where its record is in the spool, and the joined
 * sources' rows).  At the end each live record is appended in key order
 * to a fresh environment under a temporary name (ps_copy.c), then the
 * metadata (ps_meta.c), the id index (ps_index.c), one fsync, rename and
 * directory fsync (ps_publish.c) (docs/snapshot-format.md).
 */


#ifndef _PS_WRITER_H_INCLUDED_
#define _PS_WRITER_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <lmdb.h>

#include "ps_buf.h"
#include "ps_copy.h"
#include "ps_relstore.h"
#include "ps_schema.h"
#include "ps_scratch.h"
#include "ps_sha256.h"
#include "ps_spool.h"


#define PS_WRITER_MAX_AUX  PS_SCRATCH_MAX_AUX



typedef struct {
    ps_scratch_t    scratch;    /* bookkeeping */
    ps_spool_t      spool;      /* every record written, in input order */
    char           *out;
    char           *work;       /* scratch environment */
    char           *work_lock;
    char           *tmp;        /* the new snapshot, renamed to out */
    char           *dir;        /* directory of out, for fsync */
    int             sig[3];     /* ps_signal_track() of work, lock, tmp */
    ps_relstore_t  *relations;  /* sorted, written by finish; or NULL */

    /* filled by ps_writer_finish() */
    uint64_t        count;      /* profiles */
    uint64_t        embedded;   /* records of embeddable sources */
    char            content_hash[PS_SHA256_TEXT];
    char            snapshot_id[65];
    char            created_at[32];
} ps_writer_t;


/*
 * Create the spool and the scratch environment for out.  mapsize 0
 * picks the default.  Returns 0, or -1 with a message printed; call
 * ps_writer_close() in both cases.
 */
int ps_writer_open(ps_writer_t *w, const char *out, size_t mapsize);

/*
 * Room for a record of len bytes, for the caller to build it in place
 * and hand to ps_writer_put(), which takes it there without a copy.
 * Valid until a ps_writer_*() call other than ps_writer_put().
 */
unsigned char *ps_writer_space(ps_writer_t *w, size_t len);

/*
 * Store the record of rec_len bytes built at ps_writer_space()'s address
 * for id, and its bookkeeping *seen.  With prev NULL, a
 * record stored for id before is replaced.  Otherwise only a new id is
 * stored: for one seen before, nothing is written, *prev is filled and
 * the return is 1.  Returns 0 when stored, -1 on error (printed).
 */
int ps_writer_put(ps_writer_t *w, const char *id, size_t len,
    size_t rec_len, const ps_seen_t *seen, ps_seen_t *prev);

/* remove the record for id, keep the bookkeeping *seen */
int ps_writer_del(ps_writer_t *w, const char *id, size_t len,
    const ps_seen_t *seen);

/*
 * The record stored for id: 1 with rec and rec_len set (valid until the
 * next write call), or 0 if none, -1 on error.
 */
int ps_writer_get(ps_writer_t *w, const char *id, size_t len,
    const void **rec, size_t *rec_len);

/*
 * 1 if a record is stored for id, 0 if not, -1 on error: ps_writer_get()
 * without reading the record.
 */
int ps_writer_has(ps_writer_t *w, const char *id, size_t len);

/*
 * Build-time databases beside the snapshot's own (never in it): open or
 * create one, put, get (1 and the value, valid until the next write
 * call; 0 if none; -1 on error), and walk one in key order (stop when
 * cb returns non-zero; that value is returned).  The scratch
 * environment's (ps_scratch_aux*()).
 */
int ps_writer_aux(ps_writer_t *w, const char *name, MDB_dbi *dbi);
int ps_writer_aux_put(ps_writer_t *w, MDB_dbi dbi, const void *key,
    size_t key_len, const void *val, size_t val_len);
int ps_writer_aux_get(ps_writer_t *w, MDB_dbi dbi, const void *key,
    size_t key_len, const void **val, size_t *val_len);
int ps_writer_aux_each(ps_writer_t *w, MDB_dbi dbi,
    int (*cb)(void *ctx, MDB_val *key, MDB_val *val), void *ctx);

/*
 * Copy the records (and w->relations, with their keyed table), write
 * the metadata and the index, and publish the snapshot at out.
 * snapshot_id may be NULL (generated from created and the content
 * hash).  Returns 0, or -1 with a message printed (nothing is left at
 * out then).
 */
int ps_writer_finish(ps_writer_t *w, ps_schema_t *s,
    const char *snapshot_id, time_t created);

/* remove every temporary file and free the writer (after finish too) */
void ps_writer_close(ps_writer_t *w);


#endif /* _PS_WRITER_H_INCLUDED_ */
