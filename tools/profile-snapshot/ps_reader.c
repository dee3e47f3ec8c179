
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
static int ps_reader_decimal(MDB_val *v, uint64_t *n);


int
ps_reader_open(ps_reader_t *r, const char *path)
{
    int          rc;
    char         err[NGX_HTTP_PROFILE_FILE_ERRSTR];
    struct stat  st;

    memset(r, 0, sizeof(ps_reader_t));
    r->path = path;
    r->file.fd = -1;

    /* LMDB would create a missing file even read-only: check first */
    if (stat(path, &st) != 0) {
        ps_error("%s: %s", path, strerror(errno));
        return PS_EXIT_IO;
    }

    rc = ngx_http_profile_file_open(&r->file, path, NGX_HTTP_PROFILE_MAX_DBS,
                                    err);
    if (rc != NGX_HTTP_PROFILE_FILE_OK) {
        ps_error("%s%s", path, err);
        return (rc == NGX_HTTP_PROFILE_FILE_IO) ? PS_EXIT_IO
                                                : PS_EXIT_CORRUPT;
    }

    rc = mdb_dbi_open(r->file.txn, NGX_HTTP_PROFILE_DB_META, 0, &r->meta);

    if (rc == 0) {
        rc = mdb_dbi_open(r->file.txn, NGX_HTTP_PROFILE_DB_PROFILES, 0,
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
ps_reader_check_index(ps_reader_t *r)
{
    char  err[NGX_HTTP_PROFILE_FILE_ERRSTR];

    if (!ngx_http_profile_file_index_check(&r->file, r->profiles, &r->index,
                                           r->count, err))
    {
        ps_error("%s: meta \"index\"%s", r->path, err);
        return PS_EXIT_CORRUPT;
    }

    return 0;
}


int
ps_reader_meta(ps_reader_t *r, const char *key, MDB_val *val)
{
    return ngx_http_profile_file_get(&r->file, r->meta, key, strlen(key),
                                     val);
}


void
ps_reader_close(ps_reader_t *r)
{
    ngx_http_profile_file_close(&r->file);

    free(r->fields);
    r->fields = NULL;
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
    return ngx_http_profile_index_find(&r->index, r->file.map, r->file.size,
                                       id, len, rec, slot, NULL);
}
