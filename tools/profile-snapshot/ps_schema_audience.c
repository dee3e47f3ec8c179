
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Audiences and roles (docs/schema.md "Audiences and roles").  A schema
 * that declares "roles" or gives a field an "audience" has the classes
 * of ngx_http_profile_format.h's fixed order, then one class per role;
 * a schema that does neither keeps its "classes" and "visibility" as
 * they always were, and pays nothing for this file.
 */


#include <stdio.h>
#include <string.h>

#include "ps.h"
#include "ps_schema.h"
#include "ps_schema_audience.h"


/* the built-in audiences, in their class id order */
static const char  *ps_audience_names[NGX_HTTP_PROFILE_CLASS_ROLES] = {
    "public", "self", "authenticated", "follower", "friend", "never"
};

/* the class of each rank, from the widest audience to the narrowest */
static const unsigned  ps_rank_classes[PS_AUDIENCE_RANKS] = {
    NGX_HTTP_PROFILE_CLASS_PUBLIC, NGX_HTTP_PROFILE_CLASS_AUTHENTICATED,
    NGX_HTTP_PROFILE_CLASS_FOLLOWER, NGX_HTTP_PROFILE_CLASS_FRIEND,
    NGX_HTTP_PROFILE_CLASS_SELF
};

/* the rank of each built-in class; never and the roles have none */
static const int  ps_class_ranks[NGX_HTTP_PROFILE_CLASS_ROLES] = {
    0, 4, 1, 2, 3, -1
};


static int ps_schema_uses_audiences(ps_schema_t *s);
static int ps_audience_lookup(ps_schema_t *s, const char *name);
static unsigned ps_role_nfields(ps_schema_t *s, unsigned cls);
static int ps_schema_range(ps_schema_t *s, json_t *v, const char *where,
    ps_field_t *f);
static int ps_schema_privacy_member(ps_schema_t *s, json_t *p,
    const char *key, const char **name, size_t *len);
static int ps_rank_lookup(const char *name);


int
ps_schema_audiences(ps_schema_t *s)
{
    size_t       i, j;
    json_t      *v, *r;
    const char  *name;

    if (!ps_schema_uses_audiences(s)) {
        return 0;
    }

    if (json_object_get(s->json, "classes") != NULL) {
        ps_schema_err(s, "classes: not with \"roles\" or \"audience\" "
                      "(the classes are then the audiences and roles)");
        return -1;
    }

    for (i = 0; i < NGX_HTTP_PROFILE_CLASS_ROLES; i++) {
        s->classes[i] = ps_audience_names[i];
    }

    s->nclasses = NGX_HTTP_PROFILE_CLASS_ROLES;
    s->audiences = 1;

    v = json_object_get(s->json, "roles");

    if (v == NULL) {
        return 0;
    }

    if (!json_is_array(v) || json_array_size(v) > NGX_HTTP_PROFILE_MAX_ROLES)
    {
        ps_schema_err(s, "roles: must be an array of 0..%d names",
                      NGX_HTTP_PROFILE_MAX_ROLES);
        return -1;
    }

    json_array_foreach(v, i, r) {
        if (!json_is_string(r)
            || !ps_name_valid(json_string_value(r), json_string_length(r)))
        {
            ps_schema_err(s, "roles[%zu]: must be a name "
                          "(1..255 bytes of [A-Za-z0-9_])", i);
            return -1;
        }

        name = json_string_value(r);

        for (j = 0; j < s->nclasses; j++) {
            if (strcmp(s->classes[j], name) != 0) {
                continue;
            }

            if (j < NGX_HTTP_PROFILE_CLASS_ROLES) {
                ps_schema_err(s, "roles[%zu]: \"%s\" is a built-in "
                              "audience", i, name);

            } else {
                ps_schema_err(s, "roles[%zu]: duplicate role \"%s\"", i,
                              name);
            }

            return -1;
        }

        s->classes[s->nclasses++] = name;
    }

    return 0;
}


