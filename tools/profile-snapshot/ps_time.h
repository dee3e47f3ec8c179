
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

/* how ps_time_canonical()'s text differs from its input */
#define PS_TIME_SPELLING  1     /* the same instant and precision */
#define PS_TIME_OFFSET    2     /* the offset (not +00:00) was applied */
#define PS_TIME_SUBMS     3     /* digits after the milliseconds cut */
#define PS_TIME_LEAP      4     /* second 60: the next second's start */

/*
 * The canonical form of an RFC 3339 date-time s[0 .. len - 1]: the same
 * instant in UTC, "YYYY-MM-DDTHH:MM:SSZ" with ".mmm" when not a whole
 * second (digits after the milliseconds are dropped), written to text
 * (PS_TIME_TEXT bytes).  Returns 0 if s is already canonical, else one
 * of PS_TIME_SPELLING, _OFFSET, _SUBMS, _LEAP; -1 if s is not RFC 3339 or its
 * UTC year is outside 0000..9999.
 */
int ps_time_canonical(const char *s, size_t len, char *text);

/*
 * Milliseconds since the epoch of a value "coerce" accepts: an RFC 3339
 * text, "YYYY-MM-DD HH:MM:SS[.fff]" or "YYYY-MM-DD" (UTC), epoch
 * seconds or milliseconds (a number, or a string of digits: ms from
 * 100000000000 on), or a text matching one of formats (strptime, UTC
 * unless the format has %z).  Dates that do not exist ("2023-02-31") and
 * times outside years 0000..9999 (in UTC) are refused.  Returns 0, or -1.
 */
int ps_time_coerce(json_t *v, json_t *formats, int64_t *ms);

/*
 * Why s[0 .. len - 1], which ps_time_coerce() refused, is no time, when
 * it has the shape of one of the built-in forms ("YYYY-MM-DD", then a
 * "T" or " " and "HH:MM:SS"): "a date that does not exist" or "a time of
 * day that does not exist"; NULL otherwise (the caller's generic text).
 */
const char *ps_time_why(const char *s, size_t len);

/* the canonical text: YYYY-MM-DDTHH:MM:SSZ, with .mmm if not whole */
void ps_time_format(int64_t ms, char *text);


#endif /* _PS_TIME_H_INCLUDED_ */
