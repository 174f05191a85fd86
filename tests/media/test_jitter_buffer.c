/* SPDX-License-Identifier: EUPL-1.2 */
/* The reorder buffer of one input (mixer/media/jitter_buffer.c) with real libopus packets:
 * order, reordering, duplicates, late and lost packets (FEC against PLC), the seq wrap, a flood,
 * stereo, frame sizes, idling, and a sender whose packets straddle the tick. */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jitter_buffer.h"
#include "media_test_util.h"
#include "opus_packet.h"

#define FRAME TOLK_JITTER_FRAME
#define N 100
#define TICK_US 20000

static mt_packet packets[N];
static float pcm[N * FRAME * 2];

/* N packets of 20 ms of a tone. */
static void tone_packets(double freq)
{
    OpusEncoder *enc = mt_encoder(1, OPUS_APPLICATION_AUDIO, 0);
    mt_sine(pcm, N * FRAME, freq, 0.3, 0);
    mt_encode(enc, pcm, FRAME, 1, packets, N);
    opus_encoder_destroy(enc);
}

static void put(tolk_jitter_buffer *jb, uint16_t seq, int k, int64_t at_us)
{
    tolk_jitter_buffer_put(jb, seq, (uint32_t)(1000 + k * FRAME), packets[k].data, packets[k].len, at_us);
}

static tolk_jitter_stats stats(tolk_jitter_buffer *jb)
{
    tolk_jitter_stats s;
    tolk_jitter_buffer_get_stats(jb, &s);
    return s;
}

/* The tone dominates the frame: most of its power is at freq. */
static void assert_tone(const float *out, double freq)
{
    double rms = mt_rms(out, FRAME);
    g_assert_cmpfloat(rms, >, 0.1);
    g_assert_cmpfloat(mt_goertzel(out, FRAME, freq) * 2, >, 0.8 * rms * rms / 2);
}

static void test_in_order(void)
{
    tone_packets(1000);
    tolk_jitter_buffer *jb = tolk_jitter_buffer_new(60);
    float out[FRAME];
    for (int k = 0; k < N; k++) {
        put(jb, (uint16_t)(100 + k), k, k * TICK_US);
        g_assert_true(tolk_jitter_buffer_pull(jb, out, k * TICK_US + 1000));
        if (k > 2)
            assert_tone(out, 1000);
    }
    tolk_jitter_stats s = stats(jb);
    g_assert_cmpuint(s.played, ==, N);
    g_assert_cmpuint(s.lost + s.late + s.concealed + s.duplicate + s.skipped + s.invalid, ==, 0);
    g_assert_cmpuint(s.depth_ms, ==, 0);
    tolk_jitter_buffer_free(jb);
}

static void test_reordered(void)
{
    tone_packets(1000);
    tolk_jitter_buffer *jb = tolk_jitter_buffer_new(60);
    float out[FRAME];
    for (int k = 0; k + 1 < N; k += 2) { /* each pair arrives swapped, both before their turn */
        put(jb, (uint16_t)(k + 1), k + 1, k * TICK_US);
        put(jb, (uint16_t)k, k, k * TICK_US + 100);
        g_assert_true(tolk_jitter_buffer_pull(jb, out, k * TICK_US + 1000));
        g_assert_true(tolk_jitter_buffer_pull(jb, out, (k + 1) * TICK_US + 1000));
        if (k > 2)
            assert_tone(out, 1000);
    }
    tolk_jitter_stats s = stats(jb);
    g_assert_cmpuint(s.played, ==, N);
    g_assert_cmpuint(s.lost + s.late + s.concealed + s.duplicate, ==, 0);
    tolk_jitter_buffer_free(jb);
}

static void test_duplicates(void)
{
    tone_packets(1000);
    tolk_jitter_buffer *jb = tolk_jitter_buffer_new(60);
    float out[FRAME];
    for (int k = 0; k < 20; k++) {
        put(jb, (uint16_t)k, k, k * TICK_US);
        put(jb, (uint16_t)k, k, k * TICK_US + 10); /* waiting in its slot */
        g_assert_true(tolk_jitter_buffer_pull(jb, out, k * TICK_US + 1000));
        put(jb, (uint16_t)k, k, k * TICK_US + 2000); /* already played */
    }
    tolk_jitter_stats s = stats(jb);
    g_assert_cmpuint(s.played, ==, 20);
    g_assert_cmpuint(s.duplicate, ==, 40);
    g_assert_cmpuint(s.lost + s.late + s.concealed, ==, 0);
    tolk_jitter_buffer_free(jb);
}

