
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * What the readers of a schema file share (ps_schema.c,
 * ps_schema_field.c, ps_schema_migrations.c): memory freed with the
 * schema, messages naming the file, a member that names one of a list
 * of choices, and the grammar of a name.
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_schema.h"


void *
ps_schema_alloc(ps_schema_t *s, size_t size)
{
    void  *p;

    p = ps_alloc(size);
    memset(p, 0, size);

    s->allocs = ps_realloc(s->allocs, (s->nallocs + 1) * sizeof(void *));
    s->allocs[s->nallocs++] = p;

    return p;
}


void
ps_schema_err(ps_schema_t *s, const char *fmt, ...)
{
    va_list  ap;

    fprintf(stderr, PS_NAME ": %s: ", s->path);

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);

    fputc('\n', stderr);
}


int
ps_schema_choice(ps_schema_t *s, json_t *obj, const char *where,
    const char *key, const char **names, const int *values, int dflt)
{
    char       list[256], *p, *last;
    json_t    *m;
    unsigned   i;

    m = json_object_get(obj, key);

    if (m == NULL) {
        return dflt;
    }

    for (i = 0; json_is_string(m) && names[i] != NULL; i++) {
        if (strcmp(json_string_value(m), names[i]) == 0) {
            return values[i];
        }
    }

    p = list;
    last = list + sizeof(list);
    *p = '\0';

    for (i = 0; names[i] != NULL && p < last; i++) {
        p += snprintf(p, last - p, "%s\"%s\"", i ? ", " : "", names[i]);
    }

    ps_schema_err(s, "%s.%s: must be one of %s", where, key, list);

    return -1;
}


int
ps_name_valid(const char *name, size_t len)
{
    size_t  i;

    if (len == 0 || len > NGX_HTTP_PROFILE_FIELD_NAME_MAX) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (!((name[i] >= 'a' && name[i] <= 'z')
              || (name[i] >= 'A' && name[i] <= 'Z')
              || (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
        {
            return 0;
        }
    }

    return 1;
}
