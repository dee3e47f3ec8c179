
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Loading and checking the schema (docs/schema.md): the top level, the
 * name table, the canonical text and the binary tables.  Field
 * declarations are in ps_schema_field.c, migrations in
 * ps_schema_migrations.c, what they share in ps_schema_read.c; the
 * loaded schema is queried through ps_schema_lookup.c.  Every message
 * names the schema file and the JSON path of the problem.
 */


#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ps.h"
#include "ps_schema.h"
#include "ps_schema_field.h"
#include "ps_schema_audience.h"
#include "ps_schema_migrations.h"
#include "ps_schema_states.h"


static int ps_schema_top(ps_schema_t *s);
static int ps_schema_keys(ps_schema_t *s, json_t *obj, const char *where,
    const char **allowed);
static int ps_schema_classes(ps_schema_t *s, json_t *v);
static int ps_schema_fields(ps_schema_t *s, json_t *v);
static int ps_schema_names(ps_schema_t *s);
static int ps_schema_sources(ps_schema_t *s, json_t *v);
static int ps_schema_policies(ps_schema_t *s, json_t *v);
static int ps_schema_limits(ps_schema_t *s, json_t *v);
static int ps_schema_size(ps_schema_t *s, json_t *obj, const char *key,
    size_t *out);
static int ps_schema_add_name(ps_schema_t *s, const char *name,
    size_t len, unsigned field, unsigned alias);
static int ps_schema_compile(ps_schema_t *s);
static int ps_schema_embeds(ps_schema_t *s);
static int ps_schema_embed_source(ps_schema_t *s, const char *name,
    json_t *src, json_t *k);


int
ps_schema_load(ps_schema_t *s, const char *path)
{
    FILE          *f;
    struct stat    st;
    json_error_t   err;

    memset(s, 0, sizeof(ps_schema_t));
    s->path = path;

    /* opened here: jansson's own message would name the file twice */
    f = fopen(path, "r");

    if (f != NULL && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }

    if (f == NULL) {
        ps_error("%s: cannot open the schema: %s", path, strerror(errno));
        return -1;
    }

    s->json = json_loadf(f, JSON_REJECT_DUPLICATES, &err);
    fclose(f);

    if (s->json == NULL) {
        if (err.line > 0) {
            ps_error("%s:%d:%d: schema is not valid JSON: %s",
                     path, err.line, err.column, err.text);

        } else {
            ps_error("%s: %s", path, err.text);
        }

        return -1;
    }

    if (ps_schema_top(s) != 0 || ps_schema_compile(s) != 0
        || ps_schema_embeds(s) != 0)
    {
        ps_schema_free(s);
        return -1;
    }

    return 0;
}


int
ps_schema_load_embed(ps_schema_t *s, const ps_schema_t *parent,
    const ps_schema_embed_t *e)
{
    size_t  len;
    char   *path;

    memset(s, 0, sizeof(ps_schema_t));

    /* "FILE: sources.NAME" names the file and the source in messages */
    len = strlen(parent->path) + strlen(e->name) + 12;
    path = ps_schema_alloc(s, len);
    snprintf(path, len, "%s: sources.%s", parent->path, e->name);
    s->path = path;

    s->json = json_deep_copy(e->doc);

    if (s->json == NULL || ps_schema_top(s) != 0
        || ps_schema_compile(s) != 0)
    {
        ps_schema_free(s);
        return -1;
    }

    return 0;
}


int
ps_schema_embed(ps_schema_t *s, const char *name)
{
    unsigned  i;

    for (i = 0; i < s->nembeds; i++) {
        if (strcmp(s->embeds[i].name, name) == 0) {
            return (int) i;
        }
    }

    return -1;
}


/*
 * Each embeddable source's own schema, loaded once here to be checked
 * (a schema error is exit 3 before any input is read), its fields table
 * kept; and the "sources" table.  Its classes must be the schema's: its
 * records are read with the snapshot's classes.
 */

