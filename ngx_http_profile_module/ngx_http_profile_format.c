
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The format library's core (ngx_http_profile_format.h): bounds-checked
 * decoders of records, tables and the keyed table, the per-record hash
 * and its seal, the lookup of a profile.  Plain C with no nginx types:
 * compiled into the module, into profile-snapshot and into the fuzz
 * targets.  Nothing here allocates.
 */


#include "ngx_http_profile_format.h"

/*
 * XXH64 from xxHash's header (Debian libxxhash-dev), compiled into this
 * file with static linkage: nginx needs no new shared library.
 */
#define XXH_INLINE_ALL
#include <xxhash.h>


static int ngx_http_profile_name_valid(const unsigned char *p, size_t n);
static uint64_t ngx_http_profile_record_size(const unsigned char *p);
static int ngx_http_profile_trailer_size(const unsigned char *t,
    uint64_t avail, uint64_t *len);


int
ngx_http_profile_record_header(ngx_http_profile_record_t *rec,
    const void *data, size_t size)
{
    uint64_t              base, tlen;
    const unsigned char  *p;

    p = data;

    if (size < NGX_HTTP_PROFILE_RECORD_MIN_SIZE) {
        return NGX_HTTP_PROFILE_FMT_SHORT;
    }

    if (p[NGX_HTTP_PROFILE_REC_VERSION] != NGX_HTTP_PROFILE_RECORD_VERSION) {
        return NGX_HTTP_PROFILE_FMT_VERSION;
    }

    rec->flags = p[NGX_HTTP_PROFILE_REC_FLAGS];

    if (rec->flags & ~NGX_HTTP_PROFILE_REC_KNOWN_FLAGS) {
        return NGX_HTTP_PROFILE_FMT_FLAGS;
    }

    rec->state = rec->flags & NGX_HTTP_PROFILE_REC_STATE_MASK;
    rec->nentries = ngx_http_profile_get16(p + NGX_HTTP_PROFILE_REC_NENTRIES);
    rec->body_len = ngx_http_profile_get32(p + NGX_HTTP_PROFILE_REC_BODY_LEN);
    rec->hash = ngx_http_profile_get64(p + NGX_HTTP_PROFILE_REC_HASH);
    rec->id_len = p[NGX_HTTP_PROFILE_REC_ID_LEN];

    if (rec->id_len == 0 || rec->id_len > NGX_HTTP_PROFILE_ID_MAX) {
        return NGX_HTTP_PROFILE_FMT_ID;
    }

    /*
     * Without a trailer the size equation is exact; with one, the
     * trailer is what follows the body, and its three counts must give
     * exactly its size (three reads; the entries inside are checked by
     * ngx_http_profile_record_trailer())
     */

    base = ngx_http_profile_record_size(p);

    if (rec->flags & NGX_HTTP_PROFILE_REC_TRAILER) {
        if (base > (uint64_t) size
            || (uint64_t) size - base > 0xffffffffULL
            || ngx_http_profile_trailer_size(p + base, size - base, &tlen)
               != NGX_HTTP_PROFILE_FMT_OK
            || tlen != (uint64_t) size - base)
        {
            return NGX_HTTP_PROFILE_FMT_LENGTH;
        }

    } else if (base != (uint64_t) size) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    rec->id = p + NGX_HTTP_PROFILE_REC_ID;
    rec->entries = rec->id + rec->id_len;
    rec->body = rec->entries
                + (size_t) rec->nentries * NGX_HTTP_PROFILE_ENTRY_SIZE;
    rec->trailer_len = (uint32_t) ((uint64_t) size - base);
    rec->trailer = rec->trailer_len ? rec->body + rec->body_len : NULL;

    return NGX_HTTP_PROFILE_FMT_OK;
}


int
ngx_http_profile_record_span(const void *data, size_t avail, size_t *size)
{
    uint64_t              n, tlen;
    const unsigned char  *p;

    p = data;

    if (avail < NGX_HTTP_PROFILE_RECORD_MIN_SIZE) {
        return NGX_HTTP_PROFILE_FMT_SHORT;
    }

    if (p[NGX_HTTP_PROFILE_REC_VERSION] != NGX_HTTP_PROFILE_RECORD_VERSION) {
        return NGX_HTTP_PROFILE_FMT_VERSION;
    }

    n = ngx_http_profile_record_size(p);

    if (n > (uint64_t) avail) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    /* a trailer's size is in its own counts */

    if (p[NGX_HTTP_PROFILE_REC_FLAGS] & NGX_HTTP_PROFILE_REC_TRAILER) {
        if (ngx_http_profile_trailer_size(p + n, avail - n, &tlen)
            != NGX_HTTP_PROFILE_FMT_OK)
        {
            return NGX_HTTP_PROFILE_FMT_LENGTH;
        }

        n += tlen;
    }

    *size = (size_t) n;

    return NGX_HTTP_PROFILE_FMT_OK;
}


/*
 * The size of the trailer at t from its counts: the member entries, the
 * alt entries, then data_len bytes; each count is read only once it is
 * known to lie inside avail bytes, and the whole must fit in them.
 */

