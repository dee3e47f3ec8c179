
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Encoding one record in the format of docs/snapshot-format.md: entries
 * in ascending field id, "name":value fragments joined by ",", the
 * XXH64 hash at offset 8.
 */


#ifndef _PS_ENCODE_H_INCLUDED_
#define _PS_ENCODE_H_INCLUDED_


#include <jansson.h>

#include "ps_buf.h"
#include "ps_parse.h"
#include "ps_schema.h"


typedef struct {
    ps_buf_t        entries;
    ps_buf_t        body;
    ps_buf_t        tmembers;   /* trailer: ngx_http_profile_tentry_t */
    ps_buf_t        talts;      /* trailer: ngx_http_profile_tentry_t */
    ps_buf_t        tdata;      /* trailer: the alt values */
    unsigned        nmembers;
    unsigned        nalts;
    unsigned        n;
    int             last_field; /* -1, or the field id added last */
    unsigned        state;      /* NGX_HTTP_PROFILE_STATE_*, in its flags */
} ps_record_t;


/* start a new record, active (buffers are kept for reuse) */
void ps_record_reset(ps_record_t *r);

/*
 * Add field f of class cls (the field's audience in this record) with
 * value v (json null gives a null entry).  Fields must come in
 * ascending id.  What the trailer holds for it is added too: the value
 * spans of a non-null object's declared members (member ids from
 * f->member_base), the epoch alt of a non-null timestamp and of its
 * object's non-null timestamp members.  raw (may be NULL or empty) is
 * v's encoding when the caller has it already (ps_raw_t): it is copied
 * instead.  Returns
 * 0, or -1 if the value cannot be encoded or the record would exceed
 * 4 GB.
 */
int ps_record_add(ps_record_t *r, const ps_field_t *f, unsigned cls,
    json_t *v, const ps_raw_t *raw);

/*
 * The size of the finished record with an id of id_len bytes, its
 * trailer included (a record with neither member values nor alts has
 * none)
 */
size_t ps_record_size(const ps_record_t *r, size_t id_len);

/*
 * Write the finished record to out, ps_record_size() bytes: with a
 * trailer, flag NGX_HTTP_PROFILE_REC_TRAILER and the trailer after the
 * body
 */
void ps_record_write(const ps_record_t *r, const char *id, size_t id_len,
    unsigned char *out);

void ps_record_free(ps_record_t *r);

/*
 * Append v as compact JSON: UTF-8, "/" not escaped, integers with every
 * digit, reals with the fewest digits that read back to the same double.
 */
int ps_encode_json(ps_buf_t *b, json_t *v);

/* the JSON type of v as a name: "string", "integer", "real", ... */
const char *ps_json_type_name(json_t *v);


#endif /* _PS_ENCODE_H_INCLUDED_ */
