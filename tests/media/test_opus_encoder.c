/* SPDX-License-Identifier: EUPL-1.2 */
/* One stream's encoder (mixer/media/opus_encoder.c): digital silence is the canned frame and
 * decodes to silence, sound after silence decodes right, packets are CELT without FEC. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "media_test_util.h"
#include "opus_encoder.h"
#include "opus_packet.h"

#define FRAME TOLK_OPUS_FRAME

static OpusDecoder *decoder(void)
{
    int err;
    OpusDecoder *dec = opus_decoder_create(MT_RATE, 1, &err);
    g_assert_nonnull(dec);
    return dec;
}

static void test_silence_is_canned(void)
{
    tolk_opus_encoder *enc = tolk_opus_encoder_new();
    OpusDecoder *dec = decoder();
    static const float zero[FRAME];
    uint8_t pkt[MT_MAXPKT];
    float out[FRAME];
    for (int i = 0; i < 10; i++) {
        int n = tolk_opus_encoder_encode(enc, zero, pkt, sizeof pkt);
        g_assert_cmpmem(pkt, n, tolk_opus_silence_frame, sizeof tolk_opus_silence_frame);
        g_assert_cmpint(opus_decode_float(dec, pkt, n, out, FRAME, 0), ==, FRAME);
        for (int s = 0; s < FRAME; s++)
            g_assert_cmpfloat(fabsf(out[s]), <, 1e-20f); /* CELT's anti-denormal floor, -400 dBFS */
    }
    g_assert_cmpint(tolk_opus_encoder_encode(enc, zero, pkt, 2), <, 0); /* too small a buffer */
    opus_decoder_destroy(dec);
    tolk_opus_encoder_free(enc);
}

/* Encodes `frames` of a tone (or silence if freq is 0) and decodes them into out. */
static void encode_decode(tolk_opus_encoder *enc, OpusDecoder *dec, double freq, int frames, long *at, float *out)
{
    float pcm[FRAME];
    uint8_t pkt[MT_MAXPKT];
    for (int f = 0; f < frames; f++, *at += FRAME) {
        if (freq > 0)
            mt_sine(pcm, FRAME, freq, 0.3, *at);
        else
            memset(pcm, 0, sizeof pcm);
        int n = tolk_opus_encoder_encode(enc, pcm, pkt, sizeof pkt);
        g_assert_cmpint(n, >, 0);
        g_assert_cmpint(opus_decode_float(dec, pkt, n, out + f * FRAME, FRAME, 0), ==, FRAME);
    }
}

static void test_sound_after_silence(void)
{
    tolk_opus_encoder *enc = tolk_opus_encoder_new();
    OpusDecoder *dec = decoder();
    static float a[50 * FRAME], quiet[50 * FRAME], b[50 * FRAME];
    long at = 0;
    encode_decode(enc, dec, 1000, 50, &at, a);
    encode_decode(enc, dec, 0, 50, &at, quiet);
    encode_decode(enc, dec, 440, 50, &at, b);
    /* The silence decodes to silence once the codec's overlap has run out; the first sound
     * frame starts with the encoder's lookahead, silence after the reset (a stale encoder
     * would send the end of the 1 kHz tone there). */
    g_assert_cmpfloat(mt_rms(b, 240), <, 0.01);
    g_assert_cmpfloat(mt_rms(quiet + 2 * FRAME, 48 * FRAME), <, 1e-4);
    /* The new tone is right from its second frame, with nothing of the old one. */
    for (int f = 1; f < 50; f++) {
        const float *x = b + f * FRAME;
        double rms = mt_rms(x, FRAME);
        g_assert_cmpfloat(rms, >, 0.15);
        g_assert_cmpfloat(mt_goertzel(x, FRAME, 440) * 2, >, 0.8 * rms * rms / 2);
        g_assert_cmpfloat(mt_goertzel(x, FRAME, 1000), <, 1e-3 * mt_goertzel(x, FRAME, 440));
    }
    opus_decoder_destroy(dec);
    tolk_opus_encoder_free(enc);
}

/* CELT only, no FEC: every packet's TOC says CELT fullband 20 ms, none carries LBRR, and each
 * decodes to a full frame. */
static void test_packets_are_celt(void)
{
    tolk_opus_encoder *enc = tolk_opus_encoder_new();
    OpusDecoder *dec = decoder();
    static float pcm[100 * FRAME];
    float out[FRAME];
    uint8_t pkt[MT_MAXPKT];
    mt_speech(pcm, 100 * FRAME);
    for (int f = 0; f < 100; f++) {
        int n = tolk_opus_encoder_encode(enc, pcm + f * FRAME, pkt, sizeof pkt);
        g_assert_cmpint(n, >, 0);
        g_assert_cmpint(pkt[0] >> 3, ==, 31); /* config 31: CELT, fullband, 20 ms */
        g_assert_false(tolk_opus_packet_has_fec(pkt, (size_t)n));
        g_assert_cmpint(opus_decode_float(dec, pkt, n, out, FRAME, 0), ==, FRAME);
    }
    opus_decoder_destroy(dec);
    tolk_opus_encoder_free(enc);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/opus-encoder/silence-is-canned", test_silence_is_canned);
    g_test_add_func("/opus-encoder/sound-after-silence", test_sound_after_silence);
    g_test_add_func("/opus-encoder/packets-are-celt", test_packets_are_celt);
    return g_test_run();
}
