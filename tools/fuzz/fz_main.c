
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * A stand-in for libFuzzer's driver, for compilers without it: run
 * LLVMFuzzerTestOneInput() once on each file named, or on each file of
 * each directory named.  Used by t/fuzz-smoke.t to replay the corpora.
 * Prints "ok N" and exits 0 if no input crashed.
 */


#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fz.h"


int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__ ((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_run_file(const char *path);


static unsigned long  fz_runs;


int
main(int argc, char **argv)
{
    int             i;
    DIR            *d;
    char            path[4096];
    struct stat     st;
    struct dirent  *de;

    if (LLVMFuzzerInitialize != NULL) {
        LLVMFuzzerInitialize(&argc, &argv);
    }

    for (i = 1; i < argc; i++) {
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: cannot stat\n", argv[i]);
            return 2;
        }

        if (!S_ISDIR(st.st_mode)) {
            fz_run_file(argv[i]);
            continue;
        }

        d = opendir(argv[i]);
        if (d == NULL) {
            fprintf(stderr, "%s: cannot open\n", argv[i]);
            return 2;
        }

        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.') {
                continue;
            }

            snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);

            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                fz_run_file(path);
            }
        }

        closedir(d);
    }

    printf("ok %lu\n", fz_runs);

    return 0;
}


static void
fz_run_file(const char *path)
{
    FILE           *f;
    long            n;
    unsigned char  *buf;

    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0)
    {
        fprintf(stderr, "%s: cannot read\n", path);
        exit(2);
    }

    /* exactly n bytes, as libFuzzer does: ASan sees a read past them */
    buf = malloc(n ? (size_t) n : 1);

    if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n) {
        fprintf(stderr, "%s: cannot read\n", path);
        exit(2);
    }

    fclose(f);

    fprintf(stderr, "running %s\n", path);
    LLVMFuzzerTestOneInput(buf, (size_t) n);
    fz_runs++;

    free(buf);
}
