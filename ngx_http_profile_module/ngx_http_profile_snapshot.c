
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Snapshot lifecycle.  The master opens a snapshot only to validate it
 * while reading the configuration and closes it again: an LMDB
 * environment must never cross fork().  It remembers which file it
 * validated (device, inode, snapshot id).  Each worker opens that file
 * in init_process, refusing another one put at the path meanwhile, and
 * keeps it, with one read-only transaction, for its whole life; a
 * request pins it (reference count plus a cleanup on the request pool),
 * so a snapshot that stops being current is closed only when its last
 * request is done.  A timer in each worker stops using a file changed
 * in place and opens the validated file again once it is good.
 *
 * A snapshot directory's pointer is followed instead: the master
 * validates what it names at start and reload, and each worker, at
 * start and on its check timer, opens and validates a new target and
 * makes it current; requests that pinned the previous one finish on
 * it, and the last of them closes it.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_snapshot.h"
#include "ngx_http_profile_digest.h"


typedef struct ngx_http_profile_worker_s  ngx_http_profile_worker_t;


static ngx_int_t ngx_http_profile_snapshot_validate(
    ngx_http_profile_snapshot_t *snap, ngx_uint_t verify, u_char *err);
static time_t ngx_http_profile_snapshot_created(const u_char *p, size_t len);
static ngx_int_t ngx_http_profile_snapshot_compatible(
    ngx_http_profile_snapshot_t *snap, ngx_http_profile_main_conf_t *pmcf,
    ngx_http_profile_pointer_t *p, u_char *err);
static void *ngx_http_profile_snapshot_alloc(void *data, size_t size);
static void ngx_http_profile_snapshot_close(ngx_http_profile_snapshot_t *snap);
static void ngx_http_profile_snapshot_unpin(void *data);
static ngx_http_profile_snapshot_t *ngx_http_profile_snapshot_open_validated(
    ngx_log_t *log, u_char *err);
static void ngx_http_profile_snapshot_check(ngx_event_t *ev);
static void ngx_http_profile_snapshot_check_dir(ngx_http_profile_worker_t *w,
    ngx_log_t *log);
static void ngx_http_profile_snapshot_check_later(void);


/*
 * The per-worker state, the module's only file-scope mutable variable:
 * the snapshot this worker serves (holding one reference; NULL while it
 * has none), what the master validated, and the check timer.  It is
 * set in init_process (never in the master), read by requests that pin
 * the snapshot, and dropped in exit_process.  In a snapshot directory a
 * swap replaces current and releases the previous snapshot, which then
 * closes when its last pinned request is done; the candidate last
 * refused is kept so that it is logged once and not opened again until
 * the pointer changes.
 */
struct ngx_http_profile_worker_s {
    ngx_http_profile_snapshot_t   *current;
    ngx_http_profile_main_conf_t  *pmcf;
    ngx_event_t                    timer;
    u_char                         failed[NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR];

    /* a snapshot directory: its target's path, the refused candidate */
    u_char                        *path;
    ngx_http_profile_pointer_t     refused;
    ngx_uint_t                     nrefused;   /* candidates refused */
    ngx_uint_t                     nswaps;     /* new snapshots served */
    unsigned                       has_refused:1;
};


static ngx_http_profile_worker_t  ngx_http_profile_worker;


