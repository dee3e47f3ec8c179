
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The schema: what docs/schema.md describes, loaded from JSON, checked,
 * and compiled into the tables the writer and the record builder use.
 * Loading is ps_schema.c (with ps_schema_field.c and
 * ps_schema_migrations.c below it), what those readers share is
 * ps_schema_read.c, and the loaded schema's lookups ps_schema_lookup.c.
 */


#ifndef _PS_SCHEMA_H_INCLUDED_
#define _PS_SCHEMA_H_INCLUDED_


#include <stddef.h>
#include <regex.h>
#include <jansson.h>

#include "ngx_http_profile_format.h"
#include "ps_buf.h"
#include "ps_sha256.h"
#include "ps_type.h"


typedef struct ps_field_s  ps_field_t;

/* what to do with a value that cannot be made valid */
#define PS_ON_DROP        0
#define PS_ON_QUARANTINE  1
#define PS_ON_DEFAULT     2
#define PS_ON_TRUNCATE    3

struct ps_field_s {
    const char     *name;       /* points into the schema JSON */
    size_t          name_len;
    const char     *path;       /* for messages: "location.city" */
    unsigned        id;         /* field id (top level) or member index */
    unsigned        type;       /* NGX_HTTP_PROFILE_TYPE_* */
    unsigned        cls;        /* class id */

    unsigned        required:1;
    unsigned        coerce:1;
    unsigned        trim:1;
    unsigned        nullable:1;
    unsigned        has_max:1;
    unsigned        keep_unknown:1;
    unsigned        never:1;    /* audience "never": not stored */
    unsigned        ranged:1;   /* has an "audience_range" */
    unsigned        range_lo:3; /* its widest audience, a rank */
    unsigned        range_hi:3; /* its narrowest */

    uint64_t        roles;      /* role classes that also see it */

    int             on_invalid; /* PS_ON_DROP / QUARANTINE / DEFAULT */
    int             on_too_long;/* PS_ON_TRUNCATE / DROP / QUARANTINE */
    size_t          max_length; /* code points, or array items */

    json_t         *dflt;       /* default value, or NULL */
    json_t         *enums;      /* array of allowed values, or NULL */
    json_t         *map;        /* object: input string -> value */
    const char     *split;      /* array from a string: separator */
    json_t         *formats;    /* timestamp: strptime formats */
    json_t         *minimum;    /* integer, number: bounds, or NULL */
    json_t         *maximum;
    regex_t        *pattern;    /* string: compiled once, or NULL */
    const char     *pattern_text;

    const char    **aliases;
    unsigned        naliases;

    ps_field_t     *items;      /* array: element spec, or NULL */
    ps_field_t     *members;    /* object: member specs, or NULL */
    unsigned        nmembers;
    unsigned        member_base;/* top-level object: its first member id */

    unsigned        source;     /* index into sources (0: primary) */
};


/* migration steps (docs/schema.md "Migrations") */
typedef enum {
    PS_STEP_MOVE = 0,           /* also "rename" */
    PS_STEP_COPY,
    PS_STEP_DELETE,
    PS_STEP_SET,
    PS_STEP_MAP,
    PS_STEP_SPLIT,
    PS_STEP_MERGE
} ps_step_op_e;


typedef struct {
    ps_step_op_e    op;
    const char     *from;       /* dotted path */
    const char     *to;         /* dotted path */
    json_t         *list;       /* split: "to" paths; merge: "from" */
    json_t         *value;      /* set: value; map: values object */
    const char     *separator;  /* split, merge */
} ps_step_t;


typedef struct {
    long long       from;
    long long       to;
    ps_step_t      *steps;
    unsigned        nsteps;
} ps_migration_t;


typedef struct {
    long long       version;
    const char     *has;        /* a member that marks this version */
} ps_detect_t;


/* a source declared by the schema (or the default "profiles") */
typedef struct {
    const char     *name;
    const char     *key;        /* id member of this source's rows */
    size_t          key_len;
} ps_schema_source_t;


/*
 * An embeddable source ("embed": true, docs/schema.md "Embeddable
 * sources"): its rows are records of their own, checked by the schema
 * doc, which is made of the source's fields and the schema's classes,
 * roles, policies and limits; the compiled fields and members tables of
 * it, for the snapshot's "fields.NAME" and "members.NAME".
 */
typedef struct {
    const char     *name;       /* points into the schema JSON */
    json_t         *doc;        /* the source's own schema, owned */
    ps_buf_t        fields_bin;
    ps_buf_t        members_bin;    /* empty: no declared members */
} ps_schema_embed_t;


#define PS_DUP_LAST       0
#define PS_DUP_FIRST      1
#define PS_DUP_NEWEST     2
#define PS_DUP_REJECT     3

#define PS_UTF8_QUARANTINE  0
#define PS_UTF8_REPLACE     1

/*
 * The deepest nesting a record may have: jansson's JSON_PARSER_MAX_DEPTH
 * (not in its public header), beyond which it refuses the line.
 */
#define PS_MAX_DEPTH        2048

#define PS_NUL_QUARANTINE   0
#define PS_NUL_STRIP        1
#define PS_NUL_REPLACE      2


/* one_of_required: a record needs at least one of these fields */
typedef struct {
    unsigned       *fields;     /* top-level field ids */
    unsigned        nfields;
    const char     *names;      /* "\"email\", \"phone\"", for messages */
} ps_one_of_t;


/* name -> field id, including aliases; open addressing */
typedef struct {
    const char     *name;
    size_t          len;
    unsigned        field;
    unsigned        alias;      /* 0: the name, n: aliases[n - 1] */
} ps_name_slot_t;


