/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Issue 11's forwarding, proved on webrtcbin before it is built into the daemon: VP8 that is
 * already payloaded (as a hall encoder or a WHIP camera hands it to Tolk) goes into a WHEP-like
 * sender as RTP through an appsrc, with its payload type rewritten to the one the viewer offered,
 * and nothing is decoded or encoded on the way. The viewer, a browser stand-in on another
 * webrtcbin, decodes the frames: a ball on blue, frame after frame. Then the same through the
 * daemon's own WHEP peer and the floor video's feed (tolk_webrtc_whep_prepare_with_video): the
 * viewer receives the audio stream and the feed's line in one peer connection, and its request
 * for a key frame (RTCP PLI) reaches the feed. And a camera: a speaker's page stand-in sends
 * audio and VP8 by WHIP (tolk_webrtc_whip_prepare_with_video); its video goes into the feed,
 * and the feed's key frame requests reach the camera's encoder.
 */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include "keys.h"
#include "media_input.h"
#include "video_feed.h"
#include "webrtc.h"
#include "webrtc_private.h"
#include "webrtc_test_util.h"

#define SOURCE_PT 96
#define VIEWER_PT 120

static GstCaps *vp8_caps(unsigned pt)
{
    return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name", G_TYPE_STRING,
                               "VP8", "clock-rate", G_TYPE_INT, 90000, "payload", G_TYPE_INT, (int)pt, NULL);
}

/* The bare forwarder: appsrc (RTP as it comes) ! webrtcbin, sending only, with the viewer's PT. */
static client *forwarder_new(GstElement **appsrc)
{
    client *f = client_alloc(0);
    *appsrc = gst_element_factory_make("appsrc", NULL);
    GstCaps *caps = vp8_caps(VIEWER_PT);
    g_object_set(*appsrc, "caps", caps, "is-live", TRUE, "do-timestamp", TRUE, "format", GST_FORMAT_TIME,
                 "max-bytes", (guint64)(512 * 1024), "leaky-type", GST_APP_LEAKY_TYPE_DOWNSTREAM, "block", FALSE,
                 NULL);
    client_link_sending(f, *appsrc, caps);
    return f;
}

/* A camera's packet, its payload type made the viewer's, handed to the forwarder as the daemon's
 * fan-out will do per viewer. */
static void forward_packet(void *appsrc, const guint8 *data, gsize size)
{
    GstBuffer *copy = gst_buffer_new_memdup(data, size);
    GstMapInfo out;
    gst_buffer_map(copy, &out, GST_MAP_WRITE);
    out.data[1] = (uint8_t)((out.data[1] & 0x80) | VIEWER_PT);
    gst_buffer_unmap(copy, &out);
    gst_app_src_push_buffer(GST_APP_SRC(appsrc), copy);
}

static GstFlowReturn on_source_packet(GstAppSink *sink, gpointer user_data)
{
    return tolk_webrtc_take_sample(sink, forward_packet, user_data);
}

/* The source: a camera's RTP, to the appsink callbacks given (with ctx). */
static GstElement *source_new(GstAppSinkCallbacks *callbacks, void *ctx)
{
    GstElement *source = gst_parse_launch(
        "videotestsrc is-live=true pattern=ball background-color=0xff0000ff ! "
        "video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=30 ! "
        "rtpvp8pay pt=96 mtu=1200 ! appsink name=sink sync=false",
        NULL);
    g_assert_nonnull(source);
    GstElement *sink = gst_bin_get_by_name(GST_BIN(source), "sink");
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), callbacks, ctx, NULL);
    gst_object_unref(sink);
    return source;
}

static bool enough_blue(void *viewer)
{
    int blue = 0;
    return client_video_frames(viewer, &blue) >= 60 && blue >= 55;
}

