
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * profile-snapshot: the version string (one definition), the exit codes
 * documented in docs/cli.md, and the entry point of each command.
 */


#ifndef _PS_H_INCLUDED_
#define _PS_H_INCLUDED_


#define PS_NAME              "profile-snapshot"
#define PS_VERSION           "0.1.0"
#define PS_GENERATOR         PS_NAME " " PS_VERSION

/* exit codes: keep docs/cli.md "Exit codes" in step */
#define PS_EXIT_OK           0   /* done; nothing quarantined */
#define PS_EXIT_REJECTED     1   /* snapshot written, records quarantined;
                                    inspect: id not found;
                                    diff: the snapshots differ */
#define PS_EXIT_USAGE        2   /* bad command line */
#define PS_EXIT_SCHEMA       3   /* schema file missing or invalid */
#define PS_EXIT_IO           4   /* input, output or LMDB error */
#define PS_EXIT_RATIO        5   /* --max-reject-ratio exceeded */
#define PS_EXIT_CORRUPT      6   /* snapshot fails verification */
#define PS_EXIT_LOCKED       7   /* another process holds DIR/.lock */
#define PS_EXIT_DIR          8   /* the snapshot directory refuses it */
#define PS_EXIT_FORMAT       9   /* a format newer than this build reads */


/*
 * Each command gets argv without the program name (argv[0] is the
 * command) and returns an exit code.  (ps_build.c, ps_inspect.c,
 * ps_verify.c, ps_reindex.c, ps_publish_cmd.c, ps_list.c, ps_gc.c,
 * ps_diff.c;
 * dispatched by ps_main.c)
 */
int ps_build_main(int argc, char **argv);
int ps_inspect_main(int argc, char **argv);
int ps_verify_main(int argc, char **argv);
int ps_reindex_main(int argc, char **argv);
int ps_publish_main(int argc, char **argv);
int ps_rollback_main(int argc, char **argv);
int ps_list_main(int argc, char **argv);
int ps_gc_main(int argc, char **argv);
int ps_diff_main(int argc, char **argv);

/* print "profile-snapshot: " + the message + "\n" to stderr (ps_error.c) */
void ps_error(const char *fmt, ...)
    __attribute__ ((format (printf, 1, 2)));


#endif /* _PS_H_INCLUDED_ */
