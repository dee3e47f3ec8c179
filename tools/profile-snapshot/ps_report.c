
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ps.h"
#include "ps_json.h"
#include "ps_report.h"
#include "ps_signal.h"


typedef struct {
    const char     *name;
    ps_kind_e       kind;
} ps_reason_t;


/*
 * A record line is its prefix ({"type":"record", ... ,"outcome":"), the
 * outcome, and its reasons.  In the spool it is a header (line, or 0
 * for a line no event can amend; outcome; the two lengths) followed by
 * the prefix and the reasons, so that the end can change the outcome
 * and add reasons without parsing JSON.
 */

typedef struct {
    uint64_t        line;
    uint32_t        prefix_len;
    uint32_t        reasons_len;
    uint32_t        outcome;
} ps_report_spooled_t;


/* indexed by ps_reason_e; docs/cli.md lists every code */
static const ps_reason_t  ps_reasons[PS_R_MAX] = {
    { "invalid_json", PS_KIND_QUARANTINE },
    { "not_object", PS_KIND_QUARANTINE },
    { "missing_id", PS_KIND_QUARANTINE },
    { "invalid_id", PS_KIND_QUARANTINE },
    { "id_too_long", PS_KIND_QUARANTINE },
    { "record_too_large", PS_KIND_QUARANTINE },
    { "invalid_utf8", PS_KIND_QUARANTINE },
    { "duplicate_key", PS_KIND_QUARANTINE },
    { "too_deep", PS_KIND_QUARANTINE },
    { "string_too_long", PS_KIND_QUARANTINE },
    { "array_too_long", PS_KIND_QUARANTINE },
    { "required", PS_KIND_QUARANTINE },
    { "duplicate_id", PS_KIND_QUARANTINE },
    { "unknown_version", PS_KIND_QUARANTINE },
    { "migration_failed", PS_KIND_QUARANTINE },
    { "unknown_field", PS_KIND_FIX },
    { "wrong_type", PS_KIND_FIX },
    { "invalid_value", PS_KIND_FIX },
    { "coerced", PS_KIND_FIX },
    { "trimmed", PS_KIND_FIX },
    { "alias", PS_KIND_FIX },
    { "default", PS_KIND_DEFAULT },
    { "truncated", PS_KIND_FIX },
    { "mapped", PS_KIND_FIX },
    { "migrated", PS_KIND_FIX },
    { "utf8_replaced", PS_KIND_FIX },
    { "wrong_source", PS_KIND_FIX },
    { "joined", PS_KIND_NOTE },
    { "superseded", PS_KIND_NOTE },
    { "orphan", PS_KIND_NOTE },
    { "not_in_source", PS_KIND_NOTE },
    { "bom", PS_KIND_NOTE },
    { "nul", PS_KIND_FIX },
    { "privacy_clamped", PS_KIND_FIX },
    { "privacy_unknown", PS_KIND_FIX },
    { "privacy_invalid", PS_KIND_FIX },
    { "state_unknown", PS_KIND_FIX },
    { "unknown_kind", PS_KIND_QUARANTINE },
    { "self_edge", PS_KIND_QUARANTINE },
    { "duplicate_edge", PS_KIND_NOTE },
    { "dangling", PS_KIND_NOTE }
};


static const char  *ps_kind_names[PS_KIND_MAX] = {
    "quarantine", "fix", "default", "note"
};

static const char  *ps_outcome_names[PS_OUT_MAX] = {
    "clean", "fixed", "defaulted", "quarantined", "superseded", "orphan"
};


static void ps_report_rec_begin(ps_report_rec_t *e, const char *source,
    const char *file, uint64_t line);
static void ps_report_line(ps_report_t *r, ps_report_rec_t *e,
    ps_outcome_e outcome);
static void ps_report_amend(ps_report_t *r, ps_report_rec_t *e,
    ps_outcome_e outcome);
static void ps_report_unspool(ps_report_t *r);
static void ps_report_forget(ps_report_t *r);
static void ps_report_write(ps_report_t *r, ps_buf_t *b,
    const unsigned char *prefix, size_t prefix_len, ps_outcome_e outcome,
    const unsigned char *reasons, size_t reasons_len,
    const unsigned char *more, size_t more_len);
static void ps_report_add_reason(ps_report_t *r, ps_report_rec_t *e,
    ps_reason_e code, ps_kind_e kind, const char *field, const char *fmt,
    va_list ap);