static int
ngx_http_profile_trailer_size(const unsigned char *t, uint64_t avail,
    uint64_t *len)
{
    uint64_t  n;

    n = 0;

    if (avail < NGX_HTTP_PROFILE_TRAILER_COUNT_SIZE) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    n += NGX_HTTP_PROFILE_TRAILER_COUNT_SIZE
         + (uint64_t) ngx_http_profile_get16(t)
           * NGX_HTTP_PROFILE_TMEMBER_SIZE;

    if (n > avail || avail - n < NGX_HTTP_PROFILE_TRAILER_COUNT_SIZE) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    n += NGX_HTTP_PROFILE_TRAILER_COUNT_SIZE
         + (uint64_t) ngx_http_profile_get16(t + n)
           * NGX_HTTP_PROFILE_TALT_SIZE;

    if (n > avail || avail - n < NGX_HTTP_PROFILE_TRAILER_DATA_SIZE) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    n += NGX_HTTP_PROFILE_TRAILER_DATA_SIZE
         + (uint64_t) ngx_http_profile_get32(t + n);

    if (n > avail) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    *len = n;

    return NGX_HTTP_PROFILE_FMT_OK;
}


/*
 * The size equation of a record whose fixed bytes (0 .. 16) are readable,
 * without its trailer: 17 + id_len + 12 * n + body_len, in 64 bits,
 * which none of the terms can overflow
 * (ngx_http_profile_record_size_of()).
 */

static uint64_t
ngx_http_profile_record_size(const unsigned char *p)
{
    return ngx_http_profile_record_size_of(
               p[NGX_HTTP_PROFILE_REC_ID_LEN],
               ngx_http_profile_get16(p + NGX_HTTP_PROFILE_REC_NENTRIES),
               ngx_http_profile_get32(p + NGX_HTTP_PROFILE_REC_BODY_LEN));
}


int
ngx_http_profile_index_parse(ngx_http_profile_index_t *idx,
    const void *data, size_t size, uint64_t record_count)
{
    uint64_t              nslots;
    const unsigned char  *p;

    p = data;

    if (size < NGX_HTTP_PROFILE_INDEX_HEADER_SIZE) {
        return NGX_HTTP_PROFILE_FMT_SHORT;
    }

    idx->seed = ngx_http_profile_get64(p + NGX_HTTP_PROFILE_INDEX_SEED);
    idx->bits = ngx_http_profile_get32(p + NGX_HTTP_PROFILE_INDEX_BITS);
    idx->max_probe = ngx_http_profile_get32(p + NGX_HTTP_PROFILE_INDEX_PROBE);

    if (idx->bits > NGX_HTTP_PROFILE_INDEX_MAX_BITS) {
        return NGX_HTTP_PROFILE_FMT_COUNT;
    }

    nslots = (uint64_t) 1 << idx->bits;

    if (size - NGX_HTTP_PROFILE_INDEX_HEADER_SIZE
        != nslots * NGX_HTTP_PROFILE_INDEX_SLOT_SIZE)
    {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    /* every record has a slot; a probe never goes round more than once */

    if (record_count > nslots || idx->max_probe > nslots
        || (record_count > 0 && idx->max_probe == 0))
    {
        return NGX_HTTP_PROFILE_FMT_COUNT;
    }

    idx->mask = nslots - 1;
    idx->slots = p + NGX_HTTP_PROFILE_INDEX_HEADER_SIZE;

    return NGX_HTTP_PROFILE_FMT_OK;
}


int
ngx_http_profile_index_find(const ngx_http_profile_index_t *idx,
    const unsigned char *map, size_t map_size, const unsigned char *id,
    size_t len, ngx_http_profile_record_t *rec, uint64_t *slot,
    unsigned char *checked)
{
    int                        rc;
    uint32_t                   size;
    uint64_t                   i, off;
    ngx_http_profile_probe_t   pr;

    /*
     * Linear probing, at most max_probe slots: the writer records the
     * longest probe any stored id needs, so a lookup of an unknown id
     * stops there even in a table without an empty slot.  A candidate
     * is a slot whose tag matches.
     */

    ngx_http_profile_probe_start(&pr, idx, id, len);

    while (ngx_http_profile_probe_next(&pr, &off, &size)) {
        i = pr.slot;
        *slot = i;

        if (off > map_size || size > map_size - off) {
            return NGX_HTTP_PROFILE_FMT_SLOT;
        }

        rc = ngx_http_profile_record_header(rec, map + off, size);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }

        /*
         * The hash covers the id too: a record whose id was damaged
         * is an error, not a tag collision to probe past (which is
         * a record that passes its hash and holds another id).
         */

        if (checked == NULL || !(checked[i >> 3] & (1 << (i & 7)))) {

            if (ngx_http_profile_record_hash(map + off, size) != rec->hash) {
                return NGX_HTTP_PROFILE_FMT_HASH;
            }

            if (checked != NULL) {
                checked[i >> 3] |= (unsigned char) (1 << (i & 7));
            }
        }

        if (rec->id_len == len && memcmp(rec->id, id, len) == 0) {
            return NGX_HTTP_PROFILE_FMT_OK;
        }
    }

    return NGX_HTTP_PROFILE_FMT_MISSING;
}


