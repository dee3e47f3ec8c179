
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The "build" command: sources + schema -> snapshot, one record at a time
 * (docs/cli.md).
 */


#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ps.h"
#include "ps_coerce.h"
#include "ps_encode.h"
#include "ps_input.h"
#include "ps_report.h"
#include "ps_schema.h"
#include "ps_writer.h"


#define PS_MAX_SOURCES        16
#define PS_MAX_LINE_DEFAULT   (1024 * 1024)


typedef struct {
    const char     *name;
    const char     *path;
    const char     *display;    /* path for messages */
} ps_source_t;


typedef struct {
    ps_schema_t     schema;
    ps_writer_t     writer;
    ps_report_t     report;
    ps_record_t     record;

    ps_source_t     sources[PS_MAX_SOURCES];
    unsigned        nsources;

    const char     *schema_path;
    const char     *out;
    const char     *report_path;
    const char     *snapshot_id;
    time_t          created;
    double          max_reject_ratio;
    uint64_t        max_messages;
    size_t          map_size;
    size_t          max_line;
    int             quiet;
    int             allow_empty;

    /* per record: the value of each field, by field id */
    json_t        **values;
    char            id[NGX_HTTP_PROFILE_ID_MAX + 1];
    size_t          id_len;
} ps_build_t;


static int ps_build_options(ps_build_t *b, int argc, char **argv);
static int ps_build_source(ps_build_t *b, unsigned si);
static int ps_build_line(ps_build_t *b, unsigned si, ps_input_t *in,
    unsigned char *line, size_t len);
static int ps_build_id(ps_build_t *b, json_t *obj);
static int ps_build_fields(ps_build_t *b, json_t *obj);
static int ps_build_store(ps_build_t *b, unsigned si, uint64_t line);
static int ps_parse_time(const char *s, time_t *t);
static int ps_snapshot_id_valid(const char *s);
static void ps_build_usage(FILE *f);


int
ps_build_main(int argc, char **argv)
{
    int           rc, exit_code;
    unsigned      i;
    int64_t       written;
    uint64_t      bad, total;
    ps_build_t   *b;

    b = ps_alloc(sizeof(ps_build_t));
    memset(b, 0, sizeof(ps_build_t));

    rc = ps_build_options(b, argc, argv);
    if (rc != 0) {
        free(b);
        return rc < 0 ? PS_EXIT_OK : rc;
    }

    if (ps_schema_load(&b->schema, b->schema_path) != 0) {
        free(b);
        return PS_EXIT_SCHEMA;
    }

    b->values = ps_alloc(b->schema.nfields * sizeof(json_t *));
    memset(b->values, 0, b->schema.nfields * sizeof(json_t *));

    exit_code = PS_EXIT_IO;
    written = -1;

    if (ps_report_open(&b->report, b->report_path, b->quiet,
                       b->max_messages) != 0)
    {
        goto done;
    }

    if (ps_writer_open(&b->writer, b->out, b->map_size) != 0) {
        goto report;
    }

    for (i = 0; i < b->nsources; i++) {
        if (ps_build_source(b, i) != 0) {
            goto report;
        }
    }

    bad = b->report.outcomes[PS_OUT_QUARANTINED];
    total = b->report.lines;

    if (total == 0 && !b->allow_empty) {
        ps_error("no records in the input; refusing to write an empty "
                 "snapshot (use --allow-empty)");
        goto report;
    }

    if (b->max_reject_ratio >= 0 && total > 0
        && (double) bad / (double) total > b->max_reject_ratio)
    {
        ps_error("%llu of %llu records quarantined (%.4g) exceeds "
                 "--max-reject-ratio %g; no snapshot written",
                 (unsigned long long) bad, (unsigned long long) total,
                 (double) bad / (double) total, b->max_reject_ratio);
        exit_code = PS_EXIT_RATIO;
        goto report;
    }

    if (ps_writer_finish(&b->writer, &b->schema, b->snapshot_id,
                         b->created) != 0)
    {
        goto report;
    }

    written = (int64_t) b->writer.count;
    exit_code = bad ? PS_EXIT_REJECTED : PS_EXIT_OK;

report:

    ps_report_summary(&b->report, written, b->out,
                      written >= 0 ? b->writer.content_hash : NULL,
                      exit_code);

    if (ps_report_close(&b->report) != 0 && exit_code <= PS_EXIT_REJECTED) {
        exit_code = PS_EXIT_IO;
    }

done:

    ps_writer_close(&b->writer);
    ps_record_free(&b->record);
    ps_schema_free(&b->schema);
    free(b->values);
    free(b);

    return exit_code;
}


/* returns 0 to go on, -1 to exit 0 (--help), or an exit code */

