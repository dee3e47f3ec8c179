
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <fcntl.h>
#include <string.h>
#include <lmdb.h>

#include "ps.h"
#include "ps_copy.h"
#include "ps_sha256.h"
#include "ngx_http_profile_format.h"


/* the output's write transactions (bytes of pages) */
#define PS_OUT_TXN       ((size_t) 32 << 20)


static void ps_copy_writeback(MDB_env *out);
static size_t ps_copy_need(size_t key_len, size_t rec_len);
static void ps_copy_err(ps_copy_t *c, const char *call, int rc);
static void ps_copy_hash_source(ps_sha256_t *sha, const ps_schema_embed_t *e);


/*
 * The snapshot, written once: no lock file (nothing else opens it
 * before it is renamed), no sync per transaction, one fsync at the end;
 * each copy transaction's pages start going to disk as soon as it
 * commits (ps_copy_writeback()), so that the fsync waits less.  The map
 * grows with what is written (ps_copy_room()), so the size readers find
 * in the meta page is close to the file's.
 */

int
ps_copy_open(ps_copy_t *c, const char *path, const ps_schema_t *s)
{
    int       rc;
    char      name[NGX_HTTP_PROFILE_SOURCE_KEY_MAX];
    MDB_txn  *txn;
    unsigned  i;

    c->env = NULL;
    c->path = path;
    c->trailers = 0;
    c->nsrc = 0;

    rc = mdb_env_create(&c->env);
    if (rc != 0) {
        c->env = NULL;
        ps_copy_err(c, "mdb_env_create()", rc);
        return -1;
    }

    mdb_env_set_maxdbs(c->env, NGX_HTTP_PROFILE_MAX_DBS);

    rc = mdb_env_set_mapsize(c->env, 1024 * 1024);

    if (rc == 0) {
        rc = mdb_env_open(c->env, path,
                          MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC
                          | MDB_NOMETASYNC | MDB_NORDAHEAD, 0644);
    }

    if (rc != 0) {
        ps_copy_err(c, "mdb_env_open()", rc);
        ps_copy_close(c);
        return -1;
    }

    txn = NULL;

    rc = mdb_txn_begin(c->env, NULL, 0, &txn);

    if (rc == 0) {
        rc = mdb_dbi_open(txn, NGX_HTTP_PROFILE_DB_PROFILES, MDB_CREATE,
                          &c->profiles);
    }

    if (rc == 0) {
        rc = mdb_dbi_open(txn, NGX_HTTP_PROFILE_DB_META, MDB_CREATE,
                          &c->meta);
    }

    for (i = 0; rc == 0 && s != NULL && i < s->nembeds; i++) {
        ngx_http_profile_source_key(name, NGX_HTTP_PROFILE_DB_SOURCE,
                                    (const unsigned char *)
                                        s->embeds[i].name,
                                    strlen(s->embeds[i].name));

        rc = mdb_dbi_open(txn, name, MDB_CREATE, &c->src[i]);
        c->src_count[i] = 0;
        c->nsrc = i + 1;
    }

    if (rc == 0) {
        rc = mdb_txn_commit(txn);
        txn = NULL;
    }

    if (rc != 0) {
        ps_copy_err(c, "mdb_dbi_open()", rc);

        if (txn != NULL) {
            mdb_txn_abort(txn);
        }

        ps_copy_close(c);
        return -1;
    }

    return 0;
}


/* an embeddable source's tables in the content hash: fields, members */

static void
ps_copy_hash_source(ps_sha256_t *sha, const ps_schema_embed_t *e)
{
    ps_sha256_item(sha, e->fields_bin.data, e->fields_bin.len);

    if (e->members_bin.len != 0) {
        ps_sha256_item(sha, e->members_bin.data, e->members_bin.len);
    }
}


/*
 * Every stored record in key order into the new environment, appended
 * (LMDB fills each page before it starts the next), and the content
 * hash (docs/snapshot-format.md "Content hash") on the way.
 */

