
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The nginx shim's functions (shim/ngx_core.h), the invariant failure,
 * and the checks on decoded records shared by the targets.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_json.h"
#include "ngx_http_profile_render.h"
#include "fz.h"


static void fz_trailer_walk(const ngx_http_profile_record_t *rec);


unsigned long  fz_ngx_alerts;


ngx_buf_t *
ngx_create_temp_buf(ngx_pool_t *pool, size_t size)
{
    ngx_buf_t  *b;

    fz_assert(pool->buf == NULL, "the renderer's caller allocates once");

    b = malloc(sizeof(ngx_buf_t));
    if (b == NULL) {
        return NULL;
    }

    b->start = malloc(size ? size : 1);
    if (b->start == NULL) {
        free(b);
        return NULL;
    }

    b->pos = b->start;
    b->last = b->start;
    b->end = b->start + size;

    pool->buf = b;

    return b;
}


void
fz_ngx_buf_free(ngx_buf_t *b)
{
    if (b != NULL) {
        free(b->start);
        free(b);
    }
}


void
fz_fail(const char *file, int line, const char *cond, const char *what)
{
    fprintf(stderr, "fuzz invariant failed at %s:%d: %s (%s)\n", file, line,
            what, cond);
    fflush(stderr);
    abort();
}


unsigned char *
fz_dup(const unsigned char *p, size_t n)
{
    unsigned char  *d;

    d = malloc(n ? n : 1);
    fz_assert(d != NULL, "out of memory");

    if (n) {
        memcpy(d, p, n);
    }

    return d;
}


unsigned char *
fz_render(const ngx_http_profile_record_t *rec, uint64_t mask, size_t *len)
{
    int                        rc;
    size_t                     size, n;
    unsigned                   i, first;
    ngx_log_t                  log;
    ngx_buf_t                 *b;
    ngx_pool_t                 pool;
    size_t                     dlen;
    unsigned char             *out, *model, *direct;
    ngx_http_profile_filter_t  filter;
    ngx_http_profile_entry_t   e;

    pool.log = &log;
    pool.buf = NULL;
    fz_ngx_alerts = 0;

    /* the model: selected non-empty fragments, one "," between them */

    size = 2;
    first = 1;

    for (i = 0; i < rec->nentries; i++) {
        ngx_http_profile_record_entry(rec, i, &e);

        if (e.len == 0 || e.cls >= 64 || !(mask & ((uint64_t) 1 << e.cls))) {
            continue;
        }

        size += (first ? 0 : 1) + e.len;
        first = 0;
    }

    model = malloc(size);
    fz_assert(model != NULL, "out of memory");

    n = 0;
    model[n++] = '{';
    first = 1;

    for (i = 0; i < rec->nentries; i++) {
        ngx_http_profile_record_entry(rec, i, &e);

        if (e.len == 0 || e.cls >= 64 || !(mask & ((uint64_t) 1 << e.cls))) {
            continue;
        }

        if (!first) {
            model[n++] = ',';
        }

        memcpy(model + n, rec->body + e.off, e.len);
        n += e.len;
        first = 0;
    }

    model[n++] = '}';
    fz_assert(n == size, "model length");

    /*
     * The record passed ngx_http_profile_record_parse(), so every entry
     * is within the real table sizes, which are at most these maxima.
     */

    b = ngx_create_temp_buf(&pool, ngx_http_profile_json_size(rec));
    fz_assert(b != NULL, "out of memory");

    memset(&filter, 0, sizeof(ngx_http_profile_filter_t));
    filter.mask = mask;
    filter.never_cls = -1;

    rc = ngx_http_profile_json_write(b, rec, NGX_HTTP_PROFILE_MAX_FIELDS,
                                     NGX_HTTP_PROFILE_MAX_CLASSES, &filter);

    if (rc == NGX_HTTP_PROFILE_FMT_OVERLAP) {
        /* refused only when overlapping fragments exceed its one buffer */
        fz_assert(b->last == b->pos, "json_write refused but wrote");
        fz_assert(size > (size_t) rec->body_len + rec->nentries + 2,
                  "json_write refused a record whose output fits");

        fz_ngx_buf_free(b);

        *len = size;
        return model;
    }

    fz_assert(rc == NGX_HTTP_PROFILE_FMT_OK, "json_write failed");
    fz_assert(fz_ngx_alerts == 0, "json_write logged an alert");
    fz_assert(b->last <= b->end, "json_write wrote past its buffer");
    fz_assert((size_t) (b->last - b->pos) == size,
              "renderer length differs from the model");

    out = fz_dup(b->pos, size);
    fz_ngx_buf_free(b);

    fz_assert(memcmp(model, out, size) == 0,
              "renderer bytes differ from the model");

    /*
     * The format library's renderer itself, as profile-snapshot inspect
     * calls it, into a buffer of exactly render_size() bytes (ASan sees
     * a write past it): the same bytes as the module's wrapper.
     */

    direct = malloc(ngx_http_profile_render_size(rec));
    fz_assert(direct != NULL, "out of memory");

    dlen = 0;
    rc = ngx_http_profile_render(direct, ngx_http_profile_render_size(rec),
                                 rec, NGX_HTTP_PROFILE_MAX_FIELDS,
                                 NGX_HTTP_PROFILE_MAX_CLASSES, mask, &dlen);

    fz_assert(rc == NGX_HTTP_PROFILE_FMT_OK && dlen == size
              && memcmp(direct, out, size) == 0,
              "render() and json_write() differ");

    free(direct);

    free(model);

    *len = size;

    return out;
}


