/* SPDX-License-Identifier: EUPL-1.2 */
#include "http_send.h"


#include <glib.h>
#include <string.h>

static struct MHD_Response *body_response(tolk_http_response *resp, http_streams *streams,
                                          struct MHD_Connection *connection)
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
        return http_stream_response(streams, connection, resp);
    case TOLK_REPLY_FILE: {
        struct MHD_Response *r = MHD_create_response_from_fd_at_offset64(resp->file_length, resp->file_fd,
                                                                         (int64_t)resp->file_offset);
        if (r)
            resp->file_fd = -1; /* MHD closes it when done */
        return r;
    }
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

struct MHD_Response *http_build_response(tolk_http_response *resp, http_streams *streams,
                                         struct MHD_Connection *connection)
{
    struct MHD_Response *response = body_response(resp, streams, connection);
    if (!response)
        return NULL;
    /* Proxies such as nginx would otherwise buffer events until a block is full. */
    if (resp->kind == TOLK_REPLY_STREAM)
        MHD_add_response_header(response, "X-Accel-Buffering", "no");
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
