
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Field declarations (docs/schema.md "Fields"): top-level fields, the
 * members of nested objects and the elements of arrays share one
 * language.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_schema.h"
#include "ps_schema_field.h"
#include "ps_time.h"


static int ps_field_type(ps_schema_t *s, json_t *v, const char *where,
    ps_field_t *f);
static int ps_field_flags(ps_schema_t *s, json_t *v, const char *where,
    ps_field_t *f);
static int ps_field_time(ps_schema_t *s, ps_field_t *f, json_t *v,
    const char *where, const char *what);
static int ps_field_values(ps_schema_t *s, json_t *v, const char *where,
    ps_field_t *f);
static int ps_field_bounds(ps_schema_t *s, json_t *v, const char *where,
    ps_field_t *f);
static int ps_field_nested(ps_schema_t *s, json_t *v, const char *where,
    ps_field_t *f);
static int ps_field_aliases(ps_schema_t *s, json_t *v, const char *where,
    ps_field_t *f);
static int ps_field_bool(ps_schema_t *s, json_t *v, const char *where,
    const char *key, int dflt);
static char *ps_field_path(ps_schema_t *s, const char *parent,
    const char *name);


int
ps_schema_field(ps_schema_t *s, json_t *v, const char *where,
    ps_field_t *f, int top)
{
    int          cls;
    json_t      *m;
    const char  *key;

    static const char  *common[] = {
        "type", "description", "required", "default", "nullable",
        "coerce", "trim", "max_length", "on_too_long", "on_invalid",
        "enum", "map", "split", "formats", "items", "fields",
        "keep_unknown", "name", "aliases", "minimum", "maximum", "pattern",
        NULL
    };

    unsigned  i;

    if (!json_is_object(v)) {
        ps_schema_err(s, "%s: must be an object", where);
        return -1;
    }

    json_object_foreach(v, key, m) {
        for (i = 0; common[i] != NULL; i++) {
            if (strcmp(key, common[i]) == 0) {
                break;
            }
        }

        if (common[i] == NULL
            && !(top && (strcmp(key, "visibility") == 0
                         || strcmp(key, "source") == 0
                         || strcmp(key, "audience") == 0
                         || strcmp(key, "roles") == 0
                         || strcmp(key, "audience_range") == 0)))
        {
            ps_schema_err(s, "%s.%s: unknown key", where, key);
            return -1;
        }
    }

    m = json_object_get(v, "name");

    if (m != NULL || top) {
        if (!json_is_string(m)
            || !ps_name_valid(json_string_value(m), json_string_length(m)))
        {
            ps_schema_err(s, "%s.name: must be 1..255 bytes "
                          "of [A-Za-z0-9_]", where);
            return -1;
        }

        f->name = json_string_value(m);
        f->name_len = json_string_length(m);
    }

    if (f->path == NULL) {
        f->path = f->name;
    }

    if (ps_field_type(s, v, where, f) != 0
        || ps_field_flags(s, v, where, f) != 0
        || ps_field_values(s, v, where, f) != 0
        || ps_field_bounds(s, v, where, f) != 0
        || ps_field_nested(s, v, where, f) != 0
        || ps_field_aliases(s, v, where, f) != 0)
    {
        return -1;
    }

    if (!top) {
        return 0;
    }

    m = json_object_get(v, "visibility");

    if (m == NULL) {
        cls = NGX_HTTP_PROFILE_CLASS_PUBLIC;

    } else {
        for (cls = (int) s->nclasses - 1; cls >= 0; cls--) {
            if (json_is_string(m)
                && strcmp(s->classes[cls], json_string_value(m)) == 0)
            {
                break;
            }
        }

        if (cls < 0) {
            ps_schema_err(s, "%s.visibility: must be one of the classes",
                          where);
            return -1;
        }
    }

    f->cls = (unsigned) cls;

    m = json_object_get(v, "source");

    if (m != NULL) {
        cls = json_is_string(m) ? ps_schema_source(s, json_string_value(m))
                                : -1;
        if (cls < 0) {
            ps_schema_err(s, "%s.source: must name one of \"sources\"",
                          where);
            return -1;
        }

        f->source = (unsigned) cls;
    }

    return 0;
}


static int
ps_field_type(ps_schema_t *s, json_t *v, const char *where, ps_field_t *f)
{
    unsigned     t;
    json_t      *m;
    const char  *type;

    m = json_object_get(v, "type");
    type = json_is_string(m) ? json_string_value(m) : "";

    for (t = 1; t <= NGX_HTTP_PROFILE_TYPE_MAX; t++) {
        if (strcmp(type, ps_type_name(t)) == 0) {
            f->type = t;
            return 0;
        }
    }

    ps_schema_err(s, "%s.type: must be one of string, integer, number, "
                  "boolean, timestamp, object, array", where);

    return -1;
}


