
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
#include <sys/stat.h>
#include <unistd.h>

#include "ps.h"
#include "ps_arena.h"
#include "ps_build.h"
#include "ps_coerce.h"
#include "ps_encode.h"
#include "ps_input.h"
#include "ps_reader.h"
#include "ps_relations.h"
#include "ps_report.h"
#include "ps_schema.h"
#include "ps_signal.h"
#include "ps_writer.h"


#define PS_MAX_LINE_DEFAULT   (1024 * 1024)


static int ps_build_options(ps_build_t *b, int argc, char **argv);
static int ps_build_names(ps_build_t *b);
static void ps_build_field_sources(ps_build_t *b);
static int ps_build_sources(ps_build_t *b);
static int ps_build_source(ps_build_t *b, unsigned si);
static int ps_build_guard(ps_build_t *b);
static int ps_build_embedded(ps_build_t *b, unsigned si);
static void ps_build_swap(ps_build_t *b, ps_build_ctx_t *ctx);
static int ps_build_embeds_load(ps_build_t *b);
static void ps_build_embeds_free(ps_build_t *b);
static uint64_t ps_build_live(ps_build_t *b);
static int ps_parse_time(const char *s, time_t *t);
static int ps_snapshot_id_valid(const char *s);
static void ps_build_usage(FILE *f);


