/* SPDX-License-Identifier: EUPL-1.2 */
/* The part every peer shares: one pipeline with a webrtcbin, the synchronous
 * offer/answer, trickle ICE, state, reference counting and close. */
#include <gst/webrtc/webrtc.h>

#include "keys.h"
#include "webrtc_private.h"

#define TOLK_LOG_MODULE "webrtc"
#include "log.h"

#define DEFAULT_LATENCY_MS 60
#define DEFAULT_GATHER_TIMEOUT_MS 3000
/* webrtcbin answers each step in milliseconds; this only bounds a stuck one. */
#define PROMISE_TIMEOUT_MS 2000
/* How often a wait looks whether the peer was closed meanwhile. */
#define WAIT_SLICE_MS 20

/* Every failure of negotiation is the daemon's, not the offer's (which
 * prepare checked): unavailable, as the API answers it. */
static void no_answer(tolk_error *err, const char *reason)
{
    tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "no WebRTC answer: %s", reason);
}

/* The id is a capability (webrtc.h): only the kernel's random bytes will do. */
static bool make_id(char id[TOLK_WEBRTC_ID_LEN + 1])
{
    return tolk_random_token(TOLK_WEBRTC_ID_LEN / 2, TOLK_TOKEN_HEX, id, TOLK_WEBRTC_ID_LEN + 1);
}

/* Nobody runs a main loop for a peer's bus: log what matters and drop all, so
 * messages never pile up. The handler owns its copy of the id.
 * A sync handler that returns GST_BUS_DROP owns the message and must unref it
 * (GstBusSyncHandler): a message keeps its source alive, so one kept message
 * (every state change posts some) kept the webrtcbin, its ICE agent and that
 * agent's "webrtcbinN:ice" thread, and the whole pipeline, for good. */
static GstBusSyncReply on_bus_message(GstBus *bus, GstMessage *message, gpointer user_data)
{
    (void)bus;
    GError *error = NULL;
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
        gst_message_parse_error(message, &error, NULL);
        LOG_WARN("WebRTC peer %s: %s", (const char *)user_data, error->message);
    } else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING) {
        gst_message_parse_warning(message, &error, NULL);
        LOG_DEBUG("WebRTC peer %s: %s", (const char *)user_data, error->message);
    }
    g_clear_error(&error);
    gst_message_unref(message);
    return GST_BUS_DROP;
}

static void on_gathering_state(GObject *webrtc, GParamSpec *pspec, gpointer user_data)
{
    (void)pspec;
    tolk_webrtc_peer *peer = user_data;
    GstWebRTCICEGatheringState state;
    g_object_get(webrtc, "ice-gathering-state", &state, NULL);
    if (state != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
        return;
    g_mutex_lock(&peer->lock);
    peer->gathered = TRUE;
    g_cond_broadcast(&peer->cond);
    g_mutex_unlock(&peer->lock);
}

GstElement *tolk_webrtc_peer_add(tolk_webrtc_peer *peer, const char *factory)
{
    GstElement *element = gst_element_factory_make(factory, NULL);
    if (!element) {
        LOG_ERROR("GStreamer element %s is missing: install its plugin%s", factory,
                  g_str_equal(factory, "webrtcbin") ? " (and gstreamer1.0-nice)" : "");
        return NULL;
    }
    gst_bin_add(GST_BIN(peer->pipeline), element);
    return element;
}

/* RFC 7587: always opus/48000/2 in SDP, even for mono (browsers match codecs
 * on the channel count too). */
GstCaps *tolk_webrtc_rtp_caps(unsigned pt)
{
    return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "audio", "encoding-name",
                               G_TYPE_STRING, "OPUS", "clock-rate", G_TYPE_INT, 48000, "encoding-params",
                               G_TYPE_STRING, "2", "payload", G_TYPE_INT, (int)pt, NULL);
}

