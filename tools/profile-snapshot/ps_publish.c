
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Publishing a finished file under its name: fsync, rename, fsync of the
 * directory; a byte copy into a new file; a symbolic link renamed over a
 * name.  A published snapshot is never written again
 * (docs/architecture.md "Why no lock file").
 */


#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ps.h"
#include "ps_publish.h"


static int ps_publish_dir_of(const char *path);


int
ps_publish(const char *tmp, const char *out)
{
    if (ps_fsync_path(tmp, 0) != 0) {
        return -1;
    }

    if (rename(tmp, out) != 0) {
        ps_error("%s: rename() to %s failed: %s", tmp, out, strerror(errno));
        return -1;
    }

    return ps_publish_dir_of(out);
}


int
ps_publish_new(const char *tmp, const char *out)
{
    if (ps_fsync_path(tmp, 0) != 0) {
        return -1;
    }

    /* a name that exists is never replaced: it may be a published file */

    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE) != 0) {

        /* a filesystem without the flag: link() never replaces either */

        if (errno != EINVAL || link(tmp, out) != 0) {
            ps_error("%s: rename() to %s failed: %s", tmp, out,
                     strerror(errno));
            return -1;
        }

        (void) unlink(tmp);
    }

    return ps_publish_dir_of(out);
}


int
ps_publish_symlink(const char *target, const char *tmp, const char *out)
{
    /* a link left by a run that was killed is ours to replace */

    if (unlink(tmp) != 0 && errno != ENOENT) {
        ps_error("%s: unlink() failed: %s", tmp, strerror(errno));
        return -1;
    }

    if (symlink(target, tmp) != 0) {
        ps_error("%s: symlink() failed: %s", tmp, strerror(errno));
        return -1;
    }

    if (rename(tmp, out) != 0) {
        ps_error("%s: rename() to %s failed: %s", tmp, out, strerror(errno));
        unlink(tmp);
        return -1;
    }

    return ps_publish_dir_of(out);
}


int
ps_publish_write(int fd, const void *p, size_t n)
{
    ssize_t  w;

    while (n > 0) {
        w = write(fd, p, n);

        if (w == -1 && errno == EINTR) {
            continue;
        }

        if (w == -1) {
            return -1;
        }

        if (w == 0) {
            errno = ENOSPC;
            return -1;
        }

        p = (const char *) p + w;
        n -= w;
    }

    return 0;
}


int
ps_publish_copy(const char *from, const char *to, mode_t mode)
{
    int       in, o;
    char      buf[65536];
    ssize_t   n;

    in = open(from, O_RDONLY);
    if (in == -1) {
        ps_error("%s: open() failed: %s", from, strerror(errno));
        return -1;
    }

    o = open(to, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (o == -1) {
        ps_error("%s: open() failed: %s", to, strerror(errno));
        close(in);
        return -1;
    }

    while ((n = read(in, buf, sizeof(buf))) > 0) {
        if (ps_publish_write(o, buf, n) != 0) {
            ps_error("%s: write() failed: %s", to, strerror(errno));
            n = -2;
            break;
        }
    }

    if (n == -1) {
        ps_error("%s: read() failed: %s", from, strerror(errno));
    }

    close(in);

    if (close(o) != 0 && n == 0) {
        ps_error("%s: write() failed: %s", to, strerror(errno));
        n = -2;
    }

    return n == 0 ? 0 : -1;
}


/* fsync the directory that holds path: a crash keeps its new entry */

static int
ps_publish_dir_of(const char *path)
{
    int    fd;
    char  *dir, *slash;

    dir = strdup(path);
    if (dir == NULL) {
        ps_error("out of memory");
        return -1;
    }

    slash = strrchr(dir, '/');

    if (slash == NULL) {
        strcpy(dir, ".");

    } else if (slash == dir) {
        slash[1] = '\0';

    } else {
        *slash = '\0';
    }

    fd = ps_fsync_path(dir, 1);
    free(dir);

    return fd;
}


int
ps_fsync_path(const char *path, int is_dir)
{
    int  fd;

    fd = open(path, O_RDONLY | (is_dir ? O_DIRECTORY : 0));

    if (fd == -1 || fsync(fd) != 0) {
        ps_error("%s: fsync()%s failed: %s", path,
                 is_dir ? " of the directory" : "", strerror(errno));

        if (fd != -1) {
            close(fd);
        }

        return -1;
    }

    close(fd);

    return 0;
}
