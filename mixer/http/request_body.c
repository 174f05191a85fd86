/* SPDX-License-Identifier: EUPL-1.2 */
#include "request_body.h"

#include "json_scan.h"

#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

void request_body_init(request_body *body, size_t limit)
{
    memset(body, 0, sizeof *body);
    body->limit = limit;
}

void request_body_clear(request_body *body)
{
    g_free(body->data);
    request_body_init(body, body->limit);
}

void request_body_append(request_body *body, const char *data, size_t len)
{
    /* Nothing to add: also keeps memcpy off a NULL buffer before the first chunk. */
    if (body->too_large || len == 0)
        return;
    if (len > body->limit - body->len) {
        size_t limit = body->limit;
        request_body_clear(body);
        body->too_large = true;
        body->limit = limit;
        return;
    }
    if (body->len + len > body->cap) {
        size_t cap = body->cap ? body->cap : 1024;
        while (cap < body->len + len)
            cap *= 2;
        body->cap = MIN(cap, body->limit);
        body->data = g_realloc(body->data, body->cap);
    }
    memcpy(body->data + body->len, data, len);
    body->len += len;
}

static bool only_whitespace(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* json-c accepts 'single-quoted' strings even in strict mode; RFC 8259 does not. A quote
 * outside any double-quoted string is the only way to write one. */
static bool has_single_quoted_string(const char *s, size_t len)
{
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        if (in_string && s[i] == '\\')
            i++;
        else if (s[i] == '"')
            in_string = !in_string;
        else if (!in_string && s[i] == '\'')
            return true;
    }
    return false;
}

/* json-c reads NaN and Infinity, which JSON has not; a huge exponent also ends as infinity.
 * Recursion is bounded by the tokener's depth limit. */
static bool has_non_finite_number(json_object *value)
{
    switch (json_object_get_type(value)) {
    case json_type_double:
        return !isfinite(json_object_get_double(value));
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(value); i++)
            if (has_non_finite_number(json_object_array_get_idx(value, i)))
                return true;
        return false;
    case json_type_object: {
        json_object_object_foreach(value, key, member) {
            (void)key;
            if (has_non_finite_number(member))
                return true;
        }
        return false;
    }
    default:
        return false;
    }
}

static bool malformed(tolk_error *err)
{
    tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_json", "",
                         "The request body is not valid JSON (UTF-8, nested at most %d deep).",
                         TOLK_JSON_MAX_DEPTH);
    return false;
}

static json_object *parse_json(const request_body *body)
{
    if (body->len == 0 || body->len > INT32_MAX || has_single_quoted_string(body->data, body->len))
        return NULL;
    json_tokener *tok = json_tokener_new_ex(TOLK_JSON_MAX_DEPTH);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *value = json_tokener_parse_ex(tok, body->data, (int)body->len);
    /* Incomplete input leaves the tokener waiting for more: for a whole body that is an error. */
    size_t end = json_tokener_get_parse_end(tok);
    bool complete = json_tokener_get_error(tok) == json_tokener_success && end <= body->len &&
                    only_whitespace(body->data + end, body->len - end);
    json_tokener_free(tok);
    if (!complete || (value && has_non_finite_number(value))) {
        json_object_put(value);
        return NULL;
    }
    return value;
}

bool request_body_parse_object(const request_body *body, json_object **out, tolk_error *err)
{
    *out = NULL;
    json_object *value = parse_json(body);
    if (!value)
        return malformed(err);
    if (!json_object_is_type(value, json_type_object)) {
        json_object_put(value);
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_json", "", "The request body must be a JSON object.");
        return false;
    }
    /* The tree json-c built has lost duplicate keys and judged text loosely: the raw body
     * tells. */
    if (!tolk_json_scan(body->data, body->len, TOLK_JSON_MAX_DEPTH, err)) {
        json_object_put(value);
        return false;
    }
    *out = value;
    return true;
}

bool tolk_content_type_is_json(const char *content_type)
{
    return tolk_content_type_is(content_type, "application/json");
}

bool tolk_content_type_is(const char *content_type, const char *media_type)
{
    if (!content_type)
        return false;
    while (*content_type == ' ')
        content_type++;
    size_t len = strlen(media_type);
    if (strncasecmp(content_type, media_type, len) != 0)
        return false;
    const char *rest = content_type + len;
    while (*rest == ' ')
        rest++;
    return *rest == '\0' || *rest == ';';
}

/* SDP lines (RFC 8866 5) are text ended by CRLF; TAB may separate. Any other control
 * character is no part of an offer or a candidate, and would reach the answer, webrtcbin and
 * error messages. */
static bool is_line_control(unsigned char c)
{
    return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f;
}

bool request_body_is_text(const request_body *body)
{
    for (size_t i = 0; i < body->len; i++)
        if (is_line_control((unsigned char)body->data[i]))
            return false;
    return g_utf8_validate_len(body->data, body->len, NULL);
}

char *request_body_steal_text(request_body *body, size_t *len)
{
    /* The buffer may be exactly full: make room for the terminator. */
    char *text = g_realloc(body->data, body->len + 1);
    text[body->len] = '\0';
    *len = body->len;
    body->data = NULL;
    request_body_clear(body);
    return text;
}
