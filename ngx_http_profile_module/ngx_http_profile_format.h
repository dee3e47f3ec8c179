
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The on-disk snapshot format: the one contract shared by the
 * profile-snapshot compiler (writer) and the nginx module (reader).
 * No nginx types here: the CLI includes this header too.
 * docs/snapshot-format.md documents every byte.
 */


#ifndef _NGX_HTTP_PROFILE_FORMAT_H_INCLUDED_
#define _NGX_HTTP_PROFILE_FORMAT_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <string.h>


/*
 * The newest format version this library reads and writes, and the
 * oldest it reads: version 2 files are read as version 3 files whose
 * profiles are all active (their writers left the record flags 0).  A
 * writer marks a file NGX_HTTP_PROFILE_FORMAT_VERSION only when it uses
 * something of version 4 (a record trailer, the "members" table, an
 * embedded source), and NGX_HTTP_PROFILE_FORMAT_VERSION_PLAIN
 * otherwise, so that readers of version 3 still read it.
 */
#define NGX_HTTP_PROFILE_FORMAT_VERSION      4
#define NGX_HTTP_PROFILE_FORMAT_VERSION_PLAIN 3
#define NGX_HTTP_PROFILE_FORMAT_VERSION_MIN  2
#define NGX_HTTP_PROFILE_FORMAT_NAME         "profile-snapshot"

/* named LMDB databases inside one snapshot file */
#define NGX_HTTP_PROFILE_DB_META             "meta"
#define NGX_HTTP_PROFILE_DB_PROFILES         "profiles"
#define NGX_HTTP_PROFILE_DB_RELATIONS        "relations" /* optional */
#define NGX_HTTP_PROFILE_DB_SOURCE           "src."      /* + NAME */
#define NGX_HTTP_PROFILE_MAX_DBS             16

/* keys of the "meta" database */
#define NGX_HTTP_PROFILE_META_FORMAT         "format"
#define NGX_HTTP_PROFILE_META_VERSION        "format_version"
#define NGX_HTTP_PROFILE_META_SNAPSHOT_ID    "snapshot_id"
#define NGX_HTTP_PROFILE_META_CREATED_AT     "created_at"
#define NGX_HTTP_PROFILE_META_SCHEMA_DIGEST  "schema_digest"
#define NGX_HTTP_PROFILE_META_RECORD_COUNT   "record_count"
#define NGX_HTTP_PROFILE_META_CONTENT_HASH   "content_hash"
#define NGX_HTTP_PROFILE_META_GENERATOR      "generator"
#define NGX_HTTP_PROFILE_META_CLASSES        "classes"
#define NGX_HTTP_PROFILE_META_FIELDS         "fields"
#define NGX_HTTP_PROFILE_META_SCHEMA         "schema"
#define NGX_HTTP_PROFILE_META_INDEX          "index"
#define NGX_HTTP_PROFILE_META_ROLES          "roles"     /* optional */
#define NGX_HTTP_PROFILE_META_INDEX_RELATIONS "index.relations" /* optional */
#define NGX_HTTP_PROFILE_META_STATES         "states"    /* optional */
#define NGX_HTTP_PROFILE_META_MEMBERS        "members"   /* optional */
#define NGX_HTTP_PROFILE_META_SOURCES        "sources"   /* optional */
#define NGX_HTTP_PROFILE_META_FIELDS_SOURCE  "fields."   /* + NAME */
#define NGX_HTTP_PROFILE_META_INDEX_SOURCE   "index.src." /* + NAME */
#define NGX_HTTP_PROFILE_META_MEMBERS_SOURCE "members."  /* + NAME */

/*
 * Embedded sources (format version 4): at most 8 a snapshot (with meta,
 * profiles and relations they stay within NGX_HTTP_PROFILE_MAX_DBS),
 * named by 1 .. 32 bytes of [a-z0-9_]; the longest database or meta
 * name made of one, with its NUL, fits NGX_HTTP_PROFILE_SOURCE_KEY_MAX.
 */
#define NGX_HTTP_PROFILE_MAX_SOURCES         8
#define NGX_HTTP_PROFILE_SOURCE_NAME_MAX     32
#define NGX_HTTP_PROFILE_SOURCE_KEY_MAX                                       \
    (sizeof(NGX_HTTP_PROFILE_META_INDEX_SOURCE)                               \
     + NGX_HTTP_PROFILE_SOURCE_NAME_MAX)
#define NGX_HTTP_PROFILE_SOURCES_COUNT_SIZE  1

/* profile ids: 1..128 bytes of [A-Za-z0-9._~-] (see id_valid below) */
#define NGX_HTTP_PROFILE_ID_MAX              128

/* snapshot ids: 1..64 bytes of [A-Za-z0-9._-] (snapshot_id_valid) */
#define NGX_HTTP_PROFILE_SNAPSHOT_ID_MAX     64

/*
 * A snapshot directory (docs/snapshot-dir.md), the contract between
 * profile-snapshot publish and the module: the marker file and the
 * layout it must hold, the pointer, and the suffix of a published file
 * (whose name is its snapshot id and the suffix,
 * ngx_http_profile_snapshot_name()).
 */
#define NGX_HTTP_PROFILE_DIR_MARKER          ".profile-snapshot-dir"
#define NGX_HTTP_PROFILE_DIR_LAYOUT          "profile-snapshot-dir 1\n"
#define NGX_HTTP_PROFILE_DIR_CURRENT         "current"
#define NGX_HTTP_PROFILE_DIR_SUFFIX          ".snap"

/* limits that keep every table index in its integer type */
#define NGX_HTTP_PROFILE_MAX_CLASSES         64
#define NGX_HTTP_PROFILE_MAX_FIELDS          65535
#define NGX_HTTP_PROFILE_FIELD_NAME_MAX      255

/* visibility classes every snapshot has, at these ids */
#define NGX_HTTP_PROFILE_CLASS_PUBLIC        0
#define NGX_HTTP_PROFILE_CLASS_SELF          1

/*
 * The classes of a schema with audiences (docs/schema.md "Audiences and
 * roles"), in this fixed order after public and self; the schema's roles
 * follow from NGX_HTTP_PROFILE_CLASS_ROLES on, in declaration order.  A
 * snapshot uses audiences when its classes table starts with exactly
 * these names (docs/snapshot-format.md "classes table"); class "never"
 * is in the fields table only: no record carries a field of it.
 */
#define NGX_HTTP_PROFILE_CLASS_AUTHENTICATED 2
#define NGX_HTTP_PROFILE_CLASS_FOLLOWER      3
#define NGX_HTTP_PROFILE_CLASS_FRIEND        4
#define NGX_HTTP_PROFILE_CLASS_NEVER         5
#define NGX_HTTP_PROFILE_CLASS_ROLES         6
#define NGX_HTTP_PROFILE_MAX_ROLES                                            \
    (NGX_HTTP_PROFILE_MAX_CLASSES - NGX_HTTP_PROFILE_CLASS_ROLES)

/*
 * Every layout below is written and read only through the names and
 * the functions of this header and ngx_http_profile_format.c: no byte
 * offset is spelled anywhere else (docs/snapshot-format.md).
 *
 * Record: a 16-byte header, the id (a length byte, then the id), the
 * entries, the body.  The hash covers bytes HASHED .. end.
 */
#define NGX_HTTP_PROFILE_RECORD_VERSION      2
#define NGX_HTTP_PROFILE_RECORD_HEADER_SIZE  16
#define NGX_HTTP_PROFILE_RECORD_MIN_SIZE     18

