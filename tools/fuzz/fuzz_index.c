
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzz target "index": ngx_http_profile_index_parse() on an index value
 * (meta "index") and, when it accepts, ngx_http_profile_index_find() of
 * several ids in a snapshot file.
 *
 * Input:
 *   u32  record_count  given to index_parse()
 *   u32  index_len     bytes of the index value (clipped to what is left
 *                      after the ids)
 *   u32  map_skip      taken modulo 256 KiB: the file starts with that
 *                      many zero bytes (the pages of a real snapshot
 *                      before its records, which a lookup never needs)
 *   u8   nids          ids to look up, at most 8 are used
 *   ...  ids           nids times: u8 len, then len bytes (any bytes and
 *                      lengths: find() must cope); stops at the input's
 *                      end
 *   ...  index         index_len bytes: the index value
 *   ...  map           the rest: the file after the map_skip zero bytes
 * The index, the file and each id are in a buffer of their exact size.
 * Besides the ids above, the target looks up the id of every record a
 * non-empty slot points at inside the file (at most 64).  The same index
 * is also read as a relation store ("index.relations"): each two
 * consecutive ids of the input that are valid and distinct make a pair
 * key, looked up with ngx_http_profile_relation_find(), as is the key of
 * every relation value a slot points at (at most 64).
 *
 * Each lookup is checked against a reading of docs/snapshot-format.md
 * (linear probing from XXH64(id, seed) & mask, at most max_probe slots,
 * stop at an empty slot; a slot whose tag matches must lie inside the
 * file and hold a record whose header is valid and whose bytes pass its
 * stored hash, whatever id it holds): same result, same slot
 * at fault.  An FMT_OK record lies inside the file and carries the id
 * looked up.  Under ASan, every slot outside the max_probe slots from
 * the id's home (and the index header) is poisoned during the lookup,
 * so a probe that goes further is a crash.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"

#if defined(__SANITIZE_ADDRESS__)
#define FZ_ASAN  1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FZ_ASAN  1
#endif
#endif

#ifdef FZ_ASAN
#include <sanitizer/asan_interface.h>
#endif


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_index_accepts(const unsigned char *p, size_t n,
    uint64_t record_count);
static void fz_index_lookup(const ngx_http_profile_index_t *idx,
    const unsigned char *index, const unsigned char *map, size_t map_size,
    const unsigned char *id, size_t len);
static int fz_index_model(const ngx_http_profile_index_t *idx,
    const unsigned char *map, size_t map_size, const unsigned char *id,
    size_t len, uint64_t *slot, uint64_t *off);
static void fz_index_poison(const ngx_http_profile_index_t *idx,
    const unsigned char *index, uint64_t home, int poison);
static void fz_index_stats(void);
static int fz_model_probe(const ngx_http_profile_index_t *idx, uint64_t h,
    uint32_t *n, uint64_t *slot, uint64_t *off, uint32_t *size);
static void fz_relation_lookup(const ngx_http_profile_index_t *idx,
    const unsigned char *index, const unsigned char *map, size_t map_size,
    const unsigned char *key, size_t key_len);
static int fz_relation_model(const ngx_http_profile_index_t *idx,
    const unsigned char *map, size_t map_size, const unsigned char *key,
    size_t key_len, uint64_t *slot, uint8_t *bits);


#define FZ_INDEX_HEAD          13
#define FZ_INDEX_MAX_IDS       8
#define FZ_INDEX_MAX_SLOT_IDS  64
#define FZ_INDEX_SKIP_MASK     0x3ffff


