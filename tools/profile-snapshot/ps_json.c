
/*
 * Copyright (C) ngx_http_profile_module authors
 *
 * JSON text the CLI writes itself (the report, inspect, verify): a
 * string, escaped, with any invalid UTF-8 replaced.
 */


#include "ps_buf.h"
#include "ps_json.h"
#include "ps_utf8.h"


void
ps_buf_add_json_string(ps_buf_t *b, const char *s, size_t n)
{
    size_t              i, k;
    unsigned char       c;
    static const char   hex[] = "0123456789abcdef";

    ps_buf_reserve(b, n + 2);
    ps_buf_addc(b, '"');

    for (i = 0; i < n; i++) {
        c = (unsigned char) s[i];

        switch (c) {
        case '"':
            ps_buf_add(b, "\\\"", 2);
            break;
        case '\\':
            ps_buf_add(b, "\\\\", 2);
            break;
        case '\n':
            ps_buf_add(b, "\\n", 2);
            break;
        case '\r':
            ps_buf_add(b, "\\r", 2);
            break;
        case '\t':
            ps_buf_add(b, "\\t", 2);
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                ps_buf_add(b, "\\u00", 4);
                ps_buf_addc(b, hex[c >> 4]);
                ps_buf_addc(b, hex[c & 0xf]);

            } else if (c < 0x80) {
                ps_buf_addc(b, c);

            } else {
                /* never let invalid UTF-8 into JSON output */
                k = ps_utf8_seq((const unsigned char *) s + i, n - i);

                if (k == 0) {
                    ps_buf_add(b, "\xef\xbf\xbd", 3);

                } else {
                    ps_buf_add(b, s + i, k);
                    i += k - 1;
                }
            }
        }
    }

    ps_buf_addc(b, '"');
}