#define NGX_HTTP_PROFILE_REC_VERSION         0     /* u8 */
#define NGX_HTTP_PROFILE_REC_FLAGS           1     /* u8: the state */
#define NGX_HTTP_PROFILE_REC_NENTRIES        2     /* u16 */
#define NGX_HTTP_PROFILE_REC_BODY_LEN        4     /* u32 */
#define NGX_HTTP_PROFILE_REC_HASH            8     /* u64 */
#define NGX_HTTP_PROFILE_REC_HASHED          16
#define NGX_HTTP_PROFILE_REC_ID_LEN          16    /* u8 */
#define NGX_HTTP_PROFILE_REC_ID              17

/*
 * Record flags: bits 0..1 are the profile's state; bit 2 says that a
 * trailer follows the body (format version 4); the other bits must be
 * 0 (a reader cannot know what a bit it does not know would hide).
 * The flags are the seed of the record's hash, so a changed state
 * fails the hash like a changed byte of the body.
 */
#define NGX_HTTP_PROFILE_REC_STATE_MASK      0x03
#define NGX_HTTP_PROFILE_REC_TRAILER         0x04
#define NGX_HTTP_PROFILE_REC_KNOWN_FLAGS     0x07
#define NGX_HTTP_PROFILE_STATE_ACTIVE        0
#define NGX_HTTP_PROFILE_STATE_PRIVATE       1
#define NGX_HTTP_PROFILE_STATE_SUSPENDED     2
#define NGX_HTTP_PROFILE_STATE_DELETED       3
#define NGX_HTTP_PROFILE_STATES              4

/* an entry of the record's field table */
#define NGX_HTTP_PROFILE_ENTRY_SIZE          12
#define NGX_HTTP_PROFILE_ENTRY_FIELD         0     /* u16 */
#define NGX_HTTP_PROFILE_ENTRY_CLASS         2     /* u8 */
#define NGX_HTTP_PROFILE_ENTRY_TYPE          3     /* u8 */
#define NGX_HTTP_PROFILE_ENTRY_OFF           4     /* u32, in the body */
#define NGX_HTTP_PROFILE_ENTRY_LEN           8     /* u32 */

/*
 * The record trailer (flag NGX_HTTP_PROFILE_REC_TRAILER), after the
 * body: u16 nmembers, nmembers member entries (u16 member id, u32 off,
 * u32 len: the member's value bytes inside the body, ascending member
 * id), u16 nalts, nalts alt entries (u8 kind, u8 of, u16 id, u32 off,
 * u32 len: inside the trailer's data, ascending (of, id, kind)), u32
 * data_len and the data_len bytes of the alt values.
 */
#define NGX_HTTP_PROFILE_TRAILER_COUNT_SIZE  2     /* u16 nmembers, nalts */
#define NGX_HTTP_PROFILE_TRAILER_DATA_SIZE   4     /* u32 data_len */
#define NGX_HTTP_PROFILE_TRAILER_MIN_SIZE    8

#define NGX_HTTP_PROFILE_TMEMBER_SIZE        10
#define NGX_HTTP_PROFILE_TMEMBER_ID          0     /* u16 */
#define NGX_HTTP_PROFILE_TMEMBER_OFF         2     /* u32, in the body */
#define NGX_HTTP_PROFILE_TMEMBER_LEN         6     /* u32 */

#define NGX_HTTP_PROFILE_TALT_SIZE           12
#define NGX_HTTP_PROFILE_TALT_KIND           0     /* u8 */
#define NGX_HTTP_PROFILE_TALT_OF             1     /* u8 */
#define NGX_HTTP_PROFILE_TALT_ID             2     /* u16 */
#define NGX_HTTP_PROFILE_TALT_OFF            4     /* u32, in the data */
#define NGX_HTTP_PROFILE_TALT_LEN            8     /* u32 */

/* alt kinds, and what an alt's id names */
#define NGX_HTTP_PROFILE_ALT_EPOCH           1     /* epoch seconds */
#define NGX_HTTP_PROFILE_ALT_KIND_MAX        1
#define NGX_HTTP_PROFILE_ALT_OF_FIELD        0
#define NGX_HTTP_PROFILE_ALT_OF_MEMBER       1

/*
 * The "members" table (optional; a schema whose top-level object fields
 * declare members): u16 count, then per member this 5-byte head (u16
 * parent field id, u8 type, u16 name length) and the name.  The index
 * of a member is its member id.
 */
#define NGX_HTTP_PROFILE_MEMBERS_COUNT_SIZE  2
#define NGX_HTTP_PROFILE_MEMBER_HEAD_SIZE    5
#define NGX_HTTP_PROFILE_MEMBER_PARENT       0     /* u16 */
#define NGX_HTTP_PROFILE_MEMBER_TYPE         2     /* u8 */
#define NGX_HTTP_PROFILE_MEMBER_NAME_LEN     3     /* u16 */
#define NGX_HTTP_PROFILE_MAX_MEMBERS         65535

/*
 * A keyed table (meta "index" over "profiles"): a 16-byte header, then
 * 2^bits 16-byte slots, each naming a value by its file offset and size
 * (offset 0: an empty slot) with 32 bits of its key's hash as a tag.
 */
#define NGX_HTTP_PROFILE_INDEX_HEADER_SIZE   16
#define NGX_HTTP_PROFILE_INDEX_SEED          0     /* u64 */
#define NGX_HTTP_PROFILE_INDEX_BITS          8     /* u32 */
#define NGX_HTTP_PROFILE_INDEX_PROBE         12    /* u32, max_probe */
#define NGX_HTTP_PROFILE_INDEX_MAX_BITS      32

#define NGX_HTTP_PROFILE_INDEX_SLOT_SIZE     16
#define NGX_HTTP_PROFILE_SLOT_OFF            0     /* u64 */
#define NGX_HTTP_PROFILE_SLOT_LEN            8     /* u32 */
#define NGX_HTTP_PROFILE_SLOT_TAG            12    /* u32 */

/* the "fields" table: u16 count, then per field this 4-byte head + name */
#define NGX_HTTP_PROFILE_FIELDS_COUNT_SIZE   2
#define NGX_HTTP_PROFILE_FIELD_HEAD_SIZE     4
#define NGX_HTTP_PROFILE_FIELD_TYPE          0     /* u8 */
#define NGX_HTTP_PROFILE_FIELD_CLASS         1     /* u8 */
#define NGX_HTTP_PROFILE_FIELD_NAME_LEN      2     /* u16 */

/* the "classes" table: u8 count, then per class u8 length + name */
#define NGX_HTTP_PROFILE_CLASSES_COUNT_SIZE  1

/*
 * "roles" table (optional; a schema with roles): a u8 count, then per
 * role its class id, the number of fields it also sees and their ids,
 * ascending.
 */
#define NGX_HTTP_PROFILE_ROLES_COUNT_SIZE    1
#define NGX_HTTP_PROFILE_ROLE_HEAD_SIZE      3
#define NGX_HTTP_PROFILE_ROLE_CLASS          0     /* u8 */
#define NGX_HTTP_PROFILE_ROLE_NFIELDS        1     /* u16 */
#define NGX_HTTP_PROFILE_ROLE_FIELD_SIZE     2     /* u16 each */

/*
 * "states" table (optional; a schema with states): for the private,
 * suspended and deleted states a u64 mask of the role classes that see
 * such a profile, then a u16 count of stub fields and their ids,
 * ascending (the fields a private profile shows to viewers who may not
 * see it).
 */
#define NGX_HTTP_PROFILE_STATES_PRIVATE      0     /* u64 role mask */
#define NGX_HTTP_PROFILE_STATES_SUSPENDED    8     /* u64 role mask */
#define NGX_HTTP_PROFILE_STATES_DELETED      16    /* u64 role mask */
#define NGX_HTTP_PROFILE_STATES_NSTUB        24    /* u16 */
#define NGX_HTTP_PROFILE_STATES_HEAD_SIZE    26
#define NGX_HTTP_PROFILE_STATES_FIELD_SIZE   2     /* u16 each */

