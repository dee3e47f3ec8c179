
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Profile states (docs/schema.md "Profile states"): the top-level
 * "states" names a string field whose value, after the field's own
 * processing, gives each record one of the four states of
 * ngx_http_profile_format.h.  The schema side only: the values map,
 * the default, the stub fields and the roles granted each state, and
 * the "states" table.  A schema without "states" pays nothing here.
 */


#include <stdio.h>
#include <string.h>

#include "ps.h"
#include "ps_schema.h"
#include "ps_schema_states.h"


/* by NGX_HTTP_PROFILE_STATE_* */
static const char  *ps_state_names[NGX_HTTP_PROFILE_STATES] = {
    "active", "private", "suspended", "deleted"
};


static int ps_schema_state_lookup(const char *name);
static int ps_schema_states_field(ps_schema_t *s, json_t *st);
static int ps_schema_states_values(ps_schema_t *s, json_t *st);
static int ps_schema_states_stub(ps_schema_t *s, json_t *st);
static int ps_schema_states_roles(ps_schema_t *s, json_t *st);


int
ps_schema_states(ps_schema_t *s)
{
    int          state;
    json_t      *st, *v;
    const char  *key;

    st = json_object_get(s->json, "states");

    if (st == NULL) {
        return 0;
    }

    if (!json_is_object(st)) {
        ps_schema_err(s, "states: must be an object");
        return -1;
    }

    json_object_foreach(st, key, v) {
        if (strcmp(key, "field") != 0 && strcmp(key, "values") != 0
            && strcmp(key, "default") != 0 && strcmp(key, "stub") != 0
            && strcmp(key, "roles") != 0 && strcmp(key, "description") != 0)
        {
            ps_schema_err(s, "states.%s: unknown key", key);
            return -1;
        }
    }

    if (ps_schema_states_field(s, st) != 0
        || ps_schema_states_values(s, st) != 0)
    {
        return -1;
    }

    v = json_object_get(st, "default");

    if (v == NULL) {
        s->state_default = NGX_HTTP_PROFILE_STATE_ACTIVE;

    } else {
        state = json_is_string(v)
                ? ps_schema_state_lookup(json_string_value(v)) : -1;
        if (state < 0) {
            ps_schema_err(s, "states.default: must be one of active, "
                          "private, suspended, deleted");
            return -1;
        }

        s->state_default = (unsigned) state;
    }

    if (ps_schema_states_stub(s, st) != 0
        || ps_schema_states_roles(s, st) != 0)
    {
        return -1;
    }

    s->states = 1;

    return 0;
}


const char *
ps_state_name(unsigned state)
{
    return state < NGX_HTTP_PROFILE_STATES ? ps_state_names[state] : "unknown";
}


void
ps_schema_states_table(ps_schema_t *s)
{
    unsigned        i;
    unsigned char  *p;

    if (!s->states) {
        return;
    }

    ps_buf_reserve(&s->states_bin, NGX_HTTP_PROFILE_STATES_HEAD_SIZE
                                   + s->nstub
                                     * NGX_HTTP_PROFILE_STATES_FIELD_SIZE);

    p = ngx_http_profile_states_encode(s->states_bin.data,
                            s->state_roles[NGX_HTTP_PROFILE_STATE_PRIVATE],
                            s->state_roles[NGX_HTTP_PROFILE_STATE_SUSPENDED],
                            s->state_roles[NGX_HTTP_PROFILE_STATE_DELETED],
                            (uint16_t) s->nstub);

    for (i = 0; i < s->nstub; i++) {
        p = ngx_http_profile_put16(p, s->stub[i]);
    }

    s->states_bin.len = p - s->states_bin.data;
}


/* "field": a top-level field of type string, by its name */

static int
ps_schema_states_field(ps_schema_t *s, json_t *st)
{
    json_t      *v;
    unsigned     alias;
    ps_field_t  *f;

    v = json_object_get(st, "field");

    f = json_is_string(v) ? ps_schema_lookup(s, json_string_value(v),
                                             json_string_length(v), &alias)
                          : NULL;

    if (f == NULL || alias != 0) {
        ps_schema_err(s, "states.field: must be the name of a top-level "
                      "field");
        return -1;
    }

    if (f->type != NGX_HTTP_PROFILE_TYPE_STRING) {
        ps_schema_err(s, "states.field: \"%s\" is not a string field",
                      f->name);
        return -1;
    }

    s->state_field = f->id;

    return 0;
}


/*
 * "values": input value -> state, over the four names, which map to
 * themselves unless overridden; kept as one object for the records
 */