static int
ps_field_flags(ps_schema_t *s, json_t *v, const char *where, ps_field_t *f)
{
    int      b;
    json_t  *m;

    static const char  *long_names[] = { "truncate", "drop", "quarantine",
                                         NULL };
    static const int    long_values[] = { PS_ON_TRUNCATE, PS_ON_DROP,
                                          PS_ON_QUARANTINE };
    static const char  *bad_names[] = { "drop", "quarantine", "default",
                                        NULL };
    static const int    bad_values[] = { PS_ON_DROP, PS_ON_QUARANTINE,
                                         PS_ON_DEFAULT };

    if ((b = ps_field_bool(s, v, where, "required", 0)) < 0) {
        return -1;
    }
    f->required = b;

    if ((b = ps_field_bool(s, v, where, "nullable", 1)) < 0) {
        return -1;
    }
    f->nullable = b;

    if ((b = ps_field_bool(s, v, where, "coerce", s->coerce_default)) < 0) {
        return -1;
    }
    f->coerce = b;

    if ((b = ps_field_bool(s, v, where, "trim", s->trim_default)) < 0) {
        return -1;
    }
    f->trim = b;

    if ((b = ps_field_bool(s, v, where, "keep_unknown", 0)) < 0) {
        return -1;
    }
    f->keep_unknown = b;

    if ((f->on_too_long = ps_schema_choice(s, v, where, "on_too_long",
                                           long_names, long_values,
                                           PS_ON_TRUNCATE)) < 0
        || (f->on_invalid = ps_schema_choice(s, v, where, "on_invalid",
                                             bad_names, bad_values,
                                             PS_ON_DROP)) < 0)
    {
        return -1;
    }

    m = json_object_get(v, "max_length");

    if (m != NULL) {
        if (!json_is_integer(m) || json_integer_value(m) < 0
            || (f->type != NGX_HTTP_PROFILE_TYPE_STRING
                && f->type != NGX_HTTP_PROFILE_TYPE_ARRAY))
        {
            ps_schema_err(s, "%s.max_length: a non-negative integer, for "
                          "strings and arrays only", where);
            return -1;
        }

        f->has_max = 1;
        f->max_length = (size_t) json_integer_value(m);
    }

    return 0;
}


/*
 * A timestamp the schema itself gives (a default, an enum or map value)
 * is stored as it is written, so it takes the canonical UTC form every
 * stored timestamp has (docs/schema.md): rewritten in place here, once.
 * Otherwise a default would differ byte for byte from the same instant
 * read from the input, and an enum entry with an offset never match.
 */

static int
ps_field_time(ps_schema_t *s, ps_field_t *f, json_t *v, const char *where,
    const char *what)
{
    char  text[PS_TIME_TEXT];

    if (f->type != NGX_HTTP_PROFILE_TYPE_TIMESTAMP || v == NULL
        || !json_is_string(v))
    {
        return 0;
    }

    switch (ps_time_canonical(json_string_value(v), json_string_length(v),
                              text))
    {
    case 0:
        return 0;

    case -1:
        ps_schema_err(s, "%s.%s: \"%s\" is outside years 0000..9999 in UTC",
                      where, what, json_string_value(v));
        return -1;

    default:
        if (json_string_set(v, text) != 0) {
            ps_schema_err(s, "%s.%s: out of memory", where, what);
            return -1;
        }

        return 0;
    }
}


