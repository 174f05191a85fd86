/* SPDX-License-Identifier: EUPL-1.2 */
/* video_feed: the floor video's fan-out. A viewer whose queue is full misses packets until
 * the next key frame while the others get every one; a viewer joins at a key frame; key frame
 * requests of many viewers and of a switch reach the source once per interval; the switch asks
 * the chosen source, not the old one; after unsubscribe a viewer is never called; a source is
 * one RTP stream (a second SSRC is dropped while the first sends, and takes over after it). */
#include "video_feed.h"

#include <glib.h>
#include <string.h>

typedef struct {
    int packets, keyframes;
    bool full; /* refuses packets while set */
} test_viewer;

typedef struct {
    int asks[2];
} test_sources;

static bool on_packet(void *ctx, const uint8_t *rtp, size_t len)
{
    test_viewer *v = ctx;
    if (v->full)
        return false;
    v->packets++;
    v->keyframes += len > 13 && (rtp[12] & 0x10) && !(rtp[13] & 0x01);
    return true;
}

static void on_ask(void *ctx, int source)
{
    ((test_sources *)ctx)->asks[source]++;
}

/* One VP8 packet (a whole frame) of a source's stream `ssrc` (1..3), key or not. */
static void push_stream(tolk_video_feed *feed, int source, uint8_t ssrc, bool key, int64_t now_us)
{
    static uint16_t seq[4];
    static uint32_t ts[4];
    uint8_t p[15] = {0x80, 0x80 | 96, (uint8_t)(seq[ssrc] >> 8), (uint8_t)seq[ssrc], (uint8_t)(ts[ssrc] >> 24),
                     (uint8_t)(ts[ssrc] >> 16), (uint8_t)(ts[ssrc] >> 8), (uint8_t)ts[ssrc], 0, 0, 0,
                     ssrc, 0x10, key ? 0x50 : 0x51, 0x2a};
    seq[ssrc]++;
    ts[ssrc] += 3000;
    tolk_video_feed_push(feed, source, p, sizeof p, now_us);
}

static void push(tolk_video_feed *feed, int source, bool key, int64_t now_us)
{
    push_stream(feed, source, (uint8_t)(source + 1), key, now_us);
}

static void test_slow_viewer_waits_for_key_frame(void)
{
    test_sources sources = {{0}};
    tolk_video_feed *feed = tolk_video_feed_new(TOLK_VIDEO_VP8, 0xfeed, on_ask, &sources);
    test_viewer fast = {0}, slow = {0};
    int64_t now = 1000000;
    tolk_video_feed_select(feed, 0, now);
    push(feed, 0, true, now += 33333);
    guint a = tolk_video_feed_subscribe(feed, on_packet, &fast, now);
    guint b = tolk_video_feed_subscribe(feed, on_packet, &slow, now);
    /* Joining viewers wait for a key frame. */
    push(feed, 0, false, now += 33333);
    g_assert_cmpint(fast.packets, ==, 0);
    push(feed, 0, true, now += 33333);
    g_assert_cmpint(fast.packets, ==, 1);
    g_assert_cmpint(slow.packets, ==, 1);
    /* The slow one's queue fills: it misses the rest of the key frame interval. */
    slow.full = true;
    push(feed, 0, false, now += 33333);
    slow.full = false;
    for (int i = 0; i < 5; i++)
        push(feed, 0, false, now += 33333);
    g_assert_cmpint(fast.packets, ==, 7);
    g_assert_cmpint(slow.packets, ==, 1);
    push(feed, 0, true, now += 33333);
    push(feed, 0, false, now += 33333);
    g_assert_cmpint(slow.packets, ==, 3);
    g_assert_cmpint(slow.keyframes, ==, 2);
    g_assert_cmpint(fast.packets, ==, 9);

    tolk_video_feed_stats st;
    tolk_video_feed_get_stats(feed, &st);
    g_assert_cmpint(st.viewers, ==, 2);
    g_assert_cmpint(st.live, ==, 0);
    g_assert_cmpuint(st.delivered, ==, 12);
    tolk_video_feed_unsubscribe(feed, a);
    tolk_video_feed_unsubscribe(feed, b);
    push(feed, 0, true, now += 33333);
    g_assert_cmpint(fast.packets, ==, 9);
    tolk_video_feed_free(feed);
}

