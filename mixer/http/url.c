/* SPDX-License-Identifier: EUPL-1.2 */
#include "url.h"

#include <glib.h>

char *tolk_url_decode(const char *src, size_t len)
{
    char *out = g_malloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (src[i] != '%') {
            out[n++] = src[i];
            continue;
        }
        if (i + 2 >= len) /* fewer than two characters left */
            goto broken;
        int hi = g_ascii_xdigit_value(src[i + 1]);
        int lo = g_ascii_xdigit_value(src[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            goto broken;
        out[n++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[n] = '\0';
    return out;
broken:
    g_free(out);
    return NULL;
}
