
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * What the record trailer (docs/snapshot-format.md "Record trailer")
 * is made of, shared by the writer (ps_encode.c) and verify: the value
 * spans of an encoded object's members, and the epoch seconds of a
 * stored timestamp.
 */


#ifndef _PS_TRAILER_H_INCLUDED_
#define _PS_TRAILER_H_INCLUDED_


#include <stddef.h>


/* "-" and 11 digits, "." and 3 digits, NUL */
#define PS_EPOCH_TEXT  24


/* one member of a JSON object: its key's text and its value's span */
typedef struct {
    const unsigned char  *key;      /* between the quotes, as encoded */
    size_t                key_len;
    size_t                off;      /* the value, from the object's '{' */
    size_t                len;
} ps_span_t;


/*
 * The next member of the JSON object v[0 .. len - 1] (one valid JSON
 * object, as the writer encodes it; whitespace between tokens is
 * allowed): *pos is 0 at first, then where the scan goes on.  Returns 1
 * with *m set, 0 after the last member, -1 if v is not an object this
 * scan can read (a reader of the encoder's output never sees that).
 */
int ps_span_next(const unsigned char *v, size_t len, size_t *pos,
    ps_span_t *m);

/*
 * The epoch-seconds alt of a stored timestamp value v[0 .. len - 1] (a
 * JSON string holding an RFC 3339 time, as the writer stores it): the
 * JSON number of seconds since 1970-01-01T00:00:00Z, negative before,
 * with the milliseconds as a fraction without trailing zeros when not a
 * whole second, into text (PS_EPOCH_TEXT bytes, terminated).  Returns
 * its length, or -1 if v is not such a string.
 */
int ps_epoch_text(const unsigned char *v, size_t len, char *text);


#endif /* _PS_TRAILER_H_INCLUDED_ */