static void test_late(void)
{
    tone_packets(1000);
    tolk_jitter_buffer *jb = tolk_jitter_buffer_new(60);
    float out[FRAME];
    put(jb, 0, 0, 0);
    g_assert_true(tolk_jitter_buffer_pull(jb, out, 1000));
    g_assert_true(tolk_jitter_buffer_pull(jb, out, 21000)); /* 1 is not there: concealed */
    put(jb, 1, 1, 22000);                                   /* then comes late */
    put(jb, 2, 2, 39000);
    g_assert_true(tolk_jitter_buffer_pull(jb, out, 41000));
    tolk_jitter_stats s = stats(jb);
    g_assert_cmpuint(s.played, ==, 2);
    g_assert_cmpuint(s.late, ==, 1);
    g_assert_cmpuint(s.lost, ==, 0); /* it did arrive */
    g_assert_cmpuint(s.concealed, ==, 1);
    g_assert_cmpuint(s.fec_recovered, ==, 0);
    tolk_jitter_buffer_free(jb);
}

/* The output of frame `lost_at` when that packet never arrives and its successor is (or is
 * not) there at its turn, aligned to the original; returns the correlation with it. */
static double recovered_correlation(int lost_at, bool successor_there, int lookahead, tolk_jitter_stats *out_stats)
{
    tolk_jitter_buffer *jb = tolk_jitter_buffer_new(100);
    float out[FRAME], got[N * FRAME];
    for (int k = 0; k < lost_at + 10; k++) {
        if (k != lost_at && !(k == lost_at + 1 && !successor_there))
            put(jb, (uint16_t)k, k, k * TICK_US);
        if (k == lost_at && successor_there)
            put(jb, (uint16_t)(k + 1), k + 1, k * TICK_US + 500);
        g_assert_true(tolk_jitter_buffer_pull(jb, out, k * TICK_US + 1000));
        memcpy(got + k * FRAME, out, sizeof out);
        if (k == lost_at && !successor_there)
            put(jb, (uint16_t)(k + 1), k + 1, k * TICK_US + 5000);
    }
    tolk_jitter_buffer_get_stats(jb, out_stats);
    tolk_jitter_buffer_free(jb);
    return mt_correlation(got + lost_at * FRAME + lookahead, pcm + lost_at * FRAME, FRAME - lookahead);
}

static void test_lost_with_fec(void)
{
    OpusEncoder *enc = mt_encoder(1, OPUS_APPLICATION_VOIP, 20);
    int lookahead;
    opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD(&lookahead));
    mt_speech(pcm, N * FRAME);
    mt_encode(enc, pcm, FRAME, 1, packets, N);
    opus_encoder_destroy(enc);
    /* Lose, in turn, each of 20 packets whose successor carries FEC (SILK codes it for the
     * voiced frames); on average the FEC frame is the lost one, the PLC frame a guess. */
    double with_fec = 0, with_plc = 0;
    int cases = 0;
    for (int lost_at = 20; lost_at < N - 10 && cases < 20; lost_at++) {
        if (!tolk_opus_packet_has_fec(packets[lost_at + 1].data, packets[lost_at + 1].len))
            continue;
        tolk_jitter_stats fec, plc;
        with_fec += recovered_correlation(lost_at, true, lookahead, &fec);
        with_plc += recovered_correlation(lost_at, false, lookahead, &plc);
        cases++;
        g_assert_cmpuint(fec.lost, ==, 1);
        g_assert_cmpuint(fec.fec_recovered, ==, 1);
        g_assert_cmpuint(fec.concealed, ==, 0);
        g_assert_cmpuint(plc.lost, ==, 1);
        g_assert_cmpuint(plc.fec_recovered, ==, 0);
        g_assert_cmpuint(plc.concealed, ==, 1);
    }
    g_assert_cmpint(cases, ==, 20);
    with_fec /= cases, with_plc /= cases;
    g_test_message("lost frame: correlation %.3f recovered from FEC, %.3f concealed by PLC", with_fec, with_plc);
    g_assert_cmpfloat(with_fec, >, 0.6);
    g_assert_cmpfloat(with_fec, >, with_plc + 0.2);
}

