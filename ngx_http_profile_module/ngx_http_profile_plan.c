
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Writing a record along a view's plan (see ngx_http_profile_plan.h).
 * Each step is a field found by its id among the record's entries
 * (ascending, so a binary search), decided by the same filter as the
 * plain object, and copied: a stored fragment is "name":value, so the
 * value is the fragment after its name's length plus 3 bytes, with no
 * parsing.  Nested output objects are opened only once a member of
 * theirs is written.  Plain C: compiled into the module and into the
 * fuzz targets.
 */


#include <string.h>

#include "ngx_http_profile_plan.h"


typedef struct {
    unsigned char                     *p;
    unsigned char                     *end;
    unsigned                           depth;
    const ngx_http_profile_plan_op_t  *open[NGX_HTTP_PROFILE_PLAN_DEPTH + 1];
    unsigned char                      opened[NGX_HTTP_PROFILE_PLAN_DEPTH + 1];
    unsigned char                      written[NGX_HTTP_PROFILE_PLAN_DEPTH
                                               + 1];
} ngx_http_profile_plan_out_t;


static inline unsigned char *ngx_http_profile_plan_copy(unsigned char *d,
    const unsigned char *s, size_t n);
static int ngx_http_profile_plan_ensure(ngx_http_profile_plan_out_t *o,
    unsigned depth);
static inline int ngx_http_profile_plan_member(
    ngx_http_profile_plan_out_t *o,
    const ngx_http_profile_plan_op_t *op, const unsigned char *v,
    size_t n, unsigned quote);
static int ngx_http_profile_plan_close(ngx_http_profile_plan_out_t *o,
    unsigned omit_empty);
static unsigned ngx_http_profile_plan_empty(const unsigned char *v, size_t n);
static int ngx_http_profile_plan_embed(ngx_http_profile_plan_out_t *o,
    const ngx_http_profile_plan_t *plan, const ngx_http_profile_plan_op_t *op,
    const ngx_http_profile_plan_found_t *found,
    const ngx_http_profile_filter_t *filter, unsigned *partial);


int
ngx_http_profile_plan_embed_key(const ngx_http_profile_plan_t *plan,
    unsigned e, const ngx_http_profile_record_t *rec, unsigned nfields,
    unsigned nclasses, const ngx_http_profile_filter_t *filter,
    const unsigned char **key, size_t *len)
{
    int                                   rc;
    size_t                                skip;
    ngx_http_profile_entry_t              en;
    const ngx_http_profile_plan_embed_t  *em;

    if (e >= plan->nembeds) {
        return -1;
    }

    em = &plan->embeds[e];

    rc = ngx_http_profile_record_find(rec, em->field_id, &en);

    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        return -1;
    }

    rc = ngx_http_profile_entry_check(&en, rec->body_len, nfields, nclasses);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        return rc;
    }

    if (!ngx_http_profile_filter_shows(filter, en.cls, em->field_id)) {
        return -1;
    }

    skip = (size_t) em->name_len + 3;       /* "name": */

    if (en.len < skip) {
        return en.len ? NGX_HTTP_PROFILE_FMT_BOUNDS : -1;
    }

    *key = rec->body + en.off + skip;
    *len = en.len - skip;

    if (en.type == NGX_HTTP_PROFILE_TYPE_STRING && *len >= 2) {
        (*key)++;
        *len -= 2;
        return NGX_HTTP_PROFILE_FMT_OK;
    }

    if (en.type == NGX_HTTP_PROFILE_TYPE_INTEGER) {
        return NGX_HTTP_PROFILE_FMT_OK;
    }

    return -1;
}


size_t
ngx_http_profile_plan_size(const ngx_http_profile_plan_t *plan,
    const ngx_http_profile_record_t *rec)
{
    return plan->head_len + plan->tail_len + plan->fixed
           + (size_t) plan->reads * (rec->body_len + rec->trailer_len);
}


