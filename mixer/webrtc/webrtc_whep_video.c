/* SPDX-License-Identifier: EUPL-1.2 */
/* The floor video of a WHEP viewer (issue 11, docs/video.md): appsrc (the feed's line, packets
 * as they are, the payload type made the one the viewer offered) ! webrtcbin, sending only. No
 * decoder, encoder or payloader per viewer: DTLS-SRTP is all it costs. Also what WHEP and
 * WHIP share: the video caps and the detach. */
#include <gst/app/gstappsrc.h>

#include "webrtc_private.h"

#define TOLK_LOG_MODULE "webrtc"
#include "log.h"

/* About 1.4 s of a 1.5 Mb/s picture. Past it the viewer's link is too slow: it misses packets
 * from there to the next key frame (video_feed.h), whole frames, never a broken picture. */
#define VIDEO_QUEUE_BYTES (256 * 1024)

const char *const tolk_webrtc_video_codec_names[] = {[TOLK_VIDEO_H264] = "H264", [TOLK_VIDEO_VP8] = "VP8"};

/* With the feedback a viewer needs to ask for a key frame (RFC 4585 PLI, RFC 5104 FIR), and the
 * line's SSRC: webrtcbin's funnel finds the pad to send a viewer's request up by it. */
GstCaps *tolk_webrtc_video_caps(tolk_video_codec codec, unsigned pt, uint32_t ssrc)
{
    GstCaps *caps = gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name",
                                        G_TYPE_STRING, tolk_webrtc_video_codec_names[codec], "clock-rate", G_TYPE_INT, 90000,
                                        "payload", G_TYPE_INT, (int)pt, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
                                        "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE, NULL);
    if (ssrc)
        gst_caps_set_simple(caps, "ssrc", G_TYPE_UINT, ssrc, NULL);
    if (codec == TOLK_VIDEO_H264)
        gst_caps_set_simple(caps, "packetization-mode", G_TYPE_STRING, "1", NULL);
    return caps;
}

/* On the feed's push thread, under its lock: copy, retag, hand over, never block. */
static bool on_video_packet(void *ctx, const uint8_t *rtp, size_t len)
{
    tolk_webrtc_peer *peer = ctx;
    GstAppSrc *appsrc = GST_APP_SRC(peer->video_appsrc);
    if (gst_app_src_get_current_level_bytes(appsrc) + len > VIDEO_QUEUE_BYTES)
        return false;
    GstBuffer *buffer = gst_buffer_new_memdup(rtp, len);
    GstMapInfo map;
    gst_buffer_map(buffer, &map, GST_MAP_WRITE);
    map.data[1] = (guint8)((map.data[1] & 0x80) | peer->video_pt);
    gst_buffer_unmap(buffer, &map);
    /* Refused before the pipeline runs: the viewer then waits for a key frame. */
    return gst_app_src_push_buffer(appsrc, buffer) == GST_FLOW_OK;
}

/* A viewer's PLI or FIR comes up from webrtcbin's RTP session as a GstForceKeyUnit event. */
static GstPadProbeReturn on_upstream_event(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    (void)pad;
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) != GST_EVENT_CUSTOM_UPSTREAM || !gst_event_has_name(event, "GstForceKeyUnit"))
        return GST_PAD_PROBE_OK;
    tolk_webrtc_peer *peer = data;
    g_mutex_lock(&peer->lock);
    if (peer->video)
        tolk_video_feed_request_keyframe(peer->video, g_get_monotonic_time());
    g_mutex_unlock(&peer->lock);
    return GST_PAD_PROBE_DROP;
}

static GstElement *add_appsrc(tolk_webrtc_peer *peer, GstCaps *caps)
{
    GstElement *appsrc = tolk_webrtc_peer_add(peer, "appsrc");
    if (!appsrc)
        return NULL;
    g_object_set(appsrc, "caps", caps, "is-live", TRUE, "do-timestamp", TRUE, "format", GST_FORMAT_TIME, "block",
                 FALSE, "max-bytes", (guint64)VIDEO_QUEUE_BYTES, NULL);
    GstPad *src = gst_element_get_static_pad(appsrc, "src");
    gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_upstream_event, peer, NULL);
    gst_object_unref(src);
    return appsrc;
}

bool tolk_webrtc_whep_video_build(tolk_webrtc_peer *peer, tolk_video_feed *video)
{
    tolk_video_codec codec = tolk_video_feed_codec(video);
    if (!peer->offer.video_offered[codec]) {
        LOG_INFO_AT(&peer->where, "WebRTC peer %s: the offer takes no %s video: audio only", peer->name,
                    tolk_webrtc_video_codec_names[codec]);
        return true;
    }
    peer->video_pt = peer->offer.video_pt[codec];
    GstCaps *caps = tolk_webrtc_video_caps(codec, peer->video_pt, tolk_video_feed_ssrc(video));
    peer->video_appsrc = add_appsrc(peer, caps);
    bool ok = peer->video_appsrc && tolk_webrtc_link_sender(peer, peer->video_appsrc, caps);
    gst_caps_unref(caps);
    if (ok)
        peer->video = video;
    return ok;
}

void tolk_webrtc_whep_video_subscribe(tolk_webrtc_peer *peer)
{
    if (peer->video)
        peer->video_subscription = tolk_video_feed_subscribe(peer->video, on_video_packet, peer, g_get_monotonic_time());
}

void tolk_webrtc_video_detach(tolk_webrtc_peer *peer)
{
    g_mutex_lock(&peer->lock);
    tolk_video_feed *video = peer->video;
    peer->video = NULL;
    g_mutex_unlock(&peer->lock);
    g_mutex_lock(&peer->video_lock);
    GstPad *pad = peer->video_pad;
    peer->video_pad = NULL;
    g_mutex_unlock(&peer->video_lock);
    if (video && peer->video_subscription)
        tolk_video_feed_unsubscribe(video, peer->video_subscription);
    if (pad)
        gst_object_unref(pad);
}
