
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * One input line of "build": UTF-8 policy, parsing, limits, id,
 * migrations, joined sources, fields, duplicates, and the write
 * (docs/schema.md "What happens to a record").
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_arena.h"
#include "ps_bignum.h"
#include "ps_build.h"
#include "ps_coerce.h"
#include "ps_id.h"
#include "ps_migrate.h"
#include "ps_parse.h"
#include "ps_privacy.h"
#include "ps_state.h"
#include "ps_utf8.h"


/* ps_process_flat(): not the common case, the line goes the general way */
#define PS_DECLINED  1


static int ps_process_flat(ps_build_t *b, unsigned char *line, size_t len,
    uint64_t lineno);
static int ps_process_record(ps_build_t *b, unsigned si, json_t *obj,
    uint64_t line);
static int ps_process_fields(ps_build_t *b, json_t *obj);
static int ps_process_member(ps_build_t *b, const char *key, size_t klen,
    json_t *v, ps_member_t *m, const ps_name_slot_t **hint);
static int ps_process_values(ps_build_t *b);
static int ps_process_one_of(ps_build_t *b);
static int ps_process_store(ps_build_t *b, unsigned si, uint64_t line);
static int ps_process_order(ps_build_t *b, int64_t *order);
static const unsigned char *ps_process_key(ps_build_t *b);
static unsigned ps_process_joined(const ps_build_t *b);
static void ps_process_clear(ps_build_t *b);
static int ps_process_privacy(ps_build_t *b, const char *key, size_t klen,
    json_t *v, ps_member_t *m);
static void ps_process_nul(ps_build_t *b, json_t *obj,
    const unsigned char *line, size_t len, const char *id);
static size_t ps_process_nul_walk(ps_build_t *b, json_t *v);


int
ps_process_line(ps_build_t *b, unsigned si, ps_input_t *in,
    unsigned char *line, size_t len)
{
    int           rc, joined;
    json_t       *obj;
    ps_report_t  *rep;

    rep = &b->report;

    if (line != NULL && ps_input_blank(line, len)) {
        return 0;
    }

    /* an embeddable source's line is a record, a joined source's a row */
    joined = (si != 0 && b->sources[si].embed < 0);

    ps_report_begin(rep, b->sources[si].name, in->display, in->line,
                    joined);

    if (in->bom) {
        in->bom = 0;
        ps_report_reason(rep, PS_R_BOM, NULL,
                         "a UTF-8 byte order mark at the start of the file "
                         "was removed");
    }

    if (line == NULL) {
        ps_report_reason(rep, PS_R_RECORD_TOO_LARGE, NULL,
                         "record of %zu bytes exceeds the limit of %zu",
                         len, b->max_line);
        ps_report_end(rep);
        return 0;
    }

    if (si == 0 && b->flat) {
        rc = ps_process_flat(b, line, len, in->line);

        if (rc != PS_DECLINED) {
            ps_report_end(rep);
            ps_arena_reset();
            return rc;
        }
    }

    obj = ps_process_parse(b, si, line, len);

    if (obj == NULL) {
        ps_report_end(rep);
        return 0;
    }

    if (joined) {
        rc = ps_join_store(b, si, in->line, obj);

    } else {
        rc = ps_process_record(b, si, obj, in->line);
    }

    json_decref(obj);
    ps_report_end(rep);

    /* every json_t of the record is gone */
    ps_arena_reset();

    return rc;
}


void
ps_process_alloc(ps_build_t *b)
{
    size_t  n, i;

    n = b->schema.nfields ? b->schema.nfields : 1;

    b->fields = ps_alloc(n * sizeof(ps_build_field_t));
    memset(b->fields, 0, n * sizeof(ps_build_field_t));

    b->cls = ps_alloc(n);

    for (i = 0; i < b->schema.nfields; i++) {
        b->cls[i] = (unsigned char) b->schema.fields[i].cls;
    }

    /* slots of this schema only */
    memset(b->hints, 0, sizeof(b->hints));
}


void
ps_process_free(ps_build_t *b)
{
    free(b->fields);
    b->fields = NULL;
    free(b->cls);
    b->cls = NULL;
}


