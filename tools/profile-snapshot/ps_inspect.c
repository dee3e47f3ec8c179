
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The "inspect" command: a snapshot's metadata, or one stored record as
 * JSON, rendered by the module's renderer (ngx_http_profile_render.c)
 * for a viewer's classes (docs/cli.md).
 */


#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_json.h"
#include "ps_reader.h"
#include "ps_schema.h"
#include "ps_schema_states.h"
#include "ngx_http_profile_render.h"


static int ps_inspect_meta(ps_reader_t *r, int json);
static int ps_inspect_roles(ps_buf_t *b, ps_reader_t *r, int json);
static void ps_inspect_states(ps_buf_t *b, ps_reader_t *r, int json);
static int ps_inspect_relations_open(ps_reader_t *r, MDB_dbi *dbi,
    ngx_http_profile_index_t *idx, uint64_t *count);
static int ps_inspect_relations(ps_reader_t *r);
static int ps_inspect_relation(ps_reader_t *r, const char *viewer,
    const char *id);
static int ps_inspect_record(ps_reader_t *r,
    const ngx_http_profile_meta_source_t *src, const char *id,
    uint64_t mask, int verbose);
static void ps_inspect_trailer(ps_buf_t *b, ps_reader_t *r,
    const ngx_http_profile_meta_source_t *src,
    const ngx_http_profile_record_t *rec);
static void ps_inspect_member_name(ps_buf_t *b, ps_reader_t *r,
    const ngx_http_profile_meta_source_t *src, unsigned id);
static void ps_inspect_value(ps_buf_t *b, ps_reader_t *r, const char *key,
    int json, int number);
static void ps_inspect_usage(FILE *f);


int
ps_inspect_main(int argc, char **argv)
{
    int           c, rc, json, verbose, relations;
    unsigned      i;
    uint64_t      mask;
    const char   *view_name, *viewer, *source;
    const ngx_http_profile_meta_source_t  *src;
    ps_reader_t   r;

    static const struct option  opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "verbose", no_argument, NULL, 'v' },
        { "view", required_argument, NULL, 'w' },
        { "relations", no_argument, NULL, 'r' },
        { "relation", required_argument, NULL, 'R' },
        { "source", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };

    json = 0;
    verbose = 0;
    relations = 0;
    viewer = NULL;
    view_name = NULL;
    source = NULL;

    opterr = 0;
    optind = 1;

    while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'v':
            verbose = 1;
            break;
        case 'w':
            view_name = optarg;
            break;
        case 'r':
            relations = 1;
            break;
        case 'R':
            viewer = optarg;
            break;
        case 's':
            source = optarg;
            break;
        case 'h':
            ps_inspect_usage(stdout);
            return PS_EXIT_OK;
        default:
            ps_error("inspect: unknown or incomplete option \"%s\"",
                     argv[optind - 1]);
            ps_inspect_usage(stderr);
            return PS_EXIT_USAGE;
        }
    }

    if (argc - optind < 1 || argc - optind > 2) {
        ps_error("inspect: wants PATH and an optional ID");
        ps_inspect_usage(stderr);
        return PS_EXIT_USAGE;
    }

    rc = ps_reader_open(&r, argv[optind]);

    /* what nginx -t refuses is not shown as a snapshot either */

    if (rc == 0) {
        rc = ps_reader_check_index(&r);
    }

    if (rc == 0) {
        if (viewer != NULL) {
            if (argc - optind == 2) {
                rc = ps_inspect_relation(&r, viewer, argv[optind + 1]);

            } else {
                ps_error("inspect: --relation VIEWER wants PATH and ID");
                rc = PS_EXIT_USAGE;
            }

        } else if (relations) {
            rc = (argc - optind == 1) ? ps_inspect_relations(&r)
                                      : PS_EXIT_USAGE;

            if (rc == PS_EXIT_USAGE) {
                ps_error("inspect: --relations wants PATH only");
            }

        } else if (argc - optind == 1 && source != NULL) {
            ps_error("inspect: --source NAME wants PATH and KEY");
            rc = PS_EXIT_USAGE;

        } else if (argc - optind == 1) {
            rc = ps_inspect_meta(&r, json);

        } else {
            /*
             * The viewer's classes, as the module's grant gives them:
             * every class for the self view (the default), public and
             * the named class for another
             */
            mask = (uint64_t) -1;

            if (view_name != NULL && strcmp(view_name, "self") != 0) {
                for (i = 0; i < r.meta.nclasses; i++) {
                    if (r.meta.classes[i].name_len == strlen(view_name)
                        && memcmp(r.meta.classes[i].name, view_name,
                                  r.meta.classes[i].name_len) == 0)
                    {
                        break;
                    }
                }

                if (i == r.meta.nclasses) {
                    ps_error("inspect: %s: no class \"%s\"", argv[optind],
                             view_name);
                    ps_reader_close(&r);
                    return PS_EXIT_USAGE;
                }

                mask = ((uint64_t) 1 << NGX_HTTP_PROFILE_CLASS_PUBLIC)
                       | ((uint64_t) 1 << i);
            }

            src = NULL;

            if (source != NULL) {
                for (i = 0; i < r.meta.nsources; i++) {
                    if (r.meta.sources[i].name_len == strlen(source)
                        && memcmp(r.meta.sources[i].name, source,
                                  r.meta.sources[i].name_len) == 0)
                    {
                        break;
                    }
                }

                if (i == r.meta.nsources) {
                    ps_error("inspect: %s: no embedded source \"%s\"",
                             argv[optind], source);
                    ps_reader_close(&r);
                    return PS_EXIT_USAGE;
                }

                src = &r.meta.sources[i];
            }

            rc = ps_inspect_record(&r, src, argv[optind + 1], mask,
                                   verbose);
        }
    }

    ps_reader_close(&r);

    return rc;
}


