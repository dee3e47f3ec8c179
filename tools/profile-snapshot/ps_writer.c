
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_signal.h"
#include "ps_writer.h"
#include "ps_index.h"


/* commit the scratch environment after this many puts or bytes */
#define PS_TXN_PUTS      100000
#define PS_TXN_BYTES     (512 * 1024 * 1024)

/* address space only: the scratch file grows with the data */
#define PS_MAPSIZE_DEFAULT  ((size_t) 256 << 30)
#define PS_MAPSIZE_MIN      ((size_t) 1 << 30)

/* ps_seen_t as stored, then the record's spool offset and length */
#define PS_SEEN_SIZE     36

/* spool writes; the output's write transactions (bytes of pages) */
#define PS_SPOOL_CHUNK   (1024 * 1024)
#define PS_OUT_TXN       ((size_t) 32 << 20)

/*
 * The copy's reading of the spool (ps_writer_spool_done()): the mapped
 * pages are given back after so many bytes or jumps to other blocks of
 * the spool, and the spool is freed in pieces of so many bytes.
 */
#define PS_SPOOL_WINDOW  ((size_t) 32 << 20)
#define PS_SPOOL_JUMPS   512
#define PS_SPOOL_BLOCK   65536
#define PS_SPOOL_PIECE   ((uint64_t) 1 << 20)

#define PS_DB_SEEN       "_build_seen"


/* the copy's reading of the spool */
typedef struct {
    const unsigned char  *map;       /* the spool, or NULL: pread() */
    int                   scattered; /* pread() for this window */
    int                   punch;     /* punching holes works */
    uint64_t              lo;        /* bytes mapped in this window: */
    uint64_t              hi;        /*     at most lo to hi */
    uint64_t              last;      /* block the last record ended in */
    size_t                bytes;     /* this window's bytes, records */
    size_t                records;
    size_t                jumps;     /*     and jumps */
} ps_writer_spool_t;


static int ps_writer_txn(ps_writer_t *w);
static int ps_writer_commit(ps_writer_t *w);
static int ps_writer_seen_value(ps_writer_t *w, MDB_val *val,
    ps_seen_t *seen);
static int ps_writer_index(ps_writer_t *w, const char *id, size_t len,
    const ps_seen_t *seen, uint32_t flags, uint64_t off, size_t rec_len,
    ps_seen_t *prev);
static int ps_writer_spool_flush(ps_writer_t *w);
static void ps_writer_spool_count(ps_writer_t *w, uint64_t off,
    size_t len);
static int ps_writer_spool_read(ps_writer_t *w, uint64_t off, size_t len,
    const void **rec);
static void ps_writer_spool_map(ps_writer_t *w, ps_writer_spool_t *sp);
static void ps_writer_spool_unmap(ps_writer_t *w, ps_writer_spool_t *sp);
static int ps_writer_spool_get(ps_writer_t *w, ps_writer_spool_t *sp,
    uint64_t off, size_t len, const void **rec);
static int ps_writer_spool_done(ps_writer_t *w, ps_writer_spool_t *sp,
    uint64_t off, size_t len);
static int ps_writer_copy(ps_writer_t *w, ps_schema_t *s, MDB_env *out,
    MDB_dbi profiles, MDB_txn **txn);
static int ps_writer_room(ps_writer_t *w, MDB_env *out, size_t need,
    int exact);
static void ps_writer_writeback(MDB_env *out);
static size_t ps_writer_need(size_t key_len, size_t rec_len);
static int ps_writer_meta(ps_writer_t *w, MDB_txn *txn, MDB_dbi meta,
    const char *key, const void *val, size_t len);
static int ps_writer_publish(ps_writer_t *w);
static void ps_writer_lmdb_err(ps_writer_t *w, const char *call, int rc);
static void ps_writer_out_err(ps_writer_t *w, const char *call, int rc);


