
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The "verify" command: check a snapshot the way the module would, and
 * deeper: every record decoded with the module's parser in deep mode,
 * every fragment parsed as JSON, the hashes and counts recomputed.
 */


#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_json.h"
#include "ps_coerce.h"
#include "ps_reader.h"
#include "ps_sha256.h"
#include "ps_trailer.h"
#include "ps_verify.h"


#define PS_VERIFY_MAX_SHOWN  20


typedef struct {
    ps_reader_t     r;

    /*
     * the records being walked: the profiles, or an embedded source's
     * (src NULL for the profiles)
     */
    const ngx_http_profile_meta_source_t  *src;
    const ngx_http_profile_index_t        *idx;
    const ngx_http_profile_field_t        *fields;
    unsigned                               nfields;
    const ngx_http_profile_member_t       *members;
    unsigned                               nmembers;

    uint64_t        problems;
    uint32_t        max_probe;  /* longest probe of the index seen */
    uint64_t        lost;       /* records the index did not find */
    int             quiet;
    ps_buf_t        msg;
} ps_verify_t;


static void ps_verify_meta(ps_verify_t *v);
static void ps_verify_records(ps_verify_t *v);
static int ps_verify_walk(ps_verify_t *v, MDB_dbi dbi, ps_sha256_t *sha,
    uint64_t *n);
static void ps_verify_record(ps_verify_t *v, MDB_val *key, MDB_val *val);
static void ps_verify_lookup(ps_verify_t *v, MDB_val *key, MDB_val *val);
static void ps_verify_index(ps_verify_t *v, uint64_t records);
static void ps_verify_relations(ps_verify_t *v, ps_sha256_t *sha);
static void ps_verify_relation(ps_verify_t *v,
    const ngx_http_profile_index_t *idx, MDB_val *key, MDB_val *val,
    uint64_t n);
static void ps_verify_trailer(ps_verify_t *v, MDB_val *key,
    const ngx_http_profile_record_t *rec);
static void ps_verify_alt(ps_verify_t *v, MDB_val *key,
    const ngx_http_profile_trailer_t *t, unsigned of, unsigned id,
    const unsigned char *value, size_t len, unsigned *nalts);
static int ps_verify_fragment(ps_verify_t *v,
    const ngx_http_profile_entry_t *e, const unsigned char *frag);
