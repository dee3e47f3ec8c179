
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * JSON text written by the CLI itself (not records: ps_encode.c).
 */


#ifndef _PS_JSON_H_INCLUDED_
#define _PS_JSON_H_INCLUDED_


#include <stddef.h>

#include "ps_buf.h"


/*
 * Append s[0 .. n - 1] to b as a JSON string (quotes included); an
 * invalid UTF-8 byte becomes U+FFFD.  The name is kept from when it was
 * in ps_buf.c, for the files of the format library that call it.
 */
void ps_buf_add_json_string(ps_buf_t *b, const char *s, size_t n);


#endif /* _PS_JSON_H_INCLUDED_ */
