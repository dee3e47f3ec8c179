
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The "publish" and "rollback" commands: a snapshot put into a snapshot
 * directory under its id and verified there, then made current in one
 * step (docs/snapshot-dir.md).  Both write the history first and switch
 * "current" last, so a run killed at any point leaves "current" naming
 * a complete, verified snapshot, and the next run reconciles the
 * history with it (ps_dir_open()).
 */


#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_dir.h"
#include "ps_publish.h"
#include "ps_reader.h"
#include "ps_sha256.h"
#include "ps_signal.h"
#include "ps_verify.h"


/* what publish and rollback read of a snapshot before they use it */
typedef struct {
    char   id[NGX_HTTP_PROFILE_SNAPSHOT_ID_MAX + 1];
    char   hash[PS_SHA256_TEXT];
} ps_snap_info_t;


static int ps_publish_place(const char *src, const char *tmp, int copy);
static int ps_publish_existing(const char *path, const char *id,
    const ps_snap_info_t *src);
static int ps_publish_switch(ps_dir_t *d, char **history, size_t n,
    const char *id);
static int ps_snap_info(const char *path, ps_snap_info_t *info);
static void ps_publish_usage(FILE *f);
static void ps_rollback_usage(FILE *f);


int
ps_publish_main(int argc, char **argv)
{
    int              c, rc, copy, same, slot;
    char            *end, *final, *tmp, *name, **history;
    long             keep;
    size_t           i, n, first;
    ps_dir_t         d;
    const char      *src, *dir;
    ps_snap_info_t   info;

    static const struct option  opts[] = {
        { "dir", required_argument, NULL, 'd' },
        { "keep", required_argument, NULL, 'k' },
        { "copy", no_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };

    dir = NULL;
    keep = PS_DIR_KEEP;
    copy = 0;
    opterr = 0;
    optind = 1;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 'k':
            errno = 0;
            keep = strtol(optarg, &end, 10);

            if (errno || *end != '\0' || end == optarg || keep < 0
                || keep > PS_DIR_KEEP_MAX)
            {
                ps_error("publish: --keep wants a number from 0 to %d",
                         PS_DIR_KEEP_MAX);
                return PS_EXIT_USAGE;
            }
            break;
        case 'c':
            copy = 1;
            break;
        case 'h':
            ps_publish_usage(stdout);
            return PS_EXIT_OK;
        default:
            ps_error("publish: unknown or incomplete option \"%s\"",
                     argv[optind - 1]);
            return PS_EXIT_USAGE;
        }
    }

    if (dir == NULL || argc - optind != 1) {
        ps_publish_usage(stderr);
        return PS_EXIT_USAGE;
    }

    src = argv[optind];

    /* the snapshot first, before DIR is touched: its id, its hash */

    rc = ps_snap_info(src, &info);
    if (rc != 0) {
        ps_error("publish: %s refused; %s unchanged", src, dir);
        return rc;
    }

    ps_signal_init();

    rc = ps_dir_open(&d, dir, PS_DIR_CREATE | PS_DIR_LOCKED);

    if (rc == 0 && d.current == PS_DIR_INVALID) {
        ps_dir_current_error(&d);
        rc = PS_EXIT_DIR;
    }

    if (rc != 0) {
        ps_dir_close(&d);
        return rc;
    }

    final = ps_dir_snap_path(&d, info.id);

    n = strlen(info.id) + sizeof(PS_DIR_SUFFIX) + sizeof(".tmp") + 1;
    name = ps_alloc(n);
    snprintf(name, n, ".%s" PS_DIR_SUFFIX ".tmp", info.id);
    tmp = ps_dir_path(&d, name);
    free(name);

    /* a published file is never written: the same content is reused */

    if (access(final, F_OK) == 0) {
        rc = ps_publish_existing(final, info.id, &info);
        same = 1;

    } else {
        /* a signal removes the temporary file, until it has its name */

        slot = ps_signal_track(tmp);

        rc = ps_publish_place(src, tmp, copy);
        same = 0;

        if (rc == 0) {
            ps_signal_point("place");
        }

        if (rc == 0 && ps_publish_new(tmp, final) != 0) {
            unlink(tmp);
            rc = PS_EXIT_IO;
        }

        ps_signal_forget(slot);
    }

    if (rc != 0) {
        if (rc == PS_EXIT_CORRUPT) {
            ps_error("publish: %s fails verification; %s/%s unchanged",
                     same ? final : src, d.base, PS_DIR_CURRENT);
        }

        goto done;
    }

    if (same) {
        printf("%s: published already, with the same content\n", final);
    }

    /* the history: this id last, at most keep entries before it */

    history = ps_alloc((d.nhistory + 1) * sizeof(char *));
    n = 0;

    for (i = 0; i < d.nhistory; i++) {
        if (strcmp(d.history[i], info.id) != 0) {
            history[n++] = d.history[i];
        }
    }

    history[n++] = info.id;
    first = (n > (size_t) keep + 1) ? n - keep - 1 : 0;

    if (d.current == PS_DIR_OK && strcmp(d.current_id, info.id) == 0) {
        if (first > 0 || d.history_stale) {
            rc = ps_dir_history_write(&d, history + first, n - first);
        }

        if (rc == 0) {
            printf("%s/%s: %s is current already\n", d.base, PS_DIR_CURRENT,
                   info.id);
        }

    } else {
        rc = ps_publish_switch(&d, history + first, n - first, info.id);
    }

    free(history);