static void ps_verify_problem(ps_verify_t *v, MDB_val *key,
    const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
static int ps_verify_text(MDB_val *val, const char *allowed, size_t min,
    size_t max);


int
ps_verify_main(int argc, char **argv)
{
    int  c, quiet;

    static const struct option  opts[] = {
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };

    opterr = 0;
    optind = 1;
    quiet = 0;

    while ((c = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
        switch (c) {
        case 'q':
            quiet = 1;
            break;
        case 'h':
            printf("usage: " PS_NAME " verify [-q] PATH\n"
                   "  exit 0 if PATH is a valid snapshot, 6 if not\n");
            return PS_EXIT_OK;
        default:
            ps_error("verify: unknown or incomplete option \"%s\"",
                     argv[optind - 1]);
            return PS_EXIT_USAGE;
        }
    }

    if (argc - optind != 1) {
        ps_error("verify: wants one PATH");
        return PS_EXIT_USAGE;
    }

    return ps_verify_path(argv[optind], quiet);
}


int
ps_verify_path(const char *path, int quiet)
{
    int           rc;
    ps_verify_t  *v;

    v = ps_alloc(sizeof(ps_verify_t));
    memset(v, 0, sizeof(ps_verify_t));
    v->quiet = quiet;

    rc = ps_reader_open(&v->r, path);

    if (rc == 0) {
        ps_verify_meta(v);
        ps_verify_records(v);

        if (v->problems > PS_VERIFY_MAX_SHOWN) {
            ps_error("%s: %llu more problems not shown", v->r.path,
                     (unsigned long long) (v->problems
                                           - PS_VERIFY_MAX_SHOWN));
        }

        if (v->problems) {
            ps_error("%s: INVALID: %llu problems", v->r.path,
                     (unsigned long long) v->problems);
            rc = PS_EXIT_CORRUPT;

        } else if (!v->quiet) {
            printf("%s: ok\n", v->r.path);
        }
    }

    ps_reader_close(&v->r);
    ps_buf_free(&v->msg);
    free(v);

    return rc;
}


static void
ps_verify_meta(ps_verify_t *v)
{
    int                      rc;
    char                     text[PS_SHA256_TEXT];
    MDB_val                  val;
    unsigned                 n;
    ngx_http_profile_role_t  roles[NGX_HTTP_PROFILE_MAX_ROLES];

    /*
     * format, format_version, classes, fields, record_count, index and
     * snapshot_id passed the module's check when the file was opened
     * (ps_reader_open()); these are the values only verify looks at
     */

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_CREATED_AT, &val) != 0
        || val.mv_size != 20
        || !ps_rfc3339_valid(val.mv_data, val.mv_size)
        || ((char *) val.mv_data)[19] != 'Z')
    {
        ps_verify_problem(v, NULL, "meta \"created_at\" missing or not "
                          "YYYY-MM-DDTHH:MM:SSZ");
    }

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_GENERATOR, &val) != 0
        || !ps_verify_text(&val, " ._-", 1, 255))
    {
        ps_verify_problem(v, NULL, "meta \"generator\" missing or invalid");
    }

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_ROLES, &val) == 0
        && (rc = ngx_http_profile_roles_parse(val.mv_data, val.mv_size,
                                              v->r.meta.nclasses,
                                              v->r.meta.nfields, roles, &n))
           != NGX_HTTP_PROFILE_FMT_OK)
    {
        ps_verify_problem(v, NULL, "meta \"roles\" is invalid: %s",
                          ngx_http_profile_fmt_strerror(rc));
    }

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_SCHEMA, &val) != 0) {
        ps_verify_problem(v, NULL, "meta \"schema\" missing");
        return;
    }

    ps_sha256_digest(val.mv_data, val.mv_size, text);

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_SCHEMA_DIGEST, &val) != 0
        || val.mv_size != PS_SHA256_TEXT - 1
        || memcmp(val.mv_data, text, val.mv_size) != 0)
    {
        ps_verify_problem(v, NULL, "meta \"schema_digest\" does not match "
                          "the stored schema (%s)", text);
    }
}


/*
 * Every record of dbi in key order: inside the file, hashed into sha,
 * checked, found through v->idx; *n counts them.  Returns 0, or -1 when
 * LMDB failed the walk (reported).
 */

static int
ps_verify_walk(ps_verify_t *v, MDB_dbi dbi, ps_sha256_t *sha, uint64_t *n)
{
    int          rc;
    MDB_val      key, val;
    MDB_cursor  *cur;

    *n = 0;

    rc = mdb_cursor_open(v->r.file.txn, dbi, &cur);
    if (rc != 0) {
        ps_verify_problem(v, NULL, "mdb_cursor_open() failed (%d: %s)", rc,
                          mdb_strerror(rc));
        return -1;
    }

    for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
         rc == 0;
         rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT))
    {
        (*n)++;

        if (!ngx_http_profile_file_inside(&v->r.file, key.mv_data,
                                          key.mv_size)
            || !ngx_http_profile_file_inside(&v->r.file, val.mv_data,
                                             val.mv_size))
        {
            ps_verify_problem(v, NULL, "record %llu in key order lies "
                              "outside the file", (unsigned long long) *n);
            continue;
        }

        ps_sha256_item(sha, key.mv_data, key.mv_size);
        ps_sha256_item(sha, val.mv_data, val.mv_size);
        ps_verify_record(v, &key, &val);
        ps_verify_lookup(v, &key, &val);
    }

    mdb_cursor_close(cur);

    if (rc != MDB_NOTFOUND) {
        ps_verify_problem(v, NULL, "mdb_cursor_get() failed (%d: %s)", rc,
                          mdb_strerror(rc));
        return -1;
    }

    return 0;
}


