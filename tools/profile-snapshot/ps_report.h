
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The build report: one outcome per input record, written as NDJSON to
 * --report, as "FILE:LINE: ..." messages to stderr, and summarized with
 * counts by reason (docs/cli.md "Report").
 */


#ifndef _PS_REPORT_H_INCLUDED_
#define _PS_REPORT_H_INCLUDED_


#include <stdint.h>
#include <stdio.h>

#include "ps_buf.h"
#include "ps_writer.h"


/* what a reason does to its record; keep ps_report.c's table in step */
typedef enum {
    PS_KIND_QUARANTINE = 0,     /* the record is not written */
    PS_KIND_FIX,                /* written, with this change */
    PS_KIND_DEFAULT,            /* written, an absent field defaulted */
    PS_KIND_NOTE,               /* written unchanged; worth knowing */
    PS_KIND_MAX
} ps_kind_e;


typedef enum {
    /* quarantine by default */
    PS_R_INVALID_JSON = 0,
    PS_R_NOT_OBJECT,
    PS_R_MISSING_ID,
    PS_R_INVALID_ID,
    PS_R_ID_TOO_LONG,
    PS_R_RECORD_TOO_LARGE,
    PS_R_INVALID_UTF8,
    PS_R_DUPLICATE_KEY,
    PS_R_TOO_DEEP,
    PS_R_STRING_TOO_LONG,
    PS_R_ARRAY_TOO_LONG,
    PS_R_REQUIRED,
    PS_R_DUPLICATE_ID,
    PS_R_UNKNOWN_VERSION,
    PS_R_MIGRATION_FAILED,
    /* fix by default */
    PS_R_UNKNOWN_FIELD,
    PS_R_WRONG_TYPE,
    PS_R_INVALID_VALUE,
    PS_R_COERCED,
    PS_R_TRIMMED,
    PS_R_ALIAS,
    PS_R_DEFAULT,
    PS_R_TRUNCATED,
    PS_R_MAPPED,
    PS_R_MIGRATED,
    PS_R_UTF8_REPLACED,
    PS_R_WRONG_SOURCE,
    PS_R_JOINED,
    /* note */
    PS_R_SUPERSEDED,
    PS_R_ORPHAN,
    PS_R_NOT_IN_SOURCE,
    PS_R_BOM,
    PS_R_NUL,
    /* privacy settings (fix) */
    PS_R_PRIVACY_CLAMPED,
    PS_R_PRIVACY_UNKNOWN,
    PS_R_PRIVACY_INVALID,
    /* profile states (fix) */
    PS_R_STATE_UNKNOWN,
    /* the relations source */
    PS_R_UNKNOWN_KIND,
    PS_R_SELF_EDGE,
    PS_R_DUPLICATE_EDGE,
    PS_R_DANGLING,
    PS_R_MAX
} ps_reason_e;


typedef enum {
    PS_OUT_CLEAN = 0,           /* accepted as is */
    PS_OUT_FIXED,               /* accepted with fixes */
    PS_OUT_DEFAULTED,           /* accepted; only defaults filled in */
    PS_OUT_QUARANTINED,         /* not written */
    PS_OUT_SUPERSEDED,          /* was written, replaced by a duplicate */
    PS_OUT_ORPHAN,              /* row of a joined source with no record */
    PS_OUT_MAX
} ps_outcome_e;


/* one outcome line being put together */
typedef struct {
    const char     *source;
    const char     *file;
    uint64_t        line;
    ps_buf_t        id;
    int             has_id;
    ps_buf_t        reasons;    /* JSON array members */
    ps_buf_t        text;       /* stderr lines, NUL-separated */
    unsigned        nreasons;
    int             worst;      /* PS_KIND_* of the worst reason, or -1 */
    int             row;        /* a row of a joined source */
    int             forced;     /* an outcome set by the caller, or -1 */
} ps_report_rec_t;


