
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Audiences and roles of a schema (docs/schema.md "Audiences and
 * roles"): who may see each top-level field.
 */


#ifndef _PS_SCHEMA_AUDIENCE_H_INCLUDED_
#define _PS_SCHEMA_AUDIENCE_H_INCLUDED_


#include <jansson.h>

#include "ps_schema.h"


/* the built-in audiences but never, ranked from public (0) to self (4) */
#define PS_AUDIENCE_RANKS  5


/*
 * The top level's "roles" and whether the schema uses audiences (a
 * "roles" key, or a field with "audience"): if it does, fill s->classes
 * with the audiences and the roles in the fixed order of
 * ngx_http_profile_format.h and set s->audiences; a "classes" key is
 * then an error.  Otherwise leave s untouched.  Call before the fields
 * are read.  Returns 0, or -1 (reported).
 */
int ps_schema_audiences(ps_schema_t *s);

/*
 * A top-level field's "audience" and "roles" (v is its declaration,
 * already read by ps_schema_field(), which set f->cls from
 * "visibility"): sets f->cls, f->never, f->roles and the range of
 * "audience_range".  Returns 0, or -1
 * (reported with where as the JSON path).
 */
int ps_schema_field_audience(ps_schema_t *s, json_t *v, const char *where,
    ps_field_t *f);

/*
 * The top level's "privacy" (docs/schema.md "Privacy settings") and the
 * list of fields with an "audience_range", once the fields and the name
 * table are there.  Returns 0, or -1 (reported).
 */
int ps_schema_privacy(ps_schema_t *s);

/* the rank of a built-in class other than never (public 0 .. self 4) */
unsigned ps_audience_rank(unsigned cls);

/* the class of rank (0 .. PS_AUDIENCE_RANKS - 1) */
unsigned ps_audience_of_rank(unsigned rank);

/*
 * The binary "roles" table into s->roles_bin (left empty for a schema
 * without roles): per role class, the fields whose "roles" name it.
 */
void ps_schema_roles_table(ps_schema_t *s);


#endif /* _PS_SCHEMA_AUDIENCE_H_INCLUDED_ */
