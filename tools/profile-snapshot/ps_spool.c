
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
#include "ps_spool.h"


/* spool writes */
#define PS_SPOOL_CHUNK   (1024 * 1024)

/*
 * The copy's reading of the spool (ps_spool_done()): the mapped pages
 * are given back after so many bytes or jumps to other blocks of the
 * spool, and the spool is freed in pieces of so many bytes.
 */
#define PS_SPOOL_WINDOW  ((size_t) 32 << 20)
#define PS_SPOOL_JUMPS   512
#define PS_SPOOL_BLOCK   65536
#define PS_SPOOL_PIECE   ((uint64_t) 1 << 20)


static void ps_spool_count(ps_spool_t *sp, uint64_t off, size_t len);


int
ps_spool_open(ps_spool_t *sp, const char *path, const char *out,
    const char *book)
{
    sp->out = out;
    sp->book = book;

    /*
     * unlinked at once: nothing is left behind, whatever happens (and
     * no signal comes in between)
     */
    ps_signal_block();

    sp->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (sp->fd == -1) {
        ps_signal_unblock();
        ps_error("%s: cannot create: %s", path, strerror(errno));
        return -1;
    }

    (void) unlink(path);
    ps_signal_unblock();

    return 0;
}


unsigned char *
ps_spool_space(ps_spool_t *sp, size_t len)
{
    /* where ps_spool_append() takes it: the end of what is not written */
    ps_buf_reserve(&sp->buf, len);

    return sp->buf.data + sp->buf.len;
}


uint64_t
ps_spool_tail(ps_spool_t *sp)
{
    return sp->size + sp->buf.len;
}


int
ps_spool_append(ps_spool_t *sp, uint64_t off, size_t len)
{
    /* built in place (ps_spool_space()) */
    sp->buf.len += len;

    ps_spool_count(sp, off, len);

    if (len > sp->max_rec) {
        sp->max_rec = len;
    }

    if (sp->buf.len >= PS_SPOOL_CHUNK) {
        return ps_spool_flush(sp);
    }

    return 0;
}


