
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <stdint.h>
#include <stdlib.h>
#include <jansson.h>

#include "ps.h"
#include "ps_arena.h"
#include "ps_buf.h"


#define PS_ARENA_CHUNK   (256 * 1024)
#define PS_ARENA_ALIGN   16
#define PS_ARENA_CHUNKS  64


typedef struct {
    unsigned char  *start;
    unsigned char  *pos;
    unsigned char  *end;
} ps_arena_chunk_t;


/*
 * The one arena: jansson's allocator hooks take no context.  Chunk 0 is
 * kept across resets; a record that needed more gets one chunk of the
 * total size at the next reset, so a steady state is one chunk and one
 * range check per free().
 */
static ps_arena_chunk_t  ps_arena[PS_ARENA_CHUNKS];
static unsigned          ps_arena_n;
static int               ps_arena_on;


static void *ps_arena_malloc(size_t size);
static void ps_arena_free(void *p);
static void ps_arena_chunk(ps_arena_chunk_t *c, size_t size);


void
ps_arena_enable(void)
{
    if (ps_arena_on) {
        return;
    }

    ps_arena_chunk(&ps_arena[0], PS_ARENA_CHUNK);
    ps_arena_n = 1;
    ps_arena_on = 1;

    json_set_alloc_funcs(ps_arena_malloc, ps_arena_free);
}


void
ps_arena_reset(void)
{
    size_t    total;
    unsigned  i;

    if (!ps_arena_on) {
        return;
    }

    if (ps_arena_n > 1) {
        total = 0;

        for (i = 0; i < ps_arena_n; i++) {
            total += (size_t) (ps_arena[i].end - ps_arena[i].start);
            free(ps_arena[i].start);
        }

        ps_arena_chunk(&ps_arena[0], total);
        ps_arena_n = 1;
    }

    ps_arena[0].pos = ps_arena[0].start;
}


void
ps_arena_disable(void)
{
    unsigned  i;

    if (!ps_arena_on) {
        return;
    }

    json_set_alloc_funcs(malloc, free);

    for (i = 0; i < ps_arena_n; i++) {
        free(ps_arena[i].start);
    }

    ps_arena_n = 0;
    ps_arena_on = 0;
}


static void *
ps_arena_malloc(size_t size)
{
    size_t             n;
    unsigned char     *p;
    ps_arena_chunk_t  *c;

    n = (size + PS_ARENA_ALIGN - 1) & ~((size_t) PS_ARENA_ALIGN - 1);
    c = &ps_arena[ps_arena_n - 1];

    if ((size_t) (c->end - c->pos) < n) {
        if (ps_arena_n == PS_ARENA_CHUNKS) {
            /* a pathological record: plain malloc, freed by free() */
            return malloc(size);
        }

        c = &ps_arena[ps_arena_n++];
        ps_arena_chunk(c, n > PS_ARENA_CHUNK ? n : PS_ARENA_CHUNK);
    }

    p = c->pos;
    c->pos += n;

    return p;
}


/* arena memory is reclaimed by ps_arena_reset(); anything else is ours */

static void
ps_arena_free(void *p)
{
    unsigned  i;

    for (i = ps_arena_n; i > 0; i--) {
        if ((unsigned char *) p >= ps_arena[i - 1].start
            && (unsigned char *) p < ps_arena[i - 1].end)
        {
            return;
        }
    }

    free(p);
}


static void
ps_arena_chunk(ps_arena_chunk_t *c, size_t size)
{
    c->start = ps_alloc(size);
    c->pos = c->start;
    c->end = c->start + size;
}