static void test_seq_wrap(void)
{
    tone_packets(1000);
    tolk_jitter_buffer *jb = tolk_jitter_buffer_new(60);
    float out[FRAME];
    for (int k = 0; k < 20; k++) {
        uint16_t seq = (uint16_t)(65530 + k);
        if (k == 8) /* 65538 = 2 comes before 1: reordered across the wrap */
            put(jb, (uint16_t)(seq + 1), k + 1, k * TICK_US);
        if (k != 9)
            put(jb, seq, k, k * TICK_US + 10);
        g_assert_true(tolk_jitter_buffer_pull(jb, out, k * TICK_US + 1000));
        if (k > 2)
            assert_tone(out, 1000);
    }
    tolk_jitter_stats s = stats(jb);
    g_assert_cmpuint(s.played, ==, 20);
    g_assert_cmpuint(s.lost + s.late + s.concealed + s.duplicate + s.invalid, ==, 0);
    tolk_jitter_buffer_free(jb);
}

/* Random and consecutive future seqs, random timestamps, garbage payloads: the queue stays
 * within max_delay_ms, and the real sender is heard again. */
static void test_flood(void)
{
    tone_packets(1000);
    const unsigned max_ms = 60;
    tolk_jitter_buffer *jb = tolk_jitter_buffer_new(max_ms);
    float out[FRAME];
    uint16_t seq = 0;
    int k = 0;
    int64_t t = 0;
    for (; k < 10; k++, seq++, t += TICK_US) {
        put(jb, seq, k, t);
        g_assert_true(tolk_jitter_buffer_pull(jb, out, t + 1000));
    }
    srand(7);
    uint8_t garbage[MT_MAXPKT];
    for (int i = 0; i < 20000; i++) {
        uint16_t s = (uint16_t)rand();
        if (i % 3 == 0)
            s = (uint16_t)(seq + 1 + i % 40); /* near future */
        size_t len = (size_t)(rand() % (int)sizeof garbage);
        for (size_t b = 0; b < len; b++)
            garbage[b] = (uint8_t)rand();
        if (i % 2)
            tolk_jitter_buffer_put(jb, s, (uint32_t)rand(), garbage, len, t);
        else
            tolk_jitter_buffer_put(jb, s, (uint32_t)rand(), packets[i % N].data, packets[i % N].len, t);
        g_assert_cmpuint(stats(jb).depth_ms, <=, max_ms + 20);
    }
    for (int i = 0; i < 5000; i++) /* a consecutive run far ahead: a sender jump */
        tolk_jitter_buffer_put(jb, (uint16_t)(seq + 20000 + i), 0, packets[i % N].data, packets[i % N].len, t);
    g_assert_cmpuint(stats(jb).depth_ms, <=, max_ms + 20);
    for (int i = 0; i < 40; i++, t += TICK_US) /* the flood is played or dropped within bounds */
        tolk_jitter_buffer_pull(jb, out, t);
    for (; k < N; k++, seq++, t += TICK_US) {
        put(jb, seq, k, t);
        g_assert_true(tolk_jitter_buffer_pull(jb, out, t + 1000));
    }
    assert_tone(out, 1000);
    tolk_jitter_stats s = stats(jb);
    g_assert_cmpuint(s.invalid, >, 10000);
    g_assert_cmpuint(s.depth_ms, <=, max_ms);
    tolk_jitter_buffer_free(jb);
}

static void test_stereo(void)
{
    OpusEncoder *enc = mt_encoder(2, OPUS_APPLICATION_AUDIO, 0);
    for (int i = 0; i < N * FRAME; i++) {
        pcm[2 * i] = (float)(0.3 * sin(2 * M_PI * 500.0 * i / MT_RATE));
        pcm[2 * i + 1] = (float)(0.3 * sin(2 * M_PI * 1500.0 * i / MT_RATE));
    }
    mt_encode(enc, pcm, FRAME, 2, packets, 30);
    opus_encoder_destroy(enc);
    g_assert_cmpint(opus_packet_get_nb_channels(packets[5].data), ==, 2);
    tolk_jitter_buffer *jb = tolk_jitter_buffer_new(60);
    float out[FRAME];
    for (int k = 0; k < 30; k++) {
        put(jb, (uint16_t)k, k, k * TICK_US);
        g_assert_true(tolk_jitter_buffer_pull(jb, out, k * TICK_US + 1000));
    }
    /* Downmixed: both channels' tones, each at about half its level (0.15: power ~0.011). */
    g_assert_cmpfloat(mt_goertzel(out, FRAME, 500), >, 0.004);
    g_assert_cmpfloat(mt_goertzel(out, FRAME, 1500), >, 0.004);
    g_assert_cmpuint(stats(jb).played, ==, 30);
    tolk_jitter_buffer_free(jb);
}

