
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * If-None-Match against one entity-tag (see ngx_http_profile_etag.h).
 * Each step mirrors nginx's ngx_http_test_if_match(): a list element is
 * skipped to its "," when it does not match, so a tag that only starts
 * an element never matches.
 */


#include <string.h>

#include "ngx_http_profile_etag.h"


int
ngx_http_profile_etag_listed(const unsigned char *value, size_t len,
    const unsigned char *tag, size_t tag_len)
{
    const unsigned char  *p, *last;

    if (len == 1 && value[0] == '*') {
        return 1;
    }

    p = value;
    last = value + len;

    while (p < last) {
        if (last - p > 2 && p[0] == 'W' && p[1] == '/') {
            p += 2;
        }

        if ((size_t) (last - p) < tag_len) {
            return 0;
        }

        if (memcmp(p, tag, tag_len) == 0) {
            p += tag_len;

            while (p < last && (*p == ' ' || *p == '\t')) {
                p++;
            }

            if (p == last || *p == ',') {
                return 1;
            }
        }

        while (p < last && *p != ',') {
            p++;
        }

        while (p < last && (*p == ' ' || *p == '\t' || *p == ',')) {
            p++;
        }
    }

    return 0;
}