static void
ps_verify_records(ps_verify_t *v)
{
    char           text[PS_SHA256_TEXT], num[32];
    char           name[NGX_HTTP_PROFILE_SOURCE_KEY_MAX];
    MDB_val        val;
    uint64_t       n;
    unsigned       i;
    ps_sha256_t    sha;
    unsigned char  digest[PS_SHA256_SIZE];

    ps_sha256_init(&sha);

    /*
     * The embedded sources first, as the content hash has them: the
     * "sources" table, then per source its fields table and its records,
     * each checked like a profile against the source's fields, found
     * through the source's keyed table
     */

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_SOURCES, &val) == 0) {
        ps_sha256_item(&sha, val.mv_data, val.mv_size);
    }

    for (i = 0; i < v->r.meta.nsources; i++) {
        v->src = &v->r.meta.sources[i];
        v->idx = &v->src->index;
        v->fields = v->src->fields;
        v->nfields = v->src->nfields;
        v->members = v->src->members;
        v->nmembers = v->src->nmembers;
        v->lost = 0;
        v->max_probe = 0;

        ngx_http_profile_source_key(name, NGX_HTTP_PROFILE_META_FIELDS_SOURCE,
                                    v->src->name, v->src->name_len);

        if (ps_reader_meta(&v->r, name, &val) == 0) {
            ps_sha256_item(&sha, val.mv_data, val.mv_size);
        }

        ngx_http_profile_source_key(name,
                                    NGX_HTTP_PROFILE_META_MEMBERS_SOURCE,
                                    v->src->name, v->src->name_len);

        if (ps_reader_meta(&v->r, name, &val) == 0) {
            ps_sha256_item(&sha, val.mv_data, val.mv_size);
        }

        if (ps_verify_walk(v, v->src->dbi, &sha, &n) != 0) {
            ps_sha256_free(&sha);
            return;
        }

        ps_verify_index(v, n);
    }

    v->src = NULL;
    v->idx = &v->r.meta.index;
    v->fields = v->r.meta.fields;
    v->nfields = v->r.meta.nfields;
    v->members = v->r.meta.members;
    v->nmembers = v->r.meta.nmembers;
    v->lost = 0;
    v->max_probe = 0;

    if (ps_verify_walk(v, v->r.meta.profiles, &sha, &n) != 0) {
        ps_sha256_free(&sha);
        return;
    }

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_CLASSES, &val) == 0) {
        ps_sha256_item(&sha, val.mv_data, val.mv_size);
    }

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_FIELDS, &val) == 0) {
        ps_sha256_item(&sha, val.mv_data, val.mv_size);
    }

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_ROLES, &val) == 0) {
        ps_sha256_item(&sha, val.mv_data, val.mv_size);
    }

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_STATES, &val) == 0) {
        ps_sha256_item(&sha, val.mv_data, val.mv_size);
    }

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_MEMBERS, &val) == 0) {
        ps_sha256_item(&sha, val.mv_data, val.mv_size);
    }

    ps_verify_relations(v, &sha);

    ps_sha256_final(&sha, digest);
    ps_sha256_text(digest, text);

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_CONTENT_HASH, &val) != 0
        || val.mv_size != PS_SHA256_TEXT - 1
        || memcmp(val.mv_data, text, val.mv_size) != 0)
    {
        ps_verify_problem(v, NULL, "meta \"content_hash\" does not match "
                          "the content (%s)", text);
    }

    snprintf(num, sizeof(num), "%llu", (unsigned long long) n);

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_RECORD_COUNT, &val) != 0
        || val.mv_size != strlen(num)
        || memcmp(val.mv_data, num, val.mv_size) != 0)
    {
        ps_verify_problem(v, NULL, "meta \"record_count\" is not %s", num);
    }

    ps_verify_index(v, n);
}


