
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The "list" command: every published snapshot of a snapshot directory
 * with its metadata, which is current and which the history keeps.  It
 * takes no lock and changes nothing: what it shows is one moment of a
 * directory others may be changing.
 */


#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_dir.h"
#include "ps_json.h"
#include "ps_reader.h"


/* one row: the snapshot's metadata, or valid == 0 */
typedef struct {
    char        *id;           /* from the file's name */
    char        *snapshot_id;  /* meta "snapshot_id" */
    char        *created_at;
    char        *content_hash;
    uint64_t     record_count;
    uint64_t     format_version;
    long long    size;
    int          valid;
    const char  *state;        /* "current", "kept" or "-" */
} ps_list_row_t;


static void ps_list_read(ps_dir_t *d, ps_list_row_t *row);
static char *ps_list_meta(ps_reader_t *r, const char *key);
static void ps_list_text(ps_list_row_t *rows, size_t n);
static void ps_list_cells(ps_list_row_t *row, char num[3][32],
    const char **cell);
static void ps_list_json(ps_dir_t *d, ps_list_row_t *rows, size_t n);
static void ps_list_usage(FILE *f);


int
ps_list_main(int argc, char **argv)
{
    int             c, rc, json;
    char          **ids;
    size_t          i, n;
    ps_dir_t        d;
    const char     *dir;
    ps_list_row_t  *rows;

    static const struct option  opts[] = {
        { "dir", required_argument, NULL, 'd' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };

    dir = NULL;
    json = 0;
    opterr = 0;
    optind = 1;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            ps_list_usage(stdout);
            return PS_EXIT_OK;
        default:
            ps_error("list: unknown or incomplete option \"%s\"",
                     argv[optind - 1]);
            return PS_EXIT_USAGE;
        }
    }

    if (dir == NULL || argc - optind != 0) {
        ps_list_usage(stderr);
        return PS_EXIT_USAGE;
    }

    rc = ps_dir_open(&d, dir, 0);

    if (rc == 0) {
        rc = ps_dir_snapshots(&d, &ids, &n);
    }

    if (rc != 0) {
        ps_dir_close(&d);
        return rc;
    }

    rows = ps_alloc((n + 1) * sizeof(ps_list_row_t));
    memset(rows, 0, (n + 1) * sizeof(ps_list_row_t));

    for (i = 0; i < n; i++) {
        rows[i].id = ids[i];
        ps_list_read(&d, &rows[i]);

        if (!rows[i].valid) {
            rc = PS_EXIT_CORRUPT;
        }
    }

    if (json) {
        ps_list_json(&d, rows, n);

    } else {
        ps_list_text(rows, n);
    }

    /* a current that names nothing servable is the worse news */

    if (d.current == PS_DIR_DANGLING || d.current == PS_DIR_INVALID) {
        ps_dir_current_error(&d);
        rc = PS_EXIT_DIR;
    }

    for (i = 0; i < n; i++) {
        free(rows[i].snapshot_id);
        free(rows[i].created_at);
        free(rows[i].content_hash);
    }

    free(rows);
    ps_dir_ids_free(ids, n);
    ps_dir_close(&d);

    return rc;
}


/* the metadata through the module's check; a refused file is listed */

static void
ps_list_read(ps_dir_t *d, ps_list_row_t *row)
{
    char         *path;
    struct stat   st;
    ps_reader_t   r;

    path = ps_dir_snap_path(d, row->id);

    if (stat(path, &st) == 0) {
        row->size = (long long) st.st_size;
    }

    if (d->current == PS_DIR_OK && strcmp(d->current_id, row->id) == 0) {
        row->state = "current";

    } else if (ps_dir_in_history(d, row->id)) {
        row->state = "kept";

    } else {
        row->state = "-";
    }

    if (ps_reader_open(&r, path) == 0) {
        row->valid = 1;
        row->snapshot_id = ps_strndup((const char *) r.meta.snapshot_id,
                                      r.meta.snapshot_id_len);
        row->record_count = r.meta.record_count;
        row->format_version = r.meta.version;
        row->created_at = ps_list_meta(&r,
                                       NGX_HTTP_PROFILE_META_CREATED_AT);
        row->content_hash = ps_list_meta(&r,
                                         NGX_HTTP_PROFILE_META_CONTENT_HASH);
    }

    ps_reader_close(&r);
    free(path);
}


/* a meta value as a C string (NULL if absent) */

static char *
ps_list_meta(ps_reader_t *r, const char *key)
{
    MDB_val  val;

    if (ps_reader_meta(r, key, &val) != 0) {
        return NULL;
    }

    return ps_strndup(val.mv_data, val.mv_size);
}


/* columns padded to their widest cell: one pass measures, one prints */

