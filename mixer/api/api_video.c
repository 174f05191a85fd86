/* SPDX-License-Identifier: EUPL-1.2 */
/* The floor video (docs/video.md): the operator's view of the sources, the choice of the one
 * on the line, and removing one. The WHIP cameras come by api_webrtc.c, SRTP sources by
 * api_video_sources.c. */
#include <string.h>

#include "api_internal.h"
#include "json_check.h"

#define TOLK_LOG_MODULE "api"
#include "log.h"

static const tolk_json_field chosen_fields[] = {
    {.name = "source", .type = TOLK_JSON_STRING_OR_NULL, .required = true, .max_length = TOLK_VIDEO_SOURCE_ID_SIZE - 1},
    {0},
};

void api_get_video(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (session)
        tolk_http_reply_json(call->resp, 200, tolk_session_video_json(session->video));
}

void api_put_video_chosen(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    tolk_error err;
    if (!tolk_json_check(call->req->body, chosen_fields, &err)) {
        api_reply_error(call, &err);
        return;
    }
    json_object *source = json_object_object_get(call->req->body, "source");
    if (!tolk_session_video_choose(session->video, source ? json_object_get_string(source) : NULL, &err)) {
        api_reply_error(call, &err);
        return;
    }
    tolk_http_reply_json(call->resp, 200, tolk_session_video_json(session->video));
}

/* A WHIP camera's source goes with its peer (the publisher is told by its connection
 * closing); an SRTP source's port is closed. */
void api_delete_video_source(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    const char *vid = tolk_http_param(call->req, "vid");
    tolk_session_video_source *source = tolk_session_video_find_source(session->video, vid);
    if (!source) {
        api_fail(call, TOLK_ERROR_NOT_FOUND, "video_source_not_found", "session %s has no video source %s",
                 session->id, vid);
        return;
    }
    for (guint i = 0; source->peer && i < session->peers->len; i++) {
        tolk_session_peer *entry = g_ptr_array_index(session->peers, i);
        if (entry->peer == source->peer) {
            tolk_session_remove_peer(session, entry); /* and with it the source */
            break;
        }
    }
    tolk_session_video_remove_source(session->video, vid);
    tolk_http_reply_empty(call->resp, 204);
}
