
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * Rendering a record (see ngx_http_profile_render.h).  Records hold
 * their fields as ready-made JSON members ("name":value, escaped by the
 * compiler), so a response is assembled by copying bytes: no parsing,
 * no escaping, no allocation, one pass over the record's entries (which
 * also validates them).  Plain C: compiled into the module and into
 * profile-snapshot.
 */


#include <string.h>

#include "ngx_http_profile_render.h"


/* where the object being written stands */
typedef struct {
    unsigned char             *p;
    unsigned char             *last;      /* room for the closing "}" */
    const unsigned char       *body;
    uint32_t                   start;     /* the open run, if found */
    uint32_t                   end;
    unsigned                   found;
    unsigned                   written;   /* a member is out: "," next */
} ngx_http_profile_out_t;


static int ngx_http_profile_render_mask(unsigned char *out, size_t room,
    const ngx_http_profile_record_t *rec, unsigned nfields,
    unsigned nclasses, uint64_t mask, size_t *len);
static int ngx_http_profile_render_put(ngx_http_profile_out_t *o,
    const unsigned char *data, size_t n);
static int ngx_http_profile_render_flush(ngx_http_profile_out_t *o);
static int ngx_http_profile_render_nulls(ngx_http_profile_out_t *o,
    const ngx_http_profile_filter_t *filter, unsigned from, unsigned to,
    unsigned hidden);


int
ngx_http_profile_render(unsigned char *out, size_t room,
    const ngx_http_profile_record_t *rec, unsigned nfields,
    unsigned nclasses, uint64_t mask, size_t *len)
{
    ngx_http_profile_filter_t  filter;

    memset(&filter, 0, sizeof(ngx_http_profile_filter_t));
    filter.mask = mask;
    filter.never_cls = -1;

    return ngx_http_profile_render_filter(out, room, rec, nfields, nclasses,
                                          &filter, len);
}


int
ngx_http_profile_render_filter(unsigned char *out, size_t room,
    const ngx_http_profile_record_t *rec, unsigned nfields,
    unsigned nclasses, const ngx_http_profile_filter_t *filter, size_t *len)
{
    int                        rc;
    unsigned                   i, cursor, shown;
    ngx_http_profile_entry_t   e;
    ngx_http_profile_out_t     o;

    /* a class mask alone (most requests): the loop without the rest */

    if (filter->extra == NULL && filter->limit == NULL
        && filter->nulls == NULL)
    {
        return ngx_http_profile_render_mask(out, room, rec, nfields,
                                            nclasses, filter->mask, len);
    }

    /* "{}" at least: less room than render_size() gives does not fit */

    if (room < 2) {
        return NGX_HTTP_PROFILE_FMT_OVERLAP;
    }

    o.p = out;
    o.last = out + room - 1;
    o.body = rec->body;
    o.start = 0;
    o.end = 0;
    o.found = 0;
    o.written = 0;

    *o.p++ = '{';

    /*
     * A run is a stretch of the body copied at once: a shown fragment,
     * extended over each next shown fragment that starts right after a
     * "," ending it.  Empty fragments are skipped, so the output is
     * valid JSON whatever a bounds-valid record holds.  With nulls, the
     * fields between two entries (absent from the record) get their
     * null if they are hidden; cursor is the first field id not yet
     * decided.
     */

    cursor = 0;

    for (i = 0; i < rec->nentries; i++) {

        ngx_http_profile_record_entry(rec, i, &e);

        rc = ngx_http_profile_entry_check(&e, rec->body_len, nfields,
                                          nclasses);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }

        if (filter->nulls != NULL) {
            if (e.field_id >= cursor) {
                rc = ngx_http_profile_render_nulls(&o, filter, cursor,
                                                   e.field_id, 0);
                if (rc != NGX_HTTP_PROFILE_FMT_OK) {
                    return rc;
                }

                cursor = e.field_id + 1u;

            } else {
                /* a field given twice (never written so): not nulled */
                continue;
            }
        }

        shown = ngx_http_profile_filter_shows(filter, e.cls, e.field_id);

        if (!shown) {
            if (filter->nulls != NULL && (int) e.cls != filter->never_cls) {
                rc = ngx_http_profile_render_nulls(&o, filter, e.field_id,
                                                   e.field_id + 1u, 1);
                if (rc != NGX_HTTP_PROFILE_FMT_OK) {
                    return rc;
                }
            }

            continue;
        }

        if (e.len == 0) {
            continue;
        }

        if (o.found
            && (uint64_t) e.off == (uint64_t) o.end + 1
            && rec->body[o.end] == ',')
        {
            o.end = e.off + e.len;
            continue;
        }

        rc = ngx_http_profile_render_flush(&o);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }

        o.start = e.off;
        o.end = e.off + e.len;
        o.found = 1;
    }

    if (filter->nulls != NULL) {
        rc = ngx_http_profile_render_nulls(&o, filter, cursor, nfields, 0);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }
    }

    rc = ngx_http_profile_render_flush(&o);
    if (rc != NGX_HTTP_PROFILE_FMT_OK) {
        return rc;
    }

    *o.p++ = '}';

    *len = (size_t) (o.p - out);

    return NGX_HTTP_PROFILE_FMT_OK;
}