/* A sender of `ms` ms frames sends each when it is complete; the tick pulls every 20 ms. */
static void frame_size_case(int ms)
{
    int samples = ms * 48, count = 1000 / ms;
    OpusEncoder *enc = mt_encoder(1, OPUS_APPLICATION_AUDIO, 0);
    mt_sine(pcm, count * samples, 1000, 0.3, 0);
    mt_encode(enc, pcm, samples, 1, packets, count);
    opus_encoder_destroy(enc);
    tolk_jitter_buffer *jb = tolk_jitter_buffer_new(100);
    float out[FRAME];
    int sent = 0, pulled = 0;
    for (int64_t t = 0; t < 1000000; t += 1000) {
        while (sent < count && (int64_t)(sent + 1) * ms * 1000 <= t) {
            tolk_jitter_buffer_put(jb, (uint16_t)(500 + sent), (uint32_t)(sent * samples), packets[sent].data,
                                   packets[sent].len, t);
            sent++;
        }
        if (t % TICK_US == 1000 && t >= (int64_t)ms * 1000) {
            g_assert_true(tolk_jitter_buffer_pull(jb, out, t));
            if (++pulled > 3)
                assert_tone(out, 1000);
        }
    }
    tolk_jitter_stats s = stats(jb);
    g_test_message("%d ms frames: played %lu, concealed %lu", ms, (unsigned long)s.played, (unsigned long)s.concealed);
    g_assert_cmpuint(s.played, >=, (unsigned)count - 2);
    g_assert_cmpuint(s.lost + s.late + s.concealed + s.invalid, ==, 0);
    tolk_jitter_buffer_free(jb);
}

static void test_frame_sizes(void)
{
    frame_size_case(10);
    frame_size_case(40);
    frame_size_case(60);
}

static void test_idle(void)
{
    tone_packets(1000);
    tolk_jitter_buffer *jb = tolk_jitter_buffer_new(60);
    float out[FRAME], untouched[FRAME];
    for (int i = 0; i < FRAME; i++)
        out[i] = untouched[i] = 7.0f;
    g_assert_false(tolk_jitter_buffer_pull(jb, out, 0)); /* never sent */
    g_assert_cmpmem(out, sizeof out, untouched, sizeof untouched);
    int64_t t = 0;
    for (int k = 0; k < 10; k++, t += TICK_US) {
        put(jb, (uint16_t)k, k, t);
        g_assert_true(tolk_jitter_buffer_pull(jb, out, t + 1000));
    }
    double first = 0, last = 0;
    int concealing = 0;
    for (; tolk_jitter_buffer_pull(jb, out, t); t += TICK_US, concealing++) {
        g_assert_cmpint(concealing, <, 10);
        if (concealing == 0)
            first = mt_rms(out, FRAME);
        last = mt_rms(out, FRAME);
    }
    g_test_message("sender stopped: %d frames concealed, rms %.3f -> %.3f", concealing, first, last);
    g_assert_cmpint(concealing, >=, 4);
    g_assert_cmpint(concealing, <=, 6);
    g_assert_cmpfloat(last, <, first / 3); /* faded out */
    for (int i = 0; i < FRAME; i++)
        out[i] = 7.0f;
    for (int i = 0; i < 50; i++, t += TICK_US)
        g_assert_false(tolk_jitter_buffer_pull(jb, out, t));
    g_assert_cmpmem(out, sizeof out, untouched, sizeof untouched);
    tolk_jitter_stats s = stats(jb);
    g_assert_cmpuint(s.concealed, <=, 6);
    /* The sender comes back with its seq where it was, later with a jump: heard at once. */
    put(jb, 10, 10, t);
    g_assert_true(tolk_jitter_buffer_pull(jb, out, t + 1000));
    for (int i = 0; i < 20; i++, t += TICK_US)
        tolk_jitter_buffer_pull(jb, out, t + 1000);
    put(jb, 30000, 11, t);
    g_assert_true(tolk_jitter_buffer_pull(jb, out, t + 1000));
    g_assert_cmpuint(stats(jb).played, ==, 12);
    tolk_jitter_buffer_free(jb);
}