/* field value types, stored per field and per entry */
/*
 * Relations (database "relations", optional): one value per pair of
 * profile ids that has any edge, keyed by the pair key: u8 a_len, a,
 * u8 b_len, b, where a sorts before b as LMDB sorts keys (memcmp over
 * the shorter length, then the shorter first).  The value: version,
 * the relation bits, then the pair key itself, so that a value reached
 * through the keyed table "index.relations" tells a tag collision from
 * a match.  The bits say what holds between a and b, in that order.
 */
#define NGX_HTTP_PROFILE_RELATION_VERSION    1
#define NGX_HTTP_PROFILE_REL_VERSION         0     /* u8 */
#define NGX_HTTP_PROFILE_REL_BITS            1     /* u8 */
#define NGX_HTTP_PROFILE_REL_KEY             2     /* the pair key */
#define NGX_HTTP_PROFILE_PAIR_KEY_MAX        (2 + 2 * NGX_HTTP_PROFILE_ID_MAX)
#define NGX_HTTP_PROFILE_RELATION_MIN_SIZE   (NGX_HTTP_PROFILE_REL_KEY + 4)

#define NGX_HTTP_PROFILE_REL_A_FOLLOWS_B     0x01
#define NGX_HTTP_PROFILE_REL_B_FOLLOWS_A     0x02
#define NGX_HTTP_PROFILE_REL_FRIEND          0x04  /* either way */
#define NGX_HTTP_PROFILE_REL_A_BLOCKS_B      0x08
#define NGX_HTTP_PROFILE_REL_B_BLOCKS_A      0x10
#define NGX_HTTP_PROFILE_REL_KNOWN           0x1f

#define NGX_HTTP_PROFILE_TYPE_NULL           0
#define NGX_HTTP_PROFILE_TYPE_STRING         1
#define NGX_HTTP_PROFILE_TYPE_INTEGER        2
#define NGX_HTTP_PROFILE_TYPE_NUMBER         3
#define NGX_HTTP_PROFILE_TYPE_BOOLEAN        4
#define NGX_HTTP_PROFILE_TYPE_TIMESTAMP      5
#define NGX_HTTP_PROFILE_TYPE_OBJECT         6
#define NGX_HTTP_PROFILE_TYPE_ARRAY          7
#define NGX_HTTP_PROFILE_TYPE_MAX            7


/* results of the decoders below; 0 is success */
typedef enum {
    NGX_HTTP_PROFILE_FMT_OK = 0,
    NGX_HTTP_PROFILE_FMT_SHORT,         /* shorter than its header */
    NGX_HTTP_PROFILE_FMT_VERSION,       /* unknown record version */
    NGX_HTTP_PROFILE_FMT_LENGTH,        /* lengths do not add up */
    NGX_HTTP_PROFILE_FMT_BOUNDS,        /* entry points outside body */
    NGX_HTTP_PROFILE_FMT_FIELD,         /* unknown field id */
    NGX_HTTP_PROFILE_FMT_CLASS,         /* unknown visibility class */
    NGX_HTTP_PROFILE_FMT_TYPE,          /* unknown value type */
    NGX_HTTP_PROFILE_FMT_ORDER,         /* field ids not ascending */
    NGX_HTTP_PROFILE_FMT_NAME,          /* bad name in a table */
    NGX_HTTP_PROFILE_FMT_COUNT,         /* table count out of range */
    NGX_HTTP_PROFILE_FMT_OVERLAP,       /* fragments overlap */
    NGX_HTTP_PROFILE_FMT_ID,            /* bad id inside the record */
    NGX_HTTP_PROFILE_FMT_SLOT,          /* index slot outside the file */
    NGX_HTTP_PROFILE_FMT_PROBE,         /* index probe limit too low */
    NGX_HTTP_PROFILE_FMT_HASH,          /* stored hash does not match */
    NGX_HTTP_PROFILE_FMT_MISSING,       /* no such id (not an error) */
    NGX_HTTP_PROFILE_FMT_RELATION,      /* unknown relation bits */
    NGX_HTTP_PROFILE_FMT_FLAGS          /* unknown record flags */
} ngx_http_profile_fmt_rc_e;


/* one entry of a record's field table, decoded */
typedef struct {
    uint16_t              field_id;
    uint8_t               cls;
    uint8_t               type;
    uint32_t              off;      /* fragment offset inside the body */
    uint32_t              len;      /* fragment length */
} ngx_http_profile_entry_t;


/*
 * A record, validated by ngx_http_profile_record_parse().  Pointers
 * point into the caller's buffer (for the module: the LMDB map) and are
 * valid as long as that buffer is.
 */
typedef struct {
    const unsigned char  *id;       /* id_len bytes, the record's key */
    const unsigned char  *entries;  /* nentries * ENTRY_SIZE bytes */
    const unsigned char  *body;     /* body_len bytes of fragments */
    const unsigned char  *trailer;  /* trailer_len bytes, or NULL */
    uint64_t              hash;
    uint32_t              body_len;
    uint32_t              trailer_len; /* 0: no trailer */
    uint16_t              nentries;
    uint8_t               flags;
    uint8_t               state;    /* NGX_HTTP_PROFILE_STATE_* */
    uint8_t               id_len;
} ngx_http_profile_record_t;


/*
 * A record's trailer, validated by ngx_http_profile_record_trailer():
 * its member entries, alt entries and alt data, and the body its member
 * entries point into.  Pointers point into the record.
 */
typedef struct {
    const unsigned char  *members;  /* nmembers * TMEMBER_SIZE bytes */
    const unsigned char  *alts;     /* nalts * TALT_SIZE bytes */
    const unsigned char  *data;     /* data_len bytes of alt values */
    const unsigned char  *body;     /* the record's body */
    uint32_t              body_len;
    uint32_t              data_len;
    uint16_t              nmembers;
    uint16_t              nalts;
} ngx_http_profile_trailer_t;


/* a member entry or an alt entry of a trailer, decoded */
typedef struct {
    uint32_t              off;
    uint32_t              len;
    uint16_t              id;       /* member id; alt: field or member id */
    uint8_t               kind;     /* alt: NGX_HTTP_PROFILE_ALT_* */
    uint8_t               of;       /* alt: NGX_HTTP_PROFILE_ALT_OF_* */
} ngx_http_profile_tentry_t;


/*
 * A member of the "members" table: a declared member of a top-level
 * object field (parent); name points into the table.
 */
typedef struct {
    const unsigned char  *name;
    uint16_t              name_len;
    uint16_t              parent;   /* field id of the object field */
    uint8_t               type;
} ngx_http_profile_member_t;


/* an embedded source of the "sources" table; name points into the table */
typedef struct {
    const unsigned char  *name;
    uint8_t               name_len;
} ngx_http_profile_source_t;


/*
 * The id index (meta "index"), validated by ngx_http_profile_index_parse():
 * an open-addressing hash table of 2^bits slots, each naming a record by
 * its offset and size in the snapshot file (docs/snapshot-format.md).
 */
typedef struct {
    const unsigned char  *slots;    /* nslots * INDEX_SLOT_SIZE bytes */
    uint64_t              seed;     /* XXH64 seed of the ids */
    uint64_t              mask;     /* nslots - 1 */
    uint32_t              max_probe;
    unsigned              bits;
} ngx_http_profile_index_t;


/* a field of the snapshot's "fields" table; name points into the table */
typedef struct {
    const unsigned char  *name;
    uint16_t              name_len;
    uint8_t               type;
    uint8_t               cls;
} ngx_http_profile_field_t;


/* a visibility class of the "classes" table */
typedef struct {
    const unsigned char  *name;
    uint8_t               name_len;
} ngx_http_profile_class_t;