unsigned
ps_process_flat_ok(const ps_build_t *b)
{
    const ps_schema_t  *s;

    /* nothing needs the record as an object: no join, no migration */

    s = &b->schema;

    return ps_process_joined(b) == 0 && s->version_field == NULL
           && s->ndetect == 0 && s->default_version >= s->version;
}


/*
 * The common case without a jansson object for the record (b->flat):
 * a valid UTF-8 line the fast parser takes, within every limit.  The
 * same steps as ps_process_record() otherwise.  PS_DECLINED (nothing
 * reported) sends the line the general way.
 */

static int
ps_process_flat(ps_build_t *b, unsigned char *line, size_t len,
    uint64_t lineno)
{
    int                rc;
    size_t             i, n, klen;
    const char        *key;
    ps_schema_t       *s;
    ps_member_t       *m;
    ps_parse_stats_t   st;

    s = &b->schema;

    if (ps_utf8_check(line, len) < len) {
        return PS_DECLINED;
    }

    rc = ps_parse_members(line, len, &b->scratch, &st, &b->members);

    if (rc < 0) {
        return PS_DECLINED;
    }

    n = (size_t) rc;
    m = (ps_member_t *) b->members.data;

    if (st.depth > s->max_depth || st.string_bytes > s->max_string_bytes
        || st.array_items > s->max_array_items)
    {
        ps_parse_members_free(&b->members);
        return PS_DECLINED;
    }

    key = b->sources[0].key;
    klen = b->sources[0].key_len;

    for (i = 0; i < n; i++) {
        if (m[i].len == klen && memcmp(m[i].key, key, klen) == 0) {
            break;
        }
    }

    /* an id kept as its text (a string without escapes) needs no value */

    if (i == n) {
        rc = ps_id_value(&b->report, NULL, key, b->id, &b->id_len);

    } else if (m[i].value == NULL && m[i].raw.data[0] == '"') {
        rc = ps_id_string(&b->report, m[i].raw.data + 1,
                          m[i].raw.len - 2, b->id, &b->id_len);

    } else {
        rc = ps_id_value(&b->report, ps_member_value(&m[i]), key, b->id,
                         &b->id_len);
    }

    /* an invalid id is reported: the record is done, not the build */

    if (rc != 0) {
        rc = 0;

    } else {

        for (i = 0; i < n; i++) {
            if (ps_process_member(b, m[i].key, m[i].len, m[i].value, &m[i],
                                  &b->hints[i])
                != 0)
            {
                break;
            }
        }

        if (i == n && ps_process_values(b) == 0
            && !ps_report_quarantined(&b->report))
        {
            rc = ps_process_store(b, 0, lineno);
        }

        ps_process_clear(b);
    }

    ps_parse_members_free(&b->members);

    return rc;
}