int
ps_writer_open(ps_writer_t *w, const char *out, size_t mapsize)
{
    int          rc;
    size_t       n;
    char        *spool;
    const char  *slash, *base;

    memset(w, 0, sizeof(ps_writer_t));
    w->spool = -1;
    w->sig[0] = -1;
    w->sig[1] = -1;
    w->sig[2] = -1;

    w->out = ps_strdup(out);

    slash = strrchr(out, '/');
    base = slash ? slash + 1 : out;

    if (*base == '\0') {
        ps_error("%s: --out must name a file", out);
        return -1;
    }

    w->dir = slash ? ps_strndup(out, slash - out + (slash == out)) :
                     ps_strdup(".");

    n = strlen(w->dir) + strlen(base) + 64;
    w->work = ps_alloc(n);
    w->work_lock = ps_alloc(n + 8);
    w->tmp = ps_alloc(n);
    spool = ps_alloc(n);

    snprintf(w->work, n, "%s/.%s.work.%ld", w->dir, base, (long) getpid());
    snprintf(w->work_lock, n + 8, "%s-lock", w->work);
    snprintf(w->tmp, n, "%s/.%s.tmp.%ld", w->dir, base, (long) getpid());
    snprintf(spool, n, "%s/.%s.spool.%ld", w->dir, base, (long) getpid());

    /* a stale scratch file of a crashed build with our pid */
    (void) unlink(w->work);
    (void) unlink(w->work_lock);
    (void) unlink(w->tmp);
    (void) unlink(spool);

    /* removed if a signal ends the build (ps_signal.c) */
    w->sig[0] = ps_signal_track(w->work);
    w->sig[1] = ps_signal_track(w->work_lock);
    w->sig[2] = ps_signal_track(w->tmp);

    /*
     * unlinked at once: nothing is left behind, whatever happens (and
     * no signal comes in between)
     */
    ps_signal_block();

    w->spool = open(spool, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (w->spool == -1) {
        ps_signal_unblock();
        ps_error("%s: cannot create: %s", spool, strerror(errno));
        free(spool);
        return -1;
    }

    (void) unlink(spool);
    ps_signal_unblock();
    free(spool);

    rc = mdb_env_create(&w->env);
    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_env_create()", rc);
        return -1;
    }

    /* "seen" and the joined sources' rows */
    mdb_env_set_maxdbs(w->env, 1 + PS_WRITER_MAX_AUX);

    w->mapsize = mapsize ? mapsize : PS_MAPSIZE_DEFAULT;

    for ( ;; ) {
        rc = mdb_env_set_mapsize(w->env, w->mapsize);

        if (rc == 0) {
            rc = mdb_env_open(w->env, w->work,
                              MDB_NOSUBDIR | MDB_NOSYNC | MDB_NOMETASYNC
                              | MDB_NORDAHEAD, 0600);
        }

        /* a smaller address space limit (ulimit -v): try less */
        if (rc == ENOMEM && mapsize == 0 && w->mapsize > PS_MAPSIZE_MIN) {
            w->mapsize /= 2;
            continue;
        }

        break;
    }

    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_env_open()", rc);
        mdb_env_close(w->env);
        w->env = NULL;
        return -1;
    }

    if (ps_writer_txn(w) != 0) {
        return -1;
    }

    rc = mdb_dbi_open(w->txn, PS_DB_SEEN, MDB_CREATE, &w->seen);

    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_dbi_open()", rc);
        return -1;
    }

    return ps_writer_commit(w);
}


unsigned char *
ps_writer_space(ps_writer_t *w, size_t len)
{
    /* where ps_writer_put() appends: the end of what is not yet written */
    ps_buf_reserve(&w->spool_buf, len);

    return w->spool_buf.data + w->spool_buf.len;
}


int
ps_writer_put(ps_writer_t *w, const char *id, size_t len, size_t rec_len,
    const ps_seen_t *seen, ps_seen_t *prev)
{
    int       rc;
    uint64_t  off;

    if (rec_len > 0xffffffffUL) {
        ps_error("%s: a record of %zu bytes is too large", w->out, rec_len);
        return -1;
    }

    /* where the record goes once its id is known to be free */
    off = w->spool_size + w->spool_buf.len;

    rc = ps_writer_index(w, id, len, seen, seen->flags | PS_SEEN_STORED,
                         off, rec_len, prev);
    if (rc != 0) {
        return rc;
    }

    /* built in place (ps_writer_space()) */
    w->spool_buf.len += rec_len;

    ps_writer_spool_count(w, off, rec_len);

    if (rec_len > w->max_rec) {
        w->max_rec = rec_len;
    }

    if (w->spool_buf.len >= PS_SPOOL_CHUNK) {
        return ps_writer_spool_flush(w);
    }

    return 0;
}


int
ps_writer_del(ps_writer_t *w, const char *id, size_t len,
    const ps_seen_t *seen)
{
    /* the spooled record stays, unreferenced */
    return ps_writer_index(w, id, len, seen, seen->flags & ~PS_SEEN_STORED,
                           0, 0, NULL);
}


int
ps_writer_get(ps_writer_t *w, const char *id, size_t len, const void **rec,
    size_t *rec_len)
{
    int                   rc;
    MDB_val               key, val;
    const unsigned char  *p;

    if (w->txn == NULL && ps_writer_txn(w) != 0) {
        return -1;
    }

    key.mv_data = (void *) id;
    key.mv_size = len;

    rc = mdb_get(w->txn, w->seen, &key, &val);

    if (rc == MDB_NOTFOUND) {
        return 0;
    }

    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_get()", rc);
        return -1;
    }

    p = val.mv_data;

    if (val.mv_size != PS_SEEN_SIZE) {
        ps_error("%s: build bookkeeping is corrupt", w->work);
        return -1;
    }

    if (!(ngx_http_profile_get32(p + 12) & PS_SEEN_STORED)) {
        return 0;
    }

    *rec_len = ngx_http_profile_get32(p + 32);

    if (ps_writer_spool_read(w, ngx_http_profile_get64(p + 24), *rec_len,
                             rec) != 0)
    {
        return -1;
    }

    return 1;
}