static int
ps_build_options(ps_build_t *b, int argc, char **argv)
{
    int          c;
    char        *end, *eq;
    const char  *sde;

    static const struct option  opts[] = {
        { "schema", required_argument, NULL, 's' },
        { "source", required_argument, NULL, 'i' },
        { "out", required_argument, NULL, 'o' },
        { "report", required_argument, NULL, 'r' },
        { "snapshot-id", required_argument, NULL, 'n' },
        { "created-at", required_argument, NULL, 't' },
        { "max-reject-ratio", required_argument, NULL, 'x' },
        { "max-messages", required_argument, NULL, 'm' },
        { "max-record-size", required_argument, NULL, 'L' },
        { "map-size", required_argument, NULL, 'M' },
        { "allow-empty", no_argument, NULL, 'E' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };

    b->max_reject_ratio = -1;
    b->max_messages = 20;
    b->max_line = PS_MAX_LINE_DEFAULT;
    b->created = (time_t) -1;

    opterr = 0;
    optind = 1;

    while ((c = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
        switch (c) {

        case 's':
            b->schema_path = optarg;
            break;

        case 'i':
            eq = strchr(optarg, '=');

            if (eq == NULL || eq == optarg || eq[1] == '\0') {
                ps_error("build: --source wants NAME=FILE, not \"%s\"",
                         optarg);
                return PS_EXIT_USAGE;
            }

            if (b->nsources == PS_MAX_SOURCES) {
                ps_error("build: at most %d --source options",
                         PS_MAX_SOURCES);
                return PS_EXIT_USAGE;
            }

            *eq = '\0';
            b->sources[b->nsources].name = optarg;
            b->sources[b->nsources].path = eq + 1;
            b->nsources++;
            break;

        case 'o':
            b->out = optarg;
            break;

        case 'r':
            b->report_path = optarg;
            break;

        case 'n':
            if (!ps_snapshot_id_valid(optarg)) {
                ps_error("build: --snapshot-id must be 1..64 bytes of "
                         "[A-Za-z0-9._-]");
                return PS_EXIT_USAGE;
            }

            b->snapshot_id = optarg;
            break;

        case 't':
            if (ps_parse_time(optarg, &b->created) != 0) {
                ps_error("build: --created-at wants YYYY-MM-DDTHH:MM:SSZ, "
                         "not \"%s\"", optarg);
                return PS_EXIT_USAGE;
            }
            break;

        case 'x':
            errno = 0;
            b->max_reject_ratio = strtod(optarg, &end);

            if (errno || *end != '\0' || end == optarg
                || !(b->max_reject_ratio >= 0 && b->max_reject_ratio <= 1))
            {
                ps_error("build: --max-reject-ratio wants a number "
                         "from 0 to 1");
                return PS_EXIT_USAGE;
            }
            break;

        case 'm':
        case 'L':
        case 'M':
            errno = 0;
            {
                unsigned long long  v;

                v = strtoull(optarg, &end, 10);

                if (errno || *end != '\0' || end == optarg
                    || optarg[0] == '-' || (c != 'm' && v == 0))
                {
                    ps_error("build: --%s wants a positive integer",
                             c == 'm' ? "max-messages"
                             : c == 'L' ? "max-record-size" : "map-size");
                    return PS_EXIT_USAGE;
                }

                if (c == 'm') {
                    b->max_messages = v;

                } else if (c == 'L') {
                    b->max_line = (size_t) v;

                } else {
                    b->map_size = (size_t) v;
                }
            }
            break;

        case 'E':
            b->allow_empty = 1;
            break;

        case 'q':
            b->quiet = 1;
            break;

        case 'h':
            ps_build_usage(stdout);
            return -1;

        default:
            ps_error("build: unknown or incomplete option \"%s\"",
                     argv[optind - 1]);
            ps_build_usage(stderr);
            return PS_EXIT_USAGE;
        }
    }

    if (optind < argc) {
        ps_error("build: unexpected argument \"%s\"", argv[optind]);
        ps_build_usage(stderr);
        return PS_EXIT_USAGE;
    }

    if (b->schema_path == NULL || b->nsources == 0 || b->out == NULL) {
        ps_error("build: --schema, --source and --out are required");
        ps_build_usage(stderr);
        return PS_EXIT_USAGE;
    }

    if (b->nsources > 1) {
        ps_error("build: only one --source is supported yet");
        return PS_EXIT_USAGE;
    }

    if (b->created == (time_t) -1) {
        sde = getenv("SOURCE_DATE_EPOCH");

        if (sde != NULL && *sde != '\0') {
            errno = 0;
            b->created = (time_t) strtoll(sde, &end, 10);

            if (errno || *end != '\0' || b->created < 0) {
                ps_error("build: SOURCE_DATE_EPOCH must be a number of "
                         "seconds, not \"%s\"", sde);
                return PS_EXIT_USAGE;
            }

        } else {
            b->created = time(NULL);
        }
    }

    return 0;
}


static int
ps_build_source(ps_build_t *b, unsigned si)
{
    int             rc;
    size_t          len;
    ps_input_t      in;
    unsigned char  *line;

    if (ps_input_open(&in, b->sources[si].path, b->max_line) != 0) {
        return -1;
    }

    b->sources[si].display = in.display;

    for ( ;; ) {
        rc = ps_input_next(&in, &line, &len);

        if (rc <= 0) {
            break;
        }

        if (ps_build_line(b, si, &in, line, len) != 0) {
            rc = -1;
            break;
        }
    }

    ps_input_close(&in);

    return rc;
}


/* one input line: returns -1 only on a fatal (I/O, LMDB) error */

static int
ps_build_line(ps_build_t *b, unsigned si, ps_input_t *in,
    unsigned char *line, size_t len)
{
    int            rc;
    size_t         i;
    json_t        *obj;
    json_error_t   err;
    ps_report_t   *rep;

    rep = &b->report;

    if (line != NULL) {
        for (i = 0; i < len; i++) {
            if (line[i] != ' ' && line[i] != '\t') {
                break;
            }
        }

        /* blank lines are not records */
        if (i == len) {
            return 0;
        }
    }

    ps_report_begin(rep, b->sources[si].name, in->display, in->line);

    if (line == NULL) {
        ps_report_reason(rep, PS_R_RECORD_TOO_LARGE, NULL,
                         "record of %zu bytes exceeds --max-record-size %zu",
                         len, b->max_line);
        ps_report_end(rep);
        return 0;
    }

    obj = json_loadb((const char *) line, len, JSON_DECODE_ANY, &err);

    if (obj == NULL) {
        ps_report_reason(rep, PS_R_INVALID_JSON, NULL,
                         "invalid JSON: %s at column %d", err.text,
                         err.column);
        ps_report_end(rep);
        return 0;
    }

    if (!json_is_object(obj)) {
        ps_report_reason(rep, PS_R_NOT_OBJECT, NULL,
                         "a record must be a JSON object, not %s",
                         ps_json_type_name(obj));
        json_decref(obj);
        ps_report_end(rep);
        return 0;
    }

    rc = 0;

    if (ps_build_id(b, obj) == 0 && ps_build_fields(b, obj) == 0) {
        rc = ps_build_store(b, si, in->line);
    }

    for (i = 0; i < b->schema.nfields; i++) {
        if (b->values[i] != NULL) {
            json_decref(b->values[i]);
            b->values[i] = NULL;
        }
    }

    json_decref(obj);
    ps_report_end(rep);

    return rc;
}


/* the record's id into b->id; -1 (reported) if it has no valid id */

static int
ps_build_id(ps_build_t *b, json_t *obj)
{
    json_t       *v;
    size_t        len;
    const char   *s;
    ps_report_t  *rep;

    rep = &b->report;

    v = json_object_get(obj, b->schema.key);

    if (v == NULL || json_is_null(v)) {
        ps_report_reason(rep, PS_R_MISSING_ID, NULL, "no \"%s\" member",
                         b->schema.key);
        return -1;
    }

    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0) {
            ps_report_reason(rep, PS_R_INVALID_ID, NULL,
                             "a numeric id must not be negative");
            return -1;
        }

        b->id_len = (size_t) snprintf(b->id, sizeof(b->id), "%" JSON_INTEGER_FORMAT,
                                      json_integer_value(v));
        ps_report_id(rep, b->id, b->id_len);
        return 0;
    }

    if (!json_is_string(v)) {
        ps_report_reason(rep, PS_R_INVALID_ID, NULL,
                         "the id must be a string or an integer, not %s",
                         ps_json_type_name(v));
        return -1;
    }

    s = json_string_value(v);
    len = json_string_length(v);

    ps_report_id(rep, s, len);

    if (len > NGX_HTTP_PROFILE_ID_MAX) {
        ps_report_reason(rep, PS_R_ID_TOO_LONG, NULL,
                         "the id is %zu bytes, more than %d", len,
                         NGX_HTTP_PROFILE_ID_MAX);
        return -1;
    }

    if (!ngx_http_profile_id_valid((const unsigned char *) s, len)) {
        ps_report_reason(rep, PS_R_INVALID_ID, NULL,
                         len ? "the id has bytes outside [A-Za-z0-9._~-]"
                             : "the id is empty");
        return -1;
    }

    memcpy(b->id, s, len);
    b->id[len] = '\0';
    b->id_len = len;

    return 0;
}