/*
 * The relations database and its keyed table: 1 if the snapshot has
 * none, 0 with *dbi, *idx and *count set, or -1 (reported).
 */

static int
ps_inspect_relations_open(ps_reader_t *r, MDB_dbi *dbi,
    ngx_http_profile_index_t *idx, uint64_t *count)
{
    int       rc;
    MDB_val   val;
    MDB_stat  st;

    rc = mdb_dbi_open(r->file.txn, NGX_HTTP_PROFILE_DB_RELATIONS, 0, dbi);

    if (rc == MDB_NOTFOUND) {
        return 1;
    }

    if (rc == 0) {
        rc = mdb_stat(r->file.txn, *dbi, &st);
    }

    if (rc == 0) {
        rc = ps_reader_meta(r, NGX_HTTP_PROFILE_META_INDEX_RELATIONS, &val);
    }

    if (rc == 0) {
        rc = ngx_http_profile_index_parse(idx, val.mv_data, val.mv_size,
                                          st.ms_entries);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            ps_error("%s: meta \"index.relations\" is invalid: %s", r->path,
                     ngx_http_profile_fmt_strerror(rc));
            return -1;
        }

        *count = st.ms_entries;
        return 0;
    }

    ps_error("%s: the relations cannot be read (%d: %s)", r->path, rc,
             mdb_strerror(rc));

    return -1;
}


/*
 * inspect --relations: every pair in key order, each found through the
 * keyed table as the module will find it, with what holds from its
 * first id to its second
 */

