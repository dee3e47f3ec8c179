
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The complete check of a snapshot ("verify"), for the commands that
 * must not make a snapshot current before it passes (publish, rollback).
 */


#ifndef _PS_VERIFY_H_INCLUDED_
#define _PS_VERIFY_H_INCLUDED_


/*
 * Verify the snapshot at path exactly as "profile-snapshot verify"
 * does: the module's open-time checks, then every record, hash, table
 * and index slot (docs/cli.md "verify").  Each problem is printed on
 * stderr (at most 20, then a count and "PATH: INVALID: N problems");
 * unless quiet, "PATH: ok" on stdout.  Returns 0, PS_EXIT_CORRUPT, or
 * PS_EXIT_IO if the file cannot be read.
 */
int ps_verify_path(const char *path, int quiet);


#endif /* _PS_VERIFY_H_INCLUDED_ */