json_t *
ps_process_parse(ps_build_t *b, unsigned si, unsigned char *line,
    size_t len)
{
    size_t             off, n, nmarks;
    size_t             marks[PS_BIGNUM_MAX_MARKS];
    int                flags;
    json_t            *obj;
    json_error_t       err, err2;
    ps_schema_t       *s;
    ps_report_t       *rep;
    ps_parse_stats_t   st;

    rep = &b->report;

    off = ps_utf8_check(line, len);

    if (off < len) {
        if (b->schema.invalid_utf8 == PS_UTF8_QUARANTINE) {
            ps_report_reason(rep, PS_R_INVALID_UTF8, NULL,
                             "invalid UTF-8 at byte %zu", off + 1);
            return NULL;
        }

        n = ps_utf8_repair(line, len, &b->utf8);
        ps_report_reason(rep, PS_R_UTF8_REPLACED, NULL,
                         "%zu invalid UTF-8 bytes replaced by U+FFFD", n);

        line = b->utf8.data;
        len = b->utf8.len;
    }

    /* the fast parser takes the plain lines; jansson judges the rest */
    obj = ps_parse_object(line, len, &b->scratch, &st);

    if (obj != NULL) {
        s = &b->schema;

        /* within every limit: no need to walk it (ps_check_limits()) */
        if (st.depth <= s->max_depth
            && st.string_bytes <= s->max_string_bytes
            && st.array_items <= s->max_array_items)
        {
            return obj;
        }

        goto parsed;
    }

    /*
     * An escaped lone surrogate ("\ud800") is invalid UTF-8 in disguise:
     * under "replace" it becomes U+FFFD like a bad byte.  The fast
     * parser refuses such lines, so only lines it refused are looked at.
     */
    if (b->schema.invalid_utf8 == PS_UTF8_REPLACE
        && memmem(line, len, "\\u", 2) != NULL)
    {
        n = ps_utf8_surrogates(line, len);

        if (n) {
            ps_report_reason(rep, PS_R_UTF8_REPLACED, NULL,
                             "%zu escaped lone surrogates replaced by "
                             "U+FFFD", n);
        }
    }

    /* "\u0000" in a string: jansson refuses it, unless the policy says */
    flags = JSON_DECODE_ANY | JSON_REJECT_DUPLICATES;

    if (b->schema.nul != PS_NUL_QUARANTINE) {
        flags |= JSON_ALLOW_NUL;
    }

    obj = json_loadb((const char *) line, len, flags, &err);

    if (obj != NULL) {
        ps_process_nul(b, obj, line, len, b->sources[si].key);
    }

    /*
     * A number out of range (1e400, beyond 64 bits): parse the rest, and
     * leave the member to its field's on_invalid (in a row of a joined
     * source, the field of the record that takes the member).
     */
    if (obj == NULL
        && json_error_code(&err) == json_error_numeric_overflow
        && ps_bignum_mask(line, len, &b->bignum, marks, &nmarks) == 0)
    {
        obj = json_loadb((const char *) b->bignum.data, b->bignum.len,
                         flags, &err2);

        if (obj != NULL) {
            ps_process_nul(b, obj, line, len, b->sources[si].key);
        }

        /* after the NULs are gone: a marker starts with one */
        if (obj != NULL
            && (!json_is_object(obj)
                || ps_bignum_mark(obj, line, len, marks, nmarks) != 0))
        {
            json_decref(obj);
            obj = NULL;
        }
    }

    if (obj == NULL) {
        if (json_error_code(&err) == json_error_stack_overflow) {
            /* deeper than jansson reads, so deeper than limits.depth */
            ps_report_reason(rep, PS_R_TOO_DEEP, NULL,
                             "nested deeper than limits.depth %zu",
                             b->schema.max_depth);

        } else if (json_error_code(&err) == json_error_duplicate_key) {
            ps_report_reason(rep, PS_R_DUPLICATE_KEY, NULL,
                             "%s at column %d", err.text, err.column);

        } else {
            ps_report_reason(rep, PS_R_INVALID_JSON, NULL,
                             "invalid JSON: %s at column %d", err.text,
                             err.column);
        }

        return NULL;
    }

    if (!json_is_object(obj)) {
        ps_report_reason(rep, PS_R_NOT_OBJECT, NULL,
                         "a record must be a JSON object, not %s",
                         ps_json_type_name(obj));
        json_decref(obj);
        return NULL;
    }

parsed:

    if (ps_check_limits(&b->schema, obj, rep) != 0) {
        json_decref(obj);
        return NULL;
    }

    return obj;
}


static int
ps_process_record(ps_build_t *b, unsigned si, json_t *obj, uint64_t line)
{
    int  rc;

    if (ps_id_member(&b->report, obj, b->sources[si].key, b->id,
                     &b->id_len) != 0
        || ps_migrate(&b->schema, obj, &b->report) != 0)
    {
        return 0;
    }

    if (!b->embedding && ps_process_joined(b) != 0
        && ps_join_merge(b, obj) != 0)
    {
        return -1;
    }

    rc = 0;

    if (ps_process_fields(b, obj) == 0
        && !ps_report_quarantined(&b->report))
    {
        rc = ps_process_store(b, si, line);
    }

    ps_process_clear(b);

    return rc;
}


/* b->fields from the object: names, aliases, then each field checked */

static int
ps_process_fields(ps_build_t *b, json_t *obj)
{
    json_t      *v;
    size_t       klen;
    const char  *key;

    json_object_keylen_foreach(obj, key, klen, v) {
        if (ps_process_member(b, key, klen, v, NULL, NULL) != 0) {
            return -1;
        }
    }

    return ps_process_values(b);
}


