/* SPDX-License-Identifier: EUPL-1.2 */
/* SRTP (or plain RTP) video sources of the floor video (docs/video.md "SRTP video sources"):
 * the operator makes one (a port, a key, an SDP for the hall encoder) and can give it a new
 * key. Removing one is DELETE .../video/sources/{vid} (api_video.c). */
#include <stdio.h>
#include <string.h>

#include "api_internal.h"
#include "json_check.h"
#include "session_video_rtp.h"

#define TOLK_LOG_MODULE "api"
#include "log.h"

static const tolk_json_field source_fields[] = {
    {.name = "name", .type = TOLK_JSON_STRING, .max_length = TOLK_VIDEO_SOURCE_NAME_SIZE - 1},
    {.name = "encrypted", .type = TOLK_JSON_BOOLEAN},
    {0},
};

/* The source as GET .../video lists it. */
static json_object *source_view(tolk_session *session, const char *id)
{
    json_object *video = tolk_session_video_json(session->video);
    json_object *sources = json_object_object_get(video, "sources");
    json_object *view = NULL;
    for (size_t i = 0; i < json_object_array_length(sources) && !view; i++) {
        json_object *o = json_object_array_get_idx(sources, i);
        if (strcmp(json_object_get_string(json_object_object_get(o, "id")), id) == 0)
            view = json_object_get(o);
    }
    json_object_put(video);
    return view;
}

void api_post_video_source(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    tolk_error err;
    if (!tolk_json_check(call->req->body, source_fields, &err)) {
        api_reply_error(call, &err);
        return;
    }
    json_object *name = json_object_object_get(call->req->body, "name");
    json_object *encrypted = json_object_object_get(call->req->body, "encrypted");
    tolk_session_video_source *source = tolk_session_video_add_rtp(
        session, name ? json_object_get_string(name) : NULL, !encrypted || json_object_get_boolean(encrypted), &err);
    if (!source) {
        api_reply_error(call, &err);
        return;
    }
    char location[160];
    snprintf(location, sizeof location, "/api/v1/sessions/%s/video/sources/%s", session->id, source->id);
    api_reply_created(call, source_view(session, source->id), location);
}

void api_rekey_video_source(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    const char *vid = tolk_http_param(call->req, "vid");
    tolk_session_video_source *source = tolk_session_video_find_source(session->video, vid);
    if (!source || source->kind != TOLK_VIDEO_SOURCE_RTP) {
        api_fail(call, TOLK_ERROR_NOT_FOUND, "video_source_not_found", "session %s has no RTP video source %s",
                 session->id, vid);
        return;
    }
    tolk_error err;
    if (!tolk_session_video_rekey_rtp(session, source, &err)) {
        api_reply_error(call, &err);
        return;
    }
    tolk_http_reply_json(call->resp, 200, source_view(session, source->id));
}
