
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * A fast, strict parser for the common case of an input line: one JSON
 * object (RFC 8259) into jansson values.  It accepts only what jansson's
 * json_loadb(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES) would accept and
 * builds the same values (members in input order, integers exact,
 * reals through strtod()); anything else - a syntax error, a duplicate
 * key, "\u0000", a lone surrogate, an integer beyond 64 bits, a real
 * that overflows, nesting beyond PS_PARSE_MAX_DEPTH, a top-level value
 * that is not an object - makes it give up, and the caller asks jansson,
 * whose verdict and error message are the reference.
 */


#ifndef _PS_PARSE_H_INCLUDED_
#define _PS_PARSE_H_INCLUDED_


#include <stddef.h>
#include <jansson.h>

#include "ps_buf.h"


#define PS_PARSE_MAX_DEPTH  128


/*
 * What a parsed line holds at most, so that the caller can tell that it
 * is within the schema's limits without walking it again: the deepest
 * nesting (the object itself is 1), the longest string or member name
 * (bytes, unescaped) and the longest array (items).
 */
typedef struct {
    size_t  depth;
    size_t  string_bytes;
    size_t  array_items;
} ps_parse_stats_t;


/*
 * Parse p[0 .. len - 1] (no NUL needed), which must be valid UTF-8
 * (ps_utf8_check()): both callers check the line before it is parsed,
 * so the parser does not check again.  Returns a new
 * reference to the object, or NULL when the line is not the plain case
 * (see above; nothing is reported).  scratch is a buffer the parser may
 * use for unescaped strings; it is left with unspecified contents.
 * *stats is filled when an object is returned.
 */
json_t *ps_parse_object(const unsigned char *p, size_t len,
    ps_buf_t *scratch, ps_parse_stats_t *stats);


/*
 * A value's text in the line when it is already what ps_encode_json()
 * writes for the value: a string without escapes, an integer other than
 * "-0", true, false or null, a real in plain notation of at most 15
 * significant digits as the encoder writes it (members without a value
 * only).  len 0: not so (or no value).
 */
typedef struct {
    const char  *data;
    size_t       len;
} ps_raw_t;


/*
 * A member of the line's object, as ps_parse_members() found it.  A
 * string without escapes, an object or array, a number, true or false
 * whose text is already its encoding get no jansson value (value NULL):
 * raw is their text, and ps_member_value() makes the value if it is
 * needed after all.
 */
typedef struct {
    const char  *key;       /* into the line: no escape in it */
    size_t       len;
    json_t      *value;     /* a reference of the caller's, or NULL */
    ps_raw_t     raw;       /* the value's text, if canonical */
} ps_member_t;


#define PS_PARSE_MAX_MEMBERS  64

/* nested values scanned without building them (ps_parse_members()) */
#define PS_PARSE_SKIP_DEPTH    8
#define PS_PARSE_SKIP_MEMBERS  32


/*
 * ps_parse_object() without the object: the line's members, in order,
 * appended to members (an array of ps_member_t; its len counts bytes).
 * For the build's common case, where nothing needs the record as a
 * jansson object, this saves hashing every member into one.  Returns
 * the number of members, or -1 when ps_parse_object() would not return
 * an object, or when a member name has an escape, a member name comes
 * twice or there are more than PS_PARSE_MAX_MEMBERS members: nothing is
 * kept then, and the caller goes the general way.
 */
int ps_parse_members(const unsigned char *p, size_t len, ps_buf_t *scratch,
    ps_parse_stats_t *stats, ps_buf_t *members);

/* drop the values of members (ps_parse_members()) and empty it */
void ps_parse_members_free(ps_buf_t *members);

/* m's value, made from its text if it has none yet (kept in m) */
json_t *ps_member_value(ps_member_t *m);

/* a new value from the text of a member left without one */
json_t *ps_raw_value(const ps_raw_t *raw);


#endif /* _PS_PARSE_H_INCLUDED_ */