/* one member of the record: which field it gives, under which name */

static int
ps_process_member(ps_build_t *b, const char *key, size_t klen, json_t *v,
    ps_member_t *m, const ps_name_slot_t **hint)
{
    unsigned      alias;
    ps_field_t   *f;
    ps_schema_t  *s;
    ps_report_t  *rep;

    s = &b->schema;
    rep = &b->report;

    f = (hint != NULL) ? ps_schema_lookup_hint(s, key, klen, &alias, hint)
                       : ps_schema_lookup(s, key, klen, &alias);

    if (f == NULL) {
        if ((klen == b->sources[0].key_len
             && memcmp(key, b->sources[0].key, klen) == 0)
            || (s->version_field != NULL
                && strlen(s->version_field) == klen
                && memcmp(key, s->version_field, klen) == 0))
        {
            return 0;
        }

        if (s->privacy && ps_process_privacy(b, key, klen, v, m)) {
            return 0;
        }

        if (s->unknown_fields == PS_ON_QUARANTINE) {
            ps_report_reason_kind(rep, PS_R_UNKNOWN_FIELD,
                                  PS_KIND_QUARANTINE, NULL,
                                  "unknown field \"%.*s\"", (int) klen,
                                  key);
            return -1;
        }

        ps_report_reason(rep, PS_R_UNKNOWN_FIELD, NULL,
                         "unknown field \"%.*s\" dropped", (int) klen,
                         key);
        return 0;
    }

    if (alias == 0) {
        /* v NULL and a text: a member kept as text (ps_member_t) */
        b->fields[f->id].in_value = v;

        if (m != NULL) {
            b->fields[f->id].in_raw = m->raw;
        }

    } else if (b->fields[f->id].alias_value == NULL) {
        b->fields[f->id].alias_value = (m != NULL) ? ps_member_value(m) : v;
        b->fields[f->id].alias_used = alias;

    } else {
        ps_report_reason(rep, PS_R_UNKNOWN_FIELD, f->path,
                         "second alias \"%.*s\" dropped", (int) klen,
                         key);
    }

    return 0;
}


/* every field of the schema from what the members gave */

static int
ps_process_values(ps_build_t *b)
{
    int           rc;
    json_t       *v, *in, *out, *made;
    unsigned      i, alias;
    ps_raw_t      raw;
    ps_field_t   *f;
    ps_schema_t  *s;
    ps_report_t  *rep;

    s = &b->schema;
    rep = &b->report;

    for (i = 0; i < s->nfields; i++) {
        f = &s->fields[i];
        v = b->fields[i].in_value;
        raw = b->fields[i].in_raw;
        b->fields[i].in_value = NULL;
        b->fields[i].in_raw.len = 0;
        made = NULL;

        /*
         * no value, but a text: a member ps_parse_members() kept as its
         * written form; when the field keeps it as it is, so does the
         * record, and no value is ever made
         */

        if (v == NULL && raw.len != 0) {

            if (b->fields[i].alias_value == NULL && ps_coerce_plain(f, &raw)) {
                b->fields[i].raw = raw;
                continue;
            }

            made = ps_raw_value(&raw);
            v = made;
        }

        in = v;

        if (b->fields[i].alias_value != NULL) {
            alias = b->fields[i].alias_used;

            if (v == NULL) {
                v = b->fields[i].alias_value;
                ps_report_reason(rep, PS_R_ALIAS, f->path,
                                 "from legacy name \"%s\"",
                                 f->aliases[alias - 1]);

            } else {
                ps_report_reason(rep, PS_R_ALIAS, f->path,
                                 "legacy \"%s\" dropped, \"%s\" present",
                                 f->aliases[alias - 1], f->name);
            }

            b->fields[i].alias_value = NULL;
        }

        /* the id field as a string: the normalized id, no report */
        if (v != NULL && json_is_integer(v)
            && f->type == NGX_HTTP_PROFILE_TYPE_STRING
            && f->name_len == b->sources[0].key_len
            && memcmp(f->name, b->sources[0].key, f->name_len) == 0)
        {
            b->fields[i].value = json_stringn(b->id, b->id_len);

            if (made != NULL) {
                json_decref(made);
            }

            continue;
        }

        rc = ps_coerce(rep, f, v, &out);

        /* fail closed: a state dropped as invalid is no state at all */

        if (rc == PS_DROP && v != NULL && s->states && i == s->state_field) {
            b->state_dropped = (json_is_string(v) || json_is_null(v))
                               ? PS_STATE_DROPPED : PS_STATE_NOT_STRING;
        }

        if (made != NULL) {
            json_decref(made);
        }

        if (rc == PS_QUARANTINE) {
            return -1;
        }

        if (rc == PS_KEEP) {
            b->fields[i].value = out;

            /*
             * kept as it came (the same value, never changed in place):
             * its text in the line, if canonical, is its encoding
             */
            if (out == in && in != NULL) {
                b->fields[i].raw = raw;
            }
        }
    }

    return s->none_of ? ps_process_one_of(b) : 0;
}


