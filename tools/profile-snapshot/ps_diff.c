
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The "diff" command: what changed from one snapshot to the next, as a
 * purge list for shared caches (docs/cli.md "diff").  Both snapshots are
 * opened as inspect opens them; the two "profiles" databases (and each
 * embedded source's "src.NAME") are walked with one cursor each in key
 * order at once, comparing the stored per-record hashes, so memory does
 * not grow with the number of records.  A first pass counts the
 * differences (up to --max), a second prints them: nothing is printed
 * when the answer turns out to be "everything".
 */


#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_json.h"
#include "ps_reader.h"


#define PS_DIFF_MAX_DEFAULT  100000

/* ps_diff_records() and the functions below it: more than --max */
#define PS_DIFF_TOO_MANY     -1


typedef enum {
    PS_DIFF_ADDED = 0,
    PS_DIFF_REMOVED,
    PS_DIFF_CHANGED
} ps_diff_change_e;


/* one side of a walk: a cursor over one snapshot's database */
typedef struct {
    ps_reader_t                           *r;
    const ngx_http_profile_meta_source_t  *src;   /* NULL: the profiles */
    MDB_cursor                            *cur;
    MDB_val                                key;
    uint64_t                               hash;  /* the record's */
    uint64_t                               n;     /* records read */
    int                                    done;
    char                                   what[48]; /* "source ..." */
} ps_diff_side_t;


typedef struct {
    ps_reader_t     old;
    ps_reader_t     new;
    int             ndjson;
    int             tags;
    int             print;      /* 0: the counting pass */
    uint64_t        max;
    uint64_t        count;      /* differences found in this pass */
} ps_diff_t;


static int ps_diff_run(ps_diff_t *d);
static int ps_diff_meta(ps_diff_t *d, char *key);
static int ps_diff_meta_value(ps_diff_t *d, const char *key);
static int ps_diff_records(ps_diff_t *d);
static int ps_diff_walk(ps_diff_t *d, unsigned i);
static int ps_diff_side_open(ps_diff_side_t *s, ps_reader_t *r,
    const ngx_http_profile_meta_source_t *src, MDB_dbi dbi);
static int ps_diff_next(ps_diff_side_t *s, MDB_cursor_op op);
static int ps_diff_emit(ps_diff_t *d, ps_diff_change_e change,
    const ngx_http_profile_meta_source_t *src, const MDB_val *key);
static void ps_diff_everything(ps_diff_t *d, const char *reason);
static void ps_diff_usage(FILE *f);


static const char  *ps_diff_changes[] = { "added", "removed", "changed" };


int
ps_diff_main(int argc, char **argv)
{
    int                  c, rc;
    char                *end;
    ps_diff_t           *d;
    unsigned long long   v;

    static const struct option  opts[] = {
        { "format", required_argument, NULL, 'f' },
        { "tags", no_argument, NULL, 't' },
        { "max", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };

    d = ps_alloc(sizeof(ps_diff_t));
    memset(d, 0, sizeof(ps_diff_t));
    d->max = PS_DIFF_MAX_DEFAULT;

    opterr = 0;
    optind = 1;
    rc = -1;

    /* options before or after OLD and NEW: "diff OLD NEW --tags" */

    while (rc == -1 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
    {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "lines") == 0) {
                d->ndjson = 0;

            } else if (strcmp(optarg, "ndjson") == 0) {
                d->ndjson = 1;

            } else {
                ps_error("diff: --format wants lines or ndjson, not \"%s\"",
                         optarg);
                rc = PS_EXIT_USAGE;
            }

            break;

        case 't':
            d->tags = 1;
            break;

        case 'm':
            errno = 0;
            v = strtoull(optarg, &end, 10);

            if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0'
                || errno != 0)
            {
                ps_error("diff: --max wants a number of differences, "
                         "0 or more, not \"%s\"", optarg);
                rc = PS_EXIT_USAGE;
            }

            d->max = v;
            break;

        case 'h':
            ps_diff_usage(stdout);
            rc = PS_EXIT_OK;
            break;

        default:
            ps_error("diff: unknown or incomplete option \"%s\"",
                     argv[optind - 1]);
            ps_diff_usage(stderr);
            rc = PS_EXIT_USAGE;
        }
    }

    if (rc == -1 && argc - optind != 2) {
        ps_error("diff: wants OLD and NEW");
        ps_diff_usage(stderr);
        rc = PS_EXIT_USAGE;
    }

    if (rc == -1) {
        rc = ps_reader_open(&d->old, argv[optind]);

        /* what nginx -t refuses is no snapshot to compare either */

        if (rc == 0) {
            rc = ps_reader_check_index(&d->old);
        }

        if (rc == 0) {
            rc = ps_reader_open(&d->new, argv[optind + 1]);

            if (rc == 0) {
                rc = ps_reader_check_index(&d->new);
            }

            if (rc == 0) {
                rc = ps_diff_run(d);
            }

            ps_reader_close(&d->new);
        }

        ps_reader_close(&d->old);
    }

    free(d);

    return rc;
}


