
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Choosing a view by the request's Accept header (docs/views.md,
 * "Selecting a view by Accept"): the views on offer are media types
 * application/SUBTYPE, the default view is also application/json.
 * Plain C with no nginx types, no allocation and no recursion, so the
 * fuzz target (tools/fuzz/fuzz_accept.c) and the unit test
 * (t/accept.t) compile it as the module does.
 */


#ifndef _NGX_HTTP_PROFILE_ACCEPT_H_INCLUDED_
#define _NGX_HTTP_PROFILE_ACCEPT_H_INCLUDED_


#include <stddef.h>


/* at most this many offers; a configuration must refuse more views */
#define NGX_HTTP_PROFILE_ACCEPT_MAX_OFFERS    64

/* the elements of a header read; the rest of the header is not read */
#define NGX_HTTP_PROFILE_ACCEPT_MAX_ELEMENTS  128


/*
 * One view on offer: the subtype of its media type, whose type is
 * always "application", e.g. "vnd.profile.web+json" (len bytes, no
 * NUL needed; compared case-insensitively).  subtype may be NULL only
 * when len is 0, an offer that only wildcards match.
 */
typedef struct {
    const unsigned char       *subtype;
    size_t                     len;
} ngx_http_profile_offer_t;


/*
 * Choose among the n offers (1..NGX_HTTP_PROFILE_ACCEPT_MAX_OFFERS) for
 * an Accept header's value, len bytes at value (NULL or len 0: no
 * header).  def is the index of the default view, which
 * "application/json" also names, or -1 when there is none (a def
 * outside 0..n-1 counts as -1).  The rules are docs/views.md's: per
 * offer the q of its most specific matching range, the highest q
 * wins, then the more specific range, then the default, then the
 * earlier offer; a header without a well-formed element (absent,
 * empty, only malformed elements) chooses def, or offer 0 without a
 * default.
 *
 * Returns the chosen offer's index, or -1 when no offer is acceptable
 * (the module answers 406), and -1 for n 0 or n above the maximum.
 * Reads only value[0 .. len - 1], in one forward pass, and only up to
 * the end of its first NGX_HTTP_PROFILE_ACCEPT_MAX_ELEMENTS elements;
 * allocates nothing, keeps no state between calls, never fails
 * otherwise.
 */
int ngx_http_profile_accept_choose(const unsigned char *value, size_t len,
    const ngx_http_profile_offer_t *offers, unsigned n, int def);


#endif /* _NGX_HTTP_PROFILE_ACCEPT_H_INCLUDED_ */
