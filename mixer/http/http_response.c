/* SPDX-License-Identifier: EUPL-1.2 */
/* The reply helpers handlers use to fill a tolk_http_response. */
#include "http_server.h"

#include <glib.h>
#include <string.h>
#include <unistd.h>

static void clear_body(tolk_http_response *resp)
{
    json_object_put(resp->json);
    g_free(resp->text);
    g_free(resp->content_type);
    /* A stream replaced or never sent still owes its context the one free_ctx call;
     * once sent, the sender has taken the context and set these to NULL. */
    if (resp->stream_free)
        resp->stream_free(resp->stream_ctx);
    if (resp->kind == TOLK_REPLY_FILE && resp->file_fd >= 0)
        close(resp->file_fd);
    resp->file_fd = -1;
    resp->json = NULL;
    resp->text = NULL;
    resp->text_len = 0;
    resp->content_type = NULL;
    resp->stream_read = NULL;
    resp->stream_free = NULL;
    resp->stream_ctx = NULL;
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
    /* Messages quote what the client sent (a path, a field name): the reply stays UTF-8. */
    char *raw = g_strdup_vprintf(fmt, ap);
    char *message = g_utf8_make_valid(raw, -1);
    g_free(raw);
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
    tolk_http_reply_bytes(resp, status, content_type, text, strlen(text));
}

void tolk_http_reply_bytes(tolk_http_response *resp, int status, const char *content_type,
                           const void *data, size_t len)
{
    clear_body(resp);
    resp->kind = TOLK_REPLY_TEXT;
    resp->status = status;
    resp->text = g_malloc(len + 1);
    if (len) /* data may be NULL for an empty body */
        memcpy(resp->text, data, len);
    resp->text[len] = '\0';
    resp->text_len = len;
    resp->content_type = g_strdup(content_type);
}

/* A new body of this kind in place of the one before. */
static void begin_body(tolk_http_response *resp, tolk_reply_kind kind, int status, const char *content_type)
{
    clear_body(resp);
    resp->kind = kind;
    resp->status = status;
    resp->content_type = g_strdup(content_type);
}

void tolk_http_reply_stream(tolk_http_response *resp, int status, const char *content_type,
                            tolk_http_stream_read_fn read, tolk_http_stream_free_fn free_ctx,
                            void *ctx)
{
    begin_body(resp, TOLK_REPLY_STREAM, status, content_type);
    resp->stream_read = read;
    resp->stream_free = free_ctx;
    resp->stream_ctx = ctx;
}

void tolk_http_reply_file(tolk_http_response *resp, int status, const char *content_type, int fd,
                          uint64_t offset, uint64_t length)
{
    begin_body(resp, TOLK_REPLY_FILE, status, content_type);
    resp->file_fd = fd;
    resp->file_offset = offset;
    resp->file_length = length;
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
