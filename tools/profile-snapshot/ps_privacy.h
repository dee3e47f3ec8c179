
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * A profile's own privacy settings applied to its fields' audiences,
 * within the ranges of the schema (docs/schema.md "Privacy settings").
 */


#ifndef _PS_PRIVACY_H_INCLUDED_
#define _PS_PRIVACY_H_INCLUDED_


#include <jansson.h>

#include "ps_report.h"
#include "ps_schema.h"


/*
 * The audience of every field with an "audience_range" for the record
 * being reported in rep, into cls[field id] (a class id): the schema's
 * default, or the setting of map (the record's "privacy.map" member,
 * borrowed, or NULL) or list (its "privacy.list" member, or NULL),
 * clamped into the field's range.  Other entries of cls are left as
 * they are.  Clamps, unknown setting values, settings of the wrong shape
 * and settings of unknown fields are reported as fixes; a setting that
 * cannot be read leaves its fields at their narrowest audience.
 */
void ps_privacy_apply(ps_report_t *rep, ps_schema_t *s, json_t *map,
    json_t *list, unsigned char *cls);


#endif /* _PS_PRIVACY_H_INCLUDED_ */
