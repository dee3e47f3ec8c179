
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Per-profile privacy settings (docs/schema.md "Privacy settings"): the
 * two shapes real data has, a map from field name to a setting and the
 * older list of private fields, each turned into an audience and kept
 * inside the field's "audience_range".  Only schemas with "privacy" or
 * ranged fields call it.
 */


#include <stdio.h>
#include <string.h>

#include "ps.h"
#include "ps_privacy.h"
#include "ps_schema_audience.h"


static void ps_privacy_set(ps_report_t *rep, ps_schema_t *s,
    const char *name, size_t len, unsigned want, unsigned char *cls);
static void ps_privacy_narrowest(ps_schema_t *s, unsigned char *cls);


void
ps_privacy_apply(ps_report_t *rep, ps_schema_t *s, json_t *map,
    json_t *list, unsigned char *cls)
{
    size_t       i, klen;
    json_t      *v, *c;
    unsigned     k;
    const char  *key;
    ps_field_t  *f;

    for (k = 0; k < s->nranged; k++) {
        cls[s->ranged[k]] = (unsigned char) s->fields[s->ranged[k]].cls;
    }

    if (list != NULL) {
        if (!json_is_array(list)) {
            ps_report_reason(rep, PS_R_PRIVACY_INVALID, NULL,
                             "privacy setting \"%s\" is not an array; "
                             "every ranged field made its narrowest "
                             "audience", s->privacy_list);
            ps_privacy_narrowest(s, cls);
            return;
        }

        json_array_foreach(list, i, v) {
            if (!json_is_string(v)) {
                ps_report_reason(rep, PS_R_PRIVACY_INVALID, NULL,
                                 "privacy setting \"%s\" holds a value "
                                 "that is not a field name; ignored",
                                 s->privacy_list);
                continue;
            }

            ps_privacy_set(rep, s, json_string_value(v),
                           json_string_length(v),
                           NGX_HTTP_PROFILE_CLASS_SELF, cls);
        }
    }

    if (map == NULL) {
        return;
    }

    if (!json_is_object(map)) {
        ps_report_reason(rep, PS_R_PRIVACY_INVALID, NULL,
                         "privacy setting \"%s\" is not an object; every "
                         "ranged field made its narrowest audience",
                         s->privacy_map);
        ps_privacy_narrowest(s, cls);
        return;
    }

    json_object_keylen_foreach(map, key, klen, v) {
        c = json_is_string(v) ? json_object_get(s->privacy_values,
                                                json_string_value(v))
                              : NULL;
        if (c != NULL) {
            ps_privacy_set(rep, s, key, klen,
                           (unsigned) json_integer_value(c), cls);
            continue;
        }

        f = ps_schema_lookup(s, key, klen, &k);

        if (f == NULL) {
            ps_privacy_set(rep, s, key, klen, 0, cls);
            continue;
        }

        /* fail closed: an unknown setting is the narrowest allowed */

        if (f->ranged) {
            cls[f->id] = (unsigned char) ps_audience_of_rank(f->range_hi);
        }

        if (json_is_string(v)) {
            ps_report_reason(rep, PS_R_PRIVACY_UNKNOWN, f->path,
                             "unknown privacy setting \"%s\"; made \"%s\"",
                             json_string_value(v),
                             s->classes[f->ranged ? cls[f->id] : f->cls]);
        } else {
            ps_report_reason(rep, PS_R_PRIVACY_UNKNOWN, f->path,
                             "privacy setting not a string; made \"%s\"",
                             s->classes[f->ranged ? cls[f->id] : f->cls]);
        }
    }
}


/* the field called name asks for class want: kept inside its range */

static void
ps_privacy_set(ps_report_t *rep, ps_schema_t *s, const char *name,
    size_t len, unsigned want, unsigned char *cls)
{
    unsigned     alias, rank, got;
    ps_field_t  *f;

    f = ps_schema_lookup(s, name, len, &alias);

    if (f == NULL) {
        ps_report_reason(rep, PS_R_PRIVACY_INVALID, NULL,
                         "privacy setting for unknown field \"%.*s\" "
                         "ignored", (int) len, name);
        return;
    }

    if (!f->ranged) {
        if (want != f->cls) {
            ps_report_reason(rep, PS_R_PRIVACY_CLAMPED, f->path,
                             "audience fixed at \"%s\" by the schema; "
                             "setting \"%s\" ignored", s->classes[f->cls],
                             s->classes[want]);
        }

        return;
    }

    rank = ps_audience_rank(want);
    got = rank < f->range_lo ? f->range_lo
          : rank > f->range_hi ? f->range_hi : rank;

    cls[f->id] = (unsigned char) ps_audience_of_rank(got);

    if (got != rank) {
        ps_report_reason(rep, PS_R_PRIVACY_CLAMPED, f->path,
                         "audience \"%s\" outside \"%s\"..\"%s\"; made "
                         "\"%s\"", s->classes[want],
                         s->classes[ps_audience_of_rank(f->range_lo)],
                         s->classes[ps_audience_of_rank(f->range_hi)],
                         s->classes[cls[f->id]]);
    }
}


/* every ranged field at its narrowest allowed audience */

static void
ps_privacy_narrowest(ps_schema_t *s, unsigned char *cls)
{
    unsigned  k;

    for (k = 0; k < s->nranged; k++) {
        cls[s->ranged[k]] = (unsigned char)
            ps_audience_of_rank(s->fields[s->ranged[k]].range_hi);
    }
}