/*
 * The relations, when there are any: every value checked, found through
 * "index.relations" as the module will find it, the table's used slots
 * against the pairs; each pair added to the content hash, in key order.
 */

static void
ps_verify_relations(ps_verify_t *v, ps_sha256_t *sha)
{
    int                       rc;
    uint32_t                  size, tag;
    uint64_t                  n, i, used;
    MDB_dbi                   dbi;
    MDB_val                   key, val, ival;
    MDB_stat                  st;
    MDB_cursor               *cur;
    ngx_http_profile_index_t  idx;

    rc = mdb_dbi_open(v->r.file.txn, NGX_HTTP_PROFILE_DB_RELATIONS, 0, &dbi);

    if (rc == MDB_NOTFOUND) {
        if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_INDEX_RELATIONS,
                           &ival) == 0)
        {
            ps_verify_problem(v, NULL, "meta \"index.relations\" without "
                              "a \"relations\" database");
        }

        return;
    }

    if (rc == 0) {
        rc = mdb_stat(v->r.file.txn, dbi, &st);
    }

    if (rc != 0) {
        ps_verify_problem(v, NULL, "mdb_dbi_open(relations) failed (%d: %s)",
                          rc, mdb_strerror(rc));
        return;
    }

    if (ps_reader_meta(&v->r, NGX_HTTP_PROFILE_META_INDEX_RELATIONS, &ival)
        != 0)
    {
        ps_verify_problem(v, NULL, "meta \"index.relations\" missing");
        return;
    }

    rc = ngx_http_profile_index_parse(&idx, ival.mv_data, ival.mv_size,
                                      st.ms_entries);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ps_verify_problem(v, NULL, "meta \"index.relations\" is invalid: %s",
                          ngx_http_profile_fmt_strerror(rc));
        return;
    }

    rc = mdb_cursor_open(v->r.file.txn, dbi, &cur);
    if (rc != 0) {
        ps_verify_problem(v, NULL, "mdb_cursor_open() failed (%d: %s)", rc,
                          mdb_strerror(rc));
        return;
    }

    n = 0;

    for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
         rc == 0;
         rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT))
    {
        n++;

        if (!ngx_http_profile_file_inside(&v->r.file, key.mv_data,
                                          key.mv_size)
            || !ngx_http_profile_file_inside(&v->r.file, val.mv_data,
                                             val.mv_size))
        {
            ps_verify_problem(v, NULL, "relation %llu in key order lies "
                              "outside the file", (unsigned long long) n);
            continue;
        }

        ps_sha256_item(sha, key.mv_data, key.mv_size);
        ps_sha256_item(sha, val.mv_data, val.mv_size);
        ps_verify_relation(v, &idx, &key, &val, n);
    }

    mdb_cursor_close(cur);

    if (rc != MDB_NOTFOUND) {
        ps_verify_problem(v, NULL, "mdb_cursor_get() failed (%d: %s)", rc,
                          mdb_strerror(rc));
        return;
    }

    used = 0;

    for (i = 0; i <= idx.mask; i++) {
        used += ngx_http_profile_slot_decode(ngx_http_profile_index_slot(&idx,
                                                                         i),
                                             &size, &tag)
                != 0;
    }

    if (used != n) {
        ps_verify_problem(v, NULL, "meta \"index.relations\" has %llu used "
                          "slots for %llu relations",
                          (unsigned long long) used, (unsigned long long) n);
    }
}


/* one relation: a valid value holding its key, found through the index */

