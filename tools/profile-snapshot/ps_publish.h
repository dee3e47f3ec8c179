
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Publishing a finished file: the one way a snapshot (or a report) takes
 * its final name.  The home of what publishes, rolls back, lists and
 * collects the live snapshots of a directory.
 */


#ifndef _PS_PUBLISH_H_INCLUDED_
#define _PS_PUBLISH_H_INCLUDED_


/*
 * Publish a finished file: fsync tmp, rename it to out, fsync out's
 * directory.  Returns 0, or -1 after ps_error().
 */
int ps_publish(const char *tmp, const char *out);

/* open path (a directory if is_dir), fsync() it; -1 after ps_error() */
int ps_fsync_path(const char *path, int is_dir);


#endif /* _PS_PUBLISH_H_INCLUDED_ */