int
ngx_http_profile_relation_parse(ngx_http_profile_relation_t *rel,
    const void *data, size_t size)
{
    int                   c;
    size_t                alen, blen;
    const unsigned char  *p;

    p = data;

    if (size < NGX_HTTP_PROFILE_RELATION_MIN_SIZE) {
        return NGX_HTTP_PROFILE_FMT_SHORT;
    }

    if (p[NGX_HTTP_PROFILE_REL_VERSION] != NGX_HTTP_PROFILE_RELATION_VERSION)
    {
        return NGX_HTTP_PROFILE_FMT_VERSION;
    }

    alen = p[NGX_HTTP_PROFILE_REL_KEY];

    /* the length byte of b must be inside the value */

    if (alen > size - NGX_HTTP_PROFILE_REL_KEY - 2) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    blen = p[NGX_HTTP_PROFILE_REL_KEY + 1 + alen];

    if (size != NGX_HTTP_PROFILE_REL_KEY + 2 + alen + blen) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    rel->key = p + NGX_HTTP_PROFILE_REL_KEY;
    rel->key_len = (uint16_t) (2 + alen + blen);
    rel->a = rel->key + 1;
    rel->a_len = (uint8_t) alen;
    rel->b = rel->key + 2 + alen;
    rel->b_len = (uint8_t) blen;
    rel->bits = p[NGX_HTTP_PROFILE_REL_BITS];

    if (!ngx_http_profile_id_valid(rel->a, alen)
        || !ngx_http_profile_id_valid(rel->b, blen))
    {
        return NGX_HTTP_PROFILE_FMT_ID;
    }

    c = memcmp(rel->a, rel->b, alen < blen ? alen : blen);

    if (c > 0 || (c == 0 && alen >= blen)) {
        return NGX_HTTP_PROFILE_FMT_ORDER;
    }

    if (rel->bits & ~NGX_HTTP_PROFILE_REL_KNOWN) {
        return NGX_HTTP_PROFILE_FMT_RELATION;
    }

    return NGX_HTTP_PROFILE_FMT_OK;
}


int
ngx_http_profile_relation_find(const ngx_http_profile_index_t *idx,
    const unsigned char *map, size_t map_size, const unsigned char *key,
    size_t key_len, ngx_http_profile_relation_t *rel, uint64_t *slot)
{
    int                        rc;
    uint32_t                   size;
    uint64_t                   off;
    ngx_http_profile_probe_t   pr;

    ngx_http_profile_probe_start(&pr, idx, key, key_len);

    while (ngx_http_profile_probe_next(&pr, &off, &size)) {
        *slot = pr.slot;

        if (off > map_size || size > map_size - off) {
            return NGX_HTTP_PROFILE_FMT_SLOT;
        }

        /*
         * The usual case first: a value holding exactly the key looked
         * up, which the caller built from two valid ids in order, so
         * only the version and the bits are left to check; any other
         * candidate gets the whole check (a damaged value is an error,
         * a valid one a tag collision).
         */

        if (size == NGX_HTTP_PROFILE_REL_KEY + key_len
            && memcmp(map + off + NGX_HTTP_PROFILE_REL_KEY, key, key_len)
               == 0)
        {
            if (map[off + NGX_HTTP_PROFILE_REL_VERSION]
                != NGX_HTTP_PROFILE_RELATION_VERSION)
            {
                return NGX_HTTP_PROFILE_FMT_VERSION;
            }

            rel->bits = map[off + NGX_HTTP_PROFILE_REL_BITS];

            if (rel->bits & ~NGX_HTTP_PROFILE_REL_KNOWN) {
                return NGX_HTTP_PROFILE_FMT_RELATION;
            }

            rel->key = map + off + NGX_HTTP_PROFILE_REL_KEY;
            rel->key_len = (uint16_t) key_len;
            rel->a_len = key[0];
            rel->a = rel->key + 1;
            rel->b_len = key[1 + key[0]];
            rel->b = rel->key + 2 + key[0];

            return NGX_HTTP_PROFILE_FMT_OK;
        }

        rc = ngx_http_profile_relation_parse(rel, map + off, size);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }

        if (rel->key_len == key_len && memcmp(rel->key, key, key_len) == 0) {
            return NGX_HTTP_PROFILE_FMT_OK;
        }
    }

    return NGX_HTTP_PROFILE_FMT_MISSING;
}


