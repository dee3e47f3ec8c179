
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Memory for profile-snapshot: allocation that exits on failure, and a
 * growable byte buffer.
 */


#ifndef _PS_BUF_H_INCLUDED_
#define _PS_BUF_H_INCLUDED_


#include <stddef.h>
#include <string.h>


typedef struct {
    unsigned char  *data;
    size_t          len;
    size_t          cap;
} ps_buf_t;


/*
 * malloc/realloc/strdup that print "out of memory" and exit with
 * PS_EXIT_IO instead of returning NULL.  The caller frees with free().
 */
void *ps_alloc(size_t size);
void *ps_realloc(void *p, size_t size);
char *ps_strdup(const char *s);
char *ps_strndup(const char *s, size_t n);

/* ps_buf_reserve()'s slow path: a larger allocation */
void ps_buf_grow(ps_buf_t *b, size_t n);

/* make room for n more bytes after b->len (and one more, for a NUL) */
static inline void
ps_buf_reserve(ps_buf_t *b, size_t n)
{
    if (b->cap - b->len <= n) {
        ps_buf_grow(b, n);
    }
}

/* append bytes, a C string, one byte, a printf-formatted text */
static inline void
ps_buf_add(ps_buf_t *b, const void *p, size_t n)
{
    ps_buf_reserve(b, n);

    if (n) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    }
}

static inline void
ps_buf_addc(ps_buf_t *b, int c)
{
    ps_buf_reserve(b, 1);
    b->data[b->len++] = (unsigned char) c;
}

void ps_buf_adds(ps_buf_t *b, const char *s);
void ps_buf_printf(ps_buf_t *b, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* a NUL-terminated view of the contents (does not change len) */
const char *ps_buf_cstr(ps_buf_t *b);

void ps_buf_free(ps_buf_t *b);


#endif /* _PS_BUF_H_INCLUDED_ */
