
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Reading a snapshot directory (see ngx_http_profile_dir.h).  The
 * pointer is read with readlink() and its target's identity with
 * stat() of DIR/name, not through the link: the link may be renamed
 * over between the two calls, the name the module checks is the one it
 * opens.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_profile_dir.h"


ngx_int_t
ngx_http_profile_dir_detect(ngx_str_t *path, u_char *err)
{
    u_char           *last, *p;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_err_t         e;
    ngx_file_info_t   fi;
    u_char            marker[NGX_MAX_PATH];
    u_char            buf[sizeof(NGX_HTTP_PROFILE_DIR_LAYOUT) + 1];

    last = err + NGX_HTTP_PROFILE_DIR_ERRSTR - 1;

    if (ngx_file_info(path->data, &fi) == NGX_FILE_ERROR
        || !ngx_is_dir(&fi))
    {
        return NGX_DECLINED;
    }

    if (path->len + sizeof("/" NGX_HTTP_PROFILE_DIR_MARKER) > NGX_MAX_PATH) {
        *ngx_slprintf(err, last, " is a directory whose path is too long")
            = '\0';
        return NGX_ERROR;
    }

    p = ngx_cpymem(marker, path->data, path->len);
    ngx_memcpy(p, "/" NGX_HTTP_PROFILE_DIR_MARKER,
               sizeof("/" NGX_HTTP_PROFILE_DIR_MARKER));

    fd = ngx_open_file(marker, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        e = ngx_errno;

        if (e == NGX_ENOENT) {
            *ngx_slprintf(err, last, " is not a regular file, nor a "
                          "snapshot directory (it has no \""
                          NGX_HTTP_PROFILE_DIR_MARKER "\")") = '\0';
            return NGX_ERROR;
        }

        *ngx_slprintf(err, last, ": open() of \"" NGX_HTTP_PROFILE_DIR_MARKER
                      "\" failed (%d: %s)", e, strerror(e)) = '\0';
        return NGX_ERROR;
    }

    n = read(fd, buf, sizeof(buf));
    e = ngx_errno;

    (void) ngx_close_file(fd);

    if (n == -1) {
        *ngx_slprintf(err, last, ": read() of \""
                      NGX_HTTP_PROFILE_DIR_MARKER "\" failed (%d: %s)",
                      e, strerror(e)) = '\0';
        return NGX_ERROR;
    }

    if ((size_t) n != sizeof(NGX_HTTP_PROFILE_DIR_LAYOUT) - 1
        || ngx_memcmp(buf, NGX_HTTP_PROFILE_DIR_LAYOUT, n) != 0)
    {
        *ngx_slprintf(err, last, " is a snapshot directory of a layout "
                      "this module does not read (\""
                      NGX_HTTP_PROFILE_DIR_MARKER "\" does not hold "
                      "\"profile-snapshot-dir 1\")") = '\0';
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_profile_dir_pointer(ngx_str_t *dir, u_char *path,
    ngx_http_profile_pointer_t *p, u_char *err)
{
    u_char           *last, *q;
    ssize_t           n;
    ngx_file_info_t   fi;
    u_char            link[NGX_HTTP_PROFILE_DIR_NAME_MAX + 1];

    last = err + NGX_HTTP_PROFILE_DIR_ERRSTR - 1;

    ngx_memzero(p, sizeof(ngx_http_profile_pointer_t));

    q = ngx_cpymem(path, dir->data, dir->len);
    ngx_memcpy(q, "/" NGX_HTTP_PROFILE_DIR_CURRENT,
               sizeof("/" NGX_HTTP_PROFILE_DIR_CURRENT));

    n = readlink((char *) path, (char *) link, sizeof(link));

    if (n == -1) {
        p->err = ngx_errno;
        *ngx_slprintf(err, last, ": readlink() of \""
                      NGX_HTTP_PROFILE_DIR_CURRENT "\" failed (%d: %s)",
                      p->err, strerror(p->err)) = '\0';
        return NGX_ERROR;
    }

    if ((size_t) n == sizeof(link)
        || !ngx_http_profile_snapshot_name(link, n, &p->id_len))
    {
        *ngx_slprintf(err, last, ": \"" NGX_HTTP_PROFILE_DIR_CURRENT
                      "\" names \"%*s\", not \"<snapshot id>.snap\" in "
                      "the directory", (size_t) n, link) = '\0';

        /* what it names, for ngx_http_profile_dir_same(): not usable */

        p->id_len = 0;
        p->len = ngx_min((size_t) n, NGX_HTTP_PROFILE_DIR_NAME_MAX - 1);
        ngx_memcpy(p->name, link, p->len);
        p->name[p->len] = '\0';

        return NGX_ERROR;
    }

    ngx_memcpy(p->name, link, n);
    p->name[n] = '\0';
    p->len = n;

    q = ngx_cpymem(path, dir->data, dir->len);
    *q++ = '/';
    ngx_memcpy(q, p->name, p->len + 1);

    /* the name's file, not the link: the link may have moved on */

    if (ngx_file_info(path, &fi) == NGX_FILE_ERROR) {
        p->err = ngx_errno;
        return NGX_OK;
    }

    p->dev = (uint64_t) fi.st_dev;
    p->ino = (uint64_t) fi.st_ino;
    p->size = (uint64_t) fi.st_size;
    p->mtime = (int64_t) fi.st_mtim.tv_sec * 1000000000
               + fi.st_mtim.tv_nsec;

    return NGX_OK;
}


ngx_uint_t
ngx_http_profile_dir_same(ngx_http_profile_pointer_t *a,
    ngx_http_profile_pointer_t *b)
{
    return a->len == b->len
           && ngx_memcmp(a->name, b->name, a->len) == 0
           && a->err == b->err
           && a->dev == b->dev
           && a->ino == b->ino
           && a->size == b->size
           && a->mtime == b->mtime;
}