int
ngx_http_profile_record_parse(ngx_http_profile_record_t *rec,
    const void *data, size_t size, unsigned nfields, unsigned nclasses,
    const ngx_http_profile_field_t *fields, int deep)
{
    int                         rc;
    unsigned                    i;
    uint32_t                    prev;
    const unsigned char        *frag;
    ngx_http_profile_entry_t    e;
    ngx_http_profile_trailer_t  t;

    rc = ngx_http_profile_record_header(rec, data, size);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        return rc;
    }

    if (deep && !ngx_http_profile_id_valid(rec->id, rec->id_len)) {
        return NGX_HTTP_PROFILE_FMT_ID;
    }

    prev = 0;

    for (i = 0; i < rec->nentries; i++) {
        ngx_http_profile_record_entry(rec, i, &e);

        rc = ngx_http_profile_entry_check(&e, rec->body_len, nfields,
                                          nclasses);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }

        if (!deep) {
            continue;
        }

        if (i > 0 && e.field_id <= prev) {
            return NGX_HTTP_PROFILE_FMT_ORDER;
        }

        prev = e.field_id;

        if (fields == NULL) {
            continue;
        }

        if (e.type != fields[e.field_id].type
            && e.type != NGX_HTTP_PROFILE_TYPE_NULL)
        {
            return NGX_HTTP_PROFILE_FMT_TYPE;
        }

        /* a fragment is "name":value, value at least one byte */

        frag = rec->body + e.off;

        if (e.len < (uint32_t) fields[e.field_id].name_len + 4
            || frag[0] != '"'
            || memcmp(frag + 1, fields[e.field_id].name,
                      fields[e.field_id].name_len) != 0
            || frag[fields[e.field_id].name_len + 1] != '"'
            || frag[fields[e.field_id].name_len + 2] != ':')
        {
            return NGX_HTTP_PROFILE_FMT_NAME;
        }
    }

    /* the trailer, if any: its counts, bounds and order */

    if (rec->trailer != NULL) {
        return ngx_http_profile_record_trailer(rec, &t);
    }

    return NGX_HTTP_PROFILE_FMT_OK;
}


int
ngx_http_profile_record_trailer(const ngx_http_profile_record_t *rec,
    ngx_http_profile_trailer_t *t)
{
    unsigned                   i, lo, hi, mid;
    uint32_t                   key, prev;
    uint64_t                   need;
    const unsigned char       *p, *end;
    ngx_http_profile_entry_t   e;
    ngx_http_profile_tentry_t  te;

    t->members = NULL;
    t->alts = NULL;
    t->data = NULL;
    t->body = rec->body;
    t->body_len = rec->body_len;
    t->data_len = 0;
    t->nmembers = 0;
    t->nalts = 0;

    if (rec->trailer == NULL) {
        return NGX_HTTP_PROFILE_FMT_OK;
    }

    p = rec->trailer;
    end = p + rec->trailer_len;

    if (rec->trailer_len < NGX_HTTP_PROFILE_TRAILER_MIN_SIZE) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    /* the counts, each read only inside the trailer */

    t->nmembers = ngx_http_profile_get16(p);
    p += NGX_HTTP_PROFILE_TRAILER_COUNT_SIZE;
    t->members = p;

    need = (uint64_t) t->nmembers * NGX_HTTP_PROFILE_TMEMBER_SIZE
           + NGX_HTTP_PROFILE_TRAILER_COUNT_SIZE
           + NGX_HTTP_PROFILE_TRAILER_DATA_SIZE;

    if (need > (uint64_t) (end - p)) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    p += (size_t) t->nmembers * NGX_HTTP_PROFILE_TMEMBER_SIZE;
    t->nalts = ngx_http_profile_get16(p);
    p += NGX_HTTP_PROFILE_TRAILER_COUNT_SIZE;
    t->alts = p;

    need = (uint64_t) t->nalts * NGX_HTTP_PROFILE_TALT_SIZE
           + NGX_HTTP_PROFILE_TRAILER_DATA_SIZE;

    if (need > (uint64_t) (end - p)) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    p += (size_t) t->nalts * NGX_HTTP_PROFILE_TALT_SIZE;
    t->data_len = ngx_http_profile_get32(p);
    p += NGX_HTTP_PROFILE_TRAILER_DATA_SIZE;
    t->data = p;

    if ((uint64_t) t->data_len != (uint64_t) (end - p)) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    prev = 0;

    for (i = 0; i < t->nmembers; i++) {
        ngx_http_profile_trailer_member_entry(t, i, &te);

        if (te.len == 0 || te.off > rec->body_len
            || te.len > rec->body_len - te.off)
        {
            return NGX_HTTP_PROFILE_FMT_BOUNDS;
        }

        if (i > 0 && te.id <= prev) {
            return NGX_HTTP_PROFILE_FMT_ORDER;
        }

        prev = te.id;
    }

    prev = 0;

    for (i = 0; i < t->nalts; i++) {
        ngx_http_profile_trailer_alt_entry(t, i, &te);

        if (te.len == 0 || te.off > t->data_len
            || te.len > t->data_len - te.off)
        {
            return NGX_HTTP_PROFILE_FMT_BOUNDS;
        }

        if (te.kind == 0 || te.kind > NGX_HTTP_PROFILE_ALT_KIND_MAX
            || te.of > NGX_HTTP_PROFILE_ALT_OF_MEMBER)
        {
            return NGX_HTTP_PROFILE_FMT_TYPE;
        }

        key = ((uint32_t) te.of << 24) | ((uint32_t) te.id << 8) | te.kind;

        if (i > 0 && key <= prev) {
            return NGX_HTTP_PROFILE_FMT_ORDER;
        }

        prev = key;

        if (te.of != NGX_HTTP_PROFILE_ALT_OF_FIELD) {
            continue;
        }

        /* the field must have an entry: the entries ascend by field id */

        lo = 0;
        hi = rec->nentries;

        while (lo < hi) {
            mid = lo + (hi - lo) / 2;
            ngx_http_profile_record_entry(rec, mid, &e);

            if (e.field_id < te.id) {
                lo = mid + 1;

            } else {
                hi = mid;
            }
        }

        if (lo == rec->nentries) {
            return NGX_HTTP_PROFILE_FMT_FIELD;
        }

        ngx_http_profile_record_entry(rec, lo, &e);

        if (e.field_id != te.id) {
            return NGX_HTTP_PROFILE_FMT_FIELD;
        }
    }

    return NGX_HTTP_PROFILE_FMT_OK;
}


