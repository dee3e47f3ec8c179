
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Profile states of a schema (docs/schema.md "Profile states"): the
 * field a record's state is read from, how its values map to the four
 * states, the stub and the roles granted each state.
 */


#ifndef _PS_SCHEMA_STATES_H_INCLUDED_
#define _PS_SCHEMA_STATES_H_INCLUDED_


#include "ps_schema.h"


/*
 * The top level's "states", once the fields, the name table and the
 * roles are known: fills s->states, s->state_field, s->state_default,
 * s->state_values, s->state_roles and s->stub.  A schema without
 * "states" is left untouched.  Returns 0, or -1 (reported).
 */
int ps_schema_states(ps_schema_t *s);

/*
 * The binary "states" table into s->states_bin (left empty for a
 * schema without "states").
 */
void ps_schema_states_table(ps_schema_t *s);

/* the name of state (NGX_HTTP_PROFILE_STATE_*): "active", ... */
const char *ps_state_name(unsigned state);


#endif /* _PS_SCHEMA_STATES_H_INCLUDED_ */
