
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzz target "tables": ngx_http_profile_fields_parse(),
 * ngx_http_profile_classes_parse(), ngx_http_profile_roles_parse(),
 * ngx_http_profile_relation_parse(), ngx_http_profile_id_valid(), and
 * the format 4 tables: ngx_http_profile_members_parse() and
 * ngx_http_profile_sources_parse().
 *
 * Input:
 *   u8   nclasses    for the fields table (0..255: the parser must cope)
 *   u8   max         room given to fields_parse (0 is "as counted")
 *   ...  bytes       parsed as a fields table, as a classes table, as
 *                    a roles table and a states table (nclasses
 *                    classes, max fields), as a relation value and as
 *                    a profile id, as a members table (against a
 *                    fields table of max fields, every third an
 *                    object) and as a sources table, each from an
 *                    exact-size copy
 */


#include <stdlib.h>
#include <string.h>

#include "fz.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_name_ok(const unsigned char *p, size_t n);
static int fz_id_ok(const unsigned char *p, size_t n);
static void fz_fields(const unsigned char *p, size_t n, unsigned nclasses,
    unsigned max);
static void fz_classes(const unsigned char *p, size_t n);
static void fz_roles(const unsigned char *p, size_t n, unsigned nclasses,
    unsigned nfields);
static void fz_states(const unsigned char *p, size_t n, unsigned nclasses,
    unsigned nfields);
static void fz_relation(const unsigned char *p, size_t n);
static void fz_members(const unsigned char *p, size_t n, unsigned nfields);
static void fz_sources(const unsigned char *p, size_t n);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t          n;
    unsigned char  *p;

    if (size < 2) {
        return 0;
    }

    n = size - 2;
    p = fz_dup(data + 2, n);

    fz_fields(p, n, data[0], data[1]);
    fz_classes(p, n);
    fz_roles(p, n, data[0], data[1]);
    fz_states(p, n, data[0], data[1]);
    fz_relation(p, n);
    fz_members(p, n, data[1]);
    fz_sources(p, n);

    fz_assert(ngx_http_profile_id_valid(p, n) == fz_id_ok(p, n),
              "id_valid agrees with docs/snapshot-format.md");

    free(p);

    return 0;
}


static void
fz_fields(const unsigned char *p, size_t n, unsigned nclasses, unsigned max)
{
    int                        rc, rc2;
    size_t                     off;
    unsigned                   i, count, count2;
    ngx_http_profile_field_t  *out;

    rc = ngx_http_profile_fields_parse(p, n, nclasses, NULL, 0, &count);

    fz_assert(ngx_http_profile_fmt_strerror(rc) != NULL, "strerror");

    if (max == 0) {
        max = (rc == NGX_HTTP_PROFILE_FMT_OK) ? count : 1;
    }

    /* exactly max entries: ASan sees a write past them */
    out = malloc(max * sizeof(ngx_http_profile_field_t));
    fz_assert(out != NULL, "out of memory");

    rc2 = ngx_http_profile_fields_parse(p, n, nclasses, out, max, &count2);

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        fz_assert(rc2 != NGX_HTTP_PROFILE_FMT_OK,
                  "filling accepts only what counting accepts");
        free(out);
        return;
    }

    fz_assert(count >= 1 && count <= NGX_HTTP_PROFILE_MAX_FIELDS, "count");

    if (count > max) {
        fz_assert(rc2 == NGX_HTTP_PROFILE_FMT_COUNT, "no room: COUNT");
        free(out);
        return;
    }

    fz_assert(rc2 == NGX_HTTP_PROFILE_FMT_OK && count2 == count,
              "filling agrees with counting");

    off = 2;

    for (i = 0; i < count; i++) {
        fz_assert(out[i].type >= 1
                  && out[i].type <= NGX_HTTP_PROFILE_TYPE_MAX, "type");
        fz_assert(out[i].cls < nclasses, "class");
        fz_assert(out[i].name == p + off + 4, "name where the table says");
        fz_assert(out[i].name_len == ngx_http_profile_get16(p + off + 2),
                  "name length");
        fz_assert(fz_name_ok(out[i].name, out[i].name_len), "name bytes");

        off += 4 + (size_t) out[i].name_len;
    }

    fz_assert(off == n, "table used exactly");

    free(out);
}


