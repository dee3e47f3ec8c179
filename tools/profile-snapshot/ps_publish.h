
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Publishing a finished file: the one way a snapshot (or a report) takes
 * its final name, a file is copied into a new one, and a symbolic link
 * (a snapshot directory's "current") replaces another.  The mechanisms;
 * the snapshot directory's layout is ps_dir.[ch]'s.
 */


#ifndef _PS_PUBLISH_H_INCLUDED_
#define _PS_PUBLISH_H_INCLUDED_


#include <sys/types.h>


/*
 * Publish a finished file: fsync tmp, rename it to out, fsync out's
 * directory.  Returns 0, or -1 after ps_error().
 */
int ps_publish(const char *tmp, const char *out);

/*
 * The same, but out must not exist (renameat2() RENAME_NOREPLACE): a
 * file that has a name is never replaced.  Returns 0, or -1 after
 * ps_error() (EEXIST if out exists).
 */
int ps_publish_new(const char *tmp, const char *out);

/*
 * Make out a symbolic link to target in one step: tmp (beside out; a
 * stale one is removed first) is created as the link and renamed over
 * out, then out's directory is fsynced.  Returns 0, or -1 after
 * ps_error().
 */
int ps_publish_symlink(const char *target, const char *tmp,
    const char *out);

/*
 * Write all n bytes at p to fd, going on after short writes.  Returns 0,
 * or -1 with errno set (ENOSPC when the device took no more bytes
 * without saying why).
 */
int ps_publish_write(int fd, const void *p, size_t n);

/*
 * Copy the bytes of from into a new file to (O_EXCL, created with mode);
 * to is not fsynced (ps_publish() does that).  Returns 0, or -1 after
 * ps_error(); the caller removes to.
 */
int ps_publish_copy(const char *from, const char *to, mode_t mode);

/* open path (a directory if is_dir), fsync() it; -1 after ps_error() */
int ps_fsync_path(const char *path, int is_dir);


#endif /* _PS_PUBLISH_H_INCLUDED_ */
