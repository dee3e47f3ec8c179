
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * A bump allocator for jansson while "build" handles one record: every
 * json_t of a record comes from a few large chunks that are reset when
 * the record is done, instead of thousands of malloc()/free() pairs.
 * jansson's allocator is process-global: this is for the CLI only, and
 * never for the nginx module (/work/shared/STYLE.md).
 */


#ifndef _PS_ARENA_H_INCLUDED_
#define _PS_ARENA_H_INCLUDED_


#include <stddef.h>


/*
 * Route jansson's allocations through the arena (json_set_alloc_funcs).
 * Values that exist before (the schema) stay malloc()ed and are freed
 * with free() as before; values made while the arena is on must all be
 * released before ps_arena_reset().  Nothing is ever returned to the
 * system while enabled beyond what ps_arena_reset() trims.
 */
void ps_arena_enable(void);

/*
 * Forget everything allocated since the last reset (no-op unless
 * enabled).  The caller guarantees no json_t made since then is alive.
 */
void ps_arena_reset(void);

/* restore malloc()/free() and release the arena's memory */
void ps_arena_disable(void);


#endif /* _PS_ARENA_H_INCLUDED_ */