static void
ps_verify_relation(ps_verify_t *v, const ngx_http_profile_index_t *idx,
    MDB_val *key, MDB_val *val, uint64_t n)
{
    int                          rc;
    uint32_t                     size, tag;
    uint64_t                     slot, off;
    ngx_http_profile_relation_t  rel, found;

    rc = ngx_http_profile_relation_parse(&rel, val->mv_data, val->mv_size);

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ps_verify_problem(v, NULL, "relation %llu in key order: %s",
                          (unsigned long long) n,
                          ngx_http_profile_fmt_strerror(rc));
        return;
    }

    if (rel.key_len != key->mv_size
        || memcmp(rel.key, key->mv_data, key->mv_size) != 0)
    {
        ps_verify_problem(v, NULL, "relation %llu in key order holds "
                          "another pair than its key",
                          (unsigned long long) n);
        return;
    }

    rc = ngx_http_profile_relation_find(idx, v->r.file.map, v->r.file.size,
                                        key->mv_data, key->mv_size, &found,
                                        &slot);

    off = ngx_http_profile_file_offset(&v->r.file, val);

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ps_verify_problem(v, NULL, "relation \"%.*s\" \"%.*s\": not found "
                          "through the index (%s)", (int) rel.a_len, rel.a,
                          (int) rel.b_len, rel.b,
                          ngx_http_profile_fmt_strerror(rc));

    } else if (ngx_http_profile_slot_decode(ngx_http_profile_index_slot(idx,
                                                                      slot),
                                            &size, &tag)
               != off
               || size != val->mv_size)
    {
        ps_verify_problem(v, NULL, "relation \"%.*s\" \"%.*s\": the index "
                          "points at other bytes than the relation's",
                          (int) rel.a_len, rel.a, (int) rel.b_len, rel.b);
    }
}


/* the index finds this record, and these very bytes, within max_probe */

static void
ps_verify_lookup(ps_verify_t *v, MDB_val *key, MDB_val *val)
{
    int                        rc;
    uint32_t                   tag, dist;
    uint64_t                   home, slot;
    const unsigned char       *start;
    ngx_http_profile_record_t  rec;

    slot = 0;
    rc = ngx_http_profile_index_find(v->idx, v->r.file.map, v->r.file.size,
                                     key->mv_data, key->mv_size, &rec, &slot,
                                     NULL);

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        v->lost++;
    }

    if (rc == NGX_HTTP_PROFILE_FMT_MISSING) {
        ps_verify_problem(v, key, "not found through the index");
        return;
    }

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ps_verify_problem(v, key, "index slot %llu: %s",
                          (unsigned long long) slot,
                          ngx_http_profile_fmt_strerror(rc));
        return;
    }

    start = rec.id - NGX_HTTP_PROFILE_RECORD_HEADER_SIZE - 1;

    if ((size_t) (rec.body + rec.body_len + rec.trailer_len - start)
        != val->mv_size
        || memcmp(start, val->mv_data, val->mv_size) != 0)
    {
        v->lost++;
        ps_verify_problem(v, key, "the index points at other bytes than "
                          "the record's");
        return;
    }

    home = ngx_http_profile_index_home(v->idx, key->mv_data,
                                       key->mv_size, &tag);
    dist = (uint32_t) (((slot - home) & v->idx->mask) + 1);

    if (dist > v->max_probe) {
        v->max_probe = dist;
    }
}


/* slot by slot: as many used slots as records, all inside the file */

