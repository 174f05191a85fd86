/* SPDX-License-Identifier: EUPL-1.2 */
/* Real Opus packets and tone checks for the tests of mixer/media's Opus ends. */
#ifndef TOLK_TESTS_MEDIA_TEST_UTIL_H
#define TOLK_TESTS_MEDIA_TEST_UTIL_H

#include <opus/opus.h>
#include <stddef.h>
#include <stdint.h>

#define MT_RATE 48000
#define MT_MAXPKT 1500

typedef struct {
    uint8_t data[MT_MAXPKT];
    size_t len;
} mt_packet;

/* Power of `freq` in pcm (Goertzel), normalised so that a full-scale sine gives ~0.25. */
double mt_goertzel(const float *pcm, int n, double freq);

/* RMS of pcm. */
double mt_rms(const float *pcm, int n);

/* Normalised correlation of a and b (1: the same shape). */
double mt_correlation(const float *a, const float *b, int n);

/* An encoder for `channels`, 64 kbit/s fullband, FEC on against `loss_perc` % loss if > 0. */
OpusEncoder *mt_encoder(int channels, int application, int loss_perc);

/* Encodes `count` packets of `samples` each from interleaved pcm (channels as the encoder). */
void mt_encode(OpusEncoder *enc, const float *pcm, int samples, int channels, mt_packet *out, int count);

/* Fills n samples of a sine at freq Hz and amplitude amp, starting at sample `from`. */
void mt_sine(float *pcm, int n, double freq, double amp, long from);

/* Speech-like, n samples: a glottal pulse train at a gliding pitch through three gliding
 * formants, syllables at 4 Hz, peaks near -6 dBFS (libopus's voice detector takes it for
 * speech, so SILK codes FEC for it). */
/* A two-pole resonator (a formant) at f Hz with bandwidth bw Hz, at MT_RATE. */
typedef struct {
    double a1, a2, g, y1, y2;
} mt_resonator;
void mt_resonator_set(mt_resonator *r, double f, double bw);
double mt_resonate(mt_resonator *r, double x);

void mt_speech(float *pcm, int n);

#endif
