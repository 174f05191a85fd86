/* SPDX-License-Identifier: EUPL-1.2 */
#include "guard.h"

#include "loudness.h"
#include "truepeak.h"

#include <glib.h>
#include <math.h>

#define SHORT_TERM_WINDOW_S 0.100
#define SHORT_TERM_ATTACK_S 0.010
#define SHORT_TERM_RELEASE_S 0.300
/* Below -120 dB of reduction the remaining step is inaudible: snapping to exactly 1.0 is what
 * lets quiet audio pass bit-exact. */
#define UNITY_SNAP 1e-6

struct tolk_guard {
    unsigned rate;
    double short_term_ceiling_ms;       /* mean square */
    double short_term_attack, short_term_release;

    /* short-term guard: sliding window of the input's squares */
    double *window;
    unsigned window_len, window_pos, window_nonzero;
    double window_sum;
    double short_term_gain;

    tolk_true_peak limiter;
    tolk_loudness loudness;
};

static double db_to_linear(double db)
{
    return pow(10.0, db / 20.0);
}

static double one_pole(double seconds, unsigned rate)
{
    return 1.0 - exp(-1.0 / (seconds * rate));
}

tolk_guard *tolk_guard_new(unsigned rate)
{
    tolk_guard *guard = g_new0(tolk_guard, 1);
    guard->rate = rate;
    guard->short_term_attack = one_pole(SHORT_TERM_ATTACK_S, rate);
    guard->short_term_release = one_pole(SHORT_TERM_RELEASE_S, rate);
    guard->window_len = MAX(1, (unsigned)(rate * SHORT_TERM_WINDOW_S));
    guard->window = g_new0(double, guard->window_len);
    tolk_true_peak_init(&guard->limiter, rate, 1.0f);
    tolk_loudness_init(&guard->loudness, rate);
    tolk_guard_set_limits(guard, TOLK_GUARD_PEAK_CEILING_DB, TOLK_GUARD_SHORT_TERM_CEILING_DB,
                          TOLK_GUARD_WARN_LEVEL_DB);
    tolk_guard_reset(guard);
    return guard;
}

void tolk_guard_free(tolk_guard *guard)
{
    if (!guard)
        return;
    g_free(guard->window);
    g_free(guard);
}

void tolk_guard_set_limits(tolk_guard *guard, double peak_ceiling_db, double short_term_ceiling_db,
                           double warn_level_db)
{
    double short_term = db_to_linear(short_term_ceiling_db);
    tolk_true_peak_set_target(&guard->limiter,
                              (float)db_to_linear(peak_ceiling_db - TOLK_GUARD_CODEC_MARGIN_DB));
    guard->short_term_ceiling_ms = short_term * short_term;
    tolk_loudness_set_level(&guard->loudness, warn_level_db);
}

void tolk_guard_reset(tolk_guard *guard)
{
    for (unsigned i = 0; i < guard->window_len; i++)
        guard->window[i] = 0.0;
    guard->window_pos = guard->window_nonzero = 0;
    guard->window_sum = 0.0;
    guard->short_term_gain = 1.0;
    tolk_true_peak_reset(&guard->limiter);
    tolk_loudness_reset(&guard->loudness);
}

unsigned tolk_guard_latency(const tolk_guard *guard)
{
    (void)guard;
    return TOLK_TP_LATENCY;
}

bool tolk_guard_is_idle(const tolk_guard *guard)
{
    return guard->window_nonzero == 0 && guard->short_term_gain == 1.0 &&
           tolk_true_peak_is_idle(&guard->limiter);
}

static double push_short_term_window(tolk_guard *guard, double square)
{
    double old = guard->window[guard->window_pos];
    guard->window_nonzero += (square != 0.0) - (old != 0.0);
    guard->window_sum += square - old;
    guard->window[guard->window_pos] = square;
    if (++guard->window_pos == guard->window_len) {
        /* Resum once per window so rounding in the running sum cannot drift. */
        guard->window_pos = 0;
        guard->window_sum = 0.0;
        for (unsigned i = 0; i < guard->window_len; i++)
            guard->window_sum += guard->window[i];
    }
    return guard->window_nonzero == 0 ? 0.0 : guard->window_sum;
}

/* On the window's sum of squares: no division while under the ceiling, the usual case. */
static void update_short_term_gain(tolk_guard *guard, double window_sum)
{
    double ceiling = guard->short_term_ceiling_ms * guard->window_len;
    double target = 1.0, gain = guard->short_term_gain;
    if (window_sum <= ceiling && gain == 1.0)
        return;
    if (window_sum > ceiling)
        target = sqrt(ceiling / window_sum);
    gain += (target - gain) * (target < gain ? guard->short_term_attack : guard->short_term_release);
    if (target == 1.0 && gain > 1.0 - UNITY_SNAP)
        gain = 1.0;
    guard->short_term_gain = gain;
}

static bool all_zero(const float *samples, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (samples[i] != 0.0f)
            return false;
    return true;
}

/* Non-finite samples (a broken decoder, a bad mix) must never reach an ear. */
static float short_term(tolk_guard *guard, float x)
{
    if (!isfinite(x))
        x = 0.0f;
    update_short_term_gain(guard, push_short_term_window(guard, (double)x * x));
    if (guard->short_term_gain != 1.0)
        x = (float)(x * guard->short_term_gain);
    return x;
}

static void guard_block(tolk_guard *guard, float *samples, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        samples[i] = short_term(guard, samples[i]);
    if (!tolk_true_peak_delay_block(&guard->limiter, samples, n)) {
        for (unsigned i = 0; i < n; i++)
            samples[i] = tolk_true_peak_step(&guard->limiter, samples[i]);
    }
    tolk_loudness_add_block(&guard->loudness, samples, n);
}

void tolk_guard_process(tolk_guard *guard, float *samples, unsigned n, tolk_guard_report *report)
{
    if (tolk_guard_is_idle(guard) && all_zero(samples, n)) {
        tolk_loudness_add_silence(&guard->loudness, n);
    } else {
        guard_block(guard, samples, n);
    }
    if (!report)
        return;
    report->level_db = 0.0;
    report->warning = tolk_loudness_take_warning(&guard->loudness, &report->level_db);
    report->reduction_db = -20.0 * log10(guard->short_term_gain * tolk_true_peak_gain(&guard->limiter));
    if (report->reduction_db < 0.0)
        report->reduction_db = 0.0;
}
