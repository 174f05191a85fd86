/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef TOLK_DSP_TRUEPEAK_H
#define TOLK_DSP_TRUEPEAK_H

#include <stdbool.h>

/* Taps per phase of the 4x interpolator (ITU-R BS.1770-4 Annex 2 uses 12), and the
 * length of the gain's attack (the hold and smoothing windows), in samples at 48 kHz. */
#define TOLK_TP_TAPS 12
#define TOLK_TP_PHASES 4
#define TOLK_TP_ATTACK 64
/* The output lags the input by the interpolator's half length plus the attack. */
#define TOLK_TP_LATENCY (TOLK_TP_TAPS / 2 + TOLK_TP_ATTACK - 1)

/*
 * A true-peak limiter with lookahead, mono float. The peaks between samples are estimated
 * by 4x oversampling (a polyphase windowed-sinc FIR); the gain each sample needs is held
 * over the attack window and averaged over it, so the gain is down when the peak leaves
 * the delay line and it moves smoothly (no hard clip). Release is a one-pole recovery.
 * Threads: one object, one thread at a time.
 */
typedef struct {
    /* by tap, then phase 1..3 and a zero lane: four lanes a vector unit computes at once */
    float coeff[TOLK_TP_TAPS][4];
    float history[2 * TOLK_TP_TAPS];     /* doubled ring: a contiguous window at any pos */
    unsigned history_pos;
    float previous_interval_peak;
    float quiet_below;                   /* samples under this cannot make a peak over target */
    unsigned loud_left;                  /* samples until the last loud one leaves the window */

    /* the minimum of the required gains over the attack window (monotonic queue) */
    float hold_value[TOLK_TP_ATTACK];
    unsigned hold_index[TOLK_TP_ATTACK];
    unsigned hold_head, hold_count, clock;

    double envelope, release;
    float average[TOLK_TP_ATTACK];       /* envelope over the attack window */
    double average_sum;
    unsigned average_pos, below_unity;

    float delay[TOLK_TP_LATENCY];
    unsigned delay_pos, delay_nonzero;

    float target;                        /* linear true-peak ceiling before the codec */
} tolk_true_peak;

void tolk_true_peak_init(tolk_true_peak *tp, unsigned rate, float target);
void tolk_true_peak_reset(tolk_true_peak *tp);
void tolk_true_peak_set_target(tolk_true_peak *tp, float target);
/* Takes one input sample, returns the output sample TOLK_TP_LATENCY samples older. */
float tolk_true_peak_step(tolk_true_peak *tp, float x);
/* Delays a block of n >= TOLK_TP_LATENCY samples in place when no gain is held and no sample
 * can come near the target, in one copy; false (and nothing done) otherwise. */
bool tolk_true_peak_delay_block(tolk_true_peak *tp, float *x, unsigned n);
/* The gain applied to the latest output sample. */
double tolk_true_peak_gain(const tolk_true_peak *tp);
/* The delay line holds only zeros and no gain below unity is held or pending. */
bool tolk_true_peak_is_idle(const tolk_true_peak *tp);
/* The estimated true peak (4x) of a whole signal, for tests and measurements. */
float tolk_true_peak_of(const float *x, unsigned n);

#endif
