/* SPDX-License-Identifier: EUPL-1.2 */
/* Static directories and fixed redirects, consulted for paths no API route has. Internal. */
#ifndef TOLK_HTTP_STATIC_FILES_H
#define TOLK_HTTP_STATIC_FILES_H

#include "http_server.h"

typedef struct http_static http_static;

http_static *http_static_new(void);
void http_static_free(http_static *files);
/* False when prefix is not "/.../" or directory is not a readable directory. */
bool http_static_add_dir(http_static *files, const char *prefix, const char *directory);
void http_static_add_redirect(http_static *files, const char *path, const char *location);

/* Answers a request for a raw (still encoded) path when it belongs to a mount or a
 * redirect, and returns true; false when it does not (the caller answers 404). */
bool http_static_serve(const http_static *files, const char *method, const char *path,
                       tolk_http_response *resp);

#endif
