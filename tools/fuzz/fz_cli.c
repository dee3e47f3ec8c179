
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The CLI's record path under the fuzzer.  profile-snapshot's objects
 * (all but ps_main.o, ps_error.o and ps_writer.o) are linked as they
 * are; this file supplies what they would: ps_error(), and the ps_writer_*()
 * calls as an in-memory store.  Every record the compiler writes goes
 * through fz_cli_record(): the module's deep parse, its renderer, and
 * jansson, as docs/fuzzing.md lists.
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ps.h"
#include "ps_build.h"
#include "ps_time.h"
#include "fz.h"
#include "fz_cli.h"
#include "fz_json.h"


/* the CLI's fast line parser (ps_parse.c) is new: see fz_cli_new() */
#if defined(__has_include)
#if __has_include("ps_parse.h")
#define FZ_HAVE_PS_PARSE  1
#endif
#endif


/* the in-memory store: a flat list, searched linearly (a few records) */

#define FZ_DB_PROFILES  0
#define FZ_DB_SEEN      1
#define FZ_DB_AUX       2

typedef struct {
    unsigned        db;
    unsigned char  *key;
    size_t          key_len;
    unsigned char  *val;
    size_t          val_len;
} fz_kv_t;


struct fz_cli_s {
    ps_build_t                 *b;
    ngx_http_profile_class_t    classes[NGX_HTTP_PROFILE_MAX_CLASSES];
    unsigned                    nclasses;
    ngx_http_profile_field_t   *fields;
    unsigned                    nfields;
    int                         loaded;
};


/*
 * The CLI's record arena, if it has one (ps_arena.c is new): weak, so
 * the targets still link against a CLI without it.
 */
void ps_arena_enable(void) __attribute__ ((weak));
void ps_arena_disable(void) __attribute__ ((weak));


static void fz_cli_schema(fz_cli_t *c);
static void fz_cli_trailer(fz_cli_t *c,
    const ngx_http_profile_record_t *rec);
static void fz_cli_states(ps_schema_t *s, unsigned nclasses);
static unsigned fz_cli_state_model(ps_schema_t *s, ps_build_field_t *bf,
    int *sure);
static void fz_cli_pass(fz_cli_t *c, const unsigned char *data, size_t size,
    int arena, int flat, ps_buf_t *out);
static void fz_cli_line(fz_cli_t *c, unsigned si, uint64_t lineno,
    const unsigned char *p, size_t n);
static void fz_cli_report(void);
static void fz_cli_record(fz_cli_t *c, const char *id, size_t id_len,
    const unsigned char *data, size_t size);
static void fz_cli_view(const ngx_http_profile_record_t *rec,
    uint64_t mask);
static void fz_cli_value(const ps_field_t *f, json_t *v);
static size_t fz_utf8_count(const char *s, size_t n);
static fz_kv_t *fz_kv_find(unsigned db, const void *key, size_t len);
static void fz_kv_set(unsigned db, const void *key, size_t len,
    const void *val, size_t val_len);
static void fz_kv_del(unsigned db, const void *key, size_t len);
static void fz_kv_clear(void);
static int fz_kv_cmp(const void *a, const void *b);
static void fz_cli_stats(void);


static fz_kv_t   *fz_kv;
static size_t     fz_nkv;
static size_t     fz_kv_cap;
static char      *fz_aux_names[PS_WRITER_MAX_AUX];
static unsigned   fz_naux;
static fz_cli_t  *fz_current;

static char      *fz_report_buf;
static size_t     fz_report_len;
static size_t     fz_report_done;

/* totals, printed at exit when FUZZ_STATS is set (t/fuzz-smoke.t) */
static unsigned long  fz_records_checked;
static unsigned long  fz_report_lines;
static unsigned long  fz_stats_on;


fz_cli_t *
fz_cli_new(void)
{
    fz_cli_t  *c;

    if (!fz_stats_on && getenv("FUZZ_STATS") != NULL) {
        fz_stats_on = 1;
        atexit(fz_cli_stats);
    }

    c = calloc(1, sizeof(fz_cli_t));
    fz_assert(c != NULL, "out of memory");

    c->b = calloc(1, sizeof(ps_build_t));
    fz_assert(c->b != NULL, "out of memory");

    return c;
}


int
fz_cli_load(fz_cli_t *c, const char *path)
{
    ps_build_t  *b;

    b = c->b;

    if (c->loaded) {
        ps_schema_free(&b->schema);
        c->loaded = 0;
    }

    ps_process_free(b);
    free(c->fields);
    c->fields = NULL;

    if (ps_schema_load(&b->schema, path) != 0) {
        return -1;
    }

    c->loaded = 1;

    ps_process_alloc(b);

    fz_cli_schema(c);

    return 0;
}


/* what ps_schema_load() compiled must pass the module's own parsers */

