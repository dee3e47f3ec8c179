
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * JSON writing.  Records hold their fields as ready-made JSON members
 * ("name":value, escaped by the compiler), so a response is assembled by
 * copying bytes: no parsing, no escaping, no allocation (the caller's
 * one buffer, sized by ngx_http_profile_json_size()), one pass over the
 * record's entries (which also validates them).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_json.h"


int
ngx_http_profile_json_write(ngx_buf_t *b,
    const ngx_http_profile_record_t *rec, ngx_uint_t nfields,
    ngx_uint_t nclasses, ngx_http_profile_mask_t mask)
{
    int                        rc;
    u_char                    *p, *last;
    size_t                     len;
    uint32_t                   start, end;
    ngx_uint_t                 i, found;
    ngx_http_profile_entry_t   e;

    /* "{}" at least: less room than json_size() gives does not fit */

    if ((size_t) (b->end - b->last) < 2) {
        return NGX_HTTP_PROFILE_FMT_OVERLAP;
    }

    p = b->last;
    last = b->end - 1;          /* room for the closing "}" */

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

        rc = ngx_http_profile_entry_check(&e, rec->body_len,
                                          (unsigned) nfields,
                                          (unsigned) nclasses);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }

        if (e.len == 0
            || !(mask & ngx_http_profile_mask_class(e.cls)))
        {
            continue;
        }

        if (found) {
            if ((uint64_t) e.off == (uint64_t) end + 1
                && rec->body[end] == ',')
            {
                end = e.off + e.len;
                continue;
            }

            len = end - start;

            if ((size_t) (last - p) < len + 1) {
                return NGX_HTTP_PROFILE_FMT_OVERLAP;
            }

            p = ngx_cpymem(p, rec->body + start, len);
            *p++ = ',';
        }

        start = e.off;
        end = e.off + e.len;
        found = 1;
    }

    if (found) {
        len = end - start;

        if ((size_t) (last - p) < len) {
            return NGX_HTTP_PROFILE_FMT_OVERLAP;
        }

        p = ngx_cpymem(p, rec->body + start, len);
    }

    *p++ = '}';

    b->last = p;

    return NGX_HTTP_PROFILE_FMT_OK;
}