static int
ps_schema_embeds(ps_schema_t *s)
{
    unsigned      i;
    size_t        len;
    ps_schema_t   sub;

    if (s->nembeds == 0) {
        return 0;
    }

    ps_buf_addc(&s->sources_bin, (int) s->nembeds);

    for (i = 0; i < s->nembeds; i++) {
        if (ps_schema_load_embed(&sub, s, &s->embeds[i]) != 0) {
            return -1;
        }

        if (sub.classes_bin.len != s->classes_bin.len
            || memcmp(sub.classes_bin.data, s->classes_bin.data,
                      s->classes_bin.len) != 0)
        {
            ps_schema_err(s, "sources.%s: its classes differ from the "
                          "schema's", s->embeds[i].name);
            ps_schema_free(&sub);
            return -1;
        }

        ps_buf_add(&s->embeds[i].fields_bin, sub.fields_bin.data,
                   sub.fields_bin.len);

        if (sub.members_bin.len != 0) {
            ps_buf_add(&s->embeds[i].members_bin, sub.members_bin.data,
                       sub.members_bin.len);
        }
        ps_schema_free(&sub);

        len = strlen(s->embeds[i].name);
        ps_buf_addc(&s->sources_bin, (int) len);
        ps_buf_add(&s->sources_bin, s->embeds[i].name, len);
    }

    return 0;
}


void
ps_schema_free(ps_schema_t *s)
{
    size_t  i;

    for (i = 0; i < s->nallocs; i++) {
        free(s->allocs[i]);
    }

    for (i = 0; i < s->nregexes; i++) {
        regfree(s->regexes[i]);
        free(s->regexes[i]);
    }

    free(s->regexes);
    free(s->allocs);
    free(s->names);
    ps_buf_free(&s->canonical);
    ps_buf_free(&s->classes_bin);
    ps_buf_free(&s->fields_bin);
    ps_buf_free(&s->members_bin);
    ps_buf_free(&s->sources_bin);

    for (i = 0; i < s->nembeds; i++) {
        json_decref(s->embeds[i].doc);
        ps_buf_free(&s->embeds[i].fields_bin);
        ps_buf_free(&s->embeds[i].members_bin);
    }
    ps_buf_free(&s->roles_bin);
    ps_buf_free(&s->states_bin);

    if (s->json != NULL) {
        json_decref(s->json);
    }

    if (s->privacy_values != NULL) {
        json_decref(s->privacy_values);
    }

    if (s->state_values != NULL) {
        json_decref(s->state_values);
    }

    memset(s, 0, sizeof(ps_schema_t));
}


static int
ps_schema_top(ps_schema_t *s)
{
    json_t  *v;

    static const char  *allowed[] = {
        "version", "id", "classes", "fields", "description", "coerce",
        "trim", "version_field", "default_version", "detect", "migrations",
        "sources", "policies", "limits", "one_of_required", "roles",
        "privacy", "states", NULL
    };

    if (!json_is_object(s->json)) {
        ps_schema_err(s, "the schema must be a JSON object");
        return -1;
    }

    if (ps_schema_keys(s, s->json, "", allowed) != 0) {
        return -1;
    }

    v = json_object_get(s->json, "version");

    if (v == NULL) {
        s->version = 1;

    } else if (!json_is_integer(v) || json_integer_value(v) < 1) {
        ps_schema_err(s, "version: must be an integer >= 1");
        return -1;

    } else {
        s->version = json_integer_value(v);
    }

    v = json_object_get(s->json, "id");

    if (v == NULL) {
        s->key = "id";
        s->key_len = 2;

    } else if (!json_is_string(v)
               || !ps_name_valid(json_string_value(v),
                                 json_string_length(v)))
    {
        ps_schema_err(s, "id: must be a field name "
                      "(1..255 bytes of [A-Za-z0-9_])");
        return -1;

    } else {
        s->key = json_string_value(v);
        s->key_len = json_string_length(v);
    }

    v = json_object_get(s->json, "coerce");
    if (v != NULL && !json_is_boolean(v)) {
        ps_schema_err(s, "coerce: must be true or false");
        return -1;
    }

    s->coerce_default = json_is_true(v);

    v = json_object_get(s->json, "trim");
    if (v != NULL && !json_is_boolean(v)) {
        ps_schema_err(s, "trim: must be true or false");
        return -1;
    }

    s->trim_default = json_is_true(v);

    if (ps_schema_audiences(s) != 0
        || ps_schema_classes(s, json_object_get(s->json, "classes")) != 0
        || ps_schema_sources(s, json_object_get(s->json, "sources")) != 0
        || ps_schema_policies(s, json_object_get(s->json, "policies")) != 0
        || ps_schema_limits(s, json_object_get(s->json, "limits")) != 0
        || ps_schema_fields(s, json_object_get(s->json, "fields")) != 0
        || ps_schema_names(s) != 0
        || ps_schema_privacy(s) != 0
        || ps_schema_states(s) != 0
        || ps_schema_one_of(s, json_object_get(s->json, "one_of_required"))
           != 0)
    {
        return -1;
    }

    return ps_schema_migrations(s);
}


