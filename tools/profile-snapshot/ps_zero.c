
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Zeroing the unused space of a finished snapshot (ps_zero.h).
 *
 * LMDB gives a new page buffer zeroed, but a buffer it reuses within a
 * build (after a commit, or a spill) keeps the bytes of the page it held
 * before: they end up in the free gap of branch and leaf pages, after
 * small overflow values, and in the pages a later transaction of the
 * build freed.  No reader reads them, but they make the file's bytes
 * depend on the build's history.  This pass clears them, with the page
 * header of LMDB 0.9 (mdb.c, MDB_page):
 *
 *   offset 0   pgno_t   the page's own number
 *   offset 8   u16      pad
 *   offset 10  u16      flags: 1 branch, 2 leaf, 4 overflow, 8 meta
 *   offset 12  u16, u16 lower, upper: the free gap of a branch or leaf
 *                       page is [lower, upper)
 *   offset 12  u32      the page count of an overflow value's first page
 *
 * in the machine's byte order, as LMDB writes it.  Every page's number
 * is checked against its place in the file before anything is written.
 */


#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lmdb.h>

#include "ps.h"
#include "ps_zero.h"
#include "ngx_http_profile_format.h"
#include "ngx_http_profile_file.h"


#define PS_ZERO_PAGEHDRSZ   16
#define PS_ZERO_FLAGS       10
#define PS_ZERO_LOWER       12
#define PS_ZERO_UPPER       14
#define PS_ZERO_PAGES       12

#define PS_ZERO_BRANCH      0x01
#define PS_ZERO_LEAF        0x02
#define PS_ZERO_OVERFLOW    0x04
#define PS_ZERO_UNUSUAL     0x60    /* LEAF2, SUBP: dupsort, never here */

/* LMDB's FREE_DBI and MAIN_DBI */
#define PS_ZERO_FREE_DBI    0
#define PS_ZERO_MAIN_DBI    1


typedef struct {
    const char               *path;
    unsigned char            *map;       /* the file, read-write */
    size_t                    size;
    size_t                    psize;
    uint64_t                  npages;
    unsigned char            *free;      /* a bit per page */
    ngx_http_profile_file_t   f;         /* LMDB's view, read-only */
    ps_zero_info_t           *info;
} ps_zero_t;


static int ps_zero_freelist(ps_zero_t *z);
static int ps_zero_pages(ps_zero_t *z);
static int ps_zero_tails(ps_zero_t *z);
static int ps_zero_tails_of(ps_zero_t *z, MDB_dbi dbi, const char *name);
static void ps_zero_clear(unsigned char *p, size_t n, uint64_t *count);
static unsigned ps_zero_u16(const unsigned char *p);
static uint64_t ps_zero_pgno_of(const unsigned char *page, size_t psize);


int
ps_zero_unused(const char *path, ps_zero_info_t *info)
{
    int          fd, rc;
    char         err[NGX_HTTP_PROFILE_FILE_ERRSTR];
    ps_zero_t    z;
    struct stat  st;

    memset(&z, 0, sizeof(ps_zero_t));
    memset(info, 0, sizeof(ps_zero_info_t));
    z.path = path;
    z.info = info;
    rc = -1;

    if (ngx_http_profile_file_open(&z.f, path, NGX_HTTP_PROFILE_MAX_DBS, err)
        != NGX_HTTP_PROFILE_FILE_OK)
    {
        ps_error("%s%s", path, err);
        goto done;
    }

    fd = open(path, O_RDWR);

    if (fd == -1 || fstat(fd, &st) != 0) {
        ps_error("%s: open() failed: %s", path, strerror(errno));

        if (fd != -1) {
            close(fd);
        }

        goto done;
    }

    z.psize = z.f.psize;
    z.size = (size_t) st.st_size;
    z.npages = z.size / z.psize;

    if (z.size % z.psize != 0 || z.npages != z.f.last_pgno + 1) {
        close(fd);
        ps_error("%s: %zu bytes are not LMDB's %llu pages of %zu bytes",
                 path, z.size, (unsigned long long) (z.f.last_pgno + 1),
                 z.psize);
        goto done;
    }

    /* the pages are in the page cache: fault them in at once */

    z.map = mmap(NULL, z.size, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_POPULATE, fd, 0);
    close(fd);

    if (z.map == MAP_FAILED) {
        z.map = NULL;
        ps_error("%s: mmap() failed: %s", path, strerror(errno));
        goto done;
    }

    z.free = calloc(1, (size_t) (z.npages + 7) / 8);
    if (z.free == NULL) {
        ps_error("out of memory");
        goto done;
    }

    /* the tails first: they are found through LMDB, before any change */

    if (ps_zero_freelist(&z) == 0
        && ps_zero_tails(&z) == 0
        && ps_zero_pages(&z) == 0)
    {
        rc = 0;
    }

done:

    ngx_http_profile_file_close(&z.f);

    if (z.map != NULL) {
        munmap(z.map, z.size);
    }

    free(z.free);

    return rc;
}


