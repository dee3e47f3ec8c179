
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The metadata check of a snapshot (see ngx_http_profile_meta.h): a
 * table of the meta keys, each with its parser, read in order; one
 * place that turns a failure into its message.  Plain C: compiled into
 * the module and into profile-snapshot.
 */


#include <stdio.h>
#include <string.h>

#include "ngx_http_profile_meta.h"


typedef struct {
    ngx_http_profile_meta_t         *meta;
    ngx_http_profile_meta_alloc_pt   alloc;
    void                            *data;
    int                              fmt_rc;   /* of RC_TABLE */
    char                             key[NGX_HTTP_PROFILE_SOURCE_KEY_MAX];
} ngx_http_profile_meta_ctx_t;


/* a meta key's parser: NGX_HTTP_PROFILE_META_RC_OK or the failure */
typedef int (*ngx_http_profile_meta_parse_pt)(
    ngx_http_profile_meta_ctx_t *ctx, const MDB_val *val);


typedef struct {
    const char                      *name;
    ngx_http_profile_meta_parse_pt   parse;
} ngx_http_profile_meta_key_t;


static int ngx_http_profile_meta_format(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val);
static int ngx_http_profile_meta_version(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val);
static int ngx_http_profile_meta_classes(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val);
static int ngx_http_profile_meta_fields(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val);
static int ngx_http_profile_meta_count(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val);
static int ngx_http_profile_meta_index(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val);
static int ngx_http_profile_meta_id(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val);
static int ngx_http_profile_meta_decimal(const MDB_val *val, uint64_t max,
    uint64_t *n);
static int ngx_http_profile_meta_optional(ngx_http_profile_meta_ctx_t *ctx,
    ngx_http_profile_file_t *f, const char **name, int *lmdb_rc);
static int ngx_http_profile_meta_sources(ngx_http_profile_meta_ctx_t *ctx,
    ngx_http_profile_file_t *f, const char **name, int *lmdb_rc);
static int ngx_http_profile_meta_members(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val, const ngx_http_profile_field_t *fields,
    unsigned nfields, ngx_http_profile_member_t **out, unsigned *n);


#define ngx_http_profile_meta_err(err, ...)                                  \
    snprintf(err, NGX_HTTP_PROFILE_META_ERRSTR, __VA_ARGS__)


/* in this order: record_count before the index checked against it */

static const ngx_http_profile_meta_key_t  ngx_http_profile_meta_keys[] = {
    { NGX_HTTP_PROFILE_META_FORMAT, ngx_http_profile_meta_format },
    { NGX_HTTP_PROFILE_META_VERSION, ngx_http_profile_meta_version },
    { NGX_HTTP_PROFILE_META_CLASSES, ngx_http_profile_meta_classes },
    { NGX_HTTP_PROFILE_META_FIELDS, ngx_http_profile_meta_fields },
    { NGX_HTTP_PROFILE_META_RECORD_COUNT, ngx_http_profile_meta_count },
    { NGX_HTTP_PROFILE_META_INDEX, ngx_http_profile_meta_index },
    { NGX_HTTP_PROFILE_META_SNAPSHOT_ID, ngx_http_profile_meta_id }
};


