
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The schema's "migrations" and "detect", read when it is loaded.
 */


#ifndef _PS_SCHEMA_MIGRATIONS_H_INCLUDED_
#define _PS_SCHEMA_MIGRATIONS_H_INCLUDED_


#include "ps_schema.h"


/*
 * Parse the schema's "migrations" and "detect" (s->json loaded, the
 * fields known).  Returns 0, or -1 after ps_schema_err().
 */
int ps_schema_migrations(ps_schema_t *s);


#endif /* _PS_SCHEMA_MIGRATIONS_H_INCLUDED_ */