static void configure_webrtcbin(GstElement *webrtc, const tolk_webrtc_config *cfg)
{
    g_object_set(webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency",
                 cfg && cfg->latency_ms ? cfg->latency_ms : DEFAULT_LATENCY_MS, NULL);
    if (cfg && cfg->stun_server && *cfg->stun_server)
        g_object_set(webrtc, "stun-server", cfg->stun_server, NULL);
    if (cfg && cfg->turn_server && *cfg->turn_server)
        g_object_set(webrtc, "turn-server", cfg->turn_server, NULL);
    tolk_webrtc_ice_configure(webrtc, cfg);
}

static bool add_webrtcbin(tolk_webrtc_peer *peer, const tolk_webrtc_config *cfg)
{
    peer->webrtc = tolk_webrtc_peer_add(peer, "webrtcbin");
    if (!peer->webrtc)
        return false;
    configure_webrtcbin(peer->webrtc, cfg);
    g_signal_connect(peer->webrtc, "notify::ice-gathering-state", G_CALLBACK(on_gathering_state), peer);
    return true;
}

tolk_webrtc_peer *tolk_webrtc_peer_alloc(peer_kind kind, const char *offer_sdp, const tolk_webrtc_config *cfg,
                                         tolk_error *err)
{
    peer_offer offer;
    if (!tolk_webrtc_parse_offer(offer_sdp, &offer, kind == PEER_CAMERA, err))
        return NULL;
    if (!tolk_webrtc_offer_direction_fits(offer_sdp, &offer, kind, err)) {
        tolk_webrtc_offer_clear(&offer);
        return NULL;
    }
    tolk_webrtc_peer *peer = g_new0(tolk_webrtc_peer, 1);
    peer->refs = 1;
    peer->kind = kind;
    peer->offer = offer;
    if (!make_id(peer->id)) {
        tolk_webrtc_offer_clear(&offer);
        g_free(peer);
        tolk_webrtc_offer_refused(err, "no random bytes for the resource id");
        return NULL;
    }
    static gint next_name;
    g_snprintf(peer->name, sizeof peer->name, "p%d", g_atomic_int_add(&next_name, 1) + 1);
    peer->gather_timeout_ms = cfg && cfg->gather_timeout_ms ? cfg->gather_timeout_ms : DEFAULT_GATHER_TIMEOUT_MS;
    g_mutex_init(&peer->close_lock);
    g_mutex_init(&peer->stop_lock);
    g_mutex_init(&peer->lock);
    g_mutex_init(&peer->video_lock);
    g_cond_init(&peer->cond);
    peer->pipeline = gst_pipeline_new(NULL);
    GstBus *bus = gst_pipeline_get_bus(GST_PIPELINE(peer->pipeline));
    gst_bus_set_sync_handler(bus, on_bus_message, g_strdup(peer->name), g_free);
    gst_object_unref(bus);
    if (!add_webrtcbin(peer, cfg)) {
        tolk_webrtc_offer_refused(err, "the WebRTC stack is not installed (webrtcbin)");
        tolk_webrtc_peer_unref(peer);
        return NULL;
    }
    return peer;
}

/* ---- waiting for webrtcbin ---------------------------------------------- */

/* Lives as long as its promise (freed by the promise's destroy notify), so a
 * late reply after we gave up touches nothing that is gone. */
typedef struct {
    GMutex lock;
    GCond cond;
    gboolean done;
} promise_waiter;

static void waiter_free(gpointer data)
{
    promise_waiter *w = data;
    g_mutex_clear(&w->lock);
    g_cond_clear(&w->cond);
    g_free(w);
}

static void on_promise_changed(GstPromise *promise, gpointer data)
{
    (void)promise;
    promise_waiter *w = data;
    g_mutex_lock(&w->lock);
    w->done = TRUE;
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);
}

static GstPromise *promise_new(promise_waiter **waiter)
{
    promise_waiter *w = g_new0(promise_waiter, 1);
    g_mutex_init(&w->lock);
    g_cond_init(&w->cond);
    *waiter = w;
    return gst_promise_new_with_change_func(on_promise_changed, w, waiter_free);
}

