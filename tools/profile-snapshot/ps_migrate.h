
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Schema versions: finding a record's version and bringing it to the
 * current shape with the schema's ordered migration steps
 * (docs/schema.md "Versions and migrations").
 */


#ifndef _PS_MIGRATE_H_INCLUDED_
#define _PS_MIGRATE_H_INCLUDED_


#include <jansson.h>

#include "ps_report.h"
#include "ps_schema.h"


/*
 * Migrate obj (a record, modified in place) to s->version.  Reports
 * "migrated" fixes, or a quarantining reason and returns -1.
 */
int ps_migrate(ps_schema_t *s, json_t *obj, ps_report_t *rep);

/* the value at a dotted path inside obj, or NULL */
json_t *ps_path_get(json_t *obj, const char *path);


#endif /* _PS_MIGRATE_H_INCLUDED_ */
