
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Publishing a finished file under its name: fsync, rename, fsync of the
 * directory.  A published snapshot is never written again
 * (docs/architecture.md "Why no lock file").
 */


#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ps.h"
#include "ps_publish.h"


int
ps_publish(const char *tmp, const char *out)
{
    int    fd;
    char  *dir, *slash;

    if (ps_fsync_path(tmp, 0) != 0) {
        return -1;
    }

    if (rename(tmp, out) != 0) {
        ps_error("%s: rename() to %s failed: %s", tmp, out, strerror(errno));
        return -1;
    }

    /* the directory entry too: a crash after this keeps the new file */

    dir = strdup(out);
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