static void
fz_classes(const unsigned char *p, size_t n)
{
    int                        rc;
    size_t                     off;
    unsigned                   i, count;
    ngx_http_profile_class_t  *out;

    out = malloc(NGX_HTTP_PROFILE_MAX_CLASSES
                 * sizeof(ngx_http_profile_class_t));
    fz_assert(out != NULL, "out of memory");

    rc = ngx_http_profile_classes_parse(p, n, out, &count);

    fz_assert(ngx_http_profile_fmt_strerror(rc) != NULL, "strerror");

    if (rc == NGX_HTTP_PROFILE_FMT_OK) {
        fz_assert(count >= 2 && count <= NGX_HTTP_PROFILE_MAX_CLASSES,
                  "class count");
        fz_assert(out[0].name_len == 6
                  && memcmp(out[0].name, "public", 6) == 0, "class 0");
        fz_assert(out[1].name_len == 4
                  && memcmp(out[1].name, "self", 4) == 0, "class 1");

        off = 1;

        for (i = 0; i < count; i++) {
            fz_assert(out[i].name == p + off + 1, "class name position");
            fz_assert(fz_name_ok(out[i].name, out[i].name_len),
                      "class name bytes");
            off += 1 + (size_t) out[i].name_len;
        }

        fz_assert(off == n, "classes table used exactly");
    }

    free(out);
}


static int
fz_name_ok(const unsigned char *p, size_t n)
{
    size_t  i;

    if (n < 1 || n > 255) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789_", p[i]) == NULL || p[i] == '\0')
        {
            return 0;
        }
    }

    return 1;
}


static int
fz_id_ok(const unsigned char *p, size_t n)
{
    size_t  i;

    if (n < 1 || n > 128) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789._~-", p[i]) == NULL || p[i] == '\0')
        {
            return 0;
        }
    }

    return 1;
}


/*
 * A roles table the parser accepts: every role's class a role class,
 * ascending; its field ids inside the buffer, existing and ascending.
 */

static void
fz_roles(const unsigned char *p, size_t n, unsigned nclasses,
    unsigned nfields)
{
    int                       rc;
    unsigned                  count, i, j;
    ngx_http_profile_role_t   roles[NGX_HTTP_PROFILE_MAX_ROLES];

    rc = ngx_http_profile_roles_parse(p, n, nclasses, nfields, roles,
                                      &count);

    fz_assert(ngx_http_profile_fmt_strerror(rc) != NULL, "strerror");

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        return;
    }

    fz_assert(count <= NGX_HTTP_PROFILE_MAX_ROLES, "roles: count");

    for (i = 0; i < count; i++) {
        fz_assert(roles[i].cls >= NGX_HTTP_PROFILE_CLASS_ROLES
                  && roles[i].cls < nclasses
                  && (i == 0 || roles[i].cls > roles[i - 1].cls),
                  "roles: role classes, ascending");
        fz_assert(roles[i].nfields == 0
                  || (roles[i].fields >= p
                      && roles[i].fields
                         + (size_t) roles[i].nfields
                           * NGX_HTTP_PROFILE_ROLE_FIELD_SIZE
                         <= p + n),
                  "roles: field ids inside the table");

        for (j = 0; j < roles[i].nfields; j++) {
            fz_assert(ngx_http_profile_role_field(&roles[i], j) < nfields
                      && (j == 0
                          || ngx_http_profile_role_field(&roles[i], j)
                             > ngx_http_profile_role_field(&roles[i], j - 1)),
                      "roles: field ids exist and ascend");
        }
    }
}


/*
 * The states table against a reading of docs/snapshot-format.md
 * ("states" table), all offsets spelled here: three u64 masks at 0, 8
 * and 16, a u16 count at 24, that many u16 field ids from 26; valid
 * exactly when the size is 26 + 2 * nstub, every mask bit a role class
 * (6 .. nclasses - 1), the ids below nfields and strictly ascending.
 * An accepted table decodes to those values and the encoder gives back
 * its head.
 */

