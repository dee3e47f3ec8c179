
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The metadata check of a snapshot: the one check of the "meta" values
 * (format, format_version, classes, fields, record_count, index,
 * snapshot_id) and of the "profiles" database's entry count, made by
 * the module at "nginx -t", reload and worker start, and by the CLI's
 * verify and inspect.  Plain C with no nginx types, compiled into the
 * module and into profile-snapshot; it reads through
 * ngx_http_profile_file.[ch] and decodes the tables with the format's
 * decoders (ngx_http_profile_format.h).
 */


#ifndef _NGX_HTTP_PROFILE_META_H_INCLUDED_
#define _NGX_HTTP_PROFILE_META_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "ngx_http_profile_format.h"
#include "ngx_http_profile_file.h"


/* room for the message of ngx_http_profile_meta_check() */
#define NGX_HTTP_PROFILE_META_ERRSTR  NGX_HTTP_PROFILE_FILE_ERRSTR


/* what kind of failure; each comes with its message (docs/errors.md) */
typedef enum {
    NGX_HTTP_PROFILE_META_RC_OK = 0,
    NGX_HTTP_PROFILE_META_RC_NO_DB,      /* no "meta" or "profiles" db */
    NGX_HTTP_PROFILE_META_RC_MISSING,    /* a meta value is absent */
    NGX_HTTP_PROFILE_META_RC_FORMAT,     /* meta "format" is another */
    NGX_HTTP_PROFILE_META_RC_MALFORMED,  /* not a decimal, a bad id */
    NGX_HTTP_PROFILE_META_RC_TABLE,      /* a table fails its decoder */
    NGX_HTTP_PROFILE_META_RC_VERSION,    /* another format version */
    NGX_HTTP_PROFILE_META_RC_COUNT,      /* record_count is not the count */
    NGX_HTTP_PROFILE_META_RC_LMDB,       /* LMDB failed reading */
    NGX_HTTP_PROFILE_META_RC_NOMEM       /* the allocator failed */
} ngx_http_profile_meta_rc_e;


/*
 * The allocator of the decoded tables: size bytes (never 0) for data,
 * aligned for any type, or NULL.  The module passes its snapshot's pool,
 * the CLI malloc().  The check never frees: what it allocated is in the
 * result (classes, fields) even when it fails, for the caller to free.
 */
typedef void *(*ngx_http_profile_meta_alloc_pt)(void *data, size_t size);


/*
 * An embedded source of a snapshot (meta "sources", format version 4):
 * its name (into the map), its database "src.NAME", its fields table
 * (meta "fields.NAME", decoded), its members table (optional meta
 * "members.NAME", decoded: the member ids of its records' trailers;
 * NULL without one), its keyed table (meta "index.src.NAME", its slots
 * not followed here) and its number of records (the database's
 * entries).
 */
typedef struct {
    const unsigned char        *name;
    size_t                      name_len;
    MDB_dbi                     dbi;
    ngx_http_profile_field_t   *fields;
    unsigned                    nfields;
    ngx_http_profile_member_t  *members;
    unsigned                    nmembers;
    ngx_http_profile_index_t    index;
    uint64_t                    record_count;
} ngx_http_profile_meta_source_t;


/*
 * A snapshot's checked metadata.  snapshot_id and the names in the
 * tables point into the file's LMDB map, the index's slots too: valid
 * while the file is open.  classes has NGX_HTTP_PROFILE_MAX_CLASSES
 * entries, nclasses of them used; fields nfields.
 */
typedef struct {
    MDB_dbi                     meta;
    MDB_dbi                     profiles;
    uint64_t                    version;       /* meta "format_version" */
    uint64_t                    record_count;  /* = profiles' entries */
    const unsigned char        *snapshot_id;
    size_t                      snapshot_id_len;
    ngx_http_profile_class_t   *classes;
    ngx_http_profile_field_t   *fields;
    unsigned                    nclasses;
    unsigned                    nfields;
    ngx_http_profile_index_t    index;

    /*
     * The optional tables: the roles (nroles of them, roles NULL when
     * the snapshot has no "roles"), the members (nmembers, members NULL
     * without "members"), the states (has_states), the
     * relation store (has_relations: the "relations" database and its
     * keyed table "index.relations", whose slots are not followed here).
     */
    ngx_http_profile_role_t    *roles;
    unsigned                    nroles;
    ngx_http_profile_member_t  *members;       /* NULL: no "members" */
    unsigned                    nmembers;
    ngx_http_profile_meta_source_t  sources[NGX_HTTP_PROFILE_MAX_SOURCES];
    unsigned                    nsources;      /* 0: no "sources" */
    const unsigned char        *schema_digest;  /* NULL: none */
    size_t                      schema_digest_len;
    ngx_http_profile_states_t   states;
    MDB_dbi                     relations;
    ngx_http_profile_index_t    relations_index;
    unsigned                    has_states:1;
    unsigned                    has_relations:1;
} ngx_http_profile_meta_t;


/*
 * Check the metadata of the open snapshot file f (opened by
 * ngx_http_profile_file_open()) and fill m: open the "meta" database,
 * check each meta value with its parser, in this order: "format" (the
 * format's name), "format_version" (an ASCII decimal of 1 to 20 digits,
 * no sign, at most 2^32 - 1, from NGX_HTTP_PROFILE_FORMAT_VERSION_MIN to
 * NGX_HTTP_PROFILE_FORMAT_VERSION: "02" is 2, "10" is 10), "classes"
 * and "fields" (decoded into memory from alloc(data, size)),
 * "record_count" (a decimal, like the
 * version, up to 2^64 - 1), "index" (ngx_http_profile_index_parse()
 * against record_count), "snapshot_id" (1 to 64 bytes of
 * [A-Za-z0-9._-]); then open the "profiles" database and check that it
 * holds record_count entries; then the optional tables: "roles"
 * (ngx_http_profile_roles_parse()), "states"
 * (ngx_http_profile_states_parse()), "members"
 * (ngx_http_profile_members_parse(), decoded into memory from alloc()
 * like the fields), "sources" (ngx_http_profile_sources_parse(); then
 * per source its database "src.NAME", "fields.NAME" decoded like
 * "fields", "index.src.NAME" parsed against the database's entries:
 * each must be there; and "members.NAME" when there, decoded like
 * "members" against the source's fields), and the relation store, whose
 * "relations" database and "index.relations" must both be there or
 * both be absent, the table checked against the database's entries;
 * and "schema_digest", kept as it is (NULL when absent).  The index's
 * slots are not followed: ngx_http_profile_file_index_check() does that.
 * Returns NGX_HTTP_PROFILE_META_RC_OK, or another ngx_http_profile_meta_rc_e
 * with a message in err (NGX_HTTP_PROFILE_META_ERRSTR bytes,
 * terminated) that reads on after the snapshot's quoted path (module)
 * or path (CLI), e.g. " is not a profile snapshot: meta \"index\" is
 * missing".  m is zeroed first; on failure, what was allocated is left
 * in m for the caller to free.
 */
int ngx_http_profile_meta_check(ngx_http_profile_meta_t *m,
    ngx_http_profile_file_t *f, ngx_http_profile_meta_alloc_pt alloc,
    void *data, char *err);


#endif /* _NGX_HTTP_PROFILE_META_H_INCLUDED_ */
