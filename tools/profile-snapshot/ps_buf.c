
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_buf.h"


static void ps_oom(void);


static void
ps_oom(void)
{
    ps_error("out of memory");
    exit(PS_EXIT_IO);
}


void *
ps_alloc(size_t size)
{
    void  *p;

    p = malloc(size ? size : 1);
    if (p == NULL) {
        ps_oom();
    }

    return p;
}


void *
ps_realloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (p == NULL) {
        ps_oom();
    }

    return p;
}


char *
ps_strdup(const char *s)
{
    return ps_strndup(s, strlen(s));
}


char *
ps_strndup(const char *s, size_t n)
{
    char  *p;

    p = ps_alloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';

    return p;
}


void
ps_buf_grow(ps_buf_t *b, size_t n)
{
    size_t  cap;

    cap = b->cap ? b->cap : 256;

    while (cap - b->len <= n) {
        if (cap > ((size_t) -1) / 2) {
            ps_oom();
        }
        cap *= 2;
    }

    b->data = ps_realloc(b->data, cap);
    b->cap = cap;
}


void
ps_buf_adds(ps_buf_t *b, const char *s)
{
    ps_buf_add(b, s, strlen(s));
}


void
ps_buf_printf(ps_buf_t *b, const char *fmt, ...)
{
    int      n;
    va_list  ap;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);

    if (n < 0) {
        return;
    }

    ps_buf_reserve(b, (size_t) n + 1);

    va_start(ap, fmt);
    vsnprintf((char *) b->data + b->len, (size_t) n + 1, fmt, ap);
    va_end(ap);

    b->len += (size_t) n;
}


const char *
ps_buf_cstr(ps_buf_t *b)
{
    ps_buf_reserve(b, 1);
    b->data[b->len] = '\0';

    return (const char *) b->data;
}


void
ps_buf_free(ps_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
