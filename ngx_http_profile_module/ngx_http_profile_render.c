
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Rendering a record (see ngx_http_profile_render.h).  Records hold
 * their fields as ready-made JSON members ("name":value, escaped by the
 * compiler), so a response is assembled by copying bytes: no parsing,
 * no escaping, no allocation, one pass over the record's entries (which
 * also validates them).  Plain C: compiled into the module and into
 * profile-snapshot.
 */


#include <string.h>

#include "ngx_http_profile_render.h"


int
ngx_http_profile_render(unsigned char *out, size_t room,
    const ngx_http_profile_record_t *rec, unsigned nfields,
    unsigned nclasses, uint64_t mask, size_t *len)
{
    int                        rc;
    size_t                     n;
    uint32_t                   start, end;
    unsigned                   i, found;
    unsigned char             *p, *last;
    ngx_http_profile_entry_t   e;

    /* "{}" at least: less room than render_size() gives does not fit */

    if (room < 2) {
        return NGX_HTTP_PROFILE_FMT_OVERLAP;
    }

    p = out;
    last = out + room - 1;      /* room for the closing "}" */

    *p++ = '{';

    /*
     * A run is a stretch of the body copied at once: a selected fragment,
     * extended over each next selected fragment that starts right after
     * a "," ending it.  Empty fragments are skipped, so the output is
     * valid JSON whatever a bounds-valid record holds.
     */

    found = 0;
    start = 0;
    end = 0;

    for (i = 0; i < rec->nentries; i++) {

        ngx_http_profile_record_entry(rec, i, &e);

        rc = ngx_http_profile_entry_check(&e, rec->body_len, nfields,
                                          nclasses);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }

        if (e.len == 0 || !(mask & ((uint64_t) 1 << e.cls))) {
            continue;
        }

        if (found) {
            if ((uint64_t) e.off == (uint64_t) end + 1
                && rec->body[end] == ',')
            {
                end = e.off + e.len;
                continue;
            }

            n = end - start;

            if ((size_t) (last - p) < n + 1) {
                return NGX_HTTP_PROFILE_FMT_OVERLAP;
            }

            memcpy(p, rec->body + start, n);
            p += n;
            *p++ = ',';
        }

        start = e.off;
        end = e.off + e.len;
        found = 1;
    }

    if (found) {
        n = end - start;

        if ((size_t) (last - p) < n) {
            return NGX_HTTP_PROFILE_FMT_OVERLAP;
        }

        memcpy(p, rec->body + start, n);
        p += n;
    }

    *p++ = '}';

    *len = (size_t) (p - out);

    return NGX_HTTP_PROFILE_FMT_OK;
}
