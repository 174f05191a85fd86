/* SPDX-License-Identifier: EUPL-1.2 */
#include "webrtc_test_util.h"

#include <gst/app/gstappsink.h>
#include <gst/webrtc/webrtc.h>
#include <math.h>
#include <string.h>

#include "webrtc_private.h"

void meter_init(tone_meter *m, double hz)
{
    memset(m, 0, sizeof *m);
    g_mutex_init(&m->lock);
    m->hz = hz;
}

void meter_clear(tone_meter *m)
{
    g_mutex_clear(&m->lock);
}

/* Share of the block's energy at m->hz: 1 for a pure tone at hz, ~0 elsewhere. */
static double tone_share(const tone_meter *m, double *energy)
{
    double coeff = 2.0 * cos(2.0 * G_PI * m->hz / 48000.0), s1 = 0, s2 = 0, sum = 0;
    for (int i = 0; i < METER_BLOCK; i++) {
        double s = m->block[i] + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
        sum += (double)m->block[i] * m->block[i];
    }
    double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    *energy = sum;
    return sum > 0 ? power * 2.0 / (METER_BLOCK * sum) : 0;
}

void meter_feed(tone_meter *m, const float *x, gsize n)
{
    g_mutex_lock(&m->lock);
    for (gsize i = 0; i < n; i++) {
        m->block[m->fill++] = x[i];
        if (m->fill < METER_BLOCK)
            continue;
        m->fill = 0;
        double energy, share = tone_share(m, &energy);
        if (energy / METER_BLOCK < 1e-5) /* below -50 dBFS: silence */
            continue;
        m->blocks++;
        if (share > 0.5)
            m->tone_blocks++;
    }
    g_mutex_unlock(&m->lock);
}

int meter_tone_blocks(tone_meter *m)
{
    g_mutex_lock(&m->lock);
    int n = m->tone_blocks;
    g_mutex_unlock(&m->lock);
    return n;
}

static void meter_bytes(void *meter, const guint8 *data, gsize size)
{
    meter_feed(meter, (const float *)data, size / sizeof(float));
}

static GstFlowReturn on_meter_sample(GstAppSink *sink, gpointer user_data)
{
    return tolk_webrtc_take_sample(sink, meter_bytes, user_data);
}

void meter_attach(tone_meter *m, GstElement *appsink)
{
    GstAppSinkCallbacks callbacks = {.new_sample = on_meter_sample};
    gst_app_sink_set_callbacks(GST_APP_SINK(appsink), &callbacks, m, NULL);
}

static void on_gathering(GObject *webrtc, GParamSpec *pspec, gpointer user_data)
{
    (void)pspec;
    client *c = user_data;
    GstWebRTCICEGatheringState state;
    g_object_get(webrtc, "ice-gathering-state", &state, NULL);
    g_mutex_lock(&c->lock);
    c->gathered = state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
    g_cond_broadcast(&c->cond);
    g_mutex_unlock(&c->lock);
}

client *client_alloc(double hz)
{
    client *c = g_new0(client, 1);
    g_mutex_init(&c->lock);
    g_cond_init(&c->cond);
    meter_init(&c->meter, hz);
    c->pipeline = gst_pipeline_new(NULL);
    c->webrtc = gst_element_factory_make("webrtcbin", NULL);
    g_assert_nonnull(c->webrtc);
    g_object_set(c->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
    gst_bin_add(GST_BIN(c->pipeline), c->webrtc);
    /* As the server's: no UPnP, whose SSDP socket may collide with another
     * process on the machine and warn (fatal in a GTest). */
    tolk_webrtc_ice_configure(c->webrtc, NULL);
    g_signal_connect(c->webrtc, "notify::ice-gathering-state", G_CALLBACK(on_gathering), c);
    return c;
}

static GstCaps *opus_rtp_caps(unsigned pt)
{
    return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "audio", "encoding-name",
                               G_TYPE_STRING, "OPUS", "clock-rate", G_TYPE_INT, 48000, "encoding-params",
                               G_TYPE_STRING, "2", "payload", G_TYPE_INT, (int)pt, NULL);
}

/* A received pad into a decoding bin (desc ends in "appsink name=sink"), its samples to fn. */
static void decode_into(client *c, GstPad *pad, const char *desc, GstFlowReturn (*fn)(GstAppSink *, gpointer),
                        void *ctx)
{
    GstElement *bin = gst_parse_bin_from_description(desc, TRUE, NULL);
    GstElement *sink = gst_bin_get_by_name(GST_BIN(bin), "sink");
    GstAppSinkCallbacks callbacks = {.new_sample = fn};
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, ctx, NULL);
    gst_object_unref(sink);
    gst_bin_add(GST_BIN(c->pipeline), bin);
    gst_element_sync_state_with_parent(bin);
    GstPad *sinkpad = gst_element_get_static_pad(bin, "sink");
    g_assert_cmpint(gst_pad_link(pad, sinkpad), ==, GST_PAD_LINK_OK);
    gst_object_unref(sinkpad);
}