static int
ps_inspect_relations(ps_reader_t *r)
{
    int                          rc;
    unsigned                     i;
    uint64_t                     count, slot, n;
    MDB_dbi                      dbi;
    MDB_val                      key, val;
    ps_buf_t                     b;
    MDB_cursor                  *cur;
    ngx_http_profile_index_t     idx;
    ngx_http_profile_relation_t  rel;

    static const char  *names[] = {
        "follows", "followed_by", "friend", "blocks", "blocked_by"
    };

    rc = ps_inspect_relations_open(r, &dbi, &idx, &count);

    if (rc != 0) {
        if (rc > 0) {
            ps_error("%s: no relations", r->path);
        }

        return rc > 0 ? PS_EXIT_REJECTED : PS_EXIT_CORRUPT;
    }

    rc = mdb_cursor_open(r->file.txn, dbi, &cur);
    if (rc != 0) {
        ps_error("%s: the relations cannot be read (%d: %s)", r->path, rc,
                 mdb_strerror(rc));
        return PS_EXIT_CORRUPT;
    }

    memset(&b, 0, sizeof(ps_buf_t));
    n = 0;

    for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
         rc == 0;
         rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT))
    {
        n++;

        /* the whole check first: the lookup trusts a key it is given */

        rc = ngx_http_profile_relation_parse(&rel, val.mv_data, val.mv_size);

        if (rc == NGX_HTTP_PROFILE_FMT_OK
            && (rel.key_len != key.mv_size
                || memcmp(rel.key, key.mv_data, key.mv_size) != 0))
        {
            rc = NGX_HTTP_PROFILE_FMT_ID;
        }

        if (rc == NGX_HTTP_PROFILE_FMT_OK) {
            rc = ngx_http_profile_relation_find(&idx, r->file.map,
                                                r->file.size, key.mv_data,
                                                key.mv_size, &rel, &slot);
        }

        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            ps_error("%s: relation %llu in key order: %s", r->path,
                     (unsigned long long) n,
                     ngx_http_profile_fmt_strerror(rc));
            mdb_cursor_close(cur);
            ps_buf_free(&b);
            return PS_EXIT_CORRUPT;
        }

        ps_buf_printf(&b, "%.*s %.*s:", (int) rel.a_len, rel.a,
                      (int) rel.b_len, rel.b);

        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            if (rel.bits & (1 << i)) {
                ps_buf_printf(&b, " %s", names[i]);
            }
        }

        ps_buf_addc(&b, '\n');
    }

    mdb_cursor_close(cur);

    fwrite(b.data, 1, b.len, stdout);
    ps_buf_free(&b);

    return PS_EXIT_OK;
}


/*
 * inspect --relation VIEWER PATH ID: what holds from VIEWER to ID, in
 * one lookup of their pair as the module will make it
 */

static int
ps_inspect_relation(ps_reader_t *r, const char *viewer, const char *id)
{
    int                          rc, swapped;
    size_t                       len, vlen, ilen;
    unsigned                     i;
    uint64_t                     count, slot;
    MDB_dbi                      dbi;
    ngx_http_profile_index_t     idx;
    ngx_http_profile_relation_t  rel;
    unsigned char                key[NGX_HTTP_PROFILE_PAIR_KEY_MAX];

    static const char  *names[] = {
        "follows", "followed_by", "friend", "blocks", "blocked_by"
    };

    vlen = strlen(viewer);
    ilen = strlen(id);

    if (!ngx_http_profile_id_valid((const unsigned char *) viewer, vlen)
        || !ngx_http_profile_id_valid((const unsigned char *) id, ilen))
    {
        ps_error("inspect: \"%s\" is not a valid profile id",
                 ngx_http_profile_id_valid((const unsigned char *) viewer,
                                           vlen)
                 ? id : viewer);
        return PS_EXIT_USAGE;
    }

    rc = ps_inspect_relations_open(r, &dbi, &idx, &count);

    if (rc != 0) {
        if (rc > 0) {
            ps_error("%s: no relations", r->path);
        }

        return rc > 0 ? PS_EXIT_REJECTED : PS_EXIT_CORRUPT;
    }

    printf("%s %s:", viewer, id);

    if (vlen == ilen && memcmp(viewer, id, vlen) == 0) {
        printf(" self\n");
        return PS_EXIT_OK;
    }

    len = ngx_http_profile_pair_key(key, viewer, vlen, id, ilen, &swapped);

    rc = ngx_http_profile_relation_find(&idx, r->file.map, r->file.size, key,
                                        len, &rel, &slot);

    if (rc == NGX_HTTP_PROFILE_FMT_MISSING) {
        printf(" none\n");
        return PS_EXIT_OK;
    }

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        printf("\n");
        ps_error("%s: relation \"%s\" \"%s\": index slot %llu: %s",
                 r->path, viewer, id, (unsigned long long) slot,
                 ngx_http_profile_fmt_strerror(rc));
        return PS_EXIT_CORRUPT;
    }

    if (swapped) {
        rel.bits = ngx_http_profile_relation_swap(rel.bits);
    }

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (rel.bits & (1 << i)) {
            printf(" %s", names[i]);
        }
    }

    printf("%s\n", rel.bits ? "" : " none");

    return PS_EXIT_OK;
}


/*
 * the "roles" table, when the snapshot has one: each role and the
 * fields it sees beyond its class; -1 if the table is invalid (reported)
 */