void
fz_record_walk(const ngx_http_profile_record_t *rec,
    const unsigned char *data, size_t size, unsigned nfields,
    unsigned nclasses, const ngx_http_profile_field_t *fields)
{
    size_t                     span;
    unsigned                   i, sum;
    uint32_t                   j;
    const unsigned char       *frag;
    ngx_http_profile_entry_t   e;

    /* format 2: header, id length byte, id, entries, body */

    fz_assert(size >= NGX_HTTP_PROFILE_RECORD_MIN_SIZE, "record size");
    fz_assert(rec->id == data + NGX_HTTP_PROFILE_RECORD_HEADER_SIZE + 1,
              "id pointer");
    fz_assert(rec->id_len == data[NGX_HTTP_PROFILE_RECORD_HEADER_SIZE]
              && rec->id_len >= 1 && rec->id_len <= NGX_HTTP_PROFILE_ID_MAX,
              "id length");
    fz_assert(rec->entries == rec->id + rec->id_len, "entries pointer");
    fz_assert(rec->body == rec->entries
                           + (size_t) rec->nentries
                             * NGX_HTTP_PROFILE_ENTRY_SIZE,
              "body pointer");
    fz_assert(rec->body + rec->body_len + rec->trailer_len == data + size,
              "body and trailer end");
    fz_assert(size == (size_t) NGX_HTTP_PROFILE_RECORD_HEADER_SIZE + 1
                      + rec->id_len
                      + (size_t) rec->nentries * NGX_HTTP_PROFILE_ENTRY_SIZE
                      + rec->body_len + rec->trailer_len,
              "size equation");
    fz_assert((rec->trailer_len != 0) == ((data[1] & 0x04) != 0)
              && (rec->trailer_len == 0 ? rec->trailer == NULL
                  : rec->trailer == rec->body + rec->body_len),
              "a trailer exactly with flag bit 2");
    fz_assert(rec->flags == data[1] && (data[1] & ~0x07) == 0
              && rec->state == (data[1] & 0x03)
              && rec->nentries == ngx_http_profile_get16(data + 2)
              && rec->body_len == ngx_http_profile_get32(data + 4),
              "header fields");
    fz_assert(rec->hash == ngx_http_profile_get64(data + 8), "hash field");
    fz_assert(ngx_http_profile_record_hash(data, size)
              == ngx_http_profile_hash64(data + 16, size - 16, data[1]),
              "record_hash is XXH64 of bytes 16 .. end, seeded by flags");
    fz_assert(ngx_http_profile_record_span(data, size, &span)
              == NGX_HTTP_PROFILE_FMT_OK && span == size,
              "record_span gives the record's size");

    sum = 0;

    for (i = 0; i < rec->nentries; i++) {
        ngx_http_profile_record_entry(rec, i, &e);

        fz_assert(e.off <= rec->body_len
                  && e.len <= rec->body_len - e.off, "entry bounds");
        fz_assert(e.field_id < nfields, "entry field id");
        fz_assert(e.cls < nclasses, "entry class");
        fz_assert(e.type <= NGX_HTTP_PROFILE_TYPE_MAX, "entry type");

        /* touch every byte of the fragment */
        frag = rec->body + e.off;

        for (j = 0; j < e.len; j++) {
            sum += frag[j];
        }

        if (fields == NULL) {
            continue;
        }

        if (i > 0) {
            fz_assert(e.field_id
                      > ngx_http_profile_get16(rec->entries
                                         + (size_t) (i - 1)
                                           * NGX_HTTP_PROFILE_ENTRY_SIZE),
                      "deep: field ids ascend");
        }

        fz_assert(e.type == NGX_HTTP_PROFILE_TYPE_NULL
                  || e.type == fields[e.field_id].type, "deep: type");
        fz_assert(e.len >= (uint32_t) fields[e.field_id].name_len + 4
                  && frag[0] == '"'
                  && memcmp(frag + 1, fields[e.field_id].name,
                            fields[e.field_id].name_len) == 0
                  && frag[fields[e.field_id].name_len + 1] == '"'
                  && frag[fields[e.field_id].name_len + 2] == ':',
                  "deep: fragment starts with \"name\":");
    }

    if (rec->trailer != NULL) {
        fz_trailer_walk(rec);
    }

    /* keep the reads */
    __asm__ volatile ("" : : "r" (sum));
}