int
ps_writer_aux(ps_writer_t *w, const char *name, MDB_dbi *dbi)
{
    int  rc;

    if (w->naux == PS_WRITER_MAX_AUX) {
        ps_error("too many build databases");
        return -1;
    }

    if (w->txn == NULL && ps_writer_txn(w) != 0) {
        return -1;
    }

    rc = mdb_dbi_open(w->txn, name, MDB_CREATE, dbi);
    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_dbi_open()", rc);
        return -1;
    }

    w->aux[w->naux++] = *dbi;

    return 0;
}


int
ps_writer_aux_put(ps_writer_t *w, MDB_dbi dbi, const void *key,
    size_t key_len, const void *val, size_t val_len)
{
    int      rc;
    MDB_val  k, v;

    if (w->txn == NULL && ps_writer_txn(w) != 0) {
        return -1;
    }

    k.mv_data = (void *) key;
    k.mv_size = key_len;
    v.mv_data = (void *) val;
    v.mv_size = val_len;

    rc = mdb_put(w->txn, dbi, &k, &v, 0);
    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_put()", rc);
        return -1;
    }

    w->txn_puts++;
    w->txn_bytes += key_len + val_len;

    if (w->txn_puts >= PS_TXN_PUTS || w->txn_bytes >= PS_TXN_BYTES) {
        return ps_writer_commit(w);
    }

    return 0;
}


int
ps_writer_aux_get(ps_writer_t *w, MDB_dbi dbi, const void *key,
    size_t key_len, const void **val, size_t *val_len)
{
    int      rc;
    MDB_val  k, v;

    if (w->txn == NULL && ps_writer_txn(w) != 0) {
        return -1;
    }

    k.mv_data = (void *) key;
    k.mv_size = key_len;

    rc = mdb_get(w->txn, dbi, &k, &v);

    if (rc == MDB_NOTFOUND) {
        return 0;
    }

    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_get()", rc);
        return -1;
    }

    *val = v.mv_data;
    *val_len = v.mv_size;

    return 1;
}


int
ps_writer_aux_each(ps_writer_t *w, MDB_dbi dbi,
    int (*cb)(void *ctx, MDB_val *key, MDB_val *val), void *ctx)
{
    int          rc, stop;
    MDB_val      k, v;
    MDB_cursor  *cur;

    if (w->txn == NULL && ps_writer_txn(w) != 0) {
        return -1;
    }

    rc = mdb_cursor_open(w->txn, dbi, &cur);
    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_cursor_open()", rc);
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
        ps_writer_lmdb_err(w, "mdb_cursor_get()", rc);
        return -1;
    }

    return stop;
}