/* totals, printed at exit when FUZZ_STATS is set (t/fuzz-smoke.t) */
static unsigned long  fz_found;
static unsigned long  fz_missing;
static unsigned long  fz_refused;
static unsigned long  fz_stats_on;


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                         rc;
    size_t                      pos, ilen, mlen, skip, len;
    size_t                      id_lens[FZ_INDEX_MAX_IDS];
    uint64_t                    i, nslots, off, count;
    uint32_t                    rsize;
    unsigned                    nids, k;
    unsigned char              *index, *map, *id;
    const unsigned char        *s, *ids[FZ_INDEX_MAX_IDS];
    int                         swapped;
    size_t                      klen;
    unsigned char               key[NGX_HTTP_PROFILE_PAIR_KEY_MAX];
    ngx_http_profile_index_t    idx;
    ngx_http_profile_record_t   rec;
    ngx_http_profile_relation_t rel;

    if (!fz_stats_on && getenv("FUZZ_STATS") != NULL) {
        fz_stats_on = 1;
        atexit(fz_index_stats);
    }

    if (size < FZ_INDEX_HEAD) {
        return 0;
    }

    count = ngx_http_profile_get32(data);
    ilen = ngx_http_profile_get32(data + 4);
    skip = ngx_http_profile_get32(data + 8) & FZ_INDEX_SKIP_MASK;
    pos = FZ_INDEX_HEAD;

    nids = 0;

    for (k = 0; k < data[12] && k < FZ_INDEX_MAX_IDS; k++) {
        if (pos >= size || data[pos] > size - pos - 1) {
            break;
        }

        id_lens[nids] = data[pos];
        ids[nids++] = data + pos + 1;
        pos += 1 + (size_t) data[pos];
    }

    if (ilen > size - pos) {
        ilen = size - pos;
    }

    mlen = size - pos - ilen;

    index = fz_dup(data + pos, ilen);

    /* exactly skip + mlen bytes: ASan sees a read past the file */
    map = calloc(1, skip + mlen ? skip + mlen : 1);
    fz_assert(map != NULL, "out of memory");

    if (mlen) {
        memcpy(map + skip, data + pos + ilen, mlen);
    }

    rc = ngx_http_profile_index_parse(&idx, index, ilen, count);

    fz_assert(ngx_http_profile_fmt_strerror(rc) != NULL, "strerror");
    fz_assert((rc == NGX_HTTP_PROFILE_FMT_OK)
              == fz_index_accepts(index, ilen, count),
              "index_parse accepts exactly the valid index values");

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        goto done;
    }

    nslots = (uint64_t) 1 << idx.bits;

    fz_assert(idx.seed == ngx_http_profile_get64(index)
              && idx.bits == ngx_http_profile_get32(index + 8)
              && idx.max_probe == ngx_http_profile_get32(index + 12)
              && idx.mask == nslots - 1
              && idx.slots == index + NGX_HTTP_PROFILE_INDEX_HEADER_SIZE,
              "index_parse decodes the header");

    /* the ids of the input */

    for (k = 0; k < nids; k++) {
        id = fz_dup(ids[k], id_lens[k]);
        fz_index_lookup(&idx, index, map, skip + mlen, id, id_lens[k]);
        free(id);
    }

    /* the id of every record a slot points at inside the file */

    k = 0;

    for (i = 0; i < nslots && k < FZ_INDEX_MAX_SLOT_IDS; i++) {
        s = idx.slots + i * NGX_HTTP_PROFILE_INDEX_SLOT_SIZE;
        off = ngx_http_profile_get64(s);
        rsize = ngx_http_profile_get32(s + 8);

        if (off == 0 || off > skip + mlen || rsize > skip + mlen - off
            || ngx_http_profile_record_header(&rec, map + off, rsize)
               != NGX_HTTP_PROFILE_FMT_OK)
        {
            continue;
        }

        len = rec.id_len;
        id = fz_dup(rec.id, len);
        fz_index_lookup(&idx, index, map, skip + mlen, id, len);
        free(id);

        k++;
    }

    /* the index as a relation store: pairs of the input's ids */

    for (k = 0; k + 1 < nids; k++) {
        if (!ngx_http_profile_id_valid(ids[k], id_lens[k])
            || !ngx_http_profile_id_valid(ids[k + 1], id_lens[k + 1])
            || (id_lens[k] == id_lens[k + 1]
                && memcmp(ids[k], ids[k + 1], id_lens[k]) == 0))
        {
            continue;
        }

        klen = ngx_http_profile_pair_key(key, ids[k], id_lens[k],
                                         ids[k + 1], id_lens[k + 1],
                                         &swapped);
        id = fz_dup(key, klen);
        fz_relation_lookup(&idx, index, map, skip + mlen, id, klen);
        free(id);
    }

    /* and the key of every valid relation value a slot points at */

    k = 0;

    for (i = 0; i < nslots && k < FZ_INDEX_MAX_SLOT_IDS; i++) {
        s = idx.slots + i * NGX_HTTP_PROFILE_INDEX_SLOT_SIZE;
        off = ngx_http_profile_get64(s);
        rsize = ngx_http_profile_get32(s + 8);

        if (off == 0 || off > skip + mlen || rsize > skip + mlen - off
            || ngx_http_profile_relation_parse(&rel, map + off, rsize)
               != NGX_HTTP_PROFILE_FMT_OK)
        {
            continue;
        }

        id = fz_dup(rel.key, rel.key_len);
        fz_relation_lookup(&idx, index, map, skip + mlen, id, rel.key_len);
        free(id);

        k++;
    }

