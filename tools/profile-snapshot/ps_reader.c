
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_reader.h"


static int ps_reader_header(ps_reader_t *r);
static int ps_reader_map(ps_reader_t *r);
static int ps_reader_decimal(MDB_val *v, uint64_t *n);


int
ps_reader_open(ps_reader_t *r, const char *path)
{
    int          rc;
    struct stat  st;

    memset(r, 0, sizeof(ps_reader_t));
    r->path = path;

    /* LMDB would create a missing file even read-only: check first */
    if (stat(path, &st) != 0) {
        ps_error("%s: %s", path, strerror(errno));
        return PS_EXIT_IO;
    }

    if (!S_ISREG(st.st_mode)) {
        ps_error("%s: not a regular file", path);
        return PS_EXIT_IO;
    }

    rc = mdb_env_create(&r->env);

    if (rc == 0) {
        mdb_env_set_maxdbs(r->env, NGX_HTTP_PROFILE_MAX_DBS);
        rc = mdb_env_open(r->env, path,
                          MDB_RDONLY | MDB_NOLOCK | MDB_NOSUBDIR, 0);
    }

    if (rc != 0) {
        ps_error("%s: mdb_env_open() failed (%d: %s)", path, rc,
                 mdb_strerror(rc));
        return (rc == EACCES || rc == ENOENT) ? PS_EXIT_IO
                                              : PS_EXIT_CORRUPT;
    }

    rc = mdb_txn_begin(r->env, NULL, MDB_RDONLY, &r->txn);
    if (rc != 0) {
        r->txn = NULL;
        ps_error("%s: mdb_txn_begin() failed (%d: %s)", path, rc,
                 mdb_strerror(rc));
        return PS_EXIT_CORRUPT;
    }

    rc = mdb_dbi_open(r->txn, NGX_HTTP_PROFILE_DB_META, 0, &r->meta);

    if (rc == 0) {
        rc = mdb_dbi_open(r->txn, NGX_HTTP_PROFILE_DB_PROFILES, 0,
                          &r->profiles);
    }

    if (rc != 0) {
        ps_error("%s: not a profile snapshot: mdb_dbi_open() failed "
                 "(%d: %s)", path, rc, mdb_strerror(rc));
        return PS_EXIT_CORRUPT;
    }

    return ps_reader_header(r);
}


int
ps_reader_meta(ps_reader_t *r, const char *key, MDB_val *val)
{
    MDB_val  k;

    k.mv_data = (void *) key;
    k.mv_size = strlen(key);

    return mdb_get(r->txn, r->meta, &k, val);
}


void
ps_reader_close(ps_reader_t *r)
{
    if (r->txn != NULL) {
        mdb_txn_abort(r->txn);
        r->txn = NULL;
    }

    if (r->env != NULL) {
        mdb_env_close(r->env);
        r->env = NULL;
    }

    free(r->fields);
    r->fields = NULL;

    if (r->map != NULL) {
        munmap((void *) r->map, r->map_size);
        r->map = NULL;
    }
}


