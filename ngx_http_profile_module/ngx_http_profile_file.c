
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Opening a snapshot file safely (see ngx_http_profile_file.h).  Plain
 * C and POSIX: compiled into the module and into profile-snapshot.
 */


#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "ngx_http_profile_file.h"


static int ngx_http_profile_file_found(ngx_http_profile_file_t *f,
    MDB_cursor *c, const ngx_http_profile_index_t *idx, MDB_cursor_op op,
    MDB_val *at, char *err);
static int64_t ngx_http_profile_file_mtime(const struct stat *st);


#define ngx_http_profile_file_err(err, ...)                                  \
    snprintf(err, NGX_HTTP_PROFILE_FILE_ERRSTR, __VA_ARGS__)


int
ngx_http_profile_file_open(ngx_http_profile_file_t *f, const char *path,
    unsigned maxdbs, char *err)
{
    int           rc;
    uint64_t      need;
    struct stat   st;
    MDB_stat      ms;
    MDB_envinfo   info;

    memset(f, 0, sizeof(ngx_http_profile_file_t));
    f->fd = -1;
    err[0] = '\0';

    /*
     * mdb_env_open() on a FIFO or a device could block for ever, and on
     * an empty file fails with a misleading errno; a missing file is
     * left to mdb_env_open() to report.
     */

    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            ngx_http_profile_file_err(err, " is not a regular file");
            return NGX_HTTP_PROFILE_FILE_BAD;
        }

        if (st.st_size == 0) {
            ngx_http_profile_file_err(err, " is empty");
            return NGX_HTTP_PROFILE_FILE_BAD;
        }
    }

    rc = mdb_env_create(&f->env);
    if (rc != 0) {
        f->env = NULL;
        ngx_http_profile_file_err(err, ": mdb_env_create() failed (%d: %s)",
                                  rc, mdb_strerror(rc));
        return NGX_HTTP_PROFILE_FILE_IO;
    }

    rc = mdb_env_set_maxdbs(f->env, maxdbs);
    if (rc != 0) {
        ngx_http_profile_file_err(err,
                                  ": mdb_env_set_maxdbs() failed (%d: %s)",
                                  rc, mdb_strerror(rc));
        return NGX_HTTP_PROFILE_FILE_IO;
    }

    /*
     * No lock file: a published snapshot is never written again, so
     * readers need no reader table.  mdb_env_open() reads the two meta
     * pages with pread() and maps the file; it reads no other page.
     */

    rc = mdb_env_open(f->env, path, MDB_RDONLY|MDB_NOLOCK|MDB_NOSUBDIR, 0);
    if (rc != 0) {
        ngx_http_profile_file_err(err, "%s: mdb_env_open() failed (%d: %s)",
                                  rc == MDB_INVALID
                                  ? " is not a profile snapshot" : "",
                                  rc, mdb_strerror(rc));
        return rc > 0 ? NGX_HTTP_PROFILE_FILE_IO : NGX_HTTP_PROFILE_FILE_BAD;
    }

    rc = mdb_env_get_fd(f->env, &f->fd);
    if (rc != 0) {
        ngx_http_profile_file_err(err, ": mdb_env_get_fd() failed (%d: %s)",
                                  rc, mdb_strerror(rc));
        return NGX_HTTP_PROFILE_FILE_IO;
    }

    /* the file LMDB opened: the path may name another one by now */

    if (fstat(f->fd, &st) != 0) {
        rc = errno;
        ngx_http_profile_file_err(err, ": fstat() failed (%d: %s)",
                                  rc, strerror(rc));
        return NGX_HTTP_PROFILE_FILE_IO;
    }

    if (!S_ISREG(st.st_mode)) {
        ngx_http_profile_file_err(err, " is not a regular file");
        return NGX_HTTP_PROFILE_FILE_BAD;
    }

    f->file_size = (uint64_t) st.st_size;
    f->dev = (uint64_t) st.st_dev;
    f->ino = (uint64_t) st.st_ino;
    f->mtime = ngx_http_profile_file_mtime(&st);

    rc = mdb_env_info(f->env, &info);

    if (rc == 0) {
        rc = mdb_env_stat(f->env, &ms);
    }

    if (rc != 0) {
        ngx_http_profile_file_err(err, ": mdb_env_info() failed (%d: %s)",
                                  rc, mdb_strerror(rc));
        return NGX_HTTP_PROFILE_FILE_IO;
    }

    /*
     * Every page LMDB may read is below its last page: the file must
     * hold them all.  The page size is the file's own (from its meta
     * page), which mdb_env_open() has checked.
     */

    need = ((uint64_t) info.me_last_pgno + 1) * ms.ms_psize;

    if (need > f->file_size) {
        ngx_http_profile_file_err(err, " is truncated: the file has %llu "
                                  "bytes, LMDB's last page (%llu, of %u "
                                  "bytes) ends at byte %llu",
                                  (unsigned long long) f->file_size,
                                  (unsigned long long) info.me_last_pgno,
                                  ms.ms_psize, (unsigned long long) need);
        return NGX_HTTP_PROFILE_FILE_BAD;
    }

    f->last_pgno = info.me_last_pgno;
    f->psize = ms.ms_psize;

    /*
     * LMDB's pages must be aligned in its map for the page holding a
     * value to be found (ngx_http_profile_file_inside()): the map is
     * aligned to the machine's pages.
     */

    if (f->psize == 0 || sysconf(_SC_PAGESIZE) % f->psize != 0) {
        ngx_http_profile_file_err(err, " has LMDB pages of %u bytes, "
                                  "which do not divide this machine's "
                                  "pages of %ld bytes", f->psize,
                                  sysconf(_SC_PAGESIZE));
        return NGX_HTTP_PROFILE_FILE_BAD;
    }

    /* our own map, of the file LMDB opened (its descriptor) */

    f->map = mmap(NULL, (size_t) f->file_size, PROT_READ, MAP_SHARED, f->fd,
                  0);
    if (f->map == MAP_FAILED) {
        f->map = NULL;
        rc = errno;
        ngx_http_profile_file_err(err, ": mmap() failed (%d: %s)",
                                  rc, strerror(rc));
        return NGX_HTTP_PROFILE_FILE_IO;
    }

    f->size = (size_t) f->file_size;

    rc = mdb_txn_begin(f->env, NULL, MDB_RDONLY, &f->txn);
    if (rc != 0) {
        f->txn = NULL;
        ngx_http_profile_file_err(err, ": mdb_txn_begin() failed (%d: %s)",
                                  rc, mdb_strerror(rc));
        return NGX_HTTP_PROFILE_FILE_IO;
    }

    return NGX_HTTP_PROFILE_FILE_OK;
}


