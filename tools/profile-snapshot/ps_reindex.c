
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The "reindex" command: the id index written into a copy of a snapshot
 * whose records were written by other means (mdb_load), published under
 * the same or another name.
 */


#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lmdb.h>

#include "ps.h"
#include "ps_index.h"
#include "ps_publish.h"
#include "ps_zero.h"
#include "ngx_http_profile_format.h"
#include "ngx_http_profile_file.h"


static int ps_reindex_sources(const char *path,
    char names[][NGX_HTTP_PROFILE_SOURCE_NAME_MAX + 1], unsigned n,
    uint64_t seed);
static void ps_reindex_lmdb_err(const char *path, const char *call, int rc);
static void ps_reindex_usage(FILE *f);


int
ps_reindex_main(int argc, char **argv)
{
    int                       ch, rc, len, has_rel;
    unsigned                  i, nsrc;
    char                      names[NGX_HTTP_PROFILE_MAX_SOURCES]
                                   [NGX_HTTP_PROFILE_SOURCE_NAME_MAX + 1];
    ngx_http_profile_source_t src[NGX_HTTP_PROFILE_MAX_SOURCES];
    char                     *in, *out, *tmp;
    char                      err[NGX_HTTP_PROFILE_FILE_ERRSTR];
    const char               *key;
    MDB_dbi                   meta, rel;
    MDB_val                   val;
    uint64_t                  seed;
    ps_index_info_t           info, rinfo;
    ps_zero_info_t            zero;
    ngx_http_profile_file_t   f;

    static const struct option  opts[] = {
        { "out", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };

    out = NULL;
    optind = 1;

    while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            out = optarg;
            break;
        case 'h':
            ps_reindex_usage(stdout);
            return PS_EXIT_OK;
        default:
            ps_reindex_usage(stderr);
            return PS_EXIT_USAGE;
        }
    }

    if (argc - optind != 1) {
        ps_reindex_usage(stderr);
        return PS_EXIT_USAGE;
    }

    in = argv[optind];

    if (out == NULL) {
        out = in;
    }

    /*
     * The seed, from the content hash; and is this a snapshot at all.
     * Opened as the module opens it: a truncated file is refused before
     * LMDB reads a page that is not there.
     */

    rc = ngx_http_profile_file_open(&f, in, NGX_HTTP_PROFILE_MAX_DBS, err);

    if (rc != NGX_HTTP_PROFILE_FILE_OK) {
        ngx_http_profile_file_close(&f);
        ps_error("%s%s", in, err);
        return (rc == NGX_HTTP_PROFILE_FILE_IO) ? PS_EXIT_IO
                                                : PS_EXIT_CORRUPT;
    }

    seed = 0;
    has_rel = 0;
    nsrc = 0;
    rc = mdb_dbi_open(f.txn, NGX_HTTP_PROFILE_DB_META, 0, &meta);

    if (rc == 0) {
        key = NGX_HTTP_PROFILE_META_CONTENT_HASH;
        rc = ngx_http_profile_file_get(&f, meta, key, strlen(key), &val);
    }

    if (rc == 0) {
        seed = ps_index_seed(val.mv_data, val.mv_size);

        /* a snapshot with relations has their keyed table to renew too */
        has_rel = (mdb_dbi_open(f.txn, NGX_HTTP_PROFILE_DB_RELATIONS, 0,
                                &rel) == 0);

        /* and each embedded source its own (names copied: f closes) */
        key = NGX_HTTP_PROFILE_META_SOURCES;

        if (ngx_http_profile_file_get(&f, meta, key, strlen(key), &val) == 0
            && ngx_http_profile_sources_parse(val.mv_data, val.mv_size, src,
                                              &nsrc)
               == NGX_HTTP_PROFILE_FMT_OK)
        {
            for (i = 0; i < nsrc; i++) {
                memcpy(names[i], src[i].name, src[i].name_len);
                names[i][src[i].name_len] = '\0';
            }

        } else {
            nsrc = 0;
        }
    }

    ngx_http_profile_file_close(&f);

    if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
        ps_error("%s: not a profile snapshot (no meta \"%s\")", in,
                 NGX_HTTP_PROFILE_META_CONTENT_HASH);
        return PS_EXIT_CORRUPT;
    }

    if (rc != 0) {
        ps_reindex_lmdb_err(in, "reading meta", rc);
        return PS_EXIT_IO;
    }

    /*
     * A published snapshot is never written again: index a copy, beside
     * the output, and rename it into place.
     */

    len = snprintf(NULL, 0, "%s.tmp.%ld", out, (long) getpid());
    tmp = malloc(len + 1);
    if (tmp == NULL) {
        ps_error("out of memory");
        return PS_EXIT_IO;
    }

    snprintf(tmp, len + 1, "%s.tmp.%ld", out, (long) getpid());

    /* a byte copy: the same pages at the same offsets */

    if (ps_publish_copy(in, tmp, 0644) != 0
        || ps_index_write(tmp, seed, &info) != 0
        || (has_rel
            && ps_index_write_table(tmp, NGX_HTTP_PROFILE_DB_RELATIONS,
                                    NGX_HTTP_PROFILE_META_INDEX_RELATIONS,
                                    seed, &rinfo)
               != 0)
        || ps_reindex_sources(tmp, names, nsrc, seed) != 0
        || ps_zero_unused(tmp, &zero) != 0
        || ps_publish(tmp, out) != 0)
    {
        unlink(tmp);
        free(tmp);
        return PS_EXIT_IO;
    }

    free(tmp);

    printf("%s: indexed %llu records in %llu slots, longest probe %u\n",
           out, (unsigned long long) info.records,
           (unsigned long long) info.nslots, info.max_probe);

    if (has_rel) {
        printf("%s: indexed %llu relations in %llu slots, longest probe %u\n",
               out, (unsigned long long) rinfo.records,
               (unsigned long long) rinfo.nslots, rinfo.max_probe);
    }

    return PS_EXIT_OK;
}


/* the keyed table "index.src.NAME" of each embedded source NAME */

static int
ps_reindex_sources(const char *path,
    char names[][NGX_HTTP_PROFILE_SOURCE_NAME_MAX + 1], unsigned n,
    uint64_t seed)
{
    char             db[NGX_HTTP_PROFILE_SOURCE_KEY_MAX];
    char             key[NGX_HTTP_PROFILE_SOURCE_KEY_MAX];
    unsigned         i;
    ps_index_info_t  info;

    for (i = 0; i < n; i++) {
        ngx_http_profile_source_key(db, NGX_HTTP_PROFILE_DB_SOURCE,
                                    (const unsigned char *) names[i],
                                    strlen(names[i]));
        ngx_http_profile_source_key(key, NGX_HTTP_PROFILE_META_INDEX_SOURCE,
                                    (const unsigned char *) names[i],
                                    strlen(names[i]));

        if (ps_index_write_table(path, db, key, seed, &info) != 0) {
            return -1;
        }
    }

    return 0;
}


static void
ps_reindex_lmdb_err(const char *path, const char *call, int rc)
{
    ps_error("%s: %s failed (%d: %s)", path, call, rc, mdb_strerror(rc));
}


static void
ps_reindex_usage(FILE *f)
{
    fprintf(f,
        "usage: profile-snapshot reindex SNAPSHOT [--out PATH]\n"
        "\n"
        "Write the id index of SNAPSHOT (a snapshot whose records were\n"
        "written by other means, e.g. mdb_load) into a copy, and rename\n"
        "it to PATH (default: SNAPSHOT itself).\n");
}
