
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * JSON writing: a record's fragments for a set of visibility classes,
 * copied into one buffer in one pass.
 */


#ifndef _NGX_HTTP_PROFILE_JSON_H_INCLUDED_
#define _NGX_HTTP_PROFILE_JSON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_format.h"
#include "ngx_http_profile_rules.h"


/*
 * The room ngx_http_profile_json_write() needs for rec (whose header is
 * valid, ngx_http_profile_record_header()), whatever the mask: the worst
 * case of a record whose fragments do not overlap, body_len bytes plus
 * one "," per entry plus "{" and "}".  A record written by
 * profile-snapshot separates its fragments by "," in its body, so its
 * self view is exactly body_len + 2 bytes.
 */
static ngx_inline size_t
ngx_http_profile_json_size(const ngx_http_profile_record_t *rec)
{
    return (size_t) rec->body_len + rec->nentries + 2;
}


/*
 * Write the JSON object holding the fragments of rec whose class is in
 * mask ("{" + fragments joined by "," + "}", or "{}" when none is) at
 * b->last, where b has at least ngx_http_profile_json_size(rec) bytes
 * of room (the caller allocates it, e.g. with ngx_create_temp_buf()).
 * rec needs only a valid header: each entry is checked with
 * ngx_http_profile_entry_check() against nfields and nclasses as it is
 * read, and no byte is written past b->end.  Returns
 * NGX_HTTP_PROFILE_FMT_OK with b->last moved past the object, or the
 * problem of a corrupt record (b->last unchanged), e.g.
 * NGX_HTTP_PROFILE_FMT_BOUNDS, or NGX_HTTP_PROFILE_FMT_OVERLAP when
 * overlapping fragments do not fit the room.  Allocates nothing and
 * never fails otherwise.
 */
int ngx_http_profile_json_write(ngx_buf_t *b,
    const ngx_http_profile_record_t *rec, ngx_uint_t nfields,
    ngx_uint_t nclasses, ngx_http_profile_mask_t mask);


#endif /* _NGX_HTTP_PROFILE_JSON_H_INCLUDED_ */