static void
fz_cli_schema(fz_cli_t *c)
{
    int           rc;
    size_t        i;
    json_t       *canon;
    unsigned      k, a, alias, count;
    ps_field_t   *f;
    ps_schema_t  *s;
    json_error_t  err;

    s = &c->b->schema;

    rc = ngx_http_profile_classes_parse(s->classes_bin.data,
                                        s->classes_bin.len, c->classes,
                                        &c->nclasses);
    fz_assert(rc == NGX_HTTP_PROFILE_FMT_OK,
              "schema: the module refuses the compiled classes table");
    fz_assert(c->nclasses == s->nclasses, "schema: class count");

    for (k = 0; k < c->nclasses; k++) {
        fz_assert(c->classes[k].name_len == strlen(s->classes[k])
                  && memcmp(c->classes[k].name, s->classes[k],
                            c->classes[k].name_len) == 0,
                  "schema: class names");
    }

    rc = ngx_http_profile_fields_parse(s->fields_bin.data, s->fields_bin.len,
                                       c->nclasses, NULL, 0, &count);
    fz_assert(rc == NGX_HTTP_PROFILE_FMT_OK,
              "schema: the module refuses the compiled fields table");
    fz_assert(count == s->nfields, "schema: field count");

    c->fields = malloc(count * sizeof(ngx_http_profile_field_t));
    fz_assert(c->fields != NULL, "out of memory");

    rc = ngx_http_profile_fields_parse(s->fields_bin.data, s->fields_bin.len,
                                       c->nclasses, c->fields, count,
                                       &c->nfields);
    fz_assert(rc == NGX_HTTP_PROFILE_FMT_OK, "schema: fields table");

    for (k = 0; k < s->nfields; k++) {
        f = &s->fields[k];

        fz_assert(f->id == k, "schema: field ids in order");
        fz_assert(c->fields[k].type == f->type && c->fields[k].cls == f->cls
                  && c->fields[k].name_len == f->name_len
                  && memcmp(c->fields[k].name, f->name, f->name_len) == 0,
                  "schema: fields table matches the fields");

        fz_assert(ps_schema_lookup(s, f->name, f->name_len, &alias) == f
                  && alias == 0, "schema: lookup of a field's name");

        for (a = 0; a < f->naliases; a++) {
            fz_assert(ps_schema_lookup(s, f->aliases[a],
                                       strlen(f->aliases[a]), &alias) == f
                      && alias == a + 1, "schema: lookup of an alias");
        }
    }

    canon = json_loadb((const char *) s->canonical.data, s->canonical.len,
                       JSON_REJECT_DUPLICATES, &err);
    fz_assert(canon != NULL, "schema: canonical text is JSON");
    fz_assert(json_equal(canon, s->json), "schema: canonical text is the "
              "schema");
    json_decref(canon);

    fz_assert(strncmp(s->digest, "sha256:", 7) == 0
              && strlen(s->digest) == 71, "schema: digest");

    for (i = 7; i < 71; i++) {
        fz_assert(strchr("0123456789abcdef", s->digest[i]) != NULL,
                  "schema: digest hex");
    }

    fz_cli_states(s, c->nclasses);
}


/*
 * The "states" table against the schema's "states", read again from
 * the schema's JSON (docs/schema.md "Profile states"): the module's
 * parser accepts it, each mask holds exactly the classes of the roles
 * listed for its state, the stub is the listed fields (or the id
 * field) in field id order.
 */

static void
fz_cli_states(ps_schema_t *s, unsigned nclasses)
{
    int                         rc;
    size_t                      i;
    json_t                     *st, *roles, *list, *m, *stub;
    uint64_t                    want;
    unsigned                    k, state, n;
    ngx_http_profile_states_t   t;

    static const char  *names[] = { "private", "suspended", "deleted" };

    st = json_object_get(s->json, "states");

    if (st == NULL) {
        fz_assert(s->states_bin.len == 0, "states: no table without "
                  "\"states\"");
        return;
    }

    rc = ngx_http_profile_states_parse(s->states_bin.data, s->states_bin.len,
                                       nclasses, s->nfields, &t);
    fz_assert(rc == NGX_HTTP_PROFILE_FMT_OK,
              "states: the module refuses the compiled states table");
    fz_assert(t.roles[0] == 0, "states: active has no roles");

    roles = json_object_get(st, "roles");

    for (state = 1; state < 4; state++) {
        want = 0;
        list = roles ? json_object_get(roles, names[state - 1]) : NULL;

        json_array_foreach(list, i, m) {
            for (k = 6; k < nclasses; k++) {
                if (strcmp(s->classes[k], json_string_value(m)) == 0) {
                    want |= (uint64_t) 1 << k;
                }
            }
        }

        fz_assert(t.roles[state] == want, "states: role mask of a state");
    }

    stub = json_object_get(st, "stub");
    n = 0;

    for (k = 0; k < s->nfields; k++) {
        if (stub != NULL) {
            json_array_foreach(stub, i, m) {
                if (strlen(json_string_value(m)) == s->fields[k].name_len
                    && memcmp(json_string_value(m), s->fields[k].name,
                              s->fields[k].name_len) == 0)
                {
                    break;
                }
            }

            if (i == json_array_size(stub)) {
                continue;
            }

        } else if (s->fields[k].name_len != s->key_len
                   || memcmp(s->fields[k].name, s->key, s->key_len) != 0
                   || s->fields[k].never)
        {
            continue;
        }

        fz_assert(n < t.nstub && ngx_http_profile_states_stub(&t, n) == k,
                  "states: stub fields");
        n++;
    }

    fz_assert(n == t.nstub, "states: stub count");
}