static int
ps_inspect_roles(ps_buf_t *b, ps_reader_t *r, int json)
{
    int                        rc;
    MDB_val                    val;
    unsigned                   i, j, n;
    ngx_http_profile_role_t    roles[NGX_HTTP_PROFILE_MAX_ROLES];
    ngx_http_profile_class_t  *c;
    ngx_http_profile_field_t  *f;

    if (ps_reader_meta(r, NGX_HTTP_PROFILE_META_ROLES, &val) != 0) {
        return 0;
    }

    rc = ngx_http_profile_roles_parse(val.mv_data, val.mv_size,
                                      r->meta.nclasses, r->meta.nfields,
                                      roles, &n);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ps_error("%s: meta \"roles\" is invalid: %s", r->path,
                 ngx_http_profile_fmt_strerror(rc));
        return -1;
    }

    ps_buf_adds(b, json ? ",\"roles\":{" : "roles:\n");

    for (i = 0; i < n; i++) {
        c = &r->meta.classes[roles[i].cls];
        ps_buf_printf(b, json ? "%s\"%.*s\":[" : "%s  %.*s:",
                      json && i ? "," : "", (int) c->name_len, c->name);

        for (j = 0; j < roles[i].nfields; j++) {
            f = &r->meta.fields[ngx_http_profile_role_field(&roles[i], j)];
            ps_buf_printf(b, json ? "%s\"%.*s\"" : "%s%.*s",
                          j && json ? "," : json ? "" : " ",
                          (int) f->name_len, f->name);
        }

        ps_buf_adds(b, json ? "]" : "\n");
    }

    if (json) {
        ps_buf_addc(b, '}');
    }

    return 0;
}


/*
 * the "states" table, when the snapshot has one (the metadata check
 * validated it): the roles that see each state but active, the stub
 */

static void
ps_inspect_states(ps_buf_t *b, ps_reader_t *r, int json)
{
    unsigned                   st, c, i, n;
    ngx_http_profile_class_t  *cls;
    ngx_http_profile_field_t  *f;

    if (!r->meta.has_states) {
        return;
    }

    ps_buf_adds(b, json ? ",\"states\":{" : "states:\n");

    for (st = NGX_HTTP_PROFILE_STATE_PRIVATE;
         st < NGX_HTTP_PROFILE_STATES;
         st++)
    {
        if (json) {
            ps_buf_printf(b, "%s\"%s\":[",
                          st > NGX_HTTP_PROFILE_STATE_PRIVATE ? "," : "",
                          ps_state_name(st));

        } else {
            ps_buf_printf(b, "  %s:", ps_state_name(st));
        }

        n = 0;

        for (c = NGX_HTTP_PROFILE_CLASS_ROLES; c < r->meta.nclasses; c++) {
            if (!(r->meta.states.roles[st] & ((uint64_t) 1 << c))) {
                continue;
            }

            cls = &r->meta.classes[c];
            ps_buf_printf(b, json ? "%s\"%.*s\"" : "%s%.*s",
                          json ? (n ? "," : "") : " ",
                          (int) cls->name_len, cls->name);
            n++;
        }

        ps_buf_adds(b, json ? "]" : "\n");
    }

    ps_buf_adds(b, json ? ",\"stub\":[" : "  stub:");

    for (i = 0; i < r->meta.states.nstub; i++) {
        f = &r->meta.fields[ngx_http_profile_states_stub(&r->meta.states, i)];
        ps_buf_printf(b, json ? "%s\"%.*s\"" : "%s%.*s",
                      json ? (i ? "," : "") : " ",
                      (int) f->name_len, f->name);
    }

    ps_buf_adds(b, json ? "]}" : "\n");
}