/* every key of obj must be in allowed (NULL-terminated) */

static int
ps_schema_keys(ps_schema_t *s, json_t *obj, const char *where,
    const char **allowed)
{
    json_t       *v;
    unsigned      i;
    const char   *key;

    json_object_foreach(obj, key, v) {
        for (i = 0; allowed[i] != NULL; i++) {
            if (strcmp(key, allowed[i]) == 0) {
                break;
            }
        }

        if (allowed[i] == NULL) {
            ps_schema_err(s, "%s%s: unknown key", where, key);
            return -1;
        }
    }

    return 0;
}


static int
ps_schema_classes(ps_schema_t *s, json_t *v)
{
    size_t       i, j;
    json_t      *c;
    const char  *name;

    if (s->audiences) {
        return 0;
    }

    if (v == NULL) {
        s->classes[0] = "public";
        s->classes[1] = "self";
        s->nclasses = 2;
        return 0;
    }

    if (!json_is_array(v) || json_array_size(v) < 2
        || json_array_size(v) > NGX_HTTP_PROFILE_MAX_CLASSES)
    {
        ps_schema_err(s, "classes: must be an array of 2..%d names",
                      NGX_HTTP_PROFILE_MAX_CLASSES);
        return -1;
    }

    json_array_foreach(v, i, c) {
        if (!json_is_string(c)
            || !ps_name_valid(json_string_value(c), json_string_length(c)))
        {
            ps_schema_err(s, "classes[%zu]: must be a name "
                          "(1..255 bytes of [A-Za-z0-9_])", i);
            return -1;
        }

        name = json_string_value(c);

        for (j = 0; j < i; j++) {
            if (strcmp(s->classes[j], name) == 0) {
                ps_schema_err(s, "classes[%zu]: duplicate class \"%s\"",
                              i, name);
                return -1;
            }
        }

        s->classes[i] = name;
    }

    s->nclasses = (unsigned) json_array_size(v);

    if (strcmp(s->classes[0], "public") != 0
        || strcmp(s->classes[1], "self") != 0)
    {
        ps_schema_err(s, "classes: must start with \"public\", \"self\"");
        return -1;
    }

    return 0;
}


static int
ps_schema_fields(ps_schema_t *s, json_t *v)
{
    char     where[64];
    size_t   i, n;
    json_t  *f;

    if (!json_is_array(v) || json_array_size(v) == 0
        || json_array_size(v) > NGX_HTTP_PROFILE_MAX_FIELDS)
    {
        ps_schema_err(s, "fields: must be an array of 1..%d fields",
                      NGX_HTTP_PROFILE_MAX_FIELDS);
        return -1;
    }

    n = json_array_size(v);
    s->nfields = (unsigned) n;
    s->fields = ps_schema_alloc(s, n * sizeof(ps_field_t));

    json_array_foreach(v, i, f) {
        snprintf(where, sizeof(where), "fields[%zu]", i);

        if (ps_schema_field(s, f, where, &s->fields[i], 1) != 0
            || ps_schema_field_audience(s, f, where, &s->fields[i]) != 0)
        {
            return -1;
        }

        s->fields[i].id = (unsigned) i;
    }

    return 0;
}


