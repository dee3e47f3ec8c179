
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Loading and checking the schema (docs/schema.md).  Every message names
 * the schema file and the JSON path of the problem.
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_schema.h"


static int ps_schema_top(ps_schema_t *s);
static int ps_schema_classes(ps_schema_t *s, json_t *v);
static int ps_schema_fields(ps_schema_t *s, json_t *v);
static int ps_schema_field(ps_schema_t *s, json_t *v, unsigned i,
    ps_field_t *f);
static int ps_schema_class_id(ps_schema_t *s, const char *name);
static int ps_schema_add_name(ps_schema_t *s, const char *name,
    size_t len, unsigned field);
static int ps_schema_compile(ps_schema_t *s);
static void ps_schema_err(ps_schema_t *s, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
static uint64_t ps_name_hash(const char *name, size_t len);


static const char  *ps_type_names[] = {
    "null", "string", "integer", "number", "boolean", "timestamp",
    "object", "array"
};


int
ps_schema_load(ps_schema_t *s, const char *path)
{
    json_error_t  err;

    memset(s, 0, sizeof(ps_schema_t));
    s->path = path;

    s->json = json_load_file(path, JSON_REJECT_DUPLICATES, &err);

    if (s->json == NULL) {
        if (err.line > 0) {
            ps_error("%s:%d:%d: schema is not valid JSON: %s",
                     path, err.line, err.column, err.text);

        } else {
            ps_error("%s: %s", path, err.text);
        }

        return -1;
    }

    if (ps_schema_top(s) != 0 || ps_schema_compile(s) != 0) {
        ps_schema_free(s);
        return -1;
    }

    return 0;
}


void
ps_schema_free(ps_schema_t *s)
{
    free(s->fields);
    free(s->names);
    ps_buf_free(&s->canonical);
    ps_buf_free(&s->classes_bin);
    ps_buf_free(&s->fields_bin);

    if (s->json != NULL) {
        json_decref(s->json);
    }

    memset(s, 0, sizeof(ps_schema_t));
}


ps_field_t *
ps_schema_lookup(ps_schema_t *s, const char *name, size_t len)
{
    size_t           i;
    ps_name_slot_t  *slot;

    i = ps_name_hash(name, len) & s->names_mask;

    for ( ;; ) {
        slot = &s->names[i];

        if (slot->name == NULL) {
            return NULL;
        }

        if (slot->len == len && memcmp(slot->name, name, len) == 0) {
            return &s->fields[slot->field];
        }

        i = (i + 1) & s->names_mask;
    }
}


const char *
ps_type_name(unsigned type)
{
    if (type > NGX_HTTP_PROFILE_TYPE_MAX) {
        return "unknown";
    }

    return ps_type_names[type];
}


int
ps_name_valid(const char *name, size_t len)
{
    size_t  i;

    if (len == 0 || len > NGX_HTTP_PROFILE_FIELD_NAME_MAX) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (!((name[i] >= 'a' && name[i] <= 'z')
              || (name[i] >= 'A' && name[i] <= 'Z')
              || (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
        {
            return 0;
        }
    }

    return 1;
}


static int
ps_schema_top(ps_schema_t *s)
{
    json_t      *v;
    const char  *key;

    if (!json_is_object(s->json)) {
        ps_schema_err(s, "the schema must be a JSON object");
        return -1;
    }

    json_object_foreach(s->json, key, v) {
        if (strcmp(key, "version") != 0 && strcmp(key, "id") != 0
            && strcmp(key, "classes") != 0 && strcmp(key, "fields") != 0
            && strcmp(key, "description") != 0)
        {
            ps_schema_err(s, "%s: unknown key", key);
            return -1;
        }
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

    if (ps_schema_classes(s, json_object_get(s->json, "classes")) != 0) {
        return -1;
    }

    return ps_schema_fields(s, json_object_get(s->json, "fields"));
}


static int
ps_schema_classes(ps_schema_t *s, json_t *v)
{
    size_t       i, j;
    json_t      *c;
    const char  *name;

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
    s->fields = ps_alloc(n * sizeof(ps_field_t));
    memset(s->fields, 0, n * sizeof(ps_field_t));

    /* at least twice the slots of names; aliases may add more later */
    for (s->names_mask = 16; s->names_mask < 2 * n; s->names_mask *= 2) {
        /* void */
    }

    s->names = ps_alloc(s->names_mask * sizeof(ps_name_slot_t));
    memset(s->names, 0, s->names_mask * sizeof(ps_name_slot_t));
    s->names_mask--;

    json_array_foreach(v, i, f) {
        if (ps_schema_field(s, f, (unsigned) i, &s->fields[i]) != 0) {
            return -1;
        }
    }

    return 0;
}


static int
ps_schema_field(ps_schema_t *s, json_t *v, unsigned i, ps_field_t *f)
{
    int          cls;
    json_t      *m;
    unsigned     t;
    const char  *key, *type;

    if (!json_is_object(v)) {
        ps_schema_err(s, "fields[%u]: must be an object", i);
        return -1;
    }

    json_object_foreach(v, key, m) {
        if (strcmp(key, "name") != 0 && strcmp(key, "type") != 0
            && strcmp(key, "visibility") != 0
            && strcmp(key, "description") != 0)
        {
            ps_schema_err(s, "fields[%u].%s: unknown key", i, key);
            return -1;
        }
    }

    m = json_object_get(v, "name");

    if (!json_is_string(m)
        || !ps_name_valid(json_string_value(m), json_string_length(m)))
    {
        ps_schema_err(s, "fields[%u].name: must be 1..255 bytes "
                      "of [A-Za-z0-9_]", i);
        return -1;
    }

    f->id = i;
    f->name = json_string_value(m);
    f->name_len = json_string_length(m);

    m = json_object_get(v, "type");
    type = json_is_string(m) ? json_string_value(m) : "";

    for (t = 1; t <= NGX_HTTP_PROFILE_TYPE_MAX; t++) {
        if (strcmp(type, ps_type_names[t]) == 0) {
            break;
        }
    }

    if (t > NGX_HTTP_PROFILE_TYPE_MAX) {
        ps_schema_err(s, "fields[%u].type: must be one of string, integer, "
                      "number, boolean, timestamp, object, array", i);
        return -1;
    }

    f->type = t;

    m = json_object_get(v, "visibility");

    if (m == NULL) {
        cls = NGX_HTTP_PROFILE_CLASS_PUBLIC;

    } else {
        cls = json_is_string(m) ? ps_schema_class_id(s, json_string_value(m))
                                : -1;
        if (cls < 0) {
            ps_schema_err(s, "fields[%u].visibility: must be one of the "
                          "classes", i);
            return -1;
        }
    }

    f->cls = (unsigned) cls;

    if (ps_schema_add_name(s, f->name, f->name_len, i) != 0) {
        ps_schema_err(s, "fields[%u].name: \"%s\" is used twice", i, f->name);
        return -1;
    }

    return 0;
}


static int
ps_schema_class_id(ps_schema_t *s, const char *name)
{
    unsigned  i;

    for (i = 0; i < s->nclasses; i++) {
        if (strcmp(s->classes[i], name) == 0) {
            return (int) i;
        }
    }

    return -1;
}


/* returns -1 if the name is taken; the table never fills (see fields) */

static int
ps_schema_add_name(ps_schema_t *s, const char *name, size_t len,
    unsigned field)
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
            return 0;
        }

        if (slot->len == len && memcmp(slot->name, name, len) == 0) {
            return -1;
        }

        i = (i + 1) & s->names_mask;
    }
}


/* canonical text, digest and the binary classes/fields tables */

static int
ps_schema_compile(ps_schema_t *s)
{
    char           *text;
    unsigned        i;
    ps_field_t     *f;
    ps_sha256_t     sha;
    unsigned char   digest[PS_SHA256_SIZE], *p;

    text = json_dumps(s->json, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL) {
        ps_schema_err(s, "cannot serialize the schema");
        return -1;
    }

    ps_buf_adds(&s->canonical, text);
    free(text);

    ps_sha256_init(&sha);
    ps_sha256_update(&sha, s->canonical.data, s->canonical.len);
    ps_sha256_final(&sha, digest);
    ps_sha256_text(digest, s->digest);

    ps_buf_addc(&s->classes_bin, (int) s->nclasses);

    for (i = 0; i < s->nclasses; i++) {
        ps_buf_addc(&s->classes_bin, (int) strlen(s->classes[i]));
        ps_buf_adds(&s->classes_bin, s->classes[i]);
    }

    ps_buf_reserve(&s->fields_bin, 2);
    p = ngx_http_profile_put16(s->fields_bin.data, (uint16_t) s->nfields);
    s->fields_bin.len = p - s->fields_bin.data;

    for (i = 0; i < s->nfields; i++) {
        f = &s->fields[i];

        ps_buf_reserve(&s->fields_bin, 4);
        p = s->fields_bin.data + s->fields_bin.len;
        p[0] = (unsigned char) f->type;
        p[1] = (unsigned char) f->cls;
        ngx_http_profile_put16(p + 2, (uint16_t) f->name_len);
        s->fields_bin.len += 4;

        ps_buf_add(&s->fields_bin, f->name, f->name_len);
    }

    return 0;
}


static void
ps_schema_err(ps_schema_t *s, const char *fmt, ...)
{
    va_list  ap;

    fprintf(stderr, PS_NAME ": %s: ", s->path);

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);

    fputc('\n', stderr);
}


static uint64_t
ps_name_hash(const char *name, size_t len)
{
    return ngx_http_profile_fnv1a64(NGX_HTTP_PROFILE_FNV_OFFSET,
                                    (const unsigned char *) name, len);
}
