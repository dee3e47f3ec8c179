
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * JSON comparisons for the targets that link jansson: the same value
 * (order and bits included), and the bytes jansson itself would write
 * for a fragment value, the CLI's encoder's reference.
 */


#ifndef _FZ_JSON_H_INCLUDED_
#define _FZ_JSON_H_INCLUDED_


#include <stddef.h>
#include <jansson.h>


/*
 * Assert that a and b are the same value: types, object members in the
 * same order, string bytes, integers, and doubles bit for bit.
 */
void fz_json_same(json_t *a, json_t *b);

/*
 * What the CLI wrote before it had its own encoder: json_dumps() with
 * JSON_COMPACT | JSON_ENCODE_ANY and, when v holds reals, the precision
 * the old ps_encode_precision() chose (the fewest "%.*g" digits that
 * read back, at least the integer digits, the largest over v).  Returns
 * a malloc()ed, NUL-terminated text of *len bytes, or NULL if jansson
 * refuses v.
 */
char *fz_json_reference(json_t *v, size_t *len);


#endif /* _FZ_JSON_H_INCLUDED_ */