int
ps_build_main(int argc, char **argv)
{
    int           rc, exit_code;
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

    if (ps_build_names(b) != 0) {
        ps_schema_free(&b->schema);
        free(b->field_source);
        free(b);
        return PS_EXIT_USAGE;
    }

    if (b->max_line == 0) {
        b->max_line = b->schema.max_record_bytes;
    }

    ps_process_alloc(b);

    exit_code = PS_EXIT_IO;
    written = -1;

    if (ps_build_embeds_load(b) != 0) {
        exit_code = PS_EXIT_SCHEMA;
        goto done;
    }

    ps_signal_init();

    if (ps_report_open(&b->report, b->report_path, b->quiet,
                       b->max_messages) != 0)
    {
        goto done;
    }

    if (ps_writer_open(&b->writer, b->out, b->map_size) != 0
        || ps_report_spool(&b->report, b->out, &b->writer) != 0)
    {
        goto report;
    }

    ps_signal_point("start");

    b->flat = ps_process_flat_ok(b);

    ps_arena_enable();

    rc = ps_build_sources(b);

    ps_arena_disable();

    if (rc == 0 && b->relations_path != NULL) {
        rc = ps_relations_read(b);

        if (rc == 0) {
            rc = ps_relations_finish(b);
        }
    }

    if (rc != 0) {
        goto report;
    }

    /* every line read counts: records and the joined sources' rows */
    bad = b->report.outcomes[PS_OUT_QUARANTINED]
          + b->report.rows_quarantined;
    total = b->report.lines + b->report.rows;

    if (b->max_reject_ratio >= 0 && total > 0
        && (double) bad / (double) total > b->max_reject_ratio)
    {
        ps_error("%llu of %llu %s quarantined (%.4g) exceeds "
                 "--max-reject-ratio %g; no snapshot written",
                 (unsigned long long) bad, (unsigned long long) total,
                 b->report.rows ? "records and rows" : "records",
                 (double) bad / (double) total, b->max_reject_ratio);
        exit_code = PS_EXIT_RATIO;
        goto report;
    }

    rc = ps_build_guard(b);
    if (rc != 0) {
        exit_code = rc;
        goto report;
    }

    if (ps_writer_finish(&b->writer, &b->schema, b->snapshot_id,
                         b->created) != 0)
    {
        goto report;
    }

    written = (int64_t) (b->writer.count + b->writer.embedded);
    exit_code = bad ? PS_EXIT_REJECTED : PS_EXIT_OK;

report:

    ps_report_summary(&b->report, written, b->out,
                      written >= 0 ? b->writer.content_hash : NULL,
                      exit_code);

    if (ps_report_close(&b->report) != 0 && exit_code <= PS_EXIT_REJECTED) {
        exit_code = PS_EXIT_IO;
    }

done:

    ps_build_embeds_free(b);
    ps_writer_close(&b->writer);
    ps_record_free(&b->record);
    ps_schema_free(&b->schema);
    ps_buf_free(&b->utf8);
    ps_buf_free(&b->row);
    ps_buf_free(&b->scratch);
    ps_buf_free(&b->members);
    ps_buf_free(&b->bignum);
    free(b->field_source);
    ps_relstore_free(&b->relations);
    ps_process_free(b);
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
        { "max-shrink", required_argument, NULL, 'S' },
        { "min-records", required_argument, NULL, 'R' },
        { "max-messages", required_argument, NULL, 'm' },
        { "max-record-size", required_argument, NULL, 'L' },
        { "map-size", required_argument, NULL, 'M' },
        { "allow-empty", no_argument, NULL, 'E' },
        { "progress", no_argument, NULL, 'P' },
        { "no-progress", no_argument, NULL, 'N' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };

    b->max_reject_ratio = -1;
    b->max_shrink = -1;
    b->max_messages = 20;
    b->max_line = 0;
    b->progress_opt = -1;
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

            if (strcmp(optarg, PS_RELATIONS_SOURCE) == 0) {
                if (b->relations_path != NULL) {
                    ps_error("build: source \"%s\" given twice", optarg);
                    return PS_EXIT_USAGE;
                }

                b->relations_path = eq + 1;
                break;
            }

            b->sources[b->nsources].name = optarg;
            b->sources[b->nsources].path = eq + 1;
            b->sources[b->nsources].embed = -1;
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

        case 'S':
            errno = 0;
            b->max_shrink = strtod(optarg, &end);

            if (errno || *end != '\0' || end == optarg
                || !(b->max_shrink >= 0 && b->max_shrink <= 1))
            {
                ps_error("build: --max-shrink wants a number from 0 to 1");
                return PS_EXIT_USAGE;
            }
            break;

        case 'm':
        case 'L':
        case 'M':
        case 'R':
            errno = 0;
            {
                unsigned long long  v;

                v = strtoull(optarg, &end, 10);

                if (errno || *end != '\0' || end == optarg
                    || optarg[0] == '-' || (c != 'm' && v == 0))
                {
                    ps_error("build: --%s wants a positive integer",
                             c == 'm' ? "max-messages"
                             : c == 'L' ? "max-record-size"
                             : c == 'R' ? "min-records" : "map-size");
                    return PS_EXIT_USAGE;
                }

                if (c == 'm') {
                    b->max_messages = v;

                } else if (c == 'L') {
                    b->max_line = (size_t) v;

                } else if (c == 'R') {
                    b->min_records = v;

                } else {
                    b->map_size = (size_t) v;
                }
            }
            break;

        case 'E':
            b->allow_empty = 1;
            break;

        case 'P':
            b->progress_opt = 1;
            break;

        case 'N':
            b->progress_opt = 0;
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


/*
 * Match the --source names with the schema's "sources" (a usage error,
 * found before anything is opened) and pick each source's key member.
 */

static int
ps_build_names(ps_build_t *b)
{
    int        k;
    unsigned   i, j;
    ps_buf_t   names;

    for (i = 0; i < b->nsources; i++) {
        for (j = 0; j < i; j++) {
            if (strcmp(b->sources[i].name, b->sources[j].name) == 0) {
                ps_error("build: source \"%s\" given twice",
                         b->sources[i].name);
                return -1;
            }
        }

        k = ps_schema_embed(&b->schema, b->sources[i].name);

        if (k >= 0) {
            if (i == 0) {
                ps_error("build: --source %s=%s: an embeddable source, not "
                         "the profiles' (give that one first)",
                         b->sources[i].name, b->sources[i].path);
                return -1;
            }

            b->sources[i].embed = k;
            b->sources[i].key = json_string_value(
                                    json_object_get(b->schema.embeds[k].doc,
                                                    "id"));
            b->sources[i].key_len = strlen(b->sources[i].key);
            continue;
        }

        k = ps_schema_source(&b->schema, b->sources[i].name);

        if (k < 0 && json_object_get(b->schema.json, "sources") != NULL) {
            memset(&names, 0, sizeof(ps_buf_t));

            for (j = 0; j < b->schema.nsources; j++) {
                ps_buf_printf(&names, "%s\"%s\"", j ? ", " : "",
                              b->schema.sources[j].name);
            }

            for (j = 0; j < b->schema.nembeds; j++) {
                ps_buf_printf(&names, ", \"%s\"", b->schema.embeds[j].name);
            }

            ps_buf_addc(&names, '\0');
            ps_error("build: --source %s=%s: the schema's \"sources\" "
                     "declare no source \"%s\" (declared: %s)",
                     b->sources[i].name, b->sources[i].path,
                     b->sources[i].name, (char *) names.data);
            ps_buf_free(&names);
            return -1;
        }

        b->sources[i].key = (k < 0) ? b->schema.key
                                    : b->schema.sources[k].key;
        b->sources[i].key_len = strlen(b->sources[i].key);
    }

    ps_build_field_sources(b);

    return 0;
}


/* b->field_source from the fields' "source" keys (docs/schema.md) */

static void
ps_build_field_sources(ps_build_t *b)
{
    size_t        i;
    json_t       *decl, *name, *src;
    unsigned      j, alias;
    ps_field_t   *f;

    b->field_source = ps_alloc(b->schema.nfields * sizeof(int));

    for (j = 0; j < b->schema.nfields; j++) {
        b->field_source[j] = -1;
    }

    json_array_foreach(json_object_get(b->schema.json, "fields"), i, decl) {
        name = json_object_get(decl, "name");
        src = json_object_get(decl, "source");

        if (!json_is_string(name) || !json_is_string(src)) {
            continue;
        }

        f = ps_schema_lookup(&b->schema, json_string_value(name),
                             json_string_length(name), &alias);

        if (f == NULL || alias != 0) {
            continue;
        }

        for (j = 0; j < b->nsources; j++) {
            if (b->sources[j].embed < 0
                && strcmp(b->sources[j].name, json_string_value(src)) == 0)
            {
                b->field_source[f->id] = (int) j;
            }
        }
    }
}


/*
 * Read the joined sources (all but the first), then the primary one,
 * then report orphans.
 */

static int
ps_build_sources(ps_build_t *b)
{
    unsigned     i;
    uint64_t     total;
    struct stat  st;

    total = 0;

    for (i = 0; i < b->nsources; i++) {
        if (strcmp(b->sources[i].path, "-") != 0
            && stat(b->sources[i].path, &st) == 0 && S_ISREG(st.st_mode))
        {
            total += (uint64_t) st.st_size;

        } else {
            total = 0;
            break;
        }
    }

    ps_progress_init(&b->progress,
                     b->quiet ? 0 : b->progress_opt >= 0 ? b->progress_opt
                                                         : isatty(2),
                     total);

    for (i = 1; i < b->nsources; i++) {
        if (b->sources[i].embed < 0 && ps_build_source(b, i) != 0) {
            return -1;
        }
    }

    if (ps_build_source(b, 0) != 0) {
        return -1;
    }

    if (ps_join_orphans(b) != 0) {
        return -1;
    }

    /*
     * The embeddable sources last, each with its own schema swapped in:
     * the profiles' outcomes are final by then (the guards count them)
     */

    b->live_profiles = ps_build_live(b);

    for (i = 1; i < b->nsources; i++) {
        if (b->sources[i].embed >= 0 && ps_build_embedded(b, i) != 0) {
            ps_progress_done(&b->progress);
            return -1;
        }
    }

    ps_progress_done(&b->progress);

    return 0;
}


/*
 * One embeddable source: its schema and per-record arrays swapped in,
 * its records keyed apart (PS_EMBED_KEY_BYTE), its report lines numbered
 * apart, then everything swapped back.
 */

static int
ps_build_embedded(ps_build_t *b, unsigned si)
{
    int              rc;
    unsigned         k;
    ps_build_ctx_t  *ctx;

    k = (unsigned) b->sources[si].embed;
    ctx = &b->embeds[k];

    b->key_prefix[0] = PS_EMBED_KEY_BYTE;
    b->key_prefix[1] = (unsigned char) k;
    b->key_prefix_len = 2;
    b->report.space = k + 1;
    b->embedding = 1;

    ps_build_swap(b, ctx);
    rc = ps_build_source(b, si);
    ps_build_swap(b, ctx);

    b->key_prefix_len = 0;
    b->report.space = 0;
    b->embedding = 0;

    return rc;
}


/* exchange what a record's processing takes from its schema with ctx */

static void
ps_build_swap(ps_build_t *b, ps_build_ctx_t *ctx)
{
    ps_build_ctx_t  t;

    t.schema = b->schema;
    t.fields = b->fields;
    t.cls = b->cls;
    t.field_source = b->field_source;
    t.flat = b->flat;

    b->schema = ctx->schema;
    b->fields = ctx->fields;
    b->cls = ctx->cls;
    b->field_source = ctx->field_source;
    b->flat = ctx->flat;

    *ctx = t;

    /* the lookup hints are slots of one schema's name table */
    memset(b->hints, 0, sizeof(b->hints));
}


/*
 * The embeddable sources' schemas, loaded again (ps_schema_load()
 * checked them) with their per-record arrays; freed with
 * ps_build_embeds_free().
 */

static int
ps_build_embeds_load(ps_build_t *b)
{
    unsigned         i, j;
    ps_build_ctx_t  *ctx;

    for (i = 0; i < b->schema.nembeds; i++) {
        ctx = &b->embeds[i];

        if (ps_schema_load_embed(&ctx->schema, &b->schema,
                                 &b->schema.embeds[i])
            != 0)
        {
            ctx->schema.json = NULL;
            return -1;
        }

        ctx->field_source = ps_alloc((ctx->schema.nfields
                                      ? ctx->schema.nfields : 1)
                                     * sizeof(int));

        for (j = 0; j < ctx->schema.nfields; j++) {
            ctx->field_source[j] = -1;
        }

        ps_build_swap(b, ctx);
        ps_process_alloc(b);
        b->flat = 0;
        ps_build_swap(b, ctx);
    }

    return 0;
}


static void
ps_build_embeds_free(ps_build_t *b)
{
    unsigned         i;
    ps_build_ctx_t  *ctx;

    for (i = 0; i < b->schema.nembeds; i++) {
        ctx = &b->embeds[i];

        if (ctx->schema.json == NULL) {
            continue;
        }

        ps_build_swap(b, ctx);
        ps_process_free(b);
        ps_build_swap(b, ctx);

        free(ctx->field_source);
        ctx->field_source = NULL;
        ps_schema_free(&ctx->schema);
    }
}


/* the records that win their id: superseded ones left clean/fixed */

static uint64_t
ps_build_live(ps_build_t *b)
{
    return b->report.outcomes[PS_OUT_CLEAN]
           + b->report.outcomes[PS_OUT_FIXED]
           + b->report.outcomes[PS_OUT_DEFAULTED];
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

        if (ps_process_line(b, si, &in, line, len) != 0) {
            rc = -1;
            break;
        }

        ps_progress_update(&b->progress, in.bytes);
    }

    b->progress.done += in.bytes;
    ps_input_close(&in);

    ps_signal_point(si == 0 ? "read" : "join");

    if (rc < 0) {
        ps_progress_done(&b->progress);
    }

    return rc;
}