static bool peer_closed(tolk_webrtc_peer *peer)
{
    return g_atomic_int_get(&peer->closed) != 0;
}

/* gst_promise_wait has no timeout: wait on our own condition instead, in
 * slices, so that a close meanwhile ends the wait at once. The caller holds a
 * reference to the promise, which keeps the waiter alive. */
static bool waiter_wait(tolk_webrtc_peer *peer, promise_waiter *w)
{
    gint64 deadline = g_get_monotonic_time() + PROMISE_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&w->lock);
    while (!w->done && !peer_closed(peer) && g_get_monotonic_time() < deadline) {
        gint64 slice = g_get_monotonic_time() + WAIT_SLICE_MS * G_TIME_SPAN_MILLISECOND;
        g_cond_wait_until(&w->cond, &w->lock, MIN(slice, deadline));
    }
    gboolean done = w->done;
    g_mutex_unlock(&w->lock);
    return done;
}

/* Emits `action` with (arg, promise) and waits for the reply. Returns a copy of
 * the reply (NULL means "no reply structure", which is success for the
 * set-*-description actions) in *reply; false with *err on error. */
static bool run_action(tolk_webrtc_peer *peer, const char *action, gpointer arg, GstStructure **reply,
                       tolk_error *err)
{
    promise_waiter *w;
    GstPromise *promise = promise_new(&w);
    g_signal_emit_by_name(peer->webrtc, action, arg, promise);
    bool done = waiter_wait(peer, w);
    if (!done) {
        gst_promise_interrupt(promise);
        char reason[96];
        g_snprintf(reason, sizeof reason, peer_closed(peer) ? "closed while answering" : "WebRTC %s timed out",
                   action);
        no_answer(err, reason);
        gst_promise_unref(promise);
        return false;
    }
    /* Done, so this returns at once. */
    bool replied = gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED;
    const GstStructure *s = replied ? gst_promise_get_reply(promise) : NULL;
    GError *error = NULL;
    if (s && gst_structure_has_field(s, "error"))
        gst_structure_get(s, "error", G_TYPE_ERROR, &error, NULL);
    if (error || !replied) {
        char reason[sizeof err->message];
        g_snprintf(reason, sizeof reason, "WebRTC %s failed: %s", action, error ? error->message : "no reply");
        LOG_WARN_AT(&peer->where, "WebRTC peer %s: %s", peer->name, reason);
        no_answer(err, reason);
        g_clear_error(&error);
        gst_promise_unref(promise);
        return false;
    }
    *reply = s ? gst_structure_copy(s) : NULL;
    gst_promise_unref(promise);
    return true;
}

/* ---- the answer ---------------------------------------------------------- */

/* Under close_lock, so a close that ran before never sees its pipeline
 * restarted. Negotiation happens once per peer. */
static bool start_pipeline(tolk_webrtc_peer *peer, tolk_error *err)
{
    g_mutex_lock(&peer->close_lock);
    g_mutex_lock(&peer->lock);
    bool ok = !peer_closed(peer) && !peer->negotiating;
    peer->negotiating = TRUE;
    g_mutex_unlock(&peer->lock);
    if (!ok)
        no_answer(err, peer_closed(peer) ? "closed while answering" : "already answered");
    else if (gst_element_set_state(peer->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        no_answer(err, "could not start the WebRTC pipeline");
        ok = false;
    }
    g_mutex_unlock(&peer->close_lock);
    return ok;
}

static bool set_description(tolk_webrtc_peer *peer, const char *action, GstWebRTCSessionDescription *desc,
                            tolk_error *err)
{
    GstStructure *reply = NULL;
    bool ok = run_action(peer, action, desc, &reply, err);
    if (reply)
        gst_structure_free(reply);
    return ok;
}

static bool set_remote_offer(tolk_webrtc_peer *peer, tolk_error *err)
{
    GstSDPMessage *sdp = NULL;
    if (gst_sdp_message_new_from_text(peer->offer.text, &sdp) != GST_SDP_OK) {
        no_answer(err, "the offer is not SDP");
        return false;
    }
    GstWebRTCSessionDescription *desc = gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp);
    bool ok = set_description(peer, "set-remote-description", desc, err);
    gst_webrtc_session_description_free(desc);
    return ok;
}

