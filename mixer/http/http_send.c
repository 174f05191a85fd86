/* SPDX-License-Identifier: EUPL-1.2 */
#include "http_send.h"

#include <glib.h>
#include <string.h>

/* What MHD holds for a stream: the application's reader and its context. */
typedef struct {
    tolk_http_stream_read_fn read;
    tolk_http_stream_free_fn free_ctx;
    void *ctx;
} stream_source;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream_source *source = cls;
    ssize_t n = source->read(source->ctx, buf, max);
    /* MHD would call again at once after 0 and spin this thread; a reader with nothing
     * to say returns a keepalive instead, so 0 is taken as the end. */
    if (n <= 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    return n > (ssize_t)max ? (ssize_t)max : n;
}

/* MHD calls this once, when the last reference to the response goes: after the
 * connection finished with it (stream ended, client gone, daemon stopping). */
static void stream_release(void *cls)
{
    stream_source *source = cls;
    if (source->free_ctx)
        source->free_ctx(source->ctx);
    g_free(source);
}

static struct MHD_Response *stream_response(tolk_http_response *resp)
{
    stream_source *source = g_new(stream_source, 1);
    *source = (stream_source){resp->stream_read, resp->stream_free, resp->stream_ctx};
    struct MHD_Response *response = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, TOLK_HTTP_STREAM_BLOCK, stream_read, source, stream_release);
    if (!response) {
        g_free(source); /* resp keeps the context; clearing it calls free_ctx */
        return NULL;
    }
    resp->stream_read = NULL;
    resp->stream_free = NULL;
    resp->stream_ctx = NULL;
    /* Proxies such as nginx would otherwise buffer events until a block is full. */
    MHD_add_response_header(response, "X-Accel-Buffering", "no");
    return response;
}

static struct MHD_Response *body_response(tolk_http_response *resp)
{
    switch (resp->kind) {
    case TOLK_REPLY_JSON: {
        const char *text = json_object_to_json_string_ext(resp->json, JSON_C_TO_STRING_PLAIN |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE);
        return MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    }
    case TOLK_REPLY_TEXT:
        return MHD_create_response_from_buffer(resp->text_len, resp->text, MHD_RESPMEM_MUST_COPY);
    case TOLK_REPLY_STREAM:
        return stream_response(resp);
    default:
        return MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
}

static bool has_header(const tolk_http_response *resp, const char *name)
{
    for (int i = 0; i < resp->header_count; i++)
        if (g_ascii_strcasecmp(resp->headers[i].name, name) == 0)
            return true;
    return false;
}

struct MHD_Response *http_build_response(tolk_http_response *resp)
{
    struct MHD_Response *response = body_response(resp);
    if (!response)
        return NULL;
    if (resp->kind == TOLK_REPLY_JSON)
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    else if (resp->content_type)
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    /* API replies carry SRTP keys and tokens: no cache may keep them. Static files say
     * otherwise through their own Cache-Control. */
    if (!has_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL))
        MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    for (int i = 0; i < resp->header_count; i++)
        MHD_add_response_header(response, resp->headers[i].name, resp->headers[i].value);
    return response;
}