int
ngx_http_profile_meta_check(ngx_http_profile_meta_t *m,
    ngx_http_profile_file_t *f, ngx_http_profile_meta_alloc_pt alloc,
    void *data, char *err)
{
    int                           rc, mrc;
    size_t                        i;
    MDB_val                       val;
    MDB_stat                      st;
    const char                   *name;
    ngx_http_profile_meta_ctx_t   ctx;

    memset(m, 0, sizeof(ngx_http_profile_meta_t));

    ctx.meta = m;
    ctx.alloc = alloc;
    ctx.data = data;
    ctx.fmt_rc = NGX_HTTP_PROFILE_FMT_OK;

    name = NGX_HTTP_PROFILE_DB_META;

    rc = mdb_dbi_open(f->txn, name, 0, &m->meta);

    if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
        mrc = NGX_HTTP_PROFILE_META_RC_NO_DB;
        goto failed;
    }

    if (rc != 0) {
        mrc = NGX_HTTP_PROFILE_META_RC_LMDB;
        goto failed;
    }

    for (i = 0; i < sizeof(ngx_http_profile_meta_keys)
                    / sizeof(ngx_http_profile_meta_keys[0]); i++)
    {
        name = ngx_http_profile_meta_keys[i].name;

        rc = ngx_http_profile_file_get(f, m->meta, name, strlen(name), &val);

        if (rc == MDB_NOTFOUND) {
            mrc = NGX_HTTP_PROFILE_META_RC_MISSING;
            goto failed;
        }

        if (rc != 0) {
            mrc = NGX_HTTP_PROFILE_META_RC_LMDB;
            goto failed;
        }

        mrc = ngx_http_profile_meta_keys[i].parse(&ctx, &val);
        if (mrc != NGX_HTTP_PROFILE_META_RC_OK) {
            goto failed;
        }
    }

    name = NGX_HTTP_PROFILE_DB_PROFILES;

    rc = mdb_dbi_open(f->txn, name, 0, &m->profiles);

    if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
        mrc = NGX_HTTP_PROFILE_META_RC_NO_DB;
        goto failed;
    }

    if (rc == 0) {
        rc = mdb_stat(f->txn, m->profiles, &st);
    }

    if (rc != 0) {
        mrc = NGX_HTTP_PROFILE_META_RC_LMDB;
        goto failed;
    }

    if ((uint64_t) st.ms_entries != m->record_count) {
        ngx_http_profile_meta_err(err, " is not a profile snapshot: "
                                  "meta \"%s\" is %llu, but the \"%s\" "
                                  "database holds %zu records",
                                  NGX_HTTP_PROFILE_META_RECORD_COUNT,
                                  (unsigned long long) m->record_count,
                                  name, st.ms_entries);
        return NGX_HTTP_PROFILE_META_RC_COUNT;
    }

    mrc = ngx_http_profile_meta_optional(&ctx, f, &name, &rc);
    if (mrc != NGX_HTTP_PROFILE_META_RC_OK) {
        goto failed;
    }

    err[0] = '\0';

    return NGX_HTTP_PROFILE_META_RC_OK;

failed:

    switch (mrc) {

    case NGX_HTTP_PROFILE_META_RC_NO_DB:
        ngx_http_profile_meta_err(err, " is not a profile snapshot: "
                                  "no \"%s\" database", name);
        break;

    case NGX_HTTP_PROFILE_META_RC_MISSING:
        ngx_http_profile_meta_err(err, " is not a profile snapshot: "
                                  "meta \"%s\" is missing", name);
        break;

    case NGX_HTTP_PROFILE_META_RC_FORMAT:
        ngx_http_profile_meta_err(err, " is not a profile snapshot: "
                                  "meta \"%s\" is not \"%s\"",
                                  name, NGX_HTTP_PROFILE_FORMAT_NAME);
        break;

    case NGX_HTTP_PROFILE_META_RC_MALFORMED:
        ngx_http_profile_meta_err(err, " is not a profile snapshot: "
                                  "meta \"%s\" is malformed", name);
        break;

    case NGX_HTTP_PROFILE_META_RC_TABLE:
        ngx_http_profile_meta_err(err, " is not a profile snapshot: "
                                  "meta \"%s\" is malformed (%s)", name,
                                  ngx_http_profile_fmt_strerror(ctx.fmt_rc));
        break;

    case NGX_HTTP_PROFILE_META_RC_VERSION:
        ngx_http_profile_meta_err(err, ": format version %llu is not "
                                  "supported (expected %d to %d; rebuild it "
                                  "with profile-snapshot)",
                                  (unsigned long long) m->version,
                                  NGX_HTTP_PROFILE_FORMAT_VERSION_MIN,
                                  NGX_HTTP_PROFILE_FORMAT_VERSION);
        break;

    case NGX_HTTP_PROFILE_META_RC_LMDB:
        ngx_http_profile_meta_err(err, ": reading \"%s\" failed (%d: %s)",
                                  name, rc, mdb_strerror(rc));
        break;

    default: /* NGX_HTTP_PROFILE_META_RC_NOMEM */
        ngx_http_profile_meta_err(err, ": out of memory");
        break;
    }

    return mrc;
}


