
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * A view's plan (docs/views.md): what a profile_view block becomes once
 * its names are resolved against one snapshot, a list of output steps,
 * and the writer that turns a record into the view's JSON by copying
 * the record's bytes along it.  Plain C with no nginx types, like the
 * renderer it builds on (ngx_http_profile_render.h): the access
 * decision is the same filter, so a view never shows a field the rules
 * hide.
 */


#ifndef _NGX_HTTP_PROFILE_PLAN_H_INCLUDED_
#define _NGX_HTTP_PROFILE_PLAN_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "ngx_http_profile_format.h"
#include "ngx_http_profile_render.h"


/* output nesting: "avatar.url" opens one object */
#define NGX_HTTP_PROFILE_PLAN_DEPTH     8

/* top-level names of a view, the domain of "fields=" */
#define NGX_HTTP_PROFILE_PLAN_KEYS      256


/* embedded objects in one view */
#define NGX_HTTP_PROFILE_PLAN_EMBEDS    8


typedef enum {
    NGX_HTTP_PROFILE_OP_VALUE = 0,   /* "key":value */
    NGX_HTTP_PROFILE_OP_OPEN,        /* "key":{ (written when needed) */
    NGX_HTTP_PROFILE_OP_CLOSE,       /* } */
    NGX_HTTP_PROFILE_OP_EMBED        /* "key":{embedded record} */
} ngx_http_profile_op_e;


/* how a value is taken from the record */
typedef enum {
    NGX_HTTP_PROFILE_VALUE_COPY = 0, /* the value as stored */
    NGX_HTTP_PROFILE_VALUE_QUOTE,    /* an integer, between quotes */
    NGX_HTTP_PROFILE_VALUE_EPOCH     /* a timestamp's epoch seconds alt */
} ngx_http_profile_value_e;


#define NGX_HTTP_PROFILE_NO_MEMBER  0xffff


typedef struct {
    const unsigned char       *key;       /* "\"name\":", key_len bytes */
    uint16_t                   key_len;
    uint8_t                    op;        /* ngx_http_profile_op_e */
    uint8_t                    value;     /* ngx_http_profile_value_e */
    uint16_t                   field_id;  /* whose entry decides access */
    uint16_t                   name_len;  /* its name: the "name": prefix */
    uint16_t                   member;    /* a member of field_id, or none;
                                             OP_EMBED: its embed */
    uint16_t                   top;       /* top-level key, for fields= */
} ngx_http_profile_plan_op_t;


typedef struct ngx_http_profile_plan_s  ngx_http_profile_plan_t;


/*
 * An embedded object of a view: the record of an embeddable source
 * whose key is the value of the step's field, written through the plan
 * of another view (one of that source).
 */
typedef struct {
    const ngx_http_profile_plan_t  *plan;
    const uint8_t             *default_cls;  /* the source's fields' */
    unsigned                   field_id;     /* the key field */
    unsigned                   name_len;     /* its name's length */
    unsigned                   source;       /* in the snapshot's sources */
    unsigned                   nfields;      /* the source's */
    unsigned                   nclasses;     /* the snapshot's */
    unsigned                   missing_null:1;
} ngx_http_profile_plan_embed_t;


/*
 * What a request found for each embed of a plan, before the plan is
 * written (ngx_http_profile_plan_embed_key() gives the key; the caller
 * looks it up): rc NGX_HTTP_PROFILE_FMT_OK with the record, or
 * NGX_HTTP_PROFILE_FMT_MISSING (no record of that key), or -1: nothing
 * to embed (the key field is hidden, absent or null).
 */
typedef struct {
    ngx_http_profile_record_t  rec;
    const unsigned char       *key;      /* rc OK or MISSING: the key */
    size_t                     key_len;
    int                        rc;
} ngx_http_profile_plan_found_t;


/* a top-level name of the view, sorted by name for the lookup */
typedef struct {
    const unsigned char       *name;
    uint16_t                   len;
    uint16_t                   top;
} ngx_http_profile_plan_key_t;


struct ngx_http_profile_plan_s {
    const ngx_http_profile_plan_op_t  *ops;
    unsigned                   nops;

    const ngx_http_profile_plan_embed_t  *embeds;
    unsigned                   nembeds;

    const ngx_http_profile_plan_key_t *keys;
    unsigned                   nkeys;

    /* around the object: "" and "" bare, or the envelope */
    const unsigned char       *head;
    size_t                     head_len;
    const unsigned char       *tail;
    size_t                     tail_len;
    uint64_t                   tail_hash;   /* XXH64 of the tail, seed 0 */