static int
ps_inspect_meta(ps_reader_t *r, int json)
{
    uint64_t                   count;
    MDB_dbi                    dbi;
    unsigned                   i, j;
    ngx_http_profile_index_t   idx;
    ps_buf_t                   b;
    ngx_http_profile_field_t  *f;

    static const char  *keys[] = {
        NGX_HTTP_PROFILE_META_FORMAT, NGX_HTTP_PROFILE_META_VERSION,
        NGX_HTTP_PROFILE_META_SNAPSHOT_ID, NGX_HTTP_PROFILE_META_CREATED_AT,
        NGX_HTTP_PROFILE_META_GENERATOR, NGX_HTTP_PROFILE_META_RECORD_COUNT,
        NGX_HTTP_PROFILE_META_SCHEMA_DIGEST,
        NGX_HTTP_PROFILE_META_CONTENT_HASH
    };

    memset(&b, 0, sizeof(ps_buf_t));

    if (json) {
        ps_buf_adds(&b, "{\"file\":");
        ps_buf_add_json_string(&b, r->path, strlen(r->path));

        for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            ps_buf_printf(&b, ",\"%s\":", keys[i]);
            ps_inspect_value(&b, r, keys[i], 1, i == 1 || i == 5);
        }

        ps_buf_printf(&b, ",\"index\":{\"slots\":%llu,\"longest_probe\":%u}",
                      (unsigned long long) r->meta.index.mask + 1,
                      r->meta.index.max_probe);

        if (ps_inspect_relations_open(r, &dbi, &idx, &count) == 0) {
            ps_buf_printf(&b, ",\"relations\":{\"pairs\":%llu,\"slots\":%llu,"
                          "\"longest_probe\":%u}", (unsigned long long) count,
                          (unsigned long long) idx.mask + 1, idx.max_probe);
        }

        ps_buf_adds(&b, ",\"classes\":[");

        for (i = 0; i < r->meta.nclasses; i++) {
            ps_buf_printf(&b, "%s\"%.*s\"", i ? "," : "",
                          (int) r->meta.classes[i].name_len,
                          r->meta.classes[i].name);
        }

        ps_buf_adds(&b, "],\"fields\":[");

        for (i = 0; i < r->meta.nfields; i++) {
            f = &r->meta.fields[i];
            ps_buf_printf(&b, "%s{\"id\":%u,\"name\":\"%.*s\",\"type\":\"%s\","
                          "\"visibility\":\"%.*s\"}", i ? "," : "", i,
                          (int) f->name_len, f->name, ps_type_name(f->type),
                          (int) r->meta.classes[f->cls].name_len,
                          r->meta.classes[f->cls].name);
        }

        ps_buf_addc(&b, ']');

        /* format 4: the members table and the embedded sources */

        if (r->meta.nmembers != 0) {
            ps_buf_adds(&b, ",\"members\":[");

            for (i = 0; i < r->meta.nmembers; i++) {
                f = &r->meta.fields[r->meta.members[i].parent];
                ps_buf_printf(&b, "%s{\"id\":%u,\"field\":\"%.*s\","
                              "\"name\":\"%.*s\",\"type\":\"%s\"}",
                              i ? "," : "", i, (int) f->name_len, f->name,
                              (int) r->meta.members[i].name_len,
                              r->meta.members[i].name,
                              ps_type_name(r->meta.members[i].type));
            }

            ps_buf_addc(&b, ']');
        }

        if (r->meta.nsources != 0) {
            ps_buf_adds(&b, ",\"sources\":{");

            for (i = 0; i < r->meta.nsources; i++) {
                ps_buf_printf(&b, "%s\"%.*s\":{\"records\":%llu,"
                              "\"slots\":%llu,\"longest_probe\":%u,"
                              "\"fields\":[", i ? "," : "",
                              (int) r->meta.sources[i].name_len,
                              r->meta.sources[i].name,
                              (unsigned long long)
                                  r->meta.sources[i].record_count,
                              (unsigned long long)
                                  r->meta.sources[i].index.mask + 1,
                              r->meta.sources[i].index.max_probe);

                for (j = 0; j < r->meta.sources[i].nfields; j++) {
                    f = &r->meta.sources[i].fields[j];
                    ps_buf_printf(&b, "%s{\"id\":%u,\"name\":\"%.*s\","
                                  "\"type\":\"%s\",\"visibility\":"
                                  "\"%.*s\"}", j ? "," : "", j,
                                  (int) f->name_len, f->name,
                                  ps_type_name(f->type),
                                  (int) r->meta.classes[f->cls].name_len,
                                  r->meta.classes[f->cls].name);
                }

                ps_buf_adds(&b, "]");

                for (j = 0; j < r->meta.sources[i].nmembers; j++) {
                    f = &r->meta.sources[i].fields[
                            r->meta.sources[i].members[j].parent];
                    ps_buf_printf(&b, "%s{\"id\":%u,\"field\":\"%.*s\","
                                  "\"name\":\"%.*s\",\"type\":\"%s\"}",
                                  j ? "," : ",\"members\":[", j,
                                  (int) f->name_len, f->name,
                                  (int) r->meta.sources[i].members[j].name_len,
                                  r->meta.sources[i].members[j].name,
                                  ps_type_name(
                                      r->meta.sources[i].members[j].type));
                }

                ps_buf_adds(&b, r->meta.sources[i].nmembers ? "]}" : "}");
            }

            ps_buf_addc(&b, '}');
        }

        if (ps_inspect_roles(&b, r, 1) != 0) {
            ps_buf_free(&b);
            return PS_EXIT_CORRUPT;
        }

        ps_inspect_states(&b, r, 1);
        ps_buf_adds(&b, "}\n");

    } else {
        ps_buf_printf(&b, "file: %s\n", r->path);

        for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            ps_buf_printf(&b, "%s: ", keys[i]);
            ps_inspect_value(&b, r, keys[i], 0, 0);
            ps_buf_addc(&b, '\n');
        }

        ps_buf_printf(&b, "index: %llu slots, longest probe %u\n",
                      (unsigned long long) r->meta.index.mask + 1,
                      r->meta.index.max_probe);

        if (ps_inspect_relations_open(r, &dbi, &idx, &count) == 0) {
            ps_buf_printf(&b, "relations: %llu pairs, index %llu slots, "
                          "longest probe %u\n", (unsigned long long) count,
                          (unsigned long long) idx.mask + 1, idx.max_probe);
        }

        ps_buf_adds(&b, "classes:");

        for (i = 0; i < r->meta.nclasses; i++) {
            ps_buf_printf(&b, " %.*s", (int) r->meta.classes[i].name_len,
                          r->meta.classes[i].name);
        }

        ps_buf_adds(&b, "\nfields:\n");

        for (i = 0; i < r->meta.nfields; i++) {
            f = &r->meta.fields[i];
            ps_buf_printf(&b, "  %-5u %-24.*s %-10s %.*s\n", i,
                          (int) f->name_len, f->name, ps_type_name(f->type),
                          (int) r->meta.classes[f->cls].name_len,
                          r->meta.classes[f->cls].name);
        }

        for (i = 0; i < r->meta.nsources; i++) {
            ps_buf_printf(&b, "source %.*s: %llu records, index %llu slots, "
                          "longest probe %u\n",
                          (int) r->meta.sources[i].name_len,
                          r->meta.sources[i].name,
                          (unsigned long long)
                              r->meta.sources[i].record_count,
                          (unsigned long long)
                              r->meta.sources[i].index.mask + 1,
                          r->meta.sources[i].index.max_probe);

            for (j = 0; j < r->meta.sources[i].nfields; j++) {
                f = &r->meta.sources[i].fields[j];
                ps_buf_printf(&b, "  %-5u %-24.*s %-10s %.*s\n", j,
                              (int) f->name_len, f->name,
                              ps_type_name(f->type),
                              (int) r->meta.classes[f->cls].name_len,
                              r->meta.classes[f->cls].name);
            }

            for (j = 0; j < r->meta.sources[i].nmembers; j++) {
                ps_buf_printf(&b, "  member %-5u ", j);
                ps_inspect_member_name(&b, r, &r->meta.sources[i], j);
                ps_buf_printf(&b, " %s\n",
                              ps_type_name(
                                  r->meta.sources[i].members[j].type));
            }
        }

        if (r->meta.nmembers != 0) {
            ps_buf_adds(&b, "members:\n");
        }

        for (i = 0; i < r->meta.nmembers; i++) {
            ps_buf_printf(&b, "  %-5u ", i);
            ps_inspect_member_name(&b, r, NULL, i);
            ps_buf_printf(&b, " %s\n",
                          ps_type_name(r->meta.members[i].type));
        }

        if (ps_inspect_roles(&b, r, 0) != 0) {
            ps_buf_free(&b);
            return PS_EXIT_CORRUPT;
        }

        ps_inspect_states(&b, r, 0);
    }

    fwrite(b.data, 1, b.len, stdout);
    ps_buf_free(&b);

    return PS_EXIT_OK;
}


