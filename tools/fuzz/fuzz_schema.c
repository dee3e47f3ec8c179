
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzz target "schema": profile-snapshot's ps_schema_load() (top level,
 * fields, nested declarations, migrations, policies, limits, the
 * canonical text and the binary tables) on any bytes; a schema it
 * accepts must compile into tables the module's parsers accept, and then
 * runs the records that follow through the "ndjson" checks.
 *
 * Input:
 *   ...  schema      JSON text, up to the first NUL byte (JSON text has
 *                    none), written to a file: ps_schema_load() reads a
 *                    path
 *   \0              then one byte: bit 0 is the "ndjson" target's arena
 *                    bit
 *   ...              NDJSON lines, as in the "ndjson" target
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fz.h"
#include "fz_cli.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_unlink(void);


static char       fz_path[4096];
static fz_cli_t  *fz_cli;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char  *tmp;

    (void) argc;
    (void) argv;

    tmp = getenv("TMPDIR");
    if (tmp == NULL || *tmp == '\0') {
        tmp = "/tmp";
    }

    snprintf(fz_path, sizeof(fz_path), "%s/fuzz-schema.%ld.json", tmp,
             (long) getpid());

    atexit(fz_unlink);

    fz_cli = fz_cli_new();

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE            *f;
    size_t           n;
    const uint8_t   *nul;

    nul = memchr(data, '\0', size);
    n = nul ? (size_t) (nul - data) : size;

    f = fopen(fz_path, "wb");
    fz_assert(f != NULL, "cannot write the schema file");
    fz_assert(fwrite(data, 1, n, f) == n && fclose(f) == 0,
              "cannot write the schema file");

    if (fz_cli_load(fz_cli, fz_path) != 0) {
        return 0;
    }

    /* the byte after the NUL: bit 0 turns the CLI's record arena on */

    if (nul != NULL && size - n > 1) {
        fz_cli_run(fz_cli, nul + 2, size - n - 2, nul[1] & 1);
    }

    return 0;
}


static void
fz_unlink(void)
{
    unlink(fz_path);
}
