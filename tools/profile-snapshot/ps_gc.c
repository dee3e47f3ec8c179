
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The "gc" command: remove (unlink, nothing else) the published
 * snapshots of a snapshot directory that are neither current, nor kept
 * by the history, nor mapped by a running process.  A process is seen
 * through /proc/PID/maps, which the kernel lets a process read only for
 * processes it may trace (its own user's, or any as root): a file
 * mapped by another user's process is not seen, and may be removed
 * (docs/snapshot-dir.md).  Removing a mapped file would be safe for its
 * reader (the inode lives until it is unmapped) but frees nothing: it
 * is kept for a later gc.
 */


#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_dir.h"
#include "ps_publish.h"
#include "ps_reader.h"


/* a snapshot gc may remove, and the first process seen mapping it */
typedef struct {
    const char  *id;
    char        *path;
    dev_t        dev;
    ino_t        ino;
    long         pid;      /* 0: not mapped */
} ps_gc_file_t;


static int ps_gc_ours(const char *path, const char *id);
static void ps_gc_scan(ps_gc_file_t *files, size_t n, unsigned *unread);
static void ps_gc_maps(FILE *f, long pid, ps_gc_file_t *files, size_t n);
static void ps_gc_usage(FILE *f);


int
ps_gc_main(int argc, char **argv)
{
    int            c, rc, dry, verbose;
    char         **ids;
    size_t         i, n, nfiles, removed;
    unsigned       unread;
    ps_dir_t       d;
    const char    *dir;
    struct stat    st;
    ps_gc_file_t  *files;

    static const struct option  opts[] = {
        { "dir", required_argument, NULL, 'd' },
        { "dry-run", no_argument, NULL, 'n' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };

    dir = NULL;
    dry = 0;
    verbose = 0;
    opterr = 0;
    optind = 1;

    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 'n':
            dry = 1;
            break;
        case 'v':
            verbose = 1;
            break;
        case 'h':
            ps_gc_usage(stdout);
            return PS_EXIT_OK;
        default:
            ps_error("gc: unknown or incomplete option \"%s\"",
                     argv[optind - 1]);
            return PS_EXIT_USAGE;
        }
    }

    if (dir == NULL || argc - optind != 0) {
        ps_gc_usage(stderr);
        return PS_EXIT_USAGE;
    }

    /* the lock: no publish may make a file current while gc looks */

    rc = ps_dir_open(&d, dir, PS_DIR_LOCKED);

    if (rc == 0 && d.current == PS_DIR_INVALID) {
        ps_dir_current_error(&d);
        rc = PS_EXIT_DIR;
    }

    if (rc == 0) {
        rc = ps_dir_snapshots(&d, &ids, &n);
    }

    if (rc != 0) {
        ps_dir_close(&d);
        return rc;
    }

    files = ps_alloc((n + 1) * sizeof(ps_gc_file_t));
    nfiles = 0;

    for (i = 0; i < n; i++) {
        if (ps_dir_in_history(&d, ids[i])
            || ((d.current == PS_DIR_OK || d.current == PS_DIR_DANGLING)
                && strcmp(ids[i], d.current_id) == 0))
        {
            continue;
        }

        files[nfiles].id = ids[i];
        files[nfiles].path = ps_dir_snap_path(&d, ids[i]);
        files[nfiles].pid = 0;

        if (lstat(files[nfiles].path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(files[nfiles].path);
            continue;
        }

        /* only what publish wrote: a snapshot named after its own id */

        if (ps_gc_ours(files[nfiles].path, ids[i]) != 0) {
            free(files[nfiles].path);
            rc = PS_EXIT_CORRUPT;
            continue;
        }

        files[nfiles].dev = st.st_dev;
        files[nfiles].ino = st.st_ino;
        nfiles++;
    }

    unread = 0;

    if (nfiles > 0) {
        ps_gc_scan(files, nfiles, &unread);
    }

    if (verbose && unread > 0) {
        ps_error("gc: the maps of %u processes could not be read (not this "
                 "user's): a file only they map is not seen as mapped",
                 unread);
    }

    removed = 0;

    for (i = 0; i < nfiles; i++) {
        if (files[i].pid != 0) {
            printf("%s: kept, mapped by process %ld\n", files[i].path,
                   files[i].pid);

        } else if (dry) {
            printf("%s: would be removed\n", files[i].path);

        } else if (unlink(files[i].path) != 0) {
            ps_error("%s: unlink() failed: %s", files[i].path,
                     strerror(errno));
            rc = PS_EXIT_IO;

        } else {
            printf("%s: removed\n", files[i].path);
            removed++;
        }

        free(files[i].path);
    }

    if (removed > 0 && ps_fsync_path(d.base, 1) != 0) {
        rc = PS_EXIT_IO;
    }

    free(files);
    ps_dir_ids_free(ids, n);
    ps_dir_close(&d);

    return rc;
}


/*
 * 0 if path passes the module's metadata check and holds the snapshot
 * id of its name; else -1, with a message: the file is left alone.
 */

static int
ps_gc_ours(const char *path, const char *id)
{
    int          rc;
    char         err[PS_READER_ERRSTR];
    ps_reader_t  r;

    rc = ps_reader_try(&r, path, err);

    if (rc != 0) {
        ps_error("%s%s; gc leaves it", path, err);

    } else if (r.meta.snapshot_id_len != strlen(id)
               || memcmp(r.meta.snapshot_id, id, r.meta.snapshot_id_len)
                  != 0)
    {
        ps_error("%s holds snapshot \"%.*s\", not one publish wrote; gc "
                 "leaves it", path, (int) r.meta.snapshot_id_len,
                 r.meta.snapshot_id);
        rc = -1;
    }

    ps_reader_close(&r);

    return rc == 0 ? 0 : -1;
}


/* every /proc/PID/maps this process may read; *unread: those it may not */

static void
ps_gc_scan(ps_gc_file_t *files, size_t n, unsigned *unread)
{
    DIR            *proc;
    FILE           *f;
    char            path[64];
    long            pid;
    struct dirent  *e;

    proc = opendir("/proc");
    if (proc == NULL) {
        ps_error("/proc: opendir() failed: %s (no process is seen as "
                 "mapping a snapshot)", strerror(errno));
        return;
    }

    while ((e = readdir(proc)) != NULL) {
        if (!isdigit((unsigned char) e->d_name[0])) {
            continue;
        }

        pid = strtol(e->d_name, NULL, 10);

        if (pid == (long) getpid()) {
            continue;
        }

        snprintf(path, sizeof(path), "/proc/%ld/maps", pid);

        f = fopen(path, "r");

        if (f == NULL) {
            /* a process that has exited meanwhile maps nothing */
            if (errno != ENOENT && errno != ESRCH) {
                (*unread)++;
            }

            continue;
        }

        ps_gc_maps(f, pid, files, n);
        fclose(f);
    }

    closedir(proc);
}


/*
 * Lines "START-END PERMS OFFSET MAJOR:MINOR INODE PATH" (proc(5)); the
 * device is in hex.  A file mapped is matched by device and inode, so a
 * file renamed or unlinked since it was mapped is matched too.
 */

static void
ps_gc_maps(FILE *f, long pid, ps_gc_file_t *files, size_t n)
{
    char            line[4096];
    size_t          i;
    unsigned        major, minor;
    unsigned long   ino;

    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "%*s %*s %*s %x:%x %lu", &major, &minor, &ino)
            != 3
            || ino == 0)
        {
            continue;
        }

        for (i = 0; i < n; i++) {
            if (files[i].pid == 0 && files[i].ino == (ino_t) ino
                && files[i].dev == makedev(major, minor))
            {
                files[i].pid = pid;
            }
        }

        /* a line longer than the buffer: skip the rest of it */

        if (strchr(line, '\n') == NULL) {
            while (fgets(line, sizeof(line), f) != NULL
                   && strchr(line, '\n') == NULL)
            {
                /* void */
            }
        }
    }
}


static void
ps_gc_usage(FILE *f)
{
    fprintf(f,
        "usage: profile-snapshot gc --dir DIR [--dry-run] [-v]\n"
        "\n"
        "Remove the published snapshots of DIR that are neither current,\n"
        "nor kept by the history, nor mapped by a process this user may\n"
        "see in /proc (-v: say how many it may not).  --dry-run: only say\n"
        "what would be removed.\n");
}
