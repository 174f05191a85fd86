/* SPDX-License-Identifier: EUPL-1.2 */
/* WHIP (RFC 9725) and WHEP: a browser POSTs an SDP offer and gets the answer,
 * with a Location to end the resource (DELETE) or trickle candidates (PATCH). */
#include <stdio.h>
#include <string.h>

#include "api_internal.h"

#define TOLK_LOG_MODULE "webrtc"
#include "log.h"

typedef enum { WHEP_CHANNEL, WHEP_FEED, WHIP_INPUT } peer_kind;

/* Step 1, under the app lock: a peer the session owns, or NULL with a reply. */
static tolk_webrtc_peer *prepare(api_call *call, tolk_session *session, peer_kind kind, int index)
{
    char err[200];
    if (!tolk_webrtc_offer_check(call->req->text, NULL, err, sizeof err)) {
        tolk_http_reply_error(call->resp, 400, "invalid_offer", "%s", err);
        return NULL;
    }
    const tolk_webrtc_config *cfg = &call->app->webrtc;
    tolk_webrtc_peer *peer = NULL;
    if (kind == WHEP_CHANNEL)
        peer = tolk_webrtc_whep_prepare(call->req->text, tolk_media_channel_stream_at(session->media, index), cfg,
                                        err, sizeof err);
    else if (kind == WHEP_FEED)
        peer = tolk_webrtc_whep_prepare(call->req->text, tolk_media_feed_stream_at(session->media, index), cfg, err,
                                        sizeof err);
    else
        peer = tolk_webrtc_whip_prepare(call->req->text, tolk_media_input_at(session->media, index), cfg, err,
                                        sizeof err);
    if (!peer) {
        tolk_http_reply_error(call->resp, 400, "invalid_offer", "%s", err);
        return NULL;
    }
    tolk_session_add_peer(session, peer, call->grant ? call->grant->id : "", kind == WHEP_CHANNEL ? index : -1);
    return tolk_webrtc_peer_ref(peer);
}

/* Step 2, without the lock (ICE gathering takes up to a few seconds), then the
 * reply under the lock again. The session may have gone meanwhile: then the
 * peer was closed and negotiation fails. */
static void negotiate_and_reply(api_call *call, const char *sid, tolk_webrtc_peer *peer)
{
    char err[200];
    g_mutex_unlock(&call->app->lock);
    char *answer = tolk_webrtc_peer_negotiate(peer, err, sizeof err);
    g_mutex_lock(&call->app->lock);
    tolk_session *session = tolk_app_find(call->app, sid);
    tolk_session_peer *entry = session ? tolk_session_find_peer(session, tolk_webrtc_peer_id(peer)) : NULL;
    if (!answer) {
        if (entry)
            tolk_session_remove_peer(session, entry);
        tolk_http_reply_error(call->resp, 503, "unavailable", "no WebRTC answer: %s", err);
    } else {
        char location[128];
        snprintf(location, sizeof location, SESSIONS "/%s/webrtc/%s", sid, tolk_webrtc_peer_id(peer));
        tolk_http_reply_header(call->resp, "Location", location);
        tolk_http_reply_text(call->resp, 201, "application/sdp", answer);
        g_free(answer);
    }
    tolk_webrtc_peer_unref(peer);
}

static void offer(api_call *call, tolk_session *session, peer_kind kind, int index)
{
    char sid[TOLK_ID_SIZE];
    g_strlcpy(sid, session->id, sizeof sid);
    tolk_webrtc_peer *peer = prepare(call, session, kind, index);
    if (peer)
        negotiate_and_reply(call, sid, peer);
}

void api_whip_floor(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (session)
        offer(call, session, WHIP_INPUT, -1);
}

void api_whip_console(api_call *call)
{
    int booth, console;
    tolk_session *session = api_find_session(call);
    if (session && api_find_console(call, session, &booth, &console))
        offer(call, session, WHIP_INPUT, TOLK_SLOT(booth, console));
}

void api_whep_channel(api_call *call)
{
    tolk_session *session = api_find_session(call);
    int channel = session ? api_find_channel(call, session) : -1;
    if (channel >= 0)
        offer(call, session, WHEP_CHANNEL, channel);
}

void api_whep_console(api_call *call)
{
    int booth, console;
    tolk_session *session = api_find_session(call);
    if (session && api_find_console(call, session, &booth, &console))
        offer(call, session, WHEP_FEED, TOLK_SLOT(booth, console));
}

/* The resource, if the caller created it (or is the operator); else a reply. */
static tolk_session_peer *find_resource(api_call *call, tolk_session **session_out)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return NULL;
    const char *rid = tolk_http_param(call->req, "rid");
    tolk_session_peer *entry = tolk_session_find_peer(session, rid);
    if (!entry || (!call->operator && strcmp(entry->owner, call->grant ? call->grant->id : "") != 0)) {
        tolk_http_reply_error(call->resp, 404, "resource_not_found", "session %s has no WebRTC resource %s here",
                              session->id, rid);
        return NULL;
    }
    *session_out = session;
    return entry;
}

void api_patch_webrtc(api_call *call)
{
    tolk_session *session;
    tolk_session_peer *entry = find_resource(call, &session);
    if (!entry)
        return;
    char err[200];
    if (!tolk_webrtc_peer_add_candidates(entry->peer, call->req->text, err, sizeof err)) {
        tolk_http_reply_error(call->resp, 400, "invalid_candidates", "%s", err);
        return;
    }
    tolk_http_reply_empty(call->resp, 204);
}

void api_delete_webrtc(api_call *call)
{
    tolk_session *session;
    tolk_session_peer *entry = find_resource(call, &session);
    if (!entry)
        return;
    tolk_session_remove_peer(session, entry);
    tolk_http_reply_empty(call->resp, 204);
}