/*
 * one_of_required: at least one field of each list has a value other
 * than null (kept as a value or as its text); -1 quarantines (reported)
 */

static int
ps_process_one_of(ps_build_t *b)
{
    unsigned           i, j;
    ps_schema_t       *s;
    ps_one_of_t       *g;
    ps_build_field_t  *bf;

    s = &b->schema;

    for (i = 0; i < s->none_of; i++) {
        g = &s->one_of[i];

        for (j = 0; j < g->nfields; j++) {
            bf = &b->fields[g->fields[j]];

            if (bf->value != NULL ? !json_is_null(bf->value)
                : (bf->raw.len != 0
                   && !(bf->raw.len == 4
                        && memcmp(bf->raw.data, "null", 4) == 0)))
            {
                break;
            }
        }

        if (j == g->nfields) {
            ps_report_reason(&b->report, PS_R_REQUIRED, NULL,
                             "one of %s is required, but none is present",
                             g->names);
            return -1;
        }
    }

    return 0;
}


static int
ps_process_store(ps_build_t *b, unsigned si, uint64_t line)
{
    int             rc, has_order;
    size_t          len;
    int64_t         order;
    unsigned        i;
    ps_seen_t       seen, prev;
    ps_report_t    *rep;
    ps_outcome_e    undo;
    unsigned char  *rec;

    rep = &b->report;

    ps_record_reset(&b->record);

    if (b->schema.nranged != 0 || b->schema.privacy) {
        ps_privacy_apply(rep, &b->schema, b->privacy_map, b->privacy_list,
                         b->cls);
    }

    if (b->schema.states) {
        i = b->schema.state_field;
        b->record.state = ps_state_of(rep, &b->schema, b->fields[i].value,
                                      &b->fields[i].raw, b->state_dropped);
    }

    /* a field is there with a value, or as text only (ps_coerce_plain()) */

    for (i = 0; i < b->schema.nfields; i++) {
        if ((b->fields[i].value != NULL || b->fields[i].raw.len != 0)
            && !b->schema.fields[i].never
            && ps_record_add(&b->record, &b->schema.fields[i], b->cls[i],
                             b->fields[i].value, &b->fields[i].raw) != 0)
        {
            ps_report_reason(rep, PS_R_RECORD_TOO_LARGE,
                             b->schema.fields[i].path,
                             "cannot encode the value");
            return 0;
        }
    }

    /* the record is written where the spool's buffer takes it */
    len = ps_record_size(&b->record, b->id_len);
    rec = ps_writer_space(&b->writer, len);
    ps_record_write(&b->record, b->id, b->id_len, rec);

    has_order = (ps_process_order(b, &order) == 0);

    seen.line = line;
    seen.source = si;
    seen.flags = (rep->cur.worst == PS_KIND_FIX ? PS_SEEN_FIXED
                  : rep->cur.worst == PS_KIND_DEFAULT ? PS_SEEN_DEFAULTED : 0)
                 | (has_order ? PS_SEEN_HAS_ORDER : 0);
    seen.order = has_order ? order : 0;

    /* stored unless the id was seen before (then prev is what was) */
    rc = ps_writer_put(&b->writer, (const char *) ps_process_key(b),
                       b->id_len + b->key_prefix_len, len, &seen, &prev);

    if (rc <= 0) {
        return rc;
    }

    if (prev.flags & PS_SEEN_REJECTED) {
        ps_report_reason(rep, PS_R_DUPLICATE_ID, NULL,
                         "duplicate id, rejected with line %llu (policy "
                         "reject)", (unsigned long long) prev.line);
        return 0;
    }

    undo = (prev.flags & PS_SEEN_FIXED) ? PS_OUT_FIXED
           : (prev.flags & PS_SEEN_DEFAULTED) ? PS_OUT_DEFAULTED
           : PS_OUT_CLEAN;

    switch (b->schema.duplicates) {

    case PS_DUP_FIRST:
        ps_report_reason(rep, PS_R_SUPERSEDED, NULL,
                         "duplicate id: line %llu is kept (policy first)",
                         (unsigned long long) prev.line);
        ps_report_supersede(rep);
        return 0;

    case PS_DUP_NEWEST:
        if ((prev.flags & PS_SEEN_HAS_ORDER)
            && (!has_order || order < prev.order))
        {
            ps_report_reason(rep, PS_R_SUPERSEDED, NULL,
                             "duplicate id: line %llu is newer (policy "
                             "newest, %s)", (unsigned long long) prev.line,
                             b->schema.newest_field);
            ps_report_supersede(rep);
            return 0;
        }

        break;

    case PS_DUP_REJECT:
        ps_report_event(rep, PS_OUT_QUARANTINED, undo,
                        b->sources[prev.source].name,
                        b->sources[prev.source].display, prev.line,
                        b->id, b->id_len, PS_R_DUPLICATE_ID,
                        "duplicate id, also at line %llu (policy reject)",
                        (unsigned long long) line);
        ps_report_reason(rep, PS_R_DUPLICATE_ID, NULL,
                         "duplicate id, also at line %llu (policy reject)",
                         (unsigned long long) prev.line);

        prev.flags |= PS_SEEN_REJECTED;

        return ps_writer_del(&b->writer, (const char *) ps_process_key(b),
                             b->id_len + b->key_prefix_len, &prev);
    }

    ps_report_event(rep, PS_OUT_SUPERSEDED, undo,
                    b->sources[prev.source].name,
                    b->sources[prev.source].display, prev.line, b->id,
                    b->id_len, PS_R_SUPERSEDED,
                    "duplicate id: replaced by line %llu (policy %s)",
                    (unsigned long long) line,
                    b->schema.duplicates == PS_DUP_NEWEST ? "newest"
                                                          : "last");

    return ps_writer_put(&b->writer, (const char *) ps_process_key(b),
                         b->id_len + b->key_prefix_len, len, &seen, NULL);
}


