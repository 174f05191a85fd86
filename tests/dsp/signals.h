/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef TOLK_TEST_DSP_SIGNALS_H
#define TOLK_TEST_DSP_SIGNALS_H

/* Test signals at 48 kHz, mono float: each fills n samples. */
#define SIG_RATE 48000

void sig_sine(float *x, unsigned n, double freq, double amplitude, double phase);
void sig_square(float *x, unsigned n, double freq, double amplitude);
/* Uniform white noise in [-amplitude, amplitude], a fixed seed per call. */
void sig_noise(float *x, unsigned n, double amplitude, unsigned seed);
/* A 1 kHz sine at -40 dBFS that steps to 0 dBFS at sample `at`. */
void sig_step(float *x, unsigned n, unsigned at);
/* Full-scale single-sample clicks of alternating sign every `every` samples. */
void sig_clicks(float *x, unsigned n, unsigned every);
double sig_db(double linear);

#endif