/* the name table: field names and aliases, each used once */

static int
ps_schema_names(ps_schema_t *s)
{
    size_t       n, i;
    unsigned     a;
    ps_field_t  *f;

    n = 0;

    for (i = 0; i < s->nfields; i++) {
        n += 1 + s->fields[i].naliases;
    }

    for (s->names_mask = 16; s->names_mask < 2 * n; s->names_mask *= 2) {
        /* void */
    }

    s->names = ps_alloc(s->names_mask * sizeof(ps_name_slot_t));
    memset(s->names, 0, s->names_mask * sizeof(ps_name_slot_t));
    s->names_mask--;

    for (i = 0; i < s->nfields; i++) {
        f = &s->fields[i];

        if (ps_schema_add_name(s, f->name, f->name_len, (unsigned) i, 0)
            != 0)
        {
            ps_schema_err(s, "fields[%zu].name: \"%s\" is used twice", i,
                          f->name);
            return -1;
        }
    }

    /* the aliases after every name: a clash is the alias's fault */

    for (i = 0; i < s->nfields; i++) {
        f = &s->fields[i];

        for (a = 0; a < f->naliases; a++) {
            if (ps_schema_add_name(s, f->aliases[a], strlen(f->aliases[a]),
                                   (unsigned) i, a + 1) != 0)
            {
                ps_schema_err(s, "fields[%zu].aliases[%u]: \"%s\" is "
                              "already a field name or alias", i, a,
                              f->aliases[a]);
                return -1;
            }
        }
    }

    return 0;
}


static int
ps_schema_sources(ps_schema_t *s, json_t *v)
{
    char         where[NGX_HTTP_PROFILE_FIELD_NAME_MAX + 16];
    json_t      *src, *k, *e;
    const char  *name;

    static const char  *allowed[] = {
        "key", "description", "embed", "fields", NULL
    };

    s->sources[0].name = "profiles";
    s->sources[0].key = s->key;
    s->sources[0].key_len = s->key_len;
    s->nsources = 1;

    if (v == NULL) {
        return 0;
    }

    if (!json_is_object(v) || json_object_size(v) == 0
        || json_object_size(v) > 16)
    {
        ps_schema_err(s, "sources: must be an object of 1..16 sources");
        return -1;
    }

    s->nsources = 0;

    json_object_foreach(v, name, src) {
        if (!ps_name_valid(name, strlen(name)) || !json_is_object(src)) {
            ps_schema_err(s, "sources.%s: must be a name "
                          "([A-Za-z0-9_]) with an object", name);
            return -1;
        }

        if (strcmp(name, "relations") == 0) {
            ps_schema_err(s, "sources.relations: the name of the relations "
                          "source (--source relations=FILE), not a joined "
                          "source");
            return -1;
        }

        snprintf(where, sizeof(where), "sources.%s.", name);

        if (ps_schema_keys(s, src, where, allowed) != 0) {
            return -1;
        }

        k = json_object_get(src, "key");

        if (k != NULL && (!json_is_string(k)
                          || !ps_name_valid(json_string_value(k),
                                            json_string_length(k))))
        {
            ps_schema_err(s, "sources.%s.key: must be a member name", name);
            return -1;
        }

        e = json_object_get(src, "embed");

        if (e != NULL && !json_is_boolean(e)) {
            ps_schema_err(s, "sources.%s.embed: must be true or false",
                          name);
            return -1;
        }

        if (json_is_true(e)) {
            if (ps_schema_embed_source(s, name, src, k) != 0) {
                return -1;
            }

            continue;
        }

        if (json_object_get(src, "fields") != NULL) {
            ps_schema_err(s, "sources.%s.fields: only an embeddable source "
                          "(\"embed\": true) declares fields", name);
            return -1;
        }

        s->sources[s->nsources].name = name;
        s->sources[s->nsources].key = k ? json_string_value(k) : s->key;
        s->sources[s->nsources].key_len = k ? json_string_length(k)
                                            : s->key_len;
        s->nsources++;
    }

    /* only embeddable sources: the profiles come from the default one */

    if (s->nsources == 0) {
        s->sources[0].name = "profiles";
        s->sources[0].key = s->key;
        s->sources[0].key_len = s->key_len;
        s->nsources = 1;
    }

    return 0;
}


