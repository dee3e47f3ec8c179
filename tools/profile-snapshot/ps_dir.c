
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The snapshot directory's layout (docs/snapshot-dir.md): marker, lock,
 * "current", "history", "<id>.snap".  Every change is a new file or
 * link renamed into place, then the directory fsynced (ps_publish.c).
 */


#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_dir.h"
#include "ps_publish.h"


/* a history longer than this is not one publish wrote */
#define PS_DIR_HISTORY_MAX  (1024 * 1024)


static int ps_dir_marker(ps_dir_t *d, int flags, int *missing);
static int ps_dir_empty(ps_dir_t *d);
static int ps_dir_mark(ps_dir_t *d);
static int ps_dir_lock(ps_dir_t *d);
static void ps_dir_read_current(ps_dir_t *d);
static int ps_dir_read_history(ps_dir_t *d);
static void ps_dir_reconcile(ps_dir_t *d);
static int ps_dir_cmp(const void *a, const void *b);


int
ps_dir_open(ps_dir_t *d, const char *path, int flags)
{
    int          rc, missing;
    size_t       len;
    struct stat  st;

    memset(d, 0, sizeof(ps_dir_t));
    d->path = path;
    d->fd = -1;
    d->lock = -1;

    len = strlen(path);

    while (len > 1 && path[len - 1] == '/') {
        len--;
    }

    d->base = ps_strndup(path, len);

    if (stat(path, &st) != 0) {
        if (errno != ENOENT || !(flags & PS_DIR_CREATE)) {
            ps_error("%s: %s", path, strerror(errno));
            return PS_EXIT_IO;
        }

        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            ps_error("%s: mkdir() failed: %s", path, strerror(errno));
            return PS_EXIT_IO;
        }

    } else if (!S_ISDIR(st.st_mode)) {
        ps_error("%s is not a snapshot directory", path);
        return PS_EXIT_DIR;
    }

    d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d->fd == -1) {
        ps_error("%s: open() failed: %s", path, strerror(errno));
        return PS_EXIT_IO;
    }

    rc = ps_dir_marker(d, flags, &missing);
    if (rc != 0) {
        return rc;
    }

    if (flags & PS_DIR_LOCKED) {
        rc = ps_dir_lock(d);
        if (rc != 0) {
            return rc;
        }

        /* the lock is ours: nobody else can be marking the directory */

        if (missing) {
            rc = ps_dir_marker(d, flags, &missing);
            if (rc != 0) {
                return rc;
            }

            if (missing && (rc = ps_dir_mark(d)) != 0) {
                return rc;
            }
        }
    }

    ps_dir_read_current(d);

    rc = ps_dir_read_history(d);
    if (rc != 0) {
        return rc;
    }

    ps_dir_reconcile(d);

    return 0;
}


/*
 * The marker: present and of this layout; or, with PS_DIR_CREATE,
 * missing in an empty directory (*missing set).
 */

static int
ps_dir_marker(ps_dir_t *d, int flags, int *missing)
{
    int          fd;
    char         buf[64];
    ssize_t      n;
    struct stat  st;

    *missing = 0;

    if (fstatat(d->fd, PS_DIR_MARKER, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) {
            ps_error("%s/%s: %s", d->base, PS_DIR_MARKER, strerror(errno));
            return PS_EXIT_IO;
        }

        if (!(flags & PS_DIR_CREATE) || !ps_dir_empty(d)) {
            ps_error("%s is not a snapshot directory", d->path);
            return PS_EXIT_DIR;
        }

        *missing = 1;
        return 0;
    }

    if (!S_ISREG(st.st_mode)) {
        ps_error("%s is not a snapshot directory", d->path);
        return PS_EXIT_DIR;
    }

    fd = openat(d->fd, PS_DIR_MARKER, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        ps_error("%s/%s: open() failed: %s", d->base, PS_DIR_MARKER,
                 strerror(errno));
        return PS_EXIT_IO;
    }

    n = read(fd, buf, sizeof(buf));
    close(fd);

    if (n != sizeof(PS_DIR_MARKER_TEXT) - 1
        || memcmp(buf, PS_DIR_MARKER_TEXT, n) != 0)
    {
        ps_error("%s/%s: not a snapshot directory layout this build knows "
                 "(expected \"%.*s\")", d->base, PS_DIR_MARKER,
                 (int) sizeof(PS_DIR_MARKER_TEXT) - 2, PS_DIR_MARKER_TEXT);
        return PS_EXIT_DIR;
    }

    return 0;
}


