/* SPDX-License-Identifier: EUPL-1.2 */
/* Accumulates a request body up to a cap and parses it as one JSON object. Internal. */
#ifndef TOLK_HTTP_REQUEST_BODY_H
#define TOLK_HTTP_REQUEST_BODY_H

#include "json_check.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#define TOLK_JSON_MAX_DEPTH 16

typedef struct {
    char *data;
    size_t len, cap;
    size_t limit;
    bool too_large; /* more than limit bytes arrived; the rest is discarded */
} request_body;

void request_body_init(request_body *body, size_t limit);
/* Appends a chunk; past the limit it frees what it had and only remembers too_large,
 * so a client cannot make the server hold more than limit bytes. */
void request_body_append(request_body *body, const char *data, size_t len);
void request_body_clear(request_body *body);

/* Parses the whole body strictly as one JSON object: no trailing data, depth-limited, every
 * string strict UTF-8 text without control characters, no key twice in an object
 * (json_scan.h). False with *err filled (kind invalid: invalid_json, invalid_text or duplicate_field). */
bool request_body_parse_object(const request_body *body, json_object **out, tolk_error *err);

/* Whether a Content-Type value is application/json, parameters allowed. */
bool tolk_content_type_is_json(const char *content_type);
/* Whether a Content-Type value names media_type (case-insensitive), parameters allowed. */
bool tolk_content_type_is(const char *content_type, const char *media_type);

/* Whether a non-empty body is text a handler can take as a C string and as SDP lines: strict
 * UTF-8 without control characters but TAB, CR and LF (so no NUL). */
bool request_body_is_text(const request_body *body);
/* Hands the body over as a NUL-terminated string (g_free it) and empties body. */
char *request_body_steal_text(request_body *body, size_t *len);

#endif
