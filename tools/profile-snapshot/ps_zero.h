
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Zeroing the unused space of a finished snapshot file, so that its
 * bytes are those of its live data only.
 */


#ifndef _PS_ZERO_H_INCLUDED_
#define _PS_ZERO_H_INCLUDED_


#include <stdint.h>


/* what ps_zero_unused() found, for the tests and the curious */
typedef struct {
    uint64_t  free_pages;      /* pages on LMDB's freelist */
    uint64_t  gap_bytes;       /* bytes of gaps of branch and leaf pages
                                  that held something */
    uint64_t  tail_bytes;      /* likewise after overflow values */
} ps_zero_info_t;


/*
 * Zero every byte of the snapshot file at path (complete, indexed, not
 * yet published, written by no other process) that no reader reads:
 * the pages on LMDB's freelist, the free gap of every branch and leaf
 * page (between its node pointers and its nodes), and the end of the
 * last page of every overflow value.  Without it those bytes would hold
 * whatever LMDB's reused page buffers held: bytes of earlier pages of
 * the same build, so a file would depend on how the build got there.
 * The live data, the metadata and so the content hash do not change.
 * Relies on LMDB 0.9's page header (MDB_page: page number, pad, flags,
 * lower, upper or the overflow page count), checked against the file.
 * Returns 0, or -1 after ps_error().
 */
int ps_zero_unused(const char *path, ps_zero_info_t *info);


#endif /* _PS_ZERO_H_INCLUDED_ */