int
ngx_http_profile_file_unchanged(ngx_http_profile_file_t *f, char *err)
{
    int          e;
    struct stat  st;

    if (fstat(f->fd, &st) != 0) {
        e = errno;
        ngx_http_profile_file_err(err, ": fstat() failed (%d: %s)",
                                  e, strerror(e));
        return 0;
    }

    if ((uint64_t) st.st_size != f->file_size) {
        ngx_http_profile_file_err(err, " was changed in place: it has %llu "
                                  "bytes, it had %llu when it was opened",
                                  (unsigned long long) st.st_size,
                                  (unsigned long long) f->file_size);
        return 0;
    }

    if (ngx_http_profile_file_mtime(&st) != f->mtime) {
        ngx_http_profile_file_err(err, " was changed in place: its "
                                  "modification time is not the one it had "
                                  "when it was opened");
        return 0;
    }

    return 1;
}


int
ngx_http_profile_file_get(ngx_http_profile_file_t *f, MDB_dbi dbi,
    const void *key, size_t len, MDB_val *val)
{
    int      rc;
    MDB_val  k;

    k.mv_size = len;
    k.mv_data = (void *) key;

    rc = mdb_get(f->txn, dbi, &k, val);
    if (rc != 0) {
        return rc;
    }

    if (!ngx_http_profile_file_inside(f, val->mv_data, val->mv_size)) {
        return MDB_CORRUPTED;
    }

    return 0;
}


int
ngx_http_profile_file_index_check(ngx_http_profile_file_t *f, MDB_dbi dbi,
    const ngx_http_profile_index_t *idx, uint64_t count, char *err)
{
    int                   rc, ok;
    size_t                len;
    MDB_val               key;
    uint32_t              size, tag;
    uint64_t              nslots, n, k, i, start, end, off, used;
    MDB_cursor           *c;

    if (count == 0) {
        return 1;
    }

    rc = mdb_cursor_open(f->txn, dbi, &c);
    if (rc != 0) {
        ngx_http_profile_file_err(err, ": mdb_cursor_open() failed (%d: %s)",
                                  rc, mdb_strerror(rc));
        return 0;
    }

    ok = 1;

    /*
     * One used slot from each of n stretches of the table (a scan of at
     * most the whole table once, usually of a few slots a stretch): its
     * offset must lie inside the file, and the id its record holds picks
     * a record of LMDB's (the first at or after it), which must be found
     * through the index.  Only LMDB's records are checked: a damaged
     * record is the request path's to refuse, not a reason to refuse
     * the whole file.
     */

    nslots = idx->mask + 1;
    n = count < NGX_HTTP_PROFILE_FILE_SAMPLE ? count
                                             : NGX_HTTP_PROFILE_FILE_SAMPLE;
    used = 0;

    for (k = 0; ok && k < n; k++) {
        start = k * (nslots / n);
        end = (k == n - 1) ? nslots : (k + 1) * (nslots / n);
        off = 0;

        for (i = start; i < end; i++) {
            off = ngx_http_profile_slot_decode(
                      ngx_http_profile_index_slot(idx, i), &size, &tag);

            if (off != 0) {
                break;
            }
        }

        if (off == 0) {
            continue;
        }

        used++;

        if (off > f->size || size > f->size - off) {
            ngx_http_profile_file_err(err, " does not match the records: "
                                      "slot %llu points outside the file",
                                      (unsigned long long) i);
            ok = 0;
            break;
        }

        len = (size > NGX_HTTP_PROFILE_REC_ID_LEN)
              ? f->map[off + NGX_HTTP_PROFILE_REC_ID_LEN] : 0;

        if (len == 0 || NGX_HTTP_PROFILE_REC_ID + len > size) {
            continue;
        }

        key.mv_size = len;
        key.mv_data = (void *) (f->map + off + NGX_HTTP_PROFILE_REC_ID);

        ok = ngx_http_profile_file_found(f, c, idx, MDB_SET_RANGE, &key,
                                         err);
    }

    ok = ok && ngx_http_profile_file_found(f, c, idx, MDB_FIRST, NULL, err)
         && ngx_http_profile_file_found(f, c, idx, MDB_LAST, NULL, err);

    mdb_cursor_close(c);

    if (ok && used == 0) {
        ngx_http_profile_file_err(err, " has no used slot, but meta "
                                  "\"record_count\" is %llu",
                                  (unsigned long long) count);
        return 0;
    }

    return ok;
}