/*
 * The state a record must have, read from the schema's JSON and the
 * state field's final value: *sure is 0 when the field has no value,
 * which is the default, or "deleted" if a value was dropped (the model
 * cannot tell the two apart).
 */

static unsigned
fz_cli_state_model(ps_schema_t *s, ps_build_field_t *bf, int *sure)
{
    int          i;
    json_t      *st, *v, *made, *m;
    unsigned     dflt, state;

    static const char  *names[] = {
        "active", "private", "suspended", "deleted"
    };

    *sure = 1;
    st = json_object_get(s->json, "states");

    if (st == NULL) {
        return 0;
    }

    dflt = 0;
    m = json_object_get(st, "default");

    for (i = 0; m != NULL && i < 4; i++) {
        if (strcmp(json_string_value(m), names[i]) == 0) {
            dflt = (unsigned) i;
        }
    }

    v = bf->value;
    made = NULL;

    if (v == NULL && bf->raw.len != 0) {
        made = ps_raw_value(&bf->raw);
        v = made;
    }

    if (v == NULL) {
        *sure = 0;
        return dflt;
    }

    state = 3;

    if (json_is_null(v)) {
        state = dflt;

    } else if (json_is_string(v)) {
        m = json_object_get(st, "values");
        m = m ? json_object_getn(m, json_string_value(v),
                                 json_string_length(v))
              : NULL;

        for (i = 0; i < 4; i++) {
            if (m != NULL ? strcmp(json_string_value(m), names[i]) == 0
                : (json_string_length(v) == strlen(names[i])
                   && memcmp(json_string_value(v), names[i],
                             strlen(names[i])) == 0))
            {
                state = (unsigned) i;
            }
        }
    }

    if (made != NULL) {
        json_decref(made);
    }

    return state;
}


/*
 * Run the input as "build" would (b->flat as ps_build.c sets it) and,
 * when that took the flat path, again the general way: the two must
 * report the same bytes and store the same records (ps_process_flat()
 * is only a faster way to the same result).
 */

void
fz_cli_run(fz_cli_t *c, const unsigned char *data, size_t size, int arena)
{
    ps_buf_t  first, second;

    memset(&first, 0, sizeof(ps_buf_t));
    memset(&second, 0, sizeof(ps_buf_t));

    fz_cli_pass(c, data, size, arena, 1, &first);

    if (c->b->flat) {
        fz_cli_pass(c, data, size, arena, 0, &second);

        fz_assert(first.len == second.len
                  && memcmp(first.data, second.data, first.len) == 0,
                  "the flat path and the general one differ");
    }

    ps_buf_free(&first);
    ps_buf_free(&second);
}


/*
 * One run; out gets the report's bytes and then every stored item.  With
 * flat, b->flat is what ps_build.c would set; else 0.
 */