static int
ps_inspect_record(ps_reader_t *r, const ngx_http_profile_meta_source_t *src,
    const char *id, uint64_t mask, int verbose)
{
    int                        rc;
    size_t                     len;
    MDB_dbi                    dbi;
    unsigned                   i, nfields;
    MDB_val                    val;
    ps_buf_t                   b;
    ngx_http_profile_entry_t   e;
    ngx_http_profile_field_t  *f, *fields;
    ngx_http_profile_record_t  rec;

    /* a profile, or a record of an embedded source (its own fields) */

    dbi = (src != NULL) ? src->dbi : r->meta.profiles;
    fields = (src != NULL) ? src->fields : r->meta.fields;
    nfields = (src != NULL) ? src->nfields : r->meta.nfields;

    if (!ngx_http_profile_id_valid((const unsigned char *) id, strlen(id))) {
        ps_error("inspect: \"%s\" is not a valid profile id", id);
        return PS_EXIT_USAGE;
    }

    rc = ngx_http_profile_file_get(&r->file, dbi, id, strlen(id), &val);

    if (rc == MDB_NOTFOUND) {
        ps_error("%s: no record \"%s\"", r->path, id);
        return PS_EXIT_REJECTED;
    }

    if (rc != 0) {
        ps_error("%s: mdb_get() failed (%d: %s)", r->path, rc,
                 mdb_strerror(rc));
        return PS_EXIT_CORRUPT;
    }

    rc = ngx_http_profile_record_parse(&rec, val.mv_data, val.mv_size,
                                       nfields, r->meta.nclasses, fields, 1);

    /* what the module would refuse to serve is not shown either */

    if (rc == NGX_HTTP_PROFILE_FMT_OK
        && ngx_http_profile_record_hash(val.mv_data, val.mv_size)
           != rec.hash)
    {
        rc = NGX_HTTP_PROFILE_FMT_HASH;
    }

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ps_error("%s: record \"%s\" is invalid: %s", r->path, id,
                 ngx_http_profile_fmt_strerror(rc));
        return PS_EXIT_CORRUPT;
    }

    /* the module's renderer: what a worker sends this viewer */

    memset(&b, 0, sizeof(ps_buf_t));
    ps_buf_reserve(&b, ngx_http_profile_render_size(&rec) + 1);

    rc = ngx_http_profile_render(b.data,
                                 ngx_http_profile_render_size(&rec), &rec,
                                 nfields, r->meta.nclasses, mask,
                                 &len);

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        ps_buf_free(&b);
        ps_error("%s: record \"%s\" is invalid: %s", r->path, id,
                 ngx_http_profile_fmt_strerror(rc));
        return PS_EXIT_CORRUPT;
    }

    b.len = len;
    ps_buf_addc(&b, '\n');

    if (verbose) {
        ps_buf_printf(&b, "# hash %016llx, %u entries, %u body bytes\n",
                      (unsigned long long) rec.hash, rec.nentries,
                      rec.body_len);

        /* a snapshot without states has only active profiles */

        if (r->meta.has_states || rec.state != NGX_HTTP_PROFILE_STATE_ACTIVE) {
            ps_buf_printf(&b, "# state: %s\n", ps_state_name(rec.state));
        }

        for (i = 0; i < rec.nentries; i++) {
            ngx_http_profile_record_entry(&rec, i, &e);
            f = &fields[e.field_id];

            ps_buf_printf(&b, "# %-5u %-24.*s %-8.*s %-10s %u\n",
                          e.field_id, (int) f->name_len, f->name,
                          (int) r->meta.classes[e.cls].name_len,
                          r->meta.classes[e.cls].name, ps_type_name(e.type),
                          e.len);
        }

        ps_inspect_trailer(&b, r, src, &rec);
    }

    fwrite(b.data, 1, b.len, stdout);
    ps_buf_free(&b);

    return PS_EXIT_OK;
}