static void test_requests_merged_and_aimed(void)
{
    test_sources sources = {{0}};
    tolk_video_feed *feed = tolk_video_feed_new(TOLK_VIDEO_VP8, 0xfeed, on_ask, &sources);
    test_viewer viewers[72] = {{0}};
    int64_t now = 5000000;
    tolk_video_feed_select(feed, 0, now);
    g_assert_cmpint(sources.asks[0], ==, 1);
    push(feed, 0, true, now += 1000);
    /* 72 viewers join within 100 ms: the source is asked once more, when the interval ends. */
    for (int i = 0; i < 72; i++)
        tolk_video_feed_subscribe(feed, on_packet, &viewers[i], now += 1000);
    g_assert_cmpint(sources.asks[0], ==, 1);
    g_assert_cmpint(tolk_video_feed_tick(feed, now), ==, 5000000 + TOLK_VIDEO_KEYFRAME_INTERVAL_US);
    tolk_video_feed_tick(feed, 5000000 + TOLK_VIDEO_KEYFRAME_INTERVAL_US);
    g_assert_cmpint(sources.asks[0], ==, 2);

    /* A switch to source 1 asks source 1; its frames before a key frame ask it again, merged. */
    now = 7000000;
    tolk_video_feed_select(feed, 1, now);
    g_assert_cmpint(sources.asks[1], ==, 1);
    for (int i = 0; i < 10; i++)
        push(feed, 1, false, now += 33333);
    g_assert_cmpint(sources.asks[1], ==, 1);
    tolk_video_feed_tick(feed, now);
    g_assert_cmpint(sources.asks[1], ==, 1);
    g_assert_cmpint(sources.asks[0], ==, 2);
    /* The old source stays on the line meanwhile; the key frame switches and answers. */
    tolk_video_feed_stats st;
    tolk_video_feed_get_stats(feed, &st);
    g_assert_cmpint(st.live, ==, 0);
    push(feed, 1, true, now += 33333);
    tolk_video_feed_get_stats(feed, &st);
    g_assert_cmpint(st.live, ==, 1);
    g_assert_cmpint(tolk_video_feed_tick(feed, now + 10 * TOLK_VIDEO_KEYFRAME_INTERVAL_US), ==, INT64_MAX);
    g_assert_cmpint(sources.asks[1], ==, 1);
    tolk_video_feed_free(feed);
}

/* A publisher sending simulcast layers it was not asked for (two SSRCs at once): only the first
 * stream reaches the viewers, the other is counted; once the first has been quiet for the
 * handover time the other takes over (an encoder restarted with a new SSRC). */
static void test_one_stream_per_source(void)
{
    test_sources sources = {{0}};
    tolk_video_feed *feed = tolk_video_feed_new(TOLK_VIDEO_VP8, 0xfeed, on_ask, &sources);
    test_viewer viewer = {0};
    int64_t now = 9000000;
    tolk_video_feed_select(feed, 0, now);
    tolk_video_feed_subscribe(feed, on_packet, &viewer, now);
    for (int i = 0; i < 10; i++) {
        push_stream(feed, 0, 1, i == 0, now += 16000);
        push_stream(feed, 0, 3, i == 0, now += 17000);
    }
    tolk_video_source_stats st;
    tolk_video_feed_source_stats(feed, 0, &st);
    g_assert_cmpint(viewer.packets, ==, 10);
    g_assert_cmpuint(st.packets, ==, 10);
    g_assert_cmpuint(st.second_stream, ==, 10);
    /* Stream 1 stops; stream 3 sends on: still dropped within the handover time, then taken. */
    int64_t last_of_1 = now - 17000;
    while (now + 33333 - last_of_1 < TOLK_VIDEO_FEED_HANDOVER_US)
        push_stream(feed, 0, 3, false, now += 33333);
    g_assert_cmpint(viewer.packets, ==, 10);
    push_stream(feed, 0, 3, true, now += 33333);
    push_stream(feed, 0, 3, false, now += 33333);
    g_assert_cmpint(viewer.packets, ==, 12);
    g_assert_cmpint(viewer.keyframes, ==, 2);
    /* The old stream coming back while the new one sends is the second stream now. */
    push_stream(feed, 0, 1, true, now += 1000);
    g_assert_cmpint(viewer.packets, ==, 12);
    tolk_video_feed_source_stats(feed, 0, &st);
    g_assert_cmpuint(st.second_stream, >, 10);
    /* A source's number given to a new source forgets its stream and counts. */
    tolk_video_feed_reset_source(feed, 0);
    push_stream(feed, 0, 1, true, now += 1000);
    g_assert_cmpint(viewer.packets, ==, 13);
    tolk_video_feed_source_stats(feed, 0, &st);
    g_assert_cmpuint(st.second_stream, ==, 0);
    tolk_video_feed_free(feed);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/video_feed/slow_viewer_waits_for_key_frame", test_slow_viewer_waits_for_key_frame);
    g_test_add_func("/video_feed/requests_merged_and_aimed", test_requests_merged_and_aimed);
    g_test_add_func("/video_feed/one_stream_per_source", test_one_stream_per_source);
    return g_test_run();
}
