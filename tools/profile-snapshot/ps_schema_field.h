
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Field declarations of a schema (docs/schema.md "Fields"): one field,
 * nested ones, and the top-level "one_of_required".
 */


#ifndef _PS_SCHEMA_FIELD_H_INCLUDED_
#define _PS_SCHEMA_FIELD_H_INCLUDED_


#include <jansson.h>

#include "ps_schema.h"


/*
 * Parse one field declaration (fields[] and nested "fields"/"items");
 * top is 1 for top-level fields (name, visibility, source allowed).
 * Errors are printed with where as the JSON path; returns 0 or -1.
 */
int ps_schema_field(ps_schema_t *s, json_t *v, const char *where,
    ps_field_t *f, int top);

/*
 * The top-level "one_of_required" (v may be NULL), once the fields and
 * their names are known.  Returns 0, or -1 (reported).
 */
int ps_schema_one_of(ps_schema_t *s, json_t *v);


#endif /* _PS_SCHEMA_FIELD_H_INCLUDED_ */