static void ps_report_flush_text(ps_report_t *r, ps_report_rec_t *e,
    ps_outcome_e outcome);
static void ps_report_rec_free(ps_report_rec_t *e);


int
ps_report_open(ps_report_t *r, const char *path, int quiet,
    uint64_t max_messages)
{
    size_t       dir, n;
    const char  *slash, *to;
    struct stat  st;

    memset(r, 0, sizeof(ps_report_t));

    r->quiet = quiet;
    r->max_messages = max_messages;
    r->ndjson_sig = -1;

    if (path == NULL) {
        return 0;
    }

    r->ndjson_path = path;

    if (strcmp(path, "-") == 0) {
        r->ndjson = stdout;
        return 0;
    }

    /* a fifo or a device is written as it is: it cannot be renamed over */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        r->ndjson = fopen(path, "w");

    } else {
        /* a symbolic link stays one: its target is replaced */
        r->ndjson_to = (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
                       ? realpath(path, NULL) : NULL;

        if (r->ndjson_to == NULL) {
            r->ndjson_to = ps_strdup(path);
        }

        to = r->ndjson_to;
        slash = strrchr(to, '/');
        dir = (slash != NULL) ? (size_t) (slash - to) + 1 : 0;
        n = strlen(to) + 32;

        r->ndjson_tmp = ps_alloc(n);
        memcpy(r->ndjson_tmp, to, dir);
        snprintf(r->ndjson_tmp + dir, n - dir, ".%s.tmp.%ld", to + dir,
                 (long) getpid());

        r->ndjson_sig = ps_signal_track(r->ndjson_tmp);
        r->ndjson = fopen(r->ndjson_tmp, "w");
    }

    if (r->ndjson == NULL) {
        ps_error("%s: cannot open the report: %s", path, strerror(errno));
        ps_report_forget(r);
        return -1;
    }

    return 0;
}


/* the temporary report is no longer ours to remove */

static void
ps_report_forget(ps_report_t *r)
{
    ps_signal_forget(r->ndjson_sig);
    r->ndjson_sig = -1;
    free(r->ndjson_tmp);
    free(r->ndjson_to);
    r->ndjson_tmp = NULL;
    r->ndjson_to = NULL;
}


int
ps_report_spool(ps_report_t *r, const char *out, ps_writer_t *w)
{
    int          fd;
    char        *path;
    size_t       dir;
    const char  *slash;

    if (r->ndjson == NULL) {
        return 0;
    }

    /* ".NAME.report.XXXXXX" beside out, like the writer's files */
    slash = strrchr(out, '/');
    dir = (slash != NULL) ? (size_t) (slash - out) + 1 : 0;

    path = ps_alloc(strlen(out) + sizeof(".report.XXXXXX") + 1);
    memcpy(path, out, dir);
    sprintf(path + dir, ".%s.report.XXXXXX", out + dir);

    /* nothing is left behind, whatever happens (no signal in between) */
    ps_signal_block();

    fd = mkstemp(path);

    if (fd == -1) {
        ps_signal_unblock();
        ps_error("%s: mkstemp() failed: %s", path, strerror(errno));
        free(path);
        return -1;
    }

    (void) unlink(path);
    ps_signal_unblock();

    r->spool = fdopen(fd, "w+");

    if (r->spool == NULL) {
        ps_error("%s: fdopen() failed: %s", path, strerror(errno));
        (void) close(fd);
        free(path);
        return -1;
    }

    free(path);
    r->store = w;

    return 0;
}


void
ps_report_begin(ps_report_t *r, const char *source, const char *file,
    uint64_t line, int row)
{
    ps_report_rec_begin(&r->cur, source, file, line);
    r->cur.row = row;

    if (row) {
        r->rows++;

    } else {
        r->lines++;
    }
}


void
ps_report_id(ps_report_t *r, const char *id, size_t len)
{
    r->cur.id.len = 0;
    ps_buf_add(&r->cur.id, id, len);
    r->cur.has_id = 1;
}


void
ps_report_reason(ps_report_t *r, ps_reason_e code, const char *field,
    const char *fmt, ...)
{
    va_list  ap;

    va_start(ap, fmt);
    ps_report_add_reason(r, &r->cur, code, ps_reasons[code].kind, field,
                         fmt, ap);
    va_end(ap);
}


void
ps_report_reason_kind(ps_report_t *r, ps_reason_e code, ps_kind_e kind,
    const char *field, const char *fmt, ...)
{
    va_list  ap;

    va_start(ap, fmt);
    ps_report_add_reason(r, &r->cur, code, kind, field, fmt, ap);
    va_end(ap);
}


