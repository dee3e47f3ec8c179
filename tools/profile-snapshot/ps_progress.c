
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The progress line of "build": on stderr when it is a terminal (or
 * --progress), never with --quiet; records/s, percent and ETA when the
 * input size is known.  Redrawn at most twice a second.
 */


#include <stdio.h>
#include <time.h>

#include "ps.h"
#include "ps_build.h"


static double ps_now(void);


void
ps_progress_init(ps_progress_t *p, int enabled, uint64_t total)
{
    p->enabled = enabled;
    p->start = ps_now();
    p->last = p->start;
    p->total = total;
    p->done = 0;
    p->records = 0;
}


void
ps_progress_update(ps_progress_t *p, uint64_t bytes)
{
    double    now, rate, pct, eta;
    uint64_t  at;

    p->records++;

    if (!p->enabled || (p->records & 1023) != 0) {
        return;
    }

    now = ps_now();

    if (now - p->last < 0.5) {
        return;
    }

    p->last = now;
    rate = p->records / (now - p->start);
    at = p->done + bytes;

    if (p->total > 0 && at > 0) {
        pct = 100.0 * at / p->total;
        eta = (now - p->start) * (p->total - at) / at;

        fprintf(stderr, "\r" PS_NAME ": %llu records, %.0f records/s, "
                "%.1f%%, ETA %.0fs \033[K", (unsigned long long) p->records,
                rate, pct, eta);

    } else {
        fprintf(stderr, "\r" PS_NAME ": %llu records, %.0f records/s"
                "\033[K", (unsigned long long) p->records, rate);
    }

    fflush(stderr);
}


void
ps_progress_done(ps_progress_t *p)
{
    if (p->enabled && p->last > p->start) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}


static double
ps_now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec + ts.tv_nsec / 1e9;
}