/*
 * Both snapshots open and checked: compare, print.  Returns
 * PS_EXIT_OK (no difference), PS_EXIT_REJECTED (differences, as diff(1)
 * exits 1) or the exit code of an error (reported).
 */

static int
ps_diff_run(ps_diff_t *d)
{
    int   rc;
    char  reason[64 + NGX_HTTP_PROFILE_SOURCE_KEY_MAX];
    char  key[NGX_HTTP_PROFILE_SOURCE_KEY_MAX];

    rc = ps_diff_meta(d, key);

    if (rc < 0) {
        return PS_EXIT_CORRUPT;
    }

    if (rc > 0) {
        snprintf(reason, sizeof(reason), "meta \"%s\" differs", key);
        ps_diff_everything(d, reason);
        rc = PS_EXIT_REJECTED;
        goto done;
    }

    d->print = 0;
    rc = ps_diff_records(d);

    if (rc == PS_DIFF_TOO_MANY) {
        snprintf(reason, sizeof(reason), "more than %llu differences",
                 (unsigned long long) d->max);
        ps_diff_everything(d, reason);
        rc = PS_EXIT_REJECTED;
        goto done;
    }

    if (rc != 0) {
        return rc;
    }

    if (d->count == 0) {
        rc = PS_EXIT_OK;
        goto done;
    }

    /* the files are immutable: the second pass finds the same */

    d->print = 1;
    rc = ps_diff_records(d);

    if (rc != 0) {
        return (rc == PS_DIFF_TOO_MANY) ? PS_EXIT_IO : rc;
    }

    rc = PS_EXIT_REJECTED;

done:

    if (fflush(stdout) != 0 || ferror(stdout)) {
        ps_error("diff: writing the output failed: %s", strerror(errno));
        return PS_EXIT_IO;
    }

    return rc;
}


/*
 * 1 and its name in key (NGX_HTTP_PROFILE_SOURCE_KEY_MAX bytes): the
 * first meta value that changes what a shared cache may hold for every
 * record, differing byte for byte between the two (or present in one
 * only); 0 if none does; -1 if LMDB failed reading one (reported).
 * Not compared: snapshot_id, created_at,
 * content_hash, record_count, generator, the indexes and the relation
 * store (relations change only personal responses).
 */

static int
ps_diff_meta(ps_diff_t *d, char *key)
{
    int       rc;
    unsigned  i;

    static const char  *keys[] = {
        NGX_HTTP_PROFILE_META_VERSION, NGX_HTTP_PROFILE_META_CLASSES,
        NGX_HTTP_PROFILE_META_FIELDS, NGX_HTTP_PROFILE_META_MEMBERS,
        NGX_HTTP_PROFILE_META_ROLES, NGX_HTTP_PROFILE_META_STATES,
        NGX_HTTP_PROFILE_META_SCHEMA_DIGEST, NGX_HTTP_PROFILE_META_SOURCES
    };

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        rc = ps_diff_meta_value(d, keys[i]);

        if (rc != 0) {
            strcpy(key, keys[i]);
            return rc;
        }
    }

    /*
     * equal "sources" tables: the same sources, in the same order, each
     * with its fields and (optional) members tables
     */

    for (i = 0; i < 2 * d->old.meta.nsources; i++) {
        ngx_http_profile_source_key(key,
                                    (i % 2 == 0)
                                    ? NGX_HTTP_PROFILE_META_FIELDS_SOURCE
                                    : NGX_HTTP_PROFILE_META_MEMBERS_SOURCE,
                                    d->old.meta.sources[i / 2].name,
                                    d->old.meta.sources[i / 2].name_len);

        rc = ps_diff_meta_value(d, key);

        if (rc != 0) {
            return rc;
        }
    }

    return 0;
}