int
ps_report_quarantined(ps_report_t *r)
{
    return r->cur.worst == PS_KIND_QUARANTINE;
}


void
ps_report_supersede(ps_report_t *r)
{
    r->cur.forced = PS_OUT_SUPERSEDED;
}


ps_outcome_e
ps_report_end(ps_report_t *r)
{
    ps_outcome_e  outcome;

    switch (r->cur.forced >= 0 ? -2 : r->cur.worst) {
    case -2:
        outcome = (ps_outcome_e) r->cur.forced;
        break;
    case PS_KIND_QUARANTINE:
        outcome = PS_OUT_QUARANTINED;
        break;
    case PS_KIND_FIX:
        outcome = PS_OUT_FIXED;
        break;
    case PS_KIND_DEFAULT:
        outcome = PS_OUT_DEFAULTED;
        break;
    default:
        outcome = PS_OUT_CLEAN;
    }

    if (r->cur.row) {
        if (outcome != PS_OUT_QUARANTINED) {
            return outcome;
        }

        r->rows_quarantined++;

    } else {
        r->outcomes[outcome]++;
    }

    ps_report_line(r, &r->cur, outcome);
    ps_report_flush_text(r, &r->cur, outcome);

    return outcome;
}


void
ps_report_event(ps_report_t *r, ps_outcome_e outcome, ps_outcome_e undo,
    const char *source,
    const char *file, uint64_t line, const char *id, size_t id_len,
    ps_reason_e code, const char *fmt, ...)
{
    va_list  ap;

    ps_report_rec_begin(&r->ev, source, file, line);

    if (id != NULL) {
        ps_buf_add(&r->ev.id, id, id_len);
        r->ev.has_id = 1;
    }

    va_start(ap, fmt);
    ps_report_add_reason(r, &r->ev, code, ps_reasons[code].kind, NULL, fmt,
                         ap);
    va_end(ap);

    r->outcomes[outcome]++;

    if (undo < PS_OUT_MAX && r->outcomes[undo] > 0) {
        r->outcomes[undo]--;
    }

    if (undo < PS_OUT_MAX && undo != outcome && r->spool != NULL) {
        ps_report_amend(r, &r->ev, outcome);

    } else {
        ps_report_line(r, &r->ev, outcome);
    }

    ps_report_flush_text(r, &r->ev, outcome);
}


