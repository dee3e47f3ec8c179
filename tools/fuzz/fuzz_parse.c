
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



static ps_buf_t  fz_scratch;


/* ps_buf.c reports out of memory through ps_main.c's ps_error() */
void ps_error(const char *fmt, ...);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t         *fast, *ref;
    json_error_t    err;
    unsigned char  *line;

    line = fz_dup(data, size);

    /*
     * A fresh scratch buffer for every input: the parser must cope with
     * one that has no memory yet (F1, docs/fuzzing.md).
     */
    ps_buf_free(&fz_scratch);

    fast = ps_parse_object(line, size, &fz_scratch);
    ref = json_loadb((const char *) line, size,
                     JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);

    if (fast != NULL) {
        fz_assert(ref != NULL,
                  "the fast parser accepts a line jansson refuses");
        fz_assert(json_is_object(fast), "the fast parser returns objects");
        fz_json_same(fast, ref);
        json_decref(fast);
    }

    if (ref != NULL) {
        json_decref(ref);
    }

    free(line);

    return 0;
}


void
ps_error(const char *fmt, ...)
{
    (void) fmt;
}