int
ps_writer_finish(ps_writer_t *w, ps_schema_t *s, const char *snapshot_id,
    time_t created)
{
    int        rc;
    char       num[32];
    MDB_dbi    profiles, meta;
    MDB_env   *out;
    MDB_txn   *txn;
    struct tm  tm;

    ps_index_info_t  info;

    if (w->txn != NULL && ps_writer_commit(w) != 0) {
        return -1;
    }

    if (ps_writer_spool_flush(w) != 0) {
        return -1;
    }

    if (gmtime_r(&created, &tm) == NULL) {
        ps_error("created_at: time out of range");
        return -1;
    }

    /*
     * The snapshot, written once: no lock file (nothing else opens it
     * before it is renamed), no sync per transaction, one fsync at the
     * end; each copy transaction's pages start going to disk as soon as
     * it commits (ps_writer_writeback()), so that the fsync waits less.
     * The map grows with what is written (ps_writer_room()), so
     * the size readers find in the meta page is close to the file's.
     */

    rc = mdb_env_create(&out);
    if (rc != 0) {
        ps_writer_out_err(w, "mdb_env_create()", rc);
        return -1;
    }

    mdb_env_set_maxdbs(out, NGX_HTTP_PROFILE_MAX_DBS);

    rc = mdb_env_set_mapsize(out, 1024 * 1024);

    if (rc == 0) {
        rc = mdb_env_open(out, w->tmp,
                          MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC
                          | MDB_NOMETASYNC | MDB_NORDAHEAD, 0644);
    }

    if (rc != 0) {
        ps_writer_out_err(w, "mdb_env_open()", rc);
        mdb_env_close(out);
        return -1;
    }

    txn = NULL;

    rc = mdb_txn_begin(out, NULL, 0, &txn);

    if (rc == 0) {
        rc = mdb_dbi_open(txn, NGX_HTTP_PROFILE_DB_PROFILES, MDB_CREATE,
                          &profiles);
    }

    if (rc == 0) {
        rc = mdb_dbi_open(txn, NGX_HTTP_PROFILE_DB_META, MDB_CREATE, &meta);
    }

    if (rc == 0) {
        rc = mdb_txn_commit(txn);
        txn = NULL;
    }

    if (rc != 0) {
        ps_writer_out_err(w, "mdb_dbi_open()", rc);
        goto failed;
    }

    /* the records, in key order, and the content hash */

    ps_signal_point("copy");

    if (ps_writer_copy(w, s, out, profiles, &txn) != 0) {
        goto failed;
    }

    strftime(w->created_at, sizeof(w->created_at), "%Y-%m-%dT%H:%M:%SZ",
             &tm);

    if (snapshot_id != NULL) {
        snprintf(w->snapshot_id, sizeof(w->snapshot_id), "%s", snapshot_id);

    } else {
        strftime(w->snapshot_id, sizeof(w->snapshot_id), "%Y%m%dT%H%M%SZ-",
                 &tm);
        /* 8 hex digits of the content hash after "sha256:" */
        strncat(w->snapshot_id, w->content_hash + 7, 8);
    }

    /*
     * Exactly the pages in use and room for the metadata: the map size
     * the meta page records then depends on the live records only, not
     * on the superseded ones the copy's reservations saw (w->max_rec).
     */
    if (ps_writer_room(w, out, 2 * (s->canonical.len + s->fields_bin.len
                                    + s->classes_bin.len) + 65536, 1)
        != 0)
    {
        goto failed;
    }

    rc = mdb_txn_begin(out, NULL, 0, &txn);
    if (rc != 0) {
        txn = NULL;
        ps_writer_out_err(w, "mdb_txn_begin()", rc);
        goto failed;
    }

    snprintf(num, sizeof(num), "%d", NGX_HTTP_PROFILE_FORMAT_VERSION);

    if (ps_writer_meta(w, txn, meta, NGX_HTTP_PROFILE_META_FORMAT,
                       NGX_HTTP_PROFILE_FORMAT_NAME,
                       sizeof(NGX_HTTP_PROFILE_FORMAT_NAME) - 1) != 0
        || ps_writer_meta(w, txn, meta, NGX_HTTP_PROFILE_META_VERSION, num,
                          strlen(num)) != 0
        || ps_writer_meta(w, txn, meta, NGX_HTTP_PROFILE_META_SNAPSHOT_ID,
                          w->snapshot_id, strlen(w->snapshot_id)) != 0
        || ps_writer_meta(w, txn, meta, NGX_HTTP_PROFILE_META_CREATED_AT,
                          w->created_at, strlen(w->created_at)) != 0
        || ps_writer_meta(w, txn, meta, NGX_HTTP_PROFILE_META_SCHEMA_DIGEST,
                          s->digest, strlen(s->digest)) != 0
        || ps_writer_meta(w, txn, meta, NGX_HTTP_PROFILE_META_CONTENT_HASH,
                          w->content_hash, strlen(w->content_hash)) != 0
        || ps_writer_meta(w, txn, meta, NGX_HTTP_PROFILE_META_GENERATOR,
                          PS_GENERATOR, sizeof(PS_GENERATOR) - 1) != 0
        || ps_writer_meta(w, txn, meta, NGX_HTTP_PROFILE_META_CLASSES,
                          s->classes_bin.data, s->classes_bin.len) != 0
        || ps_writer_meta(w, txn, meta, NGX_HTTP_PROFILE_META_FIELDS,
                          s->fields_bin.data, s->fields_bin.len) != 0
        || ps_writer_meta(w, txn, meta, NGX_HTTP_PROFILE_META_SCHEMA,
                          s->canonical.data, s->canonical.len) != 0)
    {
        goto failed;
    }

    snprintf(num, sizeof(num), "%llu", (unsigned long long) w->count);

    if (ps_writer_meta(w, txn, meta, NGX_HTTP_PROFILE_META_RECORD_COUNT,
                       num, strlen(num)) != 0)
    {
        goto failed;
    }

    rc = mdb_txn_commit(txn);
    txn = NULL;

    if (rc != 0) {
        ps_writer_out_err(w, "mdb_txn_commit()", rc);
        goto failed;
    }

    mdb_env_close(out);

    /* the id index, once every record is where it stays */

    ps_signal_point("index");

    if (ps_index_write(w->tmp, ps_index_seed(w->content_hash,
                                             strlen(w->content_hash)),
                       &info)
        != 0)
    {
        return -1;
    }

    ps_signal_point("publish");

    return ps_writer_publish(w);

failed:

    if (txn != NULL) {
        mdb_txn_abort(txn);
    }

    mdb_env_close(out);

    return -1;
}


void
ps_writer_close(ps_writer_t *w)
{
    if (w->txn != NULL) {
        mdb_txn_abort(w->txn);
        w->txn = NULL;
        w->cur = NULL;
    }

    if (w->env != NULL) {
        mdb_env_close(w->env);
        w->env = NULL;
    }

    if (w->spool != -1) {
        close(w->spool);
        w->spool = -1;
    }

    if (w->work != NULL) {
        (void) unlink(w->work);
        (void) unlink(w->work_lock);
        (void) unlink(w->tmp);

        ps_signal_forget(w->sig[0]);
        ps_signal_forget(w->sig[1]);
        ps_signal_forget(w->sig[2]);
        w->sig[0] = -1;
        w->sig[1] = -1;
        w->sig[2] = -1;
    }

    ps_buf_free(&w->spool_buf);
    ps_buf_free(&w->rec);

    free(w->spool_live);
    w->spool_live = NULL;
    w->spool_pieces = 0;

    free(w->out);
    free(w->dir);
    free(w->work);
    free(w->work_lock);
    free(w->tmp);

    w->out = NULL;
    w->dir = NULL;
    w->work = NULL;
    w->work_lock = NULL;
    w->tmp = NULL;
}


