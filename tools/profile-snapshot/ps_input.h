
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Reading NDJSON sources line by line with bounded memory: a line longer
 * than the limit is skipped (and reported by the caller), never buffered.
 */


#ifndef _PS_INPUT_H_INCLUDED_
#define _PS_INPUT_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


typedef struct {
    const char     *path;       /* as given; "-" is stdin */
    const char     *display;    /* for messages: path, or "<stdin>" */
    int             fd;
    unsigned char  *buf;
    size_t          cap;
    size_t          start;      /* first unread byte */
    size_t          end;        /* end of buffered data */
    size_t          max_line;   /* longest line returned whole */
    uint64_t        line;       /* number of the line last returned */
    uint64_t        bytes;      /* bytes consumed so far */
    int64_t         size;       /* file size, or -1 when unknown */
    int             eof;
    int             bom;        /* a UTF-8 BOM was removed, not reported */
} ps_input_t;


/*
 * Open path ("-" for stdin).  max_line is the longest line (without its
 * newline) that ps_input_next() returns whole.  Returns 0, or -1 with a
 * message printed.
 */
int ps_input_open(ps_input_t *in, const char *path, size_t max_line);

/*
 * The next line, without its "\n" or "\r\n" (and, on the first line, a
 * UTF-8 byte order mark, which sets bom for the caller to report and
 * clear): *line points into the
 * reader's buffer and stays valid until the next call.  A line longer
 * than max_line is consumed and returned with *line NULL and *len its
 * full length.  Returns 1 for a line, 0 at the end, -1 on a read error
 * (message printed).
 */
int ps_input_next(ps_input_t *in, unsigned char **line, size_t *len);

void ps_input_close(ps_input_t *in);

/*
 * 1 if line[0 .. len - 1] (a line ps_input_next() returned, not NULL)
 * holds only spaces and tabs: a blank line, which is neither a record
 * nor an edge and is not reported.
 */
int ps_input_blank(const unsigned char *line, size_t len);


#endif /* _PS_INPUT_H_INCLUDED_ */