/*
 * The record's key in the build's bookkeeping: its id, after the prefix
 * of an embeddable source's records (b->key_prefix)
 */

static const unsigned char *
ps_process_key(ps_build_t *b)
{
    if (b->key_prefix_len == 0) {
        return (const unsigned char *) b->id;
    }

    memcpy(b->key, b->key_prefix, b->key_prefix_len);
    memcpy(b->key + b->key_prefix_len, b->id, b->id_len);

    return b->key;
}


/* the number of joined sources given (embeddable ones are not joined) */

static unsigned
ps_process_joined(const ps_build_t *b)
{
    unsigned  i, n;

    n = 0;

    for (i = 1; i < b->nsources; i++) {
        n += (b->sources[i].embed < 0);
    }

    return n;
}


/* the newest_field value of the record, as epoch ms */

static int
ps_process_order(ps_build_t *b, int64_t *order)
{
    int              rc;
    json_t          *v;
    unsigned         alias;
    ps_raw_t        *raw;
    ps_field_t      *f;

    if (b->schema.duplicates != PS_DUP_NEWEST) {
        return -1;
    }

    f = ps_schema_lookup(&b->schema, b->schema.newest_field,
                         strlen(b->schema.newest_field), &alias);

    if (f == NULL) {
        return -1;
    }

    v = b->fields[f->id].value;

    if (v == NULL) {
        raw = &b->fields[f->id].raw;

        if (raw->len == 0) {
            return -1;
        }

        /* a string kept as its text (ps_process_values()) */
        if (raw->data[0] == '"') {
            return ps_rfc3339_ms(raw->data + 1, raw->len - 2, order);
        }

        /* or a number: only an integer is an order */
        v = ps_raw_value(raw);
        rc = json_is_integer(v) ? 0 : -1;

        if (rc == 0) {
            *order = json_integer_value(v);
        }

        json_decref(v);

        return rc;
    }

    if (json_is_string(v)) {
        return ps_rfc3339_ms(json_string_value(v), json_string_length(v),
                             order);
    }

    if (json_is_integer(v)) {
        *order = json_integer_value(v);
        return 0;
    }

    return -1;
}


