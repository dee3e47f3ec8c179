
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Snapshot lifecycle.  The master opens a snapshot only to validate it
 * while reading the configuration and closes it again: an LMDB
 * environment must never cross fork().  Each worker opens it in
 * init_process and keeps it, with one read-only transaction, for its
 * whole life; a request pins it (reference count plus a cleanup on the
 * request pool), so a snapshot that stops being current is closed only
 * when its last request is done.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_snapshot.h"


static ngx_int_t ngx_http_profile_snapshot_validate(
    ngx_http_profile_snapshot_t *snap, u_char *err);
static int ngx_http_profile_snapshot_meta(ngx_http_profile_snapshot_t *snap,
    MDB_dbi dbi, const char *name, MDB_val *val);
static ngx_int_t ngx_http_profile_snapshot_decimal(MDB_val *val,
    uint64_t max, uint64_t *n);
static ngx_int_t ngx_http_profile_snapshot_id_valid(MDB_val *val);
static ngx_int_t ngx_http_profile_snapshot_map(
    ngx_http_profile_snapshot_t *snap, u_char *err);
static void ngx_http_profile_snapshot_close(ngx_http_profile_snapshot_t *snap);
static void ngx_http_profile_snapshot_unpin(void *data);


/*
 * The per-worker state: the snapshot this worker serves, holding one
 * reference.  It is the module's only file-scope mutable variable.  It
 * is set in init_process (never in the master), read by requests that
 * pin it, and dropped in exit_process.  A later live swap replaces it
 * and releases the previous one, which then closes when its last pinned
 * request is done.
 */
static ngx_http_profile_snapshot_t  *ngx_http_profile_snapshot_current;


ngx_http_profile_snapshot_t *
ngx_http_profile_snapshot_open(ngx_str_t *path, ngx_log_t *log, u_char *err)
{
    int                           rc;
    u_char                       *last;
    ngx_pool_t                   *pool;
    ngx_file_info_t               fi;
    ngx_http_profile_snapshot_t  *snap;

    last = err + NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR - 1;

    /*
     * mdb_env_open() on a FIFO or a device could block the master for
     * ever; a missing file is left to mdb_env_open() to report.
     */

    if (ngx_file_info(path->data, &fi) != NGX_FILE_ERROR
        && !ngx_is_file(&fi))
    {
        *ngx_slprintf(err, last, " is not a regular file") = '\0';
        return NULL;
    }

    pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, log);
    if (pool == NULL) {
        *ngx_slprintf(err, last, ": out of memory") = '\0';
        return NULL;
    }

    snap = ngx_pcalloc(pool, sizeof(ngx_http_profile_snapshot_t));
    if (snap == NULL) {
        ngx_destroy_pool(pool);
        *ngx_slprintf(err, last, ": out of memory") = '\0';
        return NULL;
    }

    snap->pool = pool;
    snap->refs = 1;

    snap->path.len = path->len;
    snap->path.data = ngx_pnalloc(pool, path->len + 1);
    if (snap->path.data == NULL) {
        goto nomem;
    }

    ngx_memcpy(snap->path.data, path->data, path->len);
    snap->path.data[path->len] = '\0';

    rc = mdb_env_create(&snap->env);
    if (rc != 0) {
        snap->env = NULL;
        *ngx_slprintf(err, last, ": mdb_env_create() failed (%d: %s)",
                      rc, mdb_strerror(rc)) = '\0';
        goto failed;
    }

    rc = mdb_env_set_maxdbs(snap->env, NGX_HTTP_PROFILE_MAX_DBS);
    if (rc != 0) {
        *ngx_slprintf(err, last, ": mdb_env_set_maxdbs() failed (%d: %s)",
                      rc, mdb_strerror(rc)) = '\0';
        goto failed;
    }

    /*
     * No lock file: a published snapshot is never written again, so
     * readers need no reader table (nothing to exhaust, no stale
     * readers, no lock file permissions).
     */

    rc = mdb_env_open(snap->env, (char *) snap->path.data,
                      MDB_RDONLY|MDB_NOLOCK|MDB_NOSUBDIR, 0);
    if (rc != 0) {
        *ngx_slprintf(err, last, "%s: mdb_env_open() failed (%d: %s)",
                      rc == MDB_INVALID ? " is not a profile snapshot" : "",
                      rc, mdb_strerror(rc)) = '\0';
        goto failed;
    }

    rc = mdb_txn_begin(snap->env, NULL, MDB_RDONLY, &snap->txn);
    if (rc != 0) {
        snap->txn = NULL;
        *ngx_slprintf(err, last, ": mdb_txn_begin() failed (%d: %s)",
                      rc, mdb_strerror(rc)) = '\0';
        goto failed;
    }

    if (ngx_http_profile_snapshot_validate(snap, err) != NGX_OK) {
        goto failed;
    }

    if (ngx_http_profile_snapshot_map(snap, err) != NGX_OK) {
        goto failed;
    }

    return snap;