int
ngx_http_profile_trailer_member(const ngx_http_profile_trailer_t *t,
    unsigned member_id, const unsigned char **value, uint32_t *len)
{
    unsigned                   lo, hi, mid;
    ngx_http_profile_tentry_t  te;

    lo = 0;
    hi = t->nmembers;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        ngx_http_profile_trailer_member_entry(t, mid, &te);

        if (te.id == member_id) {
            *value = t->body + te.off;
            *len = te.len;
            return NGX_HTTP_PROFILE_FMT_OK;
        }

        if (te.id < member_id) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return NGX_HTTP_PROFILE_FMT_MISSING;
}


int
ngx_http_profile_trailer_alt(const ngx_http_profile_trailer_t *t,
    unsigned kind, unsigned of, unsigned id, const unsigned char **value,
    uint32_t *len)
{
    unsigned                   lo, hi, mid;
    uint32_t                   key, k;
    ngx_http_profile_tentry_t  te;

    if (kind > 0xff || of > 0xff || id > 0xffff) {
        return NGX_HTTP_PROFILE_FMT_MISSING;
    }

    key = ((uint32_t) of << 24) | ((uint32_t) id << 8) | kind;

    lo = 0;
    hi = t->nalts;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        ngx_http_profile_trailer_alt_entry(t, mid, &te);

        k = ((uint32_t) te.of << 24) | ((uint32_t) te.id << 8) | te.kind;

        if (k == key) {
            *value = t->data + te.off;
            *len = te.len;
            return NGX_HTTP_PROFILE_FMT_OK;
        }

        if (k < key) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return NGX_HTTP_PROFILE_FMT_MISSING;
}


int
ngx_http_profile_members_parse(const void *data, size_t size,
    const ngx_http_profile_field_t *fields, unsigned nfields,
    ngx_http_profile_member_t *out, unsigned max, unsigned *count)
{
    unsigned              i, n, parent, prev;
    uint16_t              len;
    const unsigned char  *p, *end;

    p = data;
    end = p + size;

    if (size < NGX_HTTP_PROFILE_MEMBERS_COUNT_SIZE) {
        return NGX_HTTP_PROFILE_FMT_SHORT;
    }

    n = ngx_http_profile_get16(p);
    p += NGX_HTTP_PROFILE_MEMBERS_COUNT_SIZE;

    if (out != NULL && n > max) {
        return NGX_HTTP_PROFILE_FMT_COUNT;
    }

    prev = 0;

    for (i = 0; i < n; i++) {

        if (end - p < NGX_HTTP_PROFILE_MEMBER_HEAD_SIZE) {
            return NGX_HTTP_PROFILE_FMT_SHORT;
        }

        parent = ngx_http_profile_get16(p + NGX_HTTP_PROFILE_MEMBER_PARENT);

        if (parent >= nfields
            || fields[parent].type != NGX_HTTP_PROFILE_TYPE_OBJECT)
        {
            return NGX_HTTP_PROFILE_FMT_FIELD;
        }

        if (parent < prev) {
            return NGX_HTTP_PROFILE_FMT_ORDER;
        }

        prev = parent;

        if (p[NGX_HTTP_PROFILE_MEMBER_TYPE] > NGX_HTTP_PROFILE_TYPE_MAX
            || p[NGX_HTTP_PROFILE_MEMBER_TYPE] == NGX_HTTP_PROFILE_TYPE_NULL)
        {
            return NGX_HTTP_PROFILE_FMT_TYPE;
        }

        len = ngx_http_profile_get16(p + NGX_HTTP_PROFILE_MEMBER_NAME_LEN);

        if ((size_t) (end - p - NGX_HTTP_PROFILE_MEMBER_HEAD_SIZE) < len) {
            return NGX_HTTP_PROFILE_FMT_SHORT;
        }

        if (!ngx_http_profile_name_valid(p + NGX_HTTP_PROFILE_MEMBER_HEAD_SIZE,
                                         len))
        {
            return NGX_HTTP_PROFILE_FMT_NAME;
        }

        if (out != NULL) {
            out[i].parent = (uint16_t) parent;
            out[i].type = p[NGX_HTTP_PROFILE_MEMBER_TYPE];
            out[i].name_len = len;
            out[i].name = p + NGX_HTTP_PROFILE_MEMBER_HEAD_SIZE;
        }

        p += NGX_HTTP_PROFILE_MEMBER_HEAD_SIZE + (size_t) len;
    }

    if (p != end) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    *count = n;

    return NGX_HTTP_PROFILE_FMT_OK;
}


