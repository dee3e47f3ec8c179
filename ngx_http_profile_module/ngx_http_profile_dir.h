
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Reading a snapshot directory (docs/snapshot-dir.md, written by
 * "profile-snapshot publish" and "rollback"): the marker that makes a
 * directory one, and the pointer "current", a relative symbolic link to
 * "<snapshot id>.snap", renamed into place.  The module only reads: it
 * never writes into the directory, never takes its lock.
 */


#ifndef _NGX_HTTP_PROFILE_DIR_H_INCLUDED_
#define _NGX_HTTP_PROFILE_DIR_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_profile_format.h"


/* a pointer's target: a snapshot id and ".snap", terminated */
#define NGX_HTTP_PROFILE_DIR_NAME_MAX                                       \
    (NGX_HTTP_PROFILE_SNAPSHOT_ID_MAX + sizeof(NGX_HTTP_PROFILE_DIR_SUFFIX))

/* room for a reason text of the functions below */
#define NGX_HTTP_PROFILE_DIR_ERRSTR  512


/*
 * What the pointer names at one instant: the target's name and, from a
 * stat() of DIR/name, its identity (zeros and err set when stat()
 * failed: a dangling pointer).  Two pointers that compare equal with
 * ngx_http_profile_dir_same() name the same file, unchanged.
 */
typedef struct {
    u_char       name[NGX_HTTP_PROFILE_DIR_NAME_MAX];  /* terminated */
    size_t       len;                /* of name */
    size_t       id_len;             /* the snapshot id: name[0 .. id_len) */
    ngx_err_t    err;                /* readlink() or stat() errno, or 0 */
    uint64_t     dev;
    uint64_t     ino;
    uint64_t     size;
    int64_t      mtime;              /* nanoseconds since the epoch */
} ngx_http_profile_pointer_t;


/*
 * Whether path (null-terminated) is a snapshot directory.  Returns
 * NGX_OK for a directory that holds the marker with the layout this
 * module reads, NGX_DECLINED for anything that is not a directory (a
 * file, or nothing: the caller opens it as a snapshot file), or
 * NGX_ERROR for a directory without the marker or with another layout,
 * with a reason in err (NGX_HTTP_PROFILE_DIR_ERRSTR bytes, terminated)
 * that reads on after the quoted path.
 */
ngx_int_t ngx_http_profile_dir_detect(ngx_str_t *path, u_char *err);

/*
 * Read the pointer of the snapshot directory dir (absolute, no trailing
 * "/") into p, and write the target's path, dir "/" name, into path
 * (dir->len + NGX_HTTP_PROFILE_DIR_NAME_MAX + 2 bytes, terminated).
 * Returns NGX_OK when "current" is a link to a name of the layout
 * ("<id>.snap", the id of the snapshot id grammar); the target may
 * still be missing or not a file (p->err, or the open tells).
 * Otherwise NGX_ERROR with p->id_len 0 (p->name holds what the link
 * names, if it is one), p->err the errno if any, and a reason in err
 * that reads on after the directory's quoted path, e.g.
 * ": readlink() of "current" failed (2: No such file or directory)".
 */
ngx_int_t ngx_http_profile_dir_pointer(ngx_str_t *dir, u_char *path,
    ngx_http_profile_pointer_t *p, u_char *err);

/* 1 if a and b name the same target, unchanged (or fail the same way) */
ngx_uint_t ngx_http_profile_dir_same(ngx_http_profile_pointer_t *a,
    ngx_http_profile_pointer_t *b);


#endif /* _NGX_HTTP_PROFILE_DIR_H_INCLUDED_ */