/* 1 if the directory holds nothing, or only the lock file */

static int
ps_dir_empty(ps_dir_t *d)
{
    int             fd, empty;
    DIR            *dir;
    struct dirent  *e;

    fd = dup(d->fd);
    if (fd == -1) {
        return 0;
    }

    dir = fdopendir(fd);
    if (dir == NULL) {
        close(fd);
        return 0;
    }

    rewinddir(dir);
    empty = 1;

    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0
            && strcmp(e->d_name, PS_DIR_LOCK) != 0)
        {
            empty = 0;
            break;
        }
    }

    closedir(dir);

    return empty;
}


/* write the marker: a temporary file renamed into place */

static int
ps_dir_mark(ps_dir_t *d)
{
    int    fd, rc;
    char  *tmp, *marker;

    tmp = ps_dir_path(d, "." PS_DIR_MARKER ".tmp");
    marker = ps_dir_path(d, PS_DIR_MARKER);
    rc = PS_EXIT_IO;

    (void) unlink(tmp);

    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    if (fd == -1) {
        ps_error("%s: open() failed: %s", tmp, strerror(errno));

    } else if (ps_publish_write(fd, PS_DIR_MARKER_TEXT,
                                sizeof(PS_DIR_MARKER_TEXT) - 1)
               != 0
               || close(fd) != 0)
    {
        ps_error("%s: write() failed: %s", tmp, strerror(errno));
        unlink(tmp);

    } else if (ps_publish(tmp, marker) != 0) {
        unlink(tmp);

    } else {
        rc = 0;
    }

    free(tmp);
    free(marker);

    return rc;
}


static int
ps_dir_lock(ps_dir_t *d)
{
    d->lock = openat(d->fd, PS_DIR_LOCK, O_RDONLY | O_CREAT | O_CLOEXEC,
                     0644);
    if (d->lock == -1) {
        ps_error("%s/%s: open() failed: %s", d->base, PS_DIR_LOCK,
                 strerror(errno));
        return PS_EXIT_IO;
    }

    if (flock(d->lock, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            ps_error("another publish holds %s (a publish, rollback or gc "
                     "has %s/%s locked); try again later", d->path, d->base,
                     PS_DIR_LOCK);
            return PS_EXIT_LOCKED;
        }

        ps_error("%s/%s: flock() failed: %s", d->base, PS_DIR_LOCK,
                 strerror(errno));
        return PS_EXIT_IO;
    }

    return 0;
}


/* DIR/current: a relative link "<id>.snap" to a regular file */