done:

    free(index);
    free(map);

    return 0;
}


static void
fz_relation_lookup(const ngx_http_profile_index_t *idx,
    const unsigned char *index, const unsigned char *map, size_t map_size,
    const unsigned char *key, size_t key_len)
{
    int                          rc, want;
    uint8_t                      bits;
    uint32_t                     tag;
    uint64_t                     home, slot, want_slot;
    ngx_http_profile_relation_t  rel;

    home = ngx_http_profile_index_home(idx, key, key_len, &tag);

    slot = (uint64_t) -1;

    fz_index_poison(idx, index, home, 1);
    rc = ngx_http_profile_relation_find(idx, map, map_size, key, key_len,
                                        &rel, &slot);
    fz_index_poison(idx, index, home, 0);

    want = fz_relation_model(idx, map, map_size, key, key_len, &want_slot,
                             &bits);

    if (rc != want) {
        fprintf(stderr, "relation_find: %s, expected %s\n",
                ngx_http_profile_fmt_strerror(rc),
                ngx_http_profile_fmt_strerror(want));
    }

    fz_assert(rc == want, "relation_find's result is the format's");

    if (rc == NGX_HTTP_PROFILE_FMT_MISSING) {
        return;
    }

    fz_assert(slot == want_slot, "relation_find names the slot at fault");

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        return;
    }

    fz_assert(rel.bits == bits && rel.key_len == key_len
              && memcmp(rel.key, key, key_len) == 0
              && rel.key >= map && rel.key + key_len <= map + map_size,
              "the relation found holds the key, inside the file");
    fz_assert(rel.a_len == key[0] && rel.a == rel.key + 1
              && rel.b_len == key[1 + key[0]]
              && rel.b == rel.key + 2 + key[0],
              "the relation found names its two ids");
}


/*
 * A relation lookup as docs/snapshot-format.md describes it: probing as
 * for the id index; a candidate inside the file holding exactly the key
 * is a match once its version is 1 and its bits known; any other
 * candidate must pass the whole value check (its problem otherwise) and
 * is a tag collision.
 */

static int
fz_relation_model(const ngx_http_profile_index_t *idx,
    const unsigned char *map, size_t map_size, const unsigned char *key,
    size_t key_len, uint64_t *slot, uint8_t *bits)
{
    int                          rc;
    uint32_t                     n, size;
    uint64_t                     h, o;
    ngx_http_profile_relation_t  rel;

    h = ngx_http_profile_hash64(key, key_len, idx->seed);
    n = 0;

    while (fz_model_probe(idx, h, &n, slot, &o, &size)) {

        if (o > map_size || size > map_size - o) {
            return NGX_HTTP_PROFILE_FMT_SLOT;
        }

        if (size == 2 + key_len && memcmp(map + o + 2, key, key_len) == 0) {
            if (map[o] != 1) {
                return NGX_HTTP_PROFILE_FMT_VERSION;
            }

            if (map[o + 1] & ~0x1f) {
                return NGX_HTTP_PROFILE_FMT_RELATION;
            }

            *bits = map[o + 1];
            return NGX_HTTP_PROFILE_FMT_OK;
        }

        rc = ngx_http_profile_relation_parse(&rel, map + o, size);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }
    }

    return NGX_HTTP_PROFILE_FMT_MISSING;
}


