
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_migrate.h"


static int ps_migrate_step(ps_schema_t *s, json_t *j, ps_step_t *st,
    const char *where);
static const char *ps_step_path(json_t *j, const char *key);
static int ps_migrate_version(ps_schema_t *s, json_t *obj,
    ps_report_t *rep, long long *version);
static int ps_migrate_apply(json_t *obj, ps_step_t *st);
static int ps_path_set(json_t *obj, const char *path, json_t *v);
static json_t *ps_path_take(json_t *obj, const char *path);
static void ps_path_prune(json_t *obj, const char *path);
static json_t *ps_path_parent(json_t *obj, const char *path, int create,
    const char **leaf);


int
ps_schema_migrations(ps_schema_t *s)
{
    char             where[64];
    size_t           i, j;
    json_t          *v, *m, *steps, *st;
    ps_migration_t  *mig;

    v = json_object_get(s->json, "version_field");

    if (v != NULL) {
        if (!json_is_string(v) || json_string_length(v) == 0) {
            ps_schema_err(s, "version_field: must be a member name");
            return -1;
        }

        s->version_field = json_string_value(v);
    }

    v = json_object_get(s->json, "default_version");
    s->default_version = s->version;

    if (v != NULL) {
        if (!json_is_integer(v) || json_integer_value(v) < 1
            || json_integer_value(v) > s->version)
        {
            ps_schema_err(s, "default_version: an integer from 1 to "
                          "\"version\"");
            return -1;
        }

        s->default_version = json_integer_value(v);
    }

    v = json_object_get(s->json, "detect");

    if (v != NULL) {
        if (!json_is_array(v)) {
            ps_schema_err(s, "detect: must be an array");
            return -1;
        }

        s->ndetect = (unsigned) json_array_size(v);
        s->detect = ps_schema_alloc(s, s->ndetect * sizeof(ps_detect_t)
                                       + 1);

        json_array_foreach(v, i, m) {
            if (!json_is_object(m) || json_object_size(m) != 2
                || !json_is_integer(json_object_get(m, "version"))
                || !json_is_string(json_object_get(m, "has")))
            {
                ps_schema_err(s, "detect[%zu]: must be {\"version\": N, "
                              "\"has\": \"member\"}", i);
                return -1;
            }

            s->detect[i].version =
                json_integer_value(json_object_get(m, "version"));
            s->detect[i].has = json_string_value(json_object_get(m, "has"));
        }
    }

    v = json_object_get(s->json, "migrations");

    if (v == NULL) {
        return 0;
    }

    if (!json_is_array(v)) {
        ps_schema_err(s, "migrations: must be an array");
        return -1;
    }

    s->nmigrations = (unsigned) json_array_size(v);
    s->migrations = ps_schema_alloc(s, s->nmigrations
                                       * sizeof(ps_migration_t) + 1);

    json_array_foreach(v, i, m) {
        mig = &s->migrations[i];

        if (!json_is_object(m)
            || !json_is_integer(json_object_get(m, "from"))
            || !json_is_integer(json_object_get(m, "to"))
            || !json_is_array(json_object_get(m, "steps")))
        {
            ps_schema_err(s, "migrations[%zu]: must have integer \"from\", "
                          "\"to\" and a \"steps\" array", i);
            return -1;
        }

        mig->from = json_integer_value(json_object_get(m, "from"));
        mig->to = json_integer_value(json_object_get(m, "to"));

        if (mig->from >= mig->to || mig->to > s->version || mig->from < 1) {
            ps_schema_err(s, "migrations[%zu]: needs 1 <= from < to <= "
                          "version", i);
            return -1;
        }

        for (j = 0; j < i; j++) {
            if (s->migrations[j].from == mig->from) {
                ps_schema_err(s, "migrations[%zu]: a second migration from "
                              "version %lld", i, mig->from);
                return -1;
            }
        }

        steps = json_object_get(m, "steps");
        mig->nsteps = (unsigned) json_array_size(steps);
        mig->steps = ps_schema_alloc(s, mig->nsteps * sizeof(ps_step_t) + 1);

        json_array_foreach(steps, j, st) {
            snprintf(where, sizeof(where), "migrations[%zu].steps[%zu]", i,
                     j);

            if (!json_is_object(st)) {
                ps_schema_err(s, "%s: must be an object", where);
                return -1;
            }

            if (ps_migrate_step(s, st, &mig->steps[j], where) != 0)
            {
                return -1;
            }
        }
    }

    return 0;
}