/* fill b->values from the object; unknown members are dropped */

static int
ps_build_fields(ps_build_t *b, json_t *obj)
{
    int           rc;
    json_t       *v, *out;
    size_t        klen;
    const char   *key;
    ps_field_t   *f;
    ps_report_t  *rep;

    rep = &b->report;

    json_object_keylen_foreach(obj, key, klen, v) {
        f = ps_schema_lookup(&b->schema, key, klen);

        if (f == NULL) {
            if (klen == b->schema.key_len
                && memcmp(key, b->schema.key, klen) == 0)
            {
                continue;
            }

            ps_report_reason(rep, PS_R_UNKNOWN_FIELD, NULL,
                             "unknown field \"%s\" dropped", key);
            continue;
        }

        /* the id field as a string: the normalized id */
        if (f->type == NGX_HTTP_PROFILE_TYPE_STRING && json_is_integer(v)
            && klen == b->schema.key_len
            && memcmp(key, b->schema.key, klen) == 0)
        {
            b->values[f->id] = json_stringn(b->id, b->id_len);
            continue;
        }

        rc = ps_coerce(rep, f, v, &out);

        if (rc == PS_QUARANTINE) {
            return -1;
        }

        if (rc == PS_KEEP) {
            b->values[f->id] = out;
        }
    }

    return 0;
}


