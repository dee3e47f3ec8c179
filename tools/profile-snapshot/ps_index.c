
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The id index: an open-addressing hash table (linear probing) from a
 * profile id to the offset and size of its record in the snapshot file,
 * so that the module finds a record with one hash and one or two memory
 * reads instead of a walk down the B-tree (docs/snapshot-format.md).
 *
 * The offsets are file offsets.  LMDB keeps the whole file mapped, page n
 * at n * page size from the start of its map, and a value it returns
 * points into that map: the start of the map is found once, from the
 * page number LMDB writes at the start of every page, and checked
 * against the file itself with pread() (on a sample of records here, on
 * every record by "verify").
 */


#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lmdb.h>

#include "ps.h"
#include "ps_index.h"
#include "ngx_http_profile_format.h"
#include "ngx_http_profile_file.h"


/* check one record in so many against the file, and the first and last */
#define PS_INDEX_CHECK_EVERY    4096
/* give back the mapped pages of the records read so far this often */
#define PS_INDEX_RELEASE_EVERY  4096
/* room for the pages a transaction copies besides the index */
#define PS_INDEX_SLACK          (1024 * 1024)


typedef struct {
    const char           *path;
    int                   fd;
    size_t                psize;
    const unsigned char  *base;     /* LMDB's map: file offset 0 */
    const unsigned char  *released; /* map pages given back up to here */
    const unsigned char  *idx_lo;   /* the index inside the map */
    const unsigned char  *idx_hi;
} ps_index_ctx_t;


static int ps_index_fill(ps_index_ctx_t *c, MDB_txn *txn, MDB_dbi profiles,
    unsigned char *idx, unsigned bits, uint64_t seed, ps_index_info_t *info);
static int ps_index_locate(ps_index_ctx_t *c, MDB_val *val, size_t used);
static int ps_index_check(ps_index_ctx_t *c, uint64_t off, MDB_val *val);
static void ps_index_release(ps_index_ctx_t *c, const unsigned char *upto);
static const unsigned char *ps_index_page(ps_index_ctx_t *c,
    const unsigned char *p);
static void ps_index_lmdb_err(const char *path, const char *call, int rc);


unsigned
ps_index_bits(uint64_t count)
{
    unsigned  bits;

    bits = 0;

    while (((uint64_t) 3 << bits) < count * 4) {
        bits++;
    }

    return bits;
}


uint64_t
ps_index_seed(const void *content_hash, size_t len)
{
    /*
     * Deterministic (the same content gives the same file), yet not
     * something a source of ids can aim at without knowing every record.
     */

    return ngx_http_profile_hash64(content_hash, len, 0x70726f66696c65ULL);
}


int
ps_index_write(const char *path, uint64_t seed, ps_index_info_t *info)
{
    return ps_index_write_table(path, NGX_HTTP_PROFILE_DB_PROFILES,
                                NGX_HTTP_PROFILE_META_INDEX, seed, info);
}


