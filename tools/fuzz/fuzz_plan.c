
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Fuzz target "plan": a view's writer, ngx_http_profile_plan_render(),
 * over any record whose header is valid (its entries and trailer are
 * read as the module reads them: checked as they are used), and the
 * "fields=" reader, ngx_http_profile_plan_select(), over any list.  The
 * plan is a fixed one made here as the module's resolution would make
 * it (nesting, a member, an integer quoted, an epoch timestamp, an
 * embed through a second plan).
 *
 * Input:
 *   u8   flags       bit 0: omit_empty; bit 1: hidden fields as null;
 *                    bit 2: an envelope; bits 3-7: the class mask
 *   u8   max         the field list's cap (0 means 1)
 *   u16  list_len    then list_len bytes of a field list
 *   u16  rec_len     then rec_len bytes of the profile record
 *   ...              the rest: the embedded record (none if empty)
 *
 * Invariants: the writer stays inside a buffer of exactly the size
 * plan_size() and the embed's plan_size() say (ASan); a record it
 * accepts gives head + "{" ... "}" + tail; it writes the same bytes with
 * and without a field set of every key; the reader's answer is one of
 * its results, a set holds only keys of the plan, an unknown name lies
 * inside the list and passes the name grammar.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "ngx_http_profile_plan.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


#define FZ_NFIELDS   4
#define FZ_NCLASSES  8

/* a: field 0; b: { c: field 1, d: member 0 of field 2 }; e: field 3
 * quoted; f: field 1 as epoch seconds; t: an embed keyed by field 0 */
static const ngx_http_profile_plan_op_t  fz_ops[] = {
    { (const unsigned char *) "\"a\":", 4, NGX_HTTP_PROFILE_OP_VALUE,
      NGX_HTTP_PROFILE_VALUE_COPY, 0, 2, NGX_HTTP_PROFILE_NO_MEMBER, 0 },
    { (const unsigned char *) "\"b\":", 4, NGX_HTTP_PROFILE_OP_OPEN,
      0, 0, 0, 0, 1 },
    { (const unsigned char *) "\"c\":", 4, NGX_HTTP_PROFILE_OP_VALUE,
      NGX_HTTP_PROFILE_VALUE_COPY, 1, 2, NGX_HTTP_PROFILE_NO_MEMBER, 1 },
    { (const unsigned char *) "\"d\":", 4, NGX_HTTP_PROFILE_OP_VALUE,
      NGX_HTTP_PROFILE_VALUE_QUOTE, 2, 2, 0, 1 },
    { NULL, 0, NGX_HTTP_PROFILE_OP_CLOSE, 0, 0, 0, 0, 1 },
    { (const unsigned char *) "\"e\":", 4, NGX_HTTP_PROFILE_OP_VALUE,
      NGX_HTTP_PROFILE_VALUE_QUOTE, 3, 2, NGX_HTTP_PROFILE_NO_MEMBER, 2 },
    { (const unsigned char *) "\"f\":", 4, NGX_HTTP_PROFILE_OP_VALUE,
      NGX_HTTP_PROFILE_VALUE_EPOCH, 1, 2, NGX_HTTP_PROFILE_NO_MEMBER, 3 },
    { (const unsigned char *) "\"t\":", 4, NGX_HTTP_PROFILE_OP_EMBED,
      0, 0, 2, 0, 4 }
};

static const ngx_http_profile_plan_key_t  fz_keys[] = {
    { (const unsigned char *) "a", 1, 0 },
    { (const unsigned char *) "b", 1, 1 },
    { (const unsigned char *) "e", 1, 2 },
    { (const unsigned char *) "f", 1, 3 },
    { (const unsigned char *) "t", 1, 4 }
};

/* the embedded records' view: two fields, one renamed */
static const ngx_http_profile_plan_op_t  fz_sub_ops[] = {
    { (const unsigned char *) "\"x\":", 4, NGX_HTTP_PROFILE_OP_VALUE,
      NGX_HTTP_PROFILE_VALUE_COPY, 0, 2, NGX_HTTP_PROFILE_NO_MEMBER, 0 },
    { (const unsigned char *) "\"y\":", 4, NGX_HTTP_PROFILE_OP_VALUE,
      NGX_HTTP_PROFILE_VALUE_COPY, 1, 2, NGX_HTTP_PROFILE_NO_MEMBER, 1 }
};

