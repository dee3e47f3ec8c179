
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzz target "ndjson": profile-snapshot's record path (UTF-8 policy,
 * parse, limits, id, migrations, joins, fields, coercions, duplicates,
 * encoding) on NDJSON lines, under the schemas of tools/fuzz/schemas/.
 * Every record the compiler writes must pass the module's deep parse,
 * render as the JSON it came from, and meet its declaration
 * (fz_cli.c).
 *
 * Input:
 *   u8   schema      bits 0-6: index into the sorted schemas (modulo
 *                    their count); bit 7: jansson allocates from the
 *                    CLI's record arena, as "build" does
 *   ...  lines       NDJSON; ">N" before a line makes it a row of the
 *                    schema's source N
 *
 * The schema directory is $FUZZ_SCHEMA_DIR, else the one compiled in.
 */


#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "fz_cli.h"


#ifndef FZ_SCHEMA_DIR
#define FZ_SCHEMA_DIR  "tools/fuzz/schemas"
#endif

#define FZ_MAX_SCHEMAS  64


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_name_cmp(const void *a, const void *b);


static fz_cli_t  *fz_schemas[FZ_MAX_SCHEMAS];
static unsigned   fz_nschemas;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    DIR            *d;
    char           *names[FZ_MAX_SCHEMAS], path[4096];
    size_t          len;
    unsigned        i, n;
    const char     *dir;
    struct dirent  *de;

    (void) argc;
    (void) argv;

    dir = getenv("FUZZ_SCHEMA_DIR");
    if (dir == NULL || *dir == '\0') {
        dir = FZ_SCHEMA_DIR;
    }

    d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "fuzz_ndjson: cannot open schema directory %s\n",
                dir);
        exit(1);
    }

    n = 0;

    while ((de = readdir(d)) != NULL && n < FZ_MAX_SCHEMAS) {
        len = strlen(de->d_name);

        if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0) {
            names[n++] = strdup(de->d_name);
        }
    }

    closedir(d);

    qsort(names, n, sizeof(char *), fz_name_cmp);

    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);

        fz_schemas[fz_nschemas] = fz_cli_new();

        if (fz_cli_load(fz_schemas[fz_nschemas], path) != 0) {
            fprintf(stderr, "fuzz_ndjson: the CLI refuses schema %s; "
                    "skipped\n", path);

        } else {
            fz_nschemas++;
        }

        free(names[i]);
    }

    if (fz_nschemas == 0) {
        fprintf(stderr, "fuzz_ndjson: no usable schema in %s\n", dir);
        exit(1);
    }

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }

    fz_cli_run(fz_schemas[(data[0] & 0x7f) % fz_nschemas], data + 1,
               size - 1, data[0] & 0x80);

    return 0;
}


static int
fz_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}