int
ps_schema_field_audience(ps_schema_t *s, json_t *v, const char *where,
    ps_field_t *f)
{
    int      cls;
    size_t   i;
    json_t  *a, *r, *m;

    a = json_object_get(v, "audience");
    r = json_object_get(v, "roles");

    if (!s->audiences) {
        if (r != NULL) {
            ps_schema_err(s, "%s.roles: needs the top-level \"roles\"",
                          where);
            return -1;
        }

        return 0;
    }

    if (a != NULL) {
        if (json_object_get(v, "visibility") != NULL) {
            ps_schema_err(s, "%s.audience: not with \"visibility\"", where);
            return -1;
        }

        cls = json_is_string(a) ? ps_audience_lookup(s, json_string_value(a))
                                : -1;
        if (cls < 0) {
            ps_schema_err(s, "%s.audience: must be one of public, "
                          "authenticated, follower, friend, self, never "
                          "or a role of \"roles\"", where);
            return -1;
        }

        f->cls = (unsigned) cls;
    }

    f->never = (f->cls == NGX_HTTP_PROFILE_CLASS_NEVER);

    if (ps_schema_range(s, v, where, f) != 0) {
        return -1;
    }

    if (r == NULL) {
        return 0;
    }

    if (!json_is_array(r)) {
        ps_schema_err(s, "%s.roles: must be an array of roles of \"roles\"",
                      where);
        return -1;
    }

    if (f->never && json_array_size(r) != 0) {
        ps_schema_err(s, "%s.roles: a field of audience \"never\" is seen "
                      "by no role", where);
        return -1;
    }

    json_array_foreach(r, i, m) {
        cls = json_is_string(m) ? ps_audience_lookup(s, json_string_value(m))
                                : -1;

        if (cls < NGX_HTTP_PROFILE_CLASS_ROLES) {
            ps_schema_err(s, "%s.roles[%zu]: must be a role of \"roles\"",
                          where, i);
            return -1;
        }

        f->roles |= (uint64_t) 1 << cls;
    }

    return 0;
}


int
ps_schema_privacy(ps_schema_t *s)
{
    int          rank;
    unsigned     i, n;
    json_t      *p, *values, *a;
    const char  *key;

    n = 0;

    for (i = 0; i < s->nfields; i++) {
        n += s->fields[i].ranged;
    }

    if (n != 0) {
        s->ranged = ps_schema_alloc(s, n * sizeof(unsigned));

        for (i = 0; i < s->nfields; i++) {
            if (s->fields[i].ranged) {
                s->ranged[s->nranged++] = i;
            }
        }
    }

    p = json_object_get(s->json, "privacy");

    if (p == NULL) {
        return 0;
    }

    if (!json_is_object(p)) {
        ps_schema_err(s, "privacy: must be an object");
        return -1;
    }

    json_object_foreach(p, key, a) {
        if (strcmp(key, "map") != 0 && strcmp(key, "values") != 0
            && strcmp(key, "list") != 0 && strcmp(key, "description") != 0)
        {
            ps_schema_err(s, "privacy.%s: unknown key", key);
            return -1;
        }
    }

    if (ps_schema_privacy_member(s, p, "map", &s->privacy_map,
                                 &s->privacy_map_len) != 0
        || ps_schema_privacy_member(s, p, "list", &s->privacy_list,
                                    &s->privacy_list_len) != 0)
    {
        return -1;
    }

    if (s->privacy_map == NULL && s->privacy_list == NULL) {
        ps_schema_err(s, "privacy: needs \"map\" or \"list\"");
        return -1;
    }

    values = json_object_get(p, "values");

    if (s->privacy_map == NULL ? values != NULL : !json_is_object(values)) {
        ps_schema_err(s, "privacy.values: an object of settings, "
                      "with \"map\" only");
        return -1;
    }

    if (values != NULL) {
        s->privacy_values = json_object();

        if (s->privacy_values == NULL) {
            ps_schema_err(s, "%s: out of memory", "privacy.values");
            return -1;
        }

        json_object_foreach(values, key, a) {
            rank = json_is_string(a) ? ps_rank_lookup(json_string_value(a))
                                     : -1;
            if (rank < 0) {
                ps_schema_err(s, "privacy.values.%s: must be one of "
                              "public, authenticated, follower, friend, "
                              "self", key);
                return -1;
            }

            json_object_set_new(s->privacy_values, key,
                                json_integer(ps_rank_classes[rank]));
        }
    }

    s->privacy = 1;

    return 0;
}


unsigned
ps_audience_rank(unsigned cls)
{
    return (unsigned) ps_class_ranks[cls];
}


unsigned
ps_audience_of_rank(unsigned rank)
{
    return ps_rank_classes[rank];
}


/* a field's "audience_range": [widest, narrowest], holding its audience */