/* the index header and size rules, as docs/snapshot-format.md has them */

static int
fz_index_accepts(const unsigned char *p, size_t n, uint64_t record_count)
{
    uint32_t  bits, max_probe;
    uint64_t  nslots;

    if (n < 16) {
        return 0;
    }

    bits = ngx_http_profile_get32(p + 8);
    max_probe = ngx_http_profile_get32(p + 12);

    if (bits > 32) {
        return 0;
    }

    nslots = (uint64_t) 1 << bits;

    return (uint64_t) n == 16 + nslots * 16
           && record_count <= nslots
           && max_probe <= nslots
           && (record_count == 0 || max_probe > 0);
}


static void
fz_index_lookup(const ngx_http_profile_index_t *idx,
    const unsigned char *index, const unsigned char *map, size_t map_size,
    const unsigned char *id, size_t len)
{
    int                         rc, rc2, want, pass;
    uint32_t                    tag;
    uint64_t                    h, home, slot, slot2, want_slot, want_off;
    unsigned char              *checked;
    const unsigned char        *start;
    ngx_http_profile_record_t   rec, rec2;

    h = ngx_http_profile_hash64(id, len, idx->seed);
    home = ngx_http_profile_index_home(idx, id, len, &tag);

    fz_assert(home == (h & idx->mask) && tag == (uint32_t) (h >> 32),
              "home is XXH64(id, seed) & mask, tag its high 32 bits");

    slot = (uint64_t) -1;

    fz_index_poison(idx, index, home, 1);
    rc = ngx_http_profile_index_find(idx, map, map_size, id, len, &rec,
                                     &slot, NULL);
    fz_index_poison(idx, index, home, 0);

    /*
     * With the bitmap of records already checked (the module's): the
     * same result the first time, when it fills the bitmap, and the
     * second, when it skips the hashes of the records that passed.
     */

    checked = calloc(1, (size_t) ((idx->mask + 8) / 8));
    fz_assert(checked != NULL, "calloc");

    for (pass = 0; pass < 2; pass++) {
        slot2 = (uint64_t) -1;
        rc2 = ngx_http_profile_index_find(idx, map, map_size, id, len,
                                          &rec2, &slot2, checked);
        fz_assert(rc2 == rc && (rc == NGX_HTTP_PROFILE_FMT_MISSING
                                || slot2 == slot),
                  "index_find gives the same result with the bitmap");
    }

    free(checked);

    fz_assert(ngx_http_profile_fmt_strerror(rc) != NULL, "strerror");

    want = fz_index_model(idx, map, map_size, id, len, &want_slot,
                          &want_off);

    if (rc != want) {
        fprintf(stderr, "index_find: %s, expected %s\n",
                ngx_http_profile_fmt_strerror(rc),
                ngx_http_profile_fmt_strerror(want));
    }

    fz_assert(rc == want, "index_find's result is the format's");

    if (rc == NGX_HTTP_PROFILE_FMT_MISSING) {
        fz_missing++;
        return;
    }

    fz_assert(slot == want_slot, "index_find names the slot at fault");
    fz_assert(((slot - home) & idx->mask) < idx->max_probe,
              "the slot is within max_probe slots of the id's home");

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        fz_refused++;
        return;
    }

    /* FMT_OK: the record lies inside the file and carries the id */

    start = map + want_off;

    fz_assert(rec.id == start + NGX_HTTP_PROFILE_RECORD_HEADER_SIZE + 1,
              "the record is the one the slot names");
    fz_assert(rec.id_len == len && memcmp(rec.id, id, len) == 0,
              "the record found carries the id looked up");
    fz_assert(start > map && rec.body >= rec.id
              && rec.body_len <= (size_t) (map + map_size - rec.body),
              "the record found lies inside the file");
    fz_assert(rec.hash == ngx_http_profile_get64(start + 8),
              "the record's hash field");

    fz_found++;
}


