
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * A record's profile state, from the final value of the schema's state
 * field (docs/schema.md "Profile states").
 */


#ifndef _PS_STATE_H_INCLUDED_
#define _PS_STATE_H_INCLUDED_


#include <jansson.h>

#include "ps_parse.h"
#include "ps_report.h"
#include "ps_schema.h"


/* how the state field's input value was dropped as invalid */
#define PS_STATE_KEPT        0     /* not dropped */
#define PS_STATE_DROPPED     1     /* a string (or null) made invalid */
#define PS_STATE_NOT_STRING  2     /* not a string, nor null */


/*
 * The state (NGX_HTTP_PROFILE_STATE_*) of the record being reported in
 * rep, for a schema with "states": v is the state field's checked value
 * (borrowed, or NULL), raw its text when the record keeps it as text
 * instead (ps_raw_t; len 0: none), dropped one of PS_STATE_*.  A string
 * of the schema's values (or a state's name) gives its state; no value
 * or null the schema's default; anything else, and a value dropped as
 * invalid, "deleted", reported as fix state_unknown (fail closed).
 */
unsigned ps_state_of(ps_report_t *rep, ps_schema_t *s, json_t *v,
    const ps_raw_t *raw, unsigned dropped);


#endif /* _PS_STATE_H_INCLUDED_ */