static int
ps_writer_txn(ps_writer_t *w)
{
    int  rc;

    rc = mdb_txn_begin(w->env, NULL, 0, &w->txn);

    if (rc != 0) {
        w->txn = NULL;
        ps_writer_lmdb_err(w, "mdb_txn_begin()", rc);
        return -1;
    }

    w->cur = NULL;
    w->txn_puts = 0;
    w->txn_bytes = 0;

    return 0;
}


static int
ps_writer_commit(ps_writer_t *w)
{
    int  rc;

    /* the commit closes the cursor */
    rc = mdb_txn_commit(w->txn);
    w->txn = NULL;
    w->cur = NULL;

    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_txn_commit()", rc);
        return -1;
    }

    return 0;
}


/* the bookkeeping of id: *seen with flags, and where its record is */

/* ps_seen_t from a "seen" value: 1, or -1 if the value is damaged */

static int
ps_writer_seen_value(ps_writer_t *w, MDB_val *val, ps_seen_t *seen)
{
    const unsigned char  *p;

    if (val->mv_size != PS_SEEN_SIZE) {
        ps_error("%s: build bookkeeping is corrupt", w->work);
        return -1;
    }

    p = val->mv_data;
    seen->line = ngx_http_profile_get64(p);
    seen->source = ngx_http_profile_get32(p + 8);
    seen->flags = ngx_http_profile_get32(p + 12);
    seen->order = (int64_t) ngx_http_profile_get64(p + 16);

    return 1;
}


/*
 * Write the bookkeeping of id.  With prev, only if id has none yet: the
 * lookup and the insert are one descent of the tree, and an id already
 * there gives 1 with *prev filled and nothing written.
 */

static int
ps_writer_index(ps_writer_t *w, const char *id, size_t len,
    const ps_seen_t *seen, uint32_t flags, uint64_t off, size_t rec_len,
    ps_seen_t *prev)
{
    int            rc;
    MDB_val        key, val;
    unsigned char  b[PS_SEEN_SIZE];

    if (w->txn == NULL && ps_writer_txn(w) != 0) {
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

    /*
     * Through one cursor a transaction: when the id sorts within the
     * leaf page the cursor is on (ids that come in order, or nearly),
     * LMDB skips the descent from the root.
     */

    if (w->cur == NULL) {
        rc = mdb_cursor_open(w->txn, w->seen, &w->cur);
        if (rc != 0) {
            w->cur = NULL;
            ps_writer_lmdb_err(w, "mdb_cursor_open()", rc);
            return -1;
        }
    }

    rc = mdb_cursor_put(w->cur, &key, &val,
                        prev != NULL ? MDB_NOOVERWRITE : 0);

    if (rc == MDB_KEYEXIST && prev != NULL) {
        return ps_writer_seen_value(w, &val, prev);
    }

    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_cursor_put()", rc);
        return -1;
    }

    w->txn_puts++;
    w->txn_bytes += len + PS_SEEN_SIZE;

    if (w->txn_puts >= PS_TXN_PUTS || w->txn_bytes >= PS_TXN_BYTES) {
        return ps_writer_commit(w);
    }

    return 0;
}


static int
ps_writer_spool_flush(ps_writer_t *w)
{
    ssize_t         n;
    unsigned char  *p;
    size_t          left;

    p = w->spool_buf.data;
    left = w->spool_buf.len;

    while (left > 0) {
        n = write(w->spool, p, left);

        if (n == -1) {
            if (errno == EINTR) {
                continue;
            }

            ps_error("%s: writing the spool file failed: %s", w->out,
                     strerror(errno));
            return -1;
        }

        p += n;
        left -= (size_t) n;
        w->spool_size += (uint64_t) n;
    }

    w->spool_buf.len = 0;

    return 0;
}


/*
 * The bytes of a record spooled at off, added to the count of each piece
 * of the spool it is in: the copy takes them off again as it copies the
 * record, and a piece whose count is back to 0 holds nothing it still
 * needs.  A record replaced or deleted later stays counted: its piece is
 * kept to the end.
 */

static void
ps_writer_spool_count(ps_writer_t *w, uint64_t off, size_t len)
{
    size_t    n;
    uint64_t  i, lo, hi, end;

    end = off + len;

    for (i = off / PS_SPOOL_PIECE; i * PS_SPOOL_PIECE < end; i++) {

        if (i >= w->spool_pieces) {
            n = w->spool_pieces ? 2 * w->spool_pieces : 1024;

            while (n <= i) {
                n *= 2;
            }

            w->spool_live = ps_realloc(w->spool_live, n * sizeof(uint32_t));
            memset(w->spool_live + w->spool_pieces, 0,
                   (n - w->spool_pieces) * sizeof(uint32_t));
            w->spool_pieces = n;
        }

        lo = i * PS_SPOOL_PIECE > off ? i * PS_SPOOL_PIECE : off;
        hi = (i + 1) * PS_SPOOL_PIECE < end ? (i + 1) * PS_SPOOL_PIECE : end;

        w->spool_live[i] += (uint32_t) (hi - lo);
    }
}


