/* SPDX-License-Identifier: EUPL-1.2 */
/* The floor video of a WHEP viewer (issue 11, docs/video.md): appsrc (the feed's line, packets
 * as they are, the payload type made the one the viewer offered) ! webrtcbin, sending only. No
 * decoder, encoder or payloader per viewer: DTLS-SRTP is all it costs. Also what WHEP and
 * WHIP share: the video caps and the detach. */
#include <gst/app/gstappsrc.h>

#include "engine.h"
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

/* Lip sync (docs/video.md, "Lip sync"). webrtcbin's RTP session maps a packet's running time
 * (its PTS) to the NTP time of its sender reports, which is what a browser lines the picture up
 * with the sound by. The sound's frames are stamped when they reach the peer; a picture's packets
 * would be when they arrive from the camera, but the sound of that moment, which reached Tolk
 * with it, goes out later: by the wait for the tick that takes it (half a tick on average), the
 * mix and encode up to this peer (the measured audio_lag_us), and the Opus frame: a packet
 * arrives when its last sample is captured, and its samples keep their places in the frame
 * stamped at its arrival, so each is stamped a frame (20 ms) after the browser that sent it
 * captured it (less the camera's encode time, which Tolk cannot see, small beside it). So each
 * video packet is stamped that much later (30 ms and the measured part). */
#define SOUND_PATH_FIXED_US (TOLK_TICK_NS / 2 / 1000 + 20 * 1000)
/* The browser syncs on the sender reports: one a second instead of every 5 s lets it line the
 * picture up within about a second of joining, and follow a change of lag soon. */
#define RTCP_INTERVAL_NS (1000 * GST_MSECOND)

/* The running time a packet arriving now is stamped with; NONE before the pipeline has a clock. */
static GstClockTime video_pts_now(tolk_webrtc_peer *peer)
{
    GstClock *clock = gst_element_get_clock(peer->video_appsrc);
    if (!clock)
        return GST_CLOCK_TIME_NONE;
    GstClockTime now = gst_clock_get_time(clock);
    gst_object_unref(clock);
    GstClockTime base = gst_element_get_base_time(peer->video_appsrc);
    GstClockTime lag = (GstClockTime)(atomic_load(&peer->audio_lag_us) + SOUND_PATH_FIXED_US) * GST_USECOND;
    GstClockTime pts = (now > base ? now - base : 0) + lag;
    /* The lag moves a little from frame to frame: never back in time. */
    if (GST_CLOCK_TIME_IS_VALID(peer->video_last_pts) && pts < peer->video_last_pts)
        pts = peer->video_last_pts;
    peer->video_last_pts = pts;
    return pts;
}

/* On the feed's push thread, under its lock: copy, retag, stamp (above), hand over, never block. */
static bool on_video_packet(void *ctx, const uint8_t *rtp, size_t len)
{
    tolk_webrtc_peer *peer = ctx;
    GstAppSrc *appsrc = GST_APP_SRC(peer->video_appsrc);
    if (gst_app_src_get_current_level_bytes(appsrc) + len > VIDEO_QUEUE_BYTES)
        return false;
    GstClockTime pts = video_pts_now(peer);
    if (!GST_CLOCK_TIME_IS_VALID(pts))
        return false; /* the pipeline does not run yet: the viewer waits for a key frame */
    GstBuffer *buffer = gst_buffer_new_memdup(rtp, len);
    GST_BUFFER_PTS(buffer) = pts;
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
    g_object_set(appsrc, "caps", caps, "is-live", TRUE, "format", GST_FORMAT_TIME, "block", FALSE, "max-bytes",
                 (guint64)VIDEO_QUEUE_BYTES, NULL);
    GstPad *src = gst_element_get_static_pad(appsrc, "src");
    gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_upstream_event, peer, NULL);
    gst_object_unref(src);
    return appsrc;
}

/* webrtcbin's rtpbin makes its RTP sessions when the offer is applied, after this build. Its
 * default maps the send time (PTS + the pipeline's latency) in the reports: but nothing here
 * configures a latency (webrtcbin's sinks are not synchronised), so every packet's running time
 * is unknown, and the reports extrapolate from the first packet: their RTP clock runs twice as
 * fast as NTP, and a browser cannot sync on them at all. The PTS (capture time) is what the
 * audio and the picture are stamped with (above), so that is what the reports map. */
static void on_rtpbin_element(GstBin *rtpbin, GstElement *element, gpointer data)
{
    (void)rtpbin, (void)data;
    GstElementFactory *factory = gst_element_get_factory(element);
    if (factory && g_str_equal(GST_OBJECT_NAME(factory), "rtpsession"))
        g_object_set(element, "rtcp-min-interval", (guint64)RTCP_INTERVAL_NS, "rtcp-sync-send-time", FALSE, NULL);
}

static void report_right(tolk_webrtc_peer *peer)
{
    GstElement *rtpbin = gst_bin_get_by_name(GST_BIN(peer->webrtc), "rtpbin");
    if (!rtpbin) {
        LOG_WARN_AT(&peer->where, "WebRTC peer %s: no rtpbin in webrtcbin: sender reports every 5 s", peer->name);
        return;
    }
    g_signal_connect(rtpbin, "element-added", G_CALLBACK(on_rtpbin_element), NULL);
    gst_object_unref(rtpbin);
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
    peer->video_last_pts = GST_CLOCK_TIME_NONE;
    report_right(peer);
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