void
ps_report_summary(ps_report_t *r, int64_t written, const char *out,
    const char *content_hash, int exit_code)
{
    int        first;
    unsigned   i, k;
    ps_buf_t  *b;

    b = &r->scratch;

    if (r->spool != NULL) {
        ps_report_unspool(r);
    }

    if (r->ndjson != NULL) {
        b->len = 0;
        ps_buf_printf(b, "{\"type\":\"summary\",\"records\":%llu",
                      (unsigned long long) r->lines);

        for (i = 0; i < PS_OUT_MAX; i++) {
            ps_buf_printf(b, ",\"%s\":%llu", ps_outcome_names[i],
                          (unsigned long long) r->outcomes[i]);
        }

        ps_buf_printf(b, ",\"written\":%lld", (long long) written);
        ps_buf_adds(b, ",\"reasons\":[");

        first = 1;

        for (k = 0; k < PS_KIND_MAX; k++) {
            for (i = 0; i < PS_R_MAX; i++) {
                if (r->reasons_count[i][k] == 0) {
                    continue;
                }

                ps_buf_printf(b, "%s{\"code\":\"%s\",\"kind\":\"%s\","
                              "\"count\":%llu}", first ? "" : ",",
                              ps_reasons[i].name, ps_kind_names[k],
                              (unsigned long long) r->reasons_count[i][k]);
                first = 0;
            }
        }

        ps_buf_adds(b, "]");

        if (r->rows) {
            ps_buf_printf(b, ",\"rows\":%llu,\"rows_quarantined\":%llu",
                          (unsigned long long) r->rows,
                          (unsigned long long) r->rows_quarantined);
        }

        if (written >= 0 && out != NULL) {
            ps_buf_adds(b, ",\"snapshot\":");
            ps_buf_add_json_string(b, out, strlen(out));
        }

        if (content_hash != NULL) {
            ps_buf_printf(b, ",\"content_hash\":\"%s\"", content_hash);
        }

        ps_buf_printf(b, ",\"exit\":%d}\n", exit_code);
        fwrite(b->data, 1, b->len, r->ndjson);
    }

    if (r->quiet) {
        return;
    }

    if (r->messages > r->max_messages) {
        fprintf(stderr, PS_NAME ": %llu more messages not shown%s\n",
                (unsigned long long) (r->messages - r->max_messages),
                r->ndjson ? " (see the report)" : " (use --report FILE)");
    }

    fprintf(stderr, PS_NAME ": %llu records read: %llu clean, %llu fixed, "
            "%llu defaulted, %llu quarantined, %llu superseded",
            (unsigned long long) r->lines,
            (unsigned long long) r->outcomes[PS_OUT_CLEAN],
            (unsigned long long) r->outcomes[PS_OUT_FIXED],
            (unsigned long long) r->outcomes[PS_OUT_DEFAULTED],
            (unsigned long long) r->outcomes[PS_OUT_QUARANTINED],
            (unsigned long long) r->outcomes[PS_OUT_SUPERSEDED]);

    if (r->outcomes[PS_OUT_ORPHAN]) {
        fprintf(stderr, ", %llu orphan rows",
                (unsigned long long) r->outcomes[PS_OUT_ORPHAN]);
    }

    fputc('\n', stderr);

    if (r->rows) {
        fprintf(stderr, PS_NAME ": %llu rows read from joined sources, "
                "%llu quarantined\n", (unsigned long long) r->rows,
                (unsigned long long) r->rows_quarantined);
    }

    for (k = 0; k < PS_KIND_MAX; k++) {
        for (i = 0; i < PS_R_MAX; i++) {
            if (r->reasons_count[i][k]) {
                fprintf(stderr, "  %-10s %-20s %llu\n", ps_kind_names[k],
                        ps_reasons[i].name,
                        (unsigned long long) r->reasons_count[i][k]);
            }
        }
    }

    if (written >= 0) {
        fprintf(stderr, PS_NAME ": %lld records written to %s\n",
                (long long) written, out);

    } else {
        fprintf(stderr, PS_NAME ": no snapshot written\n");
    }
}


int
ps_report_close(ps_report_t *r)
{
    int  rc;

    rc = r->failed ? -1 : 0;

    if (r->spool != NULL) {
        fclose(r->spool);
        r->spool = NULL;
    }

    if (r->ndjson != NULL) {
        if (fflush(r->ndjson) != 0 || ferror(r->ndjson)) {
            ps_error("%s: writing the report failed: %s", r->ndjson_path,
                     strerror(errno));
            rc = -1;
        }

        if (r->ndjson != stdout && fclose(r->ndjson) != 0) {
            rc = -1;
        }

        r->ndjson = NULL;

        if (r->ndjson_tmp != NULL) {
            ps_signal_point("report");

            if (rc != 0) {
                (void) unlink(r->ndjson_tmp);

            } else if (rename(r->ndjson_tmp, r->ndjson_to) != 0) {
                ps_error("%s: rename() to %s failed: %s", r->ndjson_tmp,
                         r->ndjson_to, strerror(errno));
                (void) unlink(r->ndjson_tmp);
                rc = -1;
            }

            ps_report_forget(r);
        }
    }

    ps_report_rec_free(&r->cur);
    ps_report_rec_free(&r->ev);
    ps_buf_free(&r->scratch);

    return rc;
}


const char *
ps_reason_name(ps_reason_e code)
{
    return ps_reasons[code].name;
}


static void
ps_report_rec_begin(ps_report_rec_t *e, const char *source,
    const char *file, uint64_t line)
{
    e->source = source;
    e->file = file;
    e->line = line;
    e->has_id = 0;
    e->id.len = 0;
    e->reasons.len = 0;
    e->text.len = 0;
    e->nreasons = 0;
    e->worst = -1;
    e->row = 0;
    e->forced = -1;
}


static void
ps_report_rec_free(ps_report_rec_t *e)
{
    ps_buf_free(&e->id);
    ps_buf_free(&e->reasons);
    ps_buf_free(&e->text);
}


