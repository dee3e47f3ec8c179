
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Reading the schema's "migrations" and "detect" (docs/schema.md
 * "Versions and migrations") into the steps ps_migrate.c applies.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps.h"
#include "ps_schema.h"
#include "ps_schema_migrations.h"


static int ps_migrate_step(ps_schema_t *s, json_t *j, ps_step_t *st,
    const char *where);
static const char *ps_step_path(json_t *j, const char *key);


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
