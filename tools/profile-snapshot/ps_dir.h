
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * A snapshot directory (docs/snapshot-dir.md, a contract with the
 * module): the marker, the lock, the "current" pointer, the history and
 * the published "<id>.snap" files.  What publish, rollback, list and gc
 * share; the commands themselves are ps_publish_cmd.c, ps_list.c and
 * ps_gc.c.
 */


#ifndef _PS_DIR_H_INCLUDED_
#define _PS_DIR_H_INCLUDED_


#include <stddef.h>

#include "ngx_http_profile_format.h"


/*
 * the names of the layout (docs/snapshot-dir.md); those the module reads
 * too are the format library's
 */
#define PS_DIR_MARKER        NGX_HTTP_PROFILE_DIR_MARKER
#define PS_DIR_MARKER_TEXT   NGX_HTTP_PROFILE_DIR_LAYOUT
#define PS_DIR_LOCK          ".lock"
#define PS_DIR_CURRENT       NGX_HTTP_PROFILE_DIR_CURRENT
#define PS_DIR_HISTORY       "history"
#define PS_DIR_SUFFIX        NGX_HTTP_PROFILE_DIR_SUFFIX

/* publish --keep: previous versions kept in the history by default */
#define PS_DIR_KEEP          5
#define PS_DIR_KEEP_MAX      1000

/* ps_dir_open() flags */
#define PS_DIR_CREATE        1   /* make a new or empty DIR a snapshot
                                    directory (publish) */
#define PS_DIR_LOCKED        2   /* take DIR/.lock, or fail at once */

/* what DIR/current is */
typedef enum {
    PS_DIR_NONE = 0,      /* absent */
    PS_DIR_OK,            /* a link to "<id>.snap", a regular file */
    PS_DIR_DANGLING,      /* a link to "<id>.snap", which does not exist */
    PS_DIR_INVALID        /* not a link, or to anything else */
} ps_dir_current_e;


typedef struct {
    const char        *path;       /* DIR as given: messages name it */
    char              *base;       /* DIR without trailing slashes */
    int                fd;         /* the directory, or -1 */
    int                lock;       /* DIR/.lock, locked, or -1 */
    ps_dir_current_e   current;
    char               current_id[NGX_HTTP_PROFILE_SNAPSHOT_ID_MAX + 1];
    char             **history;    /* ids, oldest first: see below */
    size_t             nhistory;
    int                history_stale;  /* the file differs from it */
} ps_dir_t;


/*
 * Open the snapshot directory path with flags (PS_DIR_CREATE,
 * PS_DIR_LOCKED).  Refuses a directory without the marker (with
 * PS_DIR_CREATE, one that does not exist is made, and one that is
 * empty, or holds only ".lock", is given the marker once the lock is
 * taken), and a marker of another layout.  Reads DIR/current into
 * d->current and d->current_id, and DIR/history into d->history,
 * reconciled with current: when current names an id (PS_DIR_OK,
 * PS_DIR_DANGLING), the entries after its last occurrence are dropped
 * (a publish or rollback that was killed between writing the history
 * and switching current), or it is appended if the history lacks it;
 * so the last entry is current.  Returns 0, or an exit code after
 * ps_error(): PS_EXIT_DIR (not a snapshot directory, a history line
 * that is not a snapshot id), PS_EXIT_LOCKED (another process holds
 * the lock), PS_EXIT_IO.  Close with ps_dir_close() in every case.
 */
int ps_dir_open(ps_dir_t *d, const char *path, int flags);

/* "DIR/name", from ps_alloc(): the caller frees it */
char *ps_dir_path(ps_dir_t *d, const char *name);

/* "DIR/<id>.snap", from ps_alloc(): the caller frees it */
char *ps_dir_snap_path(ps_dir_t *d, const char *id);

/* 1 if id is in the history (after reconciling), 0 if not */
int ps_dir_in_history(ps_dir_t *d, const char *id);

/*
 * Replace DIR/history by ids[0 .. n - 1], one per line, oldest first:
 * a temporary file (DIR/.history.tmp), fsync, rename, fsync of DIR.
 * Returns 0, or PS_EXIT_IO after ps_error().
 */
int ps_dir_history_write(ps_dir_t *d, char **ids, size_t n);

/*
 * Make DIR/current a relative link to "<id>.snap" in one step (a
 * temporary link, DIR/.current.tmp, renamed over it; DIR fsynced).
 * Returns 0, or PS_EXIT_IO after ps_error().
 */
int ps_dir_make_current(ps_dir_t *d, const char *id);

/*
 * The ids of the published files, sorted (strcmp()): every regular
 * file (not a link) of DIR named "<id>.snap" with a valid snapshot id.
 * *ids and each id from ps_alloc(): free with ps_dir_ids_free().
 * Returns 0, or PS_EXIT_IO after ps_error().
 */
int ps_dir_snapshots(ps_dir_t *d, char ***ids, size_t *n);

void ps_dir_ids_free(char **ids, size_t n);

/* the message for d->current of PS_DIR_DANGLING or PS_DIR_INVALID */
void ps_dir_current_error(ps_dir_t *d);

void ps_dir_close(ps_dir_t *d);


#endif /* _PS_DIR_H_INCLUDED_ */
