
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


/* a set of visibility classes: bit n grants class id n */
typedef uint64_t  ngx_http_profile_mask_t;

#define ngx_http_profile_mask_class(cls)  ((ngx_http_profile_mask_t) 1 << (cls))
#define NGX_HTTP_PROFILE_MASK_ALL         ((ngx_http_profile_mask_t) -1)


/*
 * Write the JSON object holding the fragments of rec whose class is in
 * mask ("{" + fragments joined by "," + "}", or "{}" when none is) into
 * one buffer allocated from pool; the response length is b->last - b->pos.
 * rec needs only a valid header (ngx_http_profile_record_header()): each
 * entry is checked with ngx_http_profile_entry_check() against nfields
 * and nclasses as it is read, and no byte is written past the buffer,
 * sized once for the worst case of a record whose fragments do not
 * overlap.  Returns NGX_HTTP_PROFILE_FMT_OK with the buffer in *out;
 * the problem (*out is NULL) if the record is corrupt, e.g.
 * NGX_HTTP_PROFILE_FMT_BOUNDS or NGX_HTTP_PROFILE_FMT_OVERLAP; or -1 on
 * out of memory.
 */
int ngx_http_profile_json_write(ngx_pool_t *pool,
    const ngx_http_profile_record_t *rec, ngx_uint_t nfields,
    ngx_uint_t nclasses, ngx_http_profile_mask_t mask, ngx_buf_t **out);


#endif /* _NGX_HTTP_PROFILE_JSON_H_INCLUDED_ */