nomem:

    *ngx_slprintf(err, last, ": out of memory") = '\0';

failed:

    ngx_http_profile_snapshot_close(snap);

    return NULL;
}


void
ngx_http_profile_snapshot_release(ngx_http_profile_snapshot_t *snap)
{
    if (--snap->refs == 0) {
        ngx_http_profile_snapshot_close(snap);
    }
}


void
ngx_http_profile_snapshot_init_worker(ngx_cycle_t *cycle, ngx_str_t *path)
{
    ngx_http_profile_snapshot_t  *snap;
    u_char                        err[NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR];

    if (path->len == 0) {
        return;
    }

    snap = ngx_http_profile_snapshot_open(path, cycle->log, err);

    if (snap == NULL) {
        /*
         * A worker whose init_process fails exits and is not respawned:
         * keep running, answer 503, and say so loudly.
         */
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "profile snapshot \"%V\"%s, "
                      "profile requests get 503", path, err);
        return;
    }

    ngx_http_profile_snapshot_current = snap;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, cycle->log, 0,
                   "profile snapshot \"%V\": opened \"%V\", %uL records",
                   path, &snap->id, snap->record_count);
}


void
ngx_http_profile_snapshot_exit_worker(void)
{
    if (ngx_http_profile_snapshot_current != NULL) {
        ngx_http_profile_snapshot_release(ngx_http_profile_snapshot_current);
        ngx_http_profile_snapshot_current = NULL;
    }
}


ngx_int_t
ngx_http_profile_snapshot_pin(ngx_http_request_t *r,
    ngx_http_profile_snapshot_t **snap)
{
    ngx_pool_cleanup_t      *cln;
    ngx_http_profile_ctx_t  *ctx;

    /* one snapshot for a request and all its subrequests */

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_profile_module);

    if (ctx != NULL && ctx->snapshot != NULL) {
        *snap = ctx->snapshot;
        return NGX_OK;
    }

    if (ngx_http_profile_snapshot_current == NULL) {
        return NGX_DECLINED;
    }

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->main->pool, sizeof(ngx_http_profile_ctx_t));
        if (ctx == NULL) {
            return NGX_ERROR;
        }

        ngx_http_set_ctx(r->main, ctx, ngx_http_profile_module);
    }

    cln = ngx_pool_cleanup_add(r->main->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    ctx->snapshot = ngx_http_profile_snapshot_current;
    ctx->snapshot->refs++;

    cln->handler = ngx_http_profile_snapshot_unpin;
    cln->data = ctx->snapshot;

    *snap = ctx->snapshot;

    return NGX_OK;
}


ngx_http_profile_snapshot_t *
ngx_http_profile_snapshot_pinned(ngx_http_request_t *r)
{
    ngx_http_profile_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_profile_module);

    return ctx != NULL ? ctx->snapshot : NULL;
}