static void
fz_cli_pass(fz_cli_t *c, const unsigned char *data, size_t size, int arena,
    int flat, ps_buf_t *out)
{
    FILE            *f;
    size_t           i, start, n, lines;
    unsigned         si, pass, nsrc;
    uint64_t         lineno[PS_MAX_SOURCES], stored, written;
    ps_build_t      *b;
    ps_schema_t     *s;
    const char      *key;
    const fz_kv_t   *kv;
    const unsigned char  *p;

    b = c->b;
    s = &b->schema;
    fz_current = c;

    fz_kv_clear();

    /* not quiet: the stderr messages are built too (and discarded) */
    fz_assert(ps_report_open(&b->report, NULL, 0, 32) == 0, "report open");

    fz_report_buf = NULL;
    fz_report_len = 0;
    fz_report_done = 0;

    f = open_memstream(&fz_report_buf, &fz_report_len);
    fz_assert(f != NULL, "open_memstream");

    b->report.ndjson = f;
    b->report.ndjson_path = "fuzz-report";

    nsrc = s->nsources ? s->nsources : 1;

    if (nsrc > PS_MAX_SOURCES) {
        nsrc = PS_MAX_SOURCES;
    }

    memset(b->sources, 0, sizeof(b->sources));

    for (si = 0; si < nsrc; si++) {
        b->sources[si].name = s->nsources ? s->sources[si].name : "profiles";
        key = s->nsources ? s->sources[si].key : s->key;
        b->sources[si].key = key;
        b->sources[si].key_len = strlen(key);
        b->sources[si].path = "fuzz";
        b->sources[si].display = "fuzz";
        b->sources[si].embed = -1;      /* joined, never embedded */
        lineno[si] = 0;
    }

    b->nsources = nsrc;
    b->flat = flat && ps_process_flat_ok(b);
    b->max_line = s->max_record_bytes ? s->max_record_bytes : 1024 * 1024;

    arena = arena && ps_arena_enable != NULL && ps_arena_disable != NULL;

    if (arena) {
        ps_arena_enable();
    }

    /* joined sources first, then the primary one, as ps_build does */

    lines = 0;

    for (pass = 0; pass < 2; pass++) {
        start = 0;

        while (start < size) {
            for (i = start; i < size && data[i] != '\n'; i++) {
                /* void */
            }

            p = data + start;
            n = i - start;
            start = i + 1;

            if (n > 0 && p[n - 1] == '\r') {
                n--;
            }

            si = 0;

            if (n >= 2 && p[0] == '>' && p[1] >= '1'
                && (unsigned) (p[1] - '0') < nsrc)
            {
                si = p[1] - '0';
                p += 2;
                n -= 2;
            }

            if ((pass == 0) != (si != 0)) {
                continue;
            }

            lineno[si]++;

            if (si == 0) {
                for (i = 0; i < n && (p[i] == ' ' || p[i] == '\t'); i++) {
                    /* void */
                }

                lines += (i < n);
            }

            fz_cli_line(c, si, lineno[si], p, n);
        }
    }

    fz_assert(ps_join_orphans(b) == 0, "ps_join_orphans failed");
    fz_cli_report();

    if (arena) {
        ps_arena_disable();
    }

    /* the counts agree with what was written */

    fz_assert(b->report.lines == lines, "report: records counted");
    fz_assert(b->report.outcomes[PS_OUT_CLEAN]
              + b->report.outcomes[PS_OUT_FIXED]
              + b->report.outcomes[PS_OUT_DEFAULTED]
              + b->report.outcomes[PS_OUT_QUARANTINED]
              + b->report.outcomes[PS_OUT_SUPERSEDED] == lines,
              "report: every record has one outcome");

    stored = 0;

    for (i = 0; i < fz_nkv; i++) {
        kv = &fz_kv[i];
        stored += (kv->db == FZ_DB_PROFILES);
    }

    written = b->report.outcomes[PS_OUT_CLEAN]
              + b->report.outcomes[PS_OUT_FIXED]
              + b->report.outcomes[PS_OUT_DEFAULTED];

    fz_assert(stored == written,
              "report: clean + fixed + defaulted equals the records "
              "written");

    ps_report_summary(&b->report, (int64_t) stored, "fuzz.snap", NULL,
                      PS_EXIT_OK);
    fz_cli_report();

    fz_assert(ps_report_close(&b->report) == 0, "report close");

    ps_buf_add(out, fz_report_buf, fz_report_len);
    free(fz_report_buf);
    fz_report_buf = NULL;

    for (i = 0; i < fz_nkv; i++) {
        kv = &fz_kv[i];
        ps_buf_addc(out, (int) kv->db);
        ps_buf_add(out, &kv->key_len, sizeof(size_t));
        ps_buf_add(out, kv->key, kv->key_len);
        ps_buf_add(out, &kv->val_len, sizeof(size_t));
        ps_buf_add(out, kv->val, kv->val_len);
    }

    fz_kv_clear();
    fz_current = NULL;
}


static void
fz_cli_line(fz_cli_t *c, unsigned si, uint64_t lineno,
    const unsigned char *p, size_t n)
{
    int             rc;
    ps_input_t      in;
    unsigned char  *line;

    memset(&in, 0, sizeof(ps_input_t));
    in.path = "fuzz";
    in.display = "fuzz";
    in.line = lineno;
    in.fd = -1;

    if (n > c->b->max_line) {
        rc = ps_process_line(c->b, si, &in, NULL, n);

    } else {
        line = fz_dup(p, n);
        rc = ps_process_line(c->b, si, &in, line, n);
        free(line);
    }

    fz_assert(rc == 0, "ps_process_line failed with a working store");

    fz_cli_report();
}


/* every report line written since the last call is a JSON object */

static void
fz_cli_report(void)
{
    size_t         i, start;
    json_t        *j;
    json_error_t   err;

    fz_assert(fflush(fz_current->b->report.ndjson) == 0, "report flush");

    start = fz_report_done;

    for (i = start; i < fz_report_len; i++) {
        if (fz_report_buf[i] != '\n') {
            continue;
        }

        j = json_loadb(fz_report_buf + start, i - start,
                       JSON_REJECT_DUPLICATES, &err);
        fz_assert(j != NULL, "report line is not JSON");
        fz_assert(json_is_object(j)
                  && json_is_array(json_object_get(j, "reasons")),
                  "report line: an object with reasons");
        json_decref(j);

        fz_report_lines++;
        start = i + 1;
    }

    fz_assert(start == fz_report_len, "report line ends with a newline");
    fz_report_done = start;
}