int
ps_spool_flush(ps_spool_t *sp)
{
    ssize_t         n;
    unsigned char  *p;
    size_t          left;

    p = sp->buf.data;
    left = sp->buf.len;

    while (left > 0) {
        n = write(sp->fd, p, left);

        if (n == -1) {
            if (errno == EINTR) {
                continue;
            }

            ps_error("%s: writing the spool file failed: %s", sp->out,
                     strerror(errno));
            return -1;
        }

        p += n;
        left -= (size_t) n;
        sp->size += (uint64_t) n;
    }

    sp->buf.len = 0;

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
ps_spool_count(ps_spool_t *sp, uint64_t off, size_t len)
{
    size_t    n;
    uint64_t  i, lo, hi, end;

    end = off + len;

    for (i = off / PS_SPOOL_PIECE; i * PS_SPOOL_PIECE < end; i++) {

        if (i >= sp->pieces) {
            n = sp->pieces ? 2 * sp->pieces : 1024;

            while (n <= i) {
                n *= 2;
            }

            sp->live = ps_realloc(sp->live, n * sizeof(uint32_t));
            memset(sp->live + sp->pieces, 0,
                   (n - sp->pieces) * sizeof(uint32_t));
            sp->pieces = n;
        }

        lo = i * PS_SPOOL_PIECE > off ? i * PS_SPOOL_PIECE : off;
        hi = (i + 1) * PS_SPOOL_PIECE < end ? (i + 1) * PS_SPOOL_PIECE : end;

        sp->live[i] += (uint32_t) (hi - lo);
    }
}


/* a record is either all in the file or all in the buffer */

int
ps_spool_read(ps_spool_t *sp, uint64_t off, size_t len,
    const void **rec)
{
    ssize_t  n;
    size_t   got;

    if (off >= sp->size) {
        *rec = sp->buf.data + (off - sp->size);
        return 0;
    }

    sp->rec.len = 0;
    ps_buf_reserve(&sp->rec, len);

    for (got = 0; got < len; got += (size_t) n) {
        n = pread(sp->fd, sp->rec.data + got, len - got,
                  (off_t) (off + got));

        if (n == -1 && errno == EINTR) {
            n = 0;
            continue;
        }

        if (n <= 0) {
            ps_error("%s: reading the spool file failed: %s", sp->out,
                     n == 0 ? "short file" : strerror(errno));
            return -1;
        }
    }

    *rec = sp->rec.data;

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

void
ps_spool_map(ps_spool_t *sp, ps_spool_reader_t *rd)
{
    void  *map;

    memset(rd, 0, sizeof(ps_spool_reader_t));
    rd->punch = 1;
    rd->lo = sp->size;

    if (sp->size == 0 || sp->size > SIZE_MAX
        || sp->buf.len != 0)
    {
        return;
    }

    map = mmap(NULL, (size_t) sp->size, PROT_READ, MAP_SHARED,
               sp->fd, 0);

    if (map != MAP_FAILED) {
        rd->map = map;
    }
}


void
ps_spool_unmap(ps_spool_t *sp, ps_spool_reader_t *rd)
{
    if (rd->map != NULL) {
        (void) munmap((void *) rd->map, (size_t) sp->size);
        rd->map = NULL;
    }
}


/*
 * The record spooled at off, for the copy: where it is in the map, or
 * read with pread() while the records come in scattered order (see
 * ps_spool_done()).  Valid until the next call.
 */

int
ps_spool_get(ps_spool_t *sp, ps_spool_reader_t *rd, uint64_t off,
    size_t len, const void **rec)
{
    uint64_t  block;

    if (off > sp->size || len > sp->size - off) {
        ps_error("%s: build bookkeeping is corrupt", sp->book);
        return -1;
    }

    block = off / PS_SPOOL_BLOCK;

    if (block != rd->last && block != rd->last + 1) {
        rd->jumps++;
    }

    rd->last = (off + len) / PS_SPOOL_BLOCK;
    rd->records++;
    rd->bytes += len;

    if (rd->map == NULL || rd->scattered) {
        return ps_spool_read(sp, off, len, rec);
    }

    *rec = rd->map + off;

    rd->lo = off < rd->lo ? off : rd->lo;
    rd->hi = off + len > rd->hi ? off + len : rd->hi;

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

int
ps_spool_done(ps_spool_t *sp, ps_spool_reader_t *rd, uint64_t off,
    size_t len)
{
    uint64_t   i, lo, hi, end;
    uintptr_t  start, psize;

    end = off + len;

    for (i = off / PS_SPOOL_PIECE; i * PS_SPOOL_PIECE < end; i++) {
        lo = i * PS_SPOOL_PIECE > off ? i * PS_SPOOL_PIECE : off;
        hi = (i + 1) * PS_SPOOL_PIECE < end ? (i + 1) * PS_SPOOL_PIECE : end;

        if (i >= sp->pieces || sp->live[i] < hi - lo) {
            ps_error("%s: build bookkeeping is corrupt", sp->book);
            return -1;
        }

        sp->live[i] -= (uint32_t) (hi - lo);

        if (sp->live[i] != 0 || !rd->punch) {
            continue;
        }

        lo = i * PS_SPOOL_PIECE;
        hi = lo + PS_SPOOL_PIECE < sp->size ? lo + PS_SPOOL_PIECE
                                                 : sp->size;

#ifdef FALLOC_FL_PUNCH_HOLE
        if (fallocate(sp->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                      (off_t) lo, (off_t) (hi - lo))
            != 0)
        {
            /* not on this file system: the spool is freed at the end */
            rd->punch = 0;
        }
#else
        rd->punch = 0;
#endif
    }

    if (rd->map == NULL
        || (rd->bytes < PS_SPOOL_WINDOW && rd->jumps < PS_SPOOL_JUMPS))
    {
        return 0;
    }

    if (rd->hi > rd->lo) {
        psize = (uintptr_t) sysconf(_SC_PAGESIZE);
        start = ((uintptr_t) rd->map + (uintptr_t) rd->lo) & ~(psize - 1);

        (void) madvise((void *) start,
                       (uintptr_t) rd->map + (uintptr_t) rd->hi - start,
                       MADV_DONTNEED);
    }

    rd->scattered = rd->jumps > rd->records / 2;
    rd->bytes = 0;
    rd->records = 0;
    rd->jumps = 0;
    rd->lo = sp->size;
    rd->hi = 0;

    return 0;
}


void
ps_spool_close(ps_spool_t *sp)
{
    if (sp->fd != -1) {
        close(sp->fd);
        sp->fd = -1;
    }

    ps_buf_free(&sp->buf);
    ps_buf_free(&sp->rec);

    free(sp->live);
    sp->live = NULL;
    sp->pieces = 0;
}