    /* the bytes every step can add besides values, whatever is shown */
    size_t                     fixed;

    /* the most steps that read the same field (a field, its members) */
    unsigned                   reads;

    unsigned                   omit_empty:1;

    /* a step reads the record's trailer (members, epoch seconds) */
    unsigned                   trailer:1;
};


/* a set of top-level keys ("fields="), bit k for key k */
typedef struct {
    uint64_t                   bits[NGX_HTTP_PROFILE_PLAN_KEYS / 64];
} ngx_http_profile_select_t;


#define ngx_http_profile_select_has(s, k)                                     \
    (((s)->bits[(k) >> 6] >> ((k) & 63)) & 1)

#define ngx_http_profile_select_add(s, k)                                     \
    ((s)->bits[(k) >> 6] |= (uint64_t) 1 << ((k) & 63))


/*
 * The room ngx_http_profile_plan_render() needs for rec under plan,
 * whatever the filter and the selection.
 */
size_t ngx_http_profile_plan_size(const ngx_http_profile_plan_t *plan,
    const ngx_http_profile_record_t *rec);

/*
 * The key of embed e of plan in rec, for filter: NGX_HTTP_PROFILE_FMT_OK
 * with *key and *len (the digits of an integer, or the bytes between
 * the quotes of a string: a valid key needs no escaping), or -1 when
 * there is nothing to embed (the key field is hidden from the viewer,
 * absent, null, or of another type), or the problem of a corrupt entry.
 */
int ngx_http_profile_plan_embed_key(const ngx_http_profile_plan_t *plan,
    unsigned e, const ngx_http_profile_record_t *rec, unsigned nfields,
    unsigned nclasses, const ngx_http_profile_filter_t *filter,
    const unsigned char **key, size_t *len);

/* what ngx_http_profile_plan_select() made of a field list */
typedef enum {
    NGX_HTTP_PROFILE_SELECT_ALL = 0,   /* "*", or no name: every key */
    NGX_HTTP_PROFILE_SELECT_SET,       /* the names in *sel */
    NGX_HTTP_PROFILE_SELECT_BAD,       /* a name outside the grammar */
    NGX_HTTP_PROFILE_SELECT_UNKNOWN,   /* a name the plan lacks: *name */
    NGX_HTTP_PROFILE_SELECT_TOO_MANY   /* more distinct names than max */
} ngx_http_profile_select_e;


/*
 * Read a field list (text, len bytes, already percent-decoded: names
 * joined by ",", empty ones skipped) against plan's top-level keys
 * into *sel (zeroed first).  A name is 1 to 64 bytes of
 * [A-Za-z0-9_-]; "*" anywhere means every key; at most max distinct
 * names.  With SELECT_UNKNOWN, *name and *name_len are the name (inside
 * text).  Reads nothing outside text, allocates nothing.
 */
ngx_http_profile_select_e ngx_http_profile_plan_select(
    const ngx_http_profile_plan_t *plan, const unsigned char *text,
    size_t len, unsigned max, ngx_http_profile_select_t *sel,
    const unsigned char **name, size_t *name_len);

/*
 * The top-level key of plan named by name (len bytes), or -1.
 */
int ngx_http_profile_plan_key(const ngx_http_profile_plan_t *plan,
    const unsigned char *name, size_t len);

/*
 * Write rec as plan's view for a viewer given filter (the same filter
 * as ngx_http_profile_render_filter(): a step is written only if its
 * field is shown; a hidden one is left out, or written as null with
 * filter->nulls) at out, which has room bytes, at least
 * ngx_http_profile_plan_size().  sel, when not NULL, keeps only the
 * steps of its top-level keys.  found holds plan->nembeds results of
 * the embeds' lookups (NULL when there are none); the room needed grows
 * by ngx_http_profile_plan_size() of each embed's plan and record found.
 * *partial is set to 1 when an embed's record is missing.  Entries are
 * checked as they are found (ngx_http_profile_entry_check()).  Returns
 * NGX_HTTP_PROFILE_FMT_OK with the length in *len, or the problem of a
 * corrupt record.  Allocates nothing.
 */
int ngx_http_profile_plan_render(unsigned char *out, size_t room,
    const ngx_http_profile_plan_t *plan,
    const ngx_http_profile_record_t *rec, unsigned nfields,
    unsigned nclasses, const ngx_http_profile_filter_t *filter,
    const ngx_http_profile_select_t *sel,
    const ngx_http_profile_plan_found_t *found, unsigned *partial,
    size_t *len);


#endif /* _NGX_HTTP_PROFILE_PLAN_H_INCLUDED_ */
