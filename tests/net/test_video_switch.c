/* SPDX-License-Identifier: EUPL-1.2 */
/* video_switch: two VP8 sources with their own SSRCs, sequences and timestamps; the line the
 * viewers see stays one stream (one SSRC, sequence +1 per packet, timestamps rising in real
 * time) across switches, which wait for the chosen source's key frame while the old source goes
 * on; a loss at the source stays a gap; "no picture" stops the line at once. */
#include "video_switch.h"

#include <glib.h>
#include <string.h>

#define LINE_SSRC 0x7011c0deu

typedef struct {
    uint32_t ssrc;
    uint16_t seq;
    uint32_t timestamp;
} source;

typedef struct {
    uint16_t seq;
    uint32_t timestamp, ssrc;
} line;

/* One VP8 packet of a frame, key or not, the frame's last when marker. */
static size_t vp8(uint8_t *out, source *src, bool key, bool marker)
{
    const uint8_t head[12] = {0x80, (uint8_t)((marker ? 0x80 : 0) | 96), (uint8_t)(src->seq >> 8), (uint8_t)src->seq,
                              (uint8_t)(src->timestamp >> 24), (uint8_t)(src->timestamp >> 16),
                              (uint8_t)(src->timestamp >> 8), (uint8_t)src->timestamp, (uint8_t)(src->ssrc >> 24),
                              (uint8_t)(src->ssrc >> 16), (uint8_t)(src->ssrc >> 8), (uint8_t)src->ssrc};
    memcpy(out, head, 12);
    out[12] = 0x10; /* S, PID 0 */
    out[13] = key ? 0x50 : 0x51;
    out[14] = 0x2a;
    src->seq++;
    return 15;
}

static line read_line(const uint8_t *p)
{
    return (line){(uint16_t)((p[2] << 8) | p[3]), ((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7],
                  ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) | ((uint32_t)p[10] << 8) | p[11]};
}

/* A frame of one packet from src at now_us: the verdict, and the line's numbers if forwarded. */
static tolk_video_verdict frame(tolk_video_switch *sw, int id, source *src, bool key, int64_t now_us, line *out)
{
    uint8_t buf[32];
    size_t len = vp8(buf, src, key, true);
    tolk_video_verdict v = tolk_video_switch_push(sw, id, buf, len, now_us, NULL);
    src->timestamp += 3000; /* 30 frames a second */
    if (v == TOLK_VIDEO_FORWARD && out)
        *out = read_line(buf);
    return v;
}

static void test_switch_at_key_frame(void)
{
    tolk_video_switch sw;
    tolk_video_switch_init(&sw, TOLK_VIDEO_VP8, LINE_SSRC, 1000, 500000);
    source a = {0xaaaa0001, 65530, 4000000000u}, b = {0xbbbb0002, 17, 123};
    line l = {0}, prev;
    int64_t now = 1000000;

    /* Nothing chosen: nothing goes. */
    g_assert_cmpint(frame(&sw, 0, &a, true, now, NULL), ==, TOLK_VIDEO_DROP);
    tolk_video_switch_select(&sw, 0);
    /* The chosen source's first frames wait for its key frame. */
    g_assert_cmpint(frame(&sw, 0, &a, false, now += 33333, NULL), ==, TOLK_VIDEO_WANT_KEYFRAME);
    g_assert_cmpint(frame(&sw, 0, &a, true, now += 33333, &l), ==, TOLK_VIDEO_FORWARD);
    g_assert_cmpuint(l.seq, ==, 1000);
    g_assert_cmphex(l.ssrc, ==, LINE_SSRC);
    for (int i = 0; i < 10; i++) { /* across a wrap of a's sequence and timestamp */
        prev = l;
        g_assert_cmpint(frame(&sw, 0, &a, false, now += 33333, &l), ==, TOLK_VIDEO_FORWARD);
        g_assert_cmpuint(l.seq, ==, (uint16_t)(prev.seq + 1));
        g_assert_cmpuint(l.timestamp - prev.timestamp, ==, 3000);
    }
    g_assert_cmpint(tolk_video_switch_live(&sw), ==, 0);

    /* Switch to b: a goes on until b's key frame. */
    tolk_video_switch_select(&sw, 1);
    g_assert_cmpint(frame(&sw, 1, &b, false, now += 10000, NULL), ==, TOLK_VIDEO_WANT_KEYFRAME);
    prev = l;
    g_assert_cmpint(frame(&sw, 0, &a, false, now += 23333, &l), ==, TOLK_VIDEO_FORWARD);
    g_assert_cmpuint(l.seq, ==, (uint16_t)(prev.seq + 1));
    prev = l;
    g_assert_cmpint(frame(&sw, 1, &b, true, now += 20000, &l), ==, TOLK_VIDEO_FORWARD);
    g_assert_cmpuint(l.seq, ==, (uint16_t)(prev.seq + 1));
    g_assert_cmphex(l.ssrc, ==, LINE_SSRC);
    g_assert_cmpuint(l.timestamp - prev.timestamp, ==, 1 + 20000 * 90 / 1000);
    g_assert_cmpint(tolk_video_switch_live(&sw), ==, 1);
    /* a is dropped from now on; b continues the line. */
    g_assert_cmpint(frame(&sw, 0, &a, true, now += 1000, NULL), ==, TOLK_VIDEO_DROP);
    prev = l;
    g_assert_cmpint(frame(&sw, 1, &b, false, now += 33333, &l), ==, TOLK_VIDEO_FORWARD);
    g_assert_cmpuint(l.seq, ==, (uint16_t)(prev.seq + 1));
    g_assert_cmpuint(l.timestamp - prev.timestamp, ==, 3000);
    g_assert_cmpuint(atomic_load(&sw.switches), ==, 2);
}

