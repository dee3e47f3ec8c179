
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * A record's id: read from its member (a string, or a non-negative
 * integer written in decimal) and checked against the id grammar
 * (docs/schema.md "The id").  What is wrong is reported as the record's
 * reason.
 */


#ifndef _PS_ID_H_INCLUDED_
#define _PS_ID_H_INCLUDED_


#include <stddef.h>
#include <jansson.h>

#include "ps_report.h"


/*
 * The id of obj's member key into id (NGX_HTTP_PROFILE_ID_MAX + 1 bytes,
 * NUL-terminated) and *len, and rep's current id; -1 if it is missing
 * or invalid (reported to rep).
 */
int ps_id_member(ps_report_t *rep, json_t *obj, const char *key, char *id,
    size_t *len);

/* the same for v, the value of member key (NULL: absent) */
int ps_id_value(ps_report_t *rep, json_t *v, const char *key, char *id,
    size_t *len);

/* the same for a string id s[0 .. n - 1] */
int ps_id_string(ps_report_t *rep, const char *s, size_t n, char *id,
    size_t *len);


#endif /* _PS_ID_H_INCLUDED_ */