/*
 * A role of the "roles" table: its class and the fields it sees beyond
 * its classes (nfields u16 field ids at fields, read with
 * ngx_http_profile_role_field()); fields points into the table.
 */
typedef struct {
    const unsigned char  *fields;
    uint16_t              nfields;
    uint8_t               cls;
} ngx_http_profile_role_t;


/*
 * The "states" table, validated by ngx_http_profile_states_parse():
 * roles[state] is the mask of the role classes that see a profile in
 * that state (roles[NGX_HTTP_PROFILE_STATE_ACTIVE] is 0: everyone does);
 * the nstub stub field ids are read with ngx_http_profile_states_stub().
 */
typedef struct {
    uint64_t              roles[NGX_HTTP_PROFILE_STATES];
    const unsigned char  *stub;
    uint16_t              nstub;
} ngx_http_profile_states_t;


/*
 * A relation value, validated by ngx_http_profile_relation_parse();
 * pointers point into the caller's buffer.
 */
typedef struct {
    const unsigned char  *key;      /* the pair key, key_len bytes */
    const unsigned char  *a;        /* the lower id of the pair */
    const unsigned char  *b;
    uint16_t              key_len;
    uint8_t               a_len;
    uint8_t               b_len;
    uint8_t               bits;     /* NGX_HTTP_PROFILE_REL_*, a to b */
} ngx_http_profile_relation_t;


/* little-endian loads and stores, safe on unaligned memory */

static inline uint16_t
ngx_http_profile_get16(const unsigned char *p)
{
    return (uint16_t) (p[0] | (p[1] << 8));
}


static inline uint32_t
ngx_http_profile_get32(const unsigned char *p)
{
    return (uint32_t) p[0] | ((uint32_t) p[1] << 8)
           | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}


static inline uint64_t
ngx_http_profile_get64(const unsigned char *p)
{
    return (uint64_t) ngx_http_profile_get32(p)
           | ((uint64_t) ngx_http_profile_get32(p + 4) << 32);
}


static inline unsigned char *
ngx_http_profile_put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char) v;
    p[1] = (unsigned char) (v >> 8);
    return p + 2;
}


static inline unsigned char *
ngx_http_profile_put32(unsigned char *p, uint32_t v)
{
    p = ngx_http_profile_put16(p, (uint16_t) v);
    return ngx_http_profile_put16(p, (uint16_t) (v >> 16));
}


static inline unsigned char *
ngx_http_profile_put64(unsigned char *p, uint64_t v)
{
    p = ngx_http_profile_put32(p, (uint32_t) v);
    return ngx_http_profile_put32(p, (uint32_t) (v >> 32));
}


/*
 * Decode an entry of a record that ngx_http_profile_record_parse()
 * accepted; i must be below rec->nentries.
 */
static inline void
ngx_http_profile_record_entry(const ngx_http_profile_record_t *rec,
    unsigned i, ngx_http_profile_entry_t *e)
{
    const unsigned char  *p;

    p = rec->entries + (size_t) i * NGX_HTTP_PROFILE_ENTRY_SIZE;

    e->field_id = ngx_http_profile_get16(p + NGX_HTTP_PROFILE_ENTRY_FIELD);
    e->cls = p[NGX_HTTP_PROFILE_ENTRY_CLASS];
    e->type = p[NGX_HTTP_PROFILE_ENTRY_TYPE];
    e->off = ngx_http_profile_get32(p + NGX_HTTP_PROFILE_ENTRY_OFF);
    e->len = ngx_http_profile_get32(p + NGX_HTTP_PROFILE_ENTRY_LEN);
}


/*
 * Encode entry e at p (NGX_HTTP_PROFILE_ENTRY_SIZE bytes); returns the
 * byte after it.  The writer's side of ngx_http_profile_record_entry().
 */
static inline unsigned char *
ngx_http_profile_entry_encode(unsigned char *p,
    const ngx_http_profile_entry_t *e)
{
    ngx_http_profile_put16(p + NGX_HTTP_PROFILE_ENTRY_FIELD, e->field_id);
    p[NGX_HTTP_PROFILE_ENTRY_CLASS] = e->cls;
    p[NGX_HTTP_PROFILE_ENTRY_TYPE] = e->type;
    ngx_http_profile_put32(p + NGX_HTTP_PROFILE_ENTRY_OFF, e->off);
    ngx_http_profile_put32(p + NGX_HTTP_PROFILE_ENTRY_LEN, e->len);

    return p + NGX_HTTP_PROFILE_ENTRY_SIZE;
}


/*
 * Encode one field of the "fields" table at p: its head (type, class,
 * name length) and name (1 .. NGX_HTTP_PROFILE_FIELD_NAME_MAX bytes of
 * [A-Za-z0-9_]).  Returns the byte after it.  The table is the u16 count
 * (ngx_http_profile_put16()), then its fields.
 */
static inline unsigned char *
ngx_http_profile_field_encode(unsigned char *p, uint8_t type, uint8_t cls,
    const void *name, size_t len)
{
    p[NGX_HTTP_PROFILE_FIELD_TYPE] = type;
    p[NGX_HTTP_PROFILE_FIELD_CLASS] = cls;
    ngx_http_profile_put16(p + NGX_HTTP_PROFILE_FIELD_NAME_LEN,
                           (uint16_t) len);
    memcpy(p + NGX_HTTP_PROFILE_FIELD_HEAD_SIZE, name, len);

    return p + NGX_HTTP_PROFILE_FIELD_HEAD_SIZE + len;
}


/*
 * Encode one class of the "classes" table at p: its length byte and
 * name.  Returns the byte after it.  The table is the u8 count, then its
 * classes.
 */
static inline unsigned char *
ngx_http_profile_class_encode(unsigned char *p, const void *name,
    size_t len)
{
    *p++ = (unsigned char) len;
    memcpy(p, name, len);

    return p + len;
}


/*
 * Encode the head of one role of the "roles" table at p: its class and
 * the number of field ids that follow it (each written with
 * ngx_http_profile_put16(), ascending).  Returns the byte after the
 * head.  The table is the u8 count, then its roles.
 */
static inline unsigned char *
ngx_http_profile_role_encode(unsigned char *p, uint8_t cls,
    uint16_t nfields)
{
    p[NGX_HTTP_PROFILE_ROLE_CLASS] = cls;
    ngx_http_profile_put16(p + NGX_HTTP_PROFILE_ROLE_NFIELDS, nfields);

    return p + NGX_HTTP_PROFILE_ROLE_HEAD_SIZE;
}


/* field i (< role->nfields) of a role ngx_http_profile_roles_parse() gave */
static inline uint16_t
ngx_http_profile_role_field(const ngx_http_profile_role_t *role,
    unsigned i)
{
    return ngx_http_profile_get16(role->fields
                                  + (size_t) i
                                    * NGX_HTTP_PROFILE_ROLE_FIELD_SIZE);
}


/*
 * Encode the head of the "states" table at p: the role masks of the
 * private, suspended and deleted states and the number of stub field
 * ids that follow (each written with ngx_http_profile_put16(),
 * ascending).  Returns the byte after the head.
 */
static inline unsigned char *
ngx_http_profile_states_encode(unsigned char *p, uint64_t private_roles,
    uint64_t suspended_roles, uint64_t deleted_roles, uint16_t nstub)
{
    ngx_http_profile_put64(p + NGX_HTTP_PROFILE_STATES_PRIVATE,
                           private_roles);
    ngx_http_profile_put64(p + NGX_HTTP_PROFILE_STATES_SUSPENDED,
                           suspended_roles);
    ngx_http_profile_put64(p + NGX_HTTP_PROFILE_STATES_DELETED,
                           deleted_roles);
    ngx_http_profile_put16(p + NGX_HTTP_PROFILE_STATES_NSTUB, nstub);

    return p + NGX_HTTP_PROFILE_STATES_HEAD_SIZE;
}