/*
 * The lookup as docs/snapshot-format.md describes it: returns the result
 * and, unless FMT_MISSING, the slot at fault (or found) and its offset.
 */

static int
fz_index_model(const ngx_http_profile_index_t *idx,
    const unsigned char *map, size_t map_size, const unsigned char *id,
    size_t len, uint64_t *slot, uint64_t *off)
{
    int                         rc;
    uint32_t                    n, size;
    uint64_t                    h, o;
    ngx_http_profile_record_t   rec;

    h = ngx_http_profile_hash64(id, len, idx->seed);
    n = 0;

    while (fz_model_probe(idx, h, &n, slot, &o, &size)) {
        *off = o;

        if (o > map_size || size > map_size - o) {
            return NGX_HTTP_PROFILE_FMT_SLOT;
        }

        rc = ngx_http_profile_record_header(&rec, map + o, size);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }

        /* a record that fails its hash is refused, whatever id it holds */

        if (ngx_http_profile_hash64(map + o + 16, size - 16, map[o + 1])
            != rec.hash)
        {
            return NGX_HTTP_PROFILE_FMT_HASH;
        }

        if (rec.id_len == len && memcmp(rec.id, id, len) == 0) {
            return NGX_HTTP_PROFILE_FMT_OK;
        }
    }

    return NGX_HTTP_PROFILE_FMT_MISSING;
}


/*
 * The probe of the format, for the models: from the n-th slot after the
 * home of hash h, the next slot whose tag is h's high 32 bits, with its
 * slot number, offset and size (n moves past it); 0 when the probe ends
 * first (an empty slot, or max_probe slots read).
 */

static int
fz_model_probe(const ngx_http_profile_index_t *idx, uint64_t h, uint32_t *n,
    uint64_t *slot, uint64_t *off, uint32_t *size)
{
    uint64_t              i;
    const unsigned char  *s;

    while (*n < idx->max_probe) {
        i = (h + (*n)++) & idx->mask;
        s = idx->slots + i * 16;

        if (ngx_http_profile_get64(s) == 0) {
            return 0;
        }

        if (ngx_http_profile_get32(s + 12) == (uint32_t) (h >> 32)) {
            *slot = i;
            *off = ngx_http_profile_get64(s);
            *size = ngx_http_profile_get32(s + 8);
            return 1;
        }
    }

    return 0;
}


/*
 * Under ASan, poison (or unpoison) the index header and every slot that
 * a lookup starting at home may not read: all but max_probe slots from
 * home on, round the end of the table.
 */

static void
fz_index_poison(const ngx_http_profile_index_t *idx,
    const unsigned char *index, uint64_t home, int poison)
{
#ifdef FZ_ASAN
    uint64_t              nslots, end;
    const unsigned char  *slots;
    void                (*f)(const volatile void *, size_t);

    f = poison ? __asan_poison_memory_region : __asan_unpoison_memory_region;

    slots = idx->slots;
    nslots = idx->mask + 1;

    f(index, NGX_HTTP_PROFILE_INDEX_HEADER_SIZE);

    if (idx->max_probe >= nslots) {
        return;
    }

    end = home + idx->max_probe;

    if (end <= nslots) {
        f(slots, home * NGX_HTTP_PROFILE_INDEX_SLOT_SIZE);
        f(slots + end * NGX_HTTP_PROFILE_INDEX_SLOT_SIZE,
          (nslots - end) * NGX_HTTP_PROFILE_INDEX_SLOT_SIZE);

    } else {
        f(slots + (end - nslots) * NGX_HTTP_PROFILE_INDEX_SLOT_SIZE,
          (home - (end - nslots)) * NGX_HTTP_PROFILE_INDEX_SLOT_SIZE);
    }
#else
    (void) idx;
    (void) index;
    (void) home;
    (void) poison;
#endif
}


static void
fz_index_stats(void)
{
    fprintf(stderr, "fz_index: %lu found, %lu missing, %lu refused\n",
            fz_found, fz_missing, fz_refused);
}
