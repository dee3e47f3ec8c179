
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The field types (NGX_HTTP_PROFILE_TYPE_*): names for messages and the
 * schema, whether a JSON value fits one as is, and the order of JSON
 * numbers.
 */


#ifndef _PS_TYPE_H_INCLUDED_
#define _PS_TYPE_H_INCLUDED_


#include <jansson.h>


/* 1 if v's JSON type is acceptable as is for a field of type t */
int ps_type_matches(unsigned t, json_t *v);

/* text name of a type code ("string"...), "null" for 0 */
const char *ps_type_name(unsigned type);

/* the same with its article, for messages: "a string", "an integer" */
const char *ps_type_name_a(unsigned type);

/* -1, 0 or 1 as the JSON number a is below, equal to or above b */
int ps_number_cmp(const json_t *a, const json_t *b);


#endif /* _PS_TYPE_H_INCLUDED_ */