static GstWebRTCSessionDescription *create_answer(tolk_webrtc_peer *peer, tolk_error *err)
{
    GstStructure *reply = NULL;
    if (!run_action(peer, "create-answer", NULL, &reply, err))
        return NULL;
    GstWebRTCSessionDescription *answer = NULL;
    if (reply) {
        gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
        gst_structure_free(reply);
    }
    if (!answer)
        no_answer(err, "webrtcbin created no answer");
    return answer;
}

/* webrtcbin rejects (port 0, out of the bundle) or idles an m-line whose codecs it cannot
 * match: the Opus one, or a video-only camera's video. */
static bool answer_accepts_opus(tolk_webrtc_peer *peer, const GstWebRTCSessionDescription *answer, tolk_error *err)
{
    if (tolk_webrtc_answer_takes(answer->sdp, tolk_webrtc_offer_main_mline(&peer->offer)))
        return true;
    no_answer(err, peer->offer.has_audio ? "could not agree on Opus audio with the offer"
                                         : "could not agree on the video with the offer");
    return false;
}

/* Bounded: past the timeout the answer carries what was gathered so far. */
static bool wait_gathering(tolk_webrtc_peer *peer, tolk_error *err)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)peer->gather_timeout_ms * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&peer->lock);
    while (!peer->gathered && !peer_closed(peer)) {
        if (!g_cond_wait_until(&peer->cond, &peer->lock, deadline)) {
            LOG_INFO_AT(&peer->where, "WebRTC peer %s: ICE gathering not complete after %u ms, answering with what it has",
                        peer->name, peer->gather_timeout_ms);
            break;
        }
    }
    g_mutex_unlock(&peer->lock);
    if (peer_closed(peer))
        no_answer(err, "closed while answering");
    return !peer_closed(peer);
}

/* The answer's ICE ufrag names the ICE session: it changes exactly when an ICE
 * restart would, which is what RFC 9725 asks of the ETag. */
static void set_etag(tolk_webrtc_peer *peer, const GstSDPMessage *sdp)
{
    const char *ufrag = gst_sdp_message_medias_len(sdp) > 0
                            ? gst_sdp_media_get_attribute_val(gst_sdp_message_get_media(sdp, 0), "ice-ufrag")
                            : NULL;
    if (!ufrag)
        ufrag = gst_sdp_message_get_attribute_val(sdp, "ice-ufrag");
    g_snprintf(peer->etag, sizeof peer->etag, "\"%s\"", ufrag ? ufrag : peer->name);
}

static char *local_sdp_text(tolk_webrtc_peer *peer, tolk_error *err)
{
    GstWebRTCSessionDescription *desc = NULL;
    g_object_get(peer->webrtc, "local-description", &desc, NULL);
    if (!desc) {
        no_answer(err, "webrtcbin has no local description");
        return NULL;
    }
    if (peer->kind != PEER_WHEP)
        tolk_webrtc_whip_video_answer(peer, desc->sdp);
    char *text = gst_sdp_message_as_text(desc->sdp);
    set_etag(peer, desc->sdp);
    gst_webrtc_session_description_free(desc);
    return text;
}

static bool apply_answer(tolk_webrtc_peer *peer, tolk_error *err)
{
    GstWebRTCSessionDescription *answer = create_answer(peer, err);
    if (!answer)
        return false;
    bool ok = answer_accepts_opus(peer, answer, err) &&
              set_description(peer, "set-local-description", answer, err);
    gst_webrtc_session_description_free(answer);
    return ok;
}

