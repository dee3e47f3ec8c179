
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


static int ps_schema_uses_audiences(ps_schema_t *s);
static int ps_audience_class(ps_schema_t *s, const char *name);
static unsigned ps_role_nfields(ps_schema_t *s, unsigned cls);


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

        cls = json_is_string(a) ? ps_audience_class(s, json_string_value(a))
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
        cls = json_is_string(m) ? ps_audience_class(s, json_string_value(m))
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

    if (json_object_get(s->json, "roles") != NULL) {
        return 1;
    }

    fields = json_object_get(s->json, "fields");

    if (!json_is_array(fields)) {
        return 0;
    }

    json_array_foreach(fields, i, f) {
        if (json_is_object(f) && json_object_get(f, "audience") != NULL) {
            return 1;
        }
    }

    return 0;
}


/* the class id of an audience or role name, or -1 */

static int
ps_audience_class(ps_schema_t *s, const char *name)
{
    unsigned  i;

    for (i = 0; i < s->nclasses; i++) {
        if (strcmp(s->classes[i], name) == 0) {
            return (int) i;
        }
    }

    return -1;
}
