
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Access rules: which visibility classes of a profile a viewer gets.
 */


#ifndef _NGX_HTTP_PROFILE_RULES_H_INCLUDED_
#define _NGX_HTTP_PROFILE_RULES_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_format.h"


/*
 * A set of visibility classes: bit n grants class id n (a snapshot has
 * at most NGX_HTTP_PROFILE_MAX_CLASSES, 64, classes).
 */
typedef uint64_t  ngx_http_profile_mask_t;

#define ngx_http_profile_mask_class(cls) ((ngx_http_profile_mask_t) 1 << (cls))
#define NGX_HTTP_PROFILE_MASK_ALL        ((ngx_http_profile_mask_t) -1)
#define NGX_HTTP_PROFILE_MASK_PUBLIC                                          \
    ngx_http_profile_mask_class(NGX_HTTP_PROFILE_CLASS_PUBLIC)


/*
 * The classes of the profile id (valid by ngx_http_profile_id_valid())
 * that viewer (empty: anonymous) may read.  The rule of v0: the
 * profile's owner, a viewer equal to the id byte for byte, gets every
 * class; any other viewer NGX_HTTP_PROFILE_MASK_PUBLIC.  Never fails
 * and allocates nothing.  Relations and roles will add classes here; a
 * profile hidden from the viewer will be a decision of its own, which
 * the handler answers exactly like a missing one (404).
 */
ngx_http_profile_mask_t ngx_http_profile_rules_grant(const ngx_str_t *id,
    const ngx_str_t *viewer);


#endif /* _NGX_HTTP_PROFILE_RULES_H_INCLUDED_ */
