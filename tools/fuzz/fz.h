
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * What the fuzz targets share: the invariant check, the module's
 * renderer behind the nginx shim, and the checks every record that
 * passed ngx_http_profile_record_parse() must meet (docs/fuzzing.md).
 */


#ifndef _FZ_H_INCLUDED_
#define _FZ_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "ngx_http_profile_format.h"


/*
 * An invariant the code under test must keep.  A failure prints what
 * and where, then aborts, so libFuzzer saves the input as a crash.
 */
#define fz_assert(cond, what)                                                \
    ((cond) ? (void) 0 : fz_fail(__FILE__, __LINE__, #cond, what))

void fz_fail(const char *file, int line, const char *cond, const char *what)
    __attribute__ ((noreturn));

/* a malloc() copy of exactly n bytes (ASan catches any read past n) */
unsigned char *fz_dup(const unsigned char *p, size_t n);

/*
 * Run the module's renderer (ngx_http_profile_json_size and _write, the
 * module's wrapper of the format library's ngx_http_profile_render()) on
 * rec with mask; check that it logged no alert, wrote exactly the size
 * it announced, and wrote "{" + the selected non-empty fragments joined
 * by "," + "}"; and that ngx_http_profile_render() called directly, as
 * profile-snapshot inspect calls it, writes the same bytes.  Returns
 * the output in a malloc()ed buffer of *len bytes that the caller frees.
 */
unsigned char *fz_render(const ngx_http_profile_record_t *rec,
    uint64_t mask, size_t *len);

/*
 * Check a record that ngx_http_profile_record_parse() accepted from
 * data[0 .. size - 1]: its pointers and every entry stay inside data,
 * each entry names a field and class below nfields and nclasses; with
 * fields (deep parse only), ids ascend and each fragment starts with
 * its field's "name":.  Every fragment byte is read, so ASan sees any
 * entry that points outside.
 */
void fz_record_walk(const ngx_http_profile_record_t *rec,
    const unsigned char *data, size_t size, unsigned nfields,
    unsigned nclasses, const ngx_http_profile_field_t *fields);


#endif /* _FZ_H_INCLUDED_ */
