
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * JSON writing: a record's fragments for a set of visibility classes,
 * sized first, then copied into one buffer.
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
 * The length of the JSON object holding the fragments of rec whose
 * class is in mask: "{" + fragments joined by "," + "}"; "{}" when none
 * is.  rec must have passed ngx_http_profile_record_parse().
 */
size_t ngx_http_profile_json_size(const ngx_http_profile_record_t *rec,
    ngx_http_profile_mask_t mask);

/*
 * Write that object into one buffer of exactly size bytes (the value
 * ngx_http_profile_json_size() returned) allocated from pool.  Runs of
 * fragments that are adjacent in the record body are copied at once.
 * Returns the buffer, or NULL on out of memory or if the written length
 * is not size (logged at "alert": a bug).
 */
ngx_buf_t *ngx_http_profile_json_write(ngx_pool_t *pool,
    const ngx_http_profile_record_t *rec, ngx_http_profile_mask_t mask,
    size_t size);


#endif /* _NGX_HTTP_PROFILE_JSON_H_INCLUDED_ */
