
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ps.h"
#include "ps_buf.h"
#include "ps_input.h"


#define PS_INPUT_CHUNK  (1024 * 1024)


static ssize_t ps_input_fill(ps_input_t *in);


int
ps_input_open(ps_input_t *in, const char *path, size_t max_line)
{
    struct stat  st;

    memset(in, 0, sizeof(ps_input_t));

    in->path = path;
    in->max_line = max_line;
    in->size = -1;

    if (strcmp(path, "-") == 0) {
        in->display = "<stdin>";
        in->fd = STDIN_FILENO;

    } else {
        in->display = path;
        in->fd = open(path, O_RDONLY);

        if (in->fd == -1) {
            ps_error("%s: cannot open: %s", path, strerror(errno));
            return -1;
        }
    }

    if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode)) {
        in->size = st.st_size;
    }

    in->cap = PS_INPUT_CHUNK;
    in->buf = ps_alloc(in->cap);

    return 0;
}


int
ps_input_next(ps_input_t *in, unsigned char **line, size_t *len)
{
    size_t          skipped, n;
    ssize_t         got;
    unsigned char  *nl, *p;

    skipped = 0;

    for ( ;; ) {
        p = in->buf + in->start;
        n = in->end - in->start;
        nl = memchr(p, '\n', n);

        if (nl != NULL || (in->eof && n > 0)) {
            if (nl == NULL) {
                nl = p + n;
                in->start = in->end;
                in->bytes += n;

            } else {
                in->start += (nl - p) + 1;
                in->bytes += (nl - p) + 1;
            }

            in->line++;

            if (skipped) {
                *line = NULL;
                *len = skipped + (nl - p);
                return 1;
            }

            if (nl > p && nl[-1] == '\r') {
                nl--;
            }

            /* spreadsheet and database exports start with a BOM */
            if (in->line == 1 && nl - p >= 3
                && memcmp(p, "\xef\xbb\xbf", 3) == 0)
            {
                p += 3;
                in->bom = 1;
            }

            *line = p;
            *len = nl - p;

            if (*len > in->max_line) {
                *line = NULL;
            }

            return 1;
        }

        if (in->eof) {
            if (skipped) {
                in->line++;
                *line = NULL;
                *len = skipped;
                return 1;
            }

            return 0;
        }

        /* no newline buffered: drop an overlong prefix, or make room */

        if (n > in->max_line) {
            skipped += n;
            in->bytes += n;
            in->start = in->end = 0;

        } else if (in->start > 0) {
            memmove(in->buf, p, n);
            in->start = 0;
            in->end = n;

        } else if (in->end == in->cap) {
            in->cap *= 2;
            in->buf = ps_realloc(in->buf, in->cap);
        }

        got = ps_input_fill(in);
        if (got < 0) {
            return -1;
        }
    }
}


void
ps_input_close(ps_input_t *in)
{
    if (in->fd > STDIN_FILENO) {
        close(in->fd);
    }

    free(in->buf);
    in->buf = NULL;
}


static ssize_t
ps_input_fill(ps_input_t *in)
{
    ssize_t  n;

    for ( ;; ) {
        n = read(in->fd, in->buf + in->end, in->cap - in->end);

        if (n >= 0) {
            break;
        }

        if (errno != EINTR) {
            ps_error("%s: read failed: %s", in->display, strerror(errno));
            return -1;
        }
    }

    if (n == 0) {
        in->eof = 1;
    }

    in->end += (size_t) n;

    return n;
}


int
ps_input_blank(const unsigned char *line, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (line[i] != ' ' && line[i] != '\t') {
            return 0;
        }
    }

    return 1;
}
