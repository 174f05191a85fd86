/* SPDX-License-Identifier: EUPL-1.2 */
/* WHIP: a browser sends audio into an input. webrtcbin's received RTP (DTLS-SRTP already
 * removed) goes to an appsink whose callback puts each packet into the input's reorder
 * buffer, exactly where the SRTP path puts its packets: one decoder, one concealment, the
 * same rule 8 for both. */
#include <gst/app/gstappsink.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "media_input.h"
#include "webrtc_private.h"

#define TOLK_LOG_MODULE "webrtc"
#include "log.h"

/* Under peer->lock: close clears peer->input under it, so after close no
 * push is in progress and none comes. tolk_media_input_push_rtp never blocks. */
static void push_received(void *ctx, const guint8 *data, gsize size)
{
    tolk_webrtc_peer *peer = ctx;
    g_mutex_lock(&peer->lock);
    if (peer->input)
        tolk_media_input_push_rtp(peer->input, data, size);
    g_mutex_unlock(&peer->lock);
}

static GstFlowReturn on_sample(GstAppSink *sink, gpointer user_data)
{
    return tolk_webrtc_take_sample(sink, push_received, user_data);
}

/* The input stamps on arrival. */
static GstElement *build_receive_chain(tolk_webrtc_peer *peer)
{
    return tolk_webrtc_add_appsink(peer, on_sample, 10);
}

static bool pad_is_opus(GstPad *pad)
{
    char *name = tolk_webrtc_pad_caps_string(pad, "encoding-name");
    bool opus = name && g_ascii_strcasecmp(name, "OPUS") == 0;
    g_free(name);
    return opus;
}

static void link_received(tolk_webrtc_peer *peer, GstPad *pad)
{
    if (tolk_webrtc_whip_video_link(peer, pad))
        return;
    GstElement *first = pad_is_opus(pad) ? build_receive_chain(peer) : NULL;
    if (!first) {
        /* Not ours to decode: sink it so webrtcbin never sees not-linked. */
        LOG_WARN_AT(&peer->where, "WebRTC peer %s: ignoring a received stream that is not Opus", peer->name);
        if (!(first = tolk_webrtc_peer_add(peer, "fakesink")))
            return;
        gst_element_sync_state_with_parent(first);
    }
    GstPad *sink = gst_element_get_static_pad(first, "sink");
    if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
        LOG_WARN_AT(&peer->where, "WebRTC peer %s: could not link the received audio", peer->name);
    gst_object_unref(sink);
}

/* On a webrtcbin streaming thread, one per received stream (audio and video come on two at
 * once). close_lock serialises them, and with close, which never stops the pipeline under it
 * (webrtc_peer.c): a peer that is stopping gets nothing added. */
static void on_pad_added(GstElement *webrtc, GstPad *pad, gpointer user_data)
{
    (void)webrtc;
    tolk_webrtc_peer *peer = user_data;
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
        return;
    g_mutex_lock(&peer->close_lock);
    if (!peer->stopped && !g_atomic_int_get(&peer->closed))
        link_received(peer, pad);
    g_mutex_unlock(&peer->close_lock);
}

static bool add_receiver(tolk_webrtc_peer *peer, void *ctx)
{
    (void)ctx; /* peer->video is set already when the camera's video is wanted */
    if (peer->offer.has_audio && !tolk_webrtc_add_receiving(peer, tolk_webrtc_rtp_caps(peer->offer.opus_pt)))
        return false;
    g_signal_connect(peer->webrtc, "pad-added", G_CALLBACK(on_pad_added), peer);
    return !peer->video || tolk_webrtc_whip_video_build(peer);
}

/* The video and its source are the build's context: set before the transceivers are added. */
typedef struct {
    tolk_video_feed *video;
    int source;
} whip_video;

static bool add_receivers(tolk_webrtc_peer *peer, void *ctx)
{
    const whip_video *v = ctx;
    peer->video = v->video;
    peer->video_source = v->source;
    return add_receiver(peer, NULL);
}

tolk_webrtc_peer *tolk_webrtc_whip_prepare_with_video(const char *offer_sdp, tolk_media_input *input,
                                                      tolk_video_feed *video, int source,
                                                      const tolk_webrtc_config *cfg, tolk_error *err)
{
    whip_video v = {video, source};
    /* No input: the video-only route, whose camera may send no audio. */
    tolk_webrtc_peer *peer = tolk_webrtc_peer_build(video && !input ? PEER_CAMERA : PEER_WHIP, offer_sdp, cfg,
                                                    add_receivers, &v,
                                                    "could not add a receiving transceiver", err);
    if (peer)
        peer->input = input;
    return peer;
}

tolk_webrtc_peer *tolk_webrtc_whip_prepare(const char *offer_sdp, tolk_media_input *input,
                                           const tolk_webrtc_config *cfg, tolk_error *err)
{
    return tolk_webrtc_whip_prepare_with_video(offer_sdp, input, NULL, -1, cfg, err);
}

tolk_webrtc_peer *tolk_webrtc_whip_new(const char *offer_sdp, tolk_media_input *input,
                                       const tolk_webrtc_config *cfg, char **answer_sdp, tolk_error *err)
{
    return tolk_webrtc_peer_answered(tolk_webrtc_whip_prepare(offer_sdp, input, cfg, err), answer_sdp,
                                     err);
}