int
ps_migrate(ps_schema_t *s, json_t *obj, ps_report_t *rep)
{
    unsigned         i, k;
    long long        v;
    ps_migration_t  *mig;

    if (ps_migrate_version(s, obj, rep, &v) != 0) {
        return -1;
    }

    while (v < s->version) {
        mig = NULL;

        for (i = 0; i < s->nmigrations; i++) {
            if (s->migrations[i].from == v) {
                mig = &s->migrations[i];
                break;
            }
        }

        if (mig == NULL) {
            ps_report_reason(rep, PS_R_MIGRATION_FAILED, NULL,
                             "no migration from version %lld", v);
            return -1;
        }

        for (k = 0; k < mig->nsteps; k++) {
            if (ps_migrate_apply(obj, &mig->steps[k]) != 0) {
                ps_report_reason(rep, PS_R_MIGRATION_FAILED, NULL,
                                 "migration %lld->%lld, step %u: a path "
                                 "crosses a member that is not an object",
                                 mig->from, mig->to, k);
                return -1;
            }
        }

        ps_report_reason(rep, PS_R_MIGRATED, NULL,
                         "migrated from version %lld to %lld", mig->from,
                         mig->to);
        v = mig->to;
    }

    if (s->version_field != NULL) {
        json_object_set_new(obj, s->version_field,
                            json_integer(s->version));
    }

    return 0;
}


json_t *
ps_path_get(json_t *obj, const char *path)
{
    json_t      *parent;
    const char  *leaf;

    parent = ps_path_parent(obj, path, 0, &leaf);

    return parent ? json_object_get(parent, leaf) : NULL;
}


static int
ps_migrate_step(ps_schema_t *s, json_t *j, ps_step_t *st, const char *where)
{
    size_t       i;
    json_t      *e, *sep;
    const char  *op, *key;

    static const char  *ops[] = { "move", "copy", "delete", "set", "map",
                                  "split", "merge", "rename", NULL };

    op = json_string_value(json_object_get(j, "op"));

    for (i = 0; op != NULL && ops[i] != NULL; i++) {
        if (strcmp(op, ops[i]) == 0) {
            break;
        }
    }

    if (op == NULL || ops[i] == NULL) {
        ps_schema_err(s, "%s.op: must be move, rename, copy, delete, set, "
                      "map, split or merge", where);
        return -1;
    }

    st->op = (i == 7) ? PS_STEP_MOVE : (ps_step_op_e) i;

    json_object_foreach(j, key, e) {
        if (strcmp(key, "op") != 0 && strcmp(key, "from") != 0
            && strcmp(key, "to") != 0 && strcmp(key, "field") != 0
            && strcmp(key, "value") != 0 && strcmp(key, "values") != 0
            && strcmp(key, "separator") != 0
            && strcmp(key, "description") != 0)
        {
            ps_schema_err(s, "%s.%s: unknown key", where, key);
            return -1;
        }
    }

    sep = json_object_get(j, "separator");
    st->separator = sep ? json_string_value(sep) : " ";

    if (st->separator == NULL || st->separator[0] == '\0') {
        ps_schema_err(s, "%s.separator: must be a non-empty string", where);
        return -1;
    }

    switch (st->op) {

    case PS_STEP_MOVE:
    case PS_STEP_COPY:
        st->from = ps_step_path(j, "from");
        st->to = ps_step_path(j, "to");

        if (st->from == NULL || st->to == NULL) {
            ps_schema_err(s, "%s: %s needs \"from\" and \"to\" paths", where,
                          op);
            return -1;
        }

        return 0;

    case PS_STEP_DELETE:
    case PS_STEP_SET:
    case PS_STEP_MAP:
        st->to = ps_step_path(j, "field");

        if (st->to == NULL) {
            ps_schema_err(s, "%s: %s needs a \"field\" path", where, op);
            return -1;
        }

        st->from = st->to;
        st->value = json_object_get(j, st->op == PS_STEP_MAP ? "values"
                                                             : "value");

        if ((st->op == PS_STEP_SET && st->value == NULL)
            || (st->op == PS_STEP_MAP && !json_is_object(st->value)))
        {
            ps_schema_err(s, "%s: %s needs %s", where, op,
                          st->op == PS_STEP_SET ? "a \"value\""
                                                : "a \"values\" object");
            return -1;
        }

        return 0;

    case PS_STEP_SPLIT:
    case PS_STEP_MERGE:
        if (st->op == PS_STEP_SPLIT) {
            st->from = ps_step_path(j, "from");
            st->list = json_object_get(j, "to");

        } else {
            st->to = ps_step_path(j, "to");
            st->list = json_object_get(j, "from");
        }

        if ((st->op == PS_STEP_SPLIT ? st->from : st->to) == NULL
            || !json_is_array(st->list) || json_array_size(st->list) < 2)
        {
            ps_schema_err(s, "%s: %s needs a path and a list of at least "
                          "two paths", where, op);
            return -1;
        }

        json_array_foreach(st->list, i, e) {
            if (!json_is_string(e) || json_string_length(e) == 0) {
                ps_schema_err(s, "%s: the list must hold paths", where);
                return -1;
            }
        }

        return 0;
    }

    return -1;
}