/* a record is either all in the file or all in the buffer */

static int
ps_writer_spool_read(ps_writer_t *w, uint64_t off, size_t len,
    const void **rec)
{
    ssize_t  n;
    size_t   got;

    if (off >= w->spool_size) {
        *rec = w->spool_buf.data + (off - w->spool_size);
        return 0;
    }

    w->rec.len = 0;
    ps_buf_reserve(&w->rec, len);

    for (got = 0; got < len; got += (size_t) n) {
        n = pread(w->spool, w->rec.data + got, len - got,
                  (off_t) (off + got));

        if (n == -1 && errno == EINTR) {
            n = 0;
            continue;
        }

        if (n <= 0) {
            ps_error("%s: reading the spool file failed: %s", w->out,
                     n == 0 ? "short file" : strerror(errno));
            return -1;
        }
    }

    *rec = w->rec.data;

    return 0;
}


/*
 * The whole spool, mapped for the copy once every record is in the file:
 * a record is then read where it is, without a system call and a copy
 * each.  No map if it cannot be mapped (an address space limit, ulimit
 * -v): the copy reads every record with pread() then, as before.  No
 * access advice: read-ahead only matters for pages no longer in the page
 * cache, and the kernel's for a map adapts to the order it sees.
 */

static void
ps_writer_spool_map(ps_writer_t *w, ps_writer_spool_t *sp)
{
    void  *map;

    memset(sp, 0, sizeof(ps_writer_spool_t));
    sp->punch = 1;
    sp->lo = w->spool_size;

    if (w->spool_size == 0 || w->spool_size > SIZE_MAX
        || w->spool_buf.len != 0)
    {
        return;
    }

    map = mmap(NULL, (size_t) w->spool_size, PROT_READ, MAP_SHARED,
               w->spool, 0);

    if (map != MAP_FAILED) {
        sp->map = map;
    }
}


static void
ps_writer_spool_unmap(ps_writer_t *w, ps_writer_spool_t *sp)
{
    if (sp->map != NULL) {
        (void) munmap((void *) sp->map, (size_t) w->spool_size);
        sp->map = NULL;
    }
}


/*
 * The record spooled at off, for the copy: where it is in the map, or
 * read with pread() while the records come in scattered order (see
 * ps_writer_spool_done()).  Valid until the next call.
 */

static int
ps_writer_spool_get(ps_writer_t *w, ps_writer_spool_t *sp, uint64_t off,
    size_t len, const void **rec)
{
    uint64_t  block;

    if (off > w->spool_size || len > w->spool_size - off) {
        ps_error("%s: build bookkeeping is corrupt", w->work);
        return -1;
    }

    block = off / PS_SPOOL_BLOCK;

    if (block != sp->last && block != sp->last + 1) {
        sp->jumps++;
    }

    sp->last = (off + len) / PS_SPOOL_BLOCK;
    sp->records++;
    sp->bytes += len;

    if (sp->map == NULL || sp->scattered) {
        return ps_writer_spool_read(w, off, len, rec);
    }

    *rec = sp->map + off;

    sp->lo = off < sp->lo ? off : sp->lo;
    sp->hi = off + len > sp->hi ? off + len : sp->hi;

    return 0;
}


/*
 * The record at off is copied.  Its bytes are taken off its pieces'
 * counts, and a hole is punched where a piece has none left: the spool's
 * pages are freed while the copy runs, so the spool and the new snapshot
 * are not both in the page cache in full, and the snapshot's pages reuse
 * memory just freed (cheaper than fresh memory, on a virtual machine
 * that gives freed memory back to its host).  With the ids in the input
 * roughly in key order, most pieces are freed early; in any other order,
 * near the end.
 *
 * Every PS_SPOOL_WINDOW bytes or PS_SPOOL_JUMPS jumps, the pages mapped
 * since the last time are given back, so that the process's resident
 * memory does not grow with the spool (they stay in the page cache).  A
 * page fault maps the pages around the one it is for too, up to 64 KiB:
 * where the records come in scattered order (most jumps to a block of
 * the spool other than the one the last record ended in or the next),
 * that is a fault per record, more than a pread() costs; the next window
 * is read with pread() then.  Returns 0, or -1 if the record is not one
 * the spool counted.
 */