/*
 * An embeddable source: its name, and its own schema document made of
 * its "fields" and "key" and what the schema's records and its share:
 * the classes (and the roles that make classes), the policies, the
 * limits, "coerce" and "trim".  What would tie its records to the
 * profiles' (roles lists, audience ranges, joined sources) is refused.
 */

static int
ps_schema_embed_source(ps_schema_t *s, const char *name, json_t *src,
    json_t *k)
{
    size_t        i;
    json_t       *doc, *fields, *f, *v;
    const char  **key;

    static const char  *shared[] = {
        "version", "classes", "roles", "policies", "limits", "coerce",
        "trim", NULL
    };

    static const char  *refused[] = {
        "roles", "audience_range", "source", NULL
    };

    if (!ngx_http_profile_source_name_valid((const unsigned char *) name,
                                            strlen(name)))
    {
        ps_schema_err(s, "sources.%s: an embeddable source's name is 1..%d "
                      "bytes of [a-z0-9_]", name,
                      NGX_HTTP_PROFILE_SOURCE_NAME_MAX);
        return -1;
    }

    if (s->nembeds == NGX_HTTP_PROFILE_MAX_SOURCES) {
        ps_schema_err(s, "sources.%s: more than %d embeddable sources",
                      name, NGX_HTTP_PROFILE_MAX_SOURCES);
        return -1;
    }

    fields = json_object_get(src, "fields");

    if (!json_is_array(fields) || json_array_size(fields) == 0) {
        ps_schema_err(s, "sources.%s.fields: an embeddable source declares "
                      "its fields (a non-empty array)", name);
        return -1;
    }

    json_array_foreach(fields, i, f) {
        for (key = refused; json_is_object(f) && *key != NULL; key++) {
            if (json_object_get(f, *key) != NULL) {
                ps_schema_err(s, "sources.%s.fields[%zu].%s: not supported "
                              "in an embeddable source", name, i, *key);
                return -1;
            }
        }
    }

    doc = json_object();

    for (key = shared; *key != NULL; key++) {
        v = json_object_get(s->json, *key);

        if (v != NULL) {
            json_object_set(doc, *key, v);
        }
    }

    json_object_set_new(doc, "id", k ? json_incref(k) : json_string("id"));
    json_object_set(doc, "fields", fields);

    s->embeds[s->nembeds].name = name;
    s->embeds[s->nembeds].doc = doc;
    s->nembeds++;

    return 0;
}


