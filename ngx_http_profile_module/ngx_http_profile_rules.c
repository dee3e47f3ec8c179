
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Access rules (see ngx_http_profile_rules.h and docs/access-rules.md).
 * Everything a decision reads was made when the snapshot was opened:
 * per request it is a few comparisons and, for a viewer holding several
 * roles with extra fields, one OR of their field bitmaps.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_rules.h"


static ngx_uint_t ngx_http_profile_rules_uses_audiences(
    const ngx_http_profile_meta_t *m);


static ngx_str_t  ngx_http_profile_relation_names[] = {
    ngx_string("anonymous"),
    ngx_string("self"),
    ngx_string("friend"),
    ngx_string("follower"),
    ngx_string("none"),
    ngx_string("blocked")
};


/* the audiences a viewer kind gets (docs/access-rules.md) */

#define ngx_http_profile_class_bit(c)  ngx_http_profile_mask_class(c)

#define NGX_HTTP_PROFILE_MASK_AUTHENTICATED                                   \
    (NGX_HTTP_PROFILE_MASK_PUBLIC                                             \
     | ngx_http_profile_class_bit(NGX_HTTP_PROFILE_CLASS_AUTHENTICATED))

#define NGX_HTTP_PROFILE_MASK_FOLLOWER                                        \
    (NGX_HTTP_PROFILE_MASK_AUTHENTICATED                                      \
     | ngx_http_profile_class_bit(NGX_HTTP_PROFILE_CLASS_FOLLOWER))

#define NGX_HTTP_PROFILE_MASK_FRIEND                                          \
    (NGX_HTTP_PROFILE_MASK_FOLLOWER                                           \
     | ngx_http_profile_class_bit(NGX_HTTP_PROFILE_CLASS_FRIEND))

#define NGX_HTTP_PROFILE_MASK_OWNER                                           \
    (NGX_HTTP_PROFILE_MASK_ALL                                                \
     & ~ngx_http_profile_class_bit(NGX_HTTP_PROFILE_CLASS_NEVER))


ngx_int_t
ngx_http_profile_rules_init(ngx_http_profile_grants_t *g,
    const ngx_http_profile_meta_t *m, ngx_pool_t *pool)
{
    u_char                        *p, *map;
    size_t                         len;
    unsigned                       i, j, f;
    const ngx_http_profile_role_t *role;

    ngx_memzero(g, sizeof(ngx_http_profile_grants_t));

    g->audiences = ngx_http_profile_rules_uses_audiences(m);
    g->bitmap_size = (m->nfields + 7) / 8;

    for (i = NGX_HTTP_PROFILE_CLASS_ROLES; g->audiences && i < m->nclasses;
         i++)
    {
        g->role_classes |= ngx_http_profile_mask_class(i);
    }

    g->nroles = g->audiences ? m->nclasses - NGX_HTTP_PROFILE_CLASS_ROLES
                             : 0;

    /* each role's extra fields (the "roles" table) */

    for (i = 0; i < m->nroles; i++) {
        role = &m->roles[i];

        if (role->nfields == 0 || !g->audiences
            || role->cls < NGX_HTTP_PROFILE_CLASS_ROLES)
        {
            continue;
        }

        map = ngx_pcalloc(pool, g->bitmap_size);
        if (map == NULL) {
            return NGX_ERROR;
        }

        for (j = 0; j < role->nfields; j++) {
            f = ngx_http_profile_role_field(role, j);
            map[f >> 3] |= (u_char) (1 << (f & 7));
        }

        g->role_fields[role->cls - NGX_HTTP_PROFILE_CLASS_ROLES] = map;
    }

    /* the stub: an empty set without a states table */

    g->stub = ngx_pcalloc(pool, g->bitmap_size ? g->bitmap_size : 1);
    if (g->stub == NULL) {
        return NGX_ERROR;
    }

    if (m->has_states) {
        for (j = 0; j < m->states.nstub; j++) {
            f = ngx_http_profile_states_stub(&m->states, j);
            g->stub[f >> 3] |= (u_char) (1 << (f & 7));
        }

        for (i = 0; i < NGX_HTTP_PROFILE_STATES; i++) {
            g->state_roles[i] = m->states.roles[i] & g->role_classes;
        }
    }

    /* "name":null of every field, and each field's default class */

    len = 0;

    for (f = 0; f < m->nfields; f++) {
        len += m->fields[f].name_len + sizeof("\"\":null") - 1;
    }

    g->nulls = ngx_pnalloc(pool, len ? len : 1);
    g->null_off = ngx_palloc(pool, (m->nfields + 1) * sizeof(uint32_t));
    g->default_cls = ngx_palloc(pool, m->nfields ? m->nfields : 1);

    if (g->nulls == NULL || g->null_off == NULL || g->default_cls == NULL) {
        return NGX_ERROR;
    }

    p = g->nulls;

    for (f = 0; f < m->nfields; f++) {
        g->null_off[f] = (uint32_t) (p - g->nulls);
        g->default_cls[f] = m->fields[f].cls;

        *p++ = '"';
        p = ngx_cpymem(p, m->fields[f].name, m->fields[f].name_len);
        p = ngx_cpymem(p, "\":null", sizeof("\":null") - 1);
    }

    g->null_off[m->nfields] = (uint32_t) (p - g->nulls);

    g->representation = (m->schema_digest != NULL)
                        ? ngx_http_profile_hash64(m->schema_digest,
                                                  m->schema_digest_len, 0)
                        : ngx_http_profile_hash64(m->snapshot_id,
                                                  m->snapshot_id_len, 1);

    return NGX_OK;
}