static const ngx_http_profile_plan_key_t  fz_sub_keys[] = {
    { (const unsigned char *) "x", 1, 0 },
    { (const unsigned char *) "y", 1, 1 }
};

static const uint8_t  fz_default_cls[FZ_NFIELDS] = { 0, 1, 2, 3 };

/* totals, printed at exit when FUZZ_STATS is set (t/fuzz-smoke.t) */
static unsigned long  fz_written;
static unsigned long  fz_embedded;
static unsigned long  fz_selected;
static unsigned long  fz_stats_on;


static void
fz_plan_stats(void)
{
    fprintf(stderr, "fz_plan: %lu written, %lu with an embedded record, "
            "%lu field sets\n", fz_written, fz_embedded, fz_selected);
}


static int
fz_name_ok(const unsigned char *p, size_t n)
{
    size_t  i;

    if (n == 0 || n > 64) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')
              || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'
              || p[i] == '-'))
        {
            return 0;
        }
    }

    return 1;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                             rc, rc2;
    size_t                          list_len, rec_len, room, len, len2, nlen;
    unsigned                        flags, max, partial, k;
    unsigned char                  *list, *recp, *subp, *out, *out2;
    const unsigned char            *name;
    ngx_http_profile_plan_t         plan, sub;
    ngx_http_profile_plan_embed_t   embed;
    ngx_http_profile_plan_found_t   found;
    ngx_http_profile_filter_t       filter;
    ngx_http_profile_record_t       rec;
    ngx_http_profile_select_t       sel, all;
    ngx_http_profile_select_e       s;
    static const unsigned char      nulls[] = "x";

    if (!fz_stats_on && getenv("FUZZ_STATS") != NULL) {
        fz_stats_on = 1;
        atexit(fz_plan_stats);
    }

    if (size < 6) {
        return 0;
    }

    flags = data[0];
    max = data[1] ? data[1] : 1;
    list_len = ((size_t) data[2] << 8) | data[3];
    data += 4;
    size -= 4;

    if (list_len > size - 2) {
        return 0;
    }

    /* the field list reader */

    list = fz_dup(data, list_len);
    data += list_len;
    size -= list_len;

    memset(&plan, 0, sizeof(ngx_http_profile_plan_t));
    plan.ops = fz_ops;
    plan.nops = sizeof(fz_ops) / sizeof(fz_ops[0]);
    plan.keys = fz_keys;
    plan.nkeys = sizeof(fz_keys) / sizeof(fz_keys[0]);
    plan.head = (const unsigned char *) ((flags & 4) ? "{\"data\":" : "");
    plan.head_len = (flags & 4) ? 8 : 0;
    plan.tail = (const unsigned char *) ((flags & 4) ? ",\"m\":1}" : "");
    plan.tail_len = (flags & 4) ? 7 : 0;
    plan.fixed = 2;
    plan.reads = 2;
    plan.omit_empty = flags & 1;
    plan.trailer = 1;
    plan.embeds = &embed;
    plan.nembeds = 1;

    for (k = 0; k < plan.nops; k++) {
        plan.fixed += 1 + fz_ops[k].key_len + 4 + 2;
    }

    memset(&sub, 0, sizeof(ngx_http_profile_plan_t));
    sub.ops = fz_sub_ops;
    sub.nops = 2;
    sub.keys = fz_sub_keys;
    sub.nkeys = 2;
    sub.head = (const unsigned char *) "";
    sub.tail = (const unsigned char *) "";
    sub.fixed = 2 + 2 * (1 + 4 + 4 + 2);
    sub.reads = 1;
    sub.omit_empty = flags & 1;

    embed.plan = &sub;
    embed.field_id = 0;
    embed.name_len = 2;
    embed.default_cls = fz_default_cls;
    embed.source = 0;
    embed.nfields = 2;
    embed.nclasses = FZ_NCLASSES;
    embed.missing_null = (flags >> 3) & 1;

    name = NULL;
    nlen = 0;

    s = ngx_http_profile_plan_select(&plan, list, list_len, max, &sel, &name,
                                     &nlen);

    fz_assert(s <= NGX_HTTP_PROFILE_SELECT_TOO_MANY, "a known result");

    if (s == NGX_HTTP_PROFILE_SELECT_SET) {
        fz_selected++;

        for (k = plan.nkeys; k < NGX_HTTP_PROFILE_PLAN_KEYS; k++) {
            fz_assert(!ngx_http_profile_select_has(&sel, k),
                      "a set holds keys of the plan only");
        }
    }

    if (s == NGX_HTTP_PROFILE_SELECT_UNKNOWN) {
        fz_assert(name >= list && name + nlen <= list + list_len,
                  "an unknown name lies inside the list");
        fz_assert(fz_name_ok(name, nlen), "an unknown name is a name");
        fz_assert(ngx_http_profile_plan_key(&plan, name, nlen) < 0,
                  "an unknown name is no key");
    }

    /* the writer */

    rec_len = ((size_t) data[0] << 8) | data[1];
    data += 2;
    size -= 2;

    if (rec_len > size) {
        free(list);
        return 0;
    }

    recp = fz_dup(data, rec_len);
    subp = fz_dup(data + rec_len, size - rec_len);

    if (ngx_http_profile_record_header(&rec, recp, rec_len)
        != NGX_HTTP_PROFILE_FMT_OK)
    {
        goto done;
    }

    memset(&found, 0, sizeof(found));

    found.rc = (size - rec_len == 0)
               ? -1
               : ngx_http_profile_record_header(&found.rec, subp,
                                                size - rec_len);
    if (found.rc != NGX_HTTP_PROFILE_FMT_OK && found.rc != -1) {
        found.rc = NGX_HTTP_PROFILE_FMT_MISSING;
    }

    memset(&filter, 0, sizeof(filter));
    filter.mask = flags >> 3;
    filter.nulls = (flags & 2) ? nulls : NULL;
    filter.default_cls = fz_default_cls;
    filter.never_cls = FZ_NCLASSES - 1;

    room = ngx_http_profile_plan_size(&plan, &rec)
           + (found.rc == NGX_HTTP_PROFILE_FMT_OK
              ? ngx_http_profile_plan_size(&sub, &found.rec) : 0);

    out = malloc(room ? room : 1);
    out2 = malloc(room ? room : 1);
    fz_assert(out != NULL && out2 != NULL, "memory");

    partial = 0;

    rc = ngx_http_profile_plan_render(out, room, &plan, &rec, FZ_NFIELDS,
                                      FZ_NCLASSES, &filter, NULL, &found,
                                      &partial, &len);

    if (rc == NGX_HTTP_PROFILE_FMT_OK) {
        fz_written++;
        fz_embedded += (found.rc == NGX_HTTP_PROFILE_FMT_OK
                        && memmem(out, len, "\"t\":{", 5) != NULL);
        fz_assert(len <= room, "inside the room");
        fz_assert(len >= plan.head_len + 2 + plan.tail_len, "an object");
        fz_assert(memcmp(out, plan.head, plan.head_len) == 0
                  && out[plan.head_len] == '{', "head and {");
        fz_assert(out[len - plan.tail_len - 1] == '}'
                  && memcmp(out + len - plan.tail_len, plan.tail,
                            plan.tail_len) == 0, "} and tail");
        fz_assert(!partial || found.rc == NGX_HTTP_PROFILE_FMT_MISSING,
                  "partial only for a missing record");

        /* a set of every key writes the same bytes */

        memset(&all, 0, sizeof(all));

        for (k = 0; k < plan.nkeys; k++) {
            ngx_http_profile_select_add(&all, k);
        }

        rc2 = ngx_http_profile_plan_render(out2, room, &plan, &rec,
                                           FZ_NFIELDS, FZ_NCLASSES, &filter,
                                           &all, &found, &partial, &len2);
        fz_assert(rc2 == rc && len2 == len && memcmp(out, out2, len) == 0,
                  "every key selected is no selection");
    }

    if (s == NGX_HTTP_PROFILE_SELECT_SET) {
        (void) ngx_http_profile_plan_render(out2, room, &plan, &rec,
                                            FZ_NFIELDS, FZ_NCLASSES, &filter,
                                            &sel, &found, &partial, &len2);
    }

    free(out);
    free(out2);

done:

    free(list);
    free(recp);
    free(subp);

    return 0;
}
