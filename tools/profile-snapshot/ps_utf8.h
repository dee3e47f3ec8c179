
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * UTF-8 checks (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
 * jansson refuses a whole document for one bad byte, so input lines are
 * checked, and repaired when the policy says so, before jansson sees them.
 */


#ifndef _PS_UTF8_H_INCLUDED_
#define _PS_UTF8_H_INCLUDED_


#include <stddef.h>

#include "ps_buf.h"


/*
 * Length of the valid UTF-8 sequence at p[0 .. n - 1], or 0 if the bytes
 * there do not start one (n must be at least 1).
 */
size_t ps_utf8_seq(const unsigned char *p, size_t n);

/* offset of the first invalid byte, or n if p[0 .. n - 1] is valid */
size_t ps_utf8_check(const unsigned char *p, size_t n);

/*
 * Copy p[0 .. n - 1] to out (reset first), each invalid byte replaced by
 * U+FFFD; returns the number of replacements.
 */
size_t ps_utf8_repair(const unsigned char *p, size_t n, ps_buf_t *out);


#endif /* _PS_UTF8_H_INCLUDED_ */
