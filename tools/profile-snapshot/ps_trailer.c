
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ps_time.h"
#include "ps_trailer.h"


static size_t ps_span_ws(const unsigned char *v, size_t len, size_t i);
static int ps_span_string(const unsigned char *v, size_t len, size_t *i);
static int ps_span_value(const unsigned char *v, size_t len, size_t *i);


int
ps_span_next(const unsigned char *v, size_t len, size_t *pos,
    ps_span_t *m)
{
    size_t  i, start;

    i = *pos;

    if (i == 0) {
        i = ps_span_ws(v, len, 0);

        if (i == len || v[i] != '{') {
            return -1;
        }

        i = ps_span_ws(v, len, i + 1);

        if (i < len && v[i] == '}') {
            *pos = len;
            return 0;
        }

    } else {
        i = ps_span_ws(v, len, i);

        if (i < len && v[i] == '}') {
            *pos = len;
            return 0;
        }

        if (i == len || v[i] != ',') {
            return -1;
        }

        i = ps_span_ws(v, len, i + 1);
    }

    if (i >= len) {
        return -1;
    }

    start = i;

    if (ps_span_string(v, len, &i) != 0) {
        return -1;
    }

    m->key = v + start + 1;
    m->key_len = i - start - 2;

    i = ps_span_ws(v, len, i);

    if (i == len || v[i] != ':') {
        return -1;
    }

    i = ps_span_ws(v, len, i + 1);
    start = i;

    if (ps_span_value(v, len, &i) != 0) {
        return -1;
    }

    m->off = start;
    m->len = i - start;
    *pos = i;

    return 1;
}


int
ps_epoch_text(const unsigned char *v, size_t len, char *text)
{
    int       n;
    int64_t   ms;
    uint64_t  a;

    if (len < 2 || v[0] != '"' || v[len - 1] != '"'
        || memchr(v + 1, '\\', len - 2) != NULL
        || ps_rfc3339_ms((const char *) v + 1, len - 2, &ms) != 0)
    {
        return -1;
    }

    a = (ms < 0) ? (uint64_t) 0 - (uint64_t) ms : (uint64_t) ms;

    n = snprintf(text, PS_EPOCH_TEXT, "%s%llu", ms < 0 ? "-" : "",
                 (unsigned long long) (a / 1000));

    if (a % 1000 != 0) {
        n += snprintf(text + n, PS_EPOCH_TEXT - n, ".%03u",
                      (unsigned) (a % 1000));

        while (text[n - 1] == '0') {
            text[--n] = '\0';
        }
    }

    return n;
}


static size_t
ps_span_ws(const unsigned char *v, size_t len, size_t i)
{
    while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n'
                       || v[i] == '\r'))
    {
        i++;
    }

    return i;
}


/* a string at v[*i] ('"'): *i moves past its closing quote */

static int
ps_span_string(const unsigned char *v, size_t len, size_t *i)
{
    size_t  j;

    if (*i >= len || v[*i] != '"') {
        return -1;
    }

    for (j = *i + 1; j < len; j++) {
        if (v[j] == '\\') {
            j++;
            continue;
        }

        if (v[j] == '"') {
            *i = j + 1;
            return 0;
        }
    }

    return -1;
}


/* one value at v[*i]: *i moves past it (nesting counted, not checked) */

static int
ps_span_value(const unsigned char *v, size_t len, size_t *i)
{
    size_t  j, depth;

    j = *i;

    if (j >= len) {
        return -1;
    }

    if (v[j] == '"') {
        return ps_span_string(v, len, i);
    }

    if (v[j] == '{' || v[j] == '[') {
        depth = 0;

        while (j < len) {
            if (v[j] == '"') {
                if (ps_span_string(v, len, &j) != 0) {
                    return -1;
                }

                continue;
            }

            if (v[j] == '{' || v[j] == '[') {
                depth++;

            } else if (v[j] == '}' || v[j] == ']') {
                if (--depth == 0) {
                    *i = j + 1;
                    return 0;
                }
            }

            j++;
        }

        return -1;
    }

    /* a number, true, false or null: up to the next delimiter */

    while (j < len && v[j] != ',' && v[j] != '}' && v[j] != ']'
           && v[j] != ' ' && v[j] != '\t' && v[j] != '\n' && v[j] != '\r')
    {
        j++;
    }

    if (j == *i) {
        return -1;
    }

    *i = j;

    return 0;
}