int
ngx_http_profile_plan_key(const ngx_http_profile_plan_t *plan,
    const unsigned char *name, size_t len)
{
    int                                 c;
    size_t                              n;
    unsigned                            lo, hi, mid;
    const ngx_http_profile_plan_key_t  *k;

    lo = 0;
    hi = plan->nkeys;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        k = &plan->keys[mid];

        n = (k->len < len) ? k->len : len;
        c = memcmp(k->name, name, n);

        if (c == 0) {
            c = (k->len < len) ? -1 : (k->len > len);
        }

        if (c == 0) {
            return k->top;
        }

        if (c < 0) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return -1;
}


ngx_http_profile_select_e
ngx_http_profile_plan_select(const ngx_http_profile_plan_t *plan,
    const unsigned char *text, size_t len, unsigned max,
    ngx_http_profile_select_t *sel, const unsigned char **name,
    size_t *name_len)
{
    int                   k;
    size_t                n, i;
    unsigned              count;
    unsigned char         c;
    const unsigned char  *p, *end, *q;

    memset(sel, 0, sizeof(ngx_http_profile_select_t));

    count = 0;
    p = text;
    end = text + len;

    while (p < end) {
        q = memchr(p, ',', (size_t) (end - p));
        if (q == NULL) {
            q = end;
        }

        n = (size_t) (q - p);

        if (n == 1 && p[0] == '*') {
            return NGX_HTTP_PROFILE_SELECT_ALL;
        }

        if (n > 64) {
            return NGX_HTTP_PROFILE_SELECT_BAD;
        }

        if (n) {
            k = ngx_http_profile_plan_key(plan, p, n);

            if (k < 0) {

                /* a key is a name: only a miss needs the grammar */

                for (i = 0; i < n; i++) {
                    c = p[i];

                    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                          || (c >= '0' && c <= '9') || c == '_' || c == '-'))
                    {
                        return NGX_HTTP_PROFILE_SELECT_BAD;
                    }
                }

                *name = p;
                *name_len = n;
                return NGX_HTTP_PROFILE_SELECT_UNKNOWN;
            }

            if (!ngx_http_profile_select_has(sel, k)) {
                if (++count > max) {
                    return NGX_HTTP_PROFILE_SELECT_TOO_MANY;
                }

                ngx_http_profile_select_add(sel, k);
            }
        }

        p = q + 1;
    }

    return count ? NGX_HTTP_PROFILE_SELECT_SET : NGX_HTTP_PROFILE_SELECT_ALL;
}