tolk_webrtc_peer *tolk_webrtc_peer_build(peer_kind kind, const char *offer_sdp, const tolk_webrtc_config *cfg,
                                         bool (*build)(tolk_webrtc_peer *, void *), void *ctx, const char *failure,
                                         tolk_error *err)
{
    tolk_webrtc_peer *peer = tolk_webrtc_peer_alloc(kind, offer_sdp, cfg, err);
    if (peer && !build(peer, ctx)) {
        tolk_webrtc_offer_refused(err, "%s", failure);
        LOG_ERROR_AT(&peer->where, "WebRTC peer %s: %s", peer->name, failure);
        tolk_webrtc_peer_unref(peer);
        return NULL;
    }
    return peer;
}

tolk_webrtc_peer *tolk_webrtc_peer_answered(tolk_webrtc_peer *peer, char **answer_sdp, tolk_error *err)
{
    if (peer && !(*answer_sdp = tolk_webrtc_peer_negotiate(peer, err))) {
        tolk_webrtc_peer_unref(peer);
        return NULL;
    }
    return peer;
}

char *tolk_webrtc_peer_negotiate(tolk_webrtc_peer *peer, tolk_error *err)
{
    if (!start_pipeline(peer, err) || !set_remote_offer(peer, err) ||
        !apply_answer(peer, err))
        return NULL;
    g_atomic_int_set(&peer->answered, 1);
    if (!wait_gathering(peer, err))
        return NULL;
    char *answer = local_sdp_text(peer, err);
    if (answer)
        LOG_INFO_AT(&peer->where, "WebRTC peer %s: %s answered (%s %u)", peer->name,
                    peer->kind == PEER_WHEP ? "WHEP" : "WHIP",
                    peer->offer.has_audio ? "Opus payload type" : "video only, m-line", /* a hall camera */
                    peer->offer.has_audio ? peer->offer.opus_pt : peer->offer.video_mline);
    return answer;
}

/* ---- life cycle ------------------------------------------------------------ */

tolk_webrtc_peer *tolk_webrtc_peer_ref(tolk_webrtc_peer *peer)
{
    g_atomic_int_inc(&peer->refs);
    return peer;
}

/* Cuts the peer off its stream or input first (a barrier: see webrtc.h), then
 * stops its pipeline. */
void tolk_webrtc_peer_detach(tolk_webrtc_peer *peer)
{
    g_mutex_lock(&peer->lock);
    g_atomic_int_set(&peer->closed, 1);
    tolk_stream *stream = peer->stream;
    peer->stream = NULL;
    peer->input = NULL; /* the WHIP appsink pushes under this lock */
    g_cond_broadcast(&peer->cond);
    g_mutex_unlock(&peer->lock);
    if (stream)
        tolk_stream_unsubscribe(stream, peer->subscription);
    tolk_webrtc_video_detach(peer);
}

/* The pipeline stops without close_lock held: stopping waits for the streaming threads, and
 * one may be waiting for close_lock in pad-added (webrtc_whip.c), which then sees `stopped`
 * and adds nothing. Every closer waits on stop_lock until the pipeline has stopped. */
void tolk_webrtc_peer_close(tolk_webrtc_peer *peer)
{
    g_mutex_lock(&peer->close_lock);
    tolk_webrtc_peer_detach(peer);
    bool first = !peer->stopped;
    peer->stopped = TRUE;
    g_mutex_unlock(&peer->close_lock);
    g_mutex_lock(&peer->stop_lock);
    gst_element_set_state(peer->pipeline, GST_STATE_NULL);
    g_mutex_unlock(&peer->stop_lock);
    if (first)
        LOG_DEBUG_AT(&peer->where, "WebRTC peer %s: closed", peer->name);
}