static int
ngx_http_profile_meta_format(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val)
{
    (void) ctx;

    if (val->mv_size != sizeof(NGX_HTTP_PROFILE_FORMAT_NAME) - 1
        || memcmp(val->mv_data, NGX_HTTP_PROFILE_FORMAT_NAME, val->mv_size)
           != 0)
    {
        return NGX_HTTP_PROFILE_META_RC_FORMAT;
    }

    return NGX_HTTP_PROFILE_META_RC_OK;
}


static int
ngx_http_profile_meta_version(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val)
{
    if (ngx_http_profile_meta_decimal(val, UINT32_MAX, &ctx->meta->version)
        != 0)
    {
        return NGX_HTTP_PROFILE_META_RC_MALFORMED;
    }

    if (ctx->meta->version < NGX_HTTP_PROFILE_FORMAT_VERSION_MIN
        || ctx->meta->version > NGX_HTTP_PROFILE_FORMAT_VERSION)
    {
        return NGX_HTTP_PROFILE_META_RC_VERSION;
    }

    return NGX_HTTP_PROFILE_META_RC_OK;
}


static int
ngx_http_profile_meta_classes(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val)
{
    ngx_http_profile_meta_t  *m;

    m = ctx->meta;

    m->classes = ctx->alloc(ctx->data, NGX_HTTP_PROFILE_MAX_CLASSES
                                       * sizeof(ngx_http_profile_class_t));
    if (m->classes == NULL) {
        return NGX_HTTP_PROFILE_META_RC_NOMEM;
    }

    ctx->fmt_rc = ngx_http_profile_classes_parse(val->mv_data, val->mv_size,
                                                 m->classes, &m->nclasses);

    return (ctx->fmt_rc == NGX_HTTP_PROFILE_FMT_OK)
           ? NGX_HTTP_PROFILE_META_RC_OK : NGX_HTTP_PROFILE_META_RC_TABLE;
}


/* counted, then decoded into exactly the room it needs */

static int
ngx_http_profile_meta_fields(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val)
{
    unsigned                  n;
    ngx_http_profile_meta_t  *m;

    m = ctx->meta;

    ctx->fmt_rc = ngx_http_profile_fields_parse(val->mv_data, val->mv_size,
                                                m->nclasses, NULL, 0, &n);
    if (ctx->fmt_rc != NGX_HTTP_PROFILE_FMT_OK) {
        return NGX_HTTP_PROFILE_META_RC_TABLE;
    }

    m->fields = ctx->alloc(ctx->data, (n ? n : 1)
                                      * sizeof(ngx_http_profile_field_t));
    if (m->fields == NULL) {
        return NGX_HTTP_PROFILE_META_RC_NOMEM;
    }

    ctx->fmt_rc = ngx_http_profile_fields_parse(val->mv_data, val->mv_size,
                                                m->nclasses, m->fields, n,
                                                &m->nfields);

    return (ctx->fmt_rc == NGX_HTTP_PROFILE_FMT_OK)
           ? NGX_HTTP_PROFILE_META_RC_OK : NGX_HTTP_PROFILE_META_RC_TABLE;
}


static int
ngx_http_profile_meta_count(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val)
{
    if (ngx_http_profile_meta_decimal(val, UINT64_MAX,
                                      &ctx->meta->record_count)
        != 0)
    {
        return NGX_HTTP_PROFILE_META_RC_MALFORMED;
    }

    return NGX_HTTP_PROFILE_META_RC_OK;
}


/* the header against record_count; slots are checked as they are used */

static int
ngx_http_profile_meta_index(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val)
{
    ctx->fmt_rc = ngx_http_profile_index_parse(&ctx->meta->index,
                                               val->mv_data, val->mv_size,
                                               ctx->meta->record_count);

    return (ctx->fmt_rc == NGX_HTTP_PROFILE_FMT_OK)
           ? NGX_HTTP_PROFILE_META_RC_OK : NGX_HTTP_PROFILE_META_RC_TABLE;
}


/*
 * The optional tables, after the required ones (they are checked
 * against the classes, the fields and the databases).  *name is the key
 * or database a failure is about, *lmdb_rc LMDB's code for RC_LMDB.
 */

