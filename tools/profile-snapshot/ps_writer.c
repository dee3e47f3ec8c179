
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_writer.h"


/* commit the scratch environment after this many records or bytes */
#define PS_TXN_PUTS      100000
#define PS_TXN_BYTES     (512 * 1024 * 1024)

/* address space only: the scratch file grows with the data */
#define PS_MAPSIZE_DEFAULT  ((size_t) 256 << 30)
#define PS_MAPSIZE_MIN      ((size_t) 1 << 30)

#define PS_SEEN_SIZE     24

#define PS_DB_SEEN       "_build_seen"


static int ps_writer_txn(ps_writer_t *w);
static int ps_writer_commit(ps_writer_t *w);
static int ps_writer_meta(ps_writer_t *w, const char *key, const void *val,
    size_t len);
static int ps_writer_hash(ps_writer_t *w, ps_schema_t *s);
static int ps_writer_publish(ps_writer_t *w);
static void ps_writer_lmdb_err(ps_writer_t *w, const char *call, int rc);


int
ps_writer_open(ps_writer_t *w, const char *out, size_t mapsize)
{
    int          rc;
    size_t       n;
    const char  *slash, *base;

    memset(w, 0, sizeof(ps_writer_t));

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

    snprintf(w->work, n, "%s/.%s.work.%ld", w->dir, base, (long) getpid());
    snprintf(w->work_lock, n + 8, "%s-lock", w->work);
    snprintf(w->tmp, n, "%s/.%s.tmp.%ld", w->dir, base, (long) getpid());

    /* a stale scratch file of a crashed build with our pid */
    (void) unlink(w->work);
    (void) unlink(w->work_lock);
    (void) unlink(w->tmp);

    rc = mdb_env_create(&w->env);
    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_env_create()", rc);
        return -1;
    }

    /* the snapshot's databases, "seen" and the joined sources' rows */
    mdb_env_set_maxdbs(w->env, NGX_HTTP_PROFILE_MAX_DBS
                               + PS_WRITER_MAX_AUX);

    w->mapsize = mapsize ? mapsize : PS_MAPSIZE_DEFAULT;

    for ( ;; ) {
        rc = mdb_env_set_mapsize(w->env, w->mapsize);

        if (rc == 0) {
            rc = mdb_env_open(w->env, w->work,
                              MDB_NOSUBDIR | MDB_NOSYNC | MDB_NORDAHEAD,
                              0600);
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

    rc = mdb_dbi_open(w->txn, NGX_HTTP_PROFILE_DB_PROFILES, MDB_CREATE,
                      &w->profiles);
    if (rc == 0) {
        rc = mdb_dbi_open(w->txn, NGX_HTTP_PROFILE_DB_META, MDB_CREATE,
                          &w->meta);
    }

    if (rc == 0) {
        rc = mdb_dbi_open(w->txn, PS_DB_SEEN, MDB_CREATE, &w->seen);
    }

    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_dbi_open()", rc);
        return -1;
    }

    return ps_writer_commit(w);
}


int
ps_writer_seen(ps_writer_t *w, const char *id, size_t len, ps_seen_t *seen)
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

    if (val.mv_size != PS_SEEN_SIZE) {
        ps_error("%s: build bookkeeping is corrupt", w->work);
        return -1;
    }

    p = val.mv_data;
    seen->line = ngx_http_profile_get64(p);
    seen->source = ngx_http_profile_get32(p + 8);
    seen->flags = ngx_http_profile_get32(p + 12);
    seen->order = (int64_t) ngx_http_profile_get64(p + 16);

    return 1;
}


int
ps_writer_put(ps_writer_t *w, const char *id, size_t len, const void *rec,
    size_t rec_len, const ps_seen_t *seen)
{
    int            rc;
    MDB_val        key, val;
    unsigned char  b[PS_SEEN_SIZE];

    if (w->txn == NULL && ps_writer_txn(w) != 0) {
        return -1;
    }

    key.mv_data = (void *) id;
    key.mv_size = len;
    val.mv_data = (void *) rec;
    val.mv_size = rec_len;

    rc = mdb_put(w->txn, w->profiles, &key, &val, 0);

    if (rc == 0) {
        ngx_http_profile_put64(b, seen->line);
        ngx_http_profile_put32(b + 8, seen->source);
        ngx_http_profile_put32(b + 12, seen->flags | PS_SEEN_STORED);
        ngx_http_profile_put64(b + 16, (uint64_t) seen->order);

        val.mv_data = b;
        val.mv_size = PS_SEEN_SIZE;

        rc = mdb_put(w->txn, w->seen, &key, &val, 0);
    }

    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_put()", rc);
        return -1;
    }

    w->txn_puts++;
    w->txn_bytes += rec_len + len;

    if (w->txn_puts >= PS_TXN_PUTS || w->txn_bytes >= PS_TXN_BYTES) {
        return ps_writer_commit(w);
    }

    return 0;
}


