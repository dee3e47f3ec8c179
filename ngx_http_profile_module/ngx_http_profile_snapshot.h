
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Snapshot lifecycle: open and validate a snapshot file, the per-worker
 * current snapshot, and pinning of a snapshot by a request.
 */


#ifndef _NGX_HTTP_PROFILE_SNAPSHOT_H_INCLUDED_
#define _NGX_HTTP_PROFILE_SNAPSHOT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <lmdb.h>

#include "ngx_http_profile_format.h"
#include "ngx_http_profile_file.h"
#include "ngx_http_profile_meta.h"
#include "ngx_http_profile_dir.h"
#include "ngx_http_profile_module.h"
#include "ngx_http_profile_rules.h"


/* room for a reason text from ngx_http_profile_snapshot_open() */
#define NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR  NGX_HTTP_PROFILE_FILE_ERRSTR


/*
 * An open snapshot.  It owns its pool and its file (LMDB environment,
 * one read-only transaction that lives as long as the snapshot, LMDB's
 * map of the file): a request finds a record through the id index (meta
 * "index") at an offset in that map, without calling LMDB.  The index's
 * slots and the tables' names point into the map and are valid while
 * the snapshot is open; id is a copy in the pool.
 */
struct ngx_http_profile_snapshot_s {
    ngx_pool_t                  *pool;       /* owns this object */
    ngx_str_t                    path;       /* null-terminated */
    ngx_str_t                    id;         /* meta "snapshot_id" */
    time_t                       created;    /* meta "created_at", or -1 */

    ngx_http_profile_file_t      file;

    /*
     * What ngx_http_profile_meta_check() found: the databases, the
     * record count, the id index, the classes and fields tables (in the
     * pool, their names in the map).
     */
    ngx_http_profile_meta_t      meta;

    /*
     * One bit per index slot: the record it names passed its hash in
     * this worker (ngx_http_profile_index_find()), so each record is
     * hashed once per snapshot per worker, not on every request.
     */
    u_char                      *checked;

    /* the same per embedded source, over its keyed table's slots */
    u_char                      *src_checked[NGX_HTTP_PROFILE_MAX_SOURCES];

    /* what the access rules need of this snapshot, made at open */
    ngx_http_profile_grants_t    grants;

    /*
     * In a worker, the plan of every view of the configuration (the main
     * conf's views, in their order) for this snapshot; NULL without views
     */
    ngx_http_profile_plan_t     *plans;

    /* one for being the worker's current snapshot, one per pin */
    ngx_uint_t                   refs;
};


/* profile_snapshot_verify */
#define NGX_HTTP_PROFILE_VERIFY_SAMPLE  0
#define NGX_HTTP_PROFILE_VERIFY_FULL    1


/*
 * Open the snapshot file at path (absolute, null-terminated) read-only
 * without a lock file, and validate it: its size against LMDB's pages,
 * its metadata, its id index against its records, and with verify
 * NGX_HTTP_PROFILE_VERIFY_FULL its content hash (which reads the whole
 * file: ngx_http_profile_digest_check()).  On success returns
 * a snapshot holding one reference, owned by the caller, who drops it
 * with ngx_http_profile_snapshot_release().  On failure returns NULL and
 * writes into err (NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR bytes, terminated) a
 * reason that reads on after the quoted path, e.g.
 * ": mdb_env_open() failed (2: No such file or directory)".
 */
ngx_http_profile_snapshot_t *ngx_http_profile_snapshot_open(ngx_str_t *path,
    ngx_uint_t verify, ngx_log_t *log, u_char *err);

/*
 * Open what the pointer of the snapshot directory dir names now, as
 * ngx_http_profile_snapshot_open() does, and check that the snapshot's
 * id is the one its name says.  path is a buffer of dir->len +
 * NGX_HTTP_PROFILE_DIR_NAME_MAX + 2 bytes that receives the target's
 * path; p receives the pointer read (ngx_http_profile_dir_pointer()).
 * Returns the snapshot (one reference, the caller's) or NULL with a
 * reason in err (NGX_HTTP_PROFILE_SNAPSHOT_ERRSTR bytes) that reads on
 * after the directory's quoted path, e.g. ": "x.snap" is empty".
 */
ngx_http_profile_snapshot_t *ngx_http_profile_snapshot_open_dir(
    ngx_str_t *dir, u_char *path, ngx_http_profile_pointer_t *p,
    ngx_uint_t verify, ngx_log_t *log, u_char *err);