static const char *
ps_step_path(json_t *j, const char *key)
{
    json_t  *v;

    v = json_object_get(j, key);

    if (!json_is_string(v) || json_string_length(v) == 0) {
        return NULL;
    }

    return json_string_value(v);
}


/* the record's version: version_field, detect rules, default_version */

static int
ps_migrate_version(ps_schema_t *s, json_t *obj, ps_report_t *rep,
    long long *version)
{
    char        *end;
    json_t      *v;
    unsigned     i;
    long long    n;

    v = s->version_field ? json_object_get(obj, s->version_field) : NULL;

    if (v != NULL && !json_is_null(v)) {
        if (json_is_integer(v)) {
            n = json_integer_value(v);

        } else if (json_is_string(v) && json_string_length(v) > 0) {
            n = strtoll(json_string_value(v), &end, 10);

            if (*end != '\0') {
                n = -1;
            }

        } else {
            n = -1;
        }

        if (n < 1 || n > s->version) {
            ps_report_reason(rep, PS_R_UNKNOWN_VERSION, s->version_field,
                             "version %s is not one this schema knows "
                             "(1..%lld)",
                             n < 1 ? "value" : "number", s->version);
            return -1;
        }

        *version = n;
        return 0;
    }

    for (i = 0; i < s->ndetect; i++) {
        if (json_object_get(obj, s->detect[i].has) != NULL) {
            *version = s->detect[i].version;
            return 0;
        }
    }

    *version = s->default_version;

    return 0;
}


