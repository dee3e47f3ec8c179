
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzzing shim: just enough of nginx's types for
 * ngx_http_profile_json.c to compile outside nginx, so that the fuzz
 * targets run the module's real renderer.  Not a general nginx stand-in.
 */


#ifndef _NGX_CONFIG_H_INCLUDED_
#define _NGX_CONFIG_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


typedef intptr_t   ngx_int_t;
typedef uintptr_t  ngx_uint_t;
typedef unsigned char  u_char;

#define ngx_inline  inline

#define NGX_OK     0
#define NGX_ERROR  -1
#define NGX_DONE   -4


#endif /* _NGX_CONFIG_H_INCLUDED_ */
