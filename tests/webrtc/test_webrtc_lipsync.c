/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The lip-sync mechanism of the floor video (docs/video.md, "Lip sync"), without timing a
 * browser: a WHEP viewer of the audio and the feed (tolk_webrtc_whep_prepare_with_video), whose
 * peer's audio path is set to lag 100 ms. The camera's packets go into the feed at known times;
 * the viewer (a webrtcbin browser stand-in) reads the sender reports of the video line, whose
 * NTP time for an RTP timestamp must be the time that packet entered the feed plus the audio's
 * lag plus the fixed part of the sound's path (30 ms): 130 ms later. Without the shift the report
 * says the moment of arrival (about 0), and the test fails. And the reports come about once a
 * second (RTCP's default would be every 5 s): at least 3 in 5 s.
 */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "keys.h"
#include "video_feed.h"
#include "webrtc.h"
#include "webrtc_private.h"
#include "webrtc_test_util.h"

#define VIEWER_PT 120
#define LINE_SSRC 0x5eedu
#define SET_LAG_US 100000
#define FIXED_US 30000 /* SOUND_PATH_FIXED_US of webrtc_whep_video.c */
#define NTP_UNIX_OFFSET_S 2208988800ull
#define RECENT 64

/* What went into the feed: the line's RTP timestamp of each packet and the wall time it went in. */
typedef struct {
    GMutex lock;
    tolk_video_feed *feed;
    uint32_t rtp[RECENT];
    gint64 wall_us[RECENT];
    unsigned n;
} pushed;

static void push_packet(void *ctx, const guint8 *data, gsize size)
{
    pushed *p = ctx;
    uint8_t *copy = g_memdup2(data, size);
    gint64 wall = g_get_real_time();
    tolk_video_feed_push(p->feed, 0, copy, size, g_get_monotonic_time());
    /* The feed rewrote it in place onto the line: read the line's timestamp. */
    g_mutex_lock(&p->lock);
    p->rtp[p->n % RECENT] = GST_READ_UINT32_BE(copy + 4);
    p->wall_us[p->n % RECENT] = wall;
    p->n++;
    g_mutex_unlock(&p->lock);
    g_free(copy);
}

static GstFlowReturn on_camera_packet(GstAppSink *sink, gpointer ctx)
{
    return tolk_webrtc_take_sample(sink, push_packet, ctx);
}

/* The camera sends a key frame every second anyway. */
static void ask_nobody(void *ctx, int source)
{
    (void)ctx, (void)source;
}

static GstElement *camera_new(pushed *p)
{
    GstElement *camera = gst_parse_launch("videotestsrc is-live=true pattern=snow ! video/x-raw,width=160,height=120,"
                                          "framerate=25/1 ! vp8enc deadline=1 keyframe-max-dist=25 ! "
                                          "rtpvp8pay pt=96 ! appsink name=out sync=false",
                                          NULL);
    g_assert_nonnull(camera);
    GstElement *out = gst_bin_get_by_name(GST_BIN(camera), "out");
    GstAppSinkCallbacks callbacks = {.new_sample = on_camera_packet};
    gst_app_sink_set_callbacks(GST_APP_SINK(out), &callbacks, p, NULL);
    gst_object_unref(out);
    return camera;
}

/* The last sender report of the line's SSRC the viewer received: its RTP and NTP (as unix us). */
static bool line_report(client *viewer, uint32_t *rtp, gint64 *wall_us)
{
    GstElement *rtpbin = gst_bin_get_by_name(GST_BIN(viewer->webrtc), "rtpbin");
    g_assert_nonnull(rtpbin);
    GObject *session = NULL;
    g_signal_emit_by_name(rtpbin, "get-internal-session", 0u, &session);
    gst_object_unref(rtpbin);
    if (!session)
        return false;
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    GValueArray *sources = NULL;
    g_object_get(session, "sources", &sources, NULL);
    bool found = false;
    for (guint i = 0; sources && i < sources->n_values && !found; i++) {
        GstStructure *stats = NULL;
        g_object_get(g_value_get_object(g_value_array_get_nth(sources, i)), "stats", &stats, NULL);
        guint ssrc = 0, sr_rtp = 0;
        gboolean have_sr = FALSE;
        guint64 ntp = 0;
        gst_structure_get(stats, "ssrc", G_TYPE_UINT, &ssrc, "have-sr", G_TYPE_BOOLEAN, &have_sr, NULL);
        if (ssrc == LINE_SSRC && have_sr &&
            gst_structure_get(stats, "sr-rtptime", G_TYPE_UINT, &sr_rtp, "sr-ntptime", G_TYPE_UINT64, &ntp, NULL)) {
            *rtp = sr_rtp;
            *wall_us = (gint64)(((ntp >> 32) - NTP_UNIX_OFFSET_S) * G_USEC_PER_SEC) +
                       (gint64)(((ntp & 0xffffffffu) * G_USEC_PER_SEC) >> 32);
            found = true;
        }
        gst_structure_free(stats);
    }
    if (sources)
        g_value_array_free(sources);
    G_GNUC_END_IGNORE_DEPRECATIONS
    g_object_unref(session);
    return found;
}

static int compare_gint64(const void *a, const void *b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
    return (x > y) - (x < y);
}

/* How much later than the packets went in the report puts them: the median over the recent
 * packets (each projected to the report's RTP time at 90 kHz), in us. */
static gint64 report_shift(pushed *p, uint32_t sr_rtp, gint64 sr_wall_us)
{
    gint64 shifts[RECENT];
    g_mutex_lock(&p->lock);
    unsigned n = MIN(p->n, RECENT);
    for (unsigned i = 0; i < n; i++) {
        gint64 ahead_us = (gint64)(int32_t)(sr_rtp - p->rtp[i]) * 1000 / 90;
        shifts[i] = sr_wall_us - (p->wall_us[i] + ahead_us);
    }
    g_mutex_unlock(&p->lock);
    g_assert_cmpuint(n, >, 10);
    qsort(shifts, n, sizeof shifts[0], compare_gint64);
    return shifts[n / 2];
}

static void test_reports_shifted(void)
{
    pushed p = {.feed = tolk_video_feed_new(TOLK_VIDEO_VP8, LINE_SSRC, ask_nobody, NULL)};
    g_mutex_init(&p.lock);
    tolk_video_feed_select(p.feed, 0, g_get_monotonic_time());
    uint8_t key[TOLK_KEY_LEN] = {7};
    tolk_stream *audio = tolk_stream_new(key);
    client *viewer = client_new_av_receiver(111, VIEWER_PT, 440);
    char *offer = client_offer(viewer);
    tolk_webrtc_config cfg = {.gather_timeout_ms = 3000};
    tolk_error err;
    char *answer = NULL;
    tolk_webrtc_peer *peer = tolk_webrtc_peer_answered(
        tolk_webrtc_whep_prepare_with_video(offer, audio, p.feed, &cfg, &err), &answer, &err);
    g_assert_nonnull(peer);
    /* As if every frame of this peer's audio reached it 100 ms after its tick (no frames come
     * here, so nothing measures it anew). */
    atomic_store(&peer->audio_lag_us, SET_LAG_US);
    g_assert_true(client_set_answer(viewer, answer));
    GstElement *camera = camera_new(&p);
    g_assert_cmpint(gst_element_set_state(camera, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);

    /* Reports over 6 s: each new one is checked, and counted after the first second. */
    uint32_t last_rtp = 0;
    gint64 last_wall = 0, start = g_get_monotonic_time(), shifts[64];
    int reports = 0, counted = 0;
    while (g_get_monotonic_time() - start < 6 * G_TIME_SPAN_SECOND && reports < 64) {
        g_usleep(20000);
        uint32_t rtp = 0;
        gint64 wall = 0;
        if (!line_report(viewer, &rtp, &wall) || (rtp == last_rtp && wall == last_wall))
            continue;
        last_rtp = rtp, last_wall = wall;
        gint64 shift = report_shift(&p, rtp, wall);
        g_test_message("sender report %d: the line's packets put %.1f ms after they went in", reports + 1,
                       (double)shift / 1000);
        shifts[reports++] = shift;
        if (g_get_monotonic_time() - start >= G_TIME_SPAN_SECOND)
            counted++;
    }
    g_assert_cmpint(reports, >, 0);
    qsort(shifts, (size_t)reports, sizeof shifts[0], compare_gint64);
    gint64 median = shifts[reports / 2];
    g_test_message("%d reports (%d after the first second), median shift %.1f ms (expected %d)", reports, counted,
                   (double)median / 1000, (SET_LAG_US + FIXED_US) / 1000);
    /* Generous for a loaded machine (the camera's encoder and the threads add jitter), but far
     * from 0, which is what an unshifted report says, and from the seconds a report whose RTP
     * clock runs away (no running time for the packets) says after a few reports. */
    g_assert_cmpint(median, >, SET_LAG_US + FIXED_US - 40000);
    g_assert_cmpint(median, <, SET_LAG_US + FIXED_US + 60000);
    g_assert_cmpint(counted, >=, 3);

    gst_element_set_state(camera, GST_STATE_NULL);
    gst_object_unref(camera);
    tolk_webrtc_peer_close(peer);
    tolk_webrtc_peer_unref(peer);
    client_free(viewer);
    tolk_stream_free(audio);
    tolk_video_feed_free(p.feed);
    g_mutex_clear(&p.lock);
    g_free(offer);
    g_free(answer);
}

int main(int argc, char **argv)
{
    gst_init(&argc, &argv);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/webrtc-lipsync/reports-shifted", test_reports_shifted);
    return g_test_run();
}
