
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * An interrupted build (SIGINT, SIGTERM, SIGHUP) removes the temporary
 * files it registered here, says so on stderr and dies of the same
 * signal (docs/cli.md "Interrupted builds").
 */


#ifndef _PS_SIGNAL_H_INCLUDED_
#define _PS_SIGNAL_H_INCLUDED_


#define PS_SIGNAL_MAX_PATHS  8


/*
 * Install the handlers, except for a signal the parent left ignored
 * (nohup keeps SIGHUP ignored).  Called once, before any file is made.
 */
void ps_signal_init(void);

/*
 * Register path (not copied: it must stay valid until
 * ps_signal_forget()) to be removed if a signal ends the build.
 * Returns its slot, or -1 if there is no room (a bug: the count is
 * fixed by the build's files).
 */
int ps_signal_track(const char *path);

/* stop removing the path of slot (it was renamed or removed); -1: none */
void ps_signal_forget(int slot);

/*
 * Hold the signals off and let them in again: around the creation of a
 * file that is unlinked at once, and around a rename that moves a
 * tracked path (so that the handler never sees half of it).
 */
void ps_signal_block(void);
void ps_signal_unblock(void);

/*
 * Test hook (docs/cli.md "Tests"): if PROFILE_SNAPSHOT_TEST_SIGNAL is
 * "POINT:SIG" (SIG is INT, TERM or HUP) and point is POINT, raise that
 * signal here.  No work per record: called at a few points of a build.
 */
void ps_signal_point(const char *point);


#endif /* _PS_SIGNAL_H_INCLUDED_ */
