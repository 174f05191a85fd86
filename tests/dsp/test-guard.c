/* SPDX-License-Identifier: EUPL-1.2 */
/* tolk_guard on its own: speech-level audio passes unchanged (only delayed), the latency is
 * as declared, the one-minute warning, the idle shortcut, non-finite input. */
#include "guard.h"
#include "signals.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#define FRAME 960

/* Runs n samples through in 20 ms frames; returns the largest reduction reported and counts
 * the warnings (their last level in *level_db). */
static double run(tolk_guard *guard, float *x, unsigned n, unsigned *warnings, double *level_db)
{
    double max_reduction = 0.0;
    for (unsigned i = 0; i < n; i += FRAME) {
        tolk_guard_report report;
        tolk_guard_process(guard, x + i, MIN(FRAME, n - i), &report);
        max_reduction = MAX(max_reduction, report.reduction_db);
        g_assert_cmpfloat(report.reduction_db, >=, 0.0);
        if (report.warning) {
            (*warnings)++;
            *level_db = report.level_db;
        }
    }
    return max_reduction;
}

/* Noise at -20 dBFS RMS (peaks near -15 dBFS): bit-exact after the lookahead. */
static void test_speech_level_passes_unchanged(void)
{
    unsigned n = 2 * SIG_RATE, warnings = 0;
    double level = 0.0;
    float *in = g_new(float, n), *x = g_new(float, n);
    sig_noise(in, n, 0.1 * sqrt(3.0), 7);
    memcpy(x, in, n * sizeof(float));
    tolk_guard *guard = tolk_guard_new(SIG_RATE);
    unsigned latency = tolk_guard_latency(guard);

    g_assert_cmpfloat(run(guard, x, n, &warnings, &level), ==, 0.0);
    for (unsigned i = 0; i < latency; i++)
        g_assert_cmpfloat(x[i], ==, 0.0f);
    g_assert_cmpmem(x + latency, (n - latency) * sizeof(float), in, (n - latency) * sizeof(float));
    g_assert_cmpuint(warnings, ==, 0);
    tolk_guard_free(guard);
    g_free(in);
    g_free(x);
}

static void test_latency_is_as_declared(void)
{
    float x[FRAME] = {0};
    tolk_guard *guard = tolk_guard_new(SIG_RATE);
    unsigned latency = tolk_guard_latency(guard);
    g_assert_cmpuint(latency, >, 0);
    g_assert_cmpuint(latency, <=, 96);
    x[10] = 0.25f;
    tolk_guard_process(guard, x, FRAME, NULL);
    for (unsigned i = 0; i < FRAME; i++)
        g_assert_cmpfloat(x[i], ==, i == 10 + latency ? 0.25f : 0.0f);
    tolk_guard_free(guard);
}

/* A tone at -4 dBFS RMS, held at -6 by the short-term guard, passes -20 dBFS over the minute
 * (the time before the start counting as silence) after ~2.4 s: one warning, and no second
 * one within the minute. */
static void test_loud_tone_warns_once_a_minute(void)
{
    unsigned n = 40 * SIG_RATE, warnings = 0;
    double level = -100.0;
    float *x = g_new(float, n);
    sig_sine(x, n, 1000.0, 0.85, 0.0);
    tolk_guard *guard = tolk_guard_new(SIG_RATE);
    run(guard, x, n, &warnings, &level);
    g_assert_cmpuint(warnings, ==, 1);
    g_assert_cmpfloat(level, >, -20.0);
    g_assert_cmpfloat(level, <, -6.0);
    tolk_guard_free(guard);
    g_free(x);
}

/* -23 dBFS RMS for more than a minute stays under the -20 dBFS warning. */
static void test_normal_tone_does_not_warn(void)
{
    unsigned n = 70 * SIG_RATE, warnings = 0;
    double level = 0.0;
    float *x = g_new(float, n);
    sig_sine(x, n, 1000.0, 0.1, 0.0);
    tolk_guard *guard = tolk_guard_new(SIG_RATE);
    g_assert_cmpfloat(run(guard, x, n, &warnings, &level), ==, 0.0);
    g_assert_cmpuint(warnings, ==, 0);
    tolk_guard_free(guard);
    g_free(x);
}

/* Idle only once the delay line is silent and the gain is back at unity; then silence in is
 * silence out, and a sound wakes it. */
static void test_idle(void)
{
    unsigned n = 5 * SIG_RATE, warnings = 0;   /* the 300 ms short-term release needs ~4 s */
    double level;
    float *x = g_new0(float, n);
    tolk_guard *guard = tolk_guard_new(SIG_RATE);
    g_assert_true(tolk_guard_is_idle(guard));

    sig_sine(x, FRAME, 1000.0, 1.0, 0.0);
    tolk_guard_process(guard, x, FRAME, NULL);
    g_assert_false(tolk_guard_is_idle(guard));
    memset(x, 0, n * sizeof(float));
    tolk_guard_process(guard, x, FRAME, NULL);
    g_assert_false(tolk_guard_is_idle(guard));      /* the burst's tail still leaves the delay */

    memset(x, 0, n * sizeof(float));
    run(guard, x, n, &warnings, &level);            /* release and the short-term window drain */
    g_assert_true(tolk_guard_is_idle(guard));
    memset(x, 0, n * sizeof(float));
    run(guard, x, n, &warnings, &level);
    for (unsigned i = 0; i < n; i++)
        g_assert_cmpfloat(x[i], ==, 0.0f);
    x[0] = 0.1f;
    tolk_guard_process(guard, x, FRAME, NULL);
    g_assert_false(tolk_guard_is_idle(guard));
    tolk_guard_reset(guard);
    g_assert_true(tolk_guard_is_idle(guard));
    tolk_guard_free(guard);
    g_free(x);
}

/* Non-finite samples (a broken decoder) become silence, never noise or a stuck gain. */
static void test_non_finite_input(void)
{
    float x[FRAME];
    tolk_guard_report report;
    tolk_guard *guard = tolk_guard_new(SIG_RATE);
    for (unsigned i = 0; i < FRAME; i++)
        x[i] = i % 3 ? NAN : INFINITY;
    tolk_guard_process(guard, x, FRAME, &report);
    for (unsigned i = 0; i < FRAME; i++)
        g_assert_cmpfloat(x[i], ==, 0.0f);
    g_assert_cmpfloat(report.reduction_db, ==, 0.0);
    tolk_guard_free(guard);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guard/speech-level-passes-unchanged", test_speech_level_passes_unchanged);
    g_test_add_func("/guard/latency-as-declared", test_latency_is_as_declared);
    g_test_add_func("/guard/loud-tone-warns-once-a-minute", test_loud_tone_warns_once_a_minute);
    g_test_add_func("/guard/normal-tone-does-not-warn", test_normal_tone_does_not_warn);
    g_test_add_func("/guard/idle", test_idle);
    g_test_add_func("/guard/non-finite-input", test_non_finite_input);
    return g_test_run();
}
