
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Rendering a record as the JSON object a viewer gets: the fragments of
 * the visibility classes in a mask, copied into one buffer in one pass.
 * Plain C with no nginx types: the module's response body
 * (ngx_http_profile_json.[ch] wraps it in an ngx_buf_t) and
 * "profile-snapshot inspect ID" are this one function's output, so
 * what inspect shows is what a worker sends.
 */


#ifndef _NGX_HTTP_PROFILE_RENDER_H_INCLUDED_
#define _NGX_HTTP_PROFILE_RENDER_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "ngx_http_profile_format.h"


/*
 * Which fields of a record a viewer gets (docs/access-rules.md), for
 * ngx_http_profile_render_filter().  A field is shown when its entry's
 * class is in mask, or when extra names it; and then only if limit
 * (when set) names it too.  extra and limit are bitmaps over field ids
 * (bit f of byte f / 8), of at least (nfields + 7) / 8 bytes, or NULL.
 * With nulls set, every field that is not shown (present in the record
 * or not, judged by its entry's class, or by default_cls[f] when
 * absent) is written as its "name":null fragment: nulls + null_off[f],
 * null_off[f + 1] - null_off[f] bytes; a field whose class is never
 * (never_cls, or -1 for none) is not written.
 */
typedef struct {
    uint64_t                   mask;
    const unsigned char       *extra;
    const unsigned char       *limit;
    const unsigned char       *nulls;
    const uint32_t            *null_off;     /* nfields + 1 offsets */
    const uint8_t             *default_cls;  /* nfields classes */
    int                        never_cls;
} ngx_http_profile_filter_t;


#define ngx_http_profile_filter_has(map, f)                                   \
    ((map)[(f) >> 3] & (1u << ((f) & 7)))


/*
 * Whether filter shows field f when its class is cls: cls in the mask
 * or f in extra, and f in limit when there is one.
 */
static inline unsigned
ngx_http_profile_filter_shows(const ngx_http_profile_filter_t *filter,
    unsigned cls, unsigned f)
{
    return (((filter->mask >> cls) & 1)
            || (filter->extra != NULL
                && ngx_http_profile_filter_has(filter->extra, f)))
           && (filter->limit == NULL
               || ngx_http_profile_filter_has(filter->limit, f));
}


/*
 * The room ngx_http_profile_render() needs for rec (whose header is
 * valid, ngx_http_profile_record_header()), whatever the mask: the worst
 * case of a record whose fragments do not overlap, body_len bytes plus
 * one "," per entry plus "{" and "}".  A record written by
 * profile-snapshot separates its fragments by "," in its body, so its
 * self view is exactly body_len + 2 bytes.
 */
static inline size_t
ngx_http_profile_render_size(const ngx_http_profile_record_t *rec)
{
    return (size_t) rec->body_len + rec->nentries + 2;
}


/*
 * Write the JSON object holding the fragments of rec whose class is in
 * mask (bit n grants class n; "{" + the non-empty fragments joined by
 * "," + "}", or "{}" when none is) at out, which has room bytes, at
 * least ngx_http_profile_render_size(rec) (the caller allocates them).
 * rec needs only a valid header: each entry is checked with
 * ngx_http_profile_entry_check() against nfields and nclasses as it is
 * read, and no byte is written past out + room.  Returns
 * NGX_HTTP_PROFILE_FMT_OK with the object's length in *len, or the
 * problem of a corrupt record (*len untouched; out may hold part of the
 * object), e.g. NGX_HTTP_PROFILE_FMT_BOUNDS, or
 * NGX_HTTP_PROFILE_FMT_OVERLAP when overlapping fragments do not fit the
 * room.  Allocates nothing and never fails otherwise.
 */
int ngx_http_profile_render(unsigned char *out, size_t room,
    const ngx_http_profile_record_t *rec, unsigned nfields,
    unsigned nclasses, uint64_t mask, size_t *len);

/*
 * The same with a whole filter: ngx_http_profile_render() is this with
 * a filter of mask alone.  With filter->nulls set, the room needed is
 * ngx_http_profile_render_size() plus null_off[nfields] plus nfields.
 */
int ngx_http_profile_render_filter(unsigned char *out, size_t room,
    const ngx_http_profile_record_t *rec, unsigned nfields,
    unsigned nclasses, const ngx_http_profile_filter_t *filter, size_t *len);


#endif /* _NGX_HTTP_PROFILE_RENDER_H_INCLUDED_ */