int
ps_copy_records(ps_copy_t *c, ps_scratch_t *sc, ps_spool_t *sp,
    ps_schema_t *s, const ps_relstore_t *rel, char *content_hash,
    uint64_t *count)
{
    int                 rc;
    size_t              need, limit, rec_len;
    uint64_t            off;
    MDB_val             key, v;
    MDB_txn            *txn;
    MDB_cursor         *app, *sapp;
    unsigned            j, cur, hashed, embedded;
    ps_sha256_t         sha;
    const void         *rec;
    unsigned char       digest[PS_SHA256_SIZE];
    ps_scratch_walk_t   wk;
    ps_spool_reader_t   rd;

    if (ps_scratch_walk_open(sc, &wk) != 0) {
        return -1;
    }

    ps_spool_map(sp, &rd);

    /*
     * A transaction of at most limit bytes, plus one record.  The same
     * for every build: where a transaction ends shapes the pages, and
     * must depend on the live records only (not on the spool, which
     * holds superseded records too, more or fewer by input order), so
     * that the same records give the same bytes.
     */
    limit = PS_OUT_TXN;

    ps_sha256_init(&sha);
    *count = 0;
    need = 0;
    txn = NULL;
    app = NULL;
    sapp = NULL;
    cur = 0;
    hashed = 0;

    /* embedded sources: their table first, then each source in turn */

    if (s->sources_bin.len != 0) {
        ps_sha256_item(&sha, s->sources_bin.data, s->sources_bin.len);
    }

    for ( ;; ) {
        rc = ps_scratch_walk_next(sc, &wk, &key, &off, &rec_len);

        if (rc == 0) {
            break;
        }

        if (rc != 1) {
            goto failed;
        }

        if (ps_spool_get(sp, &rd, off, rec_len, &rec) != 0) {
            goto failed;
        }

        /*
         * A record of embeddable source j (its prefix, then its key):
         * the fields tables of the sources up to j hashed before it, in
         * order (a source without records too); a profile: all of them
         */

        embedded = (key.mv_size > 2
                    && ((unsigned char *) key.mv_data)[0]
                       == PS_EMBED_KEY_BYTE);
        j = embedded ? ((unsigned char *) key.mv_data)[1] : c->nsrc;

        if (j > c->nsrc || (embedded && j == c->nsrc)) {
            ps_error("%s: a record of an unknown embedded source", c->path);
            goto failed;
        }

        while (hashed < (embedded ? j + 1 : c->nsrc)) {
            ps_copy_hash_source(&sha, &s->embeds[hashed]);
            hashed++;
        }

        if (embedded) {
            key.mv_data = (unsigned char *) key.mv_data + 2;
            key.mv_size -= 2;
        }

        if (txn == NULL) {
            if (ps_copy_room(c, limit + limit / 8
                                + ps_copy_need(key.mv_size, sp->max_rec), 0)
                != 0)
            {
                goto failed;
            }

            rc = mdb_txn_begin(c->env, NULL, 0, &txn);
            if (rc != 0) {
                txn = NULL;
                ps_copy_err(c, "mdb_txn_begin()", rc);
                goto failed;
            }

            /* one cursor a transaction: it stays on the last page */
            rc = mdb_cursor_open(txn, c->profiles, &app);
            if (rc != 0) {
                ps_copy_err(c, "mdb_cursor_open()", rc);
                goto failed;
            }

            need = 0;
        }

        v.mv_data = (void *) rec;
        v.mv_size = rec_len;

        /* one cursor for the source being copied, in this transaction */

        if (embedded && (sapp == NULL || j != cur)) {
            if (sapp != NULL) {
                mdb_cursor_close(sapp);
            }

            rc = mdb_cursor_open(txn, c->src[j], &sapp);
            if (rc != 0) {
                sapp = NULL;
                ps_copy_err(c, "mdb_cursor_open()", rc);
                goto failed;
            }

            cur = j;
        }

        rc = mdb_cursor_put(embedded ? sapp : app, &key, &v, MDB_APPEND);
        if (rc != 0) {
            ps_copy_err(c, "mdb_cursor_put()", rc);
            goto failed;
        }

        ps_sha256_item(&sha, key.mv_data, key.mv_size);
        ps_sha256_item(&sha, rec, rec_len);

        if (embedded) {
            c->src_count[j]++;

        } else {
            (*count)++;
        }

        if (rec_len > NGX_HTTP_PROFILE_REC_FLAGS
            && (((const unsigned char *) rec)[NGX_HTTP_PROFILE_REC_FLAGS]
                & NGX_HTTP_PROFILE_REC_TRAILER))
        {
            c->trailers++;
        }

        if (ps_spool_done(sp, &rd, off, rec_len) != 0) {
            goto failed;
        }

        need += ps_copy_need(key.mv_size, rec_len);

        if (need >= limit) {
            rc = mdb_txn_commit(txn);
            txn = NULL;
            sapp = NULL;    /* the commit freed the cursors */

            if (rc != 0) {
                ps_copy_err(c, "mdb_txn_commit()", rc);
                goto failed;
            }

            ps_copy_writeback(c->env);
        }
    }

    ps_scratch_walk_close(&wk);
    ps_spool_unmap(sp, &rd);

    /* the sources after the last one with records (no profile came) */

    while (hashed < c->nsrc) {
        ps_copy_hash_source(&sha, &s->embeds[hashed]);
        hashed++;
    }

    if (txn != NULL) {
        rc = mdb_txn_commit(txn);

        if (rc != 0) {
            ps_copy_err(c, "mdb_txn_commit()", rc);
            ps_sha256_free(&sha);
            return -1;
        }
    }

    ps_sha256_item(&sha, s->classes_bin.data, s->classes_bin.len);
    ps_sha256_item(&sha, s->fields_bin.data, s->fields_bin.len);

    if (s->roles_bin.len != 0) {
        ps_sha256_item(&sha, s->roles_bin.data, s->roles_bin.len);
    }

    if (s->states_bin.len != 0) {
        ps_sha256_item(&sha, s->states_bin.data, s->states_bin.len);
    }

    if (s->members_bin.len != 0) {
        ps_sha256_item(&sha, s->members_bin.data, s->members_bin.len);
    }

    if (rel != NULL) {
        ps_relstore_hash(rel, &sha);
    }

    ps_sha256_final(&sha, digest);
    ps_sha256_text(digest, content_hash);

    return 0;

failed:

    ps_scratch_walk_close(&wk);
    ps_spool_unmap(sp, &rd);
    ps_sha256_free(&sha);

    if (txn != NULL) {
        mdb_txn_abort(txn);
    }

    return -1;
}


