/* SPDX-License-Identifier: EUPL-1.2 */
/* The floor video from a WHIP camera (issue 11, docs/video.md): the received video, still RTP
 * (DTLS-SRTP removed), goes from an appsink to the floor video's feed as one of its sources;
 * nothing is decoded. The feed's key frame requests go back up the received video's pad, which
 * webrtcbin's RTP session turns into a PLI or FIR to the camera. */
#include <gst/app/gstappsink.h>

#include "webrtc_private.h"

#define TOLK_LOG_MODULE "webrtc"
#include "log.h"

/* On the video's streaming thread, under peer->lock: detach clears peer->video under it. The
 * feed rewrites the packet in place: it gets a copy. */
static void push_video(void *ctx, const guint8 *data, gsize size)
{
    tolk_webrtc_peer *peer = ctx;
    uint8_t *copy = g_memdup2(data, size);
    g_mutex_lock(&peer->lock);
    if (peer->video)
        tolk_video_feed_push(peer->video, peer->video_source, copy, size, g_get_monotonic_time());
    g_mutex_unlock(&peer->lock);
    g_free(copy);
}

static GstFlowReturn on_video_sample(GstAppSink *sink, gpointer user_data)
{
    return tolk_webrtc_take_sample(sink, push_video, user_data);
}

bool tolk_webrtc_whip_video_build(tolk_webrtc_peer *peer)
{
    tolk_video_codec codec = tolk_video_feed_codec(peer->video);
    if (!peer->offer.video_offered[codec]) {
        LOG_INFO_AT(&peer->where, "WebRTC peer %s: the offer sends no %s video: audio only", peer->name,
                    tolk_webrtc_video_codec_names[codec]);
        peer->video = NULL;
        return true;
    }
    GstCaps *caps = tolk_webrtc_video_caps(codec, peer->offer.video_pt[codec], 0);
    /* Answered with the extension, webrtcbin's RTP session sends transport-wide feedback and the
     * camera's rate control (a browser's) sees the link: without it, it climbs blind from 300 kb/s. */
    if (peer->offer.video_twcc_id) {
        char field[16];
        g_snprintf(field, sizeof field, "extmap-%u", peer->offer.video_twcc_id);
        gst_caps_set_simple(caps, field, G_TYPE_STRING, TOLK_WEBRTC_TWCC_URI, "rtcp-fb-transport-cc", G_TYPE_BOOLEAN,
                            TRUE, NULL);
    }
    return tolk_webrtc_add_receiving(peer, caps);
}

/* A browser starts a camera at 300 kb/s and sends 360p and then 540p for half a minute before
 * 720p, even with feedback; x-google-start-bitrate (Chromium's; others ignore it) starts it at
 * the floor video's rate, so the speaker's lips are readable from the first second. */
void tolk_webrtc_whip_video_answer(tolk_webrtc_peer *peer, GstSDPMessage *answer)
{
    g_mutex_lock(&peer->lock);
    int codec = peer->video ? (int)tolk_video_feed_codec(peer->video) : -1;
    g_mutex_unlock(&peer->lock);
    if (codec >= 0) /* a feed is kept only when the offer sends its codec (build) */
        tolk_webrtc_answer_start_bitrate(answer, peer->offer.video_mline, peer->offer.video_pt[codec],
                                         TOLK_WEBRTC_CAMERA_START_KBPS);
}

static bool pad_is_video(GstPad *pad)
{
    char *media = tolk_webrtc_pad_caps_string(pad, "media");
    bool video = g_strcmp0(media, "video") == 0;
    g_free(media);
    return video;
}

bool tolk_webrtc_whip_video_link(tolk_webrtc_peer *peer, GstPad *pad)
{
    if (!peer->video || !pad_is_video(pad))
        return false;
    /* Frames are stamped by the feed on arrival. */
    GstElement *sink = tolk_webrtc_add_appsink(peer, on_video_sample, 200);
    if (!sink)
        return false;
    GstPad *sinkpad = gst_element_get_static_pad(sink, "sink");
    bool ok = gst_pad_link(pad, sinkpad) == GST_PAD_LINK_OK;
    gst_object_unref(sinkpad);
    if (ok) {
        g_mutex_lock(&peer->video_lock);
        peer->video_pad = gst_object_ref(pad);
        g_mutex_unlock(&peer->video_lock);
    }
    return ok;
}

/* Under video_lock alone: the feed may ask from inside a push, which holds peer->lock. */
bool tolk_webrtc_peer_request_keyframe(tolk_webrtc_peer *peer)
{
    g_mutex_lock(&peer->video_lock);
    GstPad *pad = peer->video_pad ? gst_object_ref(peer->video_pad) : NULL;
    g_mutex_unlock(&peer->video_lock);
    if (!pad)
        return false;
    bool ok = tolk_webrtc_send_keyframe_request(pad);
    gst_object_unref(pad);
    return ok;
}

bool tolk_webrtc_offer_has_video(const char *offer_sdp, tolk_video_codec codec)
{
    peer_offer offer;
    tolk_error err;
    bool has = tolk_webrtc_parse_offer(offer_sdp, &offer, true, &err) && offer.video_offered[codec];
    tolk_webrtc_offer_clear(&offer);
    return has;
}