ngx_int_t
ngx_http_profile_snapshot_record(ngx_http_request_t *r,
    ngx_http_profile_snapshot_t *snap, ngx_str_t *id,
    ngx_http_profile_record_t *rec)
{
    int       rc;
    uint64_t  slot;

    /*
     * Through the index: one hash of the id, one slot (rarely a few
     * more), the record's header.  Only the header is checked here: the
     * JSON writer checks each entry as it reads it
     * (ngx_http_profile_entry_check()), so a record's entries are
     * decoded once per request, not twice.
     */

    slot = 0;

    rc = ngx_http_profile_index_find(&snap->index, snap->map, snap->map_size,
                                     id->data, id->len, rec, &slot);

    if (rc == NGX_HTTP_PROFILE_FMT_OK) {
        return NGX_OK;
    }

    if (rc == NGX_HTTP_PROFILE_FMT_MISSING) {
        return NGX_DECLINED;
    }

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "profile snapshot \"%V\": bad record for id \"%V\" "
                  "at index slot %uL (%s)", &snap->path, id, slot,
                  ngx_http_profile_fmt_strerror(rc));

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_profile_snapshot_validate(ngx_http_profile_snapshot_t *snap,
    u_char *err)
{
    int          rc;
    u_char      *last;
    unsigned     n;
    uint64_t     version;
    MDB_dbi      meta;
    MDB_val      val;
    MDB_stat     st;
    const char  *name;

    last = err + NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR - 1;

    rc = mdb_dbi_open(snap->txn, NGX_HTTP_PROFILE_DB_META, 0, &meta);

    if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
        *ngx_slprintf(err, last, " is not a profile snapshot: "
                      "no \"" NGX_HTTP_PROFILE_DB_META "\" database")
            = '\0';
        return NGX_ERROR;
    }

    if (rc != 0) {
        name = NGX_HTTP_PROFILE_DB_META;
        goto lmdb_failed;
    }

    /* format */

    name = NGX_HTTP_PROFILE_META_FORMAT;

    rc = ngx_http_profile_snapshot_meta(snap, meta, name, &val);
    if (rc == MDB_NOTFOUND) {
        goto missing;
    }

    if (rc != 0) {
        goto lmdb_failed;
    }

    if (val.mv_size != sizeof(NGX_HTTP_PROFILE_FORMAT_NAME) - 1
        || ngx_memcmp(val.mv_data, NGX_HTTP_PROFILE_FORMAT_NAME,
                      val.mv_size)
           != 0)
    {
        *ngx_slprintf(err, last, " is not a profile snapshot: "
                      "meta \"%s\" is not \"%s\"",
                      name, NGX_HTTP_PROFILE_FORMAT_NAME) = '\0';
        return NGX_ERROR;
    }

    /* format_version */

    name = NGX_HTTP_PROFILE_META_VERSION;

    rc = ngx_http_profile_snapshot_meta(snap, meta, name, &val);
    if (rc == MDB_NOTFOUND) {
        goto missing;
    }

    if (rc != 0) {
        goto lmdb_failed;
    }

    if (ngx_http_profile_snapshot_decimal(&val, NGX_MAX_UINT32_VALUE,
                                          &version)
        != NGX_OK)
    {
        goto malformed;
    }

    if (version != NGX_HTTP_PROFILE_FORMAT_VERSION) {
        *ngx_slprintf(err, last, ": format version %uL is not supported "
                      "(expected %d; rebuild it with profile-snapshot)",
                      version, NGX_HTTP_PROFILE_FORMAT_VERSION) = '\0';
        return NGX_ERROR;
    }

    /* classes */

    name = NGX_HTTP_PROFILE_META_CLASSES;

    rc = ngx_http_profile_snapshot_meta(snap, meta, name, &val);
    if (rc == MDB_NOTFOUND) {
        goto missing;
    }

    if (rc != 0) {
        goto lmdb_failed;
    }

    snap->classes = ngx_palloc(snap->pool, NGX_HTTP_PROFILE_MAX_CLASSES
                                           * sizeof(ngx_http_profile_class_t));
    if (snap->classes == NULL) {
        goto nomem;
    }

    rc = ngx_http_profile_classes_parse(val.mv_data, val.mv_size,
                                        snap->classes, &n);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        goto bad_table;
    }

    snap->nclasses = n;

    /* fields: count, then decode */

    name = NGX_HTTP_PROFILE_META_FIELDS;

    rc = ngx_http_profile_snapshot_meta(snap, meta, name, &val);
    if (rc == MDB_NOTFOUND) {
        goto missing;
    }

    if (rc != 0) {
        goto lmdb_failed;
    }

    rc = ngx_http_profile_fields_parse(val.mv_data, val.mv_size,
                                       snap->nclasses, NULL, 0, &n);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        goto bad_table;
    }

    snap->fields = ngx_palloc(snap->pool,
                              n * sizeof(ngx_http_profile_field_t));
    if (snap->fields == NULL) {
        goto nomem;
    }

    rc = ngx_http_profile_fields_parse(val.mv_data, val.mv_size,
                                       snap->nclasses, snap->fields, n, &n);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        goto bad_table;
    }

    snap->nfields = n;

    /* record_count */

    name = NGX_HTTP_PROFILE_META_RECORD_COUNT;

    rc = ngx_http_profile_snapshot_meta(snap, meta, name, &val);
    if (rc == MDB_NOTFOUND) {
        goto missing;
    }

    if (rc != 0) {
        goto lmdb_failed;
    }

    if (ngx_http_profile_snapshot_decimal(&val, (uint64_t) -1,
                                          &snap->record_count)
        != NGX_OK)
    {
        goto malformed;
    }

    /* index: checked against record_count, its slots as they are used */

    name = NGX_HTTP_PROFILE_META_INDEX;

    rc = ngx_http_profile_snapshot_meta(snap, meta, name, &val);
    if (rc == MDB_NOTFOUND) {
        goto missing;
    }

    if (rc != 0) {
        goto lmdb_failed;
    }

    rc = ngx_http_profile_index_parse(&snap->index, val.mv_data, val.mv_size,
                                      snap->record_count);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        goto bad_table;
    }

    /* snapshot_id: names the version in logs and, later, in ETags */

    name = NGX_HTTP_PROFILE_META_SNAPSHOT_ID;

    rc = ngx_http_profile_snapshot_meta(snap, meta, name, &val);
    if (rc == MDB_NOTFOUND) {
        goto missing;
    }

    if (rc != 0) {
        goto lmdb_failed;
    }

    if (ngx_http_profile_snapshot_id_valid(&val) != NGX_OK) {
        goto malformed;
    }

    snap->id.len = val.mv_size;
    snap->id.data = ngx_pnalloc(snap->pool, val.mv_size);
    if (snap->id.data == NULL) {
        goto nomem;
    }

    ngx_memcpy(snap->id.data, val.mv_data, val.mv_size);

    /* profiles */

    name = NGX_HTTP_PROFILE_DB_PROFILES;

    rc = mdb_dbi_open(snap->txn, name, 0, &snap->profiles);

    if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
        *ngx_slprintf(err, last, " is not a profile snapshot: "
                      "no \"%s\" database", name) = '\0';
        return NGX_ERROR;
    }

    if (rc != 0) {
        goto lmdb_failed;
    }

    rc = mdb_stat(snap->txn, snap->profiles, &st);
    if (rc != 0) {
        goto lmdb_failed;
    }

    if ((uint64_t) st.ms_entries != snap->record_count) {
        *ngx_slprintf(err, last, " is not a profile snapshot: "
                      "meta \"%s\" is %uL, but the \"%s\" database "
                      "holds %uz records",
                      NGX_HTTP_PROFILE_META_RECORD_COUNT,
                      snap->record_count, name, st.ms_entries) = '\0';
        return NGX_ERROR;
    }

    return NGX_OK;