ngx_http_profile_snapshot_t *
ngx_http_profile_snapshot_open(ngx_str_t *path, ngx_uint_t verify,
    ngx_log_t *log, u_char *err)
{
    u_char                        *last;
    ngx_uint_t                     i;
    ngx_pool_t                    *pool;
    ngx_http_profile_snapshot_t   *snap;
    ngx_http_profile_main_conf_t  *pmcf;
    u_char                         reason[NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR];

    last = err + NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR - 1;

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
        *ngx_slprintf(err, last, ": out of memory") = '\0';
        goto failed;
    }

    ngx_memcpy(snap->path.data, path->data, path->len);
    snap->path.data[path->len] = '\0';

    /* the file's size against LMDB's pages, before any page is read */

    if (ngx_http_profile_file_open(&snap->file, (char *) snap->path.data,
                                   NGX_HTTP_PROFILE_MAX_DBS, (char *) err)
        != NGX_HTTP_PROFILE_FILE_OK)
    {
        goto failed;
    }

    if (ngx_http_profile_snapshot_validate(snap, verify, err) != NGX_OK) {
        goto failed;
    }

    /* 2^bits bits: at most 512 MiB for the largest index, 2 MiB at 10M */

    snap->checked = ngx_pcalloc(pool, ((size_t) snap->meta.index.mask + 8) / 8);
    if (snap->checked == NULL) {
        *ngx_slprintf(err, last, ": out of memory") = '\0';
        goto failed;
    }

    for (i = 0; i < snap->meta.nsources; i++) {
        snap->src_checked[i] = ngx_pcalloc(pool,
                                   ((size_t) snap->meta.sources[i].index.mask
                                    + 8) / 8);
        if (snap->src_checked[i] == NULL) {
            *ngx_slprintf(err, last, ": out of memory") = '\0';
            goto failed;
        }
    }

    if (ngx_http_profile_rules_init(&snap->grants, &snap->meta, pool)
        != NGX_OK)
    {
        *ngx_slprintf(err, last, ": out of memory") = '\0';
        goto failed;
    }

    /*
     * In a worker, the views against this snapshot's schema: one that
     * does not fit is refused here, and the current snapshot keeps
     * serving.  The master checks the configured snapshot at
     * "nginx -t" (ngx_http_profile_init_main_conf()).
     */

    pmcf = ngx_http_profile_worker.pmcf;

    if (pmcf != NULL && pmcf->views != NULL) {
        snap->plans = ngx_http_profile_view_plans(pmcf->views, &snap->meta,
                                                  snap->id.data,
                                                  snap->id.len, pool,
                                                  reason, sizeof(reason));
        if (snap->plans == NULL) {
            *ngx_slprintf(err, last, " is incompatible with the "
                          "configuration%s", reason) = '\0';
            goto failed;
        }
    }

    return snap;

failed:

    ngx_http_profile_snapshot_close(snap);

    return NULL;
}


ngx_http_profile_snapshot_t *
ngx_http_profile_snapshot_open_dir(ngx_str_t *dir, u_char *path,
    ngx_http_profile_pointer_t *p, ngx_uint_t verify, ngx_log_t *log,
    u_char *err)
{
    u_char                       *last, *q;
    ngx_str_t                     target;
    ngx_http_profile_snapshot_t  *snap;
    u_char                        reason[NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR];

    last = err + NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR - 1;

    if (ngx_http_profile_dir_pointer(dir, path, p, err) != NGX_OK) {
        return NULL;
    }

    target.data = path;
    target.len = ngx_strlen(path);

    snap = ngx_http_profile_snapshot_open(&target, verify, log, reason);

    if (snap == NULL) {
        *ngx_slprintf(err, last, ": \"%s\"%s", p->name, reason) = '\0';
        return NULL;
    }

    /* the name is the id: a file renamed to another id is not served */

    if (snap->id.len != p->id_len
        || ngx_memcmp(snap->id.data, p->name, p->id_len) != 0)
    {
        q = ngx_slprintf(err, last, ": \"%s\" holds snapshot \"%V\", not "
                         "the one its name says", p->name, &snap->id);
        *q = '\0';
        ngx_http_profile_snapshot_release(snap);
        return NULL;
    }

    /*
     * In a worker, against the configuration: every role a constant
     * profile_viewer_roles names (checked against the validated snapshot
     * at "nginx -t") must be one this snapshot declares; the views'
     * fields will be checked here too.
     */

    if (ngx_http_profile_worker.pmcf != NULL
        && ngx_http_profile_snapshot_compatible(snap,
                                                ngx_http_profile_worker.pmcf,
                                                p, err)
           != NGX_OK)
    {
        ngx_http_profile_snapshot_release(snap);
        return NULL;
    }

    return snap;
}