/*
 * What the snapshot would hold against what it must: records to write
 * (--allow-empty), --min-records, and --max-shrink against the snapshot
 * at --out.  Returns 0 to write it, or the exit code (message printed).
 */

static int
ps_build_guard(ps_build_t *b)
{
    int          rc;
    uint64_t     live, old;
    struct stat  st;
    ps_reader_t  r;

    /* the profiles that win their id (ps_build_sources() counted them) */
    live = b->live_profiles;

    if (live == 0 && !b->allow_empty) {
        if (b->report.lines == 0) {
            ps_error("no records in the input; refusing to write an empty "
                     "snapshot (use --allow-empty)");

        } else {
            ps_error("all %llu records were quarantined; refusing to write "
                     "an empty snapshot (use --allow-empty)",
                     (unsigned long long) b->report.lines);
        }

        return PS_EXIT_IO;
    }

    if (live < b->min_records) {
        ps_error("%llu records to write, fewer than --min-records %llu; "
                 "no snapshot written", (unsigned long long) live,
                 (unsigned long long) b->min_records);
        return PS_EXIT_RATIO;
    }

    if (b->max_shrink < 0) {
        return 0;
    }

    if (stat(b->out, &st) != 0 && errno == ENOENT) {
        /* nothing to replace */
        return 0;
    }

    rc = ps_reader_open(&r, b->out);
    old = r.meta.record_count;
    ps_reader_close(&r);

    if (rc != 0) {
        ps_error("%s: --max-shrink: the snapshot it would replace cannot be "
                 "read; no snapshot written", b->out);
        return PS_EXIT_IO;
    }

    if (live < old && (double) (old - live) > b->max_shrink * (double) old)
    {
        ps_error("%llu records to write, %llu in %s (%.4g fewer) exceeds "
                 "--max-shrink %g; no snapshot written",
                 (unsigned long long) live, (unsigned long long) old, b->out,
                 (double) (old - live) / (double) old, b->max_shrink);
        return PS_EXIT_RATIO;
    }

    return 0;
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
    return ngx_http_profile_snapshot_id_valid((const unsigned char *) s,
                                              strlen(s));
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
        "                           (relations=FILE: follow, friend and\n"
        "                           block edges, docs/cli.md)\n"
        "  --out PATH               the snapshot to write\n"
        "  --report FILE            NDJSON report, one line per record\n"
        "  --snapshot-id ID         default: time and content hash\n"
        "  --created-at TIME        YYYY-MM-DDTHH:MM:SSZ; default: "
        "SOURCE_DATE_EPOCH or now\n"
        "  --max-reject-ratio R     fail (exit 5) above this share of "
        "rejected lines\n"
        "  --min-records N          fail (exit 5) with fewer records to "
        "write\n"
        "  --max-shrink R           fail (exit 5) if the snapshot at --out "
        "would lose\n"
        "                           more than this share of its records\n"
        "  --max-messages N         stderr messages shown (default 20)\n"
        "  --max-record-size BYTES  longest input line (default: schema "
        "limits.record_bytes)\n"
        "  --map-size BYTES         LMDB map size of the scratch file\n"
        "  --allow-empty            write a snapshot with no records\n"
        "  --progress, --no-progress  progress line on stderr (default: "
        "on a terminal)\n"
        "  -q, --quiet              no messages, no summary, no progress\n");
}
