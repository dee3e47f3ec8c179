
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Joined sources: every --source after the first is read before the
 * primary one into a build database keyed by its key member; each
 * primary record takes the members it lacks from its rows; rows no
 * profile took are reported as orphans (docs/cli.md "Several sources").
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_build.h"
#include "ps_id.h"


typedef struct {
    ps_build_t     *b;
    unsigned        si;
} ps_orphan_ctx_t;


static int ps_join_orphan(void *ctx, MDB_val *key, MDB_val *val);
static void ps_join_own(ps_build_t *b, json_t *from, json_t *obj,
    unsigned si);


int
ps_join_store(ps_build_t *b, unsigned si, uint64_t line, json_t *obj)
{
    int            rc;
    char           name[64];
    size_t         len;
    uint64_t       prev;
    const void    *old;
    ps_source_t   *src;

    src = &b->sources[si];

    if (ps_id_member(&b->report, obj, src->key, b->id, &b->id_len) != 0) {
        return 0;
    }

    if (src->rows == 0) {
        snprintf(name, sizeof(name), "_join_%u", si);

        if (ps_writer_aux(&b->writer, name, &src->rows) != 0) {
            return -1;
        }
    }

    rc = ps_writer_aux_get(&b->writer, src->rows, b->id, b->id_len, &old,
                           &len);
    if (rc < 0) {
        return -1;
    }

    if (rc == 1 && len >= 8) {
        prev = ngx_http_profile_get64(old);

        /*
         * the last row wins; rows are counted apart from records, so
         * the event leaves the outcome counts as they are
         */
        ps_report_event(&b->report, PS_OUT_SUPERSEDED, PS_OUT_SUPERSEDED,
                        src->name, src->display, prev, b->id, b->id_len,
                        PS_R_SUPERSEDED, "duplicate key: replaced by line "
                        "%llu", (unsigned long long) line);
    }

    b->row.len = 0;
    ps_buf_reserve(&b->row, 8);
    ngx_http_profile_put64(b->row.data, line);
    b->row.len = 8;

    json_object_del(obj, src->key);

    if (ps_encode_json(&b->row, obj) != 0) {
        ps_error("%s:%llu: cannot encode the row", src->display,
                 (unsigned long long) line);
        return -1;
    }

    return ps_writer_aux_put(&b->writer, src->rows, b->id, b->id_len,
                             b->row.data, b->row.len);
}


int
ps_join_merge(ps_build_t *b, json_t *obj)
{
    int            rc;
    size_t         len;
    json_t        *row, *v;
    unsigned       si;
    const char    *key;
    const void    *val;
    json_error_t   err;

    /* the record's own members that another source provides */
    ps_join_own(b, obj, obj, 0);

    for (si = 1; si < b->nsources; si++) {
        rc = 0;

        if (b->sources[si].embed >= 0) {
            continue;       /* an embeddable source: not joined */
        }

        if (b->sources[si].rows != 0) {
            rc = ps_writer_aux_get(&b->writer, b->sources[si].rows, b->id,
                                   b->id_len, &val, &len);
            if (rc < 0) {
                return -1;
            }
        }

        if (rc == 0) {
            ps_report_reason(&b->report, PS_R_NOT_IN_SOURCE, NULL,
                             "no row in source \"%s\"",
                             b->sources[si].name);
            continue;
        }

        /*
         * JSON_ALLOW_NUL: a member that held a number out of range is
         * stored as its marker, which starts with a NUL (ps_bignum.h)
         */
        row = json_loadb((const char *) val + 8, len - 8, JSON_ALLOW_NUL,
                         &err);

        if (row == NULL) {
            ps_error("build database: row \"%s\" of \"%s\": %s", b->id,
                     b->sources[si].name, err.text);
            return -1;
        }

        ps_join_own(b, row, obj, si);

        json_object_foreach(row, key, v) {
            if (json_object_get(obj, key) == NULL) {
                json_object_set(obj, key, v);
            }
        }

        json_decref(row);
    }

    return 0;
}


/*
 * Remove from from (a row of source si, or the record itself: si 0) the
 * members of fields whose "source" is another source of this build, and
 * report each (docs/schema.md "source").  A field whose source is si
 * itself replaces the record's member, which step 0 has removed.
 */

static void
ps_join_own(ps_build_t *b, json_t *from, json_t *obj, unsigned si)
{
    int           want;
    json_t       *v;
    size_t        klen;
    unsigned      alias;
    ps_field_t   *f;
    const char   *key;
    void         *tmp;

    /* none: no field names its source (or a caller without ps_build.c) */
    if (b->field_source == NULL) {
        return;
    }

    json_object_foreach_safe(from, tmp, key, v) {
        klen = strlen(key);
        f = ps_schema_lookup(&b->schema, key, klen, &alias);

        if (f == NULL || (want = b->field_source[f->id]) < 0) {
            continue;
        }

        if ((unsigned) want == si) {
            if (si != 0) {
                /* the record may not have it: step 0 removed it */
                json_object_set(obj, key, v);
                json_object_del(from, key);
            }

            continue;
        }

        ps_report_reason(&b->report, PS_R_WRONG_SOURCE, f->path,
                         "from source \"%s\" only; \"%s\" in source \"%s\" "
                         "dropped", b->sources[want].name, key,
                         b->sources[si].name);
        json_object_del(from, key);
    }
}


int
ps_join_orphans(ps_build_t *b)
{
    unsigned         si;
    ps_orphan_ctx_t  ctx;

    ctx.b = b;

    for (si = 1; si < b->nsources; si++) {
        if (b->sources[si].rows == 0) {
            continue;
        }

        ctx.si = si;

        if (ps_writer_aux_each(&b->writer, b->sources[si].rows,
                               ps_join_orphan, &ctx) < 0)
        {
            return -1;
        }
    }

    return 0;
}


/* a row whose key has no profile in the snapshot */

static int
ps_join_orphan(void *data, MDB_val *key, MDB_val *val)
{
    int               rc;
    size_t            len;
    const void       *rec;
    ps_source_t      *src;
    ps_orphan_ctx_t  *ctx;

    ctx = data;
    src = &ctx->b->sources[ctx->si];

    rc = ps_writer_get(&ctx->b->writer, key->mv_data, key->mv_size, &rec,
                       &len);
    if (rc < 0) {
        return -1;
    }

    if (rc == 0) {
        ps_report_event(&ctx->b->report, PS_OUT_ORPHAN, PS_OUT_MAX,
                        src->name, src->display,
                        ngx_http_profile_get64(val->mv_data),
                        key->mv_data, key->mv_size, PS_R_ORPHAN,
                        "no profile with this id in source \"%s\"",
                        ctx->b->sources[0].name);
    }

    return 0;
}
