
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * A record's profile state (docs/schema.md "Profile states"): the state
 * field's value, after aliases, migrations, joins, coercion and
 * defaults, looked up in the schema's values; whatever is not found
 * there is "deleted" and reported, so that a state the compiler cannot
 * read never shows a profile.
 */


#include <string.h>

#include "ps.h"
#include "ps_schema_states.h"
#include "ps_state.h"


static unsigned ps_state_string(ps_report_t *rep, ps_schema_t *s,
    const ps_field_t *f, const char *value, size_t len);


unsigned
ps_state_of(ps_report_t *rep, ps_schema_t *s, json_t *v, const ps_raw_t *raw,
    unsigned dropped)
{
    const ps_field_t  *f;

    f = &s->fields[s->state_field];

    if (dropped != PS_STATE_KEPT) {
        ps_report_reason(rep, PS_R_STATE_UNKNOWN, f->path,
                         dropped == PS_STATE_NOT_STRING
                         ? "state not a string; made \"%s\""
                         : "state dropped as invalid; made \"%s\"",
                         ps_state_name(NGX_HTTP_PROFILE_STATE_DELETED));
        return NGX_HTTP_PROFILE_STATE_DELETED;
    }

    if (v == NULL && raw->len != 0) {

        /* a string kept as its text has no escapes (ps_raw_t) */

        if (raw->data[0] == '"') {
            return ps_state_string(rep, s, f, raw->data + 1, raw->len - 2);
        }

        if (raw->len == 4 && memcmp(raw->data, "null", 4) == 0) {
            return s->state_default;
        }

    } else if (v == NULL || json_is_null(v)) {
        return s->state_default;

    } else if (json_is_string(v)) {
        return ps_state_string(rep, s, f, json_string_value(v),
                               json_string_length(v));
    }

    ps_report_reason(rep, PS_R_STATE_UNKNOWN, f->path,
                     "state not a string; made \"%s\"",
                     ps_state_name(NGX_HTTP_PROFILE_STATE_DELETED));

    return NGX_HTTP_PROFILE_STATE_DELETED;
}


static unsigned
ps_state_string(ps_report_t *rep, ps_schema_t *s, const ps_field_t *f,
    const char *value, size_t len)
{
    json_t  *state;

    state = json_object_getn(s->state_values, value, len);

    if (state != NULL) {
        return (unsigned) json_integer_value(state);
    }

    ps_report_reason(rep, PS_R_STATE_UNKNOWN, f->path,
                     "unknown state \"%.*s\"; made \"%s\"", (int) len, value,
                     ps_state_name(NGX_HTTP_PROFILE_STATE_DELETED));

    return NGX_HTTP_PROFILE_STATE_DELETED;
}
