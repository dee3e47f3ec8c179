
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Numbers beyond what a record can hold (an integer beyond 64 bits, a
 * real beyond a double: 1e400), which jansson refuses with the whole
 * line.  The line is parsed with each of them replaced, and the
 * top-level member that held one gets a marker value instead, which the
 * field's checks refuse under its on_invalid policy (docs/schema.md
 * "Numbers out of range").
 */


#ifndef _PS_BIGNUM_H_INCLUDED_
#define _PS_BIGNUM_H_INCLUDED_


#include <stddef.h>
#include <jansson.h>

#include "ps_buf.h"


#define PS_BIGNUM_MAX_MARKS  64


/*
 * p[0 .. len - 1], a JSON object that jansson refused with
 * json_error_numeric_overflow, into out with every number out of range
 * replaced by 0; marks[] gets the index (input order) of each top-level
 * member that held one, *nmarks their count.  Returns 0, or -1 if the
 * line is not such an object (the caller reports jansson's verdict).
 */
int ps_bignum_mask(const unsigned char *p, size_t len, ps_buf_t *out,
    size_t *marks, size_t *nmarks);

/*
 * Put a marker in place of the values of obj's members marked by
 * ps_bignum_mask() (p and len are the line, for the numbers' text).
 * Returns 0, or -1 on an allocation failure.
 */
int ps_bignum_mark(json_t *obj, const unsigned char *p, size_t len,
    const size_t *marks, size_t nmarks);

/*
 * 1 if v is a marker (a string no input can give: it starts with a NUL,
 * which a record's strings never hold), with *text and *len the
 * number's text; else 0.
 */
int ps_bignum_marker(const json_t *v, const char **text, size_t *len);


#endif /* _PS_BIGNUM_H_INCLUDED_ */
