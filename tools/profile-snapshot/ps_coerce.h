
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Checking (and, as the schema allows, coercing) one field value against
 * its declaration.
 */


#ifndef _PS_COERCE_H_INCLUDED_
#define _PS_COERCE_H_INCLUDED_


#include <jansson.h>

#include "ps_report.h"
#include "ps_schema.h"


#define PS_KEEP        0    /* *out holds the value to store */
#define PS_DROP        1    /* the field is dropped (reported) */
#define PS_QUARANTINE  2    /* the record is quarantined (reported) */


/*
 * Check v for field f.  On PS_KEEP *out is a new reference the caller
 * releases.  Every change or refusal is reported on rep.
 */
int ps_coerce(ps_report_t *rep, const ps_field_t *f, json_t *v,
    json_t **out);

/* 1 if s[0 .. len - 1] is an RFC 3339 date-time */
int ps_rfc3339_valid(const char *s, size_t len);


#endif /* _PS_COERCE_H_INCLUDED_ */