/* classes 2..5 named as the audiences (docs/snapshot-format.md) */

static ngx_uint_t
ngx_http_profile_rules_uses_audiences(const ngx_http_profile_meta_t *m)
{
    ngx_uint_t         i;
    static ngx_str_t   names[] = {
        ngx_string("authenticated"),
        ngx_string("follower"),
        ngx_string("friend"),
        ngx_string("never")
    };

    if (m->nclasses < NGX_HTTP_PROFILE_CLASS_ROLES) {
        return 0;
    }

    for (i = 0; i < 4; i++) {
        if (m->classes[NGX_HTTP_PROFILE_CLASS_AUTHENTICATED + i].name_len
            != names[i].len
            || ngx_memcmp(m->classes[NGX_HTTP_PROFILE_CLASS_AUTHENTICATED + i]
                          .name, names[i].data, names[i].len)
               != 0)
        {
            return 0;
        }
    }

    return 1;
}


u_char *
ngx_http_profile_rules_role_name(u_char *p, u_char *last, ngx_str_t *name)
{
    while (p < last && (*p == ',' || *p == ' ' || *p == '\t')) {
        p++;
    }

    name->data = p;

    while (p < last && *p != ',' && *p != ' ' && *p != '\t') {
        p++;
    }

    name->len = p - name->data;

    return p;
}


uint64_t
ngx_http_profile_rules_roles(const ngx_http_profile_meta_t *m,
    const ngx_http_profile_grants_t *g, ngx_str_t *value)
{
    u_char      *p, *last;
    uint64_t     roles;
    ngx_str_t    name;
    ngx_uint_t   i, c;

    roles = 0;

    /* without audiences there are no role classes: no name is a role */

    c = g->audiences ? NGX_HTTP_PROFILE_CLASS_ROLES : m->nclasses;

    p = value->data;
    last = p + value->len;

    for ( ;; ) {
        p = ngx_http_profile_rules_role_name(p, last, &name);

        if (name.len == 0) {
            break;
        }

        for (i = c; i < m->nclasses; i++) {
            if (m->classes[i].name_len == name.len
                && ngx_memcmp(m->classes[i].name, name.data, name.len) == 0)
            {
                roles |= ngx_http_profile_mask_class(i);
                break;
            }
        }
    }

    return roles;
}


ngx_http_profile_viewer_e
ngx_http_profile_rules_relation(uint8_t bits, ngx_uint_t block)
{
    uint8_t  hides;

    switch (block) {

    case NGX_HTTP_PROFILE_BLOCK_OWNER:
        hides = NGX_HTTP_PROFILE_REL_B_BLOCKS_A;
        break;

    case NGX_HTTP_PROFILE_BLOCK_VIEWER:
        hides = NGX_HTTP_PROFILE_REL_A_BLOCKS_B;
        break;

    default: /* NGX_HTTP_PROFILE_BLOCK_BOTH */
        hides = NGX_HTTP_PROFILE_REL_A_BLOCKS_B
                | NGX_HTTP_PROFILE_REL_B_BLOCKS_A;
        break;
    }

    if (bits & hides) {
        return NGX_HTTP_PROFILE_VIEWER_BLOCKED;
    }

    if (bits & NGX_HTTP_PROFILE_REL_FRIEND) {
        return NGX_HTTP_PROFILE_VIEWER_FRIEND;
    }

    if (bits & NGX_HTTP_PROFILE_REL_A_FOLLOWS_B) {
        return NGX_HTTP_PROFILE_VIEWER_FOLLOWER;
    }

    return NGX_HTTP_PROFILE_VIEWER_NONE;
}


