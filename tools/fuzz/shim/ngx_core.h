
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzzing shim (see ngx_config.h): a pool is a log pointer and the
 * one temp buffer allocated from it, a temp buffer is one malloc() that
 * the pool's user frees with fz_ngx_buf_free() (as nginx frees it with
 * the pool, even when the caller returns an error without it), and an
 * "alert" is counted in fz_ngx_alerts so a target can assert that none
 * was logged.
 */


#ifndef _NGX_CORE_H_INCLUDED_
#define _NGX_CORE_H_INCLUDED_


#include "ngx_config.h"


typedef struct {
    int             unused;
} ngx_log_t;


typedef struct {
    size_t          len;
    u_char         *data;
} ngx_str_t;


typedef struct {
    ngx_log_t      *log;
    void           *buf;        /* the ngx_buf_t allocated, or NULL */
} ngx_pool_t;


typedef struct {
    u_char         *pos;
    u_char         *last;
    u_char         *start;
    u_char         *end;
} ngx_buf_t;


#define NGX_LOG_ALERT  2

extern unsigned long  fz_ngx_alerts;

#define ngx_log_error(level, log, err, ...)  fz_ngx_alerts++

#define ngx_cpymem(dst, src, n)  (((u_char *) memcpy(dst, src, n)) + (n))


/*
 * One exact-size malloc(): ASan sees any write past size.  Remembered in
 * pool->buf; a pool gives out only one (the renderer's caller allocates
 * once, ngx_http_profile_json_size() bytes).
 */
ngx_buf_t *ngx_create_temp_buf(ngx_pool_t *pool, size_t size);

void fz_ngx_buf_free(ngx_buf_t *b);


#endif /* _NGX_CORE_H_INCLUDED_ */
