
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The relations source of "build" (--source relations=FILE.ndjson,
 * docs/cli.md "Relations"): edges read, checked and reported, gathered
 * per pair of ids for the snapshot's "relations" database.
 */


#ifndef _PS_RELATIONS_H_INCLUDED_
#define _PS_RELATIONS_H_INCLUDED_


#include "ps_build.h"


/* the --source name of the relations source */
#define PS_RELATIONS_SOURCE  "relations"


/*
 * Read the edges of b->relations_path into b->relations, each line
 * reported as a row of source "relations": bad JSON, missing or invalid
 * ids, unknown kinds and self-edges are quarantined rows (the edge is
 * dropped), a duplicate edge is reported and changes nothing.  Call
 * after the profiles are read.  Returns 0, or -1 on an I/O error
 * (printed).
 */
int ps_relations_read(ps_build_t *b);

/*
 * Sort the pairs and check their ids against the records written: a
 * pair of which one id has no profile is kept (a block by an account
 * without a profile must still hide the profile it blocks) and reported
 * as an orphan row, reason dangling; a pair of which neither has one is
 * dropped (it can never be looked up) and reported the same way.  Then
 * hand the pairs to the writer.  Returns 0, or -1 (printed).
 */
int ps_relations_finish(ps_build_t *b);


#endif /* _PS_RELATIONS_H_INCLUDED_ */