typedef struct {
    FILE           *ndjson;     /* --report, or NULL */
    const char     *ndjson_path;
    char           *ndjson_tmp; /* written here, renamed at the end */
    char           *ndjson_to;  /* to this: ndjson_path, or its target */
    int             ndjson_sig; /* its ps_signal_track() slot */

    /*
     * With a spool, record lines wait in it until the end, so that a
     * later duplicate can change an earlier record's outcome in its own
     * line (an amendment, kept in the build database "_report") instead
     * of adding a second line.  Without one, lines go straight to
     * ndjson and such a change is a line of its own.
     */
    FILE           *spool;
    ps_writer_t    *store;
    MDB_dbi         amends;
    uint64_t        namends;
    int             failed;     /* the spool could not be read back */

    int             quiet;
    uint64_t        max_messages;
    uint64_t        messages;

    /*
     * 0 while the primary source is read, k + 1 while embedded source k
     * is (set by the build): its lines are numbered apart, so an
     * amendment is keyed by the line and this
     */
    unsigned        space;

    ps_report_rec_t cur;        /* the record being reported */
    ps_report_rec_t ev;         /* an event about an earlier record */

    /* totals */
    uint64_t        lines;      /* records read (blank lines excluded) */
    uint64_t        outcomes[PS_OUT_MAX];
    uint64_t        reasons_count[PS_R_MAX][PS_KIND_MAX];
    uint64_t        rows;       /* rows read from joined sources */
    uint64_t        rows_quarantined;

    ps_buf_t        scratch;
} ps_report_t;


/*
 * Open the report; path may be NULL (stderr messages and summary only).
 * A regular file (or a new one) is written as ".NAME.tmp.PID" beside it
 * and renamed by ps_report_close(), so that a build that fails to write
 * it, or is interrupted, leaves the previous report as it was.  Returns
 * 0, or -1 with a message printed.
 */
int ps_report_open(ps_report_t *r, const char *path, int quiet,
    uint64_t max_messages);

/*
 * Keep the record lines in an unlinked scratch file beside out until
 * ps_report_summary(), with amendments in w's build database (both must
 * stay open until then).  Nothing to do without --report.  Returns 0, or
 * -1 with a message printed.
 */
int ps_report_spool(ps_report_t *r, const char *out, ps_writer_t *w);

/*
 * Start the outcome of the record at file:line of source.  A row of a
 * joined source (row set) gets a report line only if it is quarantined,
 * and is counted apart from records.
 */
void ps_report_begin(ps_report_t *r, const char *source, const char *file,
    uint64_t line, int row);

/* the record's id, once known (any bytes; escaped on output) */
void ps_report_id(ps_report_t *r, const char *id, size_t len);

/*
 * Add a reason; field may be NULL.  The message is printf-formatted and
 * may quote input bytes: they are escaped on output.
 */
void ps_report_reason(ps_report_t *r, ps_reason_e code, const char *field,
    const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

/* the same with a kind other than the code's default */
void ps_report_reason_kind(ps_report_t *r, ps_reason_e code, ps_kind_e kind,
    const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));

/* 1 if a quarantining reason was added to the current record */
int ps_report_quarantined(ps_report_t *r);

/* make the current record's outcome "superseded" (it is not written) */
void ps_report_supersede(ps_report_t *r);

/* write the record's outcome line; returns the outcome */
ps_outcome_e ps_report_end(ps_report_t *r);

/*
 * Report an event about an earlier record or row.  undo is the outcome
 * counted for that record before (its count is moved to outcome): the
 * record's own line gets the new outcome and the reason (with a spool;
 * without one, the event is a line of its own).  An event about a row
 * (undo PS_OUT_MAX, or equal to outcome: nothing counted) is a line of
 * its own: a row has no line before it is orphaned or superseded.
 */
void ps_report_event(ps_report_t *r, ps_outcome_e outcome, ps_outcome_e undo,
    const char *source, const char *file, uint64_t line, const char *id,
    size_t id_len, ps_reason_e code, const char *fmt, ...)
    __attribute__ ((format (printf, 10, 11)));

/*
 * Write the summary: the last NDJSON line and, unless quiet, the human
 * summary on stderr.  written is the snapshot's record count (or -1 if
 * none was written); out and exit_code are shown as they are.
 */
void ps_report_summary(ps_report_t *r, int64_t written, const char *out,
    const char *content_hash, int exit_code);

/*
 * Close the report file and rename it into place (or remove it if
 * writing it failed); returns -1 if writing or renaming it failed.
 */
int ps_report_close(ps_report_t *r);

const char *ps_reason_name(ps_reason_e code);


#endif /* _PS_REPORT_H_INCLUDED_ */