typedef struct {
    json_t         *json;       /* the schema document, owned */
    const char     *path;       /* for messages */

    long long       version;
    const char     *key;        /* id member of the primary source */
    size_t          key_len;

    const char     *classes[NGX_HTTP_PROFILE_MAX_CLASSES];
    unsigned        nclasses;
    int             audiences;  /* classes are audiences and roles */

    /* per-profile privacy settings (docs/schema.md "Privacy settings") */
    int             privacy;
    const char     *privacy_map;    /* member: {field: setting}, or NULL */
    size_t          privacy_map_len;
    const char     *privacy_list;   /* member: [field, ...], or NULL */
    size_t          privacy_list_len;
    json_t         *privacy_values; /* setting -> class id (integer) */
    unsigned       *ranged;         /* ids of fields with a range */
    unsigned        nranged;

    /* profile states (docs/schema.md "Profile states") */
    int             states;         /* the schema has "states" */
    unsigned        state_field;    /* the state field's id */
    unsigned        state_default;  /* NGX_HTTP_PROFILE_STATE_* */
    json_t         *state_values;   /* input string -> state (integer) */
    uint64_t        state_roles[NGX_HTTP_PROFILE_STATES]; /* by state */
    uint16_t       *stub;           /* stub field ids, ascending */
    unsigned        nstub;

    ps_field_t     *fields;
    unsigned        nfields;

    ps_name_slot_t *names;
    size_t          names_mask;

    /* versions and migrations */
    const char     *version_field;
    ps_detect_t    *detect;
    unsigned        ndetect;
    long long       default_version;
    ps_migration_t *migrations;
    unsigned        nmigrations;

    /* defaults for every field */
    int             coerce_default;
    int             trim_default;

    /* sources, policies, limits */
    ps_schema_source_t  sources[16];
    unsigned        nsources;
    ps_schema_embed_t   embeds[NGX_HTTP_PROFILE_MAX_SOURCES];
    unsigned        nembeds;
    ps_buf_t        sources_bin;    /* meta "sources"; empty: none */
    int             duplicates;     /* PS_DUP_* */
    const char     *newest_field;
    int             invalid_utf8;   /* PS_UTF8_* */
    int             nul;            /* PS_NUL_*: "\u0000" in strings */
    int             unknown_fields; /* PS_ON_DROP / PS_ON_QUARANTINE */
    size_t          max_record_bytes;
    size_t          max_depth;
    size_t          max_string_bytes;
    size_t          max_array_items;

    ps_buf_t        canonical;  /* compact JSON, keys sorted */
    char            digest[PS_SHA256_TEXT];
    ps_buf_t        classes_bin;
    ps_buf_t        fields_bin;
    ps_buf_t        roles_bin;  /* empty: no roles */
    ps_buf_t        states_bin; /* empty: no "states" */
    ps_buf_t        members_bin;/* empty: no declared object members */

    ps_buf_t        strings;    /* storage for generated paths */
    void          **allocs;     /* everything else allocated */
    size_t          nallocs;
    ps_one_of_t    *one_of;     /* one_of_required */
    unsigned        none_of;
    regex_t       **regexes;    /* the fields' patterns, to regfree() */
    size_t          nregexes;
} ps_schema_t;


/*
 * Load and check the schema file.  On error print messages naming the
 * file and the JSON path of the problem and return -1 (the schema is
 * then freed).  On success the caller frees it with ps_schema_free().
 */
int ps_schema_load(ps_schema_t *s, const char *path);

/* free what ps_schema_load() allocated (ps_schema.c) */
void ps_schema_free(ps_schema_t *s);

/*
 * Load the schema of embeddable source e of schema parent into s (its
 * messages name the parent's file and the source), as ps_schema_load()
 * does.  Returns 0, or -1 with messages printed (s freed then).
 */
int ps_schema_load_embed(ps_schema_t *s, const ps_schema_t *parent,
    const ps_schema_embed_t *e);

/* the index of the embeddable source called name, or -1 */
int ps_schema_embed(ps_schema_t *s, const char *name);

/*
 * The field named name[0 .. len - 1] or one of its aliases, or NULL;
 * *alias is 0 for the name itself, n for aliases[n - 1].
 */
ps_field_t *ps_schema_lookup(ps_schema_t *s, const char *name, size_t len,
    unsigned *alias);

/*
 * ps_schema_lookup() for records whose members tend to come in the same
 * order: *hint is the slot found for the member at the same position
 * last time (NULL at first); a name equal to its name is found without
 * hashing, any other is looked up and its slot kept in *hint.
 */
ps_field_t *ps_schema_lookup_hint(ps_schema_t *s, const char *name,
    size_t len, unsigned *alias, const ps_name_slot_t **hint);

/* the index of the source called name, or -1 */
int ps_schema_source(ps_schema_t *s, const char *name);

/* the hash of a name in the name table (ps_schema_lookup.c) */
uint64_t ps_name_hash(const char *name, size_t len);

/* allocate memory freed with the schema (ps_schema_read.c) */
void *ps_schema_alloc(ps_schema_t *s, size_t size);

/* print "FILE: where: message" for a schema error */
void ps_schema_err(ps_schema_t *s, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/*
 * The string member key of obj (absent: dflt) as the values[] entry of
 * its position in names[] (NULL-terminated).  Anything else prints
 * "where.key: must be one of "a", "b", ..." and returns -1.
 */
int ps_schema_choice(ps_schema_t *s, json_t *obj, const char *where,
    const char *key, const char **names, const int *values, int dflt);

/* 1 if name[0 .. len - 1] is 1..255 bytes of [A-Za-z0-9_] */
int ps_name_valid(const char *name, size_t len);


#endif /* _PS_SCHEMA_H_INCLUDED_ */