/*
 * 0 if meta key holds the same bytes in both snapshots (or is in
 * neither), 1 if not, -1 if LMDB failed reading it (reported)
 */

static int
ps_diff_meta_value(ps_diff_t *d, const char *key)
{
    int           ro, rn;
    MDB_val       vo, vn;
    ps_reader_t  *r;

    ro = ps_reader_meta(&d->old, key, &vo);
    rn = ps_reader_meta(&d->new, key, &vn);

    if ((ro != 0 && ro != MDB_NOTFOUND) || (rn != 0 && rn != MDB_NOTFOUND)) {
        r = (ro != 0 && ro != MDB_NOTFOUND) ? &d->old : &d->new;
        ps_error("%s: reading \"%s\" failed (%d: %s)", r->path, key,
                 r == &d->old ? ro : rn, mdb_strerror(r == &d->old ? ro : rn));
        return -1;
    }

    if (ro != 0 || rn != 0) {
        return ro != rn;
    }

    return vo.mv_size != vn.mv_size
           || memcmp(vo.mv_data, vn.mv_data, vo.mv_size) != 0;
}


/*
 * One pass over the profiles, then over each embedded source.  Returns
 * 0, PS_DIFF_TOO_MANY, or an exit code (reported).
 */

static int
ps_diff_records(ps_diff_t *d)
{
    int       rc;
    unsigned  i;

    d->count = 0;

    rc = ps_diff_walk(d, NGX_HTTP_PROFILE_MAX_SOURCES);

    for (i = 0; rc == 0 && i < d->old.meta.nsources; i++) {
        rc = ps_diff_walk(d, i);
    }

    return rc;
}


/*
 * The merge of one database of both snapshots in key order: the
 * profiles (i == NGX_HTTP_PROFILE_MAX_SOURCES) or embedded source i.
 * Returns 0, PS_DIFF_TOO_MANY, or an exit code (reported).
 */

static int
ps_diff_walk(ps_diff_t *d, unsigned i)
{
    int                                    rc, cmp;
    ps_diff_side_t                         o, n;
    const ngx_http_profile_meta_source_t  *so, *sn;

    so = NULL;
    sn = NULL;

    if (i < NGX_HTTP_PROFILE_MAX_SOURCES) {
        so = &d->old.meta.sources[i];
        sn = &d->new.meta.sources[i];
    }

    memset(&n, 0, sizeof(ps_diff_side_t));

    rc = ps_diff_side_open(&o, &d->old, so,
                           so ? so->dbi : d->old.meta.profiles);

    if (rc == 0) {
        rc = ps_diff_side_open(&n, &d->new, sn,
                               sn ? sn->dbi : d->new.meta.profiles);
    }

    if (rc == 0) {
        rc = ps_diff_next(&o, MDB_FIRST);
    }

    if (rc == 0) {
        rc = ps_diff_next(&n, MDB_FIRST);
    }

    while (rc == 0 && !(o.done && n.done)) {

        /* LMDB's default order: the one both databases are sorted in */

        if (o.done) {
            cmp = 1;

        } else if (n.done) {
            cmp = -1;

        } else {
            cmp = mdb_cmp(d->old.file.txn, o.src ? o.src->dbi
                                                 : d->old.meta.profiles,
                          &o.key, &n.key);
        }

        if (cmp < 0) {
            rc = ps_diff_emit(d, PS_DIFF_REMOVED, so, &o.key);

            if (rc == 0) {
                rc = ps_diff_next(&o, MDB_NEXT);
            }

        } else if (cmp > 0) {
            rc = ps_diff_emit(d, PS_DIFF_ADDED, so, &n.key);

            if (rc == 0) {
                rc = ps_diff_next(&n, MDB_NEXT);
            }

        } else {
            if (o.hash != n.hash) {
                rc = ps_diff_emit(d, PS_DIFF_CHANGED, so, &o.key);
            }

            if (rc == 0) {
                rc = ps_diff_next(&o, MDB_NEXT);
            }

            if (rc == 0) {
                rc = ps_diff_next(&n, MDB_NEXT);
            }
        }
    }

    if (o.cur != NULL) {
        mdb_cursor_close(o.cur);
    }

    if (n.cur != NULL) {
        mdb_cursor_close(n.cur);
    }

    return rc;
}