static void
ps_report_add_reason(ps_report_t *r, ps_report_rec_t *e, ps_reason_e code,
    ps_kind_e kind, const char *field, const char *fmt, va_list ap)
{
    ps_buf_t  *m;
    va_list    aq;
    int        n;

    m = &r->scratch;
    m->len = 0;

    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);

    if (n > 0) {
        ps_buf_reserve(m, (size_t) n + 1);
        vsnprintf((char *) m->data, (size_t) n + 1, fmt, ap);
        m->len = (size_t) n;
    }

    r->reasons_count[code][kind]++;

    if (e->worst == -1 || (int) kind < e->worst) {
        e->worst = kind;
    }

    /* the NDJSON member */

    ps_buf_adds(&e->reasons, e->nreasons ? ",{\"code\":\"" : "{\"code\":\"");
    ps_buf_adds(&e->reasons, ps_reasons[code].name);
    ps_buf_adds(&e->reasons, "\",\"kind\":\"");
    ps_buf_adds(&e->reasons, ps_kind_names[kind]);
    ps_buf_adds(&e->reasons, "\"");

    if (field != NULL) {
        ps_buf_adds(&e->reasons, ",\"field\":");
        ps_buf_add_json_string(&e->reasons, field, strlen(field));
    }

    ps_buf_adds(&e->reasons, ",\"message\":");
    ps_buf_add_json_string(&e->reasons, (char *) m->data, m->len);
    ps_buf_addc(&e->reasons, '}');

    e->nreasons++;

    /* the stderr line, minus the outcome known at the end */

    ps_buf_addc(&e->text, '\0');
    if (field != NULL) {
        ps_buf_printf(&e->text, "field \"%s\": ", field);
    }

    ps_buf_add(&e->text, m->data, m->len);
    ps_buf_printf(&e->text, " [%s]", ps_reasons[code].name);
}


static void
ps_report_line(ps_report_t *r, ps_report_rec_t *e, ps_outcome_e outcome)
{
    ps_buf_t             *b;
    ps_report_spooled_t   h;

    if (r->ndjson == NULL) {
        return;
    }

    b = &r->scratch;
    b->len = 0;

    ps_buf_adds(b, "{\"type\":\"record\",\"source\":");
    ps_buf_add_json_string(b, e->source, strlen(e->source));
    ps_buf_adds(b, ",\"file\":");
    ps_buf_add_json_string(b, e->file, strlen(e->file));
    ps_buf_printf(b, ",\"line\":%llu,\"id\":", (unsigned long long) e->line);

    if (e->has_id) {
        ps_buf_add_json_string(b, (char *) e->id.data, e->id.len);

    } else {
        ps_buf_adds(b, "null");
    }

    ps_buf_adds(b, ",\"outcome\":\"");

    if (r->spool == NULL) {
        ps_report_write(r, b, NULL, 0, outcome, e->reasons.data,
                        e->reasons.len, NULL, 0);
        return;
    }

    /* only records of the primary source are amended (ps_process.c) */
    h.line = (e == &r->cur && !e->row)
             ? (e->line | ((uint64_t) r->space << 56)) : 0;
    h.prefix_len = (uint32_t) b->len;
    h.reasons_len = (uint32_t) e->reasons.len;
    h.outcome = outcome;

    if ((fwrite(&h, sizeof(h), 1, r->spool) != 1
         || fwrite(b->data, 1, b->len, r->spool) != b->len
         || (e->reasons.len != 0
             && fwrite(e->reasons.data, 1, e->reasons.len, r->spool)
                != e->reasons.len))
        && !r->failed)
    {
        ps_error("%s: writing the report's scratch file failed: %s",
                 r->ndjson_path, strerror(errno));
        r->failed = 1;
    }
}


/* write prefix + outcome + reasons (+ more) as one line to the report */

static void
ps_report_write(ps_report_t *r, ps_buf_t *b, const unsigned char *prefix,
    size_t prefix_len, ps_outcome_e outcome, const unsigned char *reasons,
    size_t reasons_len, const unsigned char *more, size_t more_len)
{
    if (prefix != NULL) {
        b->len = 0;
        ps_buf_add(b, prefix, prefix_len);
    }

    ps_buf_adds(b, ps_outcome_names[outcome]);
    ps_buf_adds(b, "\",\"reasons\":[");
    ps_buf_add(b, reasons, reasons_len);

    if (more_len > 0) {
        if (reasons_len > 0) {
            ps_buf_addc(b, ',');
        }

        ps_buf_add(b, more, more_len);
    }

    ps_buf_adds(b, "]}\n");

    fwrite(b->data, 1, b->len, r->ndjson);
}


/*
 * An earlier record of the primary source changes outcome (a later
 * duplicate superseded or rejected it): remember the new outcome and
 * the reason for its line, keyed by its line number.
 */

