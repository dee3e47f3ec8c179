
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The final copy: the new snapshot's environment, under its temporary
 * name, and the live records appended to it in key order from the spool
 * (MDB_APPEND: full pages, in transactions of a fixed size), the content
 * hash computed on the way (docs/snapshot-format.md "Content hash").
 */


#ifndef _PS_COPY_H_INCLUDED_
#define _PS_COPY_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "ps_relstore.h"
#include "ps_schema.h"
#include "ps_scratch.h"
#include "ps_spool.h"


/*
 * The first byte of the key of a record of an embeddable source, then
 * the source's index, then its key (ps_writer_put()): below every byte a
 * profile id may start with, so these records come first in key order,
 * grouped by source, and ps_copy_records() stores them in "src.NAME"
 */
#define PS_EMBED_KEY_BYTE  0x01


typedef struct {
    MDB_env        *env;        /* the new snapshot, or NULL */
    MDB_dbi         profiles;
    MDB_dbi         meta;
    const char     *path;       /* its temporary name */
    uint64_t        trailers;   /* records copied that have a trailer */
    MDB_dbi         src[NGX_HTTP_PROFILE_MAX_SOURCES];  /* "src.NAME" */
    uint64_t        src_count[NGX_HTTP_PROFILE_MAX_SOURCES];
    unsigned        nsrc;
} ps_copy_t;


/*
 * Create the new snapshot at path (which must outlive c) with its
 * "profiles" and "meta" databases, and a database "src.NAME" per
 * embeddable source of s: no lock file, no sync until the publish.
 * Returns 0, or -1 with a message printed (nothing to close).
 */
int ps_copy_open(ps_copy_t *c, const char *path, const ps_schema_t *s);

/*
 * Copy every record stored in sc, read from sp, in key order, into c;
 * content_hash (PS_SHA256_TEXT bytes) gets the content hash of the
 * records, of s's tables and of rel's relations (NULL: none; sorted),
 * *count the number of profiles, c->trailers those of them with a
 * trailer (format version 4).  The records of an embeddable source
 * (keys PS_EMBED_KEY_BYTE, its index, its key: first in key order) go
 * to its database under their key, counted in c->src_count; the content
 * hash starts with them (docs/snapshot-format.md "Content hash").  The spool
 * must be flushed and the scratch environment committed.  Returns 0, or
 * -1 with a message printed.
 */
int ps_copy_records(ps_copy_t *c, ps_scratch_t *sc, ps_spool_t *sp,
    ps_schema_t *s, const ps_relstore_t *rel, char *content_hash,
    uint64_t *count);

/*
 * Make sure the map has need bytes free beyond the last page in use
 * (between transactions only); with exact, set it to exactly that, also
 * when that is smaller.  Returns 0, or -1 with a message printed.
 */
int ps_copy_room(ps_copy_t *c, size_t need, int exact);

/* close the environment (the file stays) */
void ps_copy_close(ps_copy_t *c);


#endif /* _PS_COPY_H_INCLUDED_ */
