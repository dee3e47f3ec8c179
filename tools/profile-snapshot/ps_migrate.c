
/*
 * Copyright (C) ngx_http_profile_module authors
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_migrate.h"


static int ps_migrate_version(ps_schema_t *s, json_t *obj,
    ps_report_t *rep, long long *version);
static int ps_migrate_apply(json_t *obj, ps_step_t *st);
static int ps_path_set(json_t *obj, const char *path, json_t *v);
static json_t *ps_path_take(json_t *obj, const char *path);
static void ps_path_prune(json_t *obj, const char *path);
static json_t *ps_path_parent(json_t *obj, const char *path, int create,
    const char **leaf);


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