/*
 * inspect -v: the record's trailer (record_parse() checked it), each
 * member value and alt with what it belongs to, named by the profiles'
 * tables or (src) an embedded source's
 */

static void
ps_inspect_trailer(ps_buf_t *b, ps_reader_t *r,
    const ngx_http_profile_meta_source_t *src,
    const ngx_http_profile_record_t *rec)
{
    unsigned                    i, nfields;
    ngx_http_profile_field_t   *f, *fields;
    ngx_http_profile_tentry_t   te;
    ngx_http_profile_trailer_t  t;

    if (rec->trailer == NULL
        || ngx_http_profile_record_trailer(rec, &t) != NGX_HTTP_PROFILE_FMT_OK)
    {
        return;
    }

    fields = (src != NULL) ? src->fields : r->meta.fields;
    nfields = (src != NULL) ? src->nfields : r->meta.nfields;

    ps_buf_printf(b, "# trailer: %u members, %u alts, %u data bytes\n",
                  t.nmembers, t.nalts, t.data_len);

    for (i = 0; i < t.nmembers; i++) {
        ngx_http_profile_trailer_member_entry(&t, i, &te);

        ps_buf_printf(b, "# member %-5u ", te.id);
        ps_inspect_member_name(b, r, src, te.id);
        ps_buf_printf(b, " %.*s\n", (int) te.len, t.body + te.off);
    }

    for (i = 0; i < t.nalts; i++) {
        ngx_http_profile_trailer_alt_entry(&t, i, &te);

        ps_buf_printf(b, "# alt    %-5s ",
                      te.kind == NGX_HTTP_PROFILE_ALT_EPOCH ? "epoch" : "?");

        if (te.of == NGX_HTTP_PROFILE_ALT_OF_FIELD) {
            f = &fields[te.id < nfields ? te.id : 0];
            ps_buf_printf(b, "field  %-5u %-24.*s", te.id,
                          (int) f->name_len, f->name);

        } else {
            ps_buf_printf(b, "member %-5u ", te.id);
            ps_inspect_member_name(b, r, src, te.id);
        }

        ps_buf_printf(b, " %.*s\n", (int) te.len, t.data + te.off);
    }
}