static int
ps_reader_header(ps_reader_t *r)
{
    int       rc;
    unsigned  n;
    MDB_val   v;

    if (ps_reader_meta(r, NGX_HTTP_PROFILE_META_FORMAT, &v) != 0
        || v.mv_size != sizeof(NGX_HTTP_PROFILE_FORMAT_NAME) - 1
        || memcmp(v.mv_data, NGX_HTTP_PROFILE_FORMAT_NAME, v.mv_size) != 0)
    {
        ps_error("%s: not a profile snapshot (meta \"format\" is missing "
                 "or wrong)", r->path);
        return PS_EXIT_CORRUPT;
    }

    if (ps_reader_meta(r, NGX_HTTP_PROFILE_META_VERSION, &v) != 0) {
        ps_error("%s: meta \"format_version\" is missing", r->path);
        return PS_EXIT_CORRUPT;
    }

    if (v.mv_size != 1
        || *(char *) v.mv_data != '0' + NGX_HTTP_PROFILE_FORMAT_VERSION)
    {
        ps_error("%s: format_version %.*s is not supported (this build "
                 "reads %d): rebuild the snapshot", r->path,
                 v.mv_size <= 20 ? (int) v.mv_size : 20,
                 (char *) v.mv_data, NGX_HTTP_PROFILE_FORMAT_VERSION);
        return PS_EXIT_CORRUPT;
    }

    if (ps_reader_meta(r, NGX_HTTP_PROFILE_META_CLASSES, &v) != 0) {
        ps_error("%s: meta \"classes\" is missing", r->path);
        return PS_EXIT_CORRUPT;
    }

    rc = ngx_http_profile_classes_parse(v.mv_data, v.mv_size, r->classes,
                                        &r->nclasses);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ps_error("%s: meta \"classes\" is invalid: %s", r->path,
                 ngx_http_profile_fmt_strerror(rc));
        return PS_EXIT_CORRUPT;
    }

    if (ps_reader_meta(r, NGX_HTTP_PROFILE_META_FIELDS, &v) != 0) {
        ps_error("%s: meta \"fields\" is missing", r->path);
        return PS_EXIT_CORRUPT;
    }

    rc = ngx_http_profile_fields_parse(v.mv_data, v.mv_size, r->nclasses,
                                       NULL, 0, &n);
    if (rc == NGX_HTTP_PROFILE_FMT_OK) {
        r->fields = ps_alloc(n * sizeof(ngx_http_profile_field_t));
        rc = ngx_http_profile_fields_parse(v.mv_data, v.mv_size,
                                           r->nclasses, r->fields, n,
                                           &r->nfields);
    }

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ps_error("%s: meta \"fields\" is invalid: %s", r->path,
                 ngx_http_profile_fmt_strerror(rc));
        return PS_EXIT_CORRUPT;
    }

    if (ps_reader_meta(r, NGX_HTTP_PROFILE_META_RECORD_COUNT, &v) != 0
        || ps_reader_decimal(&v, &r->count) != 0)
    {
        ps_error("%s: meta \"record_count\" is missing or invalid",
                 r->path);
        return PS_EXIT_CORRUPT;
    }

    if (ps_reader_meta(r, NGX_HTTP_PROFILE_META_INDEX, &v) != 0) {
        ps_error("%s: meta \"index\" is missing (profile-snapshot reindex "
                 "writes it)", r->path);
        return PS_EXIT_CORRUPT;
    }

    rc = ngx_http_profile_index_parse(&r->index, v.mv_data, v.mv_size,
                                      r->count);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ps_error("%s: meta \"index\" is invalid: %s", r->path,
                 ngx_http_profile_fmt_strerror(rc));
        return PS_EXIT_CORRUPT;
    }

    return ps_reader_map(r);
}


/* the file, mapped read-only: what the index's offsets point into */

static int
ps_reader_map(ps_reader_t *r)
{
    int          fd;
    void        *p;
    struct stat  st;

    fd = open(r->path, O_RDONLY);

    if (fd == -1 || fstat(fd, &st) != 0) {
        ps_error("%s: %s", r->path, strerror(errno));

        if (fd != -1) {
            close(fd);
        }

        return PS_EXIT_IO;
    }

    p = MAP_FAILED;

    if (st.st_size > 0) {
        p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    }

    close(fd);

    if (p == MAP_FAILED) {
        ps_error("%s: mmap() failed: %s", r->path, strerror(errno));
        return PS_EXIT_IO;
    }

    r->map = p;
    r->map_size = st.st_size;

    return 0;
}


static int
ps_reader_decimal(MDB_val *v, uint64_t *n)
{
    size_t         i;
    uint64_t       x;
    const char    *p;

    p = v->mv_data;
    x = 0;

    if (v->mv_size == 0 || v->mv_size > 19) {
        return -1;
    }

    for (i = 0; i < v->mv_size; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return -1;
        }

        x = x * 10 + (p[i] - '0');
    }

    *n = x;

    return 0;
}


int
ps_reader_find(ps_reader_t *r, const void *id, size_t len,
    ngx_http_profile_record_t *rec, uint64_t *slot)
{
    return ngx_http_profile_index_find(&r->index, r->map, r->map_size, id,
                                       len, rec, slot);
}