/* what the configuration needs of a snapshot: NGX_OK, or why not */

static ngx_int_t
ngx_http_profile_snapshot_compatible(ngx_http_profile_snapshot_t *snap,
    ngx_http_profile_main_conf_t *pmcf, ngx_http_profile_pointer_t *p,
    u_char *err)
{
    ngx_str_t                  *role;
    ngx_uint_t                  i, c, found;
    ngx_http_profile_class_t   *cls;

    if (pmcf->roles_used == NULL) {
        return NGX_OK;
    }

    role = pmcf->roles_used->elts;
    cls = snap->meta.classes;

    for (i = 0; i < pmcf->roles_used->nelts; i++) {
        found = 0;

        for (c = NGX_HTTP_PROFILE_CLASS_ROLES;
             snap->grants.audiences && c < snap->meta.nclasses;
             c++)
        {
            if (cls[c].name_len == role[i].len
                && ngx_memcmp(cls[c].name, role[i].data, role[i].len) == 0)
            {
                found = 1;
                break;
            }
        }

        if (!found) {
            *ngx_slprintf(err, err + NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR - 1,
                          ": \"%s\" is incompatible with the configuration: "
                          "its schema does not declare role \"%V\", which "
                          "profile_viewer_roles names", p->name, &role[i])
                = '\0';
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


void
ngx_http_profile_snapshot_release(ngx_http_profile_snapshot_t *snap)
{
    if (--snap->refs == 0) {
        ngx_http_profile_snapshot_close(snap);
    }
}


void
ngx_http_profile_snapshot_init_worker(ngx_cycle_t *cycle,
    ngx_http_profile_main_conf_t *pmcf)
{
    ngx_event_t                  *ev;
    ngx_http_profile_worker_t    *w;
    ngx_http_profile_snapshot_t  *snap;

    w = &ngx_http_profile_worker;

    if (pmcf->snapshot.len == 0) {
        return;
    }

    w->pmcf = pmcf;

    /*
     * A worker whose init_process fails exits and is not respawned:
     * whatever fails, keep running, answer 503, and say so loudly.
     */

    if (!pmcf->dir) {
        snap = ngx_http_profile_snapshot_open_validated(cycle->log,
                                                        w->failed);
        if (snap == NULL) {
            ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                          "profile snapshot \"%V\"%s, "
                          "profile requests get 503",
                          &pmcf->snapshot, w->failed);
        }

        goto opened;
    }

    /* a snapshot directory: what its pointer names now */

    w->path = ngx_pnalloc(cycle->pool,
                          pmcf->snapshot.len + NGX_HTTP_PROFILE_DIR_NAME_MAX
                          + 2);
    if (w->path == NULL) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "profile snapshot directory \"%V\": out of memory, "
                      "profile requests get 503", &pmcf->snapshot);
        return;
    }

    snap = ngx_http_profile_snapshot_open_dir(&pmcf->snapshot, w->path,
                                              &w->refused, pmcf->verify,
                                              cycle->log, w->failed);
    if (snap == NULL) {
        w->has_refused = 1;
        w->nrefused++;

        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "profile snapshot directory \"%V\"%s, "
                      "profile requests get 503",
                      &pmcf->snapshot, w->failed);
    }

opened:

    if (snap != NULL) {
        w->current = snap;

        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, cycle->log, 0,
                       "profile snapshot \"%V\": opened \"%V\", %uL records",
                       &pmcf->snapshot, &snap->id, snap->meta.record_count);
    }

    if (pmcf->check == 0) {
        return;
    }

    ev = &w->timer;

    ev->handler = ngx_http_profile_snapshot_check;
    ev->log = cycle->log;
    ev->data = w;
    ev->cancelable = 1;

    ngx_http_profile_snapshot_check_later();
}


