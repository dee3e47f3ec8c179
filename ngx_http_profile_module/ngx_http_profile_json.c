
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * JSON writing.  Records hold their fields as ready-made JSON members
 * ("name":value, escaped by the compiler), so a response is assembled by
 * copying bytes: no parsing, no escaping, one allocation.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_profile_json.h"


/* walks the selected fragments of a record as runs of body bytes */
typedef struct {
    const ngx_http_profile_record_t  *rec;
    ngx_http_profile_mask_t           mask;
    ngx_uint_t                        next;   /* next entry to look at */
} ngx_http_profile_json_runs_t;


static ngx_int_t ngx_http_profile_json_next_run(
    ngx_http_profile_json_runs_t *runs, uint32_t *off, uint32_t *len);


size_t
ngx_http_profile_json_size(const ngx_http_profile_record_t *rec,
    ngx_http_profile_mask_t mask)
{
    size_t                        size;
    uint32_t                      off, len;
    ngx_uint_t                    n;
    ngx_http_profile_json_runs_t  runs;

    runs.rec = rec;
    runs.mask = mask;
    runs.next = 0;

    size = sizeof("{}") - 1;

    for (n = 0; ngx_http_profile_json_next_run(&runs, &off, &len) == NGX_OK;
         n++)
    {
        size += (n > 0) + len;
    }

    return size;
}


ngx_buf_t *
ngx_http_profile_json_write(ngx_pool_t *pool,
    const ngx_http_profile_record_t *rec, ngx_http_profile_mask_t mask,
    size_t size)
{
    uint32_t                      off, len;
    ngx_buf_t                    *b;
    ngx_uint_t                    n;
    ngx_http_profile_json_runs_t  runs;

    b = ngx_create_temp_buf(pool, size);
    if (b == NULL) {
        return NULL;
    }

    runs.rec = rec;
    runs.mask = mask;
    runs.next = 0;

    *b->last++ = '{';

    for (n = 0; ngx_http_profile_json_next_run(&runs, &off, &len) == NGX_OK;
         n++)
    {
        /* the size pass bounds every copy: a mismatch is caught below */

        if ((size_t) (b->end - b->last) < (n > 0) + len + 1) {
            break;
        }

        if (n > 0) {
            *b->last++ = ',';
        }

        b->last = ngx_cpymem(b->last, rec->body + off, len);
    }

    if (b->last == b->end - 1) {
        *b->last++ = '}';
    }

    if (b->last != b->end) {
        ngx_log_error(NGX_LOG_ALERT, pool->log, 0,
                      "profile json: wrote %uz bytes instead of %uz",
                      (size_t) (b->last - b->pos), size);
        return NULL;
    }

    return b;
}


/*
 * The next run: the next selected fragment, extended over the following
 * selected fragments as long as each starts right after a "," that ends
 * the previous one in the body.  Empty fragments are skipped, so the
 * output stays valid JSON whatever a bounds-valid record holds.
 * Returns NGX_OK with the run in *off, *len, or NGX_DONE.
 */

static ngx_int_t
ngx_http_profile_json_next_run(ngx_http_profile_json_runs_t *runs,
    uint32_t *off, uint32_t *len)
{
    uint32_t                          start, end;
    ngx_uint_t                        found;
    ngx_http_profile_entry_t          e;
    const ngx_http_profile_record_t  *rec;

    rec = runs->rec;
    found = 0;
    start = 0;
    end = 0;

    for ( /* void */ ; runs->next < rec->nentries; runs->next++) {

        ngx_http_profile_record_entry(rec, runs->next, &e);

        if (e.len == 0
            || !(runs->mask & ngx_http_profile_mask_class(e.cls)))
        {
            if (found) {
                break;
            }

            continue;
        }

        if (!found) {
            start = e.off;
            end = e.off + e.len;
            found = 1;
            continue;
        }

        if ((uint64_t) e.off != (uint64_t) end + 1
            || rec->body[end] != ',')
        {
            break;
        }

        end = e.off + e.len;
    }

    if (!found) {
        return NGX_DONE;
    }

    *off = start;
    *len = end - start;

    return NGX_OK;
}
