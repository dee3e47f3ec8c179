
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzz target "parse": profile-snapshot's fast line parser
 * (ps_parse_object(), tools/profile-snapshot/ps_parse.c) against
 * jansson, its reference.  Whatever the fast parser accepts, jansson
 * (json_loadb with JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, as
 * ps_process.c calls it) must accept too, as the very same value:
 * same members in the same order, same types, same string bytes, the
 * same integers and the same doubles bit for bit.  The build gives the
 * parser only lines that are valid UTF-8 (ps_utf8_check()), and so does
 * this target; jansson sees every line.  ps_parse_members() must find
 * the same members, and each value text it calls canonical (raw) must
 * be exactly what ps_encode_json() writes for the value, since the build
 * stores that text instead of encoding the value.
 *
 * Input: one line, any bytes.
 */


#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ps_buf.h"
#include "ps_encode.h"
#include "ps_parse.h"
#include "ps_utf8.h"
#include "fz.h"
#include "fz_json.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void fz_walk_stats(json_t *v, size_t depth, ps_parse_stats_t *st);
static void fz_members(const unsigned char *line, size_t size, json_t *ref);



static ps_buf_t          fz_scratch;
static ps_buf_t          fz_members_buf;
static ps_buf_t          fz_text;
static ps_parse_stats_t  fz_stats;


/* ps_buf.c reports out of memory through ps_error.c's ps_error() */
void ps_error(const char *fmt, ...);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t            *fast, *ref;
    json_error_t       err;
    unsigned char     *line;
    ps_parse_stats_t   want;

    line = fz_dup(data, size);

    /*
     * A fresh scratch buffer for every input: the parser must cope with
     * one that has no memory yet (F1, docs/fuzzing.md).
     */
    ps_buf_free(&fz_scratch);

    ref = json_loadb((const char *) line, size,
                     JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);

    if (ps_utf8_check(line, size) < size) {
        fz_assert(ref == NULL, "jansson accepts invalid UTF-8");
        free(line);
        return 0;
    }

    fast = ps_parse_object(line, size, &fz_scratch, &fz_stats);
    fz_members(line, size, fast);

    if (fast != NULL) {
        fz_assert(ref != NULL,
                  "the fast parser accepts a line jansson refuses");
        fz_assert(json_is_object(fast), "the fast parser returns objects");
        fz_json_same(fast, ref);

        /* the limits the build skips walking for must be the real ones */
        memset(&want, 0, sizeof(ps_parse_stats_t));
        fz_walk_stats(ref, 1, &want);
        fz_assert(fz_stats.depth == want.depth
                  && fz_stats.string_bytes == want.string_bytes
                  && fz_stats.array_items == want.array_items,
                  "the parser's stats differ from a walk of the value");

        json_decref(fast);
    }

    if (ref != NULL) {
        json_decref(ref);
    }

    free(line);

    return 0;
}


/*
 * ps_parse_members() on the same line: it may give up where
 * ps_parse_object() does not (escaped or repeated names, many members),
 * never the other way round; what it finds is the object's members, in
 * order, and each raw text is the value's encoding.
 */

static void
fz_members(const unsigned char *line, size_t size, json_t *obj)
{
    int                rc;
    size_t             i;
    json_t            *v;
    const char        *key;
    ps_member_t       *m;
    ps_parse_stats_t   st;

    rc = ps_parse_members(line, size, &fz_scratch, &st, &fz_members_buf);

    if (rc < 0) {
        return;
    }

    fz_assert(obj != NULL, "members found in a line the parser refuses");
    fz_assert((size_t) rc == json_object_size(obj),
              "ps_parse_members() finds another number of members");

    m = (ps_member_t *) fz_members_buf.data;
    i = 0;

    json_object_foreach(obj, key, v) {
        fz_assert(m[i].len == strlen(key)
                  && memcmp(m[i].key, key, m[i].len) == 0,
                  "ps_parse_members() finds another member name");
        fz_assert(m[i].value != NULL || m[i].raw.len != 0,
                  "a member has neither a value nor a text");
        fz_json_same(ps_member_value(&m[i]), v);

        if (m[i].raw.len != 0) {
            fz_text.len = 0;
            fz_assert(ps_encode_json(&fz_text, m[i].value) == 0,
                      "a raw value cannot be encoded");
            fz_assert(fz_text.len == m[i].raw.len
                      && memcmp(fz_text.data, m[i].raw.data,
                                m[i].raw.len) == 0,
                      "a raw text differs from the value's encoding");
        }

        i++;
    }

    ps_parse_members_free(&fz_members_buf);
}


/* what ps_limits_walk() (ps_coerce.c) looks at, as maxima */

static void
fz_walk_stats(json_t *v, size_t depth, ps_parse_stats_t *st)
{
    size_t       i;
    json_t      *m;
    const char  *key;

    switch (json_typeof(v)) {

    case JSON_STRING:
        if (json_string_length(v) > st->string_bytes) {
            st->string_bytes = json_string_length(v);
        }

        return;

    case JSON_ARRAY:
        if (depth > st->depth) {
            st->depth = depth;
        }

        if (json_array_size(v) > st->array_items) {
            st->array_items = json_array_size(v);
        }

        json_array_foreach(v, i, m) {
            fz_walk_stats(m, depth + 1, st);
        }

        return;

    case JSON_OBJECT:
        if (depth > st->depth) {
            st->depth = depth;
        }

        json_object_foreach(v, key, m) {
            if (strlen(key) > st->string_bytes) {
                st->string_bytes = strlen(key);
            }

            fz_walk_stats(m, depth + 1, st);
        }

        return;

    default:
        return;
    }
}


void
ps_error(const char *fmt, ...)
{
    (void) fmt;
}
