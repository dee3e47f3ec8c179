
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * profile-snapshot's record path under the fuzzer: the CLI's own
 * ps_process_line() on NDJSON bytes, with the LMDB writer replaced by an
 * in-memory store that checks every record the compiler writes
 * (docs/fuzzing.md, targets "ndjson" and "schema").
 */


#ifndef _FZ_CLI_H_INCLUDED_
#define _FZ_CLI_H_INCLUDED_


#include <stddef.h>


typedef struct fz_cli_s  fz_cli_t;


/*
 * A build state with no schema yet.  It lives as long as the process:
 * the CLI's per-build buffers (whatever ps_build_t holds) are kept and
 * reused, as they are by "build", so no leak check depends on knowing
 * them.
 */
fz_cli_t *fz_cli_new(void);

/*
 * Load the schema file at path with the CLI's ps_schema_load(), in place
 * of the state's previous schema, and check what it compiled (tables,
 * names, canonical text).  Returns 0, or -1 if the CLI refuses it (the
 * state then has no schema).
 */
int fz_cli_load(fz_cli_t *c, const char *path);

/*
 * Feed data as NDJSON (c must have a schema): one record per
 * "\n"-separated line ("\r\n" too).
 * A line that starts with ">N" (N a digit from 1 to the schema's number
 * of sources - 1) is a row of joined source N; rows are read before the
 * primary source's lines, as "build" does.  With arena set, jansson
 * allocates from the CLI's record arena (ps_arena.c, when the CLI has
 * one) as "build" does; else from malloc(), where ASan sees every
 * block.  Every written record, every report line and the outcome counts
 * are checked.
 */
void fz_cli_run(fz_cli_t *c, const unsigned char *data, size_t size,
    int arena);


#endif /* _FZ_CLI_H_INCLUDED_ */