void
ngx_http_profile_rules_decide(const ngx_http_profile_grants_t *g,
    const ngx_http_profile_record_t *rec,
    ngx_http_profile_viewer_e relation, uint64_t roles,
    const ngx_http_profile_rules_conf_t *conf, u_char *extra,
    ngx_http_profile_decision_t *d)
{
    size_t                    k;
    uint64_t                  held, rest;
    ngx_uint_t                i, stub, nmaps;
    ngx_http_profile_mask_t   mask;
    u_char                   *one;

    ngx_memzero(d, sizeof(ngx_http_profile_decision_t));

    d->relation = relation;
    d->filter.never_cls = g->audiences ? NGX_HTTP_PROFILE_CLASS_NEVER : -1;

    /* roles come with an identity: an anonymous request holds none */

    held = (relation == NGX_HTTP_PROFILE_VIEWER_ANONYMOUS)
           ? 0 : (roles & g->role_classes);

    if (relation == NGX_HTTP_PROFILE_VIEWER_BLOCKED) {
        d->access = NGX_HTTP_PROFILE_ACCESS_HIDDEN;
        return;
    }

    stub = 0;

    switch (rec->state) {

    case NGX_HTTP_PROFILE_STATE_DELETED:
        if (!(held & g->state_roles[NGX_HTTP_PROFILE_STATE_DELETED])) {
            d->access = NGX_HTTP_PROFILE_ACCESS_HIDDEN;
            return;
        }

        break;

    case NGX_HTTP_PROFILE_STATE_SUSPENDED:
        if (relation != NGX_HTTP_PROFILE_VIEWER_SELF
            && !(held & g->state_roles[NGX_HTTP_PROFILE_STATE_SUSPENDED]))
        {
            d->access = NGX_HTTP_PROFILE_ACCESS_HIDDEN;
            return;
        }

        break;

    case NGX_HTTP_PROFILE_STATE_PRIVATE:
        if (relation != NGX_HTTP_PROFILE_VIEWER_SELF
            && relation != NGX_HTTP_PROFILE_VIEWER_FRIEND
            && !(held & g->state_roles[NGX_HTTP_PROFILE_STATE_PRIVATE]))
        {
            if (!conf->private_stub) {
                d->access = NGX_HTTP_PROFILE_ACCESS_FORBIDDEN;
                return;
            }

            stub = 1;
        }

        break;

    default: /* NGX_HTTP_PROFILE_STATE_ACTIVE */
        break;
    }

    if (!g->audiences) {

        /* plain classes: the owner sees all, anyone else "public" */

        mask = (relation == NGX_HTTP_PROFILE_VIEWER_SELF)
               ? NGX_HTTP_PROFILE_MASK_ALL : NGX_HTTP_PROFILE_MASK_PUBLIC;
        held = 0;

    } else {

        switch (relation) {

        case NGX_HTTP_PROFILE_VIEWER_SELF:
            mask = NGX_HTTP_PROFILE_MASK_OWNER;
            break;

        case NGX_HTTP_PROFILE_VIEWER_FRIEND:
            mask = NGX_HTTP_PROFILE_MASK_FRIEND;
            break;

        case NGX_HTTP_PROFILE_VIEWER_FOLLOWER:
            mask = NGX_HTTP_PROFILE_MASK_FOLLOWER;
            break;

        case NGX_HTTP_PROFILE_VIEWER_NONE:
            mask = NGX_HTTP_PROFILE_MASK_AUTHENTICATED;
            break;

        default: /* NGX_HTTP_PROFILE_VIEWER_ANONYMOUS */
            mask = NGX_HTTP_PROFILE_MASK_PUBLIC;
            break;
        }

        mask |= held;
    }

    /* the fields the held roles see whatever their class */

    one = NULL;
    nmaps = 0;

    for (rest = held, i = NGX_HTTP_PROFILE_CLASS_ROLES;
         rest != 0 && i < NGX_HTTP_PROFILE_MAX_CLASSES;
         i++)
    {
        if (!(rest & ngx_http_profile_mask_class(i))) {
            continue;
        }

        rest &= ~ngx_http_profile_mask_class(i);

        if (g->role_fields[i - NGX_HTTP_PROFILE_CLASS_ROLES] == NULL) {
            continue;
        }

        if (nmaps++ == 0) {
            one = g->role_fields[i - NGX_HTTP_PROFILE_CLASS_ROLES];
            continue;
        }

        if (nmaps == 2) {
            ngx_memcpy(extra, one, g->bitmap_size);
            one = extra;
        }

        for (k = 0; k < g->bitmap_size; k++) {
            extra[k] |= g->role_fields[i - NGX_HTTP_PROFILE_CLASS_ROLES][k];
        }
    }

    d->access = NGX_HTTP_PROFILE_ACCESS_SHOW;
    d->filter.mask = mask;
    d->filter.extra = one;
    d->filter.limit = stub ? g->stub : NULL;

    if (conf->hidden_null) {
        d->filter.nulls = g->nulls;
        d->filter.null_off = g->null_off;
        d->filter.default_cls = g->default_cls;
    }

    d->personal = (mask != NGX_HTTP_PROFILE_MASK_PUBLIC || one != NULL);
}


ngx_str_t *
ngx_http_profile_rules_relation_name(ngx_http_profile_viewer_e r)
{
    return &ngx_http_profile_relation_names[r];
}