/* stub field i (< st->nstub) of a table ngx_http_profile_states_parse() gave */
static inline uint16_t
ngx_http_profile_states_stub(const ngx_http_profile_states_t *st, unsigned i)
{
    return ngx_http_profile_get16(st->stub
                                  + (size_t) i
                                    * NGX_HTTP_PROFILE_STATES_FIELD_SIZE);
}


/*
 * Set the state (NGX_HTTP_PROFILE_STATE_*) of a record whose header
 * ngx_http_profile_record_encode() wrote, before
 * ngx_http_profile_record_seal(): the flags seed the hash.
 */
static inline void
ngx_http_profile_record_set_state(unsigned char *p, unsigned state)
{
    p[NGX_HTTP_PROFILE_REC_FLAGS] = (unsigned char)
                                    (state & NGX_HTTP_PROFILE_REC_STATE_MASK);
}


/*
 * Encode a record's header and id at p: version, flags 0 (an active
 * profile: ngx_http_profile_record_set_state() sets another), nentries and
 * body_len, the hash left 0 for ngx_http_profile_record_seal(), then
 * id_len (1 .. NGX_HTTP_PROFILE_ID_MAX) and the id.  Returns the byte
 * after the id, where the entries go.
 */
static inline unsigned char *
ngx_http_profile_record_encode(unsigned char *p, uint16_t nentries,
    uint32_t body_len, const void *id, size_t id_len)
{
    p[NGX_HTTP_PROFILE_REC_VERSION] = NGX_HTTP_PROFILE_RECORD_VERSION;
    p[NGX_HTTP_PROFILE_REC_FLAGS] = 0;
    ngx_http_profile_put16(p + NGX_HTTP_PROFILE_REC_NENTRIES, nentries);
    ngx_http_profile_put32(p + NGX_HTTP_PROFILE_REC_BODY_LEN, body_len);
    ngx_http_profile_put64(p + NGX_HTTP_PROFILE_REC_HASH, 0);
    p[NGX_HTTP_PROFILE_REC_ID_LEN] = (unsigned char) id_len;
    memcpy(p + NGX_HTTP_PROFILE_REC_ID, id, id_len);

    return p + NGX_HTTP_PROFILE_REC_ID + id_len;
}


/*
 * Mark a record whose header ngx_http_profile_record_encode() wrote as
 * having a trailer, before ngx_http_profile_record_seal() (the flags
 * seed the hash); the trailer follows the body.
 */
static inline void
ngx_http_profile_record_set_trailer(unsigned char *p)
{
    p[NGX_HTTP_PROFILE_REC_FLAGS] |= NGX_HTTP_PROFILE_REC_TRAILER;
}


/* the size of a trailer of nmembers, nalts and data_len data bytes */
static inline uint64_t
ngx_http_profile_trailer_size_of(uint64_t nmembers, uint64_t nalts,
    uint64_t data_len)
{
    return NGX_HTTP_PROFILE_TRAILER_MIN_SIZE
           + nmembers * NGX_HTTP_PROFILE_TMEMBER_SIZE
           + nalts * NGX_HTTP_PROFILE_TALT_SIZE + data_len;
}


/*
 * Encode a trailer's head at p: the count of member entries, the member
 * entries (m[0 .. nmembers - 1]: id, off, len), the count of alt
 * entries, the alt entries (a[0 .. nalts - 1]), data_len.  The caller
 * copies the data_len bytes of the alt values to the byte returned.
 * Entries must be in the order ngx_http_profile_record_trailer() wants.
 */
static inline unsigned char *
ngx_http_profile_trailer_encode(unsigned char *p,
    const ngx_http_profile_tentry_t *m, unsigned nmembers,
    const ngx_http_profile_tentry_t *a, unsigned nalts, uint32_t data_len)
{
    unsigned  i;

    p = ngx_http_profile_put16(p, (uint16_t) nmembers);

    for (i = 0; i < nmembers; i++) {
        ngx_http_profile_put16(p + NGX_HTTP_PROFILE_TMEMBER_ID, m[i].id);
        ngx_http_profile_put32(p + NGX_HTTP_PROFILE_TMEMBER_OFF, m[i].off);
        ngx_http_profile_put32(p + NGX_HTTP_PROFILE_TMEMBER_LEN, m[i].len);
        p += NGX_HTTP_PROFILE_TMEMBER_SIZE;
    }

    p = ngx_http_profile_put16(p, (uint16_t) nalts);

    for (i = 0; i < nalts; i++) {
        p[NGX_HTTP_PROFILE_TALT_KIND] = a[i].kind;
        p[NGX_HTTP_PROFILE_TALT_OF] = a[i].of;
        ngx_http_profile_put16(p + NGX_HTTP_PROFILE_TALT_ID, a[i].id);
        ngx_http_profile_put32(p + NGX_HTTP_PROFILE_TALT_OFF, a[i].off);
        ngx_http_profile_put32(p + NGX_HTTP_PROFILE_TALT_LEN, a[i].len);
        p += NGX_HTTP_PROFILE_TALT_SIZE;
    }

    return ngx_http_profile_put32(p, data_len);
}


/* member entry i (< t->nmembers) of a trailer */
static inline void
ngx_http_profile_trailer_member_entry(const ngx_http_profile_trailer_t *t,
    unsigned i, ngx_http_profile_tentry_t *e)
{
    const unsigned char  *p;

    p = t->members + (size_t) i * NGX_HTTP_PROFILE_TMEMBER_SIZE;

    e->id = ngx_http_profile_get16(p + NGX_HTTP_PROFILE_TMEMBER_ID);
    e->off = ngx_http_profile_get32(p + NGX_HTTP_PROFILE_TMEMBER_OFF);
    e->len = ngx_http_profile_get32(p + NGX_HTTP_PROFILE_TMEMBER_LEN);
    e->kind = 0;
    e->of = NGX_HTTP_PROFILE_ALT_OF_MEMBER;
}


/* alt entry i (< t->nalts) of a trailer */
static inline void
ngx_http_profile_trailer_alt_entry(const ngx_http_profile_trailer_t *t,
    unsigned i, ngx_http_profile_tentry_t *e)
{
    const unsigned char  *p;

    p = t->alts + (size_t) i * NGX_HTTP_PROFILE_TALT_SIZE;

    e->kind = p[NGX_HTTP_PROFILE_TALT_KIND];
    e->of = p[NGX_HTTP_PROFILE_TALT_OF];
    e->id = ngx_http_profile_get16(p + NGX_HTTP_PROFILE_TALT_ID);
    e->off = ngx_http_profile_get32(p + NGX_HTTP_PROFILE_TALT_OFF);
    e->len = ngx_http_profile_get32(p + NGX_HTTP_PROFILE_TALT_LEN);
}


/*
 * Encode one member of the "members" table at p: its head (parent field
 * id, type, name length) and name (1 .. NGX_HTTP_PROFILE_FIELD_NAME_MAX
 * bytes of [A-Za-z0-9_]).  Returns the byte after it.  The table is the
 * u16 count (ngx_http_profile_put16()), then its members.
 */
static inline unsigned char *
ngx_http_profile_member_encode(unsigned char *p, uint16_t parent,
    uint8_t type, const void *name, size_t len)
{
    ngx_http_profile_put16(p + NGX_HTTP_PROFILE_MEMBER_PARENT, parent);
    p[NGX_HTTP_PROFILE_MEMBER_TYPE] = type;
    ngx_http_profile_put16(p + NGX_HTTP_PROFILE_MEMBER_NAME_LEN,
                           (uint16_t) len);
    memcpy(p + NGX_HTTP_PROFILE_MEMBER_HEAD_SIZE, name, len);

    return p + NGX_HTTP_PROFILE_MEMBER_HEAD_SIZE + len;
}