static void test_forward_vp8(void)
{
    client *viewer = client_new_video_receiver(VIEWER_PT);
    GstElement *appsrc;
    client *f = forwarder_new(&appsrc);
    char *offer = client_offer(viewer);
    char *answer = client_answer(f, offer);
    g_assert_true(client_set_answer(viewer, answer));
    GstAppSinkCallbacks callbacks = {.new_sample = on_source_packet};
    GstElement *source = source_new(&callbacks, appsrc);
    g_assert_cmpint(gst_element_set_state(source, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
    bool ok = wait_for(enough_blue, viewer, 10000);
    int blue = 0, frames = client_video_frames(viewer, &blue);
    g_test_message("viewer decoded %d frames, %d of them blue", frames, blue);
    g_assert_true(ok);
    gst_element_set_state(source, GST_STATE_NULL);
    gst_object_unref(source);
    client_free(f);
    client_free(viewer);
    g_free(offer);
    g_free(answer);
}

/* The camera's packets into the feed as source 0, as the daemon's receive path will (the feed
 * rewrites them in place: a copy). */
static void feed_packet(void *feed, const guint8 *data, gsize size)
{
    uint8_t *copy = g_memdup2(data, size);
    tolk_video_feed_push(feed, 0, copy, size, g_get_monotonic_time());
    g_free(copy);
}

static GstFlowReturn on_feed_packet(GstAppSink *sink, gpointer user_data)
{
    return tolk_webrtc_take_sample(sink, feed_packet, user_data);
}

typedef struct {
    gint asks;
} asked;

static void on_ask(void *ctx, int source)
{
    (void)source;
    g_atomic_int_inc(&((asked *)ctx)->asks);
}

static bool video_pad_came(void *viewer)
{
    return client_request_keyframe(viewer);
}

static void test_whep_with_video(void)
{
    asked asks = {0};
    tolk_video_feed *feed = tolk_video_feed_new(TOLK_VIDEO_VP8, 0x5eed, on_ask, &asks);
    tolk_video_feed_select(feed, 0, g_get_monotonic_time());
    uint8_t key[TOLK_KEY_LEN] = {1, 2, 3};
    tolk_stream *audio = tolk_stream_new(key);
    client *viewer = client_new_av_receiver(111, VIEWER_PT, 440);
    char *offer = client_offer(viewer);
    tolk_webrtc_config cfg = {.gather_timeout_ms = 3000};
    tolk_error err;
    char *answer = NULL;
    tolk_webrtc_peer *peer = tolk_webrtc_peer_answered(
        tolk_webrtc_whep_prepare_with_video(offer, audio, feed, &cfg, &err), &answer, &err);
    g_assert_nonnull(peer);
    g_assert_true(client_set_answer(viewer, answer));

    GstAppSinkCallbacks callbacks = {.new_sample = on_feed_packet};
    GstElement *source = source_new(&callbacks, feed);
    g_assert_cmpint(gst_element_set_state(source, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
    g_assert_true(wait_for(enough_blue, viewer, 10000));

    /* The viewer's decoder asks for a key frame: its PLI comes up to the feed. */
    tolk_video_feed_stats before, after;
    tolk_video_feed_get_stats(feed, &before);
    g_assert_true(wait_for(video_pad_came, viewer, 2000));
    gint64 deadline = g_get_monotonic_time() + 3 * G_TIME_SPAN_SECOND;
    do {
        g_usleep(50000);
        tolk_video_feed_get_stats(feed, &after);
    } while (after.asked == before.asked && g_get_monotonic_time() < deadline);
    int blue = 0, frames = client_video_frames(viewer, &blue);
    g_test_message("viewer decoded %d frames (%d blue); feed: %" G_GUINT64_FORMAT " packets delivered, requests %"
                   G_GUINT64_FORMAT " asked, %" G_GUINT64_FORMAT " sent to the source",
                   frames, blue, after.delivered, after.asked, after.sent);
    g_assert_cmpuint(after.asked, >, before.asked);
    g_assert_cmpint(after.viewers, ==, 1);

    tolk_webrtc_peer_close(peer);
    tolk_video_feed_get_stats(feed, &after);
    g_assert_cmpint(after.viewers, ==, 0);
    gst_element_set_state(source, GST_STATE_NULL);
    gst_object_unref(source);
    tolk_webrtc_peer_unref(peer);
    client_free(viewer);
    tolk_stream_free(audio);
    tolk_video_feed_free(feed);
    g_free(offer);
    g_free(answer);
}

typedef struct {
    tolk_webrtc_peer *camera; /* set once answered */
    gint asks;
} camera_asks;

static void ask_camera(void *ctx, int source)
{
    camera_asks *a = ctx;
    g_assert_cmpint(source, ==, 3);
    g_atomic_int_inc(&a->asks);
    tolk_webrtc_peer *camera = g_atomic_pointer_get(&a->camera);
    if (camera)
        tolk_webrtc_peer_request_keyframe(camera);
}

typedef struct {
    gint packets, keyframes;
} counting_viewer;

static bool count_packet(void *ctx, const uint8_t *rtp, size_t len)
{
    counting_viewer *v = ctx;
    g_atomic_int_inc(&v->packets);
    if (len > 14 && (rtp[12] & 0x10) && !(rtp[12] & 0x07) && !(rtp[13] & 0x01))
        g_atomic_int_inc(&v->keyframes);
    return true;
}

static bool camera_frames(void *ctx)
{
    return g_atomic_int_get(&((counting_viewer *)ctx)->packets) >= 60;
}

typedef struct {
    client *camera;
    int before;
} asked_since;

static bool camera_asked(void *ctx)
{
    asked_since *a = ctx;
    return client_keyframe_requests(a->camera) > a->before;
}

static void test_whip_camera(void)
{
    camera_asks asks = {0};
    tolk_video_feed *feed = tolk_video_feed_new(TOLK_VIDEO_VP8, 0xca3e7a, ask_camera, &asks);
    tolk_video_feed_select(feed, 3, g_get_monotonic_time());
    GSocket *socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    GInetAddress *loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *address = g_inet_socket_address_new(loopback, 0);
    g_assert_true(g_socket_bind(socket, address, TRUE, NULL));
    g_object_unref(address);
    g_object_unref(loopback);
    uint8_t key[TOLK_KEY_LEN] = {7, 8, 9};
    tolk_media_input *input = tolk_media_input_new("floor", socket, key, 40);

    client *camera = client_new_av_sender(111, 96, 440);
    char *offer = client_offer(camera);
    tolk_webrtc_config cfg = {.gather_timeout_ms = 3000};
    tolk_error err;
    char *answer = NULL;
    tolk_webrtc_peer *peer = tolk_webrtc_peer_answered(
        tolk_webrtc_whip_prepare_with_video(offer, input, feed, 3, &cfg, &err), &answer, &err);
    g_assert_nonnull(peer);
    g_atomic_pointer_set(&asks.camera, peer);
    g_assert_true(client_set_answer(camera, answer));

    /* A viewer joins once the camera's key frame opened the line: it asks for one, which
     * reaches the camera's encoder as a key frame request. */
    counting_viewer early = {0}, late = {0};
    guint first = tolk_video_feed_subscribe(feed, count_packet, &early, g_get_monotonic_time());
    bool flowing = wait_for(camera_frames, &early, 10000);
    tolk_video_feed_stats st;
    tolk_video_feed_get_stats(feed, &st);
    if (!flowing)
        g_test_message("no line: feed forwarded %" G_GUINT64_FORMAT " skipped %" G_GUINT64_FORMAT " live %d, viewer %d "
                       "packets, camera state %d",
                       st.forwarded, st.skipped, st.live, early.packets, client_connection_state(camera));
    g_assert_true(flowing);
    g_usleep(600000); /* past the requests' interval */
    asked_since since = {camera, client_keyframe_requests(camera)};
    int before = since.before;
    guint second = tolk_video_feed_subscribe(feed, count_packet, &late, g_get_monotonic_time());
    g_assert_true(wait_for(camera_asked, &since, 3000));
    tolk_video_feed_get_stats(feed, &st);
    g_test_message("camera: %d packets on the line to the first viewer (%d key frame starts), the camera got %d key "
                   "frame requests (%d before the second viewer); feed: %" G_GUINT64_FORMAT " asked, %" G_GUINT64_FORMAT
                   " sent, live %d",
                   early.packets, early.keyframes, client_keyframe_requests(camera), before, st.asked, st.sent, st.live);
    g_assert_cmpint(st.live, ==, 3);
    g_assert_cmpint(early.keyframes, >=, 1);
    g_assert_cmpint(client_keyframe_requests(camera), >, before);

    tolk_webrtc_peer_close(peer);
    g_assert_false(tolk_webrtc_peer_request_keyframe(peer));
    tolk_video_feed_unsubscribe(feed, first);
    tolk_video_feed_unsubscribe(feed, second);
    tolk_webrtc_peer_unref(peer);
    client_free(camera);
    tolk_media_input_free(input);
    g_object_unref(socket);
    tolk_video_feed_free(feed);
    g_free(offer);
    g_free(answer);
}

int main(int argc, char **argv)
{
    gst_init(&argc, &argv);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/webrtc-video/forward-vp8", test_forward_vp8);
    g_test_add_func("/webrtc-video/whep-with-video", test_whep_with_video);
    g_test_add_func("/webrtc-video/whip-camera", test_whip_camera);
    return g_test_run();
}