/* a record the compiler wrote: the module must accept and render it */

/*
 * The trailer the compiler wrote: present exactly when there is
 * something in it; each field alt a non-null timestamp entry's; each
 * member value inside a non-null object entry of its parent field, its
 * bytes JSON (the members table is the schema's: member_base).
 */

static void
fz_cli_trailer(fz_cli_t *c, const ngx_http_profile_record_t *rec)
{
    unsigned                    i, j;
    json_t                     *v;
    ps_field_t                 *f;
    ps_schema_t                *s;
    json_error_t                err;
    ngx_http_profile_entry_t    e;
    ngx_http_profile_tentry_t   te;
    ngx_http_profile_trailer_t  t;

    s = &c->b->schema;

    fz_assert(ngx_http_profile_record_trailer(rec, &t)
              == NGX_HTTP_PROFILE_FMT_OK,
              "round trip: the trailer decodes");
    fz_assert(rec->trailer == NULL || t.nmembers + t.nalts > 0,
              "round trip: no empty trailer");

    for (i = 0; i < t.nalts; i++) {
        ngx_http_profile_trailer_alt_entry(&t, i, &te);

        if (te.of != NGX_HTTP_PROFILE_ALT_OF_FIELD) {
            continue;
        }

        fz_assert(te.id < s->nfields
                  && s->fields[te.id].type == NGX_HTTP_PROFILE_TYPE_TIMESTAMP,
                  "round trip: a field alt is a timestamp's");
    }

    for (i = 0; i < t.nmembers; i++) {
        ngx_http_profile_trailer_member_entry(&t, i, &te);

        for (j = 0; j < rec->nentries; j++) {
            ngx_http_profile_record_entry(rec, j, &e);
            f = &s->fields[e.field_id];

            if (f->type == NGX_HTTP_PROFILE_TYPE_OBJECT
                && te.id >= f->member_base
                && te.id < f->member_base + f->nmembers)
            {
                break;
            }
        }

        fz_assert(j < rec->nentries && e.type != NGX_HTTP_PROFILE_TYPE_NULL
                  && te.off > e.off && te.off + te.len < e.off + e.len,
                  "round trip: a member value inside its parent's fragment");

        v = json_loadb((const char *) rec->body + te.off, te.len,
                       JSON_DECODE_ANY, &err);
        fz_assert(v != NULL, "round trip: a member value is JSON");
        json_decref(v);
    }
}