/* the size of a record of id_len, n entries, body_len body bytes, no trailer */
static inline uint64_t
ngx_http_profile_record_size_of(size_t id_len, uint64_t n, uint64_t body_len)
{
    return (uint64_t) NGX_HTTP_PROFILE_REC_ID + id_len
           + n * NGX_HTTP_PROFILE_ENTRY_SIZE + body_len;
}


/*
 * Check one decoded entry of a record whose body is body_len bytes
 * against the snapshot's table sizes: the fragment stays inside the
 * body, the field, the class and the type exist.  These are the checks
 * that make a record safe to render (the class indexes a 64-bit mask).
 * Returns NGX_HTTP_PROFILE_FMT_OK or the problem.
 */
static inline int
ngx_http_profile_entry_check(const ngx_http_profile_entry_t *e,
    uint32_t body_len, unsigned nfields, unsigned nclasses)
{
    if (e->off > body_len || e->len > body_len - e->off) {
        return NGX_HTTP_PROFILE_FMT_BOUNDS;
    }

    if (e->field_id >= nfields) {
        return NGX_HTTP_PROFILE_FMT_FIELD;
    }

    if (e->cls >= nclasses) {
        return NGX_HTTP_PROFILE_FMT_CLASS;
    }

    if (e->type > NGX_HTTP_PROFILE_TYPE_MAX) {
        return NGX_HTTP_PROFILE_FMT_TYPE;
    }

    return NGX_HTTP_PROFILE_FMT_OK;
}


/*
 * Find the entry of field_id in a record whose header is valid, by
 * binary search (a writer stores entries in ascending field id): FMT_OK
 * with *e decoded, unchecked (ngx_http_profile_entry_check() is the
 * caller's), or NGX_HTTP_PROFILE_FMT_MISSING.
 */
static inline int
ngx_http_profile_record_find(const ngx_http_profile_record_t *rec,
    unsigned field_id, ngx_http_profile_entry_t *e)
{
    unsigned  lo, hi, mid, f;

    lo = 0;
    hi = rec->nentries;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;

        f = ngx_http_profile_get16(rec->entries
                                   + (size_t) mid
                                     * NGX_HTTP_PROFILE_ENTRY_SIZE
                                   + NGX_HTTP_PROFILE_ENTRY_FIELD);

        if (f == field_id) {
            ngx_http_profile_record_entry(rec, mid, e);
            return NGX_HTTP_PROFILE_FMT_OK;
        }

        if (f < field_id) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return NGX_HTTP_PROFILE_FMT_MISSING;
}


/*
 * Validate the fixed header of a record value of size bytes (version,
 * flags, and the size equation: exact without a trailer; with flag
 * NGX_HTTP_PROFILE_REC_TRAILER, the trailer is the rest of the value,
 * whose counts must give exactly its size, rec->trailer and
 * rec->trailer_len set, its entries left to
 * ngx_http_profile_record_trailer()) and fill rec, without looking at
 * the entries:
 * a reader that decodes every entry anyway checks each one with
 * ngx_http_profile_entry_check() as it goes (the module's JSON writer
 * does).  Returns NGX_HTTP_PROFILE_FMT_OK or the problem; never reads
 * outside data[0 .. size - 1].
 */
int ngx_http_profile_record_header(ngx_http_profile_record_t *rec,
    const void *data, size_t size);

/*
 * Validate a record value of size bytes and fill rec.  nfields and
 * nclasses are the sizes of the snapshot's tables: every entry must name
 * a field and a class that exist and stay inside the body.  With deep
 * set, also check what the renderer does not rely on: ascending field
 * ids, the type against the fields table (fields must then be non-NULL)
 * and that each fragment starts with its field's quoted name and ':'.
 * A trailer is checked with ngx_http_profile_record_trailer() (deep or
 * not).  Returns NGX_HTTP_PROFILE_FMT_OK or the first problem found; never
 * reads outside data[0 .. size - 1].
 */
int ngx_http_profile_record_parse(ngx_http_profile_record_t *rec,
    const void *data, size_t size, unsigned nfields, unsigned nclasses,
    const ngx_http_profile_field_t *fields, int deep);

/*
 * The trailer of a record that ngx_http_profile_record_header() or
 * ngx_http_profile_record_parse() accepted, validated into t: a record
 * without one (no NGX_HTTP_PROFILE_REC_TRAILER) has an empty trailer
 * (no members, no alts).  Checks that the counts and data_len add up to
 * the trailer's size exactly, that every member value lies inside the
 * body and every alt value inside the data (each at least one byte),
 * that member ids strictly ascend and alts strictly ascend by (of, id,
 * kind), that every kind is a known one (1 .. ALT_KIND_MAX) and every
 * of is ALT_OF_FIELD or ALT_OF_MEMBER, and that the field of an
 * ALT_OF_FIELD alt has an entry in the record.  What needs the
 * snapshot's "members" table (member ids in it, values inside their
 * parent's fragment) is for the caller: profile-snapshot verify checks
 * it.  Returns NGX_HTTP_PROFILE_FMT_OK or the problem
 * (NGX_HTTP_PROFILE_FMT_LENGTH, _BOUNDS, _ORDER, _TYPE, _FIELD); never
 * reads outside the record.
 */
int ngx_http_profile_record_trailer(const ngx_http_profile_record_t *rec,
    ngx_http_profile_trailer_t *t);

/*
 * The value bytes of member member_id in a trailer that
 * ngx_http_profile_record_trailer() accepted, by binary search: *value
 * and *len set (pointing into the record's body), NGX_HTTP_PROFILE_FMT_OK;
 * or NGX_HTTP_PROFILE_FMT_MISSING when the record has no value of that
 * member (a null member has one: the bytes "null").
 */
int ngx_http_profile_trailer_member(const ngx_http_profile_trailer_t *t,
    unsigned member_id, const unsigned char **value, uint32_t *len);

/*
 * The alt value of kind (NGX_HTTP_PROFILE_ALT_*) of field or member id
 * (of: NGX_HTTP_PROFILE_ALT_OF_FIELD or _OF_MEMBER) in a trailer that
 * ngx_http_profile_record_trailer() accepted, by binary search: *value
 * and *len set (pointing into the trailer's data),
 * NGX_HTTP_PROFILE_FMT_OK; or NGX_HTTP_PROFILE_FMT_MISSING (no such
 * alt: e.g. a null timestamp has no epoch alt).
 */
int ngx_http_profile_trailer_alt(const ngx_http_profile_trailer_t *t,
    unsigned kind, unsigned of, unsigned id, const unsigned char **value,
    uint32_t *len);

/*
 * Validate the "members" table of a snapshot whose fields table is
 * fields[0 .. nfields - 1]: the count at most max when out is not NULL
 * (out[0 .. max - 1] is filled then; with out NULL only counts), each
 * parent an object field, parents not descending (the schema's order),
 * each type a field type (1 .. NGX_HTTP_PROFILE_TYPE_MAX), each name 1
 * .. 255 bytes of [A-Za-z0-9_], the size exact.  Names point into data.
 * Returns NGX_HTTP_PROFILE_FMT_OK and the count in *count, or the
 * problem; never reads outside data[0 .. size - 1].
 */
int ngx_http_profile_members_parse(const void *data, size_t size,
    const ngx_http_profile_field_t *fields, unsigned nfields,
    ngx_http_profile_member_t *out, unsigned max, unsigned *count);

