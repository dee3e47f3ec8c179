
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


typedef enum {
    NGX_HTTP_PROFILE_OP_VALUE = 0,   /* "key":value */
    NGX_HTTP_PROFILE_OP_OPEN,        /* "key":{ (written when needed) */
    NGX_HTTP_PROFILE_OP_CLOSE        /* } */
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
    uint16_t                   member;    /* a member of field_id, or none */
    uint16_t                   top;       /* top-level key, for fields= */
} ngx_http_profile_plan_op_t;


/* a top-level name of the view, sorted by name for the lookup */
typedef struct {
    const unsigned char       *name;
    uint16_t                   len;
    uint16_t                   top;
} ngx_http_profile_plan_key_t;


typedef struct {
    const ngx_http_profile_plan_op_t  *ops;
    unsigned                   nops;

    const ngx_http_profile_plan_key_t *keys;
    unsigned                   nkeys;

    /* around the object: "" and "" bare, or the envelope */
    const unsigned char       *head;
    size_t                     head_len;
    const unsigned char       *tail;
    size_t                     tail_len;

    /* the bytes every step can add besides values, whatever is shown */
    size_t                     fixed;

    /* the most steps that read the same field (a field, its members) */
    unsigned                   reads;

    unsigned                   omit_empty:1;

    /* a step reads the record's trailer (members, epoch seconds) */
    unsigned                   trailer:1;
} ngx_http_profile_plan_t;


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
 * steps of its top-level keys.  Entries are checked as they are found
 * (ngx_http_profile_entry_check()).  Returns NGX_HTTP_PROFILE_FMT_OK
 * with the length in *len, or the problem of a corrupt record.
 * Allocates nothing.
 */
int ngx_http_profile_plan_render(unsigned char *out, size_t room,
    const ngx_http_profile_plan_t *plan,
    const ngx_http_profile_record_t *rec, unsigned nfields,
    unsigned nclasses, const ngx_http_profile_filter_t *filter,
    const ngx_http_profile_select_t *sel, size_t *len);


#endif /* _NGX_HTTP_PROFILE_PLAN_H_INCLUDED_ */