static void on_client_pad(GstElement *webrtc, GstPad *pad, gpointer user_data)
{
    (void)webrtc;
    client *c = user_data;
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
        return;
    decode_into(c, pad,
                "rtpopusdepay ! opusdec ! audioconvert ! audioresample ! "
                "audio/x-raw,format=F32LE,rate=48000,channels=1 ! appsink name=sink sync=false",
                on_meter_sample, &c->meter);
}

client *client_new_receiver(unsigned pt, double hz)
{
    client *c = client_alloc(hz);
    GstCaps *caps = opus_rtp_caps(pt);
    GstWebRTCRTPTransceiver *t = NULL;
    g_signal_emit_by_name(c->webrtc, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &t);
    gst_caps_unref(caps);
    g_assert_nonnull(t);
    gst_object_unref(t);
    g_signal_connect(c->webrtc, "pad-added", G_CALLBACK(on_client_pad), c);
    return c;
}

/* An RGB frame: counted, and as blue when most of it is. */
static void count_frame(void *ctx, const guint8 *data, gsize size)
{
    client *c = ctx;
    guint64 sums[3] = {0, 0, 0}, n = 0;
    for (gsize i = 0; i + 3 <= size; i += 3 * 61, n++)
        for (int k = 0; k < 3; k++)
            sums[k] += data[i + k];
    g_mutex_lock(&c->lock);
    c->video_frames++;
    if (n && sums[2] / n > 180 && sums[0] / n < 90 && sums[1] / n < 90)
        c->blue_frames++;
    if (n && sums[0] / n > 180 && sums[1] / n < 90 && sums[2] / n < 90)
        c->red_frames++;
    g_mutex_unlock(&c->lock);
}

static GstFlowReturn on_video_frame(GstAppSink *sink, gpointer user_data)
{
    return tolk_webrtc_take_sample(sink, count_frame, user_data);
}

static void on_video_pad(GstElement *webrtc, GstPad *pad, gpointer user_data)
{
    (void)webrtc;
    client *c = user_data;
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
        return;
    g_mutex_lock(&c->lock);
    c->video_pad = gst_object_ref(pad);
    g_mutex_unlock(&c->lock);
    decode_into(c, pad,
                c->h264 ? "rtph264depay ! avdec_h264 ! videoconvert ! video/x-raw,format=RGB ! appsink name=sink sync=false"
                        : "rtpvp8depay ! vp8dec ! videoconvert ! video/x-raw,format=RGB ! appsink name=sink sync=false",
                on_video_frame, c);
}

static void add_receiving(client *c, GstCaps *caps)
{
    GstWebRTCRTPTransceiver *t = NULL;
    g_signal_emit_by_name(c->webrtc, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &t);
    gst_caps_unref(caps);
    g_assert_nonnull(t);
    gst_object_unref(t);
}

static GstCaps *vp8_rtp_caps(unsigned pt)
{
    return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name", G_TYPE_STRING,
                               "VP8", "clock-rate", G_TYPE_INT, 90000, "payload", G_TYPE_INT, (int)pt,
                               "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE, NULL);
}

client *client_new_video_receiver(unsigned pt)
{
    client *c = client_alloc(0);
    add_receiving(c, vp8_rtp_caps(pt));
    g_signal_connect(c->webrtc, "pad-added", G_CALLBACK(on_video_pad), c);
    return c;
}

/* Audio or video, by the pad's caps. */
static void on_av_pad(GstElement *webrtc, GstPad *pad, gpointer user_data)
{
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps)
        caps = gst_pad_query_caps(pad, NULL);
    const char *media = gst_structure_get_string(gst_caps_get_structure(caps, 0), "media");
    bool video = g_strcmp0(media, "video") == 0;
    gst_caps_unref(caps);
    if (video)
        on_video_pad(webrtc, pad, user_data);
    else
        on_client_pad(webrtc, pad, user_data);
}

client *client_new_av_receiver(unsigned pt, unsigned vp8_pt, double hz)
{
    client *c = client_alloc(hz);
    add_receiving(c, opus_rtp_caps(pt));
    add_receiving(c, vp8_rtp_caps(vp8_pt));
    g_signal_connect(c->webrtc, "pad-added", G_CALLBACK(on_av_pad), c);
    return c;
}