static int
ngx_http_profile_meta_optional(ngx_http_profile_meta_ctx_t *ctx,
    ngx_http_profile_file_t *f, const char **name, int *lmdb_rc)
{
    int                       rc, has_index;
    MDB_val                   val;
    MDB_stat                  st;
    ngx_http_profile_meta_t  *m;

    m = ctx->meta;

    *name = NGX_HTTP_PROFILE_META_ROLES;

    rc = ngx_http_profile_file_get(f, m->meta, *name, strlen(*name), &val);

    if (rc == 0) {
        m->roles = ctx->alloc(ctx->data, NGX_HTTP_PROFILE_MAX_ROLES
                                         * sizeof(ngx_http_profile_role_t));
        if (m->roles == NULL) {
            return NGX_HTTP_PROFILE_META_RC_NOMEM;
        }

        ctx->fmt_rc = ngx_http_profile_roles_parse(val.mv_data, val.mv_size,
                                                   m->nclasses, m->nfields,
                                                   m->roles, &m->nroles);
        if (ctx->fmt_rc != NGX_HTTP_PROFILE_FMT_OK) {
            return NGX_HTTP_PROFILE_META_RC_TABLE;
        }

    } else if (rc != MDB_NOTFOUND) {
        *lmdb_rc = rc;
        return NGX_HTTP_PROFILE_META_RC_LMDB;
    }

    *name = NGX_HTTP_PROFILE_META_STATES;

    rc = ngx_http_profile_file_get(f, m->meta, *name, strlen(*name), &val);

    if (rc == 0) {
        ctx->fmt_rc = ngx_http_profile_states_parse(val.mv_data, val.mv_size,
                                                    m->nclasses, m->nfields,
                                                    &m->states);
        if (ctx->fmt_rc != NGX_HTTP_PROFILE_FMT_OK) {
            return NGX_HTTP_PROFILE_META_RC_TABLE;
        }

        m->has_states = 1;

    } else if (rc != MDB_NOTFOUND) {
        *lmdb_rc = rc;
        return NGX_HTTP_PROFILE_META_RC_LMDB;
    }

    *name = NGX_HTTP_PROFILE_META_MEMBERS;

    rc = ngx_http_profile_file_get(f, m->meta, *name, strlen(*name), &val);

    if (rc == 0) {
        rc = ngx_http_profile_meta_members(ctx, &val, m->fields, m->nfields,
                                           &m->members, &m->nmembers);
        if (rc != NGX_HTTP_PROFILE_META_RC_OK) {
            return rc;
        }

    } else if (rc != MDB_NOTFOUND) {
        *lmdb_rc = rc;
        return NGX_HTTP_PROFILE_META_RC_LMDB;
    }

    rc = ngx_http_profile_meta_sources(ctx, f, name, lmdb_rc);
    if (rc != NGX_HTTP_PROFILE_META_RC_OK) {
        return rc;
    }

    *name = NGX_HTTP_PROFILE_META_SCHEMA_DIGEST;

    rc = ngx_http_profile_file_get(f, m->meta, *name, strlen(*name), &val);

    if (rc == 0) {
        m->schema_digest = val.mv_data;
        m->schema_digest_len = val.mv_size;

    } else if (rc != MDB_NOTFOUND) {
        *lmdb_rc = rc;
        return NGX_HTTP_PROFILE_META_RC_LMDB;
    }

    *name = NGX_HTTP_PROFILE_META_INDEX_RELATIONS;

    rc = ngx_http_profile_file_get(f, m->meta, *name, strlen(*name), &val);

    if (rc != 0 && rc != MDB_NOTFOUND) {
        *lmdb_rc = rc;
        return NGX_HTTP_PROFILE_META_RC_LMDB;
    }

    has_index = (rc == 0);

    rc = mdb_dbi_open(f->txn, NGX_HTTP_PROFILE_DB_RELATIONS, 0,
                      &m->relations);

    if (rc == MDB_NOTFOUND) {
        if (has_index) {
            *name = NGX_HTTP_PROFILE_DB_RELATIONS;
            return NGX_HTTP_PROFILE_META_RC_NO_DB;
        }

        return NGX_HTTP_PROFILE_META_RC_OK;
    }

    if (rc == 0) {
        rc = mdb_stat(f->txn, m->relations, &st);
    }

    if (rc != 0) {
        *name = NGX_HTTP_PROFILE_DB_RELATIONS;
        *lmdb_rc = rc;
        return NGX_HTTP_PROFILE_META_RC_LMDB;
    }

    if (!has_index) {
        return NGX_HTTP_PROFILE_META_RC_MISSING;
    }

    ctx->fmt_rc = ngx_http_profile_index_parse(&m->relations_index,
                                               val.mv_data, val.mv_size,
                                               st.ms_entries);
    if (ctx->fmt_rc != NGX_HTTP_PROFILE_FMT_OK) {
        return NGX_HTTP_PROFILE_META_RC_TABLE;
    }

    m->has_relations = 1;

    return NGX_HTTP_PROFILE_META_RC_OK;
}