static void
ps_report_amend(ps_report_t *r, ps_report_rec_t *e, ps_outcome_e outcome)
{
    int             rc;
    size_t          len;
    ps_buf_t       *b;
    const void     *old;
    unsigned char   key[8];

    if (r->namends == 0
        && ps_writer_aux(r->store, "_report", &r->amends) != 0)
    {
        r->failed = 1;
        return;
    }

    ngx_http_profile_put64(key, e->line | ((uint64_t) r->space << 56));

    b = &r->scratch;
    b->len = 0;
    ps_buf_addc(b, outcome);

    rc = ps_writer_aux_get(r->store, r->amends, key, sizeof(key), &old,
                           &len);

    if (rc < 0) {
        r->failed = 1;
        return;
    }

    /* amended twice: the reasons add up, the last outcome holds */
    if (rc == 1 && len > 1) {
        ps_buf_add(b, (const unsigned char *) old + 1, len - 1);
        ps_buf_addc(b, ',');
    }

    ps_buf_add(b, e->reasons.data, e->reasons.len);

    if (ps_writer_aux_put(r->store, r->amends, key, sizeof(key), b->data,
                          b->len)
        != 0)
    {
        r->failed = 1;
        return;
    }

    r->namends++;
}


/* copy the spooled record lines to the report, amended */

static void
ps_report_unspool(ps_report_t *r)
{
    int                   rc;
    size_t                n, alen;
    ps_buf_t              line, out;
    const void           *a;
    unsigned char         key[8];
    ps_report_spooled_t   h;

    memset(&line, 0, sizeof(ps_buf_t));
    memset(&out, 0, sizeof(ps_buf_t));

    if (fflush(r->spool) != 0 || fseek(r->spool, 0, SEEK_SET) != 0) {
        ps_error("%s: the report's scratch file: fseek() failed: %s",
                 r->ndjson_path, strerror(errno));
        r->failed = 1;
        return;
    }

    while (fread(&h, sizeof(h), 1, r->spool) == 1) {
        n = (size_t) h.prefix_len + h.reasons_len;
        line.len = 0;
        ps_buf_reserve(&line, n);

        if (fread(line.data, 1, n, r->spool) != n) {
            break;
        }

        rc = 0;

        if (h.line != 0 && r->namends != 0) {
            ngx_http_profile_put64(key, h.line);
            rc = ps_writer_aux_get(r->store, r->amends, key, sizeof(key),
                                   &a, &alen);
            if (rc < 0) {
                r->failed = 1;
                rc = 0;
            }
        }

        if (rc == 1 && alen >= 1) {
            ps_report_write(r, &out, line.data, h.prefix_len,
                            ((const unsigned char *) a)[0],
                            line.data + h.prefix_len, h.reasons_len,
                            (const unsigned char *) a + 1, alen - 1);

        } else {
            ps_report_write(r, &out, line.data, h.prefix_len, h.outcome,
                            line.data + h.prefix_len, h.reasons_len,
                            NULL, 0);
        }
    }

    if (ferror(r->spool) || !feof(r->spool)) {
        ps_error("%s: the report's scratch file cannot be read back",
                 r->ndjson_path);
        r->failed = 1;
    }

    ps_buf_free(&line);
    ps_buf_free(&out);
}


/* e->text holds NUL-separated reason texts: one stderr line each */

static void
ps_report_flush_text(ps_report_t *r, ps_report_rec_t *e,
    ps_outcome_e outcome)
{
    size_t          i, j;
    ps_buf_t       *b;
    unsigned char  *p;

    if (r->quiet || e->nreasons == 0) {
        return;
    }

    b = &r->scratch;
    p = e->text.data;
    i = 0;

    while (i < e->text.len) {
        /* skip the separator */
        i++;

        for (j = i; j < e->text.len && p[j] != '\0'; j++) {
            /* void */
        }

        if (++r->messages <= r->max_messages) {
            b->len = 0;
            ps_buf_printf(b, "%s:%llu: %s: ", e->file,
                          (unsigned long long) e->line,
                          ps_outcome_names[outcome]);

            if (e->has_id) {
                ps_buf_adds(b, "id ");
                ps_buf_add_json_string(b, (char *) e->id.data, e->id.len);
                ps_buf_adds(b, ": ");
            }

            ps_buf_add(b, p + i, j - i);
            ps_buf_addc(b, '\n');
            fwrite(b->data, 1, b->len, stderr);
        }

        i = j;
    }
}
