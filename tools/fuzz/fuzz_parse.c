
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzz target "parse": profile-snapshot's fast line parser
 * (ps_parse_object(), tools/profile-snapshot/ps_parse.c) against
 * jansson, its reference.  Whatever the fast parser accepts, jansson
 * (json_loadb with JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, as
 * ps_process.c calls it) must accept too, as the very same value:
 * same members in the same order, same types, same string bytes, the
 * same integers and the same doubles bit for bit.
 *
 * Input: one line, any bytes.
 */


#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ps_buf.h"
#include "ps_parse.h"
#include "fz.h"
#include "fz_json.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void fz_walk_stats(json_t *v, size_t depth, ps_parse_stats_t *st);



static ps_buf_t          fz_scratch;
static ps_parse_stats_t  fz_stats;


/* ps_buf.c reports out of memory through ps_main.c's ps_error() */
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

    fast = ps_parse_object(line, size, &fz_scratch, &fz_stats);
    ref = json_loadb((const char *) line, size,
                     JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);

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
