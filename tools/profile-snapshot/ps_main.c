
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * profile-snapshot: command dispatch, --help, --version.
 */


#include <stdio.h>
#include <string.h>

#include "ps.h"


typedef struct {
    const char     *name;
    int           (*handler)(int argc, char **argv);
    const char     *summary;
} ps_command_t;


static void ps_usage(FILE *f);


static const ps_command_t  ps_commands[] = {
    { "build", ps_build_main,
      "compile NDJSON sources and a schema into a snapshot" },
    { "inspect", ps_inspect_main,
      "show a snapshot's metadata, or one record as JSON" },
    { "verify", ps_verify_main,
      "check a snapshot completely; exit 6 if it is invalid" },
    { "diff", ps_diff_main,
      "list what changed between two snapshots: purge lists, cache tags" },
    { "reindex", ps_reindex_main,
      "write the id index of a snapshot made by other means" },
    { "publish", ps_publish_main,
      "put a snapshot into a snapshot directory and make it current" },
    { "rollback", ps_rollback_main,
      "make the previous (or another) published snapshot current" },
    { "list", ps_list_main,
      "show the snapshots of a snapshot directory" },
    { "gc", ps_gc_main,
      "remove the snapshots that are neither current, kept nor mapped" },
    { NULL, NULL, NULL }
};


int
main(int argc, char **argv)
{
    const ps_command_t  *c;

    if (argc < 2) {
        ps_usage(stderr);
        return PS_EXIT_USAGE;
    }

    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "help") == 0)
    {
        ps_usage(stdout);
        return PS_EXIT_OK;
    }

    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf(PS_GENERATOR "\n");
        return PS_EXIT_OK;
    }

    for (c = ps_commands; c->name != NULL; c++) {
        if (strcmp(argv[1], c->name) == 0) {
            return c->handler(argc - 1, argv + 1);
        }
    }

    ps_error("unknown command \"%s\" (try --help)", argv[1]);

    return PS_EXIT_USAGE;
}


static void
ps_usage(FILE *f)
{
    const ps_command_t  *c;

    fprintf(f, "usage: " PS_NAME " COMMAND [options] [args]\n"
               "       " PS_NAME " --version\n\ncommands:\n");

    for (c = ps_commands; c->name != NULL; c++) {
        fprintf(f, "  %-9s %s\n", c->name, c->summary);
    }

    fprintf(f, "\n\"" PS_NAME " COMMAND --help\" shows a command's "
               "options; docs/cli.md has everything.\n");
}