static void
ps_verify_index(ps_verify_t *v, uint64_t records)
{
    char      name[NGX_HTTP_PROFILE_SOURCE_KEY_MAX];
    uint32_t  size, tag;
    uint64_t  i, used, off;

    if (v->src != NULL) {
        ngx_http_profile_source_key(name, NGX_HTTP_PROFILE_META_INDEX_SOURCE,
                                    v->src->name, v->src->name_len);

    } else {
        strcpy(name, NGX_HTTP_PROFILE_META_INDEX);
    }

    used = 0;

    for (i = 0; i <= v->idx->mask; i++) {
        off = ngx_http_profile_slot_decode(
                  ngx_http_profile_index_slot(v->idx, i), &size,
                  &tag);

        if (off == 0) {
            continue;
        }

        used++;

        if (off > v->r.file.size || size > v->r.file.size - off) {
            ps_verify_problem(v, NULL, "index slot %llu: %s",
                              (unsigned long long) i,
                              ngx_http_profile_fmt_strerror(
                                  NGX_HTTP_PROFILE_FMT_SLOT));
        }
    }

    if (used != records) {
        ps_verify_problem(v, NULL, "meta \"%s\" has %llu used slots for "
                          "%llu records", name, (unsigned long long) used,
                          (unsigned long long) records);
    }

    /* the longest probe is known only if every lookup succeeded */

    if (v->lost == 0 && v->max_probe != v->idx->max_probe) {
        ps_verify_problem(v, NULL, "meta \"%s\" says the longest probe "
                          "is %u, it is %u", name, v->idx->max_probe,
                          v->max_probe);
    }
}


static void
ps_verify_record(ps_verify_t *v, MDB_val *key, MDB_val *val)
{
    int                        rc;
    unsigned                   i;
    uint32_t                   expect;
    ngx_http_profile_entry_t   e;
    ngx_http_profile_record_t  rec;

    if (!ngx_http_profile_id_valid(key->mv_data, key->mv_size)) {
        ps_verify_problem(v, key, "invalid profile id");
    }

    rc = ngx_http_profile_record_parse(&rec, val->mv_data, val->mv_size,
                                       v->nfields, v->r.meta.nclasses,
                                       v->fields, 1);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ps_verify_problem(v, key, "%s", ngx_http_profile_fmt_strerror(rc));
        return;
    }

    if (ngx_http_profile_record_hash(val->mv_data, val->mv_size)
        != rec.hash)
    {
        ps_verify_problem(v, key, "per-record hash does not match");
    }

    /* fragments in entry order, joined by exactly one "," */

    expect = 0;

    for (i = 0; i < rec.nentries; i++) {
        ngx_http_profile_record_entry(&rec, i, &e);

        if (e.off != expect || (i > 0 && rec.body[e.off - 1] != ',')) {
            ps_verify_problem(v, key, "fragment of field %u is not where "
                              "the layout puts it", e.field_id);
            return;
        }

        expect = e.off + e.len + 1;

        if (ps_verify_fragment(v, &e, rec.body + e.off) != 0) {
            ps_verify_problem(v, key, "fragment of field \"%.*s\" is not "
                              "a valid %s value",
                              (int) v->fields[e.field_id].name_len,
                              v->fields[e.field_id].name,
                              e.type == 0 ? "null"
                              : e.type == 5 ? "timestamp" : "JSON");
        }
    }

    if ((rec.nentries == 0 && rec.body_len != 0)
        || (rec.nentries > 0 && expect - 1 != rec.body_len))
    {
        ps_verify_problem(v, key, "record body has bytes outside its "
                          "fragments");
        return;
    }

    ps_verify_trailer(v, key, &rec);
}


/*
 * The trailer against the record (record_parse() checked its counts,
 * bounds and order): exactly one member entry per declared member an
 * object holds, pointing at that member's value inside its parent's
 * fragment, and exactly one epoch alt per non-null timestamp (field or
 * member), equal to what the stored time gives; none at all, no
 * trailer; a trailer only in a version 4 file.
 */

