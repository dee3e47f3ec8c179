
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Messages on stderr, each prefixed with the program's name.
 */


#include <stdarg.h>
#include <stdio.h>

#include "ps.h"


void
ps_error(const char *fmt, ...)
{
    va_list  ap;

    fputs(PS_NAME ": ", stderr);

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);

    fputc('\n', stderr);
}