static void
fz_states(const unsigned char *p, size_t n, unsigned nclasses,
    unsigned nfields)
{
    int                         rc, ok;
    size_t                      i, nstub;
    uint64_t                    allowed, m[3];
    unsigned char               head[26];
    ngx_http_profile_states_t   st;

    /* F7 (fixed, docs/fuzzing.md): any nclasses, 64 and more included */

    rc = ngx_http_profile_states_parse(p, n, nclasses, nfields, &st);

    fz_assert(ngx_http_profile_fmt_strerror(rc) != NULL, "strerror");

    ok = 0;

    if (n >= 26) {
        nstub = (size_t) p[24] | ((size_t) p[25] << 8);
        ok = (n == 26 + 2 * nstub);

        allowed = 0;

        for (i = 6; i < nclasses && i < 64; i++) {
            allowed |= (uint64_t) 1 << i;
        }

        for (i = 0; ok && i < 3; i++) {
            m[i] = ngx_http_profile_get64(p + 8 * i);
            ok = !(m[i] & ~allowed);
        }

        for (i = 0; ok && i < nstub; i++) {
            ok = ngx_http_profile_get16(p + 26 + 2 * i) < nfields
                 && (i == 0 || ngx_http_profile_get16(p + 26 + 2 * i)
                               > ngx_http_profile_get16(p + 24 + 2 * i));
        }
    }

    fz_assert((rc == NGX_HTTP_PROFILE_FMT_OK) == ok,
              "states: accepted exactly when the format says");

    if (!ok) {
        return;
    }

    fz_assert(st.roles[NGX_HTTP_PROFILE_STATE_ACTIVE] == 0
              && st.roles[NGX_HTTP_PROFILE_STATE_PRIVATE] == m[0]
              && st.roles[NGX_HTTP_PROFILE_STATE_SUSPENDED] == m[1]
              && st.roles[NGX_HTTP_PROFILE_STATE_DELETED] == m[2],
              "states: the role masks");
    fz_assert(st.nstub == nstub && st.stub == p + 26,
              "states: the stub where the table says");

    for (i = 0; i < nstub; i++) {
        fz_assert(ngx_http_profile_states_stub(&st, i)
                  == ngx_http_profile_get16(p + 26 + 2 * i),
                  "states: stub field ids");
    }

    fz_assert(ngx_http_profile_states_encode(head, m[0], m[1], m[2],
                                             (uint16_t) nstub)
              == head + 26 && memcmp(head, p, 26) == 0,
              "states: the encoder gives back the head");
}


/*
 * A relation value the parser accepts: two valid ids, a before b, known
 * bits, and the encoder gives back exactly its bytes.
 */

static void
fz_relation(const unsigned char *p, size_t n)
{
    int                           rc, swapped;
    size_t                        len;
    unsigned char                 key[NGX_HTTP_PROFILE_PAIR_KEY_MAX];
    unsigned char                 out[NGX_HTTP_PROFILE_REL_KEY
                                      + NGX_HTTP_PROFILE_PAIR_KEY_MAX];
    ngx_http_profile_relation_t   rel;

    rc = ngx_http_profile_relation_parse(&rel, p, n);

    fz_assert(ngx_http_profile_fmt_strerror(rc) != NULL, "strerror");

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        return;
    }

    fz_assert(ngx_http_profile_id_valid(rel.a, rel.a_len)
              && ngx_http_profile_id_valid(rel.b, rel.b_len),
              "relation: both ids valid");
    fz_assert(!(rel.bits & ~NGX_HTTP_PROFILE_REL_KNOWN),
              "relation: known bits only");
    fz_assert(rel.key == p + NGX_HTTP_PROFILE_REL_KEY
              && rel.key_len == n - NGX_HTTP_PROFILE_REL_KEY,
              "relation: the key is the rest of the value");

    len = ngx_http_profile_pair_key(key, rel.b, rel.b_len, rel.a, rel.a_len,
                                    &swapped);
    fz_assert(swapped && len == rel.key_len
              && memcmp(key, rel.key, len) == 0,
              "relation: a sorts before b, and the key is their pair key");

    fz_assert(ngx_http_profile_relation_encode(out, rel.bits, key, len)
              == out + n && memcmp(out, p, n) == 0,
              "relation: the encoder gives back the value");
    fz_assert(ngx_http_profile_relation_swap(
                  ngx_http_profile_relation_swap(rel.bits)) == rel.bits,
              "relation: swapping twice is the identity");
}


/*
 * The members table against docs/snapshot-format.md: u16 count, then
 * per member u16 parent (an object field), u8 type (1..7), u16 name
 * length and a name of [A-Za-z0-9_]; parents not descending; the size
 * exact.  Fields: nfields of them, field i an object when i % 3 == 0.
 */