int
ngx_http_profile_plan_render(unsigned char *out, size_t room,
    const ngx_http_profile_plan_t *plan,
    const ngx_http_profile_record_t *rec, unsigned nfields,
    unsigned nclasses, const ngx_http_profile_filter_t *filter,
    const ngx_http_profile_select_t *sel,
    const ngx_http_profile_plan_found_t *found, unsigned *partial,
    size_t *len)
{
    int                                rc;
    size_t                             n, skip;
    uint32_t                           vlen;
    unsigned                           i, cls, quote;
    const unsigned char               *v;
    ngx_http_profile_entry_t           e;
    ngx_http_profile_trailer_t         t;
    ngx_http_profile_plan_out_t        o;
    const ngx_http_profile_plan_op_t  *op;

    if (room < plan->head_len + plan->tail_len + 2) {
        return NGX_HTTP_PROFILE_FMT_OVERLAP;
    }

    /* members and epoch seconds: the trailer, checked once */

    memset(&t, 0, sizeof(ngx_http_profile_trailer_t));

    if (plan->trailer) {
        rc = ngx_http_profile_record_trailer(rec, &t);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }
    }

    o.p = out;
    o.end = out + room - plan->tail_len - 1;    /* the "}" and the tail */
    o.depth = 0;
    o.opened[0] = 1;
    o.written[0] = 0;

    o.p = ngx_http_profile_plan_copy(o.p, plan->head, plan->head_len);
    *o.p++ = '{';

    for (i = 0; i < plan->nops; i++) {
        op = &plan->ops[i];

        if (sel != NULL && !ngx_http_profile_select_has(sel, op->top)) {
            continue;
        }

        if (op->op == NGX_HTTP_PROFILE_OP_OPEN) {
            if (o.depth == NGX_HTTP_PROFILE_PLAN_DEPTH) {
                return NGX_HTTP_PROFILE_FMT_COUNT;
            }

            o.depth++;
            o.open[o.depth] = op;
            o.opened[o.depth] = 0;
            o.written[o.depth] = 0;
            continue;
        }

        if (op->op == NGX_HTTP_PROFILE_OP_CLOSE) {
            if (o.depth == 0) {
                return NGX_HTTP_PROFILE_FMT_COUNT;
            }

            rc = ngx_http_profile_plan_close(&o, plan->omit_empty);
            if (rc != NGX_HTTP_PROFILE_FMT_OK) {
                return rc;
            }

            continue;
        }

        /* a value: its entry, or the field is absent from the record */

        rc = ngx_http_profile_record_find(rec, op->field_id, &e);

        if (rc == NGX_HTTP_PROFILE_FMT_OK) {
            rc = ngx_http_profile_entry_check(&e, rec->body_len, nfields,
                                              nclasses);
            if (rc != NGX_HTTP_PROFILE_FMT_OK) {
                return rc;
            }

            if (e.len == 0) {
                continue;
            }

            cls = e.cls;

        } else if (op->field_id < nfields && filter->default_cls != NULL) {
            cls = filter->default_cls[op->field_id];
            e.off = 0;
            e.len = 0;
            e.type = NGX_HTTP_PROFILE_TYPE_NULL;

        } else {
            continue;
        }

        if (!ngx_http_profile_filter_shows(filter, cls, op->field_id)) {

            /* hidden: left out, or null as the rules say */

            if (filter->nulls == NULL || (int) cls == filter->never_cls
                || plan->omit_empty)
            {
                continue;
            }

            v = (const unsigned char *) "null";
            n = 4;
            quote = 0;

        } else if (op->op == NGX_HTTP_PROFILE_OP_EMBED) {
            rc = ngx_http_profile_plan_embed(&o, plan, op, found, filter,
                                             partial);
            if (rc != NGX_HTTP_PROFILE_FMT_OK) {
                return rc;
            }

            continue;

        } else if (rc == NGX_HTTP_PROFILE_FMT_MISSING) {
            /* the viewer could see it, but the profile has none */
            continue;

        } else if (op->member == NGX_HTTP_PROFILE_NO_MEMBER) {
            skip = (size_t) op->name_len + 3;       /* "name": */

            if (e.len < skip) {
                return NGX_HTTP_PROFILE_FMT_BOUNDS;
            }

            v = rec->body + e.off + skip;
            n = e.len - skip;

            /* a null field has no epoch alt: null it stays */

            if (op->value == NGX_HTTP_PROFILE_VALUE_EPOCH
                && e.type == NGX_HTTP_PROFILE_TYPE_TIMESTAMP
                && ngx_http_profile_trailer_alt(&t, NGX_HTTP_PROFILE_ALT_EPOCH,
                                                NGX_HTTP_PROFILE_ALT_OF_FIELD,
                                                op->field_id, &v, &vlen)
                   == NGX_HTTP_PROFILE_FMT_OK)
            {
                n = vlen;
            }

            quote = (op->value == NGX_HTTP_PROFILE_VALUE_QUOTE
                     && e.type == NGX_HTTP_PROFILE_TYPE_INTEGER);

        } else {

            /* a member of an object field: its value, if it has one */

            if (ngx_http_profile_trailer_member(&t, op->member, &v, &vlen)
                != NGX_HTTP_PROFILE_FMT_OK)
            {
                continue;
            }

            n = vlen;
            quote = 0;

            if (n != 4 || memcmp(v, "null", 4) != 0) {
                quote = (op->value == NGX_HTTP_PROFILE_VALUE_QUOTE);

                if (op->value == NGX_HTTP_PROFILE_VALUE_EPOCH
                    && ngx_http_profile_trailer_alt(&t,
                                                NGX_HTTP_PROFILE_ALT_EPOCH,
                                                NGX_HTTP_PROFILE_ALT_OF_MEMBER,
                                                op->member, &v, &vlen)
                       == NGX_HTTP_PROFILE_FMT_OK)
                {
                    n = vlen;
                }
            }
        }

        /* (a hidden field's null comes here only without omit_empty) */

        if (plan->omit_empty && ngx_http_profile_plan_empty(v, n)) {
            continue;
        }

        rc = ngx_http_profile_plan_member(&o, op, v, n, quote);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }
    }

    if (o.depth != 0) {
        return NGX_HTTP_PROFILE_FMT_COUNT;
    }

    /* o.end kept room for these */

    *o.p++ = '}';
    o.p = ngx_http_profile_plan_copy(o.p, plan->tail, plan->tail_len);

    *len = (size_t) (o.p - out);

    return NGX_HTTP_PROFILE_FMT_OK;
}