int
ps_index_write_table(const char *path, const char *db, const char *name,
    uint64_t seed, ps_index_info_t *info)
{
    int              rc;
    size_t           used, bytes;
    unsigned         bits;
    MDB_env         *env;
    MDB_txn         *txn;
    MDB_dbi          meta, profiles;
    MDB_val          key, val;
    MDB_stat         st;
    MDB_envinfo      ei;
    ps_index_ctx_t   c;

    memset(&c, 0, sizeof(ps_index_ctx_t));
    c.path = path;
    c.fd = -1;
    txn = NULL;

    rc = mdb_env_create(&env);
    if (rc != 0) {
        ps_index_lmdb_err(path, "mdb_env_create()", rc);
        return -1;
    }

    mdb_env_set_maxdbs(env, NGX_HTTP_PROFILE_MAX_DBS);

    /*
     * MDB_WRITEMAP: the index is written straight into the file's pages
     * (the page cache), not into a copy in the heap that would grow with
     * the number of records.
     */

    rc = mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK | MDB_WRITEMAP
                                 | MDB_NOSYNC | MDB_NOMETASYNC, 0644);
    if (rc != 0) {
        ps_index_lmdb_err(path, "mdb_env_open()", rc);
        goto failed;
    }

    rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);

    if (rc == 0) {
        rc = mdb_dbi_open(txn, db, 0, &profiles);
    }

    if (rc == 0) {
        rc = mdb_stat(txn, profiles, &st);
    }

    if (rc == 0) {
        rc = mdb_env_info(env, &ei);
    }

    if (txn != NULL) {
        mdb_txn_abort(txn);
        txn = NULL;
    }

    if (rc != 0) {
        ps_index_lmdb_err(path, "reading the records", rc);
        goto failed;
    }

    bits = ps_index_bits(st.ms_entries);

    if (bits > NGX_HTTP_PROFILE_INDEX_MAX_BITS) {
        ps_error("%s: too many records for the index (%zu)", path,
                 (size_t) st.ms_entries);
        goto failed;
    }

    bytes = NGX_HTTP_PROFILE_INDEX_HEADER_SIZE
            + ((size_t) 1 << bits) * NGX_HTTP_PROFILE_INDEX_SLOT_SIZE;

    c.psize = st.ms_psize;
    used = (ei.me_last_pgno + 1) * c.psize;

    rc = mdb_env_set_mapsize(env, used + 2 * bytes + PS_INDEX_SLACK);
    if (rc != 0) {
        ps_index_lmdb_err(path, "mdb_env_set_mapsize()", rc);
        goto failed;
    }

    c.fd = open(path, O_RDONLY);
    if (c.fd == -1) {
        ps_error("%s: open() failed: %s", path, strerror(errno));
        goto failed;
    }

    /* handles opened in the aborted transaction above are gone */

    rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc != 0) {
        txn = NULL;
        ps_index_lmdb_err(path, "mdb_txn_begin()", rc);
        goto failed;
    }

    rc = mdb_dbi_open(txn, db, 0, &profiles);

    if (rc == 0) {
        rc = mdb_dbi_open(txn, NGX_HTTP_PROFILE_DB_META, 0, &meta);
    }

    if (rc != 0) {
        ps_index_lmdb_err(path, "mdb_dbi_open()", rc);
        goto failed;
    }

    key.mv_data = (void *) name;
    key.mv_size = strlen(name);
    val.mv_size = bytes;

    rc = mdb_put(txn, meta, &key, &val, MDB_RESERVE);
    if (rc != 0) {
        ps_index_lmdb_err(path, "mdb_put(meta)", rc);
        goto failed;
    }

    c.idx_lo = val.mv_data;
    c.idx_hi = c.idx_lo + bytes;

    if (ps_index_fill(&c, txn, profiles, val.mv_data, bits, seed, info)
        != 0)
    {
        goto failed;
    }

    rc = mdb_txn_commit(txn);
    txn = NULL;

    if (rc == 0) {
        rc = mdb_env_info(env, &ei);
    }

    if (rc != 0) {
        ps_index_lmdb_err(path, "mdb_txn_commit()", rc);
        goto failed;
    }

    mdb_env_close(env);
    env = NULL;

    /* MDB_WRITEMAP made the file as large as the map: back to its pages */

    close(c.fd);
    c.fd = -1;

    if (truncate(path, (off_t) ((ei.me_last_pgno + 1) * c.psize)) != 0) {
        ps_error("%s: truncate() failed: %s", path, strerror(errno));
        return -1;
    }

    return 0;

failed:

    if (txn != NULL) {
        mdb_txn_abort(txn);
    }

    if (env != NULL) {
        mdb_env_close(env);
    }

    if (c.fd != -1) {
        close(c.fd);
    }

    return -1;
}


