
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ps_time.h"


#define PS_EPOCH_MS_FROM  100000000000LL  /* 1973-03-03 in ms; 5138 in s */

/* 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in ms since the epoch */
#define PS_TIME_MS_MIN    (-62167219200000LL)
#define PS_TIME_MS_END    253402300800000LL


static int ps_digits(const char *s, size_t n, int *val);
static int ps_time_date_valid(int y, int m, int d);
static int ps_time_strptime(const char *text, const char *format,
    int64_t *ms);
static int ps_time_fields(const char *s, size_t len, struct tm *tm,
    int *frac_ms, size_t *used);
static int64_t ps_time_days(int y, int m, int d);
static int ps_time_number(double d, int64_t *ms);


int
ps_rfc3339_valid(const char *s, size_t len)
{
    int64_t  ms;

    return ps_rfc3339_ms(s, len, &ms) == 0;
}


int
ps_rfc3339_ms(const char *s, size_t len, int64_t *ms)
{
    int        frac, oh, om, sign;
    size_t     i;
    struct tm  tm;

    if (ps_time_fields(s, len, &tm, &frac, &i) != 0
        || (s[10] != 'T' && s[10] != 't') || i == len)
    {
        return -1;
    }

    if (s[i] == 'Z' || s[i] == 'z') {
        if (i + 1 != len) {
            return -1;
        }

        oh = 0;
        om = 0;
        sign = 1;

    } else {
        if ((s[i] != '+' && s[i] != '-') || len - i != 6
            || !ps_digits(s + i + 1, 2, &oh) || s[i + 3] != ':'
            || !ps_digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
        {
            return -1;
        }

        sign = (s[i] == '-') ? -1 : 1;
    }

    *ms = ((ps_time_days(tm.tm_year, tm.tm_mon, tm.tm_mday) * 86400
            + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec
            - sign * (oh * 3600 + om * 60)) * 1000) + frac;

    return 0;
}


int
ps_time_canonical(const char *s, size_t len, char *text)
{
    size_t   i;
    int64_t  ms;

    if (ps_rfc3339_ms(s, len, &ms) != 0
        || ms < PS_TIME_MS_MIN || ms >= PS_TIME_MS_END)
    {
        return -1;
    }

    /* the common case, already canonical, without formatting it again */
    if (s[10] == 'T' && s[len - 1] == 'Z' && s[17] != '6'
        && (len == 20
            || (len == 24 && s[19] == '.'
                && memcmp(s + 20, "000", 3) != 0)))
    {
        return 0;
    }

    ps_time_format(ms, text);

    if (strlen(text) == len && memcmp(text, s, len) == 0) {
        return 0;
    }

    /* POSIX time has no leap second: 23:59:60 is the next day's start */
    if (s[17] == '6') {
        return PS_TIME_LEAP;
    }

    /* an offset other than +00:00 / -00:00 ends in something but "00:00" */
    if (s[len - 1] != 'Z' && s[len - 1] != 'z'
        && memcmp(s + len - 5, "00:00", 5) != 0)
    {
        return PS_TIME_OFFSET;
    }

    /* digits after the milliseconds that are not all zeros */
    if (s[19] == '.') {
        for (i = 23; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (s[i] != '0') {
                return PS_TIME_SUBMS;
            }
        }
    }

    return PS_TIME_SPELLING;
}


int
ps_time_coerce(json_t *v, json_t *formats, int64_t *ms)
{
    int          frac;
    char        *end, text[128];
    size_t       len, i, used;
    json_t      *f;
    struct tm    tm;
    const char  *s;

    if (json_is_number(v)) {
        return ps_time_number(json_number_value(v), ms);
    }

    if (!json_is_string(v)) {
        return -1;
    }

    s = json_string_value(v);
    len = json_string_length(v);

    if (ps_rfc3339_ms(s, len, ms) == 0) {
        goto check;
    }

    /* epoch digits */

    if (len > 0 && len < 20 && strspn(s, "0123456789") == len) {
        return ps_time_number(strtod(s, &end), ms);
    }

    /* "YYYY-MM-DD HH:MM:SS[.fff]" and "YYYY-MM-DD", UTC */

    if (ps_time_fields(s, len, &tm, &frac, &used) == 0 && s[10] == ' '
        && used == len)
    {
        *ms = (ps_time_days(tm.tm_year, tm.tm_mon, tm.tm_mday) * 86400
               + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) * 1000
              + frac;
        goto check;
    }

    if (len == 10 && ps_digits(s, 4, &tm.tm_year) && s[4] == '-'
        && ps_digits(s + 5, 2, &tm.tm_mon) && s[7] == '-'
        && ps_digits(s + 8, 2, &tm.tm_mday))
    {
        /* "2023-02-31" is refused, not moved to March */
        if (!ps_time_date_valid(tm.tm_year, tm.tm_mon, tm.tm_mday)) {
            return -1;
        }

        *ms = ps_time_days(tm.tm_year, tm.tm_mon, tm.tm_mday) * 86400000;
        return 0;
    }

    if (len >= sizeof(text)) {
        return -1;
    }

    memcpy(text, s, len + 1);

    json_array_foreach(formats, i, f) {
        if (ps_time_strptime(text, json_string_value(f), ms) == 0) {
            goto check;
        }
    }

    return -1;

check:

    /* the canonical text has a 4-digit year (docs/schema.md) */
    return (*ms >= PS_TIME_MS_MIN && *ms < PS_TIME_MS_END) ? 0 : -1;
}


void
ps_time_format(int64_t ms, char *text)
{
    int        frac;
    time_t     t;
    struct tm  tm;

    frac = (int) (ms % 1000);
    if (frac < 0) {
        frac += 1000;
        ms -= 1000;
    }

    t = (time_t) (ms / 1000);
    gmtime_r(&t, &tm);

    if (frac) {
        snprintf(text, PS_TIME_TEXT, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, frac);

    } else {
        snprintf(text, PS_TIME_TEXT, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec);
    }
}


/*
 * text read with one strptime(3) format, as UTC unless the format has
 * %z.  strptime() checks each field's range but not the day against the
 * month ("31/02/2024") nor the year's size, and leaves the fields a
 * format lacks at 0: a missing day is the 1st (a missing month is
 * January already), so "Y%Y" reads "Y2024" as 2024-01-01.
 */

static int
ps_time_strptime(const char *text, const char *format, int64_t *ms)
{
    int          y, mo, d;
    struct tm    tm;
    const char  *p;

    memset(&tm, 0, sizeof(tm));
    p = strptime(text, format, &tm);

    if (p == NULL || *p != '\0') {
        return -1;
    }

    y = tm.tm_year + 1900;
    mo = tm.tm_mon + 1;
    d = tm.tm_mday ? tm.tm_mday : 1;

    if (y < 0 || y > 9999 || !ps_time_date_valid(y, mo, d)
        || tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0
        || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
    {
        return -1;
    }

    *ms = (ps_time_days(y, mo, d) * 86400 + tm.tm_hour * 3600
           + tm.tm_min * 60 + tm.tm_sec - tm.tm_gmtoff) * 1000;

    return 0;
}


const char *
ps_time_why(const char *s, size_t len)
{
    int  y, mo, d, h, mi, sec;

    if (len < 10 || !ps_digits(s, 4, &y) || s[4] != '-'
        || !ps_digits(s + 5, 2, &mo) || s[7] != '-'
        || !ps_digits(s + 8, 2, &d))
    {
        return NULL;
    }

    if (!ps_time_date_valid(y, mo, d)) {
        return "a date that does not exist";
    }

    if (len >= 19 && (s[10] == 'T' || s[10] == 't' || s[10] == ' ')
        && ps_digits(s + 11, 2, &h) && s[13] == ':'
        && ps_digits(s + 14, 2, &mi) && s[16] == ':'
        && ps_digits(s + 17, 2, &sec)
        && (h > 23 || mi > 59 || sec > 60))
    {
        return "a time of day that does not exist";
    }

    return NULL;
}


/* 1 if y-m-d exists: month 1..12, day 1..its length (leap years) */

static int
ps_time_date_valid(int y, int m, int d)
{
    int  mdays;

    static const int  days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
                                 30, 31 };

    if (m < 1 || m > 12 || d < 1) {
        return 0;
    }

    mdays = days[m - 1];

    if (m == 2 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        mdays = 28;
    }

    return d <= mdays;
}


/* epoch seconds, or milliseconds from PS_EPOCH_MS_FROM on */

static int
ps_time_number(double d, int64_t *ms)
{
    if (!(d >= 0 && d < 253402300800000.0)) {   /* up to year 9999 */
        return -1;
    }

    *ms = (d >= (double) PS_EPOCH_MS_FROM) ? (int64_t) d
                                           : (int64_t) (d * 1000);

    return *ms < 253402300800000LL ? 0 : -1;
}


/*
 * YYYY-MM-DD?HH:MM:SS[.f...] with ranges checked; the separator at [10]
 * is left to the caller.  tm gets full years and months 1..12.
 */

static int
ps_time_fields(const char *s, size_t len, struct tm *tm, int *frac_ms,
    size_t *used)
{
    int     y, mo, d, scale;
    size_t  i;

    memset(tm, 0, sizeof(struct tm));

    if (len < 19
        || !ps_digits(s, 4, &y) || s[4] != '-'
        || !ps_digits(s + 5, 2, &mo) || s[7] != '-'
        || !ps_digits(s + 8, 2, &d)
        || !ps_digits(s + 11, 2, &tm->tm_hour) || s[13] != ':'
        || !ps_digits(s + 14, 2, &tm->tm_min) || s[16] != ':'
        || !ps_digits(s + 17, 2, &tm->tm_sec))
    {
        return -1;
    }

    if (!ps_time_date_valid(y, mo, d) || tm->tm_hour > 23
        || tm->tm_min > 59 || tm->tm_sec > 60)
    {
        return -1;
    }

    tm->tm_year = y;
    tm->tm_mon = mo;
    tm->tm_mday = d;

    *frac_ms = 0;
    i = 19;

    if (i < len && s[i] == '.') {
        scale = 100;

        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            *frac_ms += (s[i] - '0') * scale;
            scale /= 10;
        }

        if (i == 20) {
            return -1;
        }
    }

    *used = i;

    return 0;
}


/* days from 1970-01-01 to y-m-d (proleptic Gregorian) */

static int64_t
ps_time_days(int y, int m, int d)
{
    int64_t  era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}


static int
ps_digits(const char *s, size_t n, int *val)
{
    size_t  i;

    *val = 0;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }

        *val = *val * 10 + (s[i] - '0');
    }

    return 1;
}
