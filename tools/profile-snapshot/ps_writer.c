
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_copy.h"
#include "ps_index.h"
#include "ps_meta.h"
#include "ps_publish.h"
#include "ps_signal.h"
#include "ps_writer.h"
#include "ps_zero.h"


int
ps_writer_open(ps_writer_t *w, const char *out, size_t mapsize)
{
    int          rc;
    size_t       n;
    char        *spool;
    const char  *slash, *base;

    memset(w, 0, sizeof(ps_writer_t));
    w->spool.fd = -1;
    w->sig[0] = -1;
    w->sig[1] = -1;
    w->sig[2] = -1;

    w->out = ps_strdup(out);

    slash = strrchr(out, '/');
    base = slash ? slash + 1 : out;

    if (*base == '\0') {
        ps_error("%s: --out must name a file", out);
        return -1;
    }

    w->dir = slash ? ps_strndup(out, slash - out + (slash == out)) :
                     ps_strdup(".");

    n = strlen(w->dir) + strlen(base) + 64;
    w->work = ps_alloc(n);
    w->work_lock = ps_alloc(n + 8);
    w->tmp = ps_alloc(n);
    spool = ps_alloc(n);

    snprintf(w->work, n, "%s/.%s.work.%ld", w->dir, base, (long) getpid());
    snprintf(w->work_lock, n + 8, "%s-lock", w->work);
    snprintf(w->tmp, n, "%s/.%s.tmp.%ld", w->dir, base, (long) getpid());
    snprintf(spool, n, "%s/.%s.spool.%ld", w->dir, base, (long) getpid());

    /* a stale scratch file of a crashed build with our pid */
    (void) unlink(w->work);
    (void) unlink(w->work_lock);
    (void) unlink(w->tmp);
    (void) unlink(spool);

    /* removed if a signal ends the build (ps_signal.c) */
    w->sig[0] = ps_signal_track(w->work);
    w->sig[1] = ps_signal_track(w->work_lock);
    w->sig[2] = ps_signal_track(w->tmp);

    rc = ps_spool_open(&w->spool, spool, w->out, w->work);
    free(spool);

    if (rc != 0) {
        return -1;
    }

    return ps_scratch_open(&w->scratch, w->work, mapsize);
}


unsigned char *
ps_writer_space(ps_writer_t *w, size_t len)
{
    return ps_spool_space(&w->spool, len);
}


int
ps_writer_put(ps_writer_t *w, const char *id, size_t len, size_t rec_len,
    const ps_seen_t *seen, ps_seen_t *prev)
{
    int       rc;
    uint64_t  off;

    if (rec_len > 0xffffffffUL) {
        ps_error("%s: a record of %zu bytes is too large", w->out, rec_len);
        return -1;
    }

    /* where the record goes once its id is known to be free */
    off = ps_spool_tail(&w->spool);

    rc = ps_scratch_seen_put(&w->scratch, id, len, seen,
                             seen->flags | PS_SEEN_STORED, off, rec_len,
                             prev);
    if (rc != 0) {
        return rc;
    }

    return ps_spool_append(&w->spool, off, rec_len);
}


int
ps_writer_del(ps_writer_t *w, const char *id, size_t len,
    const ps_seen_t *seen)
{
    /* the spooled record stays, unreferenced */
    return ps_scratch_seen_put(&w->scratch, id, len, seen,
                               seen->flags & ~PS_SEEN_STORED, 0, 0, NULL);
}


int
ps_writer_get(ps_writer_t *w, const char *id, size_t len, const void **rec,
    size_t *rec_len)
{
    int       rc;
    uint64_t  off;

    rc = ps_scratch_seen_get(&w->scratch, id, len, &off, rec_len);

    if (rc != 1) {
        return rc;
    }

    if (ps_spool_read(&w->spool, off, *rec_len, rec) != 0) {
        return -1;
    }

    return 1;
}


int
ps_writer_has(ps_writer_t *w, const char *id, size_t len)
{
    size_t    rec_len;
    uint64_t  off;

    return ps_scratch_seen_get(&w->scratch, id, len, &off, &rec_len);
}


int
ps_writer_aux(ps_writer_t *w, const char *name, MDB_dbi *dbi)
{
    return ps_scratch_aux(&w->scratch, name, dbi);
}


int
ps_writer_aux_put(ps_writer_t *w, MDB_dbi dbi, const void *key,
    size_t key_len, const void *val, size_t val_len)
{
    return ps_scratch_aux_put(&w->scratch, dbi, key, key_len, val, val_len);
}


int
ps_writer_aux_get(ps_writer_t *w, MDB_dbi dbi, const void *key,
    size_t key_len, const void **val, size_t *val_len)
{
    return ps_scratch_aux_get(&w->scratch, dbi, key, key_len, val, val_len);
}


int
ps_writer_aux_each(ps_writer_t *w, MDB_dbi dbi,
    int (*cb)(void *ctx, MDB_val *key, MDB_val *val), void *ctx)
{
    return ps_scratch_aux_each(&w->scratch, dbi, cb, ctx);
}