static int
ps_writer_spool_done(ps_writer_t *w, ps_writer_spool_t *sp, uint64_t off,
    size_t len)
{
    uint64_t   i, lo, hi, end;
    uintptr_t  start, psize;

    end = off + len;

    for (i = off / PS_SPOOL_PIECE; i * PS_SPOOL_PIECE < end; i++) {
        lo = i * PS_SPOOL_PIECE > off ? i * PS_SPOOL_PIECE : off;
        hi = (i + 1) * PS_SPOOL_PIECE < end ? (i + 1) * PS_SPOOL_PIECE : end;

        if (i >= w->spool_pieces || w->spool_live[i] < hi - lo) {
            ps_error("%s: build bookkeeping is corrupt", w->work);
            return -1;
        }

        w->spool_live[i] -= (uint32_t) (hi - lo);

        if (w->spool_live[i] != 0 || !sp->punch) {
            continue;
        }

        lo = i * PS_SPOOL_PIECE;
        hi = lo + PS_SPOOL_PIECE < w->spool_size ? lo + PS_SPOOL_PIECE
                                                 : w->spool_size;

#ifdef FALLOC_FL_PUNCH_HOLE
        if (fallocate(w->spool, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                      (off_t) lo, (off_t) (hi - lo))
            != 0)
        {
            /* not on this file system: the spool is freed at the end */
            sp->punch = 0;
        }
#else
        sp->punch = 0;
#endif
    }

    if (sp->map == NULL
        || (sp->bytes < PS_SPOOL_WINDOW && sp->jumps < PS_SPOOL_JUMPS))
    {
        return 0;
    }

    if (sp->hi > sp->lo) {
        psize = (uintptr_t) sysconf(_SC_PAGESIZE);
        start = ((uintptr_t) sp->map + (uintptr_t) sp->lo) & ~(psize - 1);

        (void) madvise((void *) start,
                       (uintptr_t) sp->map + (uintptr_t) sp->hi - start,
                       MADV_DONTNEED);
    }

    sp->scattered = sp->jumps > sp->records / 2;
    sp->bytes = 0;
    sp->records = 0;
    sp->jumps = 0;
    sp->lo = w->spool_size;
    sp->hi = 0;

    return 0;
}


/*
 * Every stored record in key order into the new environment, appended
 * (LMDB fills each page before it starts the next), and the content
 * hash (docs/snapshot-format.md "Content hash") on the way.
 */

static int
ps_writer_copy(ps_writer_t *w, ps_schema_t *s, MDB_env *out,
    MDB_dbi profiles, MDB_txn **txn)
{
    int                   rc;
    size_t                need, limit, rec_len;
    uint64_t              off;
    MDB_val               key, val, v;
    MDB_txn              *rd;
    MDB_cursor           *cur, *app;
    ps_sha256_t           sha;
    const void           *rec;
    const unsigned char  *p;
    unsigned char         digest[PS_SHA256_SIZE];
    ps_writer_spool_t     sp;

    rc = mdb_txn_begin(w->env, NULL, MDB_RDONLY, &rd);
    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_txn_begin()", rc);
        return -1;
    }

    rc = mdb_cursor_open(rd, w->seen, &cur);
    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_cursor_open()", rc);
        mdb_txn_abort(rd);
        return -1;
    }

    ps_writer_spool_map(w, &sp);

    /*
     * A transaction of at most limit bytes, plus one record.  The same
     * for every build: where a transaction ends shapes the pages, and
     * must depend on the live records only (not on the spool, which
     * holds superseded records too, more or fewer by input order), so
     * that the same records give the same bytes.
     */
    limit = PS_OUT_TXN;

    ps_sha256_init(&sha);
    w->count = 0;
    need = 0;
    app = NULL;

    for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
         rc == 0;
         rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT))
    {
        p = val.mv_data;

        if (val.mv_size != PS_SEEN_SIZE) {
            ps_error("%s: build bookkeeping is corrupt", w->work);
            goto failed;
        }

        if (!(ngx_http_profile_get32(p + 12) & PS_SEEN_STORED)) {
            continue;
        }

        off = ngx_http_profile_get64(p + 24);
        rec_len = ngx_http_profile_get32(p + 32);

        if (ps_writer_spool_get(w, &sp, off, rec_len, &rec) != 0) {
            goto failed;
        }

        if (*txn == NULL) {
            if (ps_writer_room(w, out, limit + limit / 8
                                       + ps_writer_need(key.mv_size,
                                                        w->max_rec), 0)
                != 0)
            {
                goto failed;
            }

            rc = mdb_txn_begin(out, NULL, 0, txn);
            if (rc != 0) {
                *txn = NULL;
                ps_writer_out_err(w, "mdb_txn_begin()", rc);
                goto failed;
            }

            /* one cursor a transaction: it stays on the last page */
            rc = mdb_cursor_open(*txn, profiles, &app);
            if (rc != 0) {
                ps_writer_out_err(w, "mdb_cursor_open()", rc);
                goto failed;
            }

            need = 0;
        }

        v.mv_data = (void *) rec;
        v.mv_size = rec_len;

        rc = mdb_cursor_put(app, &key, &v, MDB_APPEND);
        if (rc != 0) {
            ps_writer_out_err(w, "mdb_cursor_put()", rc);
            goto failed;
        }

        ps_sha256_item(&sha, key.mv_data, key.mv_size);
        ps_sha256_item(&sha, rec, rec_len);
        w->count++;

        if (ps_writer_spool_done(w, &sp, off, rec_len) != 0) {
            goto failed;
        }

        need += ps_writer_need(key.mv_size, rec_len);

        if (need >= limit) {
            rc = mdb_txn_commit(*txn);
            *txn = NULL;

            if (rc != 0) {
                ps_writer_out_err(w, "mdb_txn_commit()", rc);
                goto failed;
            }

            ps_writer_writeback(out);
        }
    }

    if (rc != MDB_NOTFOUND) {
        ps_writer_lmdb_err(w, "mdb_cursor_get()", rc);
        goto failed;
    }

    mdb_cursor_close(cur);
    mdb_txn_abort(rd);
    ps_writer_spool_unmap(w, &sp);

    if (*txn != NULL) {
        rc = mdb_txn_commit(*txn);
        *txn = NULL;

        if (rc != 0) {
            ps_writer_out_err(w, "mdb_txn_commit()", rc);
            ps_sha256_free(&sha);
            return -1;
        }
    }

    ps_sha256_item(&sha, s->classes_bin.data, s->classes_bin.len);
    ps_sha256_item(&sha, s->fields_bin.data, s->fields_bin.len);

    ps_sha256_final(&sha, digest);
    ps_sha256_text(digest, w->content_hash);

    return 0;

