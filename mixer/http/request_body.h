/* SPDX-License-Identifier: EUPL-1.2 */
/* Accumulates a request body up to a cap and parses it as one JSON object. Internal. */
#ifndef TOLK_HTTP_REQUEST_BODY_H
#define TOLK_HTTP_REQUEST_BODY_H

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

typedef enum { BODY_JSON_OK, BODY_JSON_MALFORMED, BODY_JSON_NOT_OBJECT } body_json_result;
/* Parses the whole body strictly (UTF-8, no trailing data, depth-limited). */
body_json_result request_body_parse_object(const request_body *body, json_object **out);

/* Whether a Content-Type value is application/json, parameters allowed. */
bool tolk_content_type_is_json(const char *content_type);
/* Whether a Content-Type value names media_type (case-insensitive), parameters allowed. */
bool tolk_content_type_is(const char *content_type, const char *media_type);

/* Whether a non-empty body is text a handler can take as a C string: UTF-8, no NUL. */
bool request_body_is_text(const request_body *body);
/* Hands the body over as a NUL-terminated string (g_free it) and empties body. */
char *request_body_steal_text(request_body *body, size_t *len);

#endif