static void
ps_list_text(ps_list_row_t *rows, size_t n)
{
    int          w[7];
    char         num[3][32];
    size_t       i, j, len;
    unsigned     pass;
    const char  *cell[7];

    static const char  *head[] = { "STATE", "SNAPSHOT_ID", "CREATED_AT",
                                   "RECORDS", "FORMAT", "SIZE",
                                   "CONTENT_HASH" };

    memset(w, 0, sizeof(w));

    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i <= n; i++) {
            if (i == 0) {
                memcpy(cell, head, sizeof(cell));

            } else {
                ps_list_cells(&rows[i - 1], num, cell);
            }

            for (j = 0; j < 7; j++) {
                len = strlen(cell[j]);

                if (pass == 0 && (int) len > w[j]) {
                    w[j] = (int) len;
                }
            }

            if (pass == 1) {
                /* text left, numbers right; the last column unpadded */
                printf("%-*s  %-*s  %-*s  %*s  %*s  %*s  %s\n",
                       w[0], cell[0], w[1], cell[1], w[2], cell[2],
                       w[3], cell[3], w[4], cell[4], w[5], cell[5],
                       cell[6]);
            }
        }
    }
}


static void
ps_list_cells(ps_list_row_t *row, char num[3][32], const char **cell)
{
    snprintf(num[0], 32, "%llu", (unsigned long long) row->record_count);
    snprintf(num[1], 32, "%llu", (unsigned long long) row->format_version);
    snprintf(num[2], 32, "%lld", row->size);

    cell[0] = row->state;
    cell[1] = row->valid ? row->snapshot_id : row->id;
    cell[2] = (row->valid && row->created_at != NULL) ? row->created_at
                                                       : "-";
    cell[3] = row->valid ? num[0] : "-";
    cell[4] = row->valid ? num[1] : "-";
    cell[5] = num[2];
    cell[6] = !row->valid ? "invalid"
              : (row->content_hash != NULL) ? row->content_hash : "-";
}


static void
ps_list_json(ps_dir_t *d, ps_list_row_t *rows, size_t n)
{
    char           *name;
    size_t          i;
    ps_buf_t        b;
    ps_list_row_t  *row;

    memset(&b, 0, sizeof(ps_buf_t));

    ps_buf_adds(&b, "{\"dir\":");
    ps_buf_add_json_string(&b, d->path, strlen(d->path));
    ps_buf_adds(&b, ",\"current\":");

    if (d->current == PS_DIR_OK) {
        ps_buf_add_json_string(&b, d->current_id, strlen(d->current_id));

    } else {
        ps_buf_adds(&b, "null");
    }

    ps_buf_adds(&b, ",\"history\":[");

    for (i = 0; i < d->nhistory; i++) {
        if (i) {
            ps_buf_addc(&b, ',');
        }

        ps_buf_add_json_string(&b, d->history[i], strlen(d->history[i]));
    }

    ps_buf_adds(&b, "],\"snapshots\":[");

    for (i = 0; i < n; i++) {
        row = &rows[i];

        name = ps_alloc(strlen(row->id) + sizeof(PS_DIR_SUFFIX));
        strcpy(name, row->id);
        strcat(name, PS_DIR_SUFFIX);

        ps_buf_adds(&b, i ? ",{\"file\":" : "{\"file\":");
        ps_buf_add_json_string(&b, name, strlen(name));
        free(name);
        ps_buf_printf(&b, ",\"current\":%s,\"kept\":%s,\"size\":%lld,"
                      "\"valid\":%s",
                      row->state[0] == 'c' ? "true" : "false",
                      row->state[0] == 'k' ? "true" : "false",
                      row->size, row->valid ? "true" : "false");

        if (row->valid) {
            ps_buf_adds(&b, ",\"snapshot_id\":");
            ps_buf_add_json_string(&b, row->snapshot_id,
                                   strlen(row->snapshot_id));
            ps_buf_adds(&b, ",\"created_at\":");

            if (row->created_at != NULL) {
                ps_buf_add_json_string(&b, row->created_at,
                                       strlen(row->created_at));
            } else {
                ps_buf_adds(&b, "null");
            }

            ps_buf_printf(&b, ",\"record_count\":%llu,"
                          "\"format_version\":%llu,\"content_hash\":",
                          (unsigned long long) row->record_count,
                          (unsigned long long) row->format_version);

            if (row->content_hash != NULL) {
                ps_buf_add_json_string(&b, row->content_hash,
                                       strlen(row->content_hash));
            } else {
                ps_buf_adds(&b, "null");
            }
        }

        ps_buf_addc(&b, '}');
    }

    ps_buf_adds(&b, "]}\n");
    fwrite(b.data, 1, b.len, stdout);
    ps_buf_free(&b);
}


static void
ps_list_usage(FILE *f)
{
    fprintf(f,
        "usage: profile-snapshot list --dir DIR [--json]\n"
        "\n"
        "Show every published snapshot of DIR: its metadata, which is\n"
        "current and which the history keeps (the others gc removes).\n");
}