static void
ps_verify_trailer(ps_verify_t *v, MDB_val *key,
    const ngx_http_profile_record_t *rec)
{
    int                          rc;
    size_t                       pos, skip;
    unsigned                     i, id, nmembers, nalts;
    uint32_t                     len;
    ps_span_t                    m;
    const unsigned char         *value, *frag;
    ngx_http_profile_entry_t     e;
    const ngx_http_profile_field_t  *f;
    const ngx_http_profile_member_t  *mm;
    ngx_http_profile_tentry_t    te;
    ngx_http_profile_trailer_t   t;

    if (rec->trailer != NULL
        && v->r.meta.version < NGX_HTTP_PROFILE_FORMAT_VERSION)
    {
        ps_verify_problem(v, key, "a record trailer, but meta "
                          "\"format_version\" is %llu",
                          (unsigned long long) v->r.meta.version);
    }

    if (ngx_http_profile_record_trailer(rec, &t) != NGX_HTTP_PROFILE_FMT_OK)
    {
        return;     /* record_parse() reported it */
    }

    for (i = 0; i < t.nmembers; i++) {
        ngx_http_profile_trailer_member_entry(&t, i, &te);

        if (te.id >= v->nmembers) {
            ps_verify_problem(v, key, "trailer: member %u is not in meta "
                              "\"members\"", te.id);
            return;
        }
    }

    nmembers = 0;
    nalts = 0;

    for (i = 0; i < rec->nentries; i++) {
        ngx_http_profile_record_entry(rec, i, &e);
        f = &v->fields[e.field_id];
        skip = (size_t) f->name_len + 3;
        frag = rec->body + e.off;

        if (e.type == NGX_HTTP_PROFILE_TYPE_TIMESTAMP) {
            ps_verify_alt(v, key, &t, NGX_HTTP_PROFILE_ALT_OF_FIELD,
                          e.field_id, frag + skip, e.len - skip, &nalts);
            continue;
        }

        if (e.type != NGX_HTTP_PROFILE_TYPE_OBJECT) {
            continue;
        }

        /* the object's members, by a scan of the value */

        pos = 0;

        while ((rc = ps_span_next(frag + skip, e.len - skip, &pos, &m))
               == 1)
        {
            for (id = 0; id < v->nmembers; id++) {
                mm = &v->members[id];

                if (mm->parent == e.field_id && mm->name_len == m.key_len
                    && memcmp(mm->name, m.key, m.key_len) == 0)
                {
                    break;
                }
            }

            if (id == v->nmembers) {
                continue;
            }

            /* (a name twice fails the fragment's JSON check) */

            if (ngx_http_profile_trailer_member(&t, id, &value, &len)
                != NGX_HTTP_PROFILE_FMT_OK)
            {
                ps_verify_problem(v, key, "trailer: member \"%.*s.%.*s\" "
                                  "has no entry", (int) f->name_len,
                                  f->name, (int) mm->name_len, mm->name);
                continue;
            }

            if (value != frag + skip + m.off || len != m.len) {
                ps_verify_problem(v, key, "trailer: member \"%.*s.%.*s\" "
                                  "does not point at its value",
                                  (int) f->name_len, f->name,
                                  (int) mm->name_len, mm->name);
                continue;
            }

            nmembers++;

            if (mm->type == NGX_HTTP_PROFILE_TYPE_TIMESTAMP) {
                ps_verify_alt(v, key, &t, NGX_HTTP_PROFILE_ALT_OF_MEMBER,
                              id, value, len, &nalts);
            }
        }

        if (rc != 0) {
            ps_verify_problem(v, key, "fragment of field \"%.*s\" is not "
                              "a valid %s value", (int) f->name_len, f->name,
                              "JSON");
        }
    }

    if (nmembers != t.nmembers) {
        ps_verify_problem(v, key, "trailer: %u member entries, for %u "
                          "member values", t.nmembers, nmembers);
    }

    if (nalts != t.nalts) {
        ps_verify_problem(v, key, "trailer: %u alts, for %u timestamp "
                          "values", t.nalts, nalts);
    }

    if (rec->trailer != NULL && t.nmembers == 0 && t.nalts == 0) {
        ps_verify_problem(v, key, "trailer: empty (a record with nothing "
                          "to prepare has no trailer)");
    }
}


/* the epoch alt of one timestamp value (no alt for null) */