void
ngx_http_profile_file_close(ngx_http_profile_file_t *f)
{
    if (f->txn != NULL) {
        mdb_txn_abort(f->txn);
        f->txn = NULL;
    }

    if (f->env != NULL) {
        mdb_env_close(f->env);
        f->env = NULL;
    }

    if (f->map != NULL) {
        munmap((void *) f->map, f->size);
        f->map = NULL;
    }

    f->fd = -1;
}


int
ngx_http_profile_file_inside(ngx_http_profile_file_t *f, const void *data,
    size_t size)
{
    uint64_t   pgno;
    uintptr_t  p, page, base;

    /*
     * The page holding data: LMDB has read it, so it lies inside the
     * file (every page number LMDB follows is checked against its last
     * page, and the file holds that page).  A page starts with its own
     * page number (MDB_page, lmdb's mdb.c; the same in every 0.9
     * release): where the map starts follows.
     */

    p = (uintptr_t) data;
    page = (uintptr_t) ngx_http_profile_file_page(data, f->psize, &pgno);

    if (pgno > f->last_pgno
        || page < (uintptr_t) pgno * f->psize)
    {
        return 0;
    }

    base = page - (uintptr_t) pgno * f->psize;

    if (f->base == 0) {
        f->base = base;

    } else if (base != f->base) {
        return 0;
    }

    return p - base <= f->size && size <= f->size - (p - base);
}


/*
 * The record of LMDB's that the cursor op (with *key for MDB_SET_RANGE)
 * reaches must be found through the index: a slot within max_probe of
 * its id's home slot, with its id's tag, naming exactly the bytes LMDB
 * holds (offset and size).  The record's own bytes are not read.
 */

static int
ngx_http_profile_file_found(ngx_http_profile_file_t *f, MDB_cursor *c,
    const ngx_http_profile_index_t *idx, MDB_cursor_op op, MDB_val *at,
    char *err)
{
    int                        rc;
    MDB_val                    key, val;
    uint32_t                   size;
    uint64_t                   off, at_off;
    ngx_http_profile_probe_t   pr;

    if (at != NULL) {
        key = *at;
    }

    rc = mdb_cursor_get(c, &key, &val, op);

    if (rc == MDB_NOTFOUND && op == MDB_SET_RANGE) {
        return 1;
    }

    if (rc == 0
        && (!ngx_http_profile_file_inside(f, key.mv_data, key.mv_size)
            || !ngx_http_profile_file_inside(f, val.mv_data, val.mv_size)))
    {
        rc = MDB_CORRUPTED;
    }

    if (rc != 0) {
        ngx_http_profile_file_err(err, ": reading the \"profiles\" database "
                                  "failed (%d: %s)", rc, mdb_strerror(rc));
        return 0;
    }

    if (!ngx_http_profile_id_valid(key.mv_data, key.mv_size)) {
        ngx_http_profile_file_err(err, " does not match the records: the "
                                  "\"profiles\" database holds a key that "
                                  "is not a valid id");
        return 0;
    }

    off = ngx_http_profile_file_offset(f, &val);

    ngx_http_profile_probe_start(&pr, idx, key.mv_data, key.mv_size);

    while (ngx_http_profile_probe_next(&pr, &at_off, &size)) {
        if (at_off == off && size == val.mv_size) {
            return 1;
        }
    }

    ngx_http_profile_file_err(err, " does not match the records: \"%.*s\", "
                              "which LMDB holds at byte %llu, is not found "
                              "there through it (a stale index, or another "
                              "file's)", (int) key.mv_size,
                              (char *) key.mv_data, (unsigned long long) off);
    return 0;
}


static int64_t
ngx_http_profile_file_mtime(const struct stat *st)
{
    return (int64_t) st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}
