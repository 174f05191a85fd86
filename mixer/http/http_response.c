/* SPDX-License-Identifier: EUPL-1.2 */
/* The reply helpers handlers use to fill a tolk_http_response. */
#include "http_server.h"

#include <glib.h>
#include <string.h>

static void clear_body(tolk_http_response *resp)
{
    json_object_put(resp->json);
    g_free(resp->text);
    g_free(resp->content_type);
    resp->json = NULL;
    resp->text = NULL;
    resp->content_type = NULL;
}

void tolk_http_response_clear(tolk_http_response *resp)
{
    clear_body(resp);
    for (int i = 0; i < resp->header_count; i++) {
        g_free(resp->headers[i].name);
        g_free(resp->headers[i].value);
    }
    memset(resp, 0, sizeof *resp);
}

void tolk_http_reply_json(tolk_http_response *resp, int status, json_object *body)
{
    clear_body(resp);
    resp->kind = TOLK_REPLY_JSON;
    resp->status = status;
    resp->json = body;
}

void tolk_http_reply_verror(tolk_http_response *resp, int status, const char *code, const char *fmt,
                            va_list ap)
{
    char *message = g_strdup_vprintf(fmt, ap);
    json_object *error = json_object_new_object();
    json_object_object_add(error, "code", json_object_new_string(code));
    json_object_object_add(error, "message", json_object_new_string(message));
    g_free(message);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "error", error);
    tolk_http_reply_json(resp, status, body);
}

void tolk_http_reply_error(tolk_http_response *resp, int status, const char *code, const char *fmt,
                           ...)
{
    va_list ap;
    va_start(ap, fmt);
    tolk_http_reply_verror(resp, status, code, fmt, ap);
    va_end(ap);
}

void tolk_http_reply_text(tolk_http_response *resp, int status, const char *content_type,
                          const char *text)
{
    clear_body(resp);
    resp->kind = TOLK_REPLY_TEXT;
    resp->status = status;
    resp->text = g_strdup(text);
    resp->content_type = g_strdup(content_type);
}

void tolk_http_reply_empty(tolk_http_response *resp, int status)
{
    clear_body(resp);
    resp->kind = TOLK_REPLY_EMPTY;
    resp->status = status;
}

bool tolk_http_reply_header(tolk_http_response *resp, const char *name, const char *value)
{
    if (resp->header_count == TOLK_HTTP_MAX_HEADERS)
        return false;
    resp->headers[resp->header_count].name = g_strdup(name);
    resp->headers[resp->header_count].value = g_strdup(value);
    resp->header_count++;
    return true;
}