client *client_new_av_receiver_h264(unsigned pt, unsigned h264_pt, double hz)
{
    client *c = client_alloc(hz);
    c->h264 = true;
    add_receiving(c, opus_rtp_caps(pt));
    add_receiving(c, gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name",
                                         G_TYPE_STRING, "H264", "clock-rate", G_TYPE_INT, 90000, "payload", G_TYPE_INT,
                                         (int)h264_pt, "packetization-mode", G_TYPE_STRING, "1", "profile-level-id",
                                         G_TYPE_STRING, "42e01f", "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE, NULL));
    g_signal_connect(c->webrtc, "pad-added", G_CALLBACK(on_av_pad), c);
    return c;
}

bool client_request_keyframe(client *c)
{
    g_mutex_lock(&c->lock);
    GstPad *pad = c->video_pad ? gst_object_ref(c->video_pad) : NULL;
    g_mutex_unlock(&c->lock);
    if (!pad)
        return false;
    bool ok = tolk_webrtc_send_keyframe_request(pad);
    gst_object_unref(pad);
    return ok;
}

int client_video_frames(client *c, int *blue_frames)
{
    g_mutex_lock(&c->lock);
    int n = c->video_frames;
    *blue_frames = c->blue_frames;
    g_mutex_unlock(&c->lock);
    return n;
}

static GstCaps *vp8_rtp_caps(unsigned pt);

static GstPadProbeReturn on_encoder_event(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
    (void)pad;
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) == GST_EVENT_CUSTOM_UPSTREAM && gst_event_has_name(event, "GstForceKeyUnit"))
        g_atomic_int_inc(&((client *)user_data)->keyframe_requests);
    return GST_PAD_PROBE_OK;
}

void client_link_sending(client *c, GstElement *bin, GstCaps *caps)
{
    gst_bin_add(GST_BIN(c->pipeline), bin);
    GstPad *sink = gst_element_request_pad_simple(c->webrtc, "sink_%u");
    GstPad *src = gst_element_get_static_pad(bin, "src");
    g_assert_cmpint(gst_pad_link(src, sink), ==, GST_PAD_LINK_OK);
    GstWebRTCRTPTransceiver *t = NULL;
    g_object_get(sink, "transceiver", &t, NULL);
    g_object_set(t, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, "codec-preferences", caps, NULL);
    gst_caps_unref(caps);
    gst_object_unref(t);
    gst_object_unref(src);
    gst_object_unref(sink);
}

client *client_new_av_sender(unsigned pt, unsigned vp8_pt, double hz)
{
    return client_new_av_sender_on(pt, vp8_pt, hz, 0xff0000ff);
}

int client_red_frames(client *c)
{
    g_mutex_lock(&c->lock);
    int n = c->red_frames;
    g_mutex_unlock(&c->lock);
    return n;
}

client *client_new_av_sender_on(unsigned pt, unsigned vp8_pt, double hz, unsigned background)
{
    client *c = client_alloc(hz);
    char *desc = g_strdup_printf("audiotestsrc is-live=true wave=sine volume=0.3 freq=%.0f ! "
                                 "audio/x-raw,rate=48000,channels=1 ! opusenc frame-size=20 ! rtpopuspay pt=%u",
                                 hz, pt);
    client_link_sending(c, gst_parse_bin_from_description(desc, TRUE, NULL), opus_rtp_caps(pt));
    g_free(desc);
    desc = g_strdup_printf("videotestsrc is-live=true pattern=ball background-color=0x%08x ! "
                           "video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=60 ! "
                           "rtpvp8pay name=pay pt=%u mtu=1200",
                           background, vp8_pt);
    GstElement *video = gst_parse_bin_from_description(desc, TRUE, NULL);
    g_free(desc);
    GstElement *pay = gst_bin_get_by_name(GST_BIN(video), "pay");
    GstPad *pay_sink = gst_element_get_static_pad(pay, "sink");
    gst_pad_add_probe(pay_sink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_encoder_event, c, NULL);
    gst_object_unref(pay_sink);
    gst_object_unref(pay);
    client_link_sending(c, video, vp8_rtp_caps(vp8_pt));
    return c;
}

int client_keyframe_requests(client *c)
{
    return g_atomic_int_get(&c->keyframe_requests);
}

client *client_new_sender(unsigned pt, double hz)
{
    client *c = client_alloc(hz);
    char *desc = g_strdup_printf("audiotestsrc is-live=true wave=sine volume=0.3 freq=%.0f ! "
                                 "audio/x-raw,rate=48000,channels=1 ! opusenc frame-size=20 ! "
                                 "rtpopuspay pt=%u",
                                 hz, pt);
    GstElement *bin = gst_parse_bin_from_description(desc, TRUE, NULL);
    g_free(desc);
    gst_bin_add(GST_BIN(c->pipeline), bin);
    GstPad *sink = gst_element_request_pad_simple(c->webrtc, "sink_%u");
    GstPad *src = gst_element_get_static_pad(bin, "src");
    g_assert_cmpint(gst_pad_link(src, sink), ==, GST_PAD_LINK_OK);
    GstWebRTCRTPTransceiver *t = NULL;
    g_object_get(sink, "transceiver", &t, NULL);
    GstCaps *caps = opus_rtp_caps(pt);
    g_object_set(t, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, "codec-preferences", caps, NULL);
    gst_caps_unref(caps);
    gst_object_unref(t);
    gst_object_unref(src);
    gst_object_unref(sink);
    return c;
}