static void
fz_cli_record(fz_cli_t *c, const char *id, size_t id_len,
    const unsigned char *data, size_t size)
{
    int                         rc;
    char                       *ref;
    size_t                      olen, rlen;
    json_t                     *obj, *v, *mem, *made;
    unsigned                    i, k, seen;
    ps_field_t                 *f;
    ps_schema_t                *s;
    json_error_t                err;
    unsigned char              *copy, *out;
    const unsigned char        *frag;
    ngx_http_profile_entry_t    e;
    ngx_http_profile_record_t   rec;

    s = &c->b->schema;
    copy = fz_dup(data, size);

    rc = ngx_http_profile_record_parse(&rec, copy, size, c->nfields,
                                       c->nclasses, c->fields, 1);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        fprintf(stderr, "record_parse: %s\n",
                ngx_http_profile_fmt_strerror(rc));
    }

    fz_assert(rc == NGX_HTTP_PROFILE_FMT_OK,
              "round trip: the module's deep parse refuses a record the "
              "compiler wrote");

    fz_record_walk(&rec, copy, size, c->nfields, c->nclasses, c->fields);

    fz_assert(rec.hash == ngx_http_profile_record_hash(copy, size),
              "round trip: stored hash");
    fz_assert(rec.id_len == id_len && memcmp(rec.id, id, id_len) == 0,
              "round trip: the record carries the id it is stored under");
    fz_assert((rec.flags & ~0x07) == 0 && rec.state == (rec.flags & 0x03),
              "round trip: flags hold the state and the trailer bit only");

    fz_cli_trailer(c, &rec);

    if (s->states) {
        k = fz_cli_state_model(s, &c->b->fields[s->state_field], &rc);
        fz_assert(rec.state == k || (!rc && rec.state == 3),
                  "round trip: the state of the state field's value");

    } else {
        fz_assert(rec.state == 0, "round trip: active without \"states\"");
    }

    /* the full view is "{" + body + "}" */

    out = fz_render(&rec, (uint64_t) -1, &olen);
    fz_assert(olen == (size_t) rec.body_len + 2
              && memcmp(out + 1, rec.body, rec.body_len) == 0,
              "round trip: the full view is {body}");

    obj = json_loadb((const char *) out, olen, JSON_REJECT_DUPLICATES, &err);
    if (obj == NULL) {
        fprintf(stderr, "body: %s: %.*s\n", err.text, (int) olen, out);
    }

    fz_assert(obj != NULL, "round trip: {body} is not JSON");
    fz_assert(json_is_object(obj) && json_object_size(obj) == rec.nentries,
              "round trip: one member per entry");
    free(out);

    for (i = 0; i < rec.nentries; i++) {
        ngx_http_profile_record_entry(&rec, i, &e);

        f = &s->fields[e.field_id];
        frag = rec.body + e.off;

        fz_assert(e.cls == f->cls, "entry class is the field's");
        fz_assert(e.off == 0 || rec.body[e.off - 1] == ',',
                  "fragments separated by ,");
        fz_assert(e.len > f->name_len + 3, "fragment has a value");

        v = json_object_getn(obj, f->name, f->name_len);
        fz_assert(v != NULL, "entry's member in the object");
        fz_assert(json_is_null(v) == (e.type == NGX_HTTP_PROFILE_TYPE_NULL),
                  "null entries hold null, and only they");

        fz_cli_value(f, v);

        /*
         * The value as the compiler held it: the fragment reads back as
         * that value, and its bytes are the ones jansson would write.
         */
        mem = c->b->fields[e.field_id].value;
        made = NULL;

        /* or only as its text, which then is what was stored */
        if (mem == NULL && c->b->fields[e.field_id].raw.len != 0) {
            made = ps_raw_value(&c->b->fields[e.field_id].raw);
            mem = made;
        }

        fz_assert(mem != NULL, "an entry for a field with no value");
        fz_json_same(v, mem);

        ref = fz_json_reference(mem, &rlen);
        fz_assert(ref != NULL, "jansson cannot write the stored value");

        if (e.len - f->name_len - 3 != rlen
            || memcmp(frag + f->name_len + 3, ref, rlen) != 0)
        {
            fprintf(stderr, "fragment: %.*s\njansson:  %s\n",
                    (int) (e.len - f->name_len - 3),
                    frag + f->name_len + 3, ref);
        }

        fz_assert(e.len - f->name_len - 3 == rlen
                  && memcmp(frag + f->name_len + 3, ref, rlen) == 0,
                  "fragment bytes are what jansson writes");
        free(ref);

        if (made != NULL) {
            json_decref(made);
        }
    }

    for (k = 0; k < s->nfields; k++) {
        if (!s->fields[k].required) {
            continue;
        }

        seen = 0;

        for (i = 0; i < rec.nentries; i++) {
            seen |= (ngx_http_profile_get16(rec.entries + (size_t) i * 12)
                     == k);
        }

        fz_assert(seen, "a required field is in every written record");
    }

    json_decref(obj);

    /* the views a viewer can get */

    fz_cli_view(&rec, 1);
    fz_cli_view(&rec, 2);
    fz_cli_view(&rec, 3);

    fz_records_checked++;

    for (k = 2; k < c->nclasses; k++) {
        fz_cli_view(&rec, 1 | ((uint64_t) 1 << k));
    }

    free(copy);
}


static void
fz_cli_view(const ngx_http_profile_record_t *rec, uint64_t mask)
{
    size_t                     olen, n;
    json_t                    *obj;
    unsigned                   i;
    json_error_t               err;
    unsigned char             *out;
    ngx_http_profile_entry_t   e;

    out = fz_render(rec, mask, &olen);

    obj = json_loadb((const char *) out, olen, JSON_REJECT_DUPLICATES, &err);
    fz_assert(obj != NULL && json_is_object(obj), "a view is not JSON");

    n = 0;

    for (i = 0; i < rec->nentries; i++) {
        ngx_http_profile_record_entry(rec, i, &e);
        n += (mask >> e.cls) & 1;
    }

    fz_assert(json_object_size(obj) == n, "a view has its classes' fields");

    json_decref(obj);
    free(out);
}


/*
 * A stored value meets its declaration (docs/schema.md "Fields").  A
 * value equal to the field's default is exempt from enum and
 * max_length: only its type is checked when the schema is loaded.
 */