/*
 * Validate the "sources" table (u8 count, then per source u8 name_len
 * and the name) into out[NGX_HTTP_PROFILE_MAX_SOURCES]: 1 ..
 * NGX_HTTP_PROFILE_MAX_SOURCES sources, each name valid
 * (ngx_http_profile_source_name_valid()) and unique, the size exact.
 * Names point into data.  Returns NGX_HTTP_PROFILE_FMT_OK and the count
 * in *count, or the problem; never reads outside data[0 .. size - 1].
 */
int ngx_http_profile_sources_parse(const void *data, size_t size,
    ngx_http_profile_source_t *out, unsigned *count);

/*
 * 1 if name[0 .. len - 1] is a valid embedded source name, 1 ..
 * NGX_HTTP_PROFILE_SOURCE_NAME_MAX bytes of [a-z0-9_]; 0 otherwise
 */
int ngx_http_profile_source_name_valid(const unsigned char *name,
    size_t len);

/*
 * The name of source name[0 .. len - 1]'s database or meta key: prefix
 * (NGX_HTTP_PROFILE_DB_SOURCE, NGX_HTTP_PROFILE_META_FIELDS_SOURCE,
 * NGX_HTTP_PROFILE_META_INDEX_SOURCE or
 * NGX_HTTP_PROFILE_META_MEMBERS_SOURCE) and the name, NUL-terminated, in
 * out (NGX_HTTP_PROFILE_SOURCE_KEY_MAX bytes); the name must be valid.
 * Returns out.
 */
static inline char *
ngx_http_profile_source_key(char *out, const char *prefix,
    const unsigned char *name, size_t len)
{
    size_t  n;

    n = strlen(prefix);
    memcpy(out, prefix, n);
    memcpy(out + n, name, len);
    out[n + len] = '\0';

    return out;
}

/*
 * Validate the "fields" table.  With out == NULL only counts; otherwise
 * fills out[0 .. max - 1].  Names point into data.  Returns FMT_OK and
 * the count in *count, or an error.
 */
int ngx_http_profile_fields_parse(const void *data, size_t size,
    unsigned nclasses, ngx_http_profile_field_t *out, unsigned max,
    unsigned *count);

/*
 * Validate the "classes" table into out[NGX_HTTP_PROFILE_MAX_CLASSES];
 * class 0 must be "public" and class 1 "self".
 */
int ngx_http_profile_classes_parse(const void *data, size_t size,
    ngx_http_profile_class_t *out, unsigned *count);

/*
 * Validate the "roles" table of a snapshot with nclasses classes and
 * nfields fields into out[NGX_HTTP_PROFILE_MAX_ROLES]: each role's
 * class is a role class (NGX_HTTP_PROFILE_CLASS_ROLES .. nclasses - 1),
 * ascending, and its field ids exist and ascend.  Pointers point into
 * data.  Returns NGX_HTTP_PROFILE_FMT_OK and the count in *count, or the
 * problem; never reads outside data[0 .. size - 1].
 */
int ngx_http_profile_roles_parse(const void *data, size_t size,
    unsigned nclasses, unsigned nfields, ngx_http_profile_role_t *out,
    unsigned *count);

/*
 * Validate the "states" table of a snapshot with nclasses classes and
 * nfields fields into out: the size exact, every mask bit a role class
 * (NGX_HTTP_PROFILE_CLASS_ROLES .. nclasses - 1), the stub field ids
 * existing and ascending.  out->stub points into data.  Returns
 * NGX_HTTP_PROFILE_FMT_OK or the problem.
 */
int ngx_http_profile_states_parse(const void *data, size_t size,
    unsigned nclasses, unsigned nfields, ngx_http_profile_states_t *out);

/* 1 if id[0 .. len - 1] is a valid profile id, 0 otherwise */
int ngx_http_profile_id_valid(const unsigned char *id, size_t len);

/*
 * 1 if id[0 .. len - 1] is a valid snapshot id (meta "snapshot_id", and
 * the name of its file in a snapshot directory: docs/snapshot-dir.md),
 * 0 otherwise
 */
int ngx_http_profile_snapshot_id_valid(const unsigned char *id,
    size_t len);

/*
 * 1 if name[0 .. len - 1] is the name of a published snapshot in a
 * snapshot directory, a valid snapshot id followed by
 * NGX_HTTP_PROFILE_DIR_SUFFIX (so no "/": the file is in the directory),
 * with the id's length in *id_len (when not NULL); 0 otherwise
 */
int ngx_http_profile_snapshot_name(const unsigned char *name, size_t len,
    size_t *id_len);

/* a static, human-readable text for a ngx_http_profile_fmt_rc_e */
const char *ngx_http_profile_fmt_strerror(int rc);

/*
 * XXH64 of data[0 .. len - 1] with seed: the hash of records and of ids
 * in the index (docs/snapshot-format.md).
 */
uint64_t ngx_http_profile_hash64(const void *data, size_t len, uint64_t seed);

/*
 * The per-record hash of a record of size bytes, as stored at
 * NGX_HTTP_PROFILE_REC_HASH: XXH64 of bytes NGX_HTTP_PROFILE_REC_HASHED
 * .. end, seeded with the flags byte (0 for an active profile).
 */
uint64_t ngx_http_profile_record_hash(const void *data, size_t size);

/* store the per-record hash of a complete record of size bytes */
void ngx_http_profile_record_seal(unsigned char *data, size_t size);

/*
 * The size of the record that starts at data, from its own header (and
 * its trailer's counts, with NGX_HTTP_PROFILE_REC_TRAILER), if its
 * header fits in avail bytes and the record in avail bytes too.
 * Returns NGX_HTTP_PROFILE_FMT_OK or the problem.
 */
int ngx_http_profile_record_span(const void *data, size_t avail,
    size_t *size);

/*
 * Validate the index value of size bytes (header, size equation, limits
 * against record_count) and fill idx.  O(1): the slots are checked as
 * lookups read them.
 */
int ngx_http_profile_index_parse(ngx_http_profile_index_t *idx,
    const void *data, size_t size, uint64_t record_count);

/* the index slot of id: where its lookup starts, and the tag it carries */
static inline uint64_t
ngx_http_profile_index_home(const ngx_http_profile_index_t *idx,
    const unsigned char *id, size_t len, uint32_t *tag)
{
    uint64_t  h;

    h = ngx_http_profile_hash64(id, len, idx->seed);
    *tag = (uint32_t) (h >> 32);

    return h & idx->mask;
}


/* encode the header of a keyed table at p */
static inline void
ngx_http_profile_index_encode(unsigned char *p, uint64_t seed,
    uint32_t bits, uint32_t max_probe)
{
    ngx_http_profile_put64(p + NGX_HTTP_PROFILE_INDEX_SEED, seed);
    ngx_http_profile_put32(p + NGX_HTTP_PROFILE_INDEX_BITS, bits);
    ngx_http_profile_put32(p + NGX_HTTP_PROFILE_INDEX_PROBE, max_probe);
}


/* slot i of a keyed table (i <= mask); its bytes, for reading */
static inline const unsigned char *
ngx_http_profile_index_slot(const ngx_http_profile_index_t *idx, uint64_t i)
{
    return idx->slots + i * NGX_HTTP_PROFILE_INDEX_SLOT_SIZE;
}


/* decode a slot: the value's offset (0: empty), size and tag */
static inline uint64_t
ngx_http_profile_slot_decode(const unsigned char *s, uint32_t *size,
    uint32_t *tag)
{
    *size = ngx_http_profile_get32(s + NGX_HTTP_PROFILE_SLOT_LEN);
    *tag = ngx_http_profile_get32(s + NGX_HTTP_PROFILE_SLOT_TAG);

    return ngx_http_profile_get64(s + NGX_HTTP_PROFILE_SLOT_OFF);
}


