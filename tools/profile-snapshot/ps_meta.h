
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The metadata a build writes into a snapshot's "meta" database
 * (docs/snapshot-format.md "Metadata"), and the snapshot id it gets
 * when none is given.
 */


#ifndef _PS_META_H_INCLUDED_
#define _PS_META_H_INCLUDED_


#include <stdint.h>
#include <time.h>
#include <lmdb.h>

#include "ps_schema.h"


/* the metadata of one snapshot, besides the schema's */
typedef struct {
    const char     *snapshot_id;
    const char     *created_at;
    const char     *content_hash;
    uint64_t        count;
    unsigned        version;    /* meta "format_version" */
} ps_meta_t;


/*
 * created_at (32 bytes) as "YYYY-MM-DDTHH:MM:SSZ" of tm, and
 * snapshot_id (65 bytes): id if not NULL, else "YYYYMMDDTHHMMSSZ-" and
 * 8 hex digits of content_hash ("sha256:<hex>").
 */
void ps_meta_names(const struct tm *tm, const char *id,
    const char *content_hash, char *created_at, char *snapshot_id);

/*
 * Write m and schema s's metadata into the database meta of env in one
 * transaction; path names the file in messages.  Returns 0, or -1 with
 * a message printed (nothing written then).
 */
int ps_meta_write(MDB_env *env, MDB_dbi meta, const char *path,
    ps_schema_t *s, const ps_meta_t *m);


#endif /* _PS_META_H_INCLUDED_ */