done:

    free(final);
    free(tmp);
    ps_dir_close(&d);

    return rc;
}


/*
 * The new file under its temporary name in DIR: a hard link to src
 * when both are on one filesystem (and not --copy), else a copy; mode
 * 0444; then verified there.  Returns 0, or an exit code after a
 * message (tmp removed).
 */

static int
ps_publish_place(const char *src, const char *tmp, int copy)
{
    int  rc, linked;

    /* one left by a publish that was killed: the lock says it is ours */
    (void) unlink(tmp);

    linked = 0;

    if (!copy) {
        if (link(src, tmp) == 0) {
            linked = 1;

        } else if (errno != EXDEV && errno != EPERM && errno != EMLINK
                   && errno != ENOTSUP)
        {
            ps_error("%s: link() to %s failed: %s", src, tmp,
                     strerror(errno));
            return PS_EXIT_IO;
        }
    }

    if (!linked && ps_publish_copy(src, tmp, 0444) != 0) {
        unlink(tmp);
        return PS_EXIT_IO;
    }

    if (chmod(tmp, 0444) != 0) {
        ps_error("%s: chmod() failed: %s", tmp, strerror(errno));
        unlink(tmp);
        return PS_EXIT_IO;
    }

    rc = ps_verify_path(tmp, 1);

    if (rc != 0) {
        unlink(tmp);
    }

    return rc;
}


/* DIR/<id>.snap exists: the same snapshot (content hash), verified */

static int
ps_publish_existing(const char *path, const char *id,
    const ps_snap_info_t *src)
{
    int             rc;
    ps_snap_info_t  info;

    rc = ps_snap_info(path, &info);

    if (rc == 0 && (strcmp(info.id, id) != 0
                    || strcmp(info.hash, src->hash) != 0))
    {
        ps_error("%s exists with another content (%s, not %s); a published "
                 "file is never replaced: build the new snapshot with "
                 "another --snapshot-id", path, info.hash, src->hash);
        return PS_EXIT_DIR;
    }

    if (rc != 0) {
        return rc;
    }

    return ps_verify_path(path, 1);
}


/*
 * The one step: the history written first (the new current last), then
 * DIR/current renamed over; a run killed between the two leaves the
 * old current, and a history ps_dir_open() cuts back to it.
 */

static int
ps_publish_switch(ps_dir_t *d, char **history, size_t n, const char *id)
{
    int  rc;

    rc = ps_dir_history_write(d, history, n);

    if (rc == 0) {
        ps_signal_point("switch");
        rc = ps_dir_make_current(d, id);
    }

    if (rc != 0) {
        return rc;
    }

    if (d->current == PS_DIR_NONE) {
        printf("%s/%s -> %s" PS_DIR_SUFFIX "\n", d->base, PS_DIR_CURRENT, id);

    } else {
        printf("%s/%s -> %s" PS_DIR_SUFFIX " (was %s" PS_DIR_SUFFIX ")\n",
               d->base, PS_DIR_CURRENT, id, d->current_id);
    }

    return 0;
}