/* the pages on LMDB's freelist: lists of page numbers, count first */

static int
ps_zero_freelist(ps_zero_t *z)
{
    int          rc;
    size_t       n, i, pg;
    MDB_val      key, val;
    MDB_cursor  *c;

    rc = mdb_cursor_open(z->f.txn, PS_ZERO_FREE_DBI, &c);
    if (rc != 0) {
        ps_error("%s: reading the freelist failed (%d: %s)", z->path, rc,
                 mdb_strerror(rc));
        return -1;
    }

    for (rc = mdb_cursor_get(c, &key, &val, MDB_FIRST);
         rc == 0;
         rc = mdb_cursor_get(c, &key, &val, MDB_NEXT))
    {
        if (!ngx_http_profile_file_inside(&z->f, val.mv_data, val.mv_size)
            || val.mv_size < sizeof(size_t))
        {
            rc = MDB_CORRUPTED;
            break;
        }

        memcpy(&n, val.mv_data, sizeof(size_t));

        if (n > val.mv_size / sizeof(size_t) - 1) {
            rc = MDB_CORRUPTED;
            break;
        }

        for (i = 1; i <= n; i++) {
            memcpy(&pg, (const unsigned char *) val.mv_data
                        + i * sizeof(size_t), sizeof(size_t));

            if (pg < 2 || pg >= z->npages) {
                rc = MDB_CORRUPTED;
                break;
            }

            z->free[pg >> 3] |= (unsigned char) (1 << (pg & 7));
        }

        if (rc != 0) {
            break;
        }
    }

    mdb_cursor_close(c);

    if (rc != MDB_NOTFOUND) {
        ps_error("%s: reading the freelist failed (%d: %s)", z->path, rc,
                 mdb_strerror(rc));
        return -1;
    }

    return 0;
}


/*
 * Every value of every database that lies in overflow pages: zero what
 * follows it in its last page.  A value is in overflow pages when it
 * starts right after the header of a page whose flags say so.
 */

static int
ps_zero_tails(ps_zero_t *z)
{
    int          rc;
    char         name[256];
    MDB_dbi      dbi;
    MDB_val      key, val;
    MDB_cursor  *c;

    /* the main database holds the named databases' records */

    if (ps_zero_tails_of(z, PS_ZERO_MAIN_DBI, "main") != 0) {
        return -1;
    }

    rc = mdb_cursor_open(z->f.txn, PS_ZERO_MAIN_DBI, &c);
    if (rc != 0) {
        goto failed;
    }

    for (rc = mdb_cursor_get(c, &key, &val, MDB_FIRST);
         rc == 0;
         rc = mdb_cursor_get(c, &key, &val, MDB_NEXT))
    {
        if (key.mv_size == 0 || key.mv_size >= sizeof(name)
            || !ngx_http_profile_file_inside(&z->f, key.mv_data,
                                             key.mv_size))
        {
            rc = MDB_CORRUPTED;
            break;
        }

        memcpy(name, key.mv_data, key.mv_size);
        name[key.mv_size] = '\0';

        rc = mdb_dbi_open(z->f.txn, name, 0, &dbi);
        if (rc != 0) {
            break;
        }

        if (ps_zero_tails_of(z, dbi, name) != 0) {
            mdb_cursor_close(c);
            return -1;
        }
    }

    mdb_cursor_close(c);

    if (rc == MDB_NOTFOUND) {
        return 0;
    }

failed:

    ps_error("%s: reading the databases failed (%d: %s)", z->path, rc,
             mdb_strerror(rc));
    return -1;
}


