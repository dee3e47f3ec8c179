
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Access rules (docs/access-rules.md): from the viewer, their roles,
 * their relation to the owner and the profile's state, whether the
 * profile is shown, and which of its fields.  The decision is a filter
 * for the renderer (a class mask plus field bitmaps), so the JSON
 * writer knows nothing about who the viewer is.
 */


#ifndef _NGX_HTTP_PROFILE_RULES_H_INCLUDED_
#define _NGX_HTTP_PROFILE_RULES_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_format.h"
#include "ngx_http_profile_meta.h"
#include "ngx_http_profile_render.h"


/*
 * A set of visibility classes: bit n grants class id n (a snapshot has
 * at most NGX_HTTP_PROFILE_MAX_CLASSES, 64, classes).
 */
typedef uint64_t  ngx_http_profile_mask_t;

#define ngx_http_profile_mask_class(cls) ((ngx_http_profile_mask_t) 1 << (cls))
#define NGX_HTTP_PROFILE_MASK_ALL        ((ngx_http_profile_mask_t) -1)
#define NGX_HTTP_PROFILE_MASK_PUBLIC                                          \
    ngx_http_profile_mask_class(NGX_HTTP_PROFILE_CLASS_PUBLIC)


/* the viewer's relation to the owner: $profile_relation */
typedef enum {
    NGX_HTTP_PROFILE_VIEWER_ANONYMOUS = 0,
    NGX_HTTP_PROFILE_VIEWER_SELF,
    NGX_HTTP_PROFILE_VIEWER_FRIEND,
    NGX_HTTP_PROFILE_VIEWER_FOLLOWER,
    NGX_HTTP_PROFILE_VIEWER_NONE,
    NGX_HTTP_PROFILE_VIEWER_BLOCKED
} ngx_http_profile_viewer_e;


/* what the rules decided for a request */
typedef enum {
    NGX_HTTP_PROFILE_ACCESS_SHOW = 0,   /* the fields of the filter */
    NGX_HTTP_PROFILE_ACCESS_HIDDEN,     /* answered as not found */
    NGX_HTTP_PROFILE_ACCESS_FORBIDDEN   /* private, profile_private_mode
                                           not_found */
} ngx_http_profile_access_e;


/* profile_block: which direction of a block hides the profile */
#define NGX_HTTP_PROFILE_BLOCK_BOTH      0
#define NGX_HTTP_PROFILE_BLOCK_OWNER     1   /* the owner blocked the viewer */
#define NGX_HTTP_PROFILE_BLOCK_VIEWER    2   /* the viewer blocked the owner */


/*
 * What the rules need of one snapshot, made when it is opened (in its
 * pool): whether it uses audiences, each role's extra fields and the
 * stub as field bitmaps of bitmap_size bytes, the roles that see each
 * state, and the "name":null fragment of every field with each field's
 * default class (profile_hidden_fields null).
 */
typedef struct {
    u_char                      *role_fields[NGX_HTTP_PROFILE_MAX_ROLES];
    u_char                      *stub;         /* NULL: no stub fields */
    uint64_t                     state_roles[NGX_HTTP_PROFILE_STATES];
    uint64_t                     role_classes; /* every role class */
    u_char                      *nulls;
    uint32_t                    *null_off;     /* nfields + 1 */
    uint8_t                     *default_cls;  /* nfields */
    size_t                       bitmap_size;
    ngx_uint_t                   nroles;

    /*
     * What, besides a record's own bytes, makes its representations:
     * the schema (the classes, fields, roles and states tables all come
     * from it), as a hash of the snapshot's schema_digest; of its
     * snapshot_id when it has none (then nothing outlives the snapshot).
     */
    uint64_t                     representation;

    unsigned                     audiences:1;
} ngx_http_profile_grants_t;


/* the rules' part of a location's configuration */
typedef struct {
    ngx_uint_t                   block;         /* profile_block */
    ngx_uint_t                   forbidden;     /* profile_forbidden_status */
    ngx_uint_t                   private_stub;  /* profile_private_mode */
    ngx_uint_t                   hidden_null;   /* profile_hidden_fields */
} ngx_http_profile_rules_conf_t;


/* the decision for one request */
typedef struct {
    ngx_http_profile_viewer_e    relation;
    ngx_http_profile_access_e    access;
    ngx_http_profile_filter_t    filter;       /* with ACCESS_SHOW */
    unsigned                     personal:1;   /* depends on the viewer */
} ngx_http_profile_decision_t;


/*
 * Build g for the snapshot whose checked metadata is m, in pool.
 * Returns NGX_OK or NGX_ERROR (out of memory).
 */
ngx_int_t ngx_http_profile_rules_init(ngx_http_profile_grants_t *g,
    const ngx_http_profile_meta_t *m, ngx_pool_t *pool);

/*
 * The role classes of the roles named in value (names separated by
 * commas, spaces or tabs), among the role classes of the snapshot of
 * meta m and grants g; names it does not declare are ignored.
 */
uint64_t ngx_http_profile_rules_roles(const ngx_http_profile_meta_t *m,
    const ngx_http_profile_grants_t *g, ngx_str_t *value);

/*
 * The next role name of a role list at p (names separated by commas,
 * spaces or tabs) before last, into *name (len 0: none left).  Returns
 * where the list goes on.
 */
u_char *ngx_http_profile_rules_role_name(u_char *p, u_char *last,
    ngx_str_t *name);

/*
 * The relation of viewer (valid, not the owner) to the owner id from
 * the relation bits seen from the viewer's side (viewer = a).
 */
ngx_http_profile_viewer_e ngx_http_profile_rules_relation(uint8_t bits,
    ngx_uint_t block);

/*
 * Decide for a record rec of the snapshot of grants g, whose owner
 * the viewer's relation is (NGX_HTTP_PROFILE_VIEWER_*; ANONYMOUS when
 * there is no valid viewer), holding the role classes roles (ignored
 * for an anonymous viewer).  extra is room of g->bitmap_size bytes for
 * the union of several roles' fields (from the request's pool).  Fills
 * d; never fails.
 */
void ngx_http_profile_rules_decide(const ngx_http_profile_grants_t *g,
    const ngx_http_profile_record_t *rec,
    ngx_http_profile_viewer_e relation, uint64_t roles,
    const ngx_http_profile_rules_conf_t *conf, u_char *extra,
    ngx_http_profile_decision_t *d);

/* the name of a relation, for $profile_relation */
ngx_str_t *ngx_http_profile_rules_relation_name(ngx_http_profile_viewer_e r);


#endif /* _NGX_HTTP_PROFILE_RULES_H_INCLUDED_ */