/*
 * Copy n bytes from s to d (apart) and return d + n.  Keys and most
 * values are a few bytes: two fixed-size moves that may overlap copy
 * them without a call to the library.
 */

static inline unsigned char *
ngx_http_profile_plan_copy(unsigned char *d, const unsigned char *s,
    size_t n)
{
    uint16_t  a2, b2;
    uint32_t  a4, b4;
    uint64_t  a8, b8;

    if (n > 16) {
        memcpy(d, s, n);
        return d + n;
    }

    if (n >= 8) {
        memcpy(&a8, s, 8);
        memcpy(&b8, s + n - 8, 8);
        memcpy(d, &a8, 8);
        memcpy(d + n - 8, &b8, 8);
        return d + n;
    }

    if (n >= 4) {
        memcpy(&a4, s, 4);
        memcpy(&b4, s + n - 4, 4);
        memcpy(d, &a4, 4);
        memcpy(d + n - 4, &b4, 4);
        return d + n;
    }

    if (n >= 2) {
        memcpy(&a2, s, 2);
        memcpy(&b2, s + n - 2, 2);
        memcpy(d, &a2, 2);
        memcpy(d + n - 2, &b2, 2);
        return d + n;
    }

    if (n) {
        *d = *s;
    }

    return d + n;
}


/* open the output objects of levels 1 .. depth that are not open yet */

static int
ngx_http_profile_plan_ensure(ngx_http_profile_plan_out_t *o, unsigned depth)
{
    unsigned                           d;
    const ngx_http_profile_plan_op_t  *op;

    for (d = 1; d <= depth; d++) {
        if (o->opened[d]) {
            continue;
        }

        op = o->open[d];

        if ((size_t) (o->end - o->p) < (size_t) op->key_len + 2) {
            return NGX_HTTP_PROFILE_FMT_OVERLAP;
        }

        if (o->written[d - 1]) {
            *o->p++ = ',';
        }

        o->p = ngx_http_profile_plan_copy(o->p, op->key, op->key_len);
        *o->p++ = '{';

        o->written[d - 1] = 1;
        o->opened[d] = 1;
    }

    return NGX_HTTP_PROFILE_FMT_OK;
}


/* "key":value at the current level, after a "," if one is out already */

static inline int
ngx_http_profile_plan_member(ngx_http_profile_plan_out_t *o,
    const ngx_http_profile_plan_op_t *op, const unsigned char *v, size_t n,
    unsigned quote)
{
    int  rc;

    /* an open level is inside open ones: nothing more to open */

    if (!o->opened[o->depth]) {
        rc = ngx_http_profile_plan_ensure(o, o->depth);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }
    }

    if ((size_t) (o->end - o->p) < 1 + (size_t) op->key_len + n + 2) {
        return NGX_HTTP_PROFILE_FMT_OVERLAP;
    }

    if (o->written[o->depth]) {
        *o->p++ = ',';
    }

    o->p = ngx_http_profile_plan_copy(o->p, op->key, op->key_len);

    if (quote) {
        *o->p++ = '"';
    }

    o->p = ngx_http_profile_plan_copy(o->p, v, n);

    if (quote) {
        *o->p++ = '"';
    }

    o->written[o->depth] = 1;

    return NGX_HTTP_PROFILE_FMT_OK;
}