static void
fz_cli_value(const ps_field_t *f, json_t *v)
{
    size_t       i, k, n;
    json_t      *m, *e;
    const char  *key;
    int          found, is_default;

    if (json_is_null(v)) {
        if (!f->nullable) {
            found = (f->dflt != NULL && json_is_null(f->dflt));

            if (f->map != NULL) {
                json_object_foreach(f->map, key, m) {
                    found |= json_is_null(m);
                }
            }

            fz_assert(found, "value: null in a field that is not nullable");
        }

        return;
    }

    is_default = (f->dflt != NULL && json_equal(f->dflt, v));

    switch (f->type) {

    case NGX_HTTP_PROFILE_TYPE_STRING:
        fz_assert(json_is_string(v), "value: a string field holds a string");

        if (f->has_max && !is_default) {
            fz_assert(fz_utf8_count(json_string_value(v),
                                    json_string_length(v))
                      <= f->max_length,
                      "value: string longer than max_length");
        }
        break;

    case NGX_HTTP_PROFILE_TYPE_INTEGER:
        fz_assert(json_is_integer(v), "value: an integer field");
        break;

    case NGX_HTTP_PROFILE_TYPE_NUMBER:
        fz_assert(json_is_number(v), "value: a number field");
        break;

    case NGX_HTTP_PROFILE_TYPE_BOOLEAN:
        fz_assert(json_is_boolean(v), "value: a boolean field");
        break;

    case NGX_HTTP_PROFILE_TYPE_TIMESTAMP:
        fz_assert(json_is_string(v)
                  && ps_rfc3339_valid(json_string_value(v),
                                      json_string_length(v)),
                  "value: a timestamp field holds an RFC 3339 string");
        break;

    case NGX_HTTP_PROFILE_TYPE_OBJECT:
        fz_assert(json_is_object(v), "value: an object field");

        if (f->members == NULL) {
            break;
        }

        json_object_foreach(v, key, m) {
            found = 0;

            for (k = 0; k < f->nmembers; k++) {
                if (strlen(key) == f->members[k].name_len
                    && memcmp(key, f->members[k].name,
                              f->members[k].name_len) == 0)
                {
                    fz_cli_value(&f->members[k], m);
                    found = 1;
                    break;
                }
            }

            fz_assert(found || f->keep_unknown,
                      "value: undeclared member kept");
        }
        break;

    case NGX_HTTP_PROFILE_TYPE_ARRAY:
        fz_assert(json_is_array(v), "value: an array field");

        if (f->has_max && !is_default) {
            fz_assert(json_array_size(v) <= f->max_length,
                      "value: array longer than max_length");
        }

        if (f->items != NULL) {
            json_array_foreach(v, i, m) {
                fz_cli_value(f->items, m);
            }
        }
        break;

    default:
        fz_assert(0, "value: field of an unknown type");
    }

    if (f->enums != NULL && !is_default) {
        found = 0;
        n = json_array_size(f->enums);

        for (i = 0; i < n; i++) {
            e = json_array_get(f->enums, i);
            found |= json_equal(e, v);
        }

        fz_assert(found, "value: not one of the enum values");
    }
}


static size_t
fz_utf8_count(const char *s, size_t n)
{
    size_t  i, count;

    count = 0;

    for (i = 0; i < n; i++) {
        count += ((s[i] & 0xc0) != 0x80);
    }

    return count;
}


static void
fz_cli_stats(void)
{
    printf("fz_cli: %lu records checked, %lu report lines\n",
           fz_records_checked, fz_report_lines);
}


/* what ps_error.c and ps_writer.c provide to the CLI */

void
ps_error(const char *fmt, ...)
{
    (void) fmt;
}


/* the record ps_writer_put() takes: built here, as in the spool's buffer */
static ps_buf_t  fz_space;


unsigned char *
ps_writer_space(ps_writer_t *w, size_t len)
{
    (void) w;

    fz_space.len = 0;
    ps_buf_reserve(&fz_space, len);

    return fz_space.data;
}


int
ps_writer_put(ps_writer_t *w, const char *id, size_t len, size_t rec_len,
    const ps_seen_t *seen, ps_seen_t *prev)
{
    fz_kv_t              *kv;
    const unsigned char  *rec;

    (void) w;

    rec = fz_space.data;

    /* as ps_writer.c: with prev, a known id is reported, not replaced */
    if (prev != NULL) {
        kv = fz_kv_find(FZ_DB_SEEN, id, len);

        if (kv != NULL) {
            fz_assert(kv->val_len == sizeof(ps_seen_t), "seen value");
            memcpy(prev, kv->val, sizeof(ps_seen_t));
            return 1;
        }
    }

    fz_assert(ngx_http_profile_id_valid((const unsigned char *) id, len),
              "the compiler writes a valid id");

    fz_cli_record(fz_current, id, len, rec, rec_len);

    fz_kv_set(FZ_DB_PROFILES, id, len, rec, rec_len);
    fz_kv_set(FZ_DB_SEEN, id, len, seen, sizeof(ps_seen_t));

    return 0;
}


int
ps_writer_del(ps_writer_t *w, const char *id, size_t len,
    const ps_seen_t *seen)
{
    (void) w;

    fz_kv_del(FZ_DB_PROFILES, id, len);
    fz_kv_set(FZ_DB_SEEN, id, len, seen, sizeof(ps_seen_t));

    return 0;
}


int
ps_writer_get(ps_writer_t *w, const char *id, size_t len, const void **rec,
    size_t *rec_len)
{
    fz_kv_t  *kv;

    (void) w;

    kv = fz_kv_find(FZ_DB_PROFILES, id, len);

    if (kv == NULL) {
        return 0;
    }

    *rec = kv->val;
    *rec_len = kv->val_len;

    return 1;
}


