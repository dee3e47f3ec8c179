
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Opening a published snapshot read-only, the way the module does
 * (ngx_http_profile_file.c), and checking its metadata with the module's
 * own check (ngx_http_profile_meta.c), tables decoded with malloc().
 */


#ifndef _PS_READER_H_INCLUDED_
#define _PS_READER_H_INCLUDED_


#include <lmdb.h>

#include "ngx_http_profile_format.h"
#include "ngx_http_profile_file.h"
#include "ngx_http_profile_meta.h"


/* room for the message of ps_reader_try() */
#define PS_READER_ERRSTR  NGX_HTTP_PROFILE_FILE_ERRSTR


typedef struct {
    const char                *path;
    ngx_http_profile_file_t    file;        /* env, txn, LMDB's map */
    ngx_http_profile_meta_t    meta;        /* dbis, tables, index */
    int                        meta_rc;     /* the meta check's result */
} ps_reader_t;


/*
 * Open path as the module does (ngx_http_profile_file_open(): the
 * file's size is checked against LMDB's pages before any is read) and
 * check its metadata with the module's check
 * (ngx_http_profile_meta_check(): format, format_version, classes,
 * fields, record_count against the records, index, snapshot_id), for
 * lookups through the index in LMDB's map (ps_reader_find()).  Returns
 * 0, or an exit code (PS_EXIT_IO if the file cannot be opened,
 * PS_EXIT_CORRUPT if it is not a valid snapshot) with a message printed:
 * PATH followed by the tail the module prints after its quoted path.
 * Close with ps_reader_close() in every case.
 */
int ps_reader_open(ps_reader_t *r, const char *path);

/*
 * ps_reader_open() without a message: the message is left in err
 * (PS_READER_ERRSTR bytes), reading on after the path.  When the meta
 * check refused the file, r->meta_rc says why (an
 * ngx_http_profile_meta_rc_e); for NGX_HTTP_PROFILE_META_RC_VERSION,
 * r->meta.version is the file's format version.  Close with
 * ps_reader_close() in every case.
 */
int ps_reader_try(ps_reader_t *r, const char *path, char *err);

/*
 * Check the id index against the records as the module does when it
 * opens a snapshot (ngx_http_profile_file_index_check()).  Returns 0, or
 * PS_EXIT_CORRUPT with a message printed.
 */
int ps_reader_check_index(ps_reader_t *r);

/*
 * A meta value: 0 and *val, or MDB_NOTFOUND / an LMDB error
 * (MDB_CORRUPTED if the value reaches outside the file).
 */
int ps_reader_meta(ps_reader_t *r, const char *key, MDB_val *val);

/*
 * The record of id through the index, as the module finds it: returns
 * NGX_HTTP_PROFILE_FMT_OK, NGX_HTTP_PROFILE_FMT_MISSING or a problem;
 * *slot is the slot at fault or found.
 */
int ps_reader_find(ps_reader_t *r, const void *id, size_t len,
    ngx_http_profile_record_t *rec, uint64_t *slot);

void ps_reader_close(ps_reader_t *r);


#endif /* _PS_READER_H_INCLUDED_ */