static int
ps_build_store(ps_build_t *b, unsigned si, uint64_t line)
{
    int                   rc;
    size_t                len;
    unsigned              i;
    ps_seen_t             seen, prev;
    const unsigned char  *rec;

    ps_record_reset(&b->record);

    for (i = 0; i < b->schema.nfields; i++) {
        if (b->values[i] == NULL) {
            continue;
        }

        if (ps_record_add(&b->record, &b->schema.fields[i], b->values[i])
            != 0)
        {
            ps_report_reason(&b->report, PS_R_RECORD_TOO_LARGE,
                             b->schema.fields[i].name,
                             "cannot encode the value");
            return 0;
        }
    }

    rec = ps_record_finish(&b->record, &len);

    rc = ps_writer_seen(&b->writer, b->id, b->id_len, &prev);
    if (rc < 0) {
        return -1;
    }

    if (rc == 1 && (prev.flags & PS_SEEN_STORED)) {
        /* duplicate id: the last record wins */
        ps_report_event(&b->report, PS_OUT_SUPERSEDED,
                        b->sources[prev.source].name,
                        b->sources[prev.source].display, prev.line,
                        b->id, b->id_len, PS_R_SUPERSEDED,
                        "duplicate id: replaced by %s:%llu",
                        b->sources[si].display, (unsigned long long) line);
    }

    seen.line = line;
    seen.source = si;
    seen.flags = 0;
    seen.order = 0;

    return ps_writer_put(&b->writer, b->id, b->id_len, rec, len, &seen);
}


static int
ps_parse_time(const char *s, time_t *t)
{
    struct tm  tm;

    if (strlen(s) != 20 || !ps_rfc3339_valid(s, 20) || s[19] != 'Z') {
        return -1;
    }

    memset(&tm, 0, sizeof(tm));

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
    {
        return -1;
    }

    tm.tm_year -= 1900;
    tm.tm_mon -= 1;

    *t = timegm(&tm);

    return *t == (time_t) -1 ? -1 : 0;
}


static int
ps_snapshot_id_valid(const char *s)
{
    size_t  i, n;

    n = strlen(s);

    if (n == 0 || n > 64) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
              || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_'
              || s[i] == '-'))
        {
            return 0;
        }
    }

    return 1;
}


static void
ps_build_usage(FILE *f)
{
    fprintf(f,
        "usage: " PS_NAME " build --schema FILE --source NAME=FILE "
        "--out PATH [options]\n"
        "\n"
        "  --schema FILE            the schema (docs/schema.md)\n"
        "  --source NAME=FILE       NDJSON input; FILE \"-\" is stdin\n"
        "  --out PATH               the snapshot to write\n"
        "  --report FILE            NDJSON report, one line per record\n"
        "  --snapshot-id ID         default: time and content hash\n"
        "  --created-at TIME        YYYY-MM-DDTHH:MM:SSZ; default: "
        "SOURCE_DATE_EPOCH or now\n"
        "  --max-reject-ratio R     fail (exit 5) above this share of "
        "quarantined records\n"
        "  --max-messages N         stderr messages shown (default 20)\n"
        "  --max-record-size BYTES  longest input line (default 1048576)\n"
        "  --map-size BYTES         LMDB map size of the scratch file\n"
        "  --allow-empty            write a snapshot with no records\n"
        "  -q, --quiet              no messages, no summary, no progress\n");
}