/*
 * A trailer of a record that record_parse() accepted, against a reading
 * of docs/snapshot-format.md "Record trailer": u16 nmembers, 10-byte
 * member entries, u16 nalts, 12-byte alt entries, u32 data_len, data;
 * every entry inside what it points into, in order; each one found by
 * the lookups, and ids between them not.
 */

static void
fz_trailer_walk(const ngx_http_profile_record_t *rec)
{
    size_t                       nm, na, dl, i;
    uint32_t                     len, off, key, prev;
    const unsigned char         *p, *m, *a, *d, *value;
    ngx_http_profile_trailer_t   t;

    p = rec->trailer;

    fz_assert(rec->trailer_len >= 8, "trailer: its fixed bytes");
    nm = ngx_http_profile_get16(p);
    m = p + 2;
    fz_assert(rec->trailer_len >= 8 + 10 * nm, "trailer: members fit");
    na = ngx_http_profile_get16(m + 10 * nm);
    a = m + 10 * nm + 2;
    fz_assert(rec->trailer_len >= 8 + 10 * nm + 12 * na, "trailer: alts fit");
    dl = ngx_http_profile_get32(a + 12 * na);
    d = a + 12 * na + 4;
    fz_assert(rec->trailer_len == 8 + 10 * nm + 12 * na + dl,
              "trailer: its size equation");

    fz_assert(ngx_http_profile_record_trailer(rec, &t)
              == NGX_HTTP_PROFILE_FMT_OK
              && t.nmembers == nm && t.nalts == na && t.data_len == dl
              && t.members == m && t.alts == a && t.data == d,
              "trailer: decoded as read");

    prev = 0;

    for (i = 0; i < nm; i++) {
        key = ngx_http_profile_get16(m + 10 * i);
        off = ngx_http_profile_get32(m + 10 * i + 2);
        len = ngx_http_profile_get32(m + 10 * i + 6);

        fz_assert(len > 0 && off <= rec->body_len
                  && len <= rec->body_len - off, "trailer: member bounds");
        fz_assert(i == 0 || key > prev, "trailer: member ids ascend");
        prev = key;

        fz_assert(ngx_http_profile_trailer_member(&t, key, &value, &len)
                  == NGX_HTTP_PROFILE_FMT_OK
                  && value == rec->body + off
                  && len == ngx_http_profile_get32(m + 10 * i + 6),
                  "trailer: a member is found");

        if (key > 0 && (i == 0 || ngx_http_profile_get16(m + 10 * (i - 1))
                                  < key - 1))
        {
            fz_assert(ngx_http_profile_trailer_member(&t, key - 1, &value,
                                                      &len)
                      == NGX_HTTP_PROFILE_FMT_MISSING,
                      "trailer: an absent member is missing");
        }
    }

    prev = 0;

    for (i = 0; i < na; i++) {
        key = ((uint32_t) a[12 * i + 1] << 24)
              | ((uint32_t) ngx_http_profile_get16(a + 12 * i + 2) << 8)
              | a[12 * i];
        off = ngx_http_profile_get32(a + 12 * i + 4);
        len = ngx_http_profile_get32(a + 12 * i + 8);

        fz_assert(len > 0 && off <= dl && len <= dl - off,
                  "trailer: alt bounds");
        fz_assert(a[12 * i] == 1 && a[12 * i + 1] <= 1,
                  "trailer: alt kind and of");
        fz_assert(i == 0 || key > prev, "trailer: alts ascend");
        prev = key;

        fz_assert(ngx_http_profile_trailer_alt(&t, a[12 * i], a[12 * i + 1],
                                               ngx_http_profile_get16(
                                                   a + 12 * i + 2),
                                               &value, &len)
                  == NGX_HTTP_PROFILE_FMT_OK && value == d + off,
                  "trailer: an alt is found");
    }

    fz_assert(ngx_http_profile_trailer_alt(&t, 2, 0, 0, &value, &len)
              == NGX_HTTP_PROFILE_FMT_MISSING,
              "trailer: an unknown kind is missing");
}