static int
ps_index_fill(ps_index_ctx_t *c, MDB_txn *txn, MDB_dbi profiles,
    unsigned char *idx, unsigned bits, uint64_t seed, ps_index_info_t *info)
{
    int                       rc;
    size_t                    used;
    uint32_t                  tag, n, size, t;
    uint64_t                  i, off, count;
    MDB_val                   key, val;
    MDB_cursor               *cur;
    MDB_envinfo               ei;
    unsigned char            *s;
    ngx_http_profile_index_t  x;

    memset(idx, 0, NGX_HTTP_PROFILE_INDEX_HEADER_SIZE
                   + ((size_t) 1 << bits) * NGX_HTTP_PROFILE_INDEX_SLOT_SIZE);

    x.seed = seed;
    x.bits = bits;
    x.mask = ((uint64_t) 1 << bits) - 1;
    x.max_probe = 0;

    rc = mdb_env_info(mdb_txn_env(txn), &ei);
    if (rc != 0) {
        ps_index_lmdb_err(c->path, "mdb_env_info()", rc);
        return -1;
    }

    used = ei.me_mapsize;

    rc = mdb_cursor_open(txn, profiles, &cur);
    if (rc != 0) {
        ps_index_lmdb_err(c->path, "mdb_cursor_open()", rc);
        return -1;
    }

    count = 0;

    for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
         rc == 0;
         rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT))
    {
        if (c->base == NULL && ps_index_locate(c, &val, used) != 0) {
            goto failed;
        }

        off = (const unsigned char *) val.mv_data - c->base;

        if (off == 0 || off > used || val.mv_size > used - off
            || val.mv_size > 0xffffffffUL)
        {
            ps_error("%s: record of id \"%.*s\" is outside the file",
                     c->path, (int) key.mv_size, (char *) key.mv_data);
            goto failed;
        }

        if ((count % PS_INDEX_CHECK_EVERY == 0)
            && ps_index_check(c, off, &val) != 0)
        {
            goto failed;
        }

        i = ngx_http_profile_index_home(&x, key.mv_data, key.mv_size, &tag);

        for (n = 1; /* void */; n++) {
            s = idx + NGX_HTTP_PROFILE_INDEX_HEADER_SIZE
                + i * NGX_HTTP_PROFILE_INDEX_SLOT_SIZE;

            if (ngx_http_profile_slot_decode(s, &size, &t) == 0) {
                break;
            }

            i = (i + 1) & x.mask;
        }

        ngx_http_profile_slot_encode(s, off, (uint32_t) val.mv_size, tag);

        if (n > x.max_probe) {
            x.max_probe = n;
        }

        count++;

        if (count % PS_INDEX_RELEASE_EVERY == 0) {
            ps_index_release(c, val.mv_data);
        }
    }

    if (rc != MDB_NOTFOUND) {
        ps_index_lmdb_err(c->path, "mdb_cursor_get()", rc);
        goto failed;
    }

    /* the last record too */

    if (count > 0
        && (mdb_cursor_get(cur, &key, &val, MDB_LAST) != 0
            || ps_index_check(c, (const unsigned char *) val.mv_data
                                 - c->base, &val)
               != 0))
    {
        goto failed;
    }

    mdb_cursor_close(cur);

    ps_index_release(c, c->base + used);

    ngx_http_profile_index_encode(idx, seed, bits, x.max_probe);

    info->records = count;
    info->nslots = (uint64_t) 1 << bits;
    info->max_probe = x.max_probe;

    return 0;

failed:

    mdb_cursor_close(cur);

    return -1;
}


/*
 * The start of LMDB's map, from the page that holds the first record:
 * the map is page aligned and every page begins with its page number.
 */

static int
ps_index_locate(ps_index_ctx_t *c, MDB_val *val, size_t used)
{
    uint64_t              pgno;
    const unsigned char  *p, *page;

    p = val->mv_data;
    page = ngx_http_profile_file_page(p, c->psize, &pgno);

    if (pgno == 0 || pgno > used / c->psize) {
        goto failed;
    }

    c->base = page - pgno * c->psize;
    c->released = c->base;

    if (ps_index_check(c, p - c->base, val) == 0) {
        return 0;
    }

failed:

    ps_error("%s: cannot locate the records in the file "
             "(an LMDB page layout this build does not know)", c->path);

    return -1;
}


/* the record's bytes at its offset in the file are the value's */

static int
ps_index_check(ps_index_ctx_t *c, uint64_t off, MDB_val *val)
{
    size_t          n;
    unsigned char   buf[256];

    n = val->mv_size < sizeof(buf) ? val->mv_size : sizeof(buf);

    if (pread(c->fd, buf, n, (off_t) off) != (ssize_t) n
        || memcmp(buf, val->mv_data, n) != 0)
    {
        ps_error("%s: the record at file offset %llu is not where LMDB "
                 "shows it", c->path, (unsigned long long) off);
        return -1;
    }

    return 0;
}


/*
 * Give back the mapping of the record pages read so far, so that the
 * process's resident memory does not grow with the file: the pages stay
 * in the page cache.  The index itself stays mapped while it is filled.
 */

static void
ps_index_release(ps_index_ctx_t *c, const unsigned char *upto)
{
    const unsigned char  *lo, *hi, *idx_lo, *idx_hi;

    lo = c->released;
    hi = ps_index_page(c, upto);

    if (hi <= lo) {
        return;
    }

    idx_lo = ps_index_page(c, c->idx_lo);
    idx_hi = ps_index_page(c, c->idx_hi + c->psize - 1);

    if (idx_lo < hi && idx_hi > lo) {

        /* around the index: the part below it, then the part above it */

        if (idx_lo > lo) {
            (void) madvise((void *) lo, idx_lo - lo, MADV_DONTNEED);
        }

        lo = idx_hi;
    }

    if (hi > lo) {
        (void) madvise((void *) lo, hi - lo, MADV_DONTNEED);
    }

    c->released = hi;
}


static void
ps_index_lmdb_err(const char *path, const char *call, int rc)
{
    ps_error("%s: %s failed (%d: %s)", path, call, rc, mdb_strerror(rc));
}


/* the start of the page that holds p (no byte of it is read) */

static const unsigned char *
ps_index_page(ps_index_ctx_t *c, const unsigned char *p)
{
    return (const unsigned char *) ((uintptr_t) p
                                    & ~((uintptr_t) c->psize - 1));
}