missing:

    *ngx_slprintf(err, last, " is not a profile snapshot: "
                  "meta \"%s\" is missing", name) = '\0';
    return NGX_ERROR;

malformed:

    *ngx_slprintf(err, last, " is not a profile snapshot: "
                  "meta \"%s\" is malformed", name) = '\0';
    return NGX_ERROR;

bad_table:

    *ngx_slprintf(err, last, " is not a profile snapshot: "
                  "meta \"%s\" is malformed (%s)",
                  name, ngx_http_profile_fmt_strerror(rc)) = '\0';
    return NGX_ERROR;

lmdb_failed:

    *ngx_slprintf(err, last, ": reading \"%s\" failed (%d: %s)",
                  name, rc, mdb_strerror(rc)) = '\0';
    return NGX_ERROR;

nomem:

    *ngx_slprintf(err, last, ": out of memory") = '\0';
    return NGX_ERROR;
}


static int
ngx_http_profile_snapshot_meta(ngx_http_profile_snapshot_t *snap,
    MDB_dbi dbi, const char *name, MDB_val *val)
{
    MDB_val  key;

    key.mv_size = ngx_strlen(name);
    key.mv_data = (void *) name;

    return mdb_get(snap->txn, dbi, &key, val);
}


/* an ASCII decimal of 1..20 digits, no sign, not above max */