failed:

    mdb_cursor_close(cur);
    mdb_txn_abort(rd);
    ps_writer_spool_unmap(w, &sp);
    ps_sha256_free(&sha);

    return -1;
}


/*
 * Start writing the output's dirty pages to disk without waiting for
 * them: the copy goes on while the disk works, and the fsync before the
 * rename finds little left.  Only a hint: where the file system cannot
 * do it, the fsync does it all, as before.
 */

static void
ps_writer_writeback(MDB_env *out)
{
    int  fd;

    if (mdb_env_get_fd(out, &fd) == 0) {
        (void) sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    }
}


/*
 * Make sure the output's map has need bytes free beyond its last page
 * (between transactions only).  The map starts small and grows: LMDB
 * records the largest map size in the meta page, and readers map that.
 * With exact, the map is set to the pages in use plus need, also when
 * that is smaller than it is (LMDB keeps at least the pages in use).
 */

static int
ps_writer_room(ps_writer_t *w, MDB_env *out, size_t need, int exact)
{
    int           rc;
    size_t        used;
    MDB_stat      st;
    MDB_envinfo   info;

    rc = mdb_env_info(out, &info);

    if (rc == 0) {
        rc = mdb_env_stat(out, &st);
    }

    if (rc != 0) {
        ps_writer_out_err(w, "mdb_env_info()", rc);
        return -1;
    }

    used = (info.me_last_pgno + 1) * (size_t) st.ms_psize;

    if (!exact && info.me_mapsize >= used + need) {
        return 0;
    }

    rc = mdb_env_set_mapsize(out, used + need);
    if (rc != 0) {
        ps_writer_out_err(w, "mdb_env_set_mapsize()", rc);
        return -1;
    }

    return 0;
}


/*
 * Bytes of pages a record may take when appended, generously: a value
 * LMDB keeps in the leaf (up to about half a 4 KiB page) with its node,
 * twice for the part of a page that stays empty; a larger one on its own
 * overflow pages.  Pages larger than 4 KiB only need less.
 */

static size_t
ps_writer_need(size_t key_len, size_t rec_len)
{
    if (key_len + rec_len + 8 <= 2038) {
        return 2 * (key_len + rec_len + 10);
    }

    return ((rec_len + 15) / 4096 + 1) * 4096 + 2 * (key_len + 16);
}


static int
ps_writer_meta(ps_writer_t *w, MDB_txn *txn, MDB_dbi meta, const char *name,
    const void *data, size_t len)
{
    int      rc;
    MDB_val  key, val;

    key.mv_data = (void *) name;
    key.mv_size = strlen(name);
    val.mv_data = (void *) data;
    val.mv_size = len;

    rc = mdb_put(txn, meta, &key, &val, 0);
    if (rc != 0) {
        ps_writer_out_err(w, "mdb_put(meta)", rc);
        return -1;
    }

    return 0;
}


/* fsync the new snapshot, rename it to out, fsync the directory */

static int
ps_writer_publish(ps_writer_t *w)
{
    return ps_publish(w->tmp, w->out);
}


static void
ps_writer_lmdb_err(ps_writer_t *w, const char *call, int rc)
{
    ps_error("%s: %s failed (%d: %s)%s", w->work ? w->work : w->out, call,
             rc, mdb_strerror(rc),
             rc == MDB_MAP_FULL ? "; use a larger --map-size" : "");
}


static void
ps_writer_out_err(ps_writer_t *w, const char *call, int rc)
{
    ps_error("%s: %s failed (%d: %s)", w->tmp, call, rc, mdb_strerror(rc));
}