/* encode a slot at s (a writer's table) */
static inline void
ngx_http_profile_slot_encode(unsigned char *s, uint64_t off, uint32_t size,
    uint32_t tag)
{
    ngx_http_profile_put64(s + NGX_HTTP_PROFILE_SLOT_OFF, off);
    ngx_http_profile_put32(s + NGX_HTTP_PROFILE_SLOT_LEN, size);
    ngx_http_profile_put32(s + NGX_HTTP_PROFILE_SLOT_TAG, tag);
}


/*
 * A lookup in a keyed table, whatever the values are: the slots a key's
 * probe visits whose tag matches, in order.  The caller decides whether
 * the value a candidate names holds the key (a profile record does at
 * NGX_HTTP_PROFILE_REC_ID; every value reached through a table carries
 * its key, so that a tag collision is told from a match).
 */
typedef struct {
    const ngx_http_profile_index_t  *idx;
    uint64_t                         slot;     /* the candidate's slot */
    uint32_t                         tag;
    uint32_t                         probed;   /* slots visited */
} ngx_http_profile_probe_t;


static inline void
ngx_http_profile_probe_start(ngx_http_profile_probe_t *pr,
    const ngx_http_profile_index_t *idx, const unsigned char *key,
    size_t len)
{
    pr->idx = idx;
    pr->slot = ngx_http_profile_index_home(idx, key, len, &pr->tag);
    pr->probed = 0;
}


/*
 * The next candidate: returns 1 with pr->slot, *off and *size set, or 0
 * when the probe ends (an empty slot, or max_probe slots visited): the
 * key is not in the table.
 */
static inline int
ngx_http_profile_probe_next(ngx_http_profile_probe_t *pr, uint64_t *off,
    uint32_t *size)
{
    uint32_t  tag;

    if (pr->probed != 0) {
        pr->slot = (pr->slot + 1) & pr->idx->mask;
    }

    while (pr->probed < pr->idx->max_probe) {
        pr->probed++;

        *off = ngx_http_profile_slot_decode(
                   ngx_http_profile_index_slot(pr->idx, pr->slot), size, &tag);

        if (*off == 0) {
            return 0;
        }

        if (tag == pr->tag) {
            return 1;
        }

        pr->slot = (pr->slot + 1) & pr->idx->mask;
    }

    return 0;
}

/*
 * The pair key of ids x and y (each 1 .. NGX_HTTP_PROFILE_ID_MAX bytes,
 * not equal) into out (NGX_HTTP_PROFILE_PAIR_KEY_MAX bytes): the lower
 * id first.  *swapped is 0 if x is a, 1 if x is b.  Returns the key's
 * length.
 */
static inline size_t
ngx_http_profile_pair_key(unsigned char *out, const void *x, size_t xlen,
    const void *y, size_t ylen, int *swapped)
{
    int                   c;
    size_t                alen, blen;
    const unsigned char  *a, *b;

    c = memcmp(x, y, xlen < ylen ? xlen : ylen);
    *swapped = (c > 0 || (c == 0 && xlen > ylen));

    a = *swapped ? y : x;
    alen = *swapped ? ylen : xlen;
    b = *swapped ? x : y;
    blen = *swapped ? xlen : ylen;

    out[0] = (unsigned char) alen;
    memcpy(out + 1, a, alen);
    out[1 + alen] = (unsigned char) blen;
    memcpy(out + 2 + alen, b, blen);

    return 2 + alen + blen;
}


/*
 * The bits of a relation seen from b's side: what a does to b becomes
 * what b does to a.  With ngx_http_profile_pair_key()'s *swapped, a
 * reader turns the stored bits into "viewer to owner" bits.
 */
static inline uint8_t
ngx_http_profile_relation_swap(uint8_t bits)
{
    return (uint8_t) ((bits & NGX_HTTP_PROFILE_REL_FRIEND)
           | ((bits & NGX_HTTP_PROFILE_REL_A_FOLLOWS_B) << 1)
           | ((bits & NGX_HTTP_PROFILE_REL_B_FOLLOWS_A) >> 1)
           | ((bits & NGX_HTTP_PROFILE_REL_A_BLOCKS_B) << 1)
           | ((bits & NGX_HTTP_PROFILE_REL_B_BLOCKS_A) >> 1));
}


/*
 * Encode a relation value at p: version, bits, then the pair key of
 * key_len bytes (ngx_http_profile_pair_key()).  The value is
 * NGX_HTTP_PROFILE_REL_KEY + key_len bytes; returns the byte after it.
 */
static inline unsigned char *
ngx_http_profile_relation_encode(unsigned char *p, uint8_t bits,
    const unsigned char *key, size_t key_len)
{
    p[NGX_HTTP_PROFILE_REL_VERSION] = NGX_HTTP_PROFILE_RELATION_VERSION;
    p[NGX_HTTP_PROFILE_REL_BITS] = bits;
    memcpy(p + NGX_HTTP_PROFILE_REL_KEY, key, key_len);

    return p + NGX_HTTP_PROFILE_REL_KEY + key_len;
}


/*
 * Validate a relation value of size bytes and fill rel: the version,
 * the size equation (NGX_HTTP_PROFILE_REL_KEY + 2 + a_len + b_len),
 * both ids valid by ngx_http_profile_id_valid(), a before b (so not
 * equal), and no bits outside NGX_HTTP_PROFILE_REL_KNOWN.  Returns
 * NGX_HTTP_PROFILE_FMT_OK or the problem; never reads outside
 * data[0 .. size - 1].
 */
int ngx_http_profile_relation_parse(ngx_http_profile_relation_t *rel,
    const void *data, size_t size);

/*
 * Find the relation of the pair key key[0 .. key_len - 1], made by
 * ngx_http_profile_pair_key() of two valid, distinct ids, through the
 * keyed table idx ("index.relations") in the snapshot file mapped at
 * map (map_size bytes): a candidate holding exactly that key needs only
 * its version and bits checked (the key's ids are valid and in order);
 * any other is validated with ngx_http_profile_relation_parse() (a
 * damaged value is its problem, a valid one a tag collision).  Returns
 * NGX_HTTP_PROFILE_FMT_OK with rel filled, NGX_HTTP_PROFILE_FMT_MISSING
 * if the pair has no relation, or the problem of the value a slot names
 * (*slot is that slot).  Never reads outside the map and the index.
 */
int ngx_http_profile_relation_find(const ngx_http_profile_index_t *idx,
    const unsigned char *map, size_t map_size, const unsigned char *key,
    size_t key_len, ngx_http_profile_relation_t *rel, uint64_t *slot);


/*
 * Find the record of id[0 .. len - 1] through idx in the snapshot file
 * mapped at map (map_size bytes): validates the record's header into
 * rec and checks the record against its stored hash, so that a damaged
 * record is never served.  checked, if not NULL, is a bitmap of
 * 2^idx->bits bits, zeroed when the file is opened and kept by the
 * caller: the hash of the record a slot names is checked only while the
 * slot's bit is 0, and the bit is set when it passes (the file never
 * changes, so a record that passed once passes again).  Returns
 * NGX_HTTP_PROFILE_FMT_OK, NGX_HTTP_PROFILE_FMT_MISSING if there is no
 * such id, or a problem (a slot outside the file, a record whose header
 * is bad, a record that fails its hash, whether it holds id or, damaged
 * in its id, another), with *slot set to the slot at fault.  Never
 * reads outside map[0 .. map_size - 1] and the index.
 */
int ngx_http_profile_index_find(const ngx_http_profile_index_t *idx,
    const unsigned char *map, size_t map_size, const unsigned char *id,
    size_t len, ngx_http_profile_record_t *rec, uint64_t *slot,
    unsigned char *checked);


#endif /* _NGX_HTTP_PROFILE_FORMAT_H_INCLUDED_ */
