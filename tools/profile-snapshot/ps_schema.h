
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The schema: what docs/schema.md describes, loaded from JSON, checked,
 * and compiled into the tables the writer and the record builder use.
 */


#ifndef _PS_SCHEMA_H_INCLUDED_
#define _PS_SCHEMA_H_INCLUDED_


#include <stddef.h>
#include <jansson.h>

#include "ngx_http_profile_format.h"
#include "ps_buf.h"
#include "ps_sha256.h"


typedef struct ps_field_s  ps_field_t;

struct ps_field_s {
    const char     *name;       /* points into the schema JSON */
    size_t          name_len;
    unsigned        id;         /* index: field id (top level) */
    unsigned        type;       /* NGX_HTTP_PROFILE_TYPE_* */
    unsigned        cls;        /* class id */
};


/* name -> field id, including aliases; open addressing */
typedef struct {
    const char     *name;
    size_t          len;
    unsigned        field;
} ps_name_slot_t;


typedef struct {
    json_t         *json;       /* the schema document, owned */
    const char     *path;       /* for messages */

    long long       version;
    const char     *key;        /* id field of the primary source */
    size_t          key_len;

    const char     *classes[NGX_HTTP_PROFILE_MAX_CLASSES];
    unsigned        nclasses;

    ps_field_t     *fields;
    unsigned        nfields;

    ps_name_slot_t *names;
    size_t          names_mask;

    ps_buf_t        canonical;  /* compact JSON, keys sorted */
    char            digest[PS_SHA256_TEXT];
    ps_buf_t        classes_bin;
    ps_buf_t        fields_bin;
} ps_schema_t;


/*
 * Load and check the schema file.  On error print messages naming the
 * file and the JSON path of the problem and return -1 (the schema is
 * then freed).  On success the caller frees it with ps_schema_free().
 */
int ps_schema_load(ps_schema_t *s, const char *path);

void ps_schema_free(ps_schema_t *s);

/* the field named name[0 .. len - 1] (or one of its aliases), or NULL */
ps_field_t *ps_schema_lookup(ps_schema_t *s, const char *name, size_t len);

/* text name of a type code ("string"...), "null" for 0 */
const char *ps_type_name(unsigned type);

/* 1 if name[0 .. len - 1] is 1..255 bytes of [A-Za-z0-9_] */
int ps_name_valid(const char *name, size_t len);


#endif /* _PS_SCHEMA_H_INCLUDED_ */