int
ps_writer_finish(ps_writer_t *w, ps_schema_t *s, const char *snapshot_id,
    time_t created)
{
    struct tm        tm;
    ps_copy_t        c;
    ps_meta_t        m;
    ps_zero_info_t   zero;
    uint64_t         bytes;
    unsigned         i;
    ps_index_info_t  info;
    char             db[NGX_HTTP_PROFILE_SOURCE_KEY_MAX];
    char             key[NGX_HTTP_PROFILE_SOURCE_KEY_MAX];

    if (ps_scratch_commit(&w->scratch) != 0) {
        return -1;
    }

    if (ps_spool_flush(&w->spool) != 0) {
        return -1;
    }

    if (gmtime_r(&created, &tm) == NULL) {
        ps_error("created_at: time out of range");
        return -1;
    }

    if (ps_copy_open(&c, w->tmp, s) != 0) {
        return -1;
    }

    /* the records, in key order, and the content hash */

    ps_signal_point("copy");

    if (ps_copy_records(&c, &w->scratch, &w->spool, s, w->relations,
                        w->content_hash, &w->count)
        != 0)
    {
        goto failed;
    }

    if (w->relations != NULL) {
        ps_signal_point("relations");

        (void) ps_relstore_count(w->relations, &bytes);

        if (ps_copy_room(&c, 2 * bytes + 65536, 0) != 0
            || ps_relstore_write(w->relations, c.env, w->tmp) != 0)
        {
            goto failed;
        }
    }

    ps_meta_names(&tm, snapshot_id, w->content_hash, w->created_at,
                  w->snapshot_id);

    /*
     * Exactly the pages in use and room for the metadata: the map size
     * the meta page records then depends on the live records only, not
     * on the superseded ones the copy's reservations saw (the longest
     * record spooled).
     */
    if (ps_copy_room(&c, 2 * (s->canonical.len + s->fields_bin.len
                              + s->classes_bin.len + s->roles_bin.len
                              + s->states_bin.len + s->members_bin.len
                              + s->sources_bin.len
                              + s->nembeds * NGX_HTTP_PROFILE_MAX_FIELDS)
                         + 65536, 1)
        != 0)
    {
        goto failed;
    }

    m.snapshot_id = w->snapshot_id;
    m.created_at = w->created_at;
    m.content_hash = w->content_hash;
    m.count = w->count;

    for (i = 0, w->embedded = 0; i < c.nsrc; i++) {
        w->embedded += c.src_count[i];
    }

    /* version 4 only for a file that uses what version 4 added */
    m.version = (c.trailers != 0 || s->members_bin.len != 0
                 || s->nembeds != 0)
                ? NGX_HTTP_PROFILE_FORMAT_VERSION
                : NGX_HTTP_PROFILE_FORMAT_VERSION_PLAIN;

    if (ps_meta_write(c.env, c.meta, w->tmp, s, &m) != 0) {
        goto failed;
    }

    ps_copy_close(&c);

    /* the id index, once every record is where it stays */

    ps_signal_point("index");

    if (ps_index_write(w->tmp, ps_index_seed(w->content_hash,
                                             strlen(w->content_hash)),
                       &info)
        != 0)
    {
        return -1;
    }

    if (w->relations != NULL
        && ps_index_write_table(w->tmp, NGX_HTTP_PROFILE_DB_RELATIONS,
                                NGX_HTTP_PROFILE_META_INDEX_RELATIONS,
                                ps_index_seed(w->content_hash,
                                              strlen(w->content_hash)),
                                &info)
           != 0)
    {
        return -1;
    }

    /* each embeddable source's keyed table, by the same code */

    for (i = 0; i < s->nembeds; i++) {
        ngx_http_profile_source_key(db, NGX_HTTP_PROFILE_DB_SOURCE,
                                    (const unsigned char *)
                                        s->embeds[i].name,
                                    strlen(s->embeds[i].name));
        ngx_http_profile_source_key(key, NGX_HTTP_PROFILE_META_INDEX_SOURCE,
                                    (const unsigned char *)
                                        s->embeds[i].name,
                                    strlen(s->embeds[i].name));

        if (ps_index_write_table(w->tmp, db, key,
                                 ps_index_seed(w->content_hash,
                                               strlen(w->content_hash)),
                                 &info)
            != 0)
        {
            return -1;
        }
    }

    /* the file's bytes are its live data's: nothing of the build's past */

    if (ps_zero_unused(w->tmp, &zero) != 0) {
        return -1;
    }

    ps_signal_point("publish");

    return ps_publish(w->tmp, w->out);

failed:

    ps_copy_close(&c);

    return -1;
}


void
ps_writer_close(ps_writer_t *w)
{
    ps_scratch_close(&w->scratch);
    ps_spool_close(&w->spool);

    if (w->work != NULL) {
        (void) unlink(w->work);
        (void) unlink(w->work_lock);
        (void) unlink(w->tmp);

        ps_signal_forget(w->sig[0]);
        ps_signal_forget(w->sig[1]);
        ps_signal_forget(w->sig[2]);
        w->sig[0] = -1;
        w->sig[1] = -1;
        w->sig[2] = -1;
    }

    free(w->out);
    free(w->dir);
    free(w->work);
    free(w->work_lock);
    free(w->tmp);

    w->out = NULL;
    w->dir = NULL;
    w->work = NULL;
    w->work_lock = NULL;
    w->tmp = NULL;
}