/* drop a reference; the last one closes the snapshot and frees it */
void ngx_http_profile_snapshot_release(ngx_http_profile_snapshot_t *snap);

/*
 * Worker start: open the snapshot of pmcf (none if its path is empty)
 * as the worker's current snapshot: for a file, provided it is the file
 * the master validated (same device, inode and snapshot id); for a
 * snapshot directory, what its pointer names now.  Unless the check
 * interval is 0, start the worker's check timer, which stops using a
 * snapshot whose file changed in place and opens the validated one
 * again once it is good; in a directory it also follows the pointer:
 * a new target is opened and validated, and replaces the current
 * snapshot, or is refused (logged once, skipped until the pointer
 * changes).  A failure at start is logged at "alert" and leaves the
 * worker without a snapshot: requests get 503.  Never fails.
 */
void ngx_http_profile_snapshot_init_worker(ngx_cycle_t *cycle,
    ngx_http_profile_main_conf_t *pmcf);

/* worker exit: drop the worker's reference to its current snapshot */
void ngx_http_profile_snapshot_exit_worker(void);

/*
 * Pin the worker's current snapshot for the request r (and its
 * subrequests): it stays open until r's pool is destroyed, whatever
 * replaces it meanwhile.  Pinning twice returns the same snapshot.
 * Returns NGX_OK and sets *snap, NGX_DECLINED if the worker has no
 * usable snapshot, or NGX_ERROR (out of memory).
 */
ngx_int_t ngx_http_profile_snapshot_pin(ngx_http_request_t *r,
    ngx_http_profile_snapshot_t **snap);

/* the snapshot r has pinned, or NULL */
ngx_http_profile_snapshot_t *ngx_http_profile_snapshot_pinned(
    ngx_http_request_t *r);

/*
 * Look up the record of profile id (already valid by
 * ngx_http_profile_id_valid()) in snap, which the caller has pinned, and
 * validate its header into rec; its entries are checked as they are
 * rendered.  Returns NGX_HTTP_PROFILE_FMT_OK, NGX_HTTP_PROFILE_FMT_MISSING
 * if there is no such profile, or the problem of the record found (a
 * slot outside the file, a bad header, a hash mismatch); logs nothing.
 * *slot is the index slot of the record, or of the problem (0 when
 * none was reached).  rec points into the snapshot's map: valid while
 * the pin lasts.
 */
int ngx_http_profile_snapshot_record(ngx_http_profile_snapshot_t *snap,
    ngx_str_t *id, ngx_http_profile_record_t *rec, uint64_t *slot);

/*
 * Look up the record of key[0 .. len - 1] in embedded source number
 * source (an index into snap->meta.sources) of snap, which the caller
 * has pinned: ngx_http_profile_snapshot_record()'s contract, through the
 * source's keyed table ("index.src.NAME") and its own hash-once bitmap.
 * Returns NGX_HTTP_PROFILE_FMT_OK, NGX_HTTP_PROFILE_FMT_MISSING if there
 * is no such record (or no such source, or a key that is not a valid
 * id), or the problem of the record found; logs nothing.  The record's
 * entries name the source's fields (snap->meta.sources[source].fields).
 */
int ngx_http_profile_snapshot_embedded(ngx_http_profile_snapshot_t *snap,
    ngx_uint_t source, const u_char *key, size_t len,
    ngx_http_profile_record_t *rec, uint64_t *slot);

/*
 * The relation bits between viewer and owner (valid ids, not equal) in
 * snap, which the caller has pinned, seen from the viewer's side (the
 * viewer as "a": NGX_HTTP_PROFILE_REL_A_FOLLOWS_B is "the viewer follows
 * the owner").  One lookup in the relation store; 0 when the pair has no
 * relation or the snapshot has no store.  Returns NGX_HTTP_PROFILE_FMT_OK
 * or the problem of a damaged value (*slot: its slot in
 * "index.relations"); logs nothing.
 */
int ngx_http_profile_snapshot_relation(ngx_http_profile_snapshot_t *snap,
    ngx_str_t *viewer, ngx_str_t *owner, uint8_t *bits, uint64_t *slot);


#endif /* _NGX_HTTP_PROFILE_SNAPSHOT_H_INCLUDED_ */
