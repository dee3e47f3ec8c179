
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * JSON writing for the module: the format library's renderer
 * (ngx_http_profile_render.[ch], shared with "profile-snapshot
 * inspect") into an nginx buffer.
 */


#ifndef _NGX_HTTP_PROFILE_JSON_H_INCLUDED_
#define _NGX_HTTP_PROFILE_JSON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_format.h"
#include "ngx_http_profile_render.h"
#include "ngx_http_profile_rules.h"


/*
 * The room ngx_http_profile_json_write() needs for rec (whose header is
 * valid): ngx_http_profile_render_size(), body_len + nentries + 2 bytes
 * whatever the mask.
 */
static ngx_inline size_t
ngx_http_profile_json_size(const ngx_http_profile_record_t *rec)
{
    return ngx_http_profile_render_size(rec);
}


/*
 * Write the JSON object holding the fragments of rec whose class is in
 * mask ("{" + fragments joined by "," + "}", or "{}" when none is) at
 * b->last, where b has at least ngx_http_profile_json_size(rec) bytes
 * of room (the caller allocates it, e.g. with ngx_create_temp_buf()),
 * with ngx_http_profile_render().  rec needs only a valid header: each
 * entry is checked with ngx_http_profile_entry_check() against nfields
 * and nclasses as it is read, and no byte is written past b->end.
 * Returns NGX_HTTP_PROFILE_FMT_OK with b->last moved past the object,
 * or the problem of a corrupt record (b->last unchanged), e.g.
 * NGX_HTTP_PROFILE_FMT_BOUNDS, or NGX_HTTP_PROFILE_FMT_OVERLAP when
 * overlapping fragments do not fit the room.  Allocates nothing and
 * never fails otherwise.
 */
int ngx_http_profile_json_write(ngx_buf_t *b,
    const ngx_http_profile_record_t *rec, ngx_uint_t nfields,
    ngx_uint_t nclasses, const ngx_http_profile_filter_t *filter);


#endif /* _NGX_HTTP_PROFILE_JSON_H_INCLUDED_ */