/*
 * "parent.member" of member id, or "?" outside the "members" table,
 * padded to 24 columns like the field names
 */

static void
ps_inspect_member_name(ps_buf_t *b, ps_reader_t *r,
    const ngx_http_profile_meta_source_t *src, unsigned id)
{
    size_t                      start, n;
    unsigned                    nmembers;
    ngx_http_profile_field_t   *f, *fields;
    ngx_http_profile_member_t  *m, *members;

    start = b->len;

    fields = (src != NULL) ? src->fields : r->meta.fields;
    members = (src != NULL) ? src->members : r->meta.members;
    nmembers = (src != NULL) ? src->nmembers : r->meta.nmembers;

    if (id >= nmembers) {
        ps_buf_adds(b, "?");

    } else {
        m = &members[id];
        f = &fields[m->parent];

        ps_buf_printf(b, "%.*s.%.*s", (int) f->name_len, f->name,
                      (int) m->name_len, m->name);
    }

    for (n = b->len - start; n < 24; n++) {
        ps_buf_addc(b, ' ');
    }
}


static void
ps_inspect_value(ps_buf_t *b, ps_reader_t *r, const char *key, int json,
    int number)
{
    size_t          i;
    MDB_val         v;
    unsigned char  *p;

    if (ps_reader_meta(r, key, &v) != 0) {
        ps_buf_adds(b, json ? "null" : "(missing)");
        return;
    }

    p = v.mv_data;

    /* text values are printable ASCII; anything else is shown escaped */

    for (i = 0; i < v.mv_size; i++) {
        if (number ? (p[i] < '0' || p[i] > '9')
                   : (p[i] < 0x20 || p[i] > 0x7e))
        {
            break;
        }
    }

    if (i == v.mv_size && v.mv_size > 0 && (number || !json)) {
        ps_buf_add(b, p, v.mv_size);
        return;
    }

    ps_buf_add_json_string(b, v.mv_data, v.mv_size);
}


static void
ps_inspect_usage(FILE *f)
{
    fprintf(f,
        "usage: " PS_NAME " inspect [options] PATH [ID]\n"
        "\n"
        "  without ID: the snapshot's metadata and tables\n"
        "  with ID:    the stored record as JSON\n"
        "\n"
        "  --json        metadata as one JSON object\n"
        "  --view CLASS  only the fields that CLASS may see "
        "(default: self, all)\n"
        "  -v, --verbose also list each entry (class, type, bytes)\n"
        "  --relations   every relation, found through its index\n"
        "  --relation VIEWER  with ID: what holds from VIEWER to ID\n"
        "  --source NAME with KEY: the record KEY of embedded source NAME\n");
}