/*
 * A members table of size bytes at val against fields[0 .. nfields - 1]:
 * counted, then decoded into exactly the room it needs, *out (for the
 * caller to free, even on failure) and *n.
 */

static int
ngx_http_profile_meta_members(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val, const ngx_http_profile_field_t *fields,
    unsigned nfields, ngx_http_profile_member_t **out, unsigned *n)
{
    unsigned  count;

    ctx->fmt_rc = ngx_http_profile_members_parse(val->mv_data, val->mv_size,
                                                 fields, nfields, NULL, 0,
                                                 &count);
    if (ctx->fmt_rc != NGX_HTTP_PROFILE_FMT_OK) {
        return NGX_HTTP_PROFILE_META_RC_TABLE;
    }

    *out = ctx->alloc(ctx->data, (count ? count : 1)
                                 * sizeof(ngx_http_profile_member_t));
    if (*out == NULL) {
        return NGX_HTTP_PROFILE_META_RC_NOMEM;
    }

    ctx->fmt_rc = ngx_http_profile_members_parse(val->mv_data, val->mv_size,
                                                 fields, nfields, *out,
                                                 count, n);

    return (ctx->fmt_rc == NGX_HTTP_PROFILE_FMT_OK)
           ? NGX_HTTP_PROFILE_META_RC_OK : NGX_HTTP_PROFILE_META_RC_TABLE;
}


/*
 * The embedded sources (format version 4), if the file has "sources":
 * each source's database, fields table and keyed table; *name (in
 * ctx->key) is what a failure is about.
 */

