
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzz target "record": ngx_http_profile_record_header(),
 * ngx_http_profile_record_span(), ngx_http_profile_record_parse(),
 * shallow and deep (ngx_http_profile_record_trailer() and its lookups
 * through fz_record_walk()), and the module's renderer over every
 * record it accepts.
 *
 * Input:
 *   u8   flags       bit 0: give the deep parse no fields table
 *   u8   nclasses    taken modulo 65 (the module never has more than 64)
 *   u64  mask        visibility classes granted to the render
 *   u16  table_len   bytes of the fields table that follow (clipped)
 *   ...  fields      a "fields" table (docs/snapshot-format.md); if
 *                    ngx_http_profile_fields_parse() refuses it, the
 *                    parses get table_len fields and no table
 *   ...  record      the rest: a record value (16-byte header, id
 *                    length byte, id, entries, body, and a trailer
 *                    with flag bit 2: format 4)
 * Each part is copied into a buffer of its exact size.
 */


#include <stdlib.h>
#include <string.h>

#include "fz.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


#define FZ_RECORD_HEAD  12


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                         rc_header, rc_span, rc_shallow, rc_deep;
    size_t                      tlen, rlen, olen, span, base;
    const unsigned char        *tr;
    uint64_t                    mask;
    unsigned                    nclasses, nfields, count;
    unsigned char              *table, *record, *out;
    ngx_http_profile_field_t   *fields;
    ngx_http_profile_record_t   rec, rec2, hdr;

    if (size < FZ_RECORD_HEAD) {
        return 0;
    }

    nclasses = data[1] % (NGX_HTTP_PROFILE_MAX_CLASSES + 1);
    mask = ngx_http_profile_get64(data + 2);
    tlen = ngx_http_profile_get16(data + 10);

    if (tlen > size - FZ_RECORD_HEAD) {
        tlen = 0;
    }

    rlen = size - FZ_RECORD_HEAD - tlen;

    table = fz_dup(data + FZ_RECORD_HEAD, tlen);
    record = fz_dup(data + FZ_RECORD_HEAD + tlen, rlen);

    fields = NULL;
    nfields = (unsigned) tlen;

    if (ngx_http_profile_fields_parse(table, tlen, nclasses, NULL, 0, &count)
        == NGX_HTTP_PROFILE_FMT_OK)
    {
        fields = malloc(count * sizeof(ngx_http_profile_field_t));
        fz_assert(fields != NULL, "out of memory");

        fz_assert(ngx_http_profile_fields_parse(table, tlen, nclasses,
                                                fields, count, &nfields)
                  == NGX_HTTP_PROFILE_FMT_OK && nfields == count,
                  "fields table: counting and filling agree");
    }

    /*
     * The header check and the span agree: a header accepted from rlen
     * bytes spans exactly rlen bytes; a span is what the header says.
     */

    rc_header = ngx_http_profile_record_header(&hdr, record, rlen);
    rc_span = ngx_http_profile_record_span(record, rlen, &span);

    if (rc_header == NGX_HTTP_PROFILE_FMT_OK) {
        fz_assert(rc_span == NGX_HTTP_PROFILE_FMT_OK && span == rlen,
                  "record_span of an accepted header is its size");
    }

    /*
     * The span is not a validator: with an id length of 0 it can be 17
     * bytes, below the smallest record, which the header check refuses.
     */

    if (rc_span == NGX_HTTP_PROFILE_FMT_OK) {
        base = (size_t) NGX_HTTP_PROFILE_RECORD_HEADER_SIZE + 1
               + record[NGX_HTTP_PROFILE_RECORD_HEADER_SIZE]
               + (size_t) ngx_http_profile_get16(record + 2)
                 * NGX_HTTP_PROFILE_ENTRY_SIZE
               + ngx_http_profile_get32(record + 4);

        /* with flag bit 2, the trailer's three counts follow the body */

        if (record[1] & 0x04) {
            fz_assert(span >= base + 8, "record_span: a trailer's counts");
            tr = record + base;
            base += 2 + 10 * (size_t) ngx_http_profile_get16(tr);
            tr = record + base;
            base += 2 + 12 * (size_t) ngx_http_profile_get16(tr);
            tr = record + base;
            base += 4 + (size_t) ngx_http_profile_get32(tr);
        }

        fz_assert(rlen >= NGX_HTTP_PROFILE_RECORD_MIN_SIZE
                  && span > NGX_HTTP_PROFILE_RECORD_HEADER_SIZE && span <= rlen
                  && span == base,
                  "record_span is the header's size equation, and the "
                  "trailer's");
    }

    rc_shallow = ngx_http_profile_record_parse(&rec, record, rlen, nfields,
                                               nclasses, NULL, 0);

    rc_deep = ngx_http_profile_record_parse(&rec2, record, rlen, nfields,
                                            nclasses,
                                            (data[0] & 1) ? NULL : fields,
                                            1);

    fz_assert(ngx_http_profile_fmt_strerror(rc_shallow) != NULL
              && ngx_http_profile_fmt_strerror(rc_deep) != NULL,
              "strerror");

    fz_assert(rc_deep != NGX_HTTP_PROFILE_FMT_OK
              || rc_shallow == NGX_HTTP_PROFILE_FMT_OK,
              "deep accepts only what shallow accepts");

    /* the parse starts with the header check */

    fz_assert(rc_header == NGX_HTTP_PROFILE_FMT_OK
              || (rc_shallow == rc_header && rc_deep == rc_header),
              "a header refused is the parse's refusal");

    if (rc_shallow == NGX_HTTP_PROFILE_FMT_OK) {
        fz_assert(hdr.id == rec.id && hdr.id_len == rec.id_len
                  && hdr.entries == rec.entries && hdr.body == rec.body
                  && hdr.hash == rec.hash && hdr.body_len == rec.body_len
                  && hdr.nentries == rec.nentries && hdr.flags == rec.flags,
                  "header check and parse decode the same header");
        fz_record_walk(&rec, record, rlen, nfields, nclasses, NULL);

        out = fz_render(&rec, mask, &olen);
        free(out);

        out = fz_render(&rec, (uint64_t) -1, &olen);
        free(out);
    }

    if (rc_deep == NGX_HTTP_PROFILE_FMT_OK) {
        fz_assert(rec.entries == rec2.entries && rec.body == rec2.body
                  && rec.hash == rec2.hash && rec.body_len == rec2.body_len
                  && rec.nentries == rec2.nentries
                  && rec.flags == rec2.flags && rec.id == rec2.id
                  && rec.id_len == rec2.id_len,
                  "deep and shallow decode the same header");
        fz_assert(ngx_http_profile_id_valid(rec2.id, rec2.id_len),
                  "deep: the record's id is a valid profile id");
        fz_record_walk(&rec2, record, rlen, nfields, nclasses,
                       (data[0] & 1) ? NULL : fields);
    }

    free(fields);
    free(table);
    free(record);

    return 0;
}
