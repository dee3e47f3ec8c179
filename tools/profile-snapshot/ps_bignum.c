
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ps_bignum.h"


#define PS_BIGNUM_TEXT  40      /* bytes of the number kept for messages */


static size_t ps_bignum_token(const unsigned char *p, size_t len, size_t i);
static int ps_bignum_out_of_range(const unsigned char *p, size_t n);


int
ps_bignum_mask(const unsigned char *p, size_t len, ps_buf_t *out,
    size_t *marks, size_t *nmarks)
{
    size_t   i, j, depth, member;
    int      in_string;

    out->len = 0;
    *nmarks = 0;

    for (i = 0; i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'
                            || p[i] == '\n'); i++)
    {
        /* void */
    }

    if (i == len || p[i] != '{') {
        return -1;
    }

    depth = 0;
    member = 0;
    in_string = 0;

    while (i < len) {

        if (in_string) {
            if (p[i] == '\\' && i + 1 < len) {
                ps_buf_add(out, p + i, 2);
                i += 2;
                continue;
            }

            if (p[i] == '"') {
                in_string = 0;
            }

            ps_buf_addc(out, p[i]);
            i++;
            continue;
        }

        switch (p[i]) {

        case '"':
            in_string = 1;
            break;

        case '{':
        case '[':
            depth++;
            break;

        case '}':
        case ']':
            depth--;
            break;

        case ',':
            if (depth == 1) {
                member++;
            }
            break;

        case '-':
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
            j = ps_bignum_token(p, len, i);

            if (depth >= 1 && ps_bignum_out_of_range(p + i, j - i)) {
                if (*nmarks == 0 || marks[*nmarks - 1] != member) {
                    if (*nmarks == PS_BIGNUM_MAX_MARKS) {
                        return -1;
                    }

                    marks[(*nmarks)++] = member;
                }

                ps_buf_addc(out, '0');

            } else {
                ps_buf_add(out, p + i, j - i);
            }

            i = j;
            continue;

        default:
            break;
        }

        ps_buf_addc(out, p[i]);
        i++;
    }

    return *nmarks ? 0 : -1;
}


int
ps_bignum_mark(json_t *obj, const unsigned char *p, size_t len,
    const size_t *marks, size_t nmarks)
{
    char        text[PS_BIGNUM_TEXT + 1];
    void       *it;
    size_t      i, k, n, depth, member, m, j;
    json_t     *v;
    int         in_string;

    /* the text of the first number out of range in each marked member */

    k = 0;

    for (it = json_object_iter(obj), i = 0; it != NULL && k < nmarks;
         it = json_object_iter_next(obj, it), i++)
    {
        if (i != marks[k]) {
            continue;
        }

        depth = 0;
        member = 0;
        in_string = 0;
        n = 0;

        for (j = 0; j < len; j++) {
            if (in_string) {
                if (p[j] == '\\') {
                    j++;

                } else if (p[j] == '"') {
                    in_string = 0;
                }

                continue;
            }

            if (p[j] == '"') {
                in_string = 1;

            } else if (p[j] == '{' || p[j] == '[') {
                depth++;

            } else if (p[j] == '}' || p[j] == ']') {
                depth--;

            } else if (p[j] == ',' && depth == 1) {
                member++;

            } else if (p[j] == '-' || (p[j] >= '0' && p[j] <= '9')) {
                m = ps_bignum_token(p, len, j);

                if (member == i && ps_bignum_out_of_range(p + j, m - j)) {
                    n = m - j < PS_BIGNUM_TEXT ? m - j : PS_BIGNUM_TEXT;
                    memcpy(text + 1, p + j, n);
                    break;
                }

                j = m - 1;
            }
        }

        text[0] = '\0';

        v = json_stringn_nocheck(text, n + 1);
        if (v == NULL || json_object_iter_set_new(obj, it, v) != 0) {
            return -1;
        }

        k++;
    }

    return 0;
}


int
ps_bignum_marker(const json_t *v, const char **text, size_t *len)
{
    const char  *s;

    if (!json_is_string(v) || json_string_length(v) == 0) {
        return 0;
    }

    s = json_string_value(v);

    if (s[0] != '\0') {
        return 0;
    }

    *text = s + 1;
    *len = json_string_length(v) - 1;

    return 1;
}


/* the end of the number token that starts at p[i] */

static size_t
ps_bignum_token(const unsigned char *p, size_t len, size_t i)
{
    while (i < len && ((p[i] >= '0' && p[i] <= '9') || p[i] == '-'
                       || p[i] == '+' || p[i] == '.' || p[i] == 'e'
                       || p[i] == 'E'))
    {
        i++;
    }

    return i;
}


/* a JSON number jansson refuses: strtoll() or strtod() overflows */

static int
ps_bignum_out_of_range(const unsigned char *p, size_t n)
{
    char    buf[512], *end;
    size_t  i;
    int     real;

    real = 0;

    for (i = 0; i < n; i++) {
        if (p[i] == '.' || p[i] == 'e' || p[i] == 'E') {
            real = 1;
        }
    }

    if (n >= sizeof(buf)) {
        /* so long an integer cannot fit; a real: strtod decides */
        if (!real) {
            return 1;
        }

        n = sizeof(buf) - 1;
    }

    memcpy(buf, p, n);
    buf[n] = '\0';

    errno = 0;

    if (real) {
        return isinf(strtod(buf, &end)) && errno == ERANGE;
    }

    (void) strtoll(buf, &end, 10);

    return errno == ERANGE;
}