static void
fz_members(const unsigned char *p, size_t n, unsigned nfields)
{
    int                         rc, ok;
    size_t                      off, len;
    unsigned                    i, count, count2, parent, prev;
    ngx_http_profile_field_t    fields[256];
    ngx_http_profile_member_t  *out;

    for (i = 0; i < nfields; i++) {
        fields[i].type = (i % 3 == 0) ? NGX_HTTP_PROFILE_TYPE_OBJECT
                                      : NGX_HTTP_PROFILE_TYPE_STRING;
        fields[i].cls = 0;
        fields[i].name = (const unsigned char *) "f";
        fields[i].name_len = 1;
    }

    rc = ngx_http_profile_members_parse(p, n, fields, nfields, NULL, 0,
                                        &count);

    fz_assert(ngx_http_profile_fmt_strerror(rc) != NULL, "strerror");

    /* the model */

    ok = (n >= 2);
    count2 = ok ? ngx_http_profile_get16(p) : 0;
    off = 2;
    prev = 0;

    for (i = 0; ok && i < count2; i++) {
        if (n - off < 5) {
            ok = 0;
            break;
        }

        parent = ngx_http_profile_get16(p + off);
        len = ngx_http_profile_get16(p + off + 3);

        ok = parent < nfields && parent % 3 == 0 && parent >= prev
             && p[off + 2] >= 1 && p[off + 2] <= 7
             && len <= n - off - 5 && fz_name_ok(p + off + 5, len);

        prev = parent;
        off += 5 + len;
    }

    ok = ok && off == n;

    fz_assert((rc == NGX_HTTP_PROFILE_FMT_OK) == ok,
              "members_parse agrees with docs/snapshot-format.md");

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        return;
    }

    fz_assert(count == count2, "members_parse: the count");

    out = malloc((count ? count : 1) * sizeof(ngx_http_profile_member_t));
    fz_assert(out != NULL, "out of memory");

    fz_assert(ngx_http_profile_members_parse(p, n, fields, nfields, out,
                                             count, &count2)
              == NGX_HTTP_PROFILE_FMT_OK && count2 == count,
              "members_parse: counting and filling agree");

    for (i = 0; i < count; i++) {
        fz_assert(out[i].name >= p && out[i].name + out[i].name_len <= p + n
                  && out[i].parent < nfields,
                  "members_parse: names inside the table");
    }

    free(out);
}


/*
 * The sources table: u8 count 1..8, then per source a u8 length and a
 * name of 1..32 bytes of [a-z0-9_], each once; the size exact.
 */

static void
fz_sources(const unsigned char *p, size_t n)
{
    int                         rc, ok;
    size_t                      off, len, k, j;
    unsigned                    i, count, count2;
    ngx_http_profile_source_t   out[NGX_HTTP_PROFILE_MAX_SOURCES];
    const unsigned char        *names[NGX_HTTP_PROFILE_MAX_SOURCES];
    size_t                      lens[NGX_HTTP_PROFILE_MAX_SOURCES];

    rc = ngx_http_profile_sources_parse(p, n, out, &count);

    fz_assert(ngx_http_profile_fmt_strerror(rc) != NULL, "strerror");

    ok = (n >= 1 && p[0] >= 1 && p[0] <= 8);
    count2 = ok ? p[0] : 0;
    off = 1;

    for (i = 0; ok && i < count2; i++) {
        if (off == n) {
            ok = 0;
            break;
        }

        len = p[off++];
        ok = (len >= 1 && len <= 32 && len <= n - off);

        for (k = 0; ok && k < len; k++) {
            ok = (p[off + k] >= 'a' && p[off + k] <= 'z')
                 || (p[off + k] >= '0' && p[off + k] <= '9')
                 || p[off + k] == '_';
        }

        for (j = 0; ok && j < i; j++) {
            ok = !(lens[j] == len && memcmp(names[j], p + off, len) == 0);
        }

        names[i] = p + off;
        lens[i] = len;
        off += len;
    }

    ok = ok && off == n;

    fz_assert((rc == NGX_HTTP_PROFILE_FMT_OK) == ok,
              "sources_parse agrees with docs/snapshot-format.md");

    if (rc == NGX_HTTP_PROFILE_FMT_OK) {
        fz_assert(count == count2, "sources_parse: the count");

        for (i = 0; i < count; i++) {
            fz_assert(out[i].name == names[i] && out[i].name_len == lens[i],
                      "sources_parse: the names");
        }
    }
}