int
ps_rollback_main(int argc, char **argv)
{
    int              c, rc;
    char            *path, **history;
    size_t           i, n;
    ps_dir_t         d;
    const char      *dir, *to;
    ps_snap_info_t   info;

    static const struct option  opts[] = {
        { "dir", required_argument, NULL, 'd' },
        { "to", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };

    dir = NULL;
    to = NULL;
    opterr = 0;
    optind = 1;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 't':
            to = optarg;

            if (!ngx_http_profile_snapshot_id_valid((unsigned char *) to,
                                                    strlen(to)))
            {
                ps_error("rollback: --to \"%s\" is not a snapshot id", to);
                return PS_EXIT_USAGE;
            }
            break;
        case 'h':
            ps_rollback_usage(stdout);
            return PS_EXIT_OK;
        default:
            ps_error("rollback: unknown or incomplete option \"%s\"",
                     argv[optind - 1]);
            return PS_EXIT_USAGE;
        }
    }

    if (dir == NULL || argc - optind != 0) {
        ps_rollback_usage(stderr);
        return PS_EXIT_USAGE;
    }

    ps_signal_init();

    rc = ps_dir_open(&d, dir, PS_DIR_LOCKED);

    if (rc == 0 && d.current == PS_DIR_INVALID) {
        ps_dir_current_error(&d);
        rc = PS_EXIT_DIR;
    }

    if (rc != 0) {
        ps_dir_close(&d);
        return rc;
    }

    history = ps_alloc((d.nhistory + 1) * sizeof(char *));
    path = NULL;

    if (to != NULL) {
        if (d.current == PS_DIR_OK && strcmp(d.current_id, to) == 0) {
            printf("%s/%s: %s is current already\n", d.base, PS_DIR_CURRENT,
                   to);
            goto done;
        }

        path = ps_dir_snap_path(&d, to);

        if (access(path, F_OK) != 0) {
            ps_error("rollback: no snapshot \"%s\" in %s (no %s)", to,
                     d.path, path);
            rc = PS_EXIT_DIR;
            goto done;
        }

        /* back to an entry of the history, or on to another file */

        for (n = 0; n < d.nhistory; n++) {
            history[n] = d.history[n];

            if (strcmp(d.history[n], to) == 0) {
                break;
            }
        }

        if (n == d.nhistory) {
            history[n] = (char *) to;
        }

        n++;

    } else {
        if (d.current == PS_DIR_NONE || d.nhistory < 2) {
            ps_error("rollback: %s has no previous snapshot to roll back "
                     "to", d.path);
            rc = PS_EXIT_DIR;
            goto done;
        }

        n = d.nhistory - 1;

        for (i = 0; i < n; i++) {
            history[i] = d.history[i];
        }

        to = history[n - 1];
        path = ps_dir_snap_path(&d, to);

        if (access(path, F_OK) != 0) {
            ps_error("rollback: the previous snapshot, %s, does not exist "
                     "(roll back to another with --to ID)", path);
            rc = PS_EXIT_DIR;
            goto done;
        }
    }

    /* verified again: a file kept for days may have been damaged since */

    rc = ps_snap_info(path, &info);

    if (rc == 0 && strcmp(info.id, to) != 0) {
        ps_error("%s holds snapshot \"%s\", not \"%s\"", path, info.id, to);
        rc = PS_EXIT_CORRUPT;
    }

    if (rc == 0) {
        rc = ps_verify_path(path, 1);
    }

    if (rc != 0) {
        ps_error("rollback: %s refused; %s/%s unchanged", path, d.base,
                 PS_DIR_CURRENT);
        goto done;
    }

    rc = ps_publish_switch(&d, history, n, to);

done:

    free(path);
    free(history);
    ps_dir_close(&d);

    return rc;
}


/*
 * A snapshot's id and content hash, read through the module's metadata
 * check; a format newer than this build's is named as such (the
 * constants of ngx_http_profile_format.h).  Returns 0, or an exit code
 * after a message.
 */

static int
ps_snap_info(const char *path, ps_snap_info_t *info)
{
    int          rc;
    char         err[PS_READER_ERRSTR];
    MDB_val      val;
    ps_reader_t  r;

    memset(info, 0, sizeof(ps_snap_info_t));

    rc = ps_reader_try(&r, path, err);

    if (rc != 0) {
        if (r.meta_rc == NGX_HTTP_PROFILE_META_RC_VERSION
            && r.meta.version > NGX_HTTP_PROFILE_FORMAT_VERSION)
        {
            ps_error("%s: format version %llu is newer than this build "
                     "reads (at most %d): publish it with the "
                     "profile-snapshot of the module that will serve it",
                     path, (unsigned long long) r.meta.version,
                     NGX_HTTP_PROFILE_FORMAT_VERSION);
            rc = PS_EXIT_FORMAT;

        } else {
            ps_error("%s%s", path, err);
        }

        ps_reader_close(&r);
        return rc;
    }

    memcpy(info->id, r.meta.snapshot_id, r.meta.snapshot_id_len);
    info->id[r.meta.snapshot_id_len] = '\0';

    if (ps_reader_meta(&r, NGX_HTTP_PROFILE_META_CONTENT_HASH, &val) == 0
        && val.mv_size < sizeof(info->hash))
    {
        memcpy(info->hash, val.mv_data, val.mv_size);
        info->hash[val.mv_size] = '\0';
    }

    ps_reader_close(&r);

    return 0;
}


static void
ps_publish_usage(FILE *f)
{
    fprintf(f,
        "usage: profile-snapshot publish SNAPSHOT --dir DIR [--keep N] "
        "[--copy]\n"
        "\n"
        "Put SNAPSHOT into the snapshot directory DIR as <id>.snap (a hard\n"
        "link on the same filesystem, else a copy; --copy: always a copy),\n"
        "verify it there, and make DIR/current point at it in one step.\n"
        "The history keeps the N previous snapshots (default %d); gc\n"
        "removes the others.  docs/cli.md has the exit codes.\n",
        PS_DIR_KEEP);
}


static void
ps_rollback_usage(FILE *f)
{
    fprintf(f,
        "usage: profile-snapshot rollback --dir DIR [--to ID]\n"
        "\n"
        "Make the previous snapshot of DIR's history current again (or the\n"
        "published snapshot ID), verified first, in one step.\n");
}