static int
ps_field_values(ps_schema_t *s, json_t *v, const char *where, ps_field_t *f)
{
    size_t       i;
    json_t      *m, *e;
    const char  *key;

    f->dflt = json_object_get(v, "default");

    if (f->dflt != NULL && !json_is_null(f->dflt)
        && !ps_type_matches(f->type, f->dflt))
    {
        ps_schema_err(s, "%s.default: must be %s", where,
                      ps_type_name_a(f->type));
        return -1;
    }

    if (ps_field_time(s, f, f->dflt, where, "default") != 0) {
        return -1;
    }

    if (f->on_invalid == PS_ON_DEFAULT && f->dflt == NULL) {
        ps_schema_err(s, "%s.on_invalid: \"default\" needs a \"default\"",
                      where);
        return -1;
    }

    f->enums = json_object_get(v, "enum");

    if (f->enums != NULL) {
        if (!json_is_array(f->enums) || json_array_size(f->enums) == 0) {
            ps_schema_err(s, "%s.enum: must be a non-empty array", where);
            return -1;
        }

        json_array_foreach(f->enums, i, e) {
            if (!ps_type_matches(f->type, e)) {
                ps_schema_err(s, "%s.enum[%zu]: must be %s", where, i,
                              ps_type_name_a(f->type));
                return -1;
            }

            if (ps_field_time(s, f, e, where, "enum") != 0) {
                return -1;
            }
        }
    }

    f->map = json_object_get(v, "map");

    if (f->map != NULL) {
        if (!json_is_object(f->map)) {
            ps_schema_err(s, "%s.map: must be an object", where);
            return -1;
        }

        json_object_foreach(f->map, key, e) {
            if (!json_is_null(e) && !ps_type_matches(f->type, e)) {
                ps_schema_err(s, "%s.map.%s: must be %s or null", where,
                              key, ps_type_name_a(f->type));
                return -1;
            }

            if (ps_field_time(s, f, e, where, "map") != 0) {
                return -1;
            }
        }
    }

    m = json_object_get(v, "split");

    if (m != NULL) {
        if (!json_is_string(m) || json_string_length(m) == 0
            || f->type != NGX_HTTP_PROFILE_TYPE_ARRAY)
        {
            ps_schema_err(s, "%s.split: a non-empty separator, for arrays "
                          "only", where);
            return -1;
        }

        f->split = json_string_value(m);
    }

    f->formats = json_object_get(v, "formats");

    if (f->formats != NULL) {
        if (!json_is_array(f->formats)
            || f->type != NGX_HTTP_PROFILE_TYPE_TIMESTAMP)
        {
            ps_schema_err(s, "%s.formats: an array of strptime formats, "
                          "for timestamps only", where);
            return -1;
        }

        json_array_foreach(f->formats, i, e) {
            if (!json_is_string(e)) {
                ps_schema_err(s, "%s.formats[%zu]: must be a string",
                              where, i);
                return -1;
            }
        }
    }

    return 0;
}


/* minimum, maximum (integer, number) and pattern (string) */

static int
ps_field_bounds(ps_schema_t *s, json_t *v, const char *where, ps_field_t *f)
{
    int       rc;
    char      msg[256];
    json_t   *m;
    regex_t  *re;

    f->minimum = json_object_get(v, "minimum");
    f->maximum = json_object_get(v, "maximum");

    if ((f->minimum != NULL || f->maximum != NULL)
        && f->type != NGX_HTTP_PROFILE_TYPE_INTEGER
        && f->type != NGX_HTTP_PROFILE_TYPE_NUMBER)
    {
        ps_schema_err(s, "%s.%s: a number, for integer and number fields "
                      "only", where, f->minimum ? "minimum" : "maximum");
        return -1;
    }

    if (f->minimum != NULL && !json_is_number(f->minimum)) {
        ps_schema_err(s, "%s.minimum: a number, for integer and number "
                      "fields only", where);
        return -1;
    }

    if (f->maximum != NULL && !json_is_number(f->maximum)) {
        ps_schema_err(s, "%s.maximum: a number, for integer and number "
                      "fields only", where);
        return -1;
    }

    if (f->minimum != NULL && f->maximum != NULL
        && ps_number_cmp(f->maximum, f->minimum) < 0)
    {
        ps_schema_err(s, "%s.maximum: below the minimum", where);
        return -1;
    }

    m = json_object_get(v, "pattern");

    if (m == NULL) {
        return 0;
    }

    if (!json_is_string(m) || f->type != NGX_HTTP_PROFILE_TYPE_STRING) {
        ps_schema_err(s, "%s.pattern: a regular expression, for string "
                      "fields only", where);
        return -1;
    }

    /* compiled once, here; matched only for fields that have one */
    re = ps_alloc(sizeof(regex_t));
    rc = regcomp(re, json_string_value(m), REG_EXTENDED | REG_NOSUB);

    if (rc != 0) {
        regerror(rc, re, msg, sizeof(msg));
        free(re);
        ps_schema_err(s, "%s.pattern: not a POSIX extended regular "
                      "expression: %s", where, msg);
        return -1;
    }

    s->regexes = ps_realloc(s->regexes,
                            (s->nregexes + 1) * sizeof(regex_t *));
    s->regexes[s->nregexes++] = re;

    f->pattern = re;
    f->pattern_text = json_string_value(m);

    return 0;
}


