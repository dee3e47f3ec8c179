
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <stdio.h>
#include <string.h>
#include <time.h>
#include <lmdb.h>

#include "ps.h"
#include "ps_meta.h"
#include "ngx_http_profile_format.h"


static int ps_meta_put(MDB_txn *txn, MDB_dbi meta, const char *path,
    const char *name, const void *data, size_t len);
static void ps_meta_err(const char *path, const char *call, int rc);


void
ps_meta_names(const struct tm *tm, const char *id, const char *content_hash,
    char *created_at, char *snapshot_id)
{
    strftime(created_at, 32, "%Y-%m-%dT%H:%M:%SZ", tm);

    if (id != NULL) {
        snprintf(snapshot_id, 65, "%s", id);

    } else {
        strftime(snapshot_id, 65, "%Y%m%dT%H%M%SZ-", tm);
        /* 8 hex digits of the content hash after "sha256:" */
        strncat(snapshot_id, content_hash + 7, 8);
    }
}


int
ps_meta_write(MDB_env *env, MDB_dbi meta, const char *path, ps_schema_t *s,
    const ps_meta_t *m)
{
    int       rc;
    char      num[32];
    char      key[NGX_HTTP_PROFILE_SOURCE_KEY_MAX];
    MDB_txn  *txn;
    unsigned  i;

    rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc != 0) {
        ps_meta_err(path, "mdb_txn_begin()", rc);
        return -1;
    }

    snprintf(num, sizeof(num), "%u", m->version);

    if (ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_FORMAT,
                    NGX_HTTP_PROFILE_FORMAT_NAME,
                    sizeof(NGX_HTTP_PROFILE_FORMAT_NAME) - 1) != 0
        || ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_VERSION, num,
                       strlen(num)) != 0
        || ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_SNAPSHOT_ID,
                       m->snapshot_id, strlen(m->snapshot_id)) != 0
        || ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_CREATED_AT,
                       m->created_at, strlen(m->created_at)) != 0
        || ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_SCHEMA_DIGEST,
                       s->digest, strlen(s->digest)) != 0
        || ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_CONTENT_HASH,
                       m->content_hash, strlen(m->content_hash)) != 0
        || ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_GENERATOR,
                       PS_GENERATOR, sizeof(PS_GENERATOR) - 1) != 0
        || ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_CLASSES,
                       s->classes_bin.data, s->classes_bin.len) != 0
        || ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_FIELDS,
                       s->fields_bin.data, s->fields_bin.len) != 0
        || ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_SCHEMA,
                       s->canonical.data, s->canonical.len) != 0)
    {
        mdb_txn_abort(txn);
        return -1;
    }

    if (s->roles_bin.len != 0
        && ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_ROLES,
                       s->roles_bin.data, s->roles_bin.len) != 0)
    {
        mdb_txn_abort(txn);
        return -1;
    }

    if (s->states_bin.len != 0
        && ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_STATES,
                       s->states_bin.data, s->states_bin.len) != 0)
    {
        mdb_txn_abort(txn);
        return -1;
    }

    if (s->members_bin.len != 0
        && ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_MEMBERS,
                       s->members_bin.data, s->members_bin.len) != 0)
    {
        mdb_txn_abort(txn);
        return -1;
    }

    if (s->sources_bin.len != 0
        && ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_SOURCES,
                       s->sources_bin.data, s->sources_bin.len) != 0)
    {
        mdb_txn_abort(txn);
        return -1;
    }

    for (i = 0; i < s->nembeds; i++) {
        ngx_http_profile_source_key(key, NGX_HTTP_PROFILE_META_FIELDS_SOURCE,
                                    (const unsigned char *)
                                        s->embeds[i].name,
                                    strlen(s->embeds[i].name));

        if (ps_meta_put(txn, meta, path, key, s->embeds[i].fields_bin.data,
                        s->embeds[i].fields_bin.len) != 0)
        {
            mdb_txn_abort(txn);
            return -1;
        }

        if (s->embeds[i].members_bin.len == 0) {
            continue;
        }

        ngx_http_profile_source_key(key,
                                    NGX_HTTP_PROFILE_META_MEMBERS_SOURCE,
                                    (const unsigned char *)
                                        s->embeds[i].name,
                                    strlen(s->embeds[i].name));

        if (ps_meta_put(txn, meta, path, key, s->embeds[i].members_bin.data,
                        s->embeds[i].members_bin.len) != 0)
        {
            mdb_txn_abort(txn);
            return -1;
        }
    }

    snprintf(num, sizeof(num), "%llu", (unsigned long long) m->count);

    if (ps_meta_put(txn, meta, path, NGX_HTTP_PROFILE_META_RECORD_COUNT,
                    num, strlen(num)) != 0)
    {
        mdb_txn_abort(txn);
        return -1;
    }

    rc = mdb_txn_commit(txn);

    if (rc != 0) {
        ps_meta_err(path, "mdb_txn_commit()", rc);
        return -1;
    }

    return 0;
}


static int
ps_meta_put(MDB_txn *txn, MDB_dbi meta, const char *path, const char *name,
    const void *data, size_t len)
{
    int      rc;
    MDB_val  key, val;

    key.mv_data = (void *) name;
    key.mv_size = strlen(name);
    val.mv_data = (void *) data;
    val.mv_size = len;

    rc = mdb_put(txn, meta, &key, &val, 0);
    if (rc != 0) {
        ps_meta_err(path, "mdb_put(meta)", rc);
        return -1;
    }

    return 0;
}


static void
ps_meta_err(const char *path, const char *call, int rc)
{
    ps_error("%s: %s failed (%d: %s)", path, call, rc, mdb_strerror(rc));
}