void
ngx_http_profile_snapshot_exit_worker(void)
{
    ngx_http_profile_worker_t  *w;

    w = &ngx_http_profile_worker;

    if (w->current != NULL) {
        ngx_http_profile_snapshot_release(w->current);
        w->current = NULL;
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

    if (ngx_http_profile_worker.current == NULL) {
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

    ctx->snapshot = ngx_http_profile_worker.current;
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


int
ngx_http_profile_snapshot_record(ngx_http_profile_snapshot_t *snap,
    ngx_str_t *id, ngx_http_profile_record_t *rec, uint64_t *slot)
{
    /*
     * Through the index: one hash of the id, one slot (rarely a few
     * more), the record's header and, the first time this worker serves
     * it from this snapshot, its hash, so that a damaged record is never
     * served.  Only the header is checked here: the
     * JSON writer checks each entry as it reads it
     * (ngx_http_profile_entry_check()), so a record's entries are
     * decoded once per request, not twice.
     */

    *slot = 0;

    return ngx_http_profile_index_find(&snap->meta.index, snap->file.map,
                                       snap->file.size, id->data, id->len,
                                       rec, slot, snap->checked);
}


int
ngx_http_profile_snapshot_embedded(ngx_http_profile_snapshot_t *snap,
    ngx_uint_t source, const u_char *key, size_t len,
    ngx_http_profile_record_t *rec, uint64_t *slot)
{
    ngx_http_profile_meta_source_t  *src;

    *slot = 0;

    if (source >= snap->meta.nsources
        || !ngx_http_profile_id_valid(key, len))
    {
        return NGX_HTTP_PROFILE_FMT_MISSING;
    }

    src = &snap->meta.sources[source];

    return ngx_http_profile_index_find(&src->index, snap->file.map,
                                       snap->file.size, key, len, rec, slot,
                                       snap->src_checked[source]);
}


/*
 * The metadata through the format library's one check (the CLI's verify
 * and inspect make the same), the tables decoded into the snapshot's
 * pool; then the index against the records.
 */

static ngx_int_t
ngx_http_profile_snapshot_validate(ngx_http_profile_snapshot_t *snap,
    ngx_uint_t verify, u_char *err)
{
    int                              rc;
    u_char                          *last;
    MDB_val                          val;
    ngx_uint_t                       i;
    ngx_http_profile_meta_source_t  *src;
    u_char                           reason[NGX_HTTP_PROFILE_FILE_ERRSTR];

    last = err + NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR - 1;

    if (ngx_http_profile_meta_check(&snap->meta, &snap->file,
                                    ngx_http_profile_snapshot_alloc,
                                    snap->pool, (char *) err)
        != NGX_HTTP_PROFILE_META_RC_OK)
    {
        return NGX_ERROR;
    }

    /* a copy: logs and $profile_snapshot_id never read the map for it */

    snap->id.len = snap->meta.snapshot_id_len;
    snap->id.data = ngx_pnalloc(snap->pool, snap->id.len);
    if (snap->id.data == NULL) {
        *ngx_slprintf(err, last, ": out of memory") = '\0';
        return NGX_ERROR;
    }

    ngx_memcpy(snap->id.data, snap->meta.snapshot_id, snap->id.len);

    /* for $profile_snapshot_age: optional, never a reason to refuse */

    rc = ngx_http_profile_file_get(&snap->file, snap->meta.meta,
                                   NGX_HTTP_PROFILE_META_CREATED_AT,
                                   sizeof(NGX_HTTP_PROFILE_META_CREATED_AT)
                                   - 1, &val);

    snap->created = (rc == 0)
                    ? ngx_http_profile_snapshot_created(val.mv_data,
                                                        val.mv_size)
                    : -1;

    /* the index against the records: a stale or foreign one is refused */

    if (!ngx_http_profile_file_index_check(&snap->file, snap->meta.profiles,
                                           &snap->meta.index,
                                           snap->meta.record_count,
                                           (char *) reason))
    {
        *ngx_slprintf(err, last, ": meta \"%s\"%s",
                      NGX_HTTP_PROFILE_META_INDEX, reason) = '\0';
        return NGX_ERROR;
    }

    /* each embedded source's keyed table, the same way */

    for (i = 0; i < snap->meta.nsources; i++) {
        src = &snap->meta.sources[i];

        if (!ngx_http_profile_file_index_check(&snap->file, src->dbi,
                                               &src->index,
                                               src->record_count,
                                               (char *) reason))
        {
            *ngx_slprintf(err, last, ": meta \"%s%*s\"%s",
                          NGX_HTTP_PROFILE_META_INDEX_SOURCE,
                          src->name_len, src->name, reason) = '\0';
            return NGX_ERROR;
        }
    }

    if (verify == NGX_HTTP_PROFILE_VERIFY_FULL) {
        return ngx_http_profile_digest_check(&snap->file, &snap->meta, err);
    }

    return NGX_OK;
}


/*
 * Meta "created_at", "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC, seconds, as
 * profile-snapshot writes it), as seconds since the epoch; -1 if it is
 * not of that form.
 */

static time_t
ngx_http_profile_snapshot_created(const u_char *p, size_t len)
{
    ngx_int_t   y, mo, d, h, mi, s, days;
    ngx_uint_t  i;

    static const char  form[] = "dddd-dd-ddTdd:dd:ddZ";

    if (len != sizeof(form) - 1) {
        return -1;
    }

    for (i = 0; i < len; i++) {
        if (form[i] == 'd' ? (p[i] < '0' || p[i] > '9') : p[i] != form[i]) {
            return -1;
        }
    }

    y = ngx_atoi((u_char *) p, 4);
    mo = ngx_atoi((u_char *) p + 5, 2);
    d = ngx_atoi((u_char *) p + 8, 2);
    h = ngx_atoi((u_char *) p + 11, 2);
    mi = ngx_atoi((u_char *) p + 14, 2);
    s = ngx_atoi((u_char *) p + 17, 2);

    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23
        || mi > 59 || s > 60)
    {
        return -1;
    }

    /* days since 1970-01-01 of a proleptic Gregorian date, March-based */

    if (mo <= 2) {
        y--;
        mo += 12;
    }

    days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * (mo - 3) + 2) / 5
           + d - 719469;

    return (time_t) days * 86400 + h * 3600 + mi * 60 + s;
}


/* the meta check's allocator: the snapshot's pool (data) */

static void *
ngx_http_profile_snapshot_alloc(void *data, size_t size)
{
    return ngx_palloc(data, size);
}


static void
ngx_http_profile_snapshot_close(ngx_http_profile_snapshot_t *snap)
{
    ngx_http_profile_file_close(&snap->file);
    ngx_destroy_pool(snap->pool);
}


/*
 * Open the snapshot the master validated: the file at the path must be
 * the same file (device and inode) holding the same snapshot id.  A
 * file put at the path since (renamed over it without a reload) is
 * refused, so that a respawned worker never serves another snapshot
 * than its siblings.
 */

static ngx_http_profile_snapshot_t *
ngx_http_profile_snapshot_open_validated(ngx_log_t *log, u_char *err)
{
    u_char                        *last;
    ngx_http_profile_snapshot_t   *snap;
    ngx_http_profile_main_conf_t  *pmcf;

    pmcf = ngx_http_profile_worker.pmcf;
    last = err + NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR - 1;

    snap = ngx_http_profile_snapshot_open(&pmcf->snapshot, pmcf->verify, log,
                                          err);
    if (snap == NULL) {
        return NULL;
    }

    if (snap->file.dev != pmcf->snapshot_dev
        || snap->file.ino != pmcf->snapshot_ino)
    {
        *ngx_slprintf(err, last, " is not the file nginx validated at start "
                      "or reload (another file was put at the path): "
                      "reload nginx to use it") = '\0';
        goto refused;
    }

    if (snap->id.len != pmcf->snapshot_id.len
        || ngx_memcmp(snap->id.data, pmcf->snapshot_id.data, snap->id.len)
           != 0)
    {
        *ngx_slprintf(err, last, " holds snapshot \"%V\", not \"%V\" that "
                      "nginx validated at start or reload: reload nginx to "
                      "use it", &snap->id, &pmcf->snapshot_id) = '\0';
        goto refused;
    }

    return snap;

refused:

    ngx_http_profile_snapshot_release(snap);

    return NULL;
}


/*
 * The check timer.  With a snapshot: if its file changed in place
 * (truncated, copied over: what must never happen to a published file),
 * stop using it before a request reads a page that is gone, and answer
 * 503.  Without one: try the validated file again, so that a worker
 * recovers as soon as the good file is back, without a reload.  A
 * failure is logged when it is new, not at every check.
 */

static void
ngx_http_profile_snapshot_check(ngx_event_t *ev)
{
    ngx_http_profile_worker_t    *w;
    ngx_http_profile_snapshot_t  *snap;
    u_char                        err[NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR];

    w = ev->data;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    if (w->pmcf->dir) {
        ngx_http_profile_snapshot_check_dir(w, ev->log);
        ngx_http_profile_snapshot_check_later();
        return;
    }

    if (w->current != NULL) {

        if (!ngx_http_profile_file_unchanged(&w->current->file,
                                             (char *) err))
        {
            ngx_log_error(NGX_LOG_ALERT, ev->log, 0,
                          "profile snapshot \"%V\"%s: no longer used, "
                          "profile requests get 503",
                          &w->pmcf->snapshot, err);

            /*
             * Requests copy what they send out of the map before they
             * return to the event loop, so no pinned request reads it
             * after this; the last pin closes the snapshot.
             */

            ngx_http_profile_snapshot_release(w->current);
            w->current = NULL;

            ngx_cpystrn(w->failed, err, NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR);
        }

        ngx_http_profile_snapshot_check_later();
        return;
    }

    snap = ngx_http_profile_snapshot_open_validated(ev->log, err);

    if (snap != NULL) {
        w->current = snap;
        w->failed[0] = '\0';

        ngx_log_error(NGX_LOG_NOTICE, ev->log, 0,
                      "profile snapshot \"%V\": opened snapshot \"%V\" "
                      "again, profile requests are served",
                      &w->pmcf->snapshot, &snap->id);

    } else if (ngx_strcmp(err, w->failed) != 0) {
        ngx_log_error(NGX_LOG_ALERT, ev->log, 0,
                      "profile snapshot \"%V\"%s, "
                      "profile requests get 503", &w->pmcf->snapshot, err);

        ngx_cpystrn(w->failed, err, NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR);
    }

    ngx_http_profile_snapshot_check_later();
}


/*
 * The check of a snapshot directory: the current snapshot's file as
 * above, then the pointer.  Nothing is opened while the pointer names
 * the file being served, unchanged, or the candidate refused last; a new
 * target is opened and validated (the same checks as at start and
 * reload) and becomes current, or is refused: logged once, counted,
 * skipped until the pointer changes, and the current snapshot keeps
 * serving.  Requests pinned to the previous snapshot finish on it.
 */

static void
ngx_http_profile_snapshot_check_dir(ngx_http_profile_worker_t *w,
    ngx_log_t *log)
{
    ngx_str_t                     *dir;
    ngx_http_profile_snapshot_t   *snap, *old;
    ngx_http_profile_pointer_t     ptr;
    u_char                         err[NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR];

    dir = &w->pmcf->snapshot;
    old = w->current;

    if (old != NULL && !ngx_http_profile_file_unchanged(&old->file,
                                                        (char *) err))
    {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "profile snapshot \"%V\"%s: no longer used, "
                      "profile requests get 503", &old->path, err);

        /* the same file is opened again below only if it validates */

        ngx_http_profile_snapshot_release(old);
        w->current = NULL;
        w->has_refused = 0;
        old = NULL;
    }

    if (ngx_http_profile_dir_pointer(dir, w->path, &ptr, err) == NGX_OK
        && old != NULL
        && ptr.err == 0
        && ptr.dev == old->file.dev
        && ptr.ino == old->file.ino
        && ngx_strcmp(w->path, old->path.data) == 0)
    {
        return;
    }

    if (w->has_refused && ngx_http_profile_dir_same(&ptr, &w->refused)) {
        return;
    }

    snap = ngx_http_profile_snapshot_open_dir(dir, w->path, &ptr,
                                              w->pmcf->verify, log, err);

    if (snap == NULL) {
        w->refused = ptr;
        w->has_refused = 1;
        w->nrefused++;

        if (old != NULL) {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "profile snapshot directory \"%V\"%s: refused "
                          "(%ui refused by this worker), still serving "
                          "snapshot \"%V\"",
                          dir, err, w->nrefused, &old->id);

        } else {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "profile snapshot directory \"%V\"%s: refused "
                          "(%ui refused by this worker), profile requests "
                          "get 503", dir, err, w->nrefused);
        }

        return;
    }

    w->current = snap;
    w->has_refused = 0;
    w->nswaps++;

    if (old != NULL) {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "profile snapshot directory \"%V\": serving snapshot "
                      "\"%V\" (was \"%V\"; %ui new snapshots in this "
                      "worker)", dir, &snap->id, &old->id, w->nswaps);

        /* closed now, or by the last request that pinned it */

        ngx_http_profile_snapshot_release(old);

    } else {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "profile snapshot directory \"%V\": serving snapshot "
                      "\"%V\", profile requests are served",
                      dir, &snap->id);
    }
}