static int
ps_migrate_apply(json_t *obj, ps_step_t *st)
{
    size_t       i, n, len;
    json_t      *v, *e, *parts;
    ps_buf_t     b;
    const char  *str, *p, *q, *key;

    switch (st->op) {

    case PS_STEP_MOVE:
    case PS_STEP_COPY:
        if (ps_path_get(obj, st->from) == NULL) {
            return 0;
        }

        /* an existing destination wins over legacy data */
        if (ps_path_get(obj, st->to) != NULL) {
            if (st->op == PS_STEP_MOVE) {
                v = ps_path_take(obj, st->from);
                json_decref(v);
            }
            return 0;
        }

        if (st->op == PS_STEP_MOVE) {
            v = ps_path_take(obj, st->from);
            ps_path_prune(obj, st->from);

        } else {
            v = json_deep_copy(ps_path_get(obj, st->from));
        }

        return ps_path_set(obj, st->to, v);

    case PS_STEP_DELETE:
        v = ps_path_take(obj, st->to);
        if (v != NULL) {
            json_decref(v);
        }
        return 0;

    case PS_STEP_SET:
        return ps_path_set(obj, st->to, json_deep_copy(st->value));

    case PS_STEP_MAP:
        v = ps_path_get(obj, st->to);

        if (!json_is_string(v)) {
            return 0;
        }

        json_object_foreach(st->value, key, e) {
            if (strcmp(key, json_string_value(v)) == 0) {
                return ps_path_set(obj, st->to, json_deep_copy(e));
            }
        }

        return 0;

    case PS_STEP_SPLIT:
        v = ps_path_get(obj, st->from);

        if (!json_is_string(v)) {
            return 0;
        }

        v = ps_path_take(obj, st->from);
        str = json_string_value(v);
        len = strlen(st->separator);
        n = json_array_size(st->list);
        p = str;

        for (i = 0; i < n; i++) {
            q = (i + 1 < n) ? strstr(p, st->separator) : NULL;

            if (q == NULL) {
                q = p + strlen(p);
            }

            if (ps_path_set(obj, json_string_value(json_array_get(st->list,
                                                                  i)),
                            json_stringn(p, q - p)) != 0)
            {
                json_decref(v);
                return -1;
            }

            if (*q == '\0') {
                break;
            }

            p = q + len;
        }

        json_decref(v);
        return 0;

    case PS_STEP_MERGE:
        memset(&b, 0, sizeof(ps_buf_t));
        parts = st->list;
        n = 0;

        json_array_foreach(parts, i, e) {
            v = ps_path_get(obj, json_string_value(e));

            if (json_is_string(v) && json_string_length(v) > 0) {
                if (n++) {
                    ps_buf_adds(&b, st->separator);
                }
                ps_buf_add(&b, json_string_value(v), json_string_length(v));
            }
        }

        if (n == 0 || ps_path_get(obj, st->to) != NULL) {
            ps_buf_free(&b);
            return 0;
        }

        json_array_foreach(parts, i, e) {
            v = ps_path_take(obj, json_string_value(e));
            if (v != NULL) {
                json_decref(v);
            }
        }

        v = json_stringn((char *) b.data, b.len);
        ps_buf_free(&b);

        return ps_path_set(obj, st->to, v);
    }

    return 0;
}


/* set (steals v), creating intermediate objects; -1 if one is not */

static int
ps_path_set(json_t *obj, const char *path, json_t *v)
{
    json_t      *parent;
    const char  *leaf;

    if (v == NULL) {
        return -1;
    }

    parent = ps_path_parent(obj, path, 1, &leaf);

    if (parent == NULL) {
        json_decref(v);
        return -1;
    }

    json_object_set_new(parent, leaf, v);

    return 0;
}


/* remove and return (a reference to) the value at path, or NULL */

static json_t *
ps_path_take(json_t *obj, const char *path)
{
    json_t      *parent, *v;
    const char  *leaf;

    parent = ps_path_parent(obj, path, 0, &leaf);

    if (parent == NULL) {
        return NULL;
    }

    v = json_object_get(parent, leaf);

    if (v != NULL) {
        json_incref(v);
        json_object_del(parent, leaf);
    }

    return v;
}


/* after a move out of a nested object: remove it if it is now empty */

static void
ps_path_prune(json_t *obj, const char *path)
{
    char         parent[256];
    json_t      *v, *holder;
    const char  *dot, *leaf;

    dot = strrchr(path, '.');

    if (dot == NULL || (size_t) (dot - path) >= sizeof(parent)) {
        return;
    }

    memcpy(parent, path, dot - path);
    parent[dot - path] = '\0';

    v = ps_path_get(obj, parent);

    if (json_is_object(v) && json_object_size(v) == 0) {
        holder = ps_path_parent(obj, parent, 0, &leaf);

        if (holder != NULL) {
            json_object_del(holder, leaf);
        }
    }
}


/*
 * The object holding the last segment of a dotted path; *leaf points to
 * that segment (inside path).  With create, missing objects are added.
 */

static json_t *
ps_path_parent(json_t *obj, const char *path, int create, const char **leaf)
{
    char         seg[256];
    size_t       n;
    json_t      *next;
    const char  *dot;

    for ( ;; ) {
        dot = strchr(path, '.');

        if (dot == NULL) {
            *leaf = path;
            return json_is_object(obj) ? obj : NULL;
        }

        n = dot - path;

        if (n >= sizeof(seg)) {
            return NULL;
        }

        memcpy(seg, path, n);
        seg[n] = '\0';

        next = json_object_get(obj, seg);

        if (next == NULL) {
            if (!create) {
                return NULL;
            }

            next = json_object();
            json_object_set_new(obj, seg, next);
        }

        if (!json_is_object(next)) {
            return NULL;
        }

        obj = next;
        path = dot + 1;
    }
}