static void
ps_dir_read_current(ps_dir_t *d)
{
    char         target[NGX_HTTP_PROFILE_SNAPSHOT_ID_MAX
                        + sizeof(PS_DIR_SUFFIX) + 1];
    ssize_t      n;
    struct stat  st;

    n = readlinkat(d->fd, PS_DIR_CURRENT, target, sizeof(target));

    if (n == -1) {
        d->current = (errno == ENOENT) ? PS_DIR_NONE : PS_DIR_INVALID;
        return;
    }

    if ((size_t) n == sizeof(target)
        || !ngx_http_profile_snapshot_name((const unsigned char *) target, n,
                                           NULL))
    {
        d->current = PS_DIR_INVALID;
        return;
    }

    target[n] = '\0';
    memcpy(d->current_id, target, n - (sizeof(PS_DIR_SUFFIX) - 1));
    d->current_id[n - (sizeof(PS_DIR_SUFFIX) - 1)] = '\0';

    if (fstatat(d->fd, target, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        d->current = (errno == ENOENT) ? PS_DIR_DANGLING : PS_DIR_INVALID;
        return;
    }

    d->current = S_ISREG(st.st_mode) ? PS_DIR_OK : PS_DIR_INVALID;
}


static int
ps_dir_read_history(ps_dir_t *d)
{
    int          fd;
    char        *p, *end, *nl;
    size_t       i, line;
    ssize_t      n;
    ps_buf_t     b;
    struct stat  st;

    fd = openat(d->fd, PS_DIR_HISTORY, O_RDONLY | O_CLOEXEC);

    if (fd == -1) {
        if (errno == ENOENT) {
            return 0;
        }

        ps_error("%s/%s: open() failed: %s", d->base, PS_DIR_HISTORY,
                 strerror(errno));
        return PS_EXIT_IO;
    }

    memset(&b, 0, sizeof(ps_buf_t));

    if (fstat(fd, &st) != 0 || st.st_size > PS_DIR_HISTORY_MAX) {
        close(fd);
        ps_error("%s/%s is not a history publish wrote", d->base,
                 PS_DIR_HISTORY);
        return PS_EXIT_DIR;
    }

    ps_buf_reserve(&b, st.st_size + 1);

    while ((n = read(fd, b.data + b.len, b.cap - b.len - 1)) > 0) {
        b.len += n;

        if (b.len + 1 == b.cap) {
            ps_buf_reserve(&b, 4096);
        }
    }

    close(fd);

    if (n == -1) {
        ps_error("%s/%s: read() failed: %s", d->base, PS_DIR_HISTORY,
                 strerror(errno));
        ps_buf_free(&b);
        return PS_EXIT_IO;
    }

    p = (char *) b.data;
    end = p + b.len;
    line = 0;

    while (p < end) {
        line++;
        nl = memchr(p, '\n', end - p);

        if (nl == NULL) {
            nl = end;
        }

        if (!ngx_http_profile_snapshot_id_valid((unsigned char *) p,
                                                nl - p))
        {
            ps_error("%s/%s: line %zu is not a snapshot id", d->base,
                     PS_DIR_HISTORY, line);
            ps_buf_free(&b);
            return PS_EXIT_DIR;
        }

        /* an id given twice: its last place is the one that counts */

        for (i = 0; i < d->nhistory; i++) {
            if (strlen(d->history[i]) == (size_t) (nl - p)
                && memcmp(d->history[i], p, nl - p) == 0)
            {
                free(d->history[i]);
                memmove(&d->history[i], &d->history[i + 1],
                        (d->nhistory - i - 1) * sizeof(char *));
                d->nhistory--;
                d->history_stale = 1;
                break;
            }
        }

        d->history = ps_realloc(d->history,
                                (d->nhistory + 1) * sizeof(char *));
        d->history[d->nhistory++] = ps_strndup(p, nl - p);

        p = nl + 1;
    }

    ps_buf_free(&b);

    return 0;
}


/* the last entry is current (see ps_dir_open()) */

static void
ps_dir_reconcile(ps_dir_t *d)
{
    size_t  i;

    if (d->current != PS_DIR_OK && d->current != PS_DIR_DANGLING) {
        return;
    }

    for (i = d->nhistory; i > 0; i--) {
        if (strcmp(d->history[i - 1], d->current_id) == 0) {
            break;
        }
    }

    if (i == 0) {
        d->history = ps_realloc(d->history,
                                (d->nhistory + 1) * sizeof(char *));
        d->history[d->nhistory++] = ps_strdup(d->current_id);
        d->history_stale = 1;
        return;
    }

    while (d->nhistory > i) {
        free(d->history[--d->nhistory]);
        d->history_stale = 1;
    }
}


char *
ps_dir_path(ps_dir_t *d, const char *name)
{
    char    *p;
    size_t   n;

    n = strlen(d->base) + strlen(name) + 2;
    p = ps_alloc(n);
    snprintf(p, n, "%s/%s", d->base, name);

    return p;
}


char *
ps_dir_snap_path(ps_dir_t *d, const char *id)
{
    char    *p;
    size_t   n;

    n = strlen(d->base) + strlen(id) + sizeof(PS_DIR_SUFFIX) + 1;
    p = ps_alloc(n);
    snprintf(p, n, "%s/%s" PS_DIR_SUFFIX, d->base, id);

    return p;
}


int
ps_dir_in_history(ps_dir_t *d, const char *id)
{
    size_t  i;

    for (i = 0; i < d->nhistory; i++) {
        if (strcmp(d->history[i], id) == 0) {
            return 1;
        }
    }

    return 0;
}


int
ps_dir_history_write(ps_dir_t *d, char **ids, size_t n)
{
    int        fd, rc;
    char      *tmp, *out;
    size_t     i;
    ps_buf_t   b;

    memset(&b, 0, sizeof(ps_buf_t));

    for (i = 0; i < n; i++) {
        ps_buf_adds(&b, ids[i]);
        ps_buf_addc(&b, '\n');
    }

    tmp = ps_dir_path(d, "." PS_DIR_HISTORY ".tmp");
    out = ps_dir_path(d, PS_DIR_HISTORY);
    rc = PS_EXIT_IO;

    /* one left by a run that was killed: the lock says it is ours */
    (void) unlink(tmp);

    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    if (fd == -1) {
        ps_error("%s: open() failed: %s", tmp, strerror(errno));

    } else if (ps_publish_write(fd, b.data, b.len) != 0 || close(fd) != 0)
    {
        ps_error("%s: write() failed: %s", tmp, strerror(errno));
        unlink(tmp);

    } else if (ps_publish(tmp, out) != 0) {
        unlink(tmp);

    } else {
        rc = 0;
    }

    free(tmp);
    free(out);
    ps_buf_free(&b);

    return rc;
}


int
ps_dir_make_current(ps_dir_t *d, const char *id)
{
    int     rc;
    char   *target, *tmp, *out;
    size_t  n;

    n = strlen(id) + sizeof(PS_DIR_SUFFIX);
    target = ps_alloc(n);
    snprintf(target, n, "%s" PS_DIR_SUFFIX, id);

    tmp = ps_dir_path(d, "." PS_DIR_CURRENT ".tmp");
    out = ps_dir_path(d, PS_DIR_CURRENT);

    rc = ps_publish_symlink(target, tmp, out) == 0 ? 0 : PS_EXIT_IO;

    free(target);
    free(tmp);
    free(out);

    return rc;
}


int
ps_dir_snapshots(ps_dir_t *d, char ***ids, size_t *n)
{
    int             fd;
    DIR            *dir;
    size_t          len;
    struct stat     st;
    struct dirent  *e;

    *ids = NULL;
    *n = 0;

    fd = dup(d->fd);
    dir = (fd == -1) ? NULL : fdopendir(fd);

    if (dir == NULL) {
        ps_error("%s: opendir() failed: %s", d->path, strerror(errno));
        if (fd != -1) {
            close(fd);
        }
        return PS_EXIT_IO;
    }

    rewinddir(dir);

    while ((e = readdir(dir)) != NULL) {
        len = strlen(e->d_name);

        if (!ngx_http_profile_snapshot_name((const unsigned char *) e->d_name,
                                            len, NULL)
            || fstatat(d->fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0
            || !S_ISREG(st.st_mode))
        {
            continue;
        }

        *ids = ps_realloc(*ids, (*n + 1) * sizeof(char *));
        (*ids)[(*n)++] = ps_strndup(e->d_name,
                                    len - (sizeof(PS_DIR_SUFFIX) - 1));
    }

    closedir(dir);

    if (*n > 1) {
        qsort(*ids, *n, sizeof(char *), ps_dir_cmp);
    }

    return 0;
}


void
ps_dir_ids_free(char **ids, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        free(ids[i]);
    }

    free(ids);
}


void
ps_dir_current_error(ps_dir_t *d)
{
    if (d->current == PS_DIR_DANGLING) {
        ps_error("%s/%s names %s%s, which does not exist", d->base,
                 PS_DIR_CURRENT, d->current_id, PS_DIR_SUFFIX);

    } else if (d->current == PS_DIR_INVALID) {
        ps_error("%s/%s is not a link to a snapshot of %s (\"<id>%s\")",
                 d->base, PS_DIR_CURRENT, d->path, PS_DIR_SUFFIX);
    }
}


void
ps_dir_close(ps_dir_t *d)
{
    size_t  i;

    /* closing the descriptor releases the lock */

    if (d->lock != -1) {
        close(d->lock);
    }

    if (d->fd != -1) {
        close(d->fd);
    }

    for (i = 0; i < d->nhistory; i++) {
        free(d->history[i]);
    }

    free(d->history);
    free(d->base);
    memset(d, 0, sizeof(ps_dir_t));
    d->fd = -1;
    d->lock = -1;
}


static int
ps_dir_cmp(const void *a, const void *b)
{
    return strcmp(*(char * const *) a, *(char * const *) b);
}