int
ps_writer_aux(ps_writer_t *w, const char *name, MDB_dbi *dbi)
{
    unsigned  i;

    (void) w;

    for (i = 0; i < fz_naux; i++) {
        if (strcmp(fz_aux_names[i], name) == 0) {
            *dbi = FZ_DB_AUX + i;
            return 0;
        }
    }

    fz_assert(fz_naux < PS_WRITER_MAX_AUX, "too many aux databases");

    fz_aux_names[fz_naux] = strdup(name);
    *dbi = FZ_DB_AUX + fz_naux++;

    return 0;
}


int
ps_writer_aux_put(ps_writer_t *w, MDB_dbi dbi, const void *key,
    size_t key_len, const void *val, size_t val_len)
{
    (void) w;

    fz_assert(key_len > 0 && key_len <= 511, "LMDB key size");
    fz_kv_set(dbi, key, key_len, val, val_len);

    return 0;
}


int
ps_writer_aux_get(ps_writer_t *w, MDB_dbi dbi, const void *key,
    size_t key_len, const void **val, size_t *val_len)
{
    fz_kv_t  *kv;

    (void) w;

    kv = fz_kv_find(dbi, key, key_len);

    if (kv == NULL) {
        return 0;
    }

    *val = kv->val;
    *val_len = kv->val_len;

    return 1;
}


int
ps_writer_aux_each(ps_writer_t *w, MDB_dbi dbi,
    int (*cb)(void *ctx, MDB_val *key, MDB_val *val), void *ctx)
{
    int        rc;
    size_t     i, n;
    fz_kv_t   *sel;
    MDB_val    k, v;

    (void) w;

    sel = malloc((fz_nkv ? fz_nkv : 1) * sizeof(fz_kv_t));
    fz_assert(sel != NULL, "out of memory");

    n = 0;

    for (i = 0; i < fz_nkv; i++) {
        if (fz_kv[i].db == dbi) {
            sel[n++] = fz_kv[i];
        }
    }

    /* LMDB's default order: bytes, then the shorter key first */
    qsort(sel, n, sizeof(fz_kv_t), fz_kv_cmp);

    rc = 0;

    for (i = 0; i < n; i++) {
        k.mv_data = sel[i].key;
        k.mv_size = sel[i].key_len;
        v.mv_data = sel[i].val;
        v.mv_size = sel[i].val_len;

        rc = cb(ctx, &k, &v);
        if (rc != 0) {
            break;
        }
    }

    free(sel);

    return rc;
}


static int
fz_kv_cmp(const void *a, const void *b)
{
    int             rc;
    size_t          n;
    const fz_kv_t  *x, *y;

    x = a;
    y = b;
    n = x->key_len < y->key_len ? x->key_len : y->key_len;

    rc = memcmp(x->key, y->key, n);
    if (rc != 0) {
        return rc;
    }

    return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}


static fz_kv_t *
fz_kv_find(unsigned db, const void *key, size_t len)
{
    size_t  i;

    for (i = 0; i < fz_nkv; i++) {
        if (fz_kv[i].db == db && fz_kv[i].key_len == len
            && memcmp(fz_kv[i].key, key, len) == 0)
        {
            return &fz_kv[i];
        }
    }

    return NULL;
}


static void
fz_kv_set(unsigned db, const void *key, size_t len, const void *val,
    size_t val_len)
{
    fz_kv_t  *kv;

    kv = fz_kv_find(db, key, len);

    if (kv == NULL) {
        if (fz_nkv == fz_kv_cap) {
            fz_kv_cap = fz_kv_cap ? fz_kv_cap * 2 : 16;
            fz_kv = realloc(fz_kv, fz_kv_cap * sizeof(fz_kv_t));
            fz_assert(fz_kv != NULL, "out of memory");
        }

        kv = &fz_kv[fz_nkv++];
        kv->db = db;
        kv->key = fz_dup(key, len);
        kv->key_len = len;

    } else {
        free(kv->val);
    }

    kv->val = fz_dup(val, val_len);
    kv->val_len = val_len;
}


static void
fz_kv_del(unsigned db, const void *key, size_t len)
{
    fz_kv_t  *kv;

    kv = fz_kv_find(db, key, len);

    if (kv == NULL) {
        return;
    }

    free(kv->key);
    free(kv->val);
    *kv = fz_kv[--fz_nkv];
}


static void
fz_kv_clear(void)
{
    size_t    i;
    unsigned  k;

    for (i = 0; i < fz_nkv; i++) {
        free(fz_kv[i].key);
        free(fz_kv[i].val);
    }

    fz_nkv = 0;

    for (k = 0; k < fz_naux; k++) {
        free(fz_aux_names[k]);
    }

    fz_naux = 0;
}
