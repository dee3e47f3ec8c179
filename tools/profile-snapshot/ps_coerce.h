
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Checking, and as the schema allows repairing, one value against its
 * declaration: null, trim, value maps, type coercion, enums, maximum
 * lengths, nested object members and array elements, defaults and
 * required fields (docs/schema.md "What happens to a value").
 */


#ifndef _PS_COERCE_H_INCLUDED_
#define _PS_COERCE_H_INCLUDED_


#include <jansson.h>

#include "ps_report.h"
#include "ps_parse.h"
#include "ps_schema.h"
#include "ps_time.h"


#define PS_KEEP        0    /* *out holds the value to store */
#define PS_DROP        1    /* the field is left out (reported) */
#define PS_QUARANTINE  2    /* the record is quarantined (reported) */


/*
 * Check v for field f; v NULL means the member is absent (then the
 * default applies, or "required" quarantines).  On PS_KEEP *out is a
 * new reference the caller releases: v itself when it is kept as it
 * is, otherwise a new value; v is never changed in place (the build
 * relies on that to keep a value's text from the line).  Every change
 * or refusal is reported on rep.
 */
int ps_coerce(ps_report_t *rep, const ps_field_t *f, json_t *v,
    json_t **out);

/*
 * Whether ps_coerce() would keep the value whose text is raw (a member
 * ps_parse_members() left without a value) for f as it is, and report
 * nothing.  Never with a value map, an enum, bounds or a pattern.  A
 * string for a string field without trimming, within its maximum
 * length; a canonical RFC 3339 text for a timestamp field without
 * trimming or maximum length; an object for an object field without
 * declared members; an array for an array field without an element
 * type or a maximum length; true or false for a boolean field; a
 * number for a number field, an integer for an integer field.
 */
int ps_coerce_plain(const ps_field_t *f, const ps_raw_t *raw);

/*
 * The schema's limits on a parsed record: nesting depth, string length
 * (values and keys), array length.  Returns 0, or -1 (reported).
 */
int ps_check_limits(ps_schema_t *s, json_t *v, ps_report_t *rep);


#endif /* _PS_COERCE_H_INCLUDED_ */