static void
ps_verify_alt(ps_verify_t *v, MDB_val *key,
    const ngx_http_profile_trailer_t *t, unsigned of, unsigned id,
    const unsigned char *value, size_t len, unsigned *nalts)
{
    int                   n;
    char                  text[PS_EPOCH_TEXT];
    uint32_t              alen;
    const unsigned char  *alt;

    if (len == 4 && memcmp(value, "null", 4) == 0) {
        return;
    }

    n = ps_epoch_text(value, len, text);

    if (n <= 0) {
        return;     /* not a time: the fragment check reports it */
    }

    (*nalts)++;

    if (ngx_http_profile_trailer_alt(t, NGX_HTTP_PROFILE_ALT_EPOCH, of, id,
                                     &alt, &alen)
        == NGX_HTTP_PROFILE_FMT_OK
        && alen == (uint32_t) n && memcmp(alt, text, alen) == 0)
    {
        return;
    }

    ps_verify_problem(v, key, "trailer: the epoch of %s %u is missing or "
                      "is not %s", of == NGX_HTTP_PROFILE_ALT_OF_FIELD
                                   ? "field" : "member", id, text);
}


/* the value after "name": must be one JSON value of the entry's type */

static int
ps_verify_fragment(ps_verify_t *v, const ngx_http_profile_entry_t *e,
    const unsigned char *frag)
{
    int            ok;
    size_t         skip;
    json_t        *j;
    json_error_t   err;

    skip = v->fields[e->field_id].name_len + 3;

    j = json_loadb((const char *) frag + skip, e->len - skip,
                   JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
    if (j == NULL) {
        return -1;
    }

    switch (e->type) {
    case NGX_HTTP_PROFILE_TYPE_NULL:
        ok = json_is_null(j);
        break;
    case NGX_HTTP_PROFILE_TYPE_STRING:
        ok = json_is_string(j);
        break;
    case NGX_HTTP_PROFILE_TYPE_INTEGER:
        ok = json_is_integer(j);
        break;
    case NGX_HTTP_PROFILE_TYPE_NUMBER:
        ok = json_is_number(j);
        break;
    case NGX_HTTP_PROFILE_TYPE_BOOLEAN:
        ok = json_is_boolean(j);
        break;
    case NGX_HTTP_PROFILE_TYPE_TIMESTAMP:
        ok = json_is_string(j)
             && ps_rfc3339_valid(json_string_value(j),
                                 json_string_length(j));
        break;
    case NGX_HTTP_PROFILE_TYPE_OBJECT:
        ok = json_is_object(j);
        break;
    default:
        ok = json_is_array(j);
    }

    json_decref(j);

    return ok ? 0 : -1;
}


static void
ps_verify_problem(ps_verify_t *v, MDB_val *key, const char *fmt, ...)
{
    va_list  ap;

    if (++v->problems > PS_VERIFY_MAX_SHOWN) {
        return;
    }

    v->msg.len = 0;

    if (v->src != NULL) {
        ps_buf_printf(&v->msg, "source \"%.*s\": ", (int) v->src->name_len,
                      v->src->name);
    }

    if (key != NULL) {
        ps_buf_adds(&v->msg, "record ");
        ps_buf_add_json_string(&v->msg, key->mv_data, key->mv_size);
        ps_buf_adds(&v->msg, ": ");
    }

    fprintf(stderr, PS_NAME ": %s: %s", v->r.path, ps_buf_cstr(&v->msg));

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);

    fputc('\n', stderr);
}


/* min..max bytes of [A-Za-z0-9] and the allowed punctuation */

static int
ps_verify_text(MDB_val *val, const char *allowed, size_t min, size_t max)
{
    size_t          i;
    unsigned char  *p;

    p = val->mv_data;

    if (val->mv_size < min || val->mv_size > max) {
        return 0;
    }

    for (i = 0; i < val->mv_size; i++) {
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')
              || (p[i] >= '0' && p[i] <= '9')
              || (p[i] != '\0' && strchr(allowed, p[i]) != NULL)))
        {
            return 0;
        }
    }

    return 1;
}
