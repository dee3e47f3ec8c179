
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The spool: every record a build writes, in input order, appended to a
 * file beside the output that is unlinked as soon as it is created.
 * The scratch environment (ps_scratch.c) says where each live record is
 * in it; the copy (ps_copy.c) reads them back in key order, from a map
 * of the spool, and frees each piece whose records are all copied.
 */


#ifndef _PS_SPOOL_H_INCLUDED_
#define _PS_SPOOL_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "ps_buf.h"


typedef struct {
    int             fd;         /* of the unlinked file, or -1 */
    ps_buf_t        buf;        /* appended, not yet written */
    uint64_t        size;       /* bytes written to the file */
    size_t          max_rec;    /* longest record spooled */
    uint32_t       *live;       /* bytes not yet copied, per piece */
    size_t          pieces;
    ps_buf_t        rec;        /* ps_spool_read()'s record */
    const char     *out;        /* names for messages: the output, */
    const char     *book;       /*     the build's bookkeeping */
} ps_spool_t;


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
} ps_spool_reader_t;


/*
 * Create the spool at path and unlink it at once (no signal comes in
 * between).  out and book name the output and the bookkeeping in
 * messages; they must outlive sp.  Returns 0, or -1 with a message
 * printed (sp->fd is -1 then).
 */
int ps_spool_open(ps_spool_t *sp, const char *path, const char *out,
    const char *book);

/*
 * Room for a record of len bytes at the end of the spool, for the caller
 * to build in place; ps_spool_tail() is its offset and ps_spool_append()
 * takes it.  Valid until the next ps_spool_*() call.
 */
unsigned char *ps_spool_space(ps_spool_t *sp, size_t len);

/* the offset of the next record appended */
uint64_t ps_spool_tail(ps_spool_t *sp);

/*
 * Take the len bytes built at ps_spool_space()'s address as the record
 * at off (ps_spool_tail()), counted as live; write the buffer out when
 * it is full.  Returns 0, or -1 with a message printed.
 */
int ps_spool_append(ps_spool_t *sp, uint64_t off, size_t len);

/* write the buffered records to the file; 0, or -1 (printed) */
int ps_spool_flush(ps_spool_t *sp);

/*
 * The record of len bytes at off: *rec points into the buffer or into
 * sp->rec (read with pread()), valid until the next ps_spool_*() call.
 * Returns 0, or -1 with a message printed.
 */
int ps_spool_read(ps_spool_t *sp, uint64_t off, size_t len,
    const void **rec);

/*
 * The copy's reading, once every record is in the file (after
 * ps_spool_flush()): map the spool (or plan to pread() it), get the
 * record at off (valid until the next call), mark it copied (its pieces
 * are freed when nothing live is left in them), unmap.  get and done
 * return 0, or -1 with a message printed.
 */
void ps_spool_map(ps_spool_t *sp, ps_spool_reader_t *rd);
int ps_spool_get(ps_spool_t *sp, ps_spool_reader_t *rd, uint64_t off,
    size_t len, const void **rec);
int ps_spool_done(ps_spool_t *sp, ps_spool_reader_t *rd, uint64_t off,
    size_t len);
void ps_spool_unmap(ps_spool_t *sp, ps_spool_reader_t *rd);

/* close the file (it is gone already) and free the buffers */
void ps_spool_close(ps_spool_t *sp);


#endif /* _PS_SPOOL_H_INCLUDED_ */