static int
ps_field_nested(ps_schema_t *s, json_t *v, const char *where, ps_field_t *f)
{
    char        *sub;
    size_t       i, j, n;
    json_t      *m, *e;
    ps_field_t  *mf;

    m = json_object_get(v, "items");

    if (m != NULL) {
        if (f->type != NGX_HTTP_PROFILE_TYPE_ARRAY) {
            ps_schema_err(s, "%s.items: for arrays only", where);
            return -1;
        }

        f->items = ps_schema_alloc(s, sizeof(ps_field_t));
        f->items->path = ps_field_path(s, f->path, "[]");
        f->items->name = "";

        sub = ps_field_path(s, where, "items");

        if (ps_schema_field(s, m, sub, f->items, 0) != 0) {
            return -1;
        }
    }

    m = json_object_get(v, "fields");

    if (m == NULL) {
        return 0;
    }

    if (f->type != NGX_HTTP_PROFILE_TYPE_OBJECT || !json_is_array(m)
        || json_array_size(m) == 0)
    {
        ps_schema_err(s, "%s.fields: a non-empty array, for objects only",
                      where);
        return -1;
    }

    n = json_array_size(m);
    f->members = ps_schema_alloc(s, n * sizeof(ps_field_t));
    f->nmembers = (unsigned) n;

    json_array_foreach(m, i, e) {
        mf = &f->members[i];
        mf->id = (unsigned) i;

        sub = ps_schema_alloc(s, strlen(where) + 32);
        sprintf(sub, "%s.fields[%zu]", where, i);

        if (!json_is_object(e) || !json_is_string(json_object_get(e, "name"))) {
            ps_schema_err(s, "%s: must be an object with a \"name\"", sub);
            return -1;
        }

        mf->path = ps_field_path(s, f->path,
                                 json_string_value(json_object_get(e,
                                                                   "name")));

        if (ps_schema_field(s, e, sub, mf, 0) != 0) {
            return -1;
        }

        for (j = 0; j < i; j++) {
            if (strcmp(f->members[j].name, mf->name) == 0) {
                ps_schema_err(s, "%s.name: \"%s\" is used twice", sub,
                              mf->name);
                return -1;
            }
        }
    }

    return 0;
}


static int
ps_field_aliases(ps_schema_t *s, json_t *v, const char *where, ps_field_t *f)
{
    size_t   i;
    json_t  *m, *e;

    m = json_object_get(v, "aliases");

    if (m == NULL) {
        return 0;
    }

    if (!json_is_array(m)) {
        ps_schema_err(s, "%s.aliases: must be an array of names", where);
        return -1;
    }

    f->naliases = (unsigned) json_array_size(m);
    f->aliases = ps_schema_alloc(s, (f->naliases + 1) * sizeof(char *));

    json_array_foreach(m, i, e) {
        if (!json_is_string(e) || json_string_length(e) == 0) {
            ps_schema_err(s, "%s.aliases[%zu]: must be a member name",
                          where, i);
            return -1;
        }

        f->aliases[i] = json_string_value(e);
    }

    return 0;
}


/* 0 or 1, dflt when absent, -1 (reported) when not a boolean */

static int
ps_field_bool(ps_schema_t *s, json_t *v, const char *where,
    const char *key, int dflt)
{
    json_t  *m;

    m = json_object_get(v, key);

    if (m == NULL) {
        return dflt;
    }

    if (!json_is_boolean(m)) {
        ps_schema_err(s, "%s.%s: must be true or false", where, key);
        return -1;
    }

    return json_is_true(m);
}


static char *
ps_field_path(ps_schema_t *s, const char *parent, const char *name)
{
    char    *p;
    size_t   n;

    n = strlen(parent) + strlen(name) + 2;
    p = ps_schema_alloc(s, n);

    snprintf(p, n, "%s%s%s", parent, name[0] == '[' ? "" : ".", name);

    return p;
}


int
ps_schema_one_of(ps_schema_t *s, json_t *v)
{
    char         *text;
    size_t        i, j;
    json_t       *group, *name;
    unsigned      alias;
    ps_buf_t      names;
    ps_field_t   *f;
    ps_one_of_t  *g;

    if (v == NULL) {
        return 0;
    }

    if (!json_is_array(v) || json_array_size(v) == 0) {
        ps_schema_err(s, "one_of_required: must be a non-empty array of "
                      "lists of field names");
        return -1;
    }

    s->none_of = (unsigned) json_array_size(v);
    s->one_of = ps_schema_alloc(s, s->none_of * sizeof(ps_one_of_t));

    json_array_foreach(v, i, group) {
        if (!json_is_array(group) || json_array_size(group) < 2) {
            ps_schema_err(s, "one_of_required[%zu]: must list at least two "
                          "field names", i);
            return -1;
        }

        g = &s->one_of[i];
        g->nfields = (unsigned) json_array_size(group);
        g->fields = ps_schema_alloc(s, g->nfields * sizeof(unsigned));

        memset(&names, 0, sizeof(ps_buf_t));

        json_array_foreach(group, j, name) {
            f = json_is_string(name)
                ? ps_schema_lookup(s, json_string_value(name),
                                   json_string_length(name), &alias)
                : NULL;

            if (f == NULL || alias != 0) {
                ps_schema_err(s, "one_of_required[%zu][%zu]: must be the "
                              "name of a top-level field", i, j);
                ps_buf_free(&names);
                return -1;
            }

            g->fields[j] = f->id;
            ps_buf_printf(&names, "%s\"%s\"", j ? ", " : "", f->name);
        }

        text = ps_schema_alloc(s, names.len + 1);
        memcpy(text, names.data, names.len);
        g->names = text;
        ps_buf_free(&names);
    }

    return 0;
}