static GstStructure *await(GstPromise *promise)
{
    g_assert_cmpint(gst_promise_wait(promise), ==, GST_PROMISE_RESULT_REPLIED);
    const GstStructure *reply = gst_promise_get_reply(promise);
    GstStructure *copy = reply ? gst_structure_copy(reply) : NULL;
    gst_promise_unref(promise);
    return copy;
}

/* Emits a description signal (set-local-description, set-remote-description) and waits. */
static void set_description(client *c, const char *signal, GstWebRTCSessionDescription *desc)
{
    GstPromise *promise = gst_promise_new();
    g_signal_emit_by_name(c->webrtc, signal, desc, promise);
    GstStructure *reply = await(promise);
    if (reply)
        gst_structure_free(reply);
}

/* create-offer or create-answer, made the local description. */
static void create_local(client *c, const char *signal, const char *field)
{
    GstPromise *promise = gst_promise_new();
    g_signal_emit_by_name(c->webrtc, signal, NULL, promise);
    GstStructure *reply = await(promise);
    GstWebRTCSessionDescription *desc = NULL;
    gst_structure_get(reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
    gst_structure_free(reply);
    g_assert_nonnull(desc);
    set_description(c, "set-local-description", desc);
    gst_webrtc_session_description_free(desc);
}

/* The local description once ICE gathering completed (or 3 s passed). */
static char *gathered_local_sdp(client *c)
{
    gint64 deadline = g_get_monotonic_time() + 3 * G_TIME_SPAN_SECOND;
    g_mutex_lock(&c->lock);
    while (!c->gathered && g_cond_wait_until(&c->cond, &c->lock, deadline))
        ;
    g_mutex_unlock(&c->lock);
    GstWebRTCSessionDescription *local = NULL;
    g_object_get(c->webrtc, "local-description", &local, NULL);
    char *text = gst_sdp_message_as_text(local->sdp);
    gst_webrtc_session_description_free(local);
    return text;
}

char *client_offer(client *c)
{
    g_assert_cmpint(gst_element_set_state(c->pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
    create_local(c, "create-offer", "offer");
    return gathered_local_sdp(c);
}

char *client_answer(client *c, const char *offer_text)
{
    g_assert_cmpint(gst_element_set_state(c->pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
    GstSDPMessage *sdp = NULL;
    g_assert_cmpint(gst_sdp_message_new_from_text(offer_text, &sdp), ==, GST_SDP_OK);
    GstWebRTCSessionDescription *offer = gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp);
    set_description(c, "set-remote-description", offer);
    gst_webrtc_session_description_free(offer);
    create_local(c, "create-answer", "answer");
    return gathered_local_sdp(c);
}

bool client_set_answer(client *c, const char *answer)
{
    GstSDPMessage *sdp = NULL;
    if (gst_sdp_message_new_from_text(answer, &sdp) != GST_SDP_OK)
        return false;
    GstWebRTCSessionDescription *desc = gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
    GstPromise *promise = gst_promise_new();
    g_signal_emit_by_name(c->webrtc, "set-remote-description", desc, promise);
    GstStructure *reply = await(promise);
    bool ok = !reply || !gst_structure_has_field(reply, "error");
    if (reply)
        gst_structure_free(reply);
    gst_webrtc_session_description_free(desc);
    return ok;
}

int client_connection_state(client *c)
{
    GstWebRTCPeerConnectionState state;
    g_object_get(c->webrtc, "connection-state", &state, NULL);
    return (int)state;
}

void client_free(client *c)
{
    gst_element_set_state(c->pipeline, GST_STATE_NULL);
    if (c->video_pad)
        gst_object_unref(c->video_pad);
    g_signal_handlers_disconnect_by_data(c->webrtc, c);
    gst_object_unref(c->pipeline);
    meter_clear(&c->meter);
    g_mutex_clear(&c->lock);
    g_cond_clear(&c->cond);
    g_free(c);
}

bool wait_for(bool (*fn)(void *), void *ctx, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    while (!fn(ctx)) {
        if (g_get_monotonic_time() > deadline)
            return false;
        g_usleep(20000);
    }
    return true;
}
