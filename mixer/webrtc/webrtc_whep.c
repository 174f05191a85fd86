/* SPDX-License-Identifier: EUPL-1.2 */
/* WHEP: a browser receives a stream. appsrc (the stream's Opus frames, as
 * they are) ! rtpopuspay ! webrtcbin: per listener only payloading and
 * DTLS-SRTP, never an encoder. */
#include <gst/app/gstappsrc.h>
#include <gst/webrtc/webrtc.h>

#include "engine.h"
#include "webrtc_private.h"

#define TOLK_LOG_MODULE "webrtc"
#include "log.h"

/* About 10 frames at 64 kb/s: a listener that cannot keep up loses frames
 * instead of delaying the channel or growing memory. */
#define APPSRC_MAX_BYTES 2048

/* A frame this late after its tick is a stall, not the path: it moves the lag no further. */
#define LAG_MAX_US (200 * 1000)

/* For lip sync (docs/video.md, "Lip sync"): how long after its tick was due this frame reached
 * the peer (mixing, hearing protection, encoding, the fan-out), smoothed over about 16 frames
 * so one late tick barely moves the picture. The floor video's viewer adds it to the time its
 * packets arrive (webrtc_whep_video.c). */
static void note_audio_lag(tolk_webrtc_peer *peer, guint64 pts_ns)
{
    uint64_t due_ns = tolk_engine_tick_time_ns(pts_ns);
    if (!due_ns)
        return;
    gint64 lag = CLAMP(g_get_monotonic_time() - (gint64)(due_ns / 1000), 0, LAG_MAX_US);
    gint64 old = atomic_load(&peer->audio_lag_us);
    atomic_store(&peer->audio_lag_us, old ? old + (lag - old) / 16 : MAX(lag, 1));
}

/* On the stream's media thread, under its lock: copy and hand over, never
 * block. A full appsrc drops its oldest frames (leaky downstream), so a
 * listener that catches up hears the present, not the backlog; before the
 * pipeline runs (or after it stopped) the push is refused and the frame freed. */
static void on_frame(void *ctx, const guint8 *data, gsize size, guint64 pts_ns)
{
    tolk_webrtc_peer *peer = ctx; /* the appsrc stamps on arrival, in this pipeline's running time */
    if (!g_atomic_int_get(&peer->answered)) /* see webrtc_private.h: not during negotiation */
        return;
    note_audio_lag(peer, pts_ns);
    gst_app_src_push_buffer(GST_APP_SRC(peer->appsrc), gst_buffer_new_memdup(data, size));
}

static void configure_appsrc(GstElement *appsrc)
{
    GstCaps *caps = gst_caps_new_simple("audio/x-opus", "channel-mapping-family", G_TYPE_INT, 0, "channels",
                                        G_TYPE_INT, 1, "rate", G_TYPE_INT, 48000, NULL);
    g_object_set(appsrc, "caps", caps, "is-live", TRUE, "do-timestamp", TRUE, "format", GST_FORMAT_TIME,
                 "max-bytes", (guint64)APPSRC_MAX_BYTES, "leaky-type", GST_APP_LEAKY_TYPE_DOWNSTREAM,
                 "block", FALSE, NULL);
    gst_caps_unref(caps);
}

/* The sink pad's transceiver sends only, and with the payload type the browser offered
 * (Chromium 111, Firefox 109 for Opus), so webrtcbin matches it to the offer's m-line. */
bool tolk_webrtc_link_sender(tolk_webrtc_peer *peer, GstElement *element, GstCaps *caps)
{
    GstPad *sink = gst_element_request_pad_simple(peer->webrtc, "sink_%u");
    GstPad *src = gst_element_get_static_pad(element, "src");
    bool ok = sink && gst_pad_link(src, sink) == GST_PAD_LINK_OK;
    if (ok) {
        GstWebRTCRTPTransceiver *transceiver = NULL;
        g_object_get(sink, "transceiver", &transceiver, NULL);
        g_object_set(transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, "codec-preferences",
                     caps, NULL);
        gst_object_unref(transceiver);
    }
    gst_object_unref(src);
    if (sink)
        gst_object_unref(sink);
    return ok;
}

static bool link_to_webrtcbin(tolk_webrtc_peer *peer, GstElement *payloader)
{
    GstCaps *caps = tolk_webrtc_rtp_caps(peer->offer.opus_pt);
    bool ok = tolk_webrtc_link_sender(peer, payloader, caps);
    gst_caps_unref(caps);
    return ok;
}

/* ctx: the floor video (NULL: audio only). */
static bool build_send_chain(tolk_webrtc_peer *peer, void *ctx)
{
    peer->appsrc = tolk_webrtc_peer_add(peer, "appsrc");
    GstElement *payloader = tolk_webrtc_peer_add(peer, "rtpopuspay");
    if (!peer->appsrc || !payloader)
        return false;
    configure_appsrc(peer->appsrc);
    g_object_set(payloader, "pt", peer->offer.opus_pt, NULL);
    return gst_element_link(peer->appsrc, payloader) && link_to_webrtcbin(peer, payloader) &&
           (!ctx || tolk_webrtc_whep_video_build(peer, ctx));
}

tolk_webrtc_peer *tolk_webrtc_whep_prepare_with_video(const char *offer_sdp, tolk_stream *stream,
                                                      tolk_video_feed *video, const tolk_webrtc_config *cfg,
                                                      tolk_error *err)
{
    tolk_webrtc_peer *peer = tolk_webrtc_peer_build(PEER_WHEP, offer_sdp, cfg, build_send_chain, video,
                                                    "could not build the WHEP pipeline (GStreamer plugins missing?)",
                                                    err);
    if (!peer)
        return NULL;
    peer->stream = stream;
    peer->subscription = tolk_stream_subscribe(stream, on_frame, peer);
    tolk_webrtc_whep_video_subscribe(peer);
    return peer;
}

tolk_webrtc_peer *tolk_webrtc_whep_prepare(const char *offer_sdp, tolk_stream *stream,
                                           const tolk_webrtc_config *cfg, tolk_error *err)
{
    return tolk_webrtc_whep_prepare_with_video(offer_sdp, stream, NULL, cfg, err);
}

tolk_webrtc_peer *tolk_webrtc_whep_new(const char *offer_sdp, tolk_stream *stream,
                                       const tolk_webrtc_config *cfg, char **answer_sdp, tolk_error *err)
{
    return tolk_webrtc_peer_answered(tolk_webrtc_whep_prepare(offer_sdp, stream, cfg, err), answer_sdp,
                                     err);
}
