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
static const char *cap_reached(api_call *call, tolk_session *session, tolk_peer_kind kind, int index, unsigned *cap)
{
    const tolk_webrtc_config *cfg = &call->app->webrtc;
    const char *address = call->req->client_address;
    if (kind == TOLK_PEER_WHEP_CHANNEL &&
        tolk_session_peer_count(session, index) >= (int)(*cap = cfg->max_peers_per_channel))
        return "channel";
    if (tolk_session_peer_count(session, -1) >= (int)(*cap = cfg->max_peers_per_session))
        return "session";
    if (address[0] && peers_from(call->app, address) >= (int)(*cap = cfg->max_peers_per_address))
        return "address";
    return NULL;
}

/* 503 with Retry-After past a cap: peers that never connect free their place
 * after the connect timeout, so that is when trying again makes sense. */
static bool over_cap(api_call *call, tolk_session *session, tolk_peer_kind kind, int index)
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

/* "?name=" of a WHIP camera: what the operator's page calls its video source. NULL for none;
 * NULL with *err for one too long or with control characters. */
static const char *video_source_name(api_call *call, tolk_error *err)
{
    *err = (tolk_error){0};
    const char *name = tolk_http_query(call->req, "name");
    if (!name)
        return NULL;
    for (const char *c = name; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "name", "Query \"name\" has a control character.");
            return NULL;
        }
    }
    if (strlen(name) >= TOLK_VIDEO_SOURCE_NAME_SIZE) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "name",
                       "Query \"name\" is longer than %d bytes.", TOLK_VIDEO_SOURCE_NAME_SIZE - 1);
        return NULL;
    }
    return name;
}

/* Step 1, under the app lock: a peer the session owns, or NULL with a reply. */
static tolk_webrtc_peer *prepare(api_call *call, tolk_session *session, tolk_peer_kind kind, int index)
{
    tolk_error err;
    if (kind == TOLK_PEER_WHIP_CAMERA ? !tolk_webrtc_camera_offer_check(call->req->text, &err)
                                      : !tolk_webrtc_offer_check(call->req->text, NULL, &err)) {
        api_reply_error(call, &err);
        return NULL;
    }
    if (over_cap(call, session, kind, index))
        return NULL;
    const tolk_webrtc_config *cfg = &call->app->webrtc;
    const char *video_name = video_source_name(call, &err);
    if (!video_name && err.kind != TOLK_ERROR_NONE) {
        api_reply_error(call, &err);
        return NULL;
    }
    tolk_webrtc_peer *peer = tolk_session_prepare_peer(session, kind, index, call->req->text, video_name, cfg, &err);
    if (!peer) {
        api_reply_error(call, &err);
        return NULL;
    }
    tolk_session_add_peer(session, peer, caller_kind(call), call->grant ? call->grant->id : NULL,
                          kind == TOLK_PEER_WHEP_CHANNEL ? index : -1, call->req->client_address);
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

/* One offer between the steps. */
typedef struct {
    char sid[TOLK_SESSION_ID_SIZE];
    tolk_webrtc_peer *peer; /* our own reference */
    char *answer;
    tolk_error err;
} negotiation;

/* Step 2, without the lock: ICE gathering takes up to a few seconds. A session
 * deleted meanwhile closed the peer, and negotiation fails at once. */
static void negotiate(api_call *call)
{
    negotiation *n = call->ctx;
    n->answer = tolk_webrtc_peer_negotiate(n->peer, &n->err);
}

/* Step 3, under the lock again: the session and the resource are looked up
 * anew, since either may have gone meanwhile. */
static void commit_answer(api_call *call)
{
    negotiation *n = call->ctx;
    tolk_session *session = tolk_app_find(call->app, n->sid);
    tolk_session_peer *entry = session ? tolk_session_find_peer(session, tolk_webrtc_peer_id(n->peer)) : NULL;
    if (!n->answer || !entry) {
        if (entry)
            tolk_session_remove_peer(session, entry);
        if (n->answer)
            api_fail(call, TOLK_ERROR_UNAVAILABLE, "unavailable", "no WebRTC answer: the resource was ended meanwhile");
        else
            api_reply_error(call, &n->err);
    } else {
        tolk_session_peer_answered(entry);
        reply_answer(call, n->sid, n->peer, n->answer);
    }
}

/* After the lock: ours may be the last reference, whose unref stops the pipeline. */
static void finish_offer(api_call *call)
{
    negotiation *n = call->ctx;
    g_free(n->answer);
    tolk_webrtc_peer_unref(n->peer);
    g_free(n);
}

static void offer(api_call *call, tolk_session *session, tolk_peer_kind kind, int index)
{
    tolk_webrtc_peer *peer = prepare(call, session, kind, index);
    if (!peer)
        return;
    negotiation *n = g_new0(negotiation, 1);
    g_strlcpy(n->sid, session->id, sizeof n->sid);
    n->peer = peer;
    api_defer(call, n, negotiate, commit_answer, finish_offer);
}

void api_whip_floor(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (session)
        offer(call, session, TOLK_PEER_WHIP_INPUT, -1);
}

void api_whip_camera(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (session)
        offer(call, session, TOLK_PEER_WHIP_CAMERA, -1);
}

void api_whip_console(api_call *call)
{
    int booth, console;
    tolk_session *session = api_find_session(call);
    if (session && api_find_console(call, session, &booth, &console))
        offer(call, session, TOLK_PEER_WHIP_INPUT, TOLK_SLOT(booth, console));
}

void api_whep_channel(api_call *call)
{
    tolk_session *session = api_find_session(call);
    int channel = session ? api_find_channel(call, session) : -1;
    if (channel >= 0)
        offer(call, session, TOLK_PEER_WHEP_CHANNEL, channel);
}

void api_whep_console(api_call *call)
{
    int booth, console;
    tolk_session *session = api_find_session(call);
    if (session && api_find_console(call, session, &booth, &console))
        offer(call, session, TOLK_PEER_WHEP_FEED, TOLK_SLOT(booth, console));
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
    tolk_error err;
    if (!tolk_webrtc_peer_add_candidates(entry->peer, call->req->text, &err)) {
        api_reply_error(call, &err);
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
