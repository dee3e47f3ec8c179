
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * The relations source: one edge per line, {"from": A, "to": B,
 * "kind": "follows" | "friend" | "blocked"}.  Edges are small and many,
 * so a line is parsed with jansson into no more than its three members
 * and stored as one fact of its pair (ps_relstore.c); nothing per edge
 * touches LMDB until the pairs are written in key order.
 */


#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "ps.h"
#include "ps_id.h"
#include "ps_input.h"
#include "ps_relations.h"
#include "ngx_http_profile_format.h"


static int ps_relations_edge(ps_build_t *b, ps_input_t *in,
    unsigned char *line, size_t len);
static int ps_relations_fact(const char *kind, int swapped);
static int ps_relations_has(ps_build_t *b, const unsigned char *id,
    size_t len);


int
ps_relations_read(ps_build_t *b)
{
    int             rc;
    size_t          len;
    ps_input_t      in;
    unsigned char  *line;

    if (ps_input_open(&in, b->relations_path, b->max_line) != 0) {
        return -1;
    }

    for ( ;; ) {
        rc = ps_input_next(&in, &line, &len);

        if (rc <= 0) {
            break;
        }

        if (ps_relations_edge(b, &in, line, len) != 0) {
            rc = -1;
            break;
        }

        ps_progress_update(&b->progress, in.bytes);
    }

    b->progress.done += in.bytes;
    ps_input_close(&in);

    return rc;
}


int
ps_relations_finish(ps_build_t *b)
{
    int                   ha, hb;
    size_t                i;
    ps_rel_t             *r;
    const unsigned char  *k;

    ps_relstore_sort(&b->relations);

    for (i = 0; i < b->relations.n; i++) {
        r = &b->relations.rels[i];
        k = ps_relstore_key(&b->relations, r);

        ha = ps_relations_has(b, k + 1, k[0]);
        hb = ps_relations_has(b, k + 2 + k[0], k[1 + k[0]]);

        if (ha < 0 || hb < 0) {
            return -1;
        }

        if (ha && hb) {
            continue;
        }

        if (!ha && !hb) {
            r->facts = 0;
            ps_report_event(&b->report, PS_OUT_ORPHAN, PS_OUT_MAX,
                            PS_RELATIONS_SOURCE, b->relations_path, r->line,
                            (const char *) k + 1, k[0], PS_R_DANGLING,
                            "neither \"%.*s\" nor \"%.*s\" has a profile; "
                            "the pair's edges are dropped", (int) k[0],
                            k + 1, (int) k[1 + k[0]], k + 2 + k[0]);
            continue;
        }

        ps_report_event(&b->report, PS_OUT_ORPHAN, PS_OUT_MAX,
                        PS_RELATIONS_SOURCE, b->relations_path, r->line,
                        (const char *) (ha ? k + 2 + k[0] : k + 1),
                        ha ? k[1 + k[0]] : k[0], PS_R_DANGLING,
                        "no profile with this id; the pair's edges are "
                        "kept");
    }

    b->writer.relations = &b->relations;

    return 0;
}


/* one line: an edge stored as a fact of its pair, or a reported row */

static int
ps_relations_edge(ps_build_t *b, ps_input_t *in, unsigned char *line,
    size_t len)
{
    int            swapped, fact;
    char           from[NGX_HTTP_PROFILE_ID_MAX + 1];
    char           to[NGX_HTTP_PROFILE_ID_MAX + 1];
    size_t         flen, tlen, klen;
    json_t        *obj, *kind;
    json_error_t   err;
    ps_report_t   *rep;
    unsigned char  key[NGX_HTTP_PROFILE_PAIR_KEY_MAX];

    rep = &b->report;

    if (line != NULL && ps_input_blank(line, len)) {
        return 0;
    }

    ps_report_begin(rep, PS_RELATIONS_SOURCE, in->display, in->line, 1);

    if (line == NULL) {
        ps_report_reason(rep, PS_R_RECORD_TOO_LARGE, NULL,
                         "record of %zu bytes exceeds the limit of %zu",
                         len, b->max_line);
        ps_report_end(rep);
        return 0;
    }

    obj = json_loadb((const char *) line, len, JSON_REJECT_DUPLICATES, &err);

    if (obj == NULL) {
        ps_report_reason(rep, PS_R_INVALID_JSON, NULL,
                         "invalid JSON: %s at column %d", err.text,
                         err.column);
        ps_report_end(rep);
        return 0;
    }

    fact = -1;

    if (!json_is_object(obj)) {
        ps_report_reason(rep, PS_R_NOT_OBJECT, NULL,
                         "an edge must be a JSON object");

    } else if (ps_id_member(rep, obj, "from", from, &flen) == 0
               && ps_id_member(rep, obj, "to", to, &tlen) == 0)
    {
        kind = json_object_get(obj, "kind");
        ps_report_id(rep, from, flen);

        if (flen == tlen && memcmp(from, to, flen) == 0) {
            ps_report_reason(rep, PS_R_SELF_EDGE, NULL,
                             "an edge from \"%s\" to itself", from);

        } else {
            klen = ngx_http_profile_pair_key(key, from, flen, to, tlen,
                                             &swapped);

            fact = json_is_string(kind)
                   ? ps_relations_fact(json_string_value(kind), swapped)
                   : -1;

            if (!json_is_string(kind)) {
                ps_report_reason(rep, PS_R_UNKNOWN_KIND, NULL,
                                 "no \"kind\" string (expected "
                                 "\"follows\", \"friend\" or \"blocked\")");

            } else if (fact < 0) {
                ps_report_reason(rep, PS_R_UNKNOWN_KIND, NULL,
                                 "unknown kind \"%s\" (expected "
                                 "\"follows\", \"friend\" or \"blocked\")",
                                 json_string_value(kind));

            } else if (ps_relstore_add(&b->relations, key, klen,
                                       (unsigned) fact, in->line)
                       != 0)
            {
                fact = -2;
            }
        }
    }

    json_decref(obj);
    ps_report_end(rep);

    if (fact == -2) {
        ps_report_event(rep, PS_OUT_SUPERSEDED, PS_OUT_SUPERSEDED,
                        PS_RELATIONS_SOURCE, in->display, in->line, from,
                        flen, PS_R_DUPLICATE_EDGE,
                        "duplicate edge to \"%s\"; already given", to);
    }

    return 0;
}


/* the fact of an edge of kind from the pair's a (or b, if swapped) */

static int
ps_relations_fact(const char *kind, int swapped)
{
    if (strcmp(kind, "follows") == 0) {
        return swapped ? PS_REL_B_FOLLOWS_A : PS_REL_A_FOLLOWS_B;
    }

    if (strcmp(kind, "friend") == 0) {
        return swapped ? PS_REL_B_FRIENDS_A : PS_REL_A_FRIENDS_B;
    }

    if (strcmp(kind, "blocked") == 0) {
        return swapped ? PS_REL_B_BLOCKS_A : PS_REL_A_BLOCKS_B;
    }

    return -1;
}


/* 1 if a record was written for id, 0 if not, -1 on error */

static int
ps_relations_has(ps_build_t *b, const unsigned char *id, size_t len)
{
    return ps_writer_has(&b->writer, (const char *) id, len);
}