static ngx_int_t
ngx_http_profile_snapshot_decimal(MDB_val *val, uint64_t max, uint64_t *n)
{
    size_t          i;
    uint64_t        v;
    unsigned char  *p;

    p = val->mv_data;

    if (val->mv_size == 0 || val->mv_size > 20) {
        return NGX_ERROR;
    }

    v = 0;

    for (i = 0; i < val->mv_size; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return NGX_ERROR;
        }

        if (v > (max - (p[i] - '0')) / 10) {
            return NGX_ERROR;
        }

        v = v * 10 + (p[i] - '0');
    }

    *n = v;

    return NGX_OK;
}


/* 1..64 bytes of [A-Za-z0-9._-] (docs/snapshot-format.md) */

static ngx_int_t
ngx_http_profile_snapshot_id_valid(MDB_val *val)
{
    size_t          i;
    unsigned char   c, *p;

    p = val->mv_data;

    if (val->mv_size == 0 || val->mv_size > 64) {
        return NGX_ERROR;
    }

    for (i = 0; i < val->mv_size; i++) {
        c = p[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
        {
            continue;
        }

        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * Map the file LMDB has open (its descriptor: not the path, which a
 * publish may have renamed another file onto meanwhile), read-only and
 * shared: the index's offsets point into it.
 */

static ngx_int_t
ngx_http_profile_snapshot_map(ngx_http_profile_snapshot_t *snap, u_char *err)
{
    int              rc;
    u_char          *last, *p;
    ngx_fd_t         fd;
    ngx_file_info_t  fi;

    last = err + NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR - 1;

    rc = mdb_env_get_fd(snap->env, &fd);
    if (rc != 0) {
        *ngx_slprintf(err, last, ": mdb_env_get_fd() failed (%d: %s)",
                      rc, mdb_strerror(rc)) = '\0';
        return NGX_ERROR;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        *ngx_slprintf(err, last, ": " ngx_fd_info_n " failed (%d: %s)",
                      ngx_errno, mdb_strerror(ngx_errno)) = '\0';
        return NGX_ERROR;
    }

    p = mmap(NULL, (size_t) ngx_file_size(&fi), PROT_READ, MAP_SHARED, fd,
             0);

    if (p == MAP_FAILED) {
        *ngx_slprintf(err, last, ": mmap() failed (%d: %s)",
                      ngx_errno, mdb_strerror(ngx_errno)) = '\0';
        return NGX_ERROR;
    }

    snap->map = p;
    snap->map_size = (size_t) ngx_file_size(&fi);

    return NGX_OK;
}


static void
ngx_http_profile_snapshot_close(ngx_http_profile_snapshot_t *snap)
{
    if (snap->map != NULL) {
        munmap(snap->map, snap->map_size);
        snap->map = NULL;
    }

    if (snap->txn != NULL) {
        mdb_txn_abort(snap->txn);
        snap->txn = NULL;
    }

    if (snap->env != NULL) {
        mdb_env_close(snap->env);
        snap->env = NULL;
    }

    ngx_destroy_pool(snap->pool);
}


static void
ngx_http_profile_snapshot_unpin(void *data)
{
    ngx_http_profile_snapshot_t  *snap = data;

    ngx_http_profile_snapshot_release(snap);
}