static int
ps_schema_policies(ps_schema_t *s, json_t *v)
{
    json_t  *m;

    static const char  *allowed[] = {
        "duplicates", "newest_field", "invalid_utf8", "unknown_fields",
        "nul", "description", NULL
    };

    static const char  *dup_names[] = {
        "last", "first", "newest", "reject", NULL
    };
    static const int    dup_values[] = {
        PS_DUP_LAST, PS_DUP_FIRST, PS_DUP_NEWEST, PS_DUP_REJECT
    };
    static const char  *utf8_names[] = { "quarantine", "replace", NULL };
    static const int    utf8_values[] = {
        PS_UTF8_QUARANTINE, PS_UTF8_REPLACE
    };
    static const char  *nul_names[] = {
        "quarantine", "strip", "replace", NULL
    };
    static const int    nul_values[] = {
        PS_NUL_QUARANTINE, PS_NUL_STRIP, PS_NUL_REPLACE
    };
    static const char  *unknown_names[] = { "drop", "quarantine", NULL };
    static const int    unknown_values[] = {
        PS_ON_DROP, PS_ON_QUARANTINE
    };

    s->duplicates = PS_DUP_LAST;
    s->invalid_utf8 = PS_UTF8_QUARANTINE;
    s->nul = PS_NUL_QUARANTINE;
    s->unknown_fields = PS_ON_DROP;
    s->newest_field = "updated_at";

    if (v == NULL) {
        return 0;
    }

    if (!json_is_object(v)
        || ps_schema_keys(s, v, "policies.", allowed) != 0)
    {
        if (!json_is_object(v)) {
            ps_schema_err(s, "policies: must be an object");
        }
        return -1;
    }

    /* one message at most: stop at the first bad choice */
    if ((s->duplicates = ps_schema_choice(s, v, "policies", "duplicates",
                                          dup_names, dup_values,
                                          PS_DUP_LAST)) < 0
        || (s->invalid_utf8 = ps_schema_choice(s, v, "policies",
                                               "invalid_utf8", utf8_names,
                                               utf8_values,
                                               PS_UTF8_QUARANTINE)) < 0
        || (s->nul = ps_schema_choice(s, v, "policies", "nul", nul_names,
                                      nul_values, PS_NUL_QUARANTINE)) < 0
        || (s->unknown_fields = ps_schema_choice(s, v, "policies",
                                                 "unknown_fields",
                                                 unknown_names,
                                                 unknown_values,
                                                 PS_ON_DROP)) < 0)
    {
        return -1;
    }

    m = json_object_get(v, "newest_field");

    if (m != NULL) {
        if (!json_is_string(m)) {
            ps_schema_err(s, "policies.newest_field: must be a field name");
            return -1;
        }

        s->newest_field = json_string_value(m);
    }

    return 0;
}


static int
ps_schema_limits(ps_schema_t *s, json_t *v)
{
    static const char  *allowed[] = {
        "record_bytes", "depth", "string_bytes", "array_items",
        "description", NULL
    };

    s->max_record_bytes = 1024 * 1024;
    s->max_depth = 32;
    s->max_string_bytes = 64 * 1024;
    s->max_array_items = 10000;

    if (v == NULL) {
        return 0;
    }

    if (!json_is_object(v)) {
        ps_schema_err(s, "limits: must be an object");
        return -1;
    }

    if (ps_schema_keys(s, v, "limits.", allowed) != 0
        || ps_schema_size(s, v, "record_bytes", &s->max_record_bytes) != 0
        || ps_schema_size(s, v, "depth", &s->max_depth) != 0
        || ps_schema_size(s, v, "string_bytes", &s->max_string_bytes) != 0
        || ps_schema_size(s, v, "array_items", &s->max_array_items) != 0)
    {
        return -1;
    }

    if (s->max_depth > PS_MAX_DEPTH) {
        ps_schema_err(s, "limits.depth: at most %d (the deepest nesting "
                      "the JSON parser reads)", PS_MAX_DEPTH);
        return -1;
    }

    return 0;
}


static int
ps_schema_size(ps_schema_t *s, json_t *obj, const char *key, size_t *out)
{
    json_t  *v;

    v = json_object_get(obj, key);

    if (v == NULL) {
        return 0;
    }

    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        ps_schema_err(s, "limits.%s: must be a positive integer", key);
        return -1;
    }

    *out = (size_t) json_integer_value(v);

    return 0;
}


/* returns -1 if the name is taken; the table never fills (see names) */

static int
ps_schema_add_name(ps_schema_t *s, const char *name, size_t len,
    unsigned field, unsigned alias)
{
    size_t           i;
    ps_name_slot_t  *slot;

    i = ps_name_hash(name, len) & s->names_mask;

    for ( ;; ) {
        slot = &s->names[i];

        if (slot->name == NULL) {
            slot->name = name;
            slot->len = len;
            slot->field = field;
            slot->alias = alias;
            return 0;
        }

        if (slot->len == len && memcmp(slot->name, name, len) == 0) {
            return -1;
        }

        i = (i + 1) & s->names_mask;
    }
}