int
ps_writer_del(ps_writer_t *w, const char *id, size_t len,
    const ps_seen_t *seen)
{
    int            rc;
    MDB_val        key, val;
    unsigned char  b[PS_SEEN_SIZE];

    if (w->txn == NULL && ps_writer_txn(w) != 0) {
        return -1;
    }

    key.mv_data = (void *) id;
    key.mv_size = len;

    rc = mdb_del(w->txn, w->profiles, &key, NULL);

    if (rc == 0 || rc == MDB_NOTFOUND) {
        ngx_http_profile_put64(b, seen->line);
        ngx_http_profile_put32(b + 8, seen->source);
        ngx_http_profile_put32(b + 12, seen->flags & ~PS_SEEN_STORED);
        ngx_http_profile_put64(b + 16, (uint64_t) seen->order);

        val.mv_data = b;
        val.mv_size = PS_SEEN_SIZE;

        rc = mdb_put(w->txn, w->seen, &key, &val, 0);
    }

    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_del()", rc);
        return -1;
    }

    return 0;
}


int
ps_writer_get(ps_writer_t *w, const char *id, size_t len, const void **rec,
    size_t *rec_len)
{
    int      rc;
    MDB_val  key, val;

    if (w->txn == NULL && ps_writer_txn(w) != 0) {
        return -1;
    }

    key.mv_data = (void *) id;
    key.mv_size = len;

    rc = mdb_get(w->txn, w->profiles, &key, &val);

    if (rc == MDB_NOTFOUND) {
        return 0;
    }

    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_get()", rc);
        return -1;
    }

    *rec = val.mv_data;
    *rec_len = val.mv_size;

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
    struct tm  tm;
    MDB_stat   st;

    if (w->txn == NULL && ps_writer_txn(w) != 0) {
        return -1;
    }

    rc = mdb_stat(w->txn, w->profiles, &st);
    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_stat()", rc);
        return -1;
    }

    w->count = st.ms_entries;

    if (ps_writer_hash(w, s) != 0) {
        return -1;
    }

    if (gmtime_r(&created, &tm) == NULL) {
        ps_error("created_at: time out of range");
        return -1;
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

    snprintf(num, sizeof(num), "%d", NGX_HTTP_PROFILE_FORMAT_VERSION);

    if (ps_writer_meta(w, NGX_HTTP_PROFILE_META_FORMAT,
                       NGX_HTTP_PROFILE_FORMAT_NAME,
                       sizeof(NGX_HTTP_PROFILE_FORMAT_NAME) - 1) != 0
        || ps_writer_meta(w, NGX_HTTP_PROFILE_META_VERSION, num,
                          strlen(num)) != 0
        || ps_writer_meta(w, NGX_HTTP_PROFILE_META_SNAPSHOT_ID,
                          w->snapshot_id, strlen(w->snapshot_id)) != 0
        || ps_writer_meta(w, NGX_HTTP_PROFILE_META_CREATED_AT,
                          w->created_at, strlen(w->created_at)) != 0
        || ps_writer_meta(w, NGX_HTTP_PROFILE_META_SCHEMA_DIGEST,
                          s->digest, strlen(s->digest)) != 0
        || ps_writer_meta(w, NGX_HTTP_PROFILE_META_CONTENT_HASH,
                          w->content_hash, strlen(w->content_hash)) != 0
        || ps_writer_meta(w, NGX_HTTP_PROFILE_META_GENERATOR, PS_GENERATOR,
                          sizeof(PS_GENERATOR) - 1) != 0
        || ps_writer_meta(w, NGX_HTTP_PROFILE_META_CLASSES,
                          s->classes_bin.data, s->classes_bin.len) != 0
        || ps_writer_meta(w, NGX_HTTP_PROFILE_META_FIELDS,
                          s->fields_bin.data, s->fields_bin.len) != 0
        || ps_writer_meta(w, NGX_HTTP_PROFILE_META_SCHEMA,
                          s->canonical.data, s->canonical.len) != 0)
    {
        return -1;
    }

    snprintf(num, sizeof(num), "%llu", (unsigned long long) w->count);

    if (ps_writer_meta(w, NGX_HTTP_PROFILE_META_RECORD_COUNT, num,
                       strlen(num)) != 0)
    {
        return -1;
    }

    /* the bookkeeping is not part of the snapshot */

    rc = mdb_drop(w->txn, w->seen, 1);

    while (rc == 0 && w->naux > 0) {
        rc = mdb_drop(w->txn, w->aux[--w->naux], 1);
    }

    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_drop()", rc);
        return -1;
    }

    if (ps_writer_commit(w) != 0) {
        return -1;
    }

    return ps_writer_publish(w);
}


