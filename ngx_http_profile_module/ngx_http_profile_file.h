
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Opening a snapshot file safely: what every reader (the module at
 * "nginx -t", reload and worker start; the CLI's verify, inspect and
 * reindex) checks before it lets LMDB read a page, and the checks of
 * what LMDB hands back.  Plain C with no nginx types, compiled into the
 * module and into profile-snapshot.
 *
 * LMDB trusts the file: a page number past the end of a truncated file
 * is a read past the end of the map, which the kernel answers with
 * SIGBUS.  So the file's size is checked against LMDB's own page count
 * (its meta page, read with pread() by mdb_env_open()) before any other
 * page is touched, and every value LMDB returns is checked to lie inside
 * the file before a byte of it is read.
 */


#ifndef _NGX_HTTP_PROFILE_FILE_H_INCLUDED_
#define _NGX_HTTP_PROFILE_FILE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <lmdb.h>

#include "ngx_http_profile_format.h"


/* room for a reason text of the functions below */
#define NGX_HTTP_PROFILE_FILE_ERRSTR  512

/* records the open-time index check follows through the index */
#define NGX_HTTP_PROFILE_FILE_SAMPLE  64


/* what kind of failure: the CLI maps these to its exit codes */
typedef enum {
    NGX_HTTP_PROFILE_FILE_OK = 0,
    NGX_HTTP_PROFILE_FILE_IO,          /* cannot be opened or read */
    NGX_HTTP_PROFILE_FILE_BAD          /* not a snapshot, or damaged */
} ngx_http_profile_file_rc_e;


/*
 * An open snapshot file.  map is a read-only map of the file of our own
 * (size bytes, the file's size when it was opened), in which the index
 * and records are read: every read is checked against size, whatever
 * LMDB's own structures say.  file_size, dev, ino and mtime are those
 * of the file LMDB opened (by its descriptor), when it was opened.
 * base is where LMDB's map starts (0 until a value is checked): LMDB's
 * API does not say, so it is derived from the page header of the page
 * holding each value LMDB returns, and must come out the same every
 * time (ngx_http_profile_file_inside()).
 */
typedef struct {
    MDB_env              *env;
    MDB_txn              *txn;       /* read-only, as long as the file */
    const unsigned char  *map;
    size_t                size;
    uint64_t              file_size;
    uint64_t              dev;
    uint64_t              ino;
    int64_t               mtime;     /* nanoseconds since the epoch */
    uint64_t              last_pgno; /* LMDB's last page */
    uintptr_t             base;
    unsigned              psize;     /* LMDB's page size */
    int                   fd;        /* LMDB's descriptor */
} ngx_http_profile_file_t;


/*
 * Open the snapshot file at path (null-terminated) read-only without a
 * lock file, with room for maxdbs named databases: refuse what is not a
 * regular file (a FIFO would block) or is empty, open it with LMDB,
 * check the file's size against LMDB's last page, begin the read-only
 * transaction.  Returns NGX_HTTP_PROFILE_FILE_OK, or another
 * ngx_http_profile_file_rc_e with a reason in err (ERRSTR bytes,
 * terminated) that reads on after the quoted path, e.g. " is empty" or
 * ": mdb_env_open() failed (2: No such file or directory)".  Close f
 * with ngx_http_profile_file_close() in every case.
 */
int ngx_http_profile_file_open(ngx_http_profile_file_t *f, const char *path,
    unsigned maxdbs, char *err);

/*
 * Check that the file LMDB has open still has the size and the
 * modification time it had when it was opened: a file changed in place
 * (truncated, copied over) must not be read again.  Returns 1 if it is
 * unchanged, 0 if not (or if fstat() fails), with what changed in err.
 */
int ngx_http_profile_file_unchanged(ngx_http_profile_file_t *f, char *err);

/*
 * mdb_get() of key[0 .. len - 1] in dbi, and a check that the value
 * returned lies inside the file.  Returns 0 with *val set,
 * MDB_NOTFOUND, an LMDB error, or MDB_CORRUPTED if the value reaches
 * outside the file.
 */
int ngx_http_profile_file_get(ngx_http_profile_file_t *f, MDB_dbi dbi,
    const void *key, size_t len, MDB_val *val);

/*
 * 1 if data[0 .. size - 1] (a key or value LMDB returned, e.g. through
 * a cursor) lies inside the file, 0 if not or if the page holding it
 * does not place LMDB's map where the other values did.
 */
int ngx_http_profile_file_inside(ngx_http_profile_file_t *f,
    const void *data, size_t size);

/*
 * The one place that knows LMDB's page header: a page of psize bytes
 * (a power of two, aligned in the map) starts with its own page number
 * (MDB_page, the same in every LMDB 0.9 release).  Returns the start of
 * the page holding data, a byte LMDB returned or a page of the file,
 * with that page's number in *pgno.  The page must be readable.
 */
static inline const unsigned char *
ngx_http_profile_file_page(const void *data, size_t psize, uint64_t *pgno)
{
    size_t                n;
    const unsigned char  *page;

    page = (const unsigned char *) ((uintptr_t) data
                                    & ~((uintptr_t) psize - 1));
    memcpy(&n, page, sizeof(size_t));
    *pgno = (uint64_t) n;

    return page;
}


/*
 * The file offset of a value that ngx_http_profile_file_get() returned
 * (or that ngx_http_profile_file_inside() accepted).
 */
static inline uint64_t
ngx_http_profile_file_offset(const ngx_http_profile_file_t *f,
    const MDB_val *val)
{
    return (uint64_t) ((uintptr_t) val->mv_data - f->base);
}

/*
 * Check that the id index idx (already parsed) describes the records of
 * the profiles database dbi of this file, so that a stale index (kept
 * through an mdb_dump and mdb_load of the file) or one from another
 * file is refused when the snapshot is opened rather than on every
 * request.  The first and the last record of dbi, and up to
 * NGX_HTTP_PROFILE_FILE_SAMPLE more picked through used slots spread
 * over the table, must be found through the index at exactly the offset
 * and size LMDB holds them at; the sampled slots must point inside the
 * file.  Records' own bytes are not checked (a damaged record is
 * refused when it is requested).  Returns 1 if the index checks out, 0
 * with a reason in err (reading on after "meta "index"").
 */
int ngx_http_profile_file_index_check(ngx_http_profile_file_t *f,
    MDB_dbi dbi, const ngx_http_profile_index_t *idx, uint64_t count,
    char *err);

/* abort the transaction, close the environment; f may be half open */
void ngx_http_profile_file_close(ngx_http_profile_file_t *f);


#endif /* _NGX_HTTP_PROFILE_FILE_H_INCLUDED_ */
