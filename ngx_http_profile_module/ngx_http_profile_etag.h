
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Reading If-None-Match for one entity-tag, as nginx's not_modified
 * filter reads it (ngx_http_test_if_match() with weak comparison), so
 * that the handler knows a 304 is coming before it writes a body.
 * Plain C with no nginx types: fuzzed alone (tools/fuzz, target etag).
 */


#ifndef _NGX_HTTP_PROFILE_ETAG_H_INCLUDED_
#define _NGX_HTTP_PROFILE_ETAG_H_INCLUDED_


#include <stddef.h>


/*
 * Whether the If-None-Match value (len bytes) names the entity-tag tag
 * (tag_len bytes, its quotes included): "*" alone, or an element of
 * the comma-separated list equal to tag after an optional "W/", then
 * spaces or tabs, then "," or the end.  Reads nothing outside value.
 */
int ngx_http_profile_etag_listed(const unsigned char *value, size_t len,
    const unsigned char *tag, size_t tag_len);


#endif /* _NGX_HTTP_PROFILE_ETAG_H_INCLUDED_ */