static int
ps_zero_tails_of(ps_zero_t *z, MDB_dbi dbi, const char *name)
{
    int                   rc;
    size_t                end;
    MDB_val               key, val;
    uint32_t              pages;
    uint64_t              off;
    MDB_cursor           *c;
    const unsigned char  *page;

    rc = mdb_cursor_open(z->f.txn, dbi, &c);

    for (rc = (rc == 0) ? mdb_cursor_get(c, &key, &val, MDB_FIRST) : rc;
         rc == 0;
         rc = mdb_cursor_get(c, &key, &val, MDB_NEXT))
    {
        if (!ngx_http_profile_file_inside(&z->f, val.mv_data, val.mv_size)) {
            rc = MDB_CORRUPTED;
            break;
        }

        off = ngx_http_profile_file_offset(&z->f, &val);

        if (off % z->psize != PS_ZERO_PAGEHDRSZ) {
            continue;
        }

        page = z->map + (off - PS_ZERO_PAGEHDRSZ);

        if (!(ps_zero_u16(page + PS_ZERO_FLAGS) & PS_ZERO_OVERFLOW)
            || ps_zero_pgno_of(page, z->psize)
               != (off - PS_ZERO_PAGEHDRSZ) / z->psize)
        {
            continue;
        }

        memcpy(&pages, page + PS_ZERO_PAGES, sizeof(uint32_t));
        end = (size_t) (off - PS_ZERO_PAGEHDRSZ) + (size_t) pages * z->psize;

        if (end > z->size || off + val.mv_size > end) {
            rc = MDB_CORRUPTED;
            break;
        }

        ps_zero_clear(z->map + off + val.mv_size, end - off - val.mv_size,
                      &z->info->tail_bytes);
    }

    mdb_cursor_close(c);

    if (rc != MDB_NOTFOUND) {
        ps_error("%s: reading database \"%s\" failed (%d: %s)", z->path,
                 name, rc, mdb_strerror(rc));
        return -1;
    }

    return 0;
}


/*
 * Page by page after the two meta pages: a free page is cleared whole,
 * an overflow value's pages are skipped (its tail is done), the free gap
 * of a branch or leaf page is cleared.
 */

static int
ps_zero_pages(ps_zero_t *z)
{
    unsigned        flags, lower, upper;
    uint32_t        n;
    uint64_t        p, n64;
    unsigned char  *page;

    n64 = 0;

    for (p = 2; p < z->npages; /* void */) {
        page = z->map + p * z->psize;

        if (z->free[p >> 3] & (1 << (p & 7))) {
            ps_zero_clear(page, z->psize, &n64);
            z->info->free_pages++;
            p++;
            continue;
        }

        if (ps_zero_pgno_of(page, z->psize) != p) {
            ps_error("%s: page %llu holds the header of page %llu (an LMDB "
                     "page layout this build does not know)", z->path,
                     (unsigned long long) p,
                     (unsigned long long) ps_zero_pgno_of(page, z->psize));
            return -1;
        }

        flags = ps_zero_u16(page + PS_ZERO_FLAGS);

        if (flags & PS_ZERO_OVERFLOW) {
            memcpy(&n, page + PS_ZERO_PAGES, sizeof(uint32_t));
            p += (n > 0) ? n : 1;
            continue;
        }

        if ((flags & (PS_ZERO_BRANCH | PS_ZERO_LEAF))
            && !(flags & PS_ZERO_UNUSUAL))
        {
            lower = ps_zero_u16(page + PS_ZERO_LOWER);
            upper = ps_zero_u16(page + PS_ZERO_UPPER);

            if (lower < PS_ZERO_PAGEHDRSZ || lower > upper
                || upper > z->psize)
            {
                ps_error("%s: page %llu has a free gap of [%u, %u)", z->path,
                         (unsigned long long) p, lower, upper);
                return -1;
            }

            ps_zero_clear(page + lower, upper - lower, &z->info->gap_bytes);
        }

        p++;
    }

    return 0;
}


/*
 * Clear p[0 .. n - 1] if any byte is not zero, adding n to *count: a
 * page already clean (most are: new pages start zeroed) is only read,
 * not written again.
 */

static void
ps_zero_clear(unsigned char *p, size_t n, uint64_t *count)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (p[i] != 0) {
            memset(p + i, 0, n - i);
            *count += n;
            return;
        }
    }
}


static unsigned
ps_zero_u16(const unsigned char *p)
{
    uint16_t  v;

    memcpy(&v, p, sizeof(uint16_t));

    return v;
}


/* the number a page's header gives itself (ngx_http_profile_file_page()) */

static uint64_t
ps_zero_pgno_of(const unsigned char *page, size_t psize)
{
    uint64_t  pgno;

    (void) ngx_http_profile_file_page(page, psize, &pgno);

    return pgno;
}
