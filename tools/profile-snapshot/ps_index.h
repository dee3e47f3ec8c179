
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The id index of a snapshot (meta "index", docs/snapshot-format.md):
 * written by "build" once the records are in place (ps_writer.c), and
 * by "reindex" for a snapshot whose records were written by other means
 * (ps_reindex.c).
 */


#ifndef _PS_INDEX_H_INCLUDED_
#define _PS_INDEX_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


typedef struct {
    uint64_t        records;
    uint64_t        nslots;
    uint32_t        max_probe;
} ps_index_info_t;


/* slots for count records: a power of two, load factor at most 3/4 */
unsigned ps_index_bits(uint64_t count);

/*
 * Write (or replace) the index of the snapshot file at path, whose
 * records are committed and which no other process writes: opens it
 * with MDB_WRITEMAP, reserves the index in "meta", fills it from the
 * "profiles" database, commits, and truncates the file to the pages in
 * use.  seed is the hash seed of the ids.  Does not fsync.  Returns 0,
 * or -1 after ps_error().
 */
int ps_index_write(const char *path, uint64_t seed, ps_index_info_t *info);

/*
 * ps_index_write() for any keyed table (docs/snapshot-format.md "A
 * keyed table"): the values of database db, under meta key name
 * ("index.relations" over "relations").
 */
int ps_index_write_table(const char *path, const char *db,
    const char *name, uint64_t seed, ps_index_info_t *info);

/* the seed of a snapshot's index: from its content hash text */
uint64_t ps_index_seed(const void *content_hash, size_t len);


#endif /* _PS_INDEX_H_INCLUDED_ */
