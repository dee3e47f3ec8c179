
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Timestamps: RFC 3339 checks, the formats "coerce" accepts, and the
 * canonical form they are turned into (docs/schema.md "Timestamps").
 */


#ifndef _PS_TIME_H_INCLUDED_
#define _PS_TIME_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <jansson.h>


/* "YYYY-MM-DDTHH:MM:SS.mmmZ" + NUL, with room for any int */
#define PS_TIME_TEXT  80


/* 1 if s[0 .. len - 1] is an RFC 3339 date-time */
int ps_rfc3339_valid(const char *s, size_t len);

/*
 * Milliseconds since the epoch of an RFC 3339 date-time (any offset).
 * Returns 0, or -1 if s is not one.
 */
int ps_rfc3339_ms(const char *s, size_t len, int64_t *ms);

/*
 * Milliseconds since the epoch of a value "coerce" accepts: an RFC 3339
 * text, "YYYY-MM-DD HH:MM:SS[.fff]" or "YYYY-MM-DD" (UTC), epoch
 * seconds or milliseconds (a number, or a string of digits: ms from
 * 100000000000 on), or a text matching one of formats (strptime, UTC).
 * Returns 0, or -1.
 */
int ps_time_coerce(json_t *v, json_t *formats, int64_t *ms);

/* the canonical text: YYYY-MM-DDTHH:MM:SSZ, with .mmm if not whole */
void ps_time_format(int64_t ms, char *text);


#endif /* _PS_TIME_H_INCLUDED_ */
