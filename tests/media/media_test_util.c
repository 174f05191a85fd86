/* SPDX-License-Identifier: EUPL-1.2 */
#include "media_test_util.h"

#include <glib.h>
#include <math.h>

double mt_goertzel(const float *pcm, int n, double freq)
{
    double k = 2 * cos(2 * M_PI * freq / MT_RATE), s1 = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        double s = pcm[i] + k * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    double p = s1 * s1 + s2 * s2 - k * s1 * s2;
    return p / ((double)n * n);
}

double mt_rms(const float *pcm, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += (double)pcm[i] * pcm[i];
    return sqrt(sum / n);
}

double mt_correlation(const float *a, const float *b, int n)
{
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
}

OpusEncoder *mt_encoder(int channels, int application, int loss_perc)
{
    int err;
    OpusEncoder *enc = opus_encoder_create(MT_RATE, channels, application, &err);
    g_assert_nonnull(enc);
    opus_encoder_ctl(enc, OPUS_SET_BITRATE(64000 * channels));
    opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(loss_perc > 0));
    opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(loss_perc));
    return enc;
}

void mt_encode(OpusEncoder *enc, const float *pcm, int samples, int channels, mt_packet *out, int count)
{
    for (int i = 0; i < count; i++) {
        int n = opus_encode_float(enc, pcm + (size_t)i * samples * channels, samples, out[i].data, MT_MAXPKT);
        g_assert_cmpint(n, >, 0);
        out[i].len = (size_t)n;
    }
}

void mt_sine(float *pcm, int n, double freq, double amp, long from)
{
    for (int i = 0; i < n; i++)
        pcm[i] = (float)(amp * sin(2 * M_PI * freq * (double)(from + i) / MT_RATE));
}

void mt_resonator_set(mt_resonator *r, double f, double bw)
{
    double rad = exp(-M_PI * bw / MT_RATE);
    r->a1 = 2 * rad * cos(2 * M_PI * f / MT_RATE);
    r->a2 = -rad * rad;
    r->g = 1 - rad;
}

double mt_resonate(mt_resonator *r, double x)
{
    double y = r->g * x + r->a1 * r->y1 + r->a2 * r->y2;
    r->y2 = r->y1;
    r->y1 = y;
    return y;
}

void mt_speech(float *pcm, int n)
{
    mt_resonator f1 = {0}, f2 = {0}, f3 = {0};
    double phase = 0;
    for (int i = 0; i < n; i++) {
        double t = (double)i / MT_RATE;
        if (i % 48 == 0) {
            mt_resonator_set(&f1, 500 + 300 * sin(2 * M_PI * 3.1 * t), 90);
            mt_resonator_set(&f2, 1500 + 500 * sin(2 * M_PI * 2.3 * t + 1), 120);
            mt_resonator_set(&f3, 2600 + 200 * sin(2 * M_PI * 1.7 * t), 180);
        }
        phase += (130 + 50 * sin(2 * M_PI * 0.7 * t) + 20 * sin(2 * M_PI * 5 * t)) / MT_RATE;
        double src = phase >= 1 ? 1 : 0;
        if (phase >= 1)
            phase -= 1;
        double env = 0.2 + 0.8 * fabs(sin(M_PI * 4 * t));
        pcm[i] = (float)(0.5 * env * (mt_resonate(&f1, src) * 4 + mt_resonate(&f2, src) * 2 + mt_resonate(&f3, src)));
    }
}