static void
ps_process_clear(ps_build_t *b)
{
    unsigned  i;

    for (i = 0; i < b->schema.nfields; i++) {
        if (b->fields[i].value != NULL) {
            json_decref(b->fields[i].value);
            b->fields[i].value = NULL;
        }

        b->fields[i].in_value = NULL;
        b->fields[i].alias_value = NULL;
        b->fields[i].in_raw.len = 0;
        b->fields[i].raw.len = 0;
    }

    b->privacy_map = NULL;
    b->privacy_list = NULL;
    b->state_dropped = PS_STATE_KEPT;
}


/* a member holding the record's privacy settings: kept for the store */

static int
ps_process_privacy(ps_build_t *b, const char *key, size_t klen, json_t *v,
    ps_member_t *m)
{
    ps_schema_t  *s;

    s = &b->schema;

    if (s->privacy_map != NULL && klen == s->privacy_map_len
        && memcmp(key, s->privacy_map, klen) == 0)
    {
        b->privacy_map = (m != NULL) ? ps_member_value(m) : v;
        return 1;
    }

    if (s->privacy_list != NULL && klen == s->privacy_list_len
        && memcmp(key, s->privacy_list, klen) == 0)
    {
        b->privacy_list = (m != NULL) ? ps_member_value(m) : v;
        return 1;
    }

    return 0;
}


/*
 * Policy "nul" strip or replace: the NUL characters jansson let into
 * obj's strings (JSON_ALLOW_NUL) removed or made U+FFFD, and reported.
 * Only for a line that spells one.  The id member is left as it is (an
 * id is not repaired: it is invalid_id).
 */

static void
ps_process_nul(ps_build_t *b, json_t *obj, const unsigned char *line,
    size_t len, const char *id)
{
    size_t       n;
    json_t      *m;
    const char  *key;

    if (b->schema.nul == PS_NUL_QUARANTINE
        || memmem(line, len, "\\u0000", 6) == NULL)
    {
        return;
    }

    n = 0;

    json_object_foreach(obj, key, m) {
        if (strcmp(key, id) != 0) {
            n += ps_process_nul_walk(b, m);
        }
    }

    if (n == 0) {
        return;
    }

    ps_report_reason(&b->report, PS_R_NUL, NULL,
                     b->schema.nul == PS_NUL_STRIP
                     ? "%zu NUL characters (\\u0000) removed"
                     : "%zu NUL characters (\\u0000) replaced by U+FFFD",
                     n);
}


static size_t
ps_process_nul_walk(ps_build_t *b, json_t *v)
{
    size_t       i, n, len;
    json_t      *m;
    ps_buf_t    *t;
    const char  *s, *key;

    n = 0;

    if (json_is_object(v)) {
        json_object_foreach(v, key, m) {
            n += ps_process_nul_walk(b, m);
        }

        return n;
    }

    if (json_is_array(v)) {
        json_array_foreach(v, i, m) {
            n += ps_process_nul_walk(b, m);
        }

        return n;
    }

    if (!json_is_string(v)) {
        return 0;
    }

    s = json_string_value(v);
    len = json_string_length(v);

    if (memchr(s, '\0', len) == NULL) {
        return 0;
    }

    t = &b->scratch;
    t->len = 0;

    for (i = 0; i < len; i++) {
        if (s[i] != '\0') {
            ps_buf_addc(t, s[i]);
            continue;
        }

        n++;

        if (b->schema.nul == PS_NUL_REPLACE) {
            ps_buf_add(t, "\xef\xbf\xbd", 3);
        }
    }

    (void) json_string_setn_nocheck(v, (const char *) t->data, t->len);

    return n;
}