void tolk_webrtc_peer_unref(tolk_webrtc_peer *peer)
{
    if (!peer || !g_atomic_int_dec_and_test(&peer->refs))
        return;
    tolk_webrtc_peer_close(peer);
    /* Stopped: no streaming thread runs; the ICE agent's thread ends with the
     * pipeline, and handlers are gone before that. */
    if (peer->webrtc)
        g_signal_handlers_disconnect_by_data(peer->webrtc, peer);
    gst_object_unref(peer->pipeline);
    tolk_webrtc_offer_clear(&peer->offer);
    tolk_key_wipe(peer->id, sizeof peer->id);
    g_mutex_clear(&peer->close_lock);
    g_mutex_clear(&peer->stop_lock);
    g_mutex_clear(&peer->lock);
    g_mutex_clear(&peer->video_lock);
    g_cond_clear(&peer->cond);
    g_free(peer);
}

/* ---- trickle, state, id ----------------------------------------------------- */

static void add_candidate(void *ctx, guint mline, const char *candidate)
{
    tolk_webrtc_peer *peer = ctx;
    g_signal_emit_by_name(peer->webrtc, "add-ice-candidate", mline, candidate);
}

bool tolk_webrtc_peer_add_candidates(tolk_webrtc_peer *peer, const char *sdpfrag, tolk_error *err)
{
    if (peer_closed(peer)) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_candidates", NULL, "the peer is closed");
        return false;
    }
    return tolk_webrtc_parse_sdpfrag(sdpfrag, &peer->offer, add_candidate, peer, err);
}

const char *tolk_webrtc_peer_etag(tolk_webrtc_peer *peer)
{
    return peer->etag;
}

static tolk_webrtc_state map_connection_state(GstWebRTCPeerConnectionState state)
{
    switch (state) {
    case GST_WEBRTC_PEER_CONNECTION_STATE_NEW:
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING:
    case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED: /* may come back: ICE keeps checking */
        return TOLK_WEBRTC_CONNECTING;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
        return TOLK_WEBRTC_CONNECTED;
    case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED:
        return TOLK_WEBRTC_FAILED;
    default:
        return TOLK_WEBRTC_CLOSED;
    }
}

tolk_webrtc_state tolk_webrtc_peer_state(tolk_webrtc_peer *peer)
{
    if (peer_closed(peer))
        return TOLK_WEBRTC_CLOSED;
    g_mutex_lock(&peer->lock);
    gboolean negotiating = peer->negotiating;
    g_mutex_unlock(&peer->lock);
    if (!negotiating)
        return TOLK_WEBRTC_NEW;
    GstWebRTCPeerConnectionState state;
    GstWebRTCICEConnectionState ice;
    g_object_get(peer->webrtc, "connection-state", &state, "ice-connection-state", &ice, NULL);
    /* A failed ICE is final even while the DTLS part has not noticed yet. */
    return ice == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED ? TOLK_WEBRTC_FAILED : map_connection_state(state);
}

const char *tolk_webrtc_state_name(tolk_webrtc_state state)
{
    static const char *const names[] = {"new", "connecting", "connected", "failed", "closed"};
    return (unsigned)state < G_N_ELEMENTS(names) ? names[state] : "unknown";
}

const char *tolk_webrtc_peer_id(tolk_webrtc_peer *peer)
{
    return peer->id;
}

void tolk_webrtc_peer_set_where(tolk_webrtc_peer *peer, const tolk_log_where *where)
{
    g_strlcpy(peer->sitting, where->sitting ? where->sitting : "", sizeof peer->sitting);
    g_strlcpy(peer->console, where->console ? where->console : "", sizeof peer->console);
    g_strlcpy(peer->channel, where->channel ? where->channel : "", sizeof peer->channel);
    peer->where = (tolk_log_where){where->sitting ? peer->sitting : NULL, where->console ? peer->console : NULL,
                                   where->channel ? peer->channel : NULL, NULL};
}

const char *tolk_webrtc_peer_name(tolk_webrtc_peer *peer)
{
    return peer->name;
}
