
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Finding a field (by its name or an alias) and a source (by its name)
 * in a loaded schema: the name table is open addressing over XXH64 of
 * the name, filled by ps_schema.c.
 */


#include <string.h>

#include "ps_schema.h"


ps_field_t *
ps_schema_lookup(ps_schema_t *s, const char *name, size_t len,
    unsigned *alias)
{
    const ps_name_slot_t  *hint;

    hint = NULL;

    return ps_schema_lookup_hint(s, name, len, alias, &hint);
}


ps_field_t *
ps_schema_lookup_hint(ps_schema_t *s, const char *name, size_t len,
    unsigned *alias, const ps_name_slot_t **hint)
{
    size_t                 i;
    const ps_name_slot_t  *slot;

    slot = *hint;

    if (slot == NULL || slot->len != len
        || memcmp(slot->name, name, len) != 0)
    {
        i = ps_name_hash(name, len) & s->names_mask;

        for ( ;; ) {
            slot = &s->names[i];

            if (slot->name == NULL) {
                return NULL;
            }

            if (slot->len == len && memcmp(slot->name, name, len) == 0) {
                break;
            }

            i = (i + 1) & s->names_mask;
        }

        *hint = slot;
    }

    *alias = slot->alias;

    return &s->fields[slot->field];
}


int
ps_schema_source(ps_schema_t *s, const char *name)
{
    unsigned  i;

    for (i = 0; i < s->nsources; i++) {
        if (strcmp(s->sources[i].name, name) == 0) {
            return (int) i;
        }
    }

    return -1;
}


uint64_t
ps_name_hash(const char *name, size_t len)
{
    return ngx_http_profile_hash64(name, len, 0);
}
