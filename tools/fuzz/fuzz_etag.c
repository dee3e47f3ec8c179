
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzz target "etag": ngx_http_profile_etag_listed(), the module's
 * reading of If-None-Match for the one ETag of an answer, against a
 * second reading written another way here: the value split on "," first,
 * each element trimmed of its trailing spaces and tabs, then compared
 * whole (after "W/") with the tag.  The module skips the body of a 200
 * when it says yes, so a yes where nginx says no would send a 200
 * without its body: the two readings must agree on every input.
 *
 * Input: u8 n (the tag's length is n % 24 + 1), the tag's bytes (any
 * "," space or tab made a '"': an entity-tag has none), then the
 * If-None-Match value; both in buffers of their exact size.
 * Invariants: the same answer as the second reading; "*" alone is
 * always yes; a yes means the tag's bytes are in the value.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "ngx_http_profile_etag.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* the second reading */

static int
fz_listed(const unsigned char *v, size_t len, const unsigned char *tag,
    size_t tlen)
{
    size_t  s, e, end, i;

    if (len == 1 && v[0] == '*') {
        return 1;
    }

    i = 0;

    while (i < len) {

        /* one element: from i to the next "," (outside nothing: nginx
         * knows no quoting here) */

        for (end = i; end < len && v[end] != ','; end++) {
            /* void */
        }

        s = i;

        if (end - s > 2 && v[s] == 'W' && v[s + 1] == '/') {
            s += 2;

        } else if (len - s > 2 && end - s <= 2 && v[s] == 'W'
                   && v[s + 1] == '/')
        {
            /* nginx looks past the "," for the tag after a short W/ */
            s += 2;
        }

        e = end;

        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) {
            e--;
        }

        if (s <= e && e - s == tlen && memcmp(v + s, tag, tlen) == 0) {
            return 1;
        }

        if (len - s < tlen) {
            return 0;
        }

        /* the rest: what nginx skips before the next element */

        i = end;

        while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) {
            i++;
        }
    }

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int             got, want;
    size_t          tlen, vlen, i;
    unsigned char  *tag, *v;

    if (size < 2) {
        return 0;
    }

    tlen = data[0] % 24 + 1;

    if (size - 1 < tlen) {
        return 0;
    }

    tag = fz_dup(data + 1, tlen);

    /* an entity-tag holds no "," and no space or tab (RFC 9110 8.8.3) */

    for (i = 0; i < tlen; i++) {
        if (tag[i] == ',' || tag[i] == ' ' || tag[i] == '\t') {
            tag[i] = '"';
        }
    }

    vlen = size - 1 - tlen;
    v = fz_dup(data + 1 + tlen, vlen);

    got = ngx_http_profile_etag_listed(v, vlen, tag, tlen);
    want = fz_listed(v, vlen, tag, tlen);

    fz_assert(got == want, "the second reading's answer");
    fz_assert(!(vlen == 1 && v[0] == '*') || got == 1, "* alone is yes");
    fz_assert(!got || (vlen == 1 && v[0] == '*')
              || memmem(v, vlen, tag, tlen) != NULL,
              "a yes names the tag");

    free(tag);
    free(v);

    return 0;
}