/* canonical text, digest and the binary classes/fields/members tables */

static int
ps_schema_compile(ps_schema_t *s)
{
    char           *text;
    size_t          len, n;
    unsigned        i, j;
    ps_field_t     *f, *m;
    unsigned char  *p;

    text = json_dumps(s->json, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL) {
        ps_schema_err(s, "cannot serialize the schema");
        return -1;
    }

    ps_buf_adds(&s->canonical, text);
    free(text);

    ps_sha256_digest(s->canonical.data, s->canonical.len, s->digest);

    ps_buf_reserve(&s->classes_bin, NGX_HTTP_PROFILE_CLASSES_COUNT_SIZE);
    s->classes_bin.data[0] = (unsigned char) s->nclasses;
    s->classes_bin.len = NGX_HTTP_PROFILE_CLASSES_COUNT_SIZE;

    for (i = 0; i < s->nclasses; i++) {
        len = strlen(s->classes[i]);
        ps_buf_reserve(&s->classes_bin, 1 + len);
        p = ngx_http_profile_class_encode(s->classes_bin.data
                                          + s->classes_bin.len,
                                          s->classes[i], len);
        s->classes_bin.len = p - s->classes_bin.data;
    }

    ps_buf_reserve(&s->fields_bin, NGX_HTTP_PROFILE_FIELDS_COUNT_SIZE);
    ngx_http_profile_put16(s->fields_bin.data, (uint16_t) s->nfields);
    s->fields_bin.len = NGX_HTTP_PROFILE_FIELDS_COUNT_SIZE;

    for (i = 0; i < s->nfields; i++) {
        f = &s->fields[i];

        ps_buf_reserve(&s->fields_bin,
                       NGX_HTTP_PROFILE_FIELD_HEAD_SIZE + f->name_len);
        p = ngx_http_profile_field_encode(s->fields_bin.data
                                          + s->fields_bin.len,
                                          (uint8_t) f->type, (uint8_t) f->cls,
                                          f->name, f->name_len);
        s->fields_bin.len = p - s->fields_bin.data;
    }

    /*
     * The "members" table (format version 4): the declared members of
     * every top-level object field, in declaration order; a member's id
     * is its index, member_base the id of a field's first member.
     */

    n = 0;

    for (i = 0; i < s->nfields; i++) {
        f = &s->fields[i];
        f->member_base = (unsigned) n;

        if (f->type == NGX_HTTP_PROFILE_TYPE_OBJECT) {
            n += f->nmembers;
        }
    }

    if (n > NGX_HTTP_PROFILE_MAX_MEMBERS) {
        ps_schema_err(s, "fields: %zu declared members of object fields, "
                      "at most %d", n, NGX_HTTP_PROFILE_MAX_MEMBERS);
        return -1;
    }

    if (n != 0) {
        ps_buf_reserve(&s->members_bin, NGX_HTTP_PROFILE_MEMBERS_COUNT_SIZE);
        ngx_http_profile_put16(s->members_bin.data, (uint16_t) n);
        s->members_bin.len = NGX_HTTP_PROFILE_MEMBERS_COUNT_SIZE;

        for (i = 0; i < s->nfields; i++) {
            f = &s->fields[i];

            if (f->type != NGX_HTTP_PROFILE_TYPE_OBJECT) {
                continue;
            }

            for (j = 0; j < f->nmembers; j++) {
                m = &f->members[j];

                ps_buf_reserve(&s->members_bin,
                               NGX_HTTP_PROFILE_MEMBER_HEAD_SIZE
                               + m->name_len);
                p = ngx_http_profile_member_encode(s->members_bin.data
                                                   + s->members_bin.len,
                                                   (uint16_t) i,
                                                   (uint8_t) m->type,
                                                   m->name, m->name_len);
                s->members_bin.len = p - s->members_bin.data;
            }
        }
    }

    ps_schema_roles_table(s);
    ps_schema_states_table(s);

    return 0;
}