int
ngx_http_profile_sources_parse(const void *data, size_t size,
    ngx_http_profile_source_t *out, unsigned *count)
{
    unsigned              i, j, n, len;
    const unsigned char  *p, *end;

    p = data;
    end = p + size;

    if (size < NGX_HTTP_PROFILE_SOURCES_COUNT_SIZE) {
        return NGX_HTTP_PROFILE_FMT_SHORT;
    }

    n = p[0];
    p += NGX_HTTP_PROFILE_SOURCES_COUNT_SIZE;

    if (n == 0 || n > NGX_HTTP_PROFILE_MAX_SOURCES) {
        return NGX_HTTP_PROFILE_FMT_COUNT;
    }

    for (i = 0; i < n; i++) {
        if (p == end) {
            return NGX_HTTP_PROFILE_FMT_SHORT;
        }

        len = *p++;

        if ((size_t) (end - p) < len) {
            return NGX_HTTP_PROFILE_FMT_SHORT;
        }

        if (!ngx_http_profile_source_name_valid(p, len)) {
            return NGX_HTTP_PROFILE_FMT_NAME;
        }

        out[i].name = p;
        out[i].name_len = (uint8_t) len;

        for (j = 0; j < i; j++) {
            if (out[j].name_len == len && memcmp(out[j].name, p, len) == 0)
            {
                return NGX_HTTP_PROFILE_FMT_NAME;
            }
        }

        p += len;
    }

    if (p != end) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    *count = n;

    return NGX_HTTP_PROFILE_FMT_OK;
}


