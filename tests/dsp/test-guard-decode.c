/* SPDX-License-Identifier: EUPL-1.2 */
/* Full-scale bursts through tolk_guard, then a real Opus encode (64 kbit/s, fullband, 20 ms)
 * and decode: the true peak the listener decodes stays under the -1 dBFS ceiling. */
#include "guard.h"
#include "signals.h"
#include "truepeak.h"

#include <glib.h>
#include <math.h>
#include <opus.h>
#include <time.h>

#define FRAME 960
#define FRAMES 75                       /* 1.5 s */
#define LEN (FRAME * FRAMES)

typedef void (*fill_fn)(float *x);

/* measured per case in thread CPU time (other processes share the machine), reported in its
 * message */
static double encode_us, guard_us;

static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}
static unsigned timed_frames;

/* Runs x through the guard and the codec in place; returns the decoded true peak. */
static float guard_and_decode(float *x)
{
    int err;
    OpusEncoder *enc = opus_encoder_create(SIG_RATE, 1, OPUS_APPLICATION_AUDIO, &err);
    g_assert_cmpint(err, ==, OPUS_OK);
    OpusDecoder *dec = opus_decoder_create(SIG_RATE, 1, &err);
    g_assert_cmpint(err, ==, OPUS_OK);
    opus_encoder_ctl(enc, OPUS_SET_BITRATE(64000));
    opus_encoder_ctl(enc, OPUS_SET_BANDWIDTH(OPUS_BANDWIDTH_FULLBAND));
    tolk_guard *guard = tolk_guard_new(SIG_RATE);
    unsigned char packet[4000];

    for (unsigned f = 0; f < FRAMES; f++) {
        float *frame = x + f * FRAME;
        double t0 = cpu_us();
        tolk_guard_process(guard, frame, FRAME, NULL);
        double t1 = cpu_us();
        int bytes = opus_encode_float(enc, frame, FRAME, packet, sizeof(packet));
        double t2 = cpu_us();
        g_assert_cmpint(bytes, >, 0);
        g_assert_cmpint(opus_decode_float(dec, packet, bytes, frame, FRAME, 0), ==, FRAME);
        guard_us += t1 - t0;
        encode_us += t2 - t1;
        timed_frames++;
    }
    tolk_guard_free(guard);
    opus_decoder_destroy(dec);
    opus_encoder_destroy(enc);
    return tolk_true_peak_of(x, LEN);
}

static void check(const void *data)
{
    fill_fn fill = (fill_fn)data;
    float *x = g_new(float, LEN);
    guard_us = encode_us = 0.0;
    timed_frames = 0;
    fill(x);
    float input_peak = tolk_true_peak_of(x, LEN);
    float decoded = guard_and_decode(x);
    g_test_message("input true peak %+.2f dBFS, decoded %+.2f dBFS; per 20 ms frame: guard "
                   "%.1f us, opus encode %.1f us", sig_db(input_peak), sig_db(decoded),
                   guard_us / timed_frames, encode_us / timed_frames);
    g_assert_cmpfloat(sig_db(decoded), <=, TOLK_GUARD_PEAK_CEILING_DB);
    g_free(x);
}

static void sine_997(float *x) { sig_sine(x, LEN, 997.0, 1.0, 0.0); }
static void sine_5k(float *x) { sig_sine(x, LEN, 5000.0, 1.0, 0.3); }
/* fs/4 at 45 degrees: every sample at 0.707, the true peak at 1.0 (+3 dB over the samples) */
static void sine_fs4(float *x) { sig_sine(x, LEN, 12000.0, 1.0, M_PI / 4); }
static void sine_near_fs4(float *x) { sig_sine(x, LEN, 11025.0, 1.0, M_PI / 4); }
static void sine_15k(float *x) { sig_sine(x, LEN, 15000.0, 1.0, 0.1); }
static void square_1k(float *x) { sig_square(x, LEN, 1000.0, 1.0); }
static void square_100(float *x) { sig_square(x, LEN, 100.0, 1.0); }
static void noise(float *x) { sig_noise(x, LEN, 1.0, 1); }
static void step(float *x) { sig_step(x, LEN, LEN / 2 + 123); }
static void clicks(float *x) { sig_clicks(x, LEN, SIG_RATE / 10); }

/* Speech level (-20 dBFS RMS): the cost of the usual case. */
static void speech_level(float *x) { sig_noise(x, LEN, 0.1 * sqrt(3.0), 3); }

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    static const struct { const char *name; fill_fn fill; } cases[] = {
        {"sine-997", sine_997}, {"sine-5k", sine_5k}, {"sine-fs4-45deg", sine_fs4},
        {"sine-11025-45deg", sine_near_fs4}, {"sine-15k", sine_15k}, {"square-1k", square_1k},
        {"square-100", square_100}, {"white-noise", noise}, {"step-40-to-0", step},
        {"clicks", clicks}, {"speech-level-noise", speech_level},
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_strdup_printf("/guard-decode/%s", cases[i].name);
        g_test_add_data_func(path, (const void *)cases[i].fill, check);
        g_free(path);
    }
    return g_test_run();
}