/*
 * The end of an output object: "}" if a member of it was written;
 * otherwise "key":{} unless empty objects are omitted.
 */

static int
ngx_http_profile_plan_close(ngx_http_profile_plan_out_t *o,
    unsigned omit_empty)
{
    int                                rc;
    unsigned                           d;
    const ngx_http_profile_plan_op_t  *op;

    d = o->depth;

    if (o->opened[d]) {
        if (o->p == o->end) {
            return NGX_HTTP_PROFILE_FMT_OVERLAP;
        }

        *o->p++ = '}';
        o->depth--;
        return NGX_HTTP_PROFILE_FMT_OK;
    }

    if (!omit_empty) {
        rc = ngx_http_profile_plan_ensure(o, d - 1);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }

        op = o->open[d];

        if ((size_t) (o->end - o->p) < (size_t) op->key_len + 3) {
            return NGX_HTTP_PROFILE_FMT_OVERLAP;
        }

        if (o->written[d - 1]) {
            *o->p++ = ',';
        }

        o->p = ngx_http_profile_plan_copy(o->p, op->key, op->key_len);
        *o->p++ = '{';
        *o->p++ = '}';

        o->written[d - 1] = 1;
    }

    o->depth--;

    return NGX_HTTP_PROFILE_FMT_OK;
}


/*
 * An embed's step, its key field shown: the embedded record through its
 * view's plan, with the viewer's classes (a source's fields have their
 * own audiences; the profile's role fields and stub are the profile's);
 * a missing record as null or left out, as the view says, and noted in
 * *partial; nothing to embed (the key field absent or null) left out.
 */

static int
ngx_http_profile_plan_embed(ngx_http_profile_plan_out_t *o,
    const ngx_http_profile_plan_t *plan, const ngx_http_profile_plan_op_t *op,
    const ngx_http_profile_plan_found_t *found,
    const ngx_http_profile_filter_t *filter, unsigned *partial)
{
    int                                   rc;
    size_t                                n;
    ngx_http_profile_filter_t             ef;
    const ngx_http_profile_plan_embed_t  *em;
    const ngx_http_profile_plan_found_t  *f;

    if (found == NULL || op->member >= plan->nembeds) {
        return NGX_HTTP_PROFILE_FMT_COUNT;
    }

    em = &plan->embeds[op->member];
    f = &found[op->member];

    if (f->rc == NGX_HTTP_PROFILE_FMT_MISSING) {
        *partial = 1;

        if (!em->missing_null || plan->omit_empty) {
            return NGX_HTTP_PROFILE_FMT_OK;
        }

        return ngx_http_profile_plan_member(o, op,
                                            (const unsigned char *) "null",
                                            4, 0);
    }

    if (f->rc != NGX_HTTP_PROFILE_FMT_OK) {
        return NGX_HTTP_PROFILE_FMT_OK;
    }

    /* "key": first, then the embedded object in place after it */

    rc = ngx_http_profile_plan_member(o, op, (const unsigned char *) "", 0,
                                      0);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        return rc;
    }

    memset(&ef, 0, sizeof(ngx_http_profile_filter_t));
    ef.mask = filter->mask;
    ef.nulls = filter->nulls;
    ef.default_cls = em->default_cls;
    ef.never_cls = filter->never_cls;

    rc = ngx_http_profile_plan_render(o->p, (size_t) (o->end - o->p),
                                      em->plan, &f->rec, em->nfields,
                                      em->nclasses, &ef,
                                      NULL, NULL, partial, &n);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        return rc;
    }

    o->p += n;

    return NGX_HTTP_PROFILE_FMT_OK;
}


/* null, "", [] or {}: what omit_empty drops */

static unsigned
ngx_http_profile_plan_empty(const unsigned char *v, size_t n)
{
    if (n == 4) {
        return memcmp(v, "null", 4) == 0;
    }

    if (n == 2) {
        return (v[0] == '"' && v[1] == '"')
               || (v[0] == '[' && v[1] == ']')
               || (v[0] == '{' && v[1] == '}');
    }

    return 0;
}
