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

typedef struct {
    GstElement *pipeline, *webrtc, *appsrc;
    GMutex lock;
    GCond cond;
    gboolean gathered;
} forwarder;

static void on_gathering(GObject *webrtc, GParamSpec *pspec, gpointer user_data)
{
    (void)pspec;
    forwarder *f = user_data;
    GstWebRTCICEGatheringState state;
    g_object_get(webrtc, "ice-gathering-state", &state, NULL);
    g_mutex_lock(&f->lock);
    f->gathered = state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
    g_cond_broadcast(&f->cond);
    g_mutex_unlock(&f->lock);
}

static GstCaps *vp8_caps(unsigned pt)
{
    return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name", G_TYPE_STRING,
                               "VP8", "clock-rate", G_TYPE_INT, 90000, "payload", G_TYPE_INT, (int)pt, NULL);
}

/* appsrc (RTP as it comes) ! webrtcbin, the transceiver sending only, with the viewer's PT. */
static forwarder *forwarder_new(void)
{
    forwarder *f = g_new0(forwarder, 1);
    g_mutex_init(&f->lock);
    g_cond_init(&f->cond);
    f->pipeline = gst_pipeline_new(NULL);
    f->appsrc = gst_element_factory_make("appsrc", NULL);
    f->webrtc = gst_element_factory_make("webrtcbin", NULL);
    g_assert_nonnull(f->webrtc);
    g_object_set(f->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
    tolk_webrtc_ice_configure(f->webrtc, NULL);
    GstCaps *caps = vp8_caps(VIEWER_PT);
    g_object_set(f->appsrc, "caps", caps, "is-live", TRUE, "do-timestamp", TRUE, "format", GST_FORMAT_TIME,
                 "max-bytes", (guint64)(512 * 1024), "leaky-type", GST_APP_LEAKY_TYPE_DOWNSTREAM, "block", FALSE,
                 NULL);
    gst_bin_add_many(GST_BIN(f->pipeline), f->appsrc, f->webrtc, NULL);
    GstPad *sink = gst_element_request_pad_simple(f->webrtc, "sink_%u");
    GstPad *src = gst_element_get_static_pad(f->appsrc, "src");
    g_assert_cmpint(gst_pad_link(src, sink), ==, GST_PAD_LINK_OK);
    GstWebRTCRTPTransceiver *t = NULL;
    g_object_get(sink, "transceiver", &t, NULL);
    g_object_set(t, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, "codec-preferences", caps, NULL);
    gst_object_unref(t);
    gst_object_unref(src);
    gst_object_unref(sink);
    gst_caps_unref(caps);
    g_signal_connect(f->webrtc, "notify::ice-gathering-state", G_CALLBACK(on_gathering), f);
    return f;
}

static GstStructure *await(GstPromise *promise)
{
    g_assert_cmpint(gst_promise_wait(promise), ==, GST_PROMISE_RESULT_REPLIED);
    const GstStructure *reply = gst_promise_get_reply(promise);
    GstStructure *copy = reply ? gst_structure_copy(reply) : NULL;
    gst_promise_unref(promise);
    return copy;
}

/* The offer in, the answer out, with every candidate gathered. */
static char *forwarder_answer(forwarder *f, const char *offer_text)
{
    g_assert_cmpint(gst_element_set_state(f->pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
    GstSDPMessage *sdp = NULL;
    g_assert_cmpint(gst_sdp_message_new_from_text(offer_text, &sdp), ==, GST_SDP_OK);
    GstWebRTCSessionDescription *offer = gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp);
    GstPromise *promise = gst_promise_new();
    g_signal_emit_by_name(f->webrtc, "set-remote-description", offer, promise);
    GstStructure *reply = await(promise);
    if (reply)
        gst_structure_free(reply);
    gst_webrtc_session_description_free(offer);
    promise = gst_promise_new();
    g_signal_emit_by_name(f->webrtc, "create-answer", NULL, promise);
    reply = await(promise);
    GstWebRTCSessionDescription *answer = NULL;
    gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
    gst_structure_free(reply);
    g_assert_nonnull(answer);
    promise = gst_promise_new();
    g_signal_emit_by_name(f->webrtc, "set-local-description", answer, promise);
    reply = await(promise);
    if (reply)
        gst_structure_free(reply);
    gst_webrtc_session_description_free(answer);
    gint64 deadline = g_get_monotonic_time() + 3 * G_TIME_SPAN_SECOND;
    g_mutex_lock(&f->lock);
    while (!f->gathered && g_cond_wait_until(&f->cond, &f->lock, deadline))
        ;
    g_mutex_unlock(&f->lock);
    GstWebRTCSessionDescription *local = NULL;
    g_object_get(f->webrtc, "local-description", &local, NULL);
    char *text = gst_sdp_message_as_text(local->sdp);
    gst_webrtc_session_description_free(local);
    return text;
}

static void forwarder_free(forwarder *f)
{
    gst_element_set_state(f->pipeline, GST_STATE_NULL);
    g_signal_handlers_disconnect_by_data(f->webrtc, f);
    gst_object_unref(f->pipeline);
    g_mutex_clear(&f->lock);
    g_cond_clear(&f->cond);
    g_free(f);
}

/* The source: a camera's RTP. Each packet is copied, its payload type made the viewer's, and
 * handed to the forwarder, as the daemon's fan-out will do per viewer. */
static GstFlowReturn on_source_packet(GstAppSink *sink, gpointer user_data)
{
    forwarder *f = user_data;
    GstSample *sample = gst_app_sink_pull_sample(sink);
    if (!sample)
        return GST_FLOW_EOS;
    GstMapInfo map;
    GstBuffer *buffer = gst_sample_get_buffer(sample);
    if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
        GstBuffer *copy = gst_buffer_new_memdup(map.data, map.size);
        gst_buffer_unmap(buffer, &map);
        GstMapInfo out;
        gst_buffer_map(copy, &out, GST_MAP_WRITE);
        out.data[1] = (uint8_t)((out.data[1] & 0x80) | VIEWER_PT);
        gst_buffer_unmap(copy, &out);
        gst_app_src_push_buffer(GST_APP_SRC(f->appsrc), copy);
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
}

static GstElement *source_new(forwarder *f)
{
    GstElement *source = gst_parse_launch(
        "videotestsrc is-live=true pattern=ball background-color=0xff0000ff ! "
        "video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=30 ! "
        "rtpvp8pay pt=96 mtu=1200 ! appsink name=sink sync=false",
        NULL);
    g_assert_nonnull(source);
    if (f) {
        GstElement *sink = gst_bin_get_by_name(GST_BIN(source), "sink");
        GstAppSinkCallbacks callbacks = {.new_sample = on_source_packet};
        gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, f, NULL);
        gst_object_unref(sink);
    }
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
    forwarder *f = forwarder_new();
    char *offer = client_offer(viewer);
    char *answer = forwarder_answer(f, offer);
    g_assert_true(client_set_answer(viewer, answer));
    GstElement *source = source_new(f);
    g_assert_cmpint(gst_element_set_state(source, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
    bool ok = wait_for(enough_blue, viewer, 10000);
    int blue = 0, frames = client_video_frames(viewer, &blue);
    g_test_message("viewer decoded %d frames, %d of them blue", frames, blue);
    g_assert_true(ok);
    gst_element_set_state(source, GST_STATE_NULL);
    gst_object_unref(source);
    forwarder_free(f);
    client_free(viewer);
    g_free(offer);
    g_free(answer);
}

/* The camera's packets into the feed as source 0, as the daemon's receive path will. */
static GstFlowReturn on_feed_packet(GstAppSink *sink, gpointer user_data)
{
    GstSample *sample = gst_app_sink_pull_sample(sink);
    if (!sample)
        return GST_FLOW_EOS;
    GstMapInfo map;
    GstBuffer *buffer = gst_sample_get_buffer(sample);
    if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
        uint8_t *copy = g_memdup2(map.data, map.size);
        tolk_video_feed_push(user_data, 0, copy, map.size, g_get_monotonic_time());
        g_free(copy);
        gst_buffer_unmap(buffer, &map);
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
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

    GstElement *source = source_new(NULL);
    GstElement *sink = gst_bin_get_by_name(GST_BIN(source), "sink");
    GstAppSinkCallbacks callbacks = {.new_sample = on_feed_packet};
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, feed, NULL);
    gst_object_unref(sink);
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