/* a cursor over dbi of r: 0, or PS_EXIT_IO (reported) */

static int
ps_diff_side_open(ps_diff_side_t *s, ps_reader_t *r,
    const ngx_http_profile_meta_source_t *src, MDB_dbi dbi)
{
    int  rc;

    memset(s, 0, sizeof(ps_diff_side_t));
    s->r = r;
    s->src = src;

    /* messages about an embedded record start as verify's do */

    if (src != NULL) {
        snprintf(s->what, sizeof(s->what), "source \"%.*s\": ",
                 (int) src->name_len, src->name);
    }

    rc = mdb_cursor_open(r->file.txn, dbi, &s->cur);

    if (rc != 0) {
        s->cur = NULL;
        ps_error("%s: mdb_cursor_open() failed (%d: %s)", r->path, rc,
                 mdb_strerror(rc));
        return PS_EXIT_IO;
    }

    return 0;
}


/*
 * The first or next record of a side, checked as inspect checks a record
 * it shows (inside the file, a valid key, the module's deep decoder, the
 * key the record holds, its stored hash): s->key and s->hash set, or
 * s->done at the end.  Returns 0, or PS_EXIT_CORRUPT or PS_EXIT_IO
 * (reported).
 */

static int
ps_diff_next(ps_diff_side_t *s, MDB_cursor_op op)
{
    int                        rc;
    MDB_val                    val;
    unsigned                   nfields;
    ngx_http_profile_field_t  *fields;
    ngx_http_profile_record_t  rec;

    rc = mdb_cursor_get(s->cur, &s->key, &val, op);

    if (rc == MDB_NOTFOUND) {
        s->done = 1;
        return 0;
    }

    if (rc != 0) {
        ps_error("%s: %smdb_cursor_get() failed (%d: %s)", s->r->path,
                 s->what, rc, mdb_strerror(rc));
        return PS_EXIT_IO;
    }

    s->n++;

    if (!ngx_http_profile_file_inside(&s->r->file, s->key.mv_data,
                                      s->key.mv_size)
        || !ngx_http_profile_file_inside(&s->r->file, val.mv_data,
                                         val.mv_size))
    {
        ps_error("%s: %srecord %llu in key order lies outside the file",
                 s->r->path, s->what, (unsigned long long) s->n);
        return PS_EXIT_CORRUPT;
    }

    if (!ngx_http_profile_id_valid(s->key.mv_data, s->key.mv_size)) {
        ps_error("%s: %srecord %llu in key order has an invalid key",
                 s->r->path, s->what, (unsigned long long) s->n);
        return PS_EXIT_CORRUPT;
    }

    fields = (s->src != NULL) ? s->src->fields : s->r->meta.fields;
    nfields = (s->src != NULL) ? s->src->nfields : s->r->meta.nfields;

    rc = ngx_http_profile_record_parse(&rec, val.mv_data, val.mv_size,
                                       nfields, s->r->meta.nclasses, fields,
                                       1);

    if (rc == NGX_HTTP_PROFILE_FMT_OK
        && (rec.id_len != s->key.mv_size
            || memcmp(rec.id, s->key.mv_data, s->key.mv_size) != 0))
    {
        rc = NGX_HTTP_PROFILE_FMT_ID;
    }

    if (rc == NGX_HTTP_PROFILE_FMT_OK
        && ngx_http_profile_record_hash(val.mv_data, val.mv_size)
           != rec.hash)
    {
        rc = NGX_HTTP_PROFILE_FMT_HASH;
    }

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ps_error("%s: %srecord \"%.*s\" is invalid: %s", s->r->path,
                 s->what, (int) s->key.mv_size, (const char *) s->key.mv_data,
                 ngx_http_profile_fmt_strerror(rc));
        return PS_EXIT_CORRUPT;
    }

    s->hash = rec.hash;

    return 0;
}