/* the next check, with up to 1/4 of jitter so workers do not align */

static void
ngx_http_profile_snapshot_check_later(void)
{
    ngx_msec_t  t;

    t = ngx_http_profile_worker.pmcf->check;
    t = t - t / 8 + (ngx_msec_t) ngx_random() % (t / 4 + 1);

    ngx_add_timer(&ngx_http_profile_worker.timer, t);
}


static void
ngx_http_profile_snapshot_unpin(void *data)
{
    ngx_http_profile_snapshot_t  *snap = data;

    ngx_http_profile_snapshot_release(snap);
}


int
ngx_http_profile_snapshot_relation(ngx_http_profile_snapshot_t *snap,
    ngx_str_t *viewer, ngx_str_t *owner, uint8_t *bits, uint64_t *slot)
{
    int                           rc, swapped;
    size_t                        len;
    ngx_http_profile_relation_t   rel;
    u_char                        key[NGX_HTTP_PROFILE_PAIR_KEY_MAX];

    *bits = 0;
    *slot = 0;

    if (!snap->meta.has_relations) {
        return NGX_HTTP_PROFILE_FMT_OK;
    }

    len = ngx_http_profile_pair_key(key, viewer->data, viewer->len,
                                    owner->data, owner->len, &swapped);

    rc = ngx_http_profile_relation_find(&snap->meta.relations_index,
                                        snap->file.map, snap->file.size,
                                        key, len, &rel, slot);

    if (rc == NGX_HTTP_PROFILE_FMT_MISSING) {
        return NGX_HTTP_PROFILE_FMT_OK;
    }

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        return rc;
    }

    *bits = swapped ? ngx_http_profile_relation_swap(rel.bits) : rel.bits;

    return NGX_HTTP_PROFILE_FMT_OK;
}
