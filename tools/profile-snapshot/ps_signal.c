
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Cleaning up after SIGINT, SIGTERM and SIGHUP.  The handler only calls
 * async-signal-safe functions (unlink, write, sigaction, sigprocmask,
 * raise, _exit) on the paths registered beforehand.
 */


#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ps.h"
#include "ps_signal.h"


static void ps_signal_handler(int signo);
static void ps_signal_say(const char *s);


/*
 * The one file-scope mutable state of the CLI: a signal handler has no
 * other way to find the files.  Written with the signals blocked.
 */
static const char *volatile  ps_signal_paths[PS_SIGNAL_MAX_PATHS];

static const int  ps_signals[] = { SIGINT, SIGTERM, SIGHUP };


void
ps_signal_init(void)
{
    unsigned          i;
    struct sigaction  sa, old;

    memset(&sa, 0, sizeof(struct sigaction));
    sa.sa_handler = ps_signal_handler;
    sigemptyset(&sa.sa_mask);

    /* the handler is not interrupted by another of them */
    for (i = 0; i < sizeof(ps_signals) / sizeof(ps_signals[0]); i++) {
        sigaddset(&sa.sa_mask, ps_signals[i]);
    }

    for (i = 0; i < sizeof(ps_signals) / sizeof(ps_signals[0]); i++) {
        if (sigaction(ps_signals[i], NULL, &old) == 0
            && old.sa_handler == SIG_IGN)
        {
            continue;
        }

        (void) sigaction(ps_signals[i], &sa, NULL);
    }
}


int
ps_signal_track(const char *path)
{
    int  i;

    ps_signal_block();

    for (i = 0; i < PS_SIGNAL_MAX_PATHS; i++) {
        if (ps_signal_paths[i] == NULL) {
            ps_signal_paths[i] = path;
            break;
        }
    }

    ps_signal_unblock();

    return i < PS_SIGNAL_MAX_PATHS ? i : -1;
}


void
ps_signal_forget(int slot)
{
    if (slot < 0 || slot >= PS_SIGNAL_MAX_PATHS) {
        return;
    }

    ps_signal_block();
    ps_signal_paths[slot] = NULL;
    ps_signal_unblock();
}


void
ps_signal_block(void)
{
    unsigned  i;
    sigset_t  set;

    sigemptyset(&set);

    for (i = 0; i < sizeof(ps_signals) / sizeof(ps_signals[0]); i++) {
        sigaddset(&set, ps_signals[i]);
    }

    (void) sigprocmask(SIG_BLOCK, &set, NULL);
}


void
ps_signal_unblock(void)
{
    unsigned  i;
    sigset_t  set;

    sigemptyset(&set);

    for (i = 0; i < sizeof(ps_signals) / sizeof(ps_signals[0]); i++) {
        sigaddset(&set, ps_signals[i]);
    }

    (void) sigprocmask(SIG_UNBLOCK, &set, NULL);
}


void
ps_signal_point(const char *point)
{
    size_t       n;
    const char  *v, *sig;

    v = getenv("PROFILE_SNAPSHOT_TEST_SIGNAL");

    if (v == NULL) {
        return;
    }

    n = strlen(point);

    if (strncmp(v, point, n) != 0 || v[n] != ':') {
        return;
    }

    sig = v + n + 1;

    if (strcmp(sig, "INT") == 0) {
        (void) raise(SIGINT);

    } else if (strcmp(sig, "TERM") == 0) {
        (void) raise(SIGTERM);

    } else if (strcmp(sig, "HUP") == 0) {
        (void) raise(SIGHUP);
    }
}


static void
ps_signal_handler(int signo)
{
    unsigned          i;
    sigset_t          set;
    struct sigaction  sa;

    for (i = 0; i < PS_SIGNAL_MAX_PATHS; i++) {
        if (ps_signal_paths[i] != NULL) {
            (void) unlink(ps_signal_paths[i]);
        }
    }

    ps_signal_say(PS_NAME ": interrupted by ");
    ps_signal_say(signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM"
                                                               : "SIGHUP");
    ps_signal_say("; temporary files removed\n");

    /* die of the signal, so that the parent (a shell loop) sees it */
    memset(&sa, 0, sizeof(struct sigaction));
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    (void) sigaction(signo, &sa, NULL);

    sigemptyset(&set);
    sigaddset(&set, signo);
    (void) sigprocmask(SIG_UNBLOCK, &set, NULL);

    (void) raise(signo);

    _exit(128 + signo);
}


static void
ps_signal_say(const char *s)
{
    ssize_t  n;

    n = write(2, s, strlen(s));
    (void) n;
}