void
ps_writer_close(ps_writer_t *w)
{
    if (w->txn != NULL) {
        mdb_txn_abort(w->txn);
        w->txn = NULL;
    }

    if (w->env != NULL) {
        mdb_env_close(w->env);
        w->env = NULL;
    }

    if (w->work != NULL) {
        (void) unlink(w->work);
        (void) unlink(w->work_lock);
        (void) unlink(w->tmp);
    }

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

    w->txn_puts = 0;
    w->txn_bytes = 0;

    return 0;
}


static int
ps_writer_commit(ps_writer_t *w)
{
    int  rc;

    rc = mdb_txn_commit(w->txn);
    w->txn = NULL;

    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_txn_commit()", rc);
        return -1;
    }

    return 0;
}


static int
ps_writer_meta(ps_writer_t *w, const char *name, const void *data,
    size_t len)
{
    int      rc;
    MDB_val  key, val;

    key.mv_data = (void *) name;
    key.mv_size = strlen(name);
    val.mv_data = (void *) data;
    val.mv_size = len;

    rc = mdb_put(w->txn, w->meta, &key, &val, 0);
    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_put(meta)", rc);
        return -1;
    }

    return 0;
}


/* content_hash: docs/snapshot-format.md "Content hash" */

static int
ps_writer_hash(ps_writer_t *w, ps_schema_t *s)
{
    int             rc;
    MDB_val         key, val;
    MDB_cursor     *cur;
    ps_sha256_t     sha;
    unsigned char   digest[PS_SHA256_SIZE];

    rc = mdb_cursor_open(w->txn, w->profiles, &cur);
    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_cursor_open()", rc);
        return -1;
    }

    ps_sha256_init(&sha);

    for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
         rc == 0;
         rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT))
    {
        ps_sha256_item(&sha, key.mv_data, key.mv_size);
        ps_sha256_item(&sha, val.mv_data, val.mv_size);
    }

    mdb_cursor_close(cur);

    if (rc != MDB_NOTFOUND) {
        ps_writer_lmdb_err(w, "mdb_cursor_get()", rc);
        return -1;
    }

    ps_sha256_item(&sha, s->classes_bin.data, s->classes_bin.len);
    ps_sha256_item(&sha, s->fields_bin.data, s->fields_bin.len);

    ps_sha256_final(&sha, digest);
    ps_sha256_text(digest, w->content_hash);

    return 0;
}


/* a compact copy under the temporary name, fsync, rename, fsync dir */

static int
ps_writer_publish(ps_writer_t *w)
{
    int  fd, rc;

    /* the copy records the map size: shrink it to what is used */
    rc = mdb_env_set_mapsize(w->env, 1);
    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_env_set_mapsize()", rc);
        return -1;
    }

    fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd == -1) {
        ps_error("%s: cannot create: %s", w->tmp, strerror(errno));
        return -1;
    }

    rc = mdb_env_copyfd2(w->env, fd, MDB_CP_COMPACT);
    if (rc != 0) {
        ps_writer_lmdb_err(w, "mdb_env_copyfd2()", rc);
        close(fd);
        return -1;
    }

    if (fsync(fd) != 0) {
        ps_error("%s: fsync() failed: %s", w->tmp, strerror(errno));
        close(fd);
        return -1;
    }

    if (close(fd) != 0) {
        ps_error("%s: close() failed: %s", w->tmp, strerror(errno));
        return -1;
    }

    if (rename(w->tmp, w->out) != 0) {
        ps_error("%s: rename() to %s failed: %s", w->tmp, w->out,
                 strerror(errno));
        return -1;
    }

    fd = open(w->dir, O_RDONLY | O_DIRECTORY);

    if (fd == -1 || fsync(fd) != 0) {
        ps_error("%s: fsync() of the directory failed: %s", w->dir,
                 strerror(errno));
        if (fd != -1) {
            close(fd);
        }
        return -1;
    }

    close(fd);

    return 0;
}


static void
ps_writer_lmdb_err(ps_writer_t *w, const char *call, int rc)
{
    ps_error("%s: %s failed (%d: %s)%s", w->work ? w->work : w->out, call,
             rc, mdb_strerror(rc),
             rc == MDB_MAP_FULL ? "; use a larger --map-size" : "");
}
