/* SPDX-License-Identifier: EUPL-1.2 */
/* Percent-decoding of path segments and query values. */
#ifndef TOLK_HTTP_URL_H
#define TOLK_HTTP_URL_H

#include <stdbool.h>
#include <stddef.h>

/* Decodes %XX escapes of src[0..len) into a new string (g_free it). Returns NULL for a
 * broken escape or an escaped NUL, which no valid id or name contains. */
char *tolk_url_decode(const char *src, size_t len);

#endif