/*
 * One difference: counted, and printed in the second pass.  Returns 0,
 * or PS_DIFF_TOO_MANY once more than --max were found.
 */

static int
ps_diff_emit(ps_diff_t *d, ps_diff_change_e change,
    const ngx_http_profile_meta_source_t *src, const MDB_val *key)
{
    int          klen, slen;
    const char  *k, *s;

    if (++d->count > d->max) {
        return PS_DIFF_TOO_MANY;
    }

    if (!d->print) {
        return 0;
    }

    /* keys are valid ids and names [a-z0-9_]: nothing to escape */

    k = key->mv_data;
    klen = (int) key->mv_size;
    s = (src != NULL) ? (const char *) src->name : "";
    slen = (src != NULL) ? (int) src->name_len : 0;

    if (d->tags) {
        if (src == NULL) {
            printf(d->ndjson ? "{\"tag\":\"p:%.*s\"}\n" : "p:%.*s\n",
                   klen, k);

        } else {
            printf(d->ndjson ? "{\"tag\":\"s:%.*s:%.*s\"}\n"
                             : "s:%.*s:%.*s\n", slen, s, klen, k);
        }

    } else if (d->ndjson) {
        if (src == NULL) {
            printf("{\"change\":\"%s\",\"id\":\"%.*s\"}\n",
                   ps_diff_changes[change], klen, k);

        } else {
            printf("{\"change\":\"%s\",\"source\":\"%.*s\","
                   "\"key\":\"%.*s\"}\n", ps_diff_changes[change], slen, s,
                   klen, k);
        }

    } else {
        if (src == NULL) {
            printf("%s %.*s\n", ps_diff_changes[change], klen, k);

        } else {
            printf("%s %.*s %.*s\n", ps_diff_changes[change], slen, s,
                   klen, k);
        }
    }

    return 0;
}


/*
 * The one line of "everything": with --tags the tag every response
 * rendered from OLD carries (snapshot ids are [A-Za-z0-9._-]); reason
 * holds quotes, escaped for NDJSON
 */

static void
ps_diff_everything(ps_diff_t *d, const char *reason)
{
    ps_buf_t  b;

    memset(&b, 0, sizeof(ps_buf_t));

    if (d->tags) {
        ps_buf_printf(&b, d->ndjson ? "{\"tag\":\"snap:%.*s\",\"reason\":"
                                    : "snap:%.*s",
                      (int) d->old.meta.snapshot_id_len,
                      (const char *) d->old.meta.snapshot_id);

    } else {
        ps_buf_adds(&b, d->ndjson ? "{\"change\":\"everything\",\"reason\":"
                                  : "everything");
    }

    if (d->ndjson) {
        ps_buf_add_json_string(&b, reason, strlen(reason));
        ps_buf_addc(&b, '}');
    }

    ps_buf_addc(&b, '\n');
    fwrite(b.data, 1, b.len, stdout);
    ps_buf_free(&b);
}


static void
ps_diff_usage(FILE *f)
{
    fprintf(f,
        "usage: " PS_NAME " diff [--format lines|ndjson] [--tags] [--max N] "
        "OLD NEW\n"
        "\n"
        "  what changed from snapshot OLD to NEW, in key order:\n"
        "  \"added ID\", \"removed ID\", \"changed ID\" for profiles,\n"
        "  \"added SOURCE KEY\" (and removed, changed) for embedded "
        "records,\n"
        "  or the one line \"everything\"; exit 0 if nothing changed, "
        "1 if something did\n"
        "\n"
        "  --format ndjson  one JSON object a line instead\n"
        "  --tags           the cache tags to purge: p:ID, s:SOURCE:KEY, "
        "or snap:OLD_ID\n"
        "  --max N          more than N differences are \"everything\" "
        "(default 100000)\n");
}