static void test_restart(void)
{
    tone_packets(1000);
    tolk_jitter_buffer *jb = tolk_jitter_buffer_new(60);
    float out[FRAME];
    for (int k = 0; k < 5; k++) {
        put(jb, (uint16_t)(1000 + k), k, k * TICK_US);
        g_assert_true(tolk_jitter_buffer_pull(jb, out, k * TICK_US + 1000));
    }
    tolk_jitter_buffer_restart(jb);
    put(jb, 3, 5, 5 * TICK_US); /* a new sender, seq far behind: starts afresh */
    g_assert_true(tolk_jitter_buffer_pull(jb, out, 5 * TICK_US + 1000));
    tolk_jitter_stats s = stats(jb);
    g_assert_cmpuint(s.played, ==, 6);
    g_assert_cmpuint(s.late + s.lost + s.invalid, ==, 0);
    tolk_jitter_buffer_free(jb);
}

/* Packets sent every 20 ms exactly on the tick's phase, each +-2 ms of network jitter: half of
 * them would miss their turn. The queue grows by a frame and concealment stops; when the
 * jitter stops, the frame is given back. */
static void test_jitter_at_tick_boundary(void)
{
    tone_packets(440);
    tolk_jitter_buffer *jb = tolk_jitter_buffer_new(60);
    float out[FRAME];
    srand(11);
    uint64_t concealed_at_1s = 0;
    double jitter_at_6s = 0;
    int k = 0;
    int64_t arrival = 0;
    int64_t tick = 0;
    for (int64_t t = 0; t < 10000000; t += 100) {
        if (k < 100000 && arrival == 0) {
            /* The first packets come just before their tick, so the start holds nothing. */
            int64_t jitter = k < 10 ? -1000 : t < 6000000 ? rand() % 4000 - 2000 : -5000;
            arrival = (int64_t)k * TICK_US + jitter + (jitter == 0);
        }
        if (arrival && t >= arrival) {
            put(jb, (uint16_t)k, k % N, arrival);
            k++;
            arrival = 0;
        }
        if (t == tick) {
            tolk_jitter_buffer_pull(jb, out, t);
            tick += TICK_US;
        }
        if (t == 1000000)
            concealed_at_1s = stats(jb).concealed;
        if (t == 6000000)
            jitter_at_6s = stats(jb).jitter_ms;
    }
    tolk_jitter_stats s = stats(jb);
    g_test_message("concealed %lu (%lu in the first second), late %lu, skipped %lu, jitter %.2f ms",
                   (unsigned long)s.concealed, (unsigned long)concealed_at_1s, (unsigned long)s.late,
                   (unsigned long)s.skipped, jitter_at_6s);
    g_assert_cmpuint(concealed_at_1s, >=, 1); /* the jitter did make packets miss their turn */
    g_assert_cmpuint(s.concealed - concealed_at_1s, <=, 1);
    g_assert_cmpuint(s.late, <=, 3);
    g_assert_cmpuint(s.skipped, >=, 1); /* the jitter stopped at 6 s: the frame is given back */
    g_assert_cmpuint(s.skipped, <=, 2);
    g_assert_cmpfloat(jitter_at_6s, >, 0.5);
    tolk_jitter_buffer_free(jb);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/jitter-buffer/in-order", test_in_order);
    g_test_add_func("/jitter-buffer/reordered", test_reordered);
    g_test_add_func("/jitter-buffer/duplicates", test_duplicates);
    g_test_add_func("/jitter-buffer/late", test_late);
    g_test_add_func("/jitter-buffer/lost-with-fec", test_lost_with_fec);
    g_test_add_func("/jitter-buffer/seq-wrap", test_seq_wrap);
    g_test_add_func("/jitter-buffer/flood", test_flood);
    g_test_add_func("/jitter-buffer/stereo", test_stereo);
    g_test_add_func("/jitter-buffer/frame-sizes", test_frame_sizes);
    g_test_add_func("/jitter-buffer/idle", test_idle);
    g_test_add_func("/jitter-buffer/restart", test_restart);
    g_test_add_func("/jitter-buffer/jitter-at-tick-boundary", test_jitter_at_tick_boundary);
    return g_test_run();
}