static void test_loss_stays_a_gap(void)
{
    tolk_video_switch sw;
    tolk_video_switch_init(&sw, TOLK_VIDEO_VP8, LINE_SSRC, 1, 0);
    source a = {1, 100, 0};
    line l, prev;
    tolk_video_switch_select(&sw, 0);
    g_assert_cmpint(frame(&sw, 0, &a, true, 0, &l), ==, TOLK_VIDEO_FORWARD);
    prev = l;
    a.seq += 3; /* three packets lost on the way in */
    g_assert_cmpint(frame(&sw, 0, &a, false, 33333, &l), ==, TOLK_VIDEO_FORWARD);
    g_assert_cmpuint(l.seq, ==, (uint16_t)(prev.seq + 4));

    /* A late packet keeps its own place and does not move the line back. */
    uint8_t buf[32];
    source late = {1, (uint16_t)(a.seq - 2), a.timestamp - 3000};
    size_t len = vp8(buf, &late, false, true);
    g_assert_cmpint(tolk_video_switch_push(&sw, 0, buf, len, 40000, NULL), ==, TOLK_VIDEO_FORWARD);
    g_assert_cmpuint(read_line(buf).seq, ==, (uint16_t)(l.seq - 1));
    prev = l;
    g_assert_cmpint(frame(&sw, 0, &a, false, 66666, &l), ==, TOLK_VIDEO_FORWARD);
    g_assert_cmpuint(l.seq, ==, (uint16_t)(prev.seq + 1));
}

static void test_no_picture_and_invalid(void)
{
    tolk_video_switch sw;
    tolk_video_switch_init(&sw, TOLK_VIDEO_VP8, LINE_SSRC, 1, 0);
    source a = {1, 100, 0};
    tolk_video_switch_select(&sw, 0);
    g_assert_cmpint(frame(&sw, 0, &a, true, 0, NULL), ==, TOLK_VIDEO_FORWARD);
    tolk_video_switch_select(&sw, -1);
    g_assert_cmpint(frame(&sw, 0, &a, true, 33333, NULL), ==, TOLK_VIDEO_DROP);
    g_assert_cmpint(tolk_video_switch_live(&sw), ==, -1);

    uint8_t junk[] = {0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    g_assert_cmpint(tolk_video_switch_push(&sw, 0, junk, sizeof junk, 40000, NULL), ==, TOLK_VIDEO_INVALID);
    g_assert_cmpuint(atomic_load(&sw.invalid), ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/video_switch/at_key_frame", test_switch_at_key_frame);
    g_test_add_func("/video_switch/loss_stays_a_gap", test_loss_stays_a_gap);
    g_test_add_func("/video_switch/no_picture_and_invalid", test_no_picture_and_invalid);
    return g_test_run();
}