static int
ps_schema_states_values(ps_schema_t *s, json_t *st)
{
    int          state;
    json_t      *v, *m;
    unsigned     i;
    const char  *key;

    s->state_values = json_object();

    if (s->state_values == NULL) {
        ps_schema_err(s, "%s: out of memory", "states.values");
        return -1;
    }

    for (i = 0; i < NGX_HTTP_PROFILE_STATES; i++) {
        json_object_set_new(s->state_values, ps_state_names[i],
                            json_integer(i));
    }

    v = json_object_get(st, "values");

    if (v == NULL) {
        return 0;
    }

    if (!json_is_object(v)) {
        ps_schema_err(s, "states.values: must be an object");
        return -1;
    }

    json_object_foreach(v, key, m) {
        state = json_is_string(m)
                ? ps_schema_state_lookup(json_string_value(m)) : -1;
        if (state < 0) {
            ps_schema_err(s, "states.values.%s: must be one of active, "
                          "private, suspended, deleted", key);
            return -1;
        }

        json_object_set_new(s->state_values, key, json_integer(state));
    }

    return 0;
}


/*
 * "stub": top-level field names, none "never"; by default the id field
 * when it is a declared field (and not "never")
 */

static int
ps_schema_states_stub(ps_schema_t *s, json_t *st)
{
    size_t       i;
    json_t      *v, *m;
    unsigned     alias, id, j, k;
    ps_field_t  *f;

    v = json_object_get(st, "stub");

    if (v == NULL) {
        f = ps_schema_lookup(s, s->key, s->key_len, &alias);

        if (f != NULL && alias == 0 && !f->never) {
            s->stub = ps_schema_alloc(s, sizeof(uint16_t));
            s->stub[0] = (uint16_t) f->id;
            s->nstub = 1;
        }

        return 0;
    }

    if (!json_is_array(v)) {
        ps_schema_err(s, "states.stub: must be an array of field names");
        return -1;
    }

    s->stub = ps_schema_alloc(s, (json_array_size(v) + 1) * sizeof(uint16_t));

    json_array_foreach(v, i, m) {
        f = json_is_string(m) ? ps_schema_lookup(s, json_string_value(m),
                                                 json_string_length(m),
                                                 &alias)
                              : NULL;

        if (f == NULL || alias != 0) {
            ps_schema_err(s, "states.stub[%zu]: must be the name of a "
                          "top-level field", i);
            return -1;
        }

        if (f->never) {
            ps_schema_err(s, "states.stub[%zu]: \"%s\" has audience "
                          "\"never\": no one sees it", i, f->name);
            return -1;
        }

        /* kept ascending, as the table stores them */

        id = f->id;

        for (j = 0; j < s->nstub && s->stub[j] < id; j++) {
            /* void */
        }

        if (j < s->nstub && s->stub[j] == id) {
            ps_schema_err(s, "states.stub[%zu]: \"%s\" is listed twice", i,
                          f->name);
            return -1;
        }

        for (k = s->nstub; k > j; k--) {
            s->stub[k] = s->stub[k - 1];
        }

        s->stub[j] = (uint16_t) id;
        s->nstub++;
    }

    return 0;
}


/* "roles": per state but active, the roles granted to see it in full */

static int
ps_schema_states_roles(ps_schema_t *s, json_t *st)
{
    int          state;
    size_t       i;
    json_t      *v, *list, *r;
    unsigned     c;
    const char  *key;

    v = json_object_get(st, "roles");

    if (v == NULL) {
        return 0;
    }

    if (!s->audiences) {
        ps_schema_err(s, "states.roles: needs the top-level \"roles\"");
        return -1;
    }

    if (!json_is_object(v)) {
        ps_schema_err(s, "states.roles: must be an object of lists of "
                      "roles");
        return -1;
    }

    json_object_foreach(v, key, list) {
        if (strcmp(key, "description") == 0) {
            continue;
        }

        state = ps_schema_state_lookup(key);

        if (state <= (int) NGX_HTTP_PROFILE_STATE_ACTIVE) {
            ps_schema_err(s, "states.roles.%s: unknown key", key);
            return -1;
        }

        if (!json_is_array(list)) {
            ps_schema_err(s, "states.roles.%s: must be an array of roles "
                          "of \"roles\"", key);
            return -1;
        }

        json_array_foreach(list, i, r) {
            for (c = NGX_HTTP_PROFILE_CLASS_ROLES; c < s->nclasses; c++) {
                if (json_is_string(r)
                    && strcmp(s->classes[c], json_string_value(r)) == 0)
                {
                    break;
                }
            }

            if (c >= s->nclasses) {
                ps_schema_err(s, "states.roles.%s[%zu]: must be a role of "
                              "\"roles\"", key, i);
                return -1;
            }

            s->state_roles[state] |= (uint64_t) 1 << c;
        }
    }

    return 0;
}


/* NGX_HTTP_PROFILE_STATE_* of a state's name, or -1 */

static int
ps_schema_state_lookup(const char *name)
{
    unsigned  i;

    for (i = 0; i < NGX_HTTP_PROFILE_STATES; i++) {
        if (strcmp(ps_state_names[i], name) == 0) {
            return (int) i;
        }
    }

    return -1;
}