int
ngx_http_profile_source_name_valid(const unsigned char *name, size_t len)
{
    size_t  i;

    if (len == 0 || len > NGX_HTTP_PROFILE_SOURCE_NAME_MAX) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (!((name[i] >= 'a' && name[i] <= 'z')
              || (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
        {
            return 0;
        }
    }

    return 1;
}


int
ngx_http_profile_fields_parse(const void *data, size_t size,
    unsigned nclasses, ngx_http_profile_field_t *out, unsigned max,
    unsigned *count)
{
    unsigned              i, n;
    uint16_t              len;
    const unsigned char  *p, *end;

    p = data;
    end = p + size;

    if (size < NGX_HTTP_PROFILE_FIELDS_COUNT_SIZE) {
        return NGX_HTTP_PROFILE_FMT_SHORT;
    }

    n = ngx_http_profile_get16(p);
    p += NGX_HTTP_PROFILE_FIELDS_COUNT_SIZE;

    if (n == 0 || (out != NULL && n > max)) {
        return NGX_HTTP_PROFILE_FMT_COUNT;
    }

    for (i = 0; i < n; i++) {

        if (end - p < NGX_HTTP_PROFILE_FIELD_HEAD_SIZE) {
            return NGX_HTTP_PROFILE_FMT_SHORT;
        }

        if (p[NGX_HTTP_PROFILE_FIELD_TYPE] > NGX_HTTP_PROFILE_TYPE_MAX
            || p[NGX_HTTP_PROFILE_FIELD_TYPE] == NGX_HTTP_PROFILE_TYPE_NULL)
        {
            return NGX_HTTP_PROFILE_FMT_TYPE;
        }

        if (p[NGX_HTTP_PROFILE_FIELD_CLASS] >= nclasses) {
            return NGX_HTTP_PROFILE_FMT_CLASS;
        }

        len = ngx_http_profile_get16(p + NGX_HTTP_PROFILE_FIELD_NAME_LEN);

        if ((size_t) (end - p - NGX_HTTP_PROFILE_FIELD_HEAD_SIZE) < len) {
            return NGX_HTTP_PROFILE_FMT_SHORT;
        }

        if (!ngx_http_profile_name_valid(p + NGX_HTTP_PROFILE_FIELD_HEAD_SIZE,
                                         len))
        {
            return NGX_HTTP_PROFILE_FMT_NAME;
        }

        if (out != NULL) {
            out[i].type = p[NGX_HTTP_PROFILE_FIELD_TYPE];
            out[i].cls = p[NGX_HTTP_PROFILE_FIELD_CLASS];
            out[i].name_len = len;
            out[i].name = p + NGX_HTTP_PROFILE_FIELD_HEAD_SIZE;
        }

        p += NGX_HTTP_PROFILE_FIELD_HEAD_SIZE + (size_t) len;
    }

    if (p != end) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    *count = n;

    return NGX_HTTP_PROFILE_FMT_OK;
}


int
ngx_http_profile_classes_parse(const void *data, size_t size,
    ngx_http_profile_class_t *out, unsigned *count)
{
    unsigned              i, n;
    const unsigned char  *p, *end;

    p = data;
    end = p + size;

    if (size < NGX_HTTP_PROFILE_CLASSES_COUNT_SIZE) {
        return NGX_HTTP_PROFILE_FMT_SHORT;
    }

    n = p[0];
    p += NGX_HTTP_PROFILE_CLASSES_COUNT_SIZE;

    if (n < 2 || n > NGX_HTTP_PROFILE_MAX_CLASSES) {
        return NGX_HTTP_PROFILE_FMT_COUNT;
    }

    for (i = 0; i < n; i++) {

        if (end - p < 1 || (size_t) (end - p - 1) < p[0]) {
            return NGX_HTTP_PROFILE_FMT_SHORT;
        }

        if (!ngx_http_profile_name_valid(p + 1, p[0])) {
            return NGX_HTTP_PROFILE_FMT_NAME;
        }

        out[i].name_len = p[0];
        out[i].name = p + 1;

        p += 1 + (size_t) p[0];
    }

    if (p != end) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    if (out[0].name_len != sizeof("public") - 1
        || memcmp(out[0].name, "public", sizeof("public") - 1) != 0
        || out[1].name_len != sizeof("self") - 1
        || memcmp(out[1].name, "self", sizeof("self") - 1) != 0)
    {
        return NGX_HTTP_PROFILE_FMT_NAME;
    }

    *count = n;

    return NGX_HTTP_PROFILE_FMT_OK;
}


int
ngx_http_profile_roles_parse(const void *data, size_t size,
    unsigned nclasses, unsigned nfields, ngx_http_profile_role_t *out,
    unsigned *count)
{
    unsigned              i, j, n, prev;
    const unsigned char  *p, *end;

    p = data;
    end = p + size;

    if (size < NGX_HTTP_PROFILE_ROLES_COUNT_SIZE) {
        return NGX_HTTP_PROFILE_FMT_SHORT;
    }

    n = p[0];
    p += NGX_HTTP_PROFILE_ROLES_COUNT_SIZE;

    if (n > NGX_HTTP_PROFILE_MAX_ROLES) {
        return NGX_HTTP_PROFILE_FMT_COUNT;
    }

    for (i = 0; i < n; i++) {

        if ((size_t) (end - p) < NGX_HTTP_PROFILE_ROLE_HEAD_SIZE) {
            return NGX_HTTP_PROFILE_FMT_SHORT;
        }

        out[i].cls = p[NGX_HTTP_PROFILE_ROLE_CLASS];
        out[i].nfields = ngx_http_profile_get16(p
                                             + NGX_HTTP_PROFILE_ROLE_NFIELDS);
        p += NGX_HTTP_PROFILE_ROLE_HEAD_SIZE;

        if (out[i].cls < NGX_HTTP_PROFILE_CLASS_ROLES
            || out[i].cls >= nclasses
            || (i > 0 && out[i].cls <= out[i - 1].cls))
        {
            return NGX_HTTP_PROFILE_FMT_CLASS;
        }

        if ((size_t) (end - p) / NGX_HTTP_PROFILE_ROLE_FIELD_SIZE
            < out[i].nfields)
        {
            return NGX_HTTP_PROFILE_FMT_SHORT;
        }

        out[i].fields = p;
        p += (size_t) out[i].nfields * NGX_HTTP_PROFILE_ROLE_FIELD_SIZE;

        prev = 0;

        for (j = 0; j < out[i].nfields; j++) {
            if (ngx_http_profile_role_field(&out[i], j) >= nfields) {
                return NGX_HTTP_PROFILE_FMT_FIELD;
            }

            if (j > 0 && ngx_http_profile_role_field(&out[i], j) <= prev) {
                return NGX_HTTP_PROFILE_FMT_ORDER;
            }

            prev = ngx_http_profile_role_field(&out[i], j);
        }
    }

    if (p != end) {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    *count = n;

    return NGX_HTTP_PROFILE_FMT_OK;
}


int
ngx_http_profile_states_parse(const void *data, size_t size,
    unsigned nclasses, unsigned nfields, ngx_http_profile_states_t *out)
{
    unsigned              i, prev, id;
    uint64_t              roles;
    const unsigned char  *p;

    p = data;

    if (size < NGX_HTTP_PROFILE_STATES_HEAD_SIZE) {
        return NGX_HTTP_PROFILE_FMT_SHORT;
    }

    out->nstub = ngx_http_profile_get16(p + NGX_HTTP_PROFILE_STATES_NSTUB);

    if (size != NGX_HTTP_PROFILE_STATES_HEAD_SIZE
                + (size_t) out->nstub * NGX_HTTP_PROFILE_STATES_FIELD_SIZE)
    {
        return NGX_HTTP_PROFILE_FMT_LENGTH;
    }

    /* the role classes of this snapshot, NGX_HTTP_PROFILE_CLASS_ROLES.. */

    roles = 0;

    for (i = NGX_HTTP_PROFILE_CLASS_ROLES;
         i < nclasses && i < NGX_HTTP_PROFILE_MAX_CLASSES;
         i++)
    {
        roles |= (uint64_t) 1 << i;
    }

    out->roles[NGX_HTTP_PROFILE_STATE_ACTIVE] = 0;
    out->roles[NGX_HTTP_PROFILE_STATE_PRIVATE] =
        ngx_http_profile_get64(p + NGX_HTTP_PROFILE_STATES_PRIVATE);
    out->roles[NGX_HTTP_PROFILE_STATE_SUSPENDED] =
        ngx_http_profile_get64(p + NGX_HTTP_PROFILE_STATES_SUSPENDED);
    out->roles[NGX_HTTP_PROFILE_STATE_DELETED] =
        ngx_http_profile_get64(p + NGX_HTTP_PROFILE_STATES_DELETED);

    for (i = 0; i < NGX_HTTP_PROFILE_STATES; i++) {
        if (out->roles[i] & ~roles) {
            return NGX_HTTP_PROFILE_FMT_CLASS;
        }
    }

    out->stub = p + NGX_HTTP_PROFILE_STATES_HEAD_SIZE;

    prev = 0;

    for (i = 0; i < out->nstub; i++) {
        id = ngx_http_profile_states_stub(out, i);

        if (id >= nfields) {
            return NGX_HTTP_PROFILE_FMT_FIELD;
        }

        if (i > 0 && id <= prev) {
            return NGX_HTTP_PROFILE_FMT_ORDER;
        }

        prev = id;
    }

    return NGX_HTTP_PROFILE_FMT_OK;
}


int
ngx_http_profile_id_valid(const unsigned char *id, size_t len)
{
    size_t  i;

    /* [A-Za-z0-9._~-]: one bit per byte value, 8 words of 32 bits */
    static const uint32_t  allowed[] = {
        0x00000000,  /* 0x00 - 0x1f */
        0x03ff6000,  /* 0x20 - 0x3f: "-" "." "0" - "9" */
        0x87fffffe,  /* 0x40 - 0x5f: "A" - "Z" "_" */
        0x47fffffe,  /* 0x60 - 0x7f: "a" - "z" "~" */
        0x00000000,
        0x00000000,
        0x00000000,
        0x00000000
    };

    if (len == 0 || len > NGX_HTTP_PROFILE_ID_MAX) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (!(allowed[id[i] >> 5] & (1U << (id[i] & 0x1f)))) {
            return 0;
        }
    }

    return 1;
}


int
ngx_http_profile_snapshot_id_valid(const unsigned char *id, size_t len)
{
    size_t         i;
    unsigned char  c;

    if (len == 0 || len > NGX_HTTP_PROFILE_SNAPSHOT_ID_MAX) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        c = id[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
        {
            continue;
        }

        return 0;
    }

    return 1;
}


int
ngx_http_profile_snapshot_name(const unsigned char *name, size_t len,
    size_t *id_len)
{
    size_t  s;

    s = sizeof(NGX_HTTP_PROFILE_DIR_SUFFIX) - 1;

    if (len <= s
        || memcmp(name + len - s, NGX_HTTP_PROFILE_DIR_SUFFIX, s) != 0
        || !ngx_http_profile_snapshot_id_valid(name, len - s))
    {
        return 0;
    }

    if (id_len != NULL) {
        *id_len = len - s;
    }

    return 1;
}


const char *
ngx_http_profile_fmt_strerror(int rc)
{
    static const char  *text[] = {
        "ok",
        "shorter than its header",
        "unknown record version",
        "lengths do not add up",
        "entry outside the record body",
        "unknown field id",
        "unknown visibility class",
        "unknown value type",
        "field ids not ascending",
        "bad name",
        "count out of range",
        "fragments overlap",
        "bad id in the record",
        "index slot outside the snapshot",
        "index probe limit too low",
        "record hash mismatch",
        "no such record",
        "unknown relation bits",
        "unknown record flags"
    };

    if (rc < 0 || (size_t) rc >= sizeof(text) / sizeof(text[0])) {
        return "unknown error";
    }

    return text[rc];
}


uint64_t
ngx_http_profile_record_hash(const void *data, size_t size)
{
    if (size < NGX_HTTP_PROFILE_REC_HASHED) {
        return 0;
    }

    return ngx_http_profile_hash64((const unsigned char *) data
                                   + NGX_HTTP_PROFILE_REC_HASHED,
                                   size - NGX_HTTP_PROFILE_REC_HASHED,
                                   ((const unsigned char *) data)
                                       [NGX_HTTP_PROFILE_REC_FLAGS]);
}


void
ngx_http_profile_record_seal(unsigned char *data, size_t size)
{
    ngx_http_profile_put64(data + NGX_HTTP_PROFILE_REC_HASH,
                           ngx_http_profile_record_hash(data, size));
}


/*
 * XXH64, xxHash's own (xxhash.h, inlined above): per-record hashes and
 * index slots (docs/snapshot-format.md).  The values are pinned by
 * t/hash64.t.
 */

uint64_t
ngx_http_profile_hash64(const void *data, size_t len, uint64_t seed)
{
    return XXH64(data, len, seed);
}


/* field and class names: 1..255 bytes of [A-Za-z0-9_], no JSON escaping */

static int
ngx_http_profile_name_valid(const unsigned char *p, size_t n)
{
    size_t  i;

    if (n == 0 || n > NGX_HTTP_PROFILE_FIELD_NAME_MAX) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')
              || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
        {
            return 0;
        }
    }

    return 1;
}