static int
ps_schema_range(ps_schema_t *s, json_t *v, const char *where, ps_field_t *f)
{
    int      lo, hi;
    json_t  *r;

    r = json_object_get(v, "audience_range");

    if (r == NULL) {
        return 0;
    }

    lo = -1;
    hi = -1;

    if (json_is_array(r) && json_array_size(r) == 2
        && json_is_string(json_array_get(r, 0))
        && json_is_string(json_array_get(r, 1)))
    {
        lo = ps_rank_lookup(json_string_value(json_array_get(r, 0)));
        hi = ps_rank_lookup(json_string_value(json_array_get(r, 1)));
    }

    if (lo < 0 || hi < lo) {
        ps_schema_err(s, "%s.audience_range: must be [WIDEST, NARROWEST] "
                      "of public, authenticated, follower, friend, self",
                      where);
        return -1;
    }

    if (f->cls >= NGX_HTTP_PROFILE_CLASS_NEVER
        || ps_class_ranks[f->cls] < lo || ps_class_ranks[f->cls] > hi)
    {
        ps_schema_err(s, "%s.audience_range: does not hold the field's "
                      "audience \"%s\"", where, s->classes[f->cls]);
        return -1;
    }

    f->ranged = 1;
    f->range_lo = (unsigned) lo;
    f->range_hi = (unsigned) hi;

    return 0;
}


/* "map" or "list" of "privacy": a member name that no field takes */

static int
ps_schema_privacy_member(ps_schema_t *s, json_t *p, const char *key,
    const char **name, size_t *len)
{
    json_t    *m;
    unsigned   alias;

    m = json_object_get(p, key);

    if (m == NULL) {
        return 0;
    }

    if (!json_is_string(m)
        || !ps_name_valid(json_string_value(m), json_string_length(m)))
    {
        ps_schema_err(s, "privacy.%s: must be a member name", key);
        return -1;
    }

    *name = json_string_value(m);
    *len = json_string_length(m);

    if (ps_schema_lookup(s, *name, *len, &alias) != NULL
        || (*len == s->key_len && memcmp(*name, s->key, *len) == 0))
    {
        ps_schema_err(s, "privacy.%s: \"%s\" is a field, an alias or the "
                      "id", key, *name);
        return -1;
    }

    return 0;
}


/* the rank of a built-in audience other than never, or -1 */

static int
ps_rank_lookup(const char *name)
{
    unsigned  i;

    for (i = 0; i < PS_AUDIENCE_RANKS; i++) {
        if (strcmp(ps_audience_names[ps_rank_classes[i]], name) == 0) {
            return (int) i;
        }
    }

    return -1;
}


void
ps_schema_roles_table(ps_schema_t *s)
{
    unsigned        c, i, n;
    unsigned char  *p;

    if (!s->audiences || s->nclasses == NGX_HTTP_PROFILE_CLASS_ROLES) {
        return;
    }

    ps_buf_reserve(&s->roles_bin, NGX_HTTP_PROFILE_ROLES_COUNT_SIZE);
    s->roles_bin.data[0] = (unsigned char) (s->nclasses
                                            - NGX_HTTP_PROFILE_CLASS_ROLES);
    s->roles_bin.len = NGX_HTTP_PROFILE_ROLES_COUNT_SIZE;

    for (c = NGX_HTTP_PROFILE_CLASS_ROLES; c < s->nclasses; c++) {
        n = ps_role_nfields(s, c);

        ps_buf_reserve(&s->roles_bin, NGX_HTTP_PROFILE_ROLE_HEAD_SIZE
                                      + n * NGX_HTTP_PROFILE_ROLE_FIELD_SIZE);
        p = ngx_http_profile_role_encode(s->roles_bin.data + s->roles_bin.len,
                                         (uint8_t) c, (uint16_t) n);

        for (i = 0; i < s->nfields; i++) {
            if (s->fields[i].roles & ((uint64_t) 1 << c)) {
                p = ngx_http_profile_put16(p, (uint16_t) i);
            }
        }

        s->roles_bin.len = p - s->roles_bin.data;
    }
}


/* the number of fields that role class cls also sees */

static unsigned
ps_role_nfields(ps_schema_t *s, unsigned cls)
{
    unsigned  i, n;

    n = 0;

    for (i = 0; i < s->nfields; i++) {
        n += (s->fields[i].roles >> cls) & 1;
    }

    return n;
}


/* a "roles" key at the top, or an "audience" in a field */

static int
ps_schema_uses_audiences(ps_schema_t *s)
{
    size_t   i;
    json_t  *fields, *f;

    if (json_object_get(s->json, "roles") != NULL
        || json_object_get(s->json, "privacy") != NULL)
    {
        return 1;
    }

    fields = json_object_get(s->json, "fields");

    if (!json_is_array(fields)) {
        return 0;
    }

    json_array_foreach(fields, i, f) {
        if (json_is_object(f)
            && (json_object_get(f, "audience") != NULL
                || json_object_get(f, "audience_range") != NULL))
        {
            return 1;
        }
    }

    return 0;
}


/* the class id of an audience or role name, or -1 */

static int
ps_audience_lookup(ps_schema_t *s, const char *name)
{
    unsigned  i;

    for (i = 0; i < s->nclasses; i++) {
        if (strcmp(s->classes[i], name) == 0) {
            return (int) i;
        }
    }

    return -1;
}
