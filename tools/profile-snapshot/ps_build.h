
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The "build" command's state, shared by its files: ps_build.c (options,
 * sources, finishing), ps_process.c (one record), ps_join.c (joined
 * sources), ps_progress.c (the progress line).
 */


#ifndef _PS_BUILD_H_INCLUDED_
#define _PS_BUILD_H_INCLUDED_


#include <stdint.h>
#include <time.h>
#include <jansson.h>
#include <lmdb.h>

#include "ps_buf.h"
#include "ps_encode.h"
#include "ps_input.h"
#include "ps_parse.h"
#include "ps_report.h"
#include "ps_schema.h"
#include "ps_writer.h"


#define PS_MAX_SOURCES  16


typedef struct {
    const char     *name;
    const char     *path;
    const char     *display;    /* path for messages */
    const char     *key;        /* id member of its rows */
    size_t          key_len;
    MDB_dbi         rows;       /* joined sources: id -> line + row */
    int             embed;      /* an embeddable source's index, or -1 */
} ps_source_t;


/* what one record holds for one of the schema's top-level fields */
typedef struct {
    json_t         *value;      /* the checked value, owned, or NULL */
    json_t         *in_value;   /* the input value, borrowed, or NULL */
    json_t         *alias_value; /* the value under an alias, borrowed */
    unsigned        alias_used; /* which alias (ps_schema_lookup()) */
    ps_raw_t        in_raw;     /* in_value's text */
    ps_raw_t        raw;        /* value's text, if kept instead */
} ps_build_field_t;


/*
 * What a record's processing takes from its schema, for an embeddable
 * source (its own schema): swapped into the build while the source is
 * read (ps_build.c)
 */
typedef struct {
    ps_schema_t        schema;
    ps_build_field_t  *fields;
    unsigned char     *cls;
    int               *field_source;
    unsigned           flat;
} ps_build_ctx_t;


typedef struct {
    int             enabled;
    double          start;
    double          last;
    uint64_t        total;      /* bytes of all sources, 0 if unknown */
    uint64_t        done;       /* bytes of finished sources */
    uint64_t        records;
} ps_progress_t;


typedef struct {
    ps_schema_t     schema;
    ps_writer_t     writer;
    ps_report_t     report;
    ps_record_t     record;
    ps_progress_t   progress;

    ps_source_t     sources[PS_MAX_SOURCES];
    unsigned        nsources;

    const char     *schema_path;
    const char     *out;
    const char     *report_path;
    const char     *snapshot_id;
    time_t          created;
    double          max_reject_ratio;
    double          max_shrink;     /* -1: off */
    uint64_t        min_records;    /* 0: off */
    uint64_t        max_messages;
    size_t          map_size;
    size_t          max_line;
    int             quiet;
    int             progress_opt;   /* -1 auto, 0 never, 1 always */
    int             allow_empty;

    /*
     * by top-level field id: the index in sources[] of the source its
     * "source" names, or -1 (no "source", or that source not given):
     * while joining, only that source provides the field
     */
    int            *field_source;

    /* per record: by top-level field id */
    const char        *relations_path;  /* --source relations=, or NULL */
    ps_relstore_t      relations;
    ps_build_field_t  *fields;
    unsigned char     *cls;     /* each field's class in this record */
    json_t            *privacy_map;     /* the record's settings, */
    json_t            *privacy_list;    /* borrowed, or NULL */
    unsigned           state_dropped;   /* PS_STATE_*: the state field */
    char            id[NGX_HTTP_PROFILE_ID_MAX + 1];
    size_t          id_len;
    ps_buf_t        utf8;       /* repaired line */
    ps_buf_t        row;        /* joined rows: encoded value */
    ps_buf_t        scratch;    /* the parser's unescaped strings */
    ps_buf_t        members;    /* ps_parse_members() */
    ps_buf_t        bignum;     /* the line, numbers out of range masked */

    /*
     * while an embeddable source is read: the scratch key of a record is
     * key_prefix (PS_EMBED_KEY_BYTE, the source's index) and the id, so
     * that its ids are apart from the profiles' and sort before them
     * (ps_copy.c); key_prefix_len is 0 otherwise
     */
    unsigned char   key_prefix[2];
    size_t          key_prefix_len;
    unsigned char   key[2 + NGX_HTTP_PROFILE_ID_MAX];
    ps_build_ctx_t  embeds[NGX_HTTP_PROFILE_MAX_SOURCES];
    uint64_t        live_profiles;  /* records winning their id, profiles */
    unsigned        embedding:1;    /* an embeddable source is being read */

    /* by member position: the name slot found last (lookup hints) */
    const ps_name_slot_t  *hints[PS_PARSE_MAX_MEMBERS];

    /*
     * a record never needs to be a jansson object: one source, no
     * version field, no detection rule, nothing to migrate
     */
    unsigned        flat:1;
} ps_build_t;


/*
 * One line of source si: a primary record is checked, repaired and
 * written; a row of a joined source is stored for the join.  Returns -1
 * only on a fatal (I/O, LMDB) error.  (ps_process.c)
 */
int ps_process_line(ps_build_t *b, unsigned si, ps_input_t *in,
    unsigned char *line, size_t len);

/*
 * The per-record arrays of b for its schema (b->schema loaded), empty,
 * and the lookup hints forgotten; free them.  (ps_process.c)
 */
void ps_process_alloc(ps_build_t *b);
void ps_process_free(ps_build_t *b);

/*
 * Whether the build's records may skip the jansson object (b->flat):
 * b->nsources and b->schema must be set.  (ps_process.c)
 */
unsigned ps_process_flat_ok(const ps_build_t *b);

/*
 * Parse a line of source si under the UTF-8 policy and the limits;
 * returns the object, or NULL (reported).  (ps_process.c)
 */
json_t *ps_process_parse(ps_build_t *b, unsigned si, unsigned char *line,
    size_t len);

/* joined sources (ps_join.c) */
int ps_join_store(ps_build_t *b, unsigned si, uint64_t line, json_t *obj);
int ps_join_merge(ps_build_t *b, json_t *obj);
int ps_join_orphans(ps_build_t *b);

/* the progress line on a terminal (ps_progress.c) */
void ps_progress_init(ps_progress_t *p, int enabled, uint64_t total);
void ps_progress_update(ps_progress_t *p, uint64_t bytes);
void ps_progress_done(ps_progress_t *p);


#endif /* _PS_BUILD_H_INCLUDED_ */