static int
ngx_http_profile_meta_sources(ngx_http_profile_meta_ctx_t *ctx,
    ngx_http_profile_file_t *f, const char **name, int *lmdb_rc)
{
    int                              rc;
    unsigned                         i, n, nfields;
    MDB_val                          val;
    MDB_stat                         st;
    ngx_http_profile_meta_t         *m;
    ngx_http_profile_field_t        *fields;
    ngx_http_profile_source_t        names[NGX_HTTP_PROFILE_MAX_SOURCES];
    ngx_http_profile_meta_source_t  *src;

    m = ctx->meta;

    *name = NGX_HTTP_PROFILE_META_SOURCES;

    rc = ngx_http_profile_file_get(f, m->meta, *name, strlen(*name), &val);

    if (rc == MDB_NOTFOUND) {
        return NGX_HTTP_PROFILE_META_RC_OK;
    }

    if (rc != 0) {
        *lmdb_rc = rc;
        return NGX_HTTP_PROFILE_META_RC_LMDB;
    }

    ctx->fmt_rc = ngx_http_profile_sources_parse(val.mv_data, val.mv_size,
                                                 names, &n);
    if (ctx->fmt_rc != NGX_HTTP_PROFILE_FMT_OK) {
        return NGX_HTTP_PROFILE_META_RC_TABLE;
    }

    *name = ctx->key;

    for (i = 0; i < n; i++) {
        src = &m->sources[i];
        src->name = names[i].name;
        src->name_len = names[i].name_len;

        /* its database: the records and their count */

        ngx_http_profile_source_key(ctx->key, NGX_HTTP_PROFILE_DB_SOURCE,
                                    src->name, src->name_len);

        rc = mdb_dbi_open(f->txn, ctx->key, 0, &src->dbi);

        if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
            return NGX_HTTP_PROFILE_META_RC_NO_DB;
        }

        if (rc == 0) {
            rc = mdb_stat(f->txn, src->dbi, &st);
        }

        if (rc != 0) {
            *lmdb_rc = rc;
            return NGX_HTTP_PROFILE_META_RC_LMDB;
        }

        src->record_count = st.ms_entries;

        /* its fields table: counted, then decoded */

        ngx_http_profile_source_key(ctx->key,
                                    NGX_HTTP_PROFILE_META_FIELDS_SOURCE,
                                    src->name, src->name_len);

        rc = ngx_http_profile_file_get(f, m->meta, ctx->key,
                                       strlen(ctx->key), &val);
        if (rc == MDB_NOTFOUND) {
            return NGX_HTTP_PROFILE_META_RC_MISSING;
        }

        if (rc != 0) {
            *lmdb_rc = rc;
            return NGX_HTTP_PROFILE_META_RC_LMDB;
        }

        /*
         * meta_fields() decodes into m->fields: the profiles' table is
         * put aside meanwhile, and what it allocated is the source's
         * (for the caller to free, even on failure)
         */

        fields = m->fields;
        nfields = m->nfields;
        m->fields = NULL;

        rc = ngx_http_profile_meta_fields(ctx, &val);

        src->fields = m->fields;
        src->nfields = m->nfields;
        m->fields = fields;
        m->nfields = nfields;

        if (rc != NGX_HTTP_PROFILE_META_RC_OK) {
            return rc;
        }

        /* its keyed table, against its records */

        ngx_http_profile_source_key(ctx->key,
                                    NGX_HTTP_PROFILE_META_INDEX_SOURCE,
                                    src->name, src->name_len);

        rc = ngx_http_profile_file_get(f, m->meta, ctx->key,
                                       strlen(ctx->key), &val);
        if (rc == MDB_NOTFOUND) {
            return NGX_HTTP_PROFILE_META_RC_MISSING;
        }

        if (rc != 0) {
            *lmdb_rc = rc;
            return NGX_HTTP_PROFILE_META_RC_LMDB;
        }

        ctx->fmt_rc = ngx_http_profile_index_parse(&src->index, val.mv_data,
                                                   val.mv_size,
                                                   src->record_count);
        if (ctx->fmt_rc != NGX_HTTP_PROFILE_FMT_OK) {
            return NGX_HTTP_PROFILE_META_RC_TABLE;
        }

        /* its members table, when its fields declare object members */

        ngx_http_profile_source_key(ctx->key,
                                    NGX_HTTP_PROFILE_META_MEMBERS_SOURCE,
                                    src->name, src->name_len);

        rc = ngx_http_profile_file_get(f, m->meta, ctx->key,
                                       strlen(ctx->key), &val);
        if (rc == 0) {
            rc = ngx_http_profile_meta_members(ctx, &val, src->fields,
                                               src->nfields, &src->members,
                                               &src->nmembers);
            if (rc != NGX_HTTP_PROFILE_META_RC_OK) {
                return rc;
            }

        } else if (rc != MDB_NOTFOUND) {
            *lmdb_rc = rc;
            return NGX_HTTP_PROFILE_META_RC_LMDB;
        }

        m->nsources = i + 1;
    }

    return NGX_HTTP_PROFILE_META_RC_OK;
}


/* 1..64 bytes of [A-Za-z0-9._-] (docs/snapshot-format.md) */

static int
ngx_http_profile_meta_id(ngx_http_profile_meta_ctx_t *ctx,
    const MDB_val *val)
{
    const unsigned char  *p;

    p = val->mv_data;

    if (!ngx_http_profile_snapshot_id_valid(p, val->mv_size)) {
        return NGX_HTTP_PROFILE_META_RC_MALFORMED;
    }

    ctx->meta->snapshot_id = p;
    ctx->meta->snapshot_id_len = val->mv_size;

    return NGX_HTTP_PROFILE_META_RC_OK;
}


/* an ASCII decimal of 1..20 digits, no sign, not above max: 0, or -1 */

static int
ngx_http_profile_meta_decimal(const MDB_val *val, uint64_t max, uint64_t *n)
{
    size_t               i;
    uint64_t             v;
    const unsigned char *p;

    p = val->mv_data;

    if (val->mv_size == 0 || val->mv_size > 20) {
        return -1;
    }

    v = 0;

    for (i = 0; i < val->mv_size; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return -1;
        }

        if (v > (max - (p[i] - '0')) / 10) {
            return -1;
        }

        v = v * 10 + (p[i] - '0');
    }

    *n = v;

    return 0;
}