/*
 * The filter of a class mask alone: the same output as the general loop
 * above with extra, limit and nulls unset, with the run in registers.
 */

static int
ngx_http_profile_render_mask(unsigned char *out, size_t room,
    const ngx_http_profile_record_t *rec, unsigned nfields,
    unsigned nclasses, uint64_t mask, size_t *len)
{
    int                        rc;
    size_t                     n;
    uint32_t                   start, end;
    unsigned                   i, found;
    unsigned char             *p, *last;
    ngx_http_profile_entry_t   e;

    if (room < 2) {
        return NGX_HTTP_PROFILE_FMT_OVERLAP;
    }

    p = out;
    last = out + room - 1;      /* room for the closing "}" */

    *p++ = '{';

    found = 0;
    start = 0;
    end = 0;

    for (i = 0; i < rec->nentries; i++) {

        ngx_http_profile_record_entry(rec, i, &e);

        rc = ngx_http_profile_entry_check(&e, rec->body_len, nfields,
                                          nclasses);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }

        if (e.len == 0 || !((mask >> e.cls) & 1)) {
            continue;
        }

        if (found) {
            if ((uint64_t) e.off == (uint64_t) end + 1
                && rec->body[end] == ',')
            {
                end = e.off + e.len;
                continue;
            }

            n = end - start;

            if ((size_t) (last - p) < n + 1) {
                return NGX_HTTP_PROFILE_FMT_OVERLAP;
            }

            memcpy(p, rec->body + start, n);
            p += n;
            *p++ = ',';
        }

        start = e.off;
        end = e.off + e.len;
        found = 1;
    }

    if (found) {
        n = end - start;

        if ((size_t) (last - p) < n) {
            return NGX_HTTP_PROFILE_FMT_OVERLAP;
        }

        memcpy(p, rec->body + start, n);
        p += n;
    }

    *p++ = '}';

    *len = (size_t) (p - out);

    return NGX_HTTP_PROFILE_FMT_OK;
}


/* one member, after a "," if one is out already */

static int
ngx_http_profile_render_put(ngx_http_profile_out_t *o,
    const unsigned char *data, size_t n)
{
    if ((size_t) (o->last - o->p) < n + o->written) {
        return NGX_HTTP_PROFILE_FMT_OVERLAP;
    }

    if (o->written) {
        *o->p++ = ',';
    }

    memcpy(o->p, data, n);
    o->p += n;
    o->written = 1;

    return NGX_HTTP_PROFILE_FMT_OK;
}


/* write the open run, if any */

static int
ngx_http_profile_render_flush(ngx_http_profile_out_t *o)
{
    if (!o->found) {
        return NGX_HTTP_PROFILE_FMT_OK;
    }

    o->found = 0;

    return ngx_http_profile_render_put(o, o->body + o->start,
                                       o->end - o->start);
}


/*
 * The nulls of fields from .. to - 1 that the viewer may not see, judged
 * by each field's default class: fields the record does not hold; or,
 * with hidden, the nulls of entries the caller found hidden by their own
 * class, whatever their default.
 */

static int
ngx_http_profile_render_nulls(ngx_http_profile_out_t *o,
    const ngx_http_profile_filter_t *filter, unsigned from, unsigned to,
    unsigned hidden)
{
    int       rc;
    unsigned  f, cls;

    for (f = from; f < to; f++) {

        if (!hidden) {
            cls = filter->default_cls[f];

            if ((int) cls == filter->never_cls) {
                continue;
            }

            if (ngx_http_profile_filter_shows(filter, cls, f)) {
                /* the viewer could see it: absent, so left out */
                continue;
            }
        }

        rc = ngx_http_profile_render_flush(o);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }

        rc = ngx_http_profile_render_put(o, filter->nulls
                                            + filter->null_off[f],
                                         filter->null_off[f + 1]
                                         - filter->null_off[f]);
        if (rc != NGX_HTTP_PROFILE_FMT_OK) {
            return rc;
        }
    }

    return NGX_HTTP_PROFILE_FMT_OK;
}
