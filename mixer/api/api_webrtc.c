/* SPDX-License-Identifier: EUPL-1.2 */
/* WHIP (RFC 9725) and WHEP: a browser POSTs an SDP offer and gets the answer,
 * with a Location to end the resource (DELETE) or trickle candidates (PATCH).
 * Who created a resource owns it (tolk_owner_kind); the peers a sitting, a
 * channel and a client address may open are capped. */
#include <stdio.h>
#include <string.h>

#include "api_internal.h"

#define TOLK_LOG_MODULE "webrtc"
#include "log.h"

typedef enum { WHEP_CHANNEL, WHEP_FEED, WHIP_INPUT } peer_kind;

static tolk_owner_kind caller_kind(const api_call *call)
{
    return call->operator ? TOLK_OWNER_OPERATOR : call->grant ? TOLK_OWNER_GRANT : TOLK_OWNER_ANONYMOUS;
}

static int peers_from(tolk_app *app, const char *address)
{
    int count = 0;
    for (guint i = 0; i < app->sessions->len; i++)
        count += tolk_session_peers_from(g_ptr_array_index(app->sessions, i), address);
    return count;
}

/* The first cap a new peer would pass, or NULL. */
static const char *cap_reached(api_call *call, tolk_session *session, peer_kind kind, int index, unsigned *cap)
{
    const tolk_webrtc_config *cfg = &call->app->webrtc;
    const char *address = call->req->client_address;
    if (kind == WHEP_CHANNEL && tolk_session_peer_count(session, index) >= (int)(*cap = cfg->max_peers_per_channel))
        return "channel";
    if (tolk_session_peer_count(session, -1) >= (int)(*cap = cfg->max_peers_per_session))
        return "session";
    if (address[0] && peers_from(call->app, address) >= (int)(*cap = cfg->max_peers_per_address))
        return "address";
    return NULL;
}

/* 503 with Retry-After past a cap: peers that never connect free their place
 * after the connect timeout, so that is when trying again makes sense. */
static bool over_cap(api_call *call, tolk_session *session, peer_kind kind, int index)
{
    unsigned cap = 0;
    const char *what = cap_reached(call, session, kind, index, &cap);
    if (!what)
        return false;
    char retry[16];
    snprintf(retry, sizeof retry, "%u", MAX(1u, (call->app->webrtc.connect_timeout_ms + 999) / 1000));
    tolk_http_reply_header(call->resp, "Retry-After", retry);
    api_fail(call, TOLK_ERROR_UNAVAILABLE, "too_many_peers",
             "this %s already has %u WebRTC peers, the most allowed (--max-peers-per-%s); "
             "try again later", strcmp(what, "address") == 0 ? "client address" : what, cap, what);
    return true;
}

/* Step 1, under the app lock: a peer the session owns, or NULL with a reply. */
static tolk_webrtc_peer *prepare(api_call *call, tolk_session *session, peer_kind kind, int index)
{
    char err[200];
    if (!tolk_webrtc_offer_check(call->req->text, NULL, err, sizeof err)) {
        api_fail(call, TOLK_ERROR_INVALID, "invalid_offer", "%s", err);
        return NULL;
    }
    if (over_cap(call, session, kind, index))
        return NULL;
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
        api_fail(call, TOLK_ERROR_INVALID, "invalid_offer", "%s", err);
        return NULL;
    }
    tolk_session_add_peer(session, peer, caller_kind(call), call->grant ? call->grant->id : NULL,
                          kind == WHEP_CHANNEL ? index : -1, call->req->client_address);
    return tolk_webrtc_peer_ref(peer);
}

/* RFC 9725: Location, the ETag of the ICE session, and the ICE servers. */
static void reply_answer(api_call *call, const char *sid, tolk_webrtc_peer *peer, const char *answer)
{
    char location[160];
    snprintf(location, sizeof location, SESSIONS "/%s/webrtc/%s", sid, tolk_webrtc_peer_id(peer));
    tolk_http_reply_header(call->resp, "Location", location);
    tolk_http_reply_header(call->resp, "ETag", tolk_webrtc_peer_etag(peer));
    GStrv links = tolk_webrtc_ice_server_links(&call->app->webrtc, true);
    for (guint i = 0; links[i]; i++)
        tolk_http_reply_header(call->resp, "Link", links[i]);
    g_strfreev(links);
    tolk_http_reply_text(call->resp, 201, "application/sdp", answer);
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
    if (!answer || !entry) {
        if (entry)
            tolk_session_remove_peer(session, entry);
        api_fail(call, TOLK_ERROR_UNAVAILABLE, "unavailable", "no WebRTC answer: %s",
                 answer ? "the resource was ended meanwhile" : err);
    } else {
        entry->answered_us = g_get_monotonic_time(); /* the connect deadline runs from here */
        reply_answer(call, sid, peer, answer);
    }
    g_free(answer);
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

/* The operator's resources are the operator's, a grant's are its holder's (and
 * the operator's). An anonymous listener's resource is whoever's holds its
 * URL: RFC 9725 makes the resource URL the capability, and its id is 128
 * random bits that are never logged. */
static bool may_use(const api_call *call, const tolk_session_peer *entry)
{
    switch (entry->owner_kind) {
    case TOLK_OWNER_OPERATOR: return call->operator;
    case TOLK_OWNER_GRANT: return call->operator || (call->grant && strcmp(entry->owner, call->grant->id) == 0);
    case TOLK_OWNER_ANONYMOUS: return true;
    }
    return false;
}

/* The resource, if the caller may use it; else a 404 that does not tell
 * whether it exists. */
static tolk_session_peer *find_resource(api_call *call, tolk_session **session_out)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return NULL;
    const char *rid = tolk_http_param(call->req, "rid");
    tolk_session_peer *entry = tolk_session_find_peer(session, rid);
    if (!entry || !may_use(call, entry)) {
        api_fail(call, TOLK_ERROR_NOT_FOUND, "resource_not_found", "session %s has no WebRTC resource %s here",
                 session->id, rid);
        return NULL;
    }
    *session_out = session;
    return entry;
}

/* RFC 9725 4.3.1: an If-Match that names another ICE session is 412; "*" (an
 * ICE restart's) matches any. */
static bool if_match_fits(api_call *call, tolk_webrtc_peer *peer)
{
    const char *if_match = tolk_http_header_value(call->req, "If-Match");
    if (!if_match || strcmp(if_match, "*") == 0 || strcmp(if_match, tolk_webrtc_peer_etag(peer)) == 0)
        return true;
    api_fail(call, TOLK_ERROR_PRECONDITION_FAILED, "precondition_failed",
             "If-Match %.100s does not name this resource's ICE session (ETag %s)", if_match,
             tolk_webrtc_peer_etag(peer));
    return false;
}

void api_patch_webrtc(api_call *call)
{
    tolk_session *session;
    tolk_session_peer *entry = find_resource(call, &session);
    if (!entry || !if_match_fits(call, entry->peer))
        return;
    if (tolk_webrtc_peer_frag_restarts_ice(entry->peer, call->req->text)) {
        api_fail(call, TOLK_ERROR_UNSUPPORTED, "ice_restart_unsupported",
                 "ICE restart (a new ice-ufrag/ice-pwd) is not supported: end this resource "
                 "(DELETE) and POST a new offer");
        return;
    }
    char err[200];
    if (!tolk_webrtc_peer_add_candidates(entry->peer, call->req->text, err, sizeof err)) {
        api_fail(call, TOLK_ERROR_INVALID, "invalid_candidates", "%s", err);
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
