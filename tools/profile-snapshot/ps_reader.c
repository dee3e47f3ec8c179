
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_reader.h"


static void *ps_reader_alloc(void *data, size_t size);


int
ps_reader_open(ps_reader_t *r, const char *path)
{
    int   rc;
    char  err[PS_READER_ERRSTR];

    rc = ps_reader_try(r, path, err);

    if (rc != 0) {
        ps_error("%s%s", path, err);
    }

    return rc;
}


int
ps_reader_try(ps_reader_t *r, const char *path, char *err)
{
    int          rc;
    struct stat  st;

    memset(r, 0, sizeof(ps_reader_t));
    r->path = path;
    r->file.fd = -1;

    /* LMDB would create a missing file even read-only: check first */
    if (stat(path, &st) != 0) {
        snprintf(err, PS_READER_ERRSTR, ": %s", strerror(errno));
        return PS_EXIT_IO;
    }

    rc = ngx_http_profile_file_open(&r->file, path, NGX_HTTP_PROFILE_MAX_DBS,
                                    err);
    if (rc != NGX_HTTP_PROFILE_FILE_OK) {
        return (rc == NGX_HTTP_PROFILE_FILE_IO) ? PS_EXIT_IO
                                                : PS_EXIT_CORRUPT;
    }

    r->meta_rc = ngx_http_profile_meta_check(&r->meta, &r->file,
                                             ps_reader_alloc, NULL, err);
    if (r->meta_rc != NGX_HTTP_PROFILE_META_RC_OK) {
        return PS_EXIT_CORRUPT;
    }

    return 0;
}


int
ps_reader_check_index(ps_reader_t *r)
{
    char                             err[NGX_HTTP_PROFILE_FILE_ERRSTR];
    unsigned                         i;
    ngx_http_profile_meta_source_t  *src;

    if (!ngx_http_profile_file_index_check(&r->file, r->meta.profiles,
                                           &r->meta.index,
                                           r->meta.record_count, err))
    {
        ps_error("%s: meta \"index\"%s", r->path, err);
        return PS_EXIT_CORRUPT;
    }

    /* each embedded source's keyed table, as the module checks it */

    for (i = 0; i < r->meta.nsources; i++) {
        src = &r->meta.sources[i];

        if (!ngx_http_profile_file_index_check(&r->file, src->dbi,
                                               &src->index,
                                               src->record_count, err))
        {
            ps_error("%s: meta \"%s%.*s\"%s", r->path,
                     NGX_HTTP_PROFILE_META_INDEX_SOURCE,
                     (int) src->name_len, src->name, err);
            return PS_EXIT_CORRUPT;
        }
    }

    return 0;
}


int
ps_reader_meta(ps_reader_t *r, const char *key, MDB_val *val)
{
    return ngx_http_profile_file_get(&r->file, r->meta.meta, key,
                                     strlen(key), val);
}


void
ps_reader_close(ps_reader_t *r)
{
    unsigned  i;

    ngx_http_profile_file_close(&r->file);

    free(r->meta.classes);
    free(r->meta.fields);
    free(r->meta.roles);
    free(r->meta.members);

    for (i = 0; i < NGX_HTTP_PROFILE_MAX_SOURCES; i++) {
        free(r->meta.sources[i].fields);
        free(r->meta.sources[i].members);
        r->meta.sources[i].fields = NULL;
        r->meta.sources[i].members = NULL;
    }

    r->meta.classes = NULL;
    r->meta.fields = NULL;
    r->meta.roles = NULL;
    r->meta.members = NULL;
}


/* the meta check's allocator: ps_alloc() (exits on failure) */

static void *
ps_reader_alloc(void *data, size_t size)
{
    (void) data;

    return ps_alloc(size);
}


int
ps_reader_find(ps_reader_t *r, const void *id, size_t len,
    ngx_http_profile_record_t *rec, uint64_t *slot)
{
    return ngx_http_profile_index_find(&r->meta.index, r->file.map,
                                       r->file.size, id, len, rec, slot,
                                       NULL);
}