/*
 * The map starts small and grows: LMDB records the largest map size in
 * the meta page, and readers map that.  With exact, the map is set to
 * the pages in use plus need, also when that is smaller than it is
 * (LMDB keeps at least the pages in use).
 */

int
ps_copy_room(ps_copy_t *c, size_t need, int exact)
{
    int           rc;
    size_t        used;
    MDB_stat      st;
    MDB_envinfo   info;

    rc = mdb_env_info(c->env, &info);

    if (rc == 0) {
        rc = mdb_env_stat(c->env, &st);
    }

    if (rc != 0) {
        ps_copy_err(c, "mdb_env_info()", rc);
        return -1;
    }

    used = (info.me_last_pgno + 1) * (size_t) st.ms_psize;

    if (!exact && info.me_mapsize >= used + need) {
        return 0;
    }

    rc = mdb_env_set_mapsize(c->env, used + need);
    if (rc != 0) {
        ps_copy_err(c, "mdb_env_set_mapsize()", rc);
        return -1;
    }

    return 0;
}


void
ps_copy_close(ps_copy_t *c)
{
    if (c->env != NULL) {
        mdb_env_close(c->env);
        c->env = NULL;
    }
}


/*
 * Start writing the output's dirty pages to disk without waiting for
 * them: the copy goes on while the disk works, and the fsync before the
 * rename finds little left.  Only a hint: where the file system cannot
 * do it, the fsync does it all, as before.
 */

static void
ps_copy_writeback(MDB_env *out)
{
    int  fd;

    if (mdb_env_get_fd(out, &fd) == 0) {
        (void) sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    }
}


/*
 * Bytes of pages a record may take when appended, generously: a value
 * LMDB keeps in the leaf (up to about half a 4 KiB page) with its node,
 * twice for the part of a page that stays empty; a larger one on its own
 * overflow pages.  Pages larger than 4 KiB only need less.
 */

static size_t
ps_copy_need(size_t key_len, size_t rec_len)
{
    if (key_len + rec_len + 8 <= 2038) {
        return 2 * (key_len + rec_len + 10);
    }

    return ((rec_len + 15) / 4096 + 1) * 4096 + 2 * (key_len + 16);
}


static void
ps_copy_err(ps_copy_t *c, const char *call, int rc)
{
    ps_error("%s: %s failed (%d: %s)", c->path, call, rc, mdb_strerror(rc));
}
