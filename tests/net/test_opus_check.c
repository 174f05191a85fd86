/* SPDX-License-Identifier: EUPL-1.2 */
/* The Opus check's verdict on a stream: an L24-like stream stays refused, an Opus stream
 * whose timestamps stumbled is heard again after a run of sound packets. */
#include <glib.h>
#include <string.h>

#include "opus_check.h"

#define SSRC 0x11223344u

/* A plain RTP packet; payload byte 0x08 is a one-frame Opus packet of 20 ms (960 samples),
 * so a timestamp step under 960 "steps back" into its audio. */
static size_t packet(uint8_t *buf, uint16_t seq, uint32_t ts, uint8_t toc)
{
    memset(buf, 0, 12 + 8);
    buf[0] = 0x80;
    buf[1] = 111;
    buf[2] = (uint8_t)(seq >> 8), buf[3] = (uint8_t)seq;
    buf[4] = (uint8_t)(ts >> 24), buf[5] = (uint8_t)(ts >> 16), buf[6] = (uint8_t)(ts >> 8), buf[7] = (uint8_t)ts;
    buf[8] = (uint8_t)(SSRC >> 24), buf[9] = (uint8_t)(SSRC >> 16), buf[10] = (uint8_t)(SSRC >> 8), buf[11] = (uint8_t)SSRC;
    buf[12] = toc;
    return 12 + 8;
}

static tolk_opus_verdict send(tolk_opus_check *c, uint16_t seq, uint32_t ts)
{
    uint8_t buf[32];
    size_t len = packet(buf, seq, ts, 0x08);
    return tolk_opus_check_packet(c, buf, len);
}

static void test_short_steps_stay_refused(void)
{
    tolk_opus_check c = {0};
    uint16_t seq = 1;
    uint32_t ts = 1000;
    send(&c, seq++, ts);
    for (int i = 0; i < 200; i++) /* 1 ms packet time, as AES67 */
        g_assert_cmpint(send(&c, seq++, ts += 48), ==, TOLK_OPUS_BAD_TIMING);
}

static void test_stumbled_opus_is_heard_again(void)
{
    tolk_opus_check c = {0};
    uint16_t seq = 1;
    uint32_t ts = 1000;
    send(&c, seq++, ts);
    for (int i = 0; i < TOLK_OPUS_FOREIGN_RUN; i++)
        g_assert_cmpint(send(&c, seq++, ts += 100), ==, TOLK_OPUS_BAD_TIMING);
    /* Marked not Opus: sound packets are still refused until a run of them clears it. */
    for (int i = 1; i < TOLK_OPUS_FOREIGN_RUN; i++)
        g_assert_cmpint(send(&c, seq++, ts += 960), ==, TOLK_OPUS_BAD_TIMING);
    g_assert_cmpint(send(&c, seq++, ts += 960), ==, TOLK_OPUS_OK);
    g_assert_cmpint(send(&c, seq++, ts += 960), ==, TOLK_OPUS_OK);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/opus-check/short-steps-stay-refused", test_short_steps_stay_refused);
    g_test_add_func("/opus-check/stumbled-opus-is-heard-again", test_stumbled_opus_is_heard_again);
    return g_test_run();
}
