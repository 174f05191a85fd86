/* SPDX-License-Identifier: EUPL-1.2 */
#include "truepeak.h"

#include <math.h>
#include <string.h>

#define RELEASE_S 0.080
/* Kaiser window: at beta 6 the 48-tap interpolator under-reads peaks up to fs/4 by well
 * under 0.1 dB, which the codec margin of guard.c covers. */
#define KAISER_BETA 6.0
#define UNITY_SNAP 1e-6

static double bessel_i0(double x)
{
    double sum = 1.0, term = 1.0;
    for (int k = 1; k < 30; k++) {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
    }
    return sum;
}

/* Phase p (1..3) interpolates at p/4 of the way from history[TAPS/2 - 1] to [TAPS/2]. */
static void design(float coeff[TOLK_TP_TAPS][4])
{
    const double half = TOLK_TP_TAPS / 2.0;
    for (int p = 1; p < TOLK_TP_PHASES; p++) {
        double c[TOLK_TP_TAPS], sum = 0.0;
        for (int j = 0; j < TOLK_TP_TAPS; j++) {
            double t = (TOLK_TP_TAPS / 2 - 1) + (double)p / TOLK_TP_PHASES - j;
            double r = t / half;
            double w = fabs(r) < 1.0 ? bessel_i0(KAISER_BETA * sqrt(1.0 - r * r)) / bessel_i0(KAISER_BETA) : 0.0;
            c[j] = w * sin(M_PI * t) / (M_PI * t);
            sum += c[j];
        }
        for (int j = 0; j < TOLK_TP_TAPS; j++)
            coeff[j][p - 1] = (float)(c[j] / sum);
    }
}

void tolk_true_peak_init(tolk_true_peak *tp, unsigned rate, float target)
{
    memset(tp, 0, sizeof(*tp));
    design(tp->coeff);
    tp->release = 1.0 - exp(-1.0 / (RELEASE_S * rate));
    tolk_true_peak_set_target(tp, target);
    tolk_true_peak_reset(tp);
}

void tolk_true_peak_set_target(tolk_true_peak *tp, float target)
{
    float gain = 1.0f;              /* the largest gain of any phase on any input */
    for (int p = 0; p < TOLK_TP_PHASES - 1; p++) {
        float sum = 0.0f;
        for (int j = 0; j < TOLK_TP_TAPS; j++)
            sum += fabsf(tp->coeff[j][p]);
        gain = fmaxf(gain, sum);
    }
    tp->target = target;
    tp->quiet_below = target / gain;
}

void tolk_true_peak_reset(tolk_true_peak *tp)
{
    memset(tp->history, 0, sizeof(tp->history));
    memset(tp->delay, 0, sizeof(tp->delay));
    tp->history_pos = tp->delay_pos = tp->delay_nonzero = 0;
    tp->previous_interval_peak = 0.0f;
    tp->loud_left = 0;
    tp->hold_head = tp->hold_count = tp->clock = 0;
    tp->envelope = 1.0;
    for (unsigned i = 0; i < TOLK_TP_ATTACK; i++)
        tp->average[i] = 1.0f;
    tp->average_sum = TOLK_TP_ATTACK;
    tp->average_pos = tp->below_unity = 0;
}

/* The largest magnitude on the interval between the two middle samples of the window. */
static float interval_peak(const float coeff[TOLK_TP_TAPS][4], const float *h)
{
    /* two independent sums of four lanes: short dependency chains, vectorisable */
    float a[4] = {0}, b[4] = {0};
    for (int j = 0; j < TOLK_TP_TAPS; j += 2)
        for (int l = 0; l < 4; l++) {
            a[l] += coeff[j][l] * h[j];
            b[l] += coeff[j + 1][l] * h[j + 1];
        }
    float peak = fmaxf(fabsf(h[TOLK_TP_TAPS / 2 - 1]), fabsf(h[TOLK_TP_TAPS / 2]));
    for (int l = 0; l < TOLK_TP_PHASES - 1; l++)
        peak = fmaxf(peak, fabsf(a[l] + b[l]));
    return peak;
}

/* The peak around the sample TAPS/2 behind the input: the intervals on both its sides. */
static float push_history(tolk_true_peak *tp, float x)
{
    tp->history[tp->history_pos] = tp->history[tp->history_pos + TOLK_TP_TAPS] = x;
    if (++tp->history_pos == TOLK_TP_TAPS)
        tp->history_pos = 0;
    /* Below quiet_below no interpolated value can pass the target: skip the FIR until the
     * last loud sample has left the window. */
    if (fabsf(x) > tp->quiet_below)
        tp->loud_left = TOLK_TP_TAPS;
    float peak = fabsf(x);
    if (tp->loud_left > 0) {
        tp->loud_left--;
        peak = interval_peak((const float (*)[4])tp->coeff, tp->history + tp->history_pos);
    }
    float around = fmaxf(peak, tp->previous_interval_peak);
    tp->previous_interval_peak = peak;
    return around;
}

/* Sliding minimum over the last ATTACK required gains: a queue of increasing values. */
static float hold(tolk_true_peak *tp, float required)
{
    unsigned now = tp->clock++;
    while (tp->hold_count > 0) {
        unsigned last = (tp->hold_head + tp->hold_count - 1) % TOLK_TP_ATTACK;
        if (tp->hold_value[last] < required)
            break;
        tp->hold_count--;
    }
    if (tp->hold_count > 0 && now - tp->hold_index[tp->hold_head] >= TOLK_TP_ATTACK) {
        tp->hold_head = (tp->hold_head + 1) % TOLK_TP_ATTACK;
        tp->hold_count--;
    }
    unsigned slot = (tp->hold_head + tp->hold_count) % TOLK_TP_ATTACK;   /* a power of two */
    tp->hold_value[slot] = required;
    tp->hold_index[slot] = now;
    tp->hold_count++;
    return tp->hold_value[tp->hold_head];
}

static double envelope(tolk_true_peak *tp, float held)
{
    if (held < tp->envelope)
        tp->envelope = held;
    else if (tp->envelope < 1.0) {
        tp->envelope += (held - tp->envelope) * tp->release;
        if (held == 1.0f && tp->envelope > 1.0 - UNITY_SNAP)
            tp->envelope = 1.0;
    }
    return tp->envelope;
}

/* The mean of the envelope over the attack window: at the time a sample leaves the delay
 * line every term is at most the gain it required, so their mean is too. */
static double average(tolk_true_peak *tp, double env)
{
    float old = tp->average[tp->average_pos];
    tp->below_unity += (env < 1.0) - (old < 1.0f);
    tp->average[tp->average_pos] = (float)env;
    tp->average_sum += (float)env - old;
    if (++tp->average_pos == TOLK_TP_ATTACK)
        tp->average_pos = 0;
    if (tp->below_unity == 0)
        tp->average_sum = TOLK_TP_ATTACK;   /* exact unity again: no rounding residue */
    return tp->below_unity == 0 ? 1.0 : tp->average_sum / TOLK_TP_ATTACK;
}

static float delay(tolk_true_peak *tp, float x)
{
    float out = tp->delay[tp->delay_pos];
    tp->delay_nonzero += (x != 0.0f) - (out != 0.0f);
    tp->delay[tp->delay_pos] = x;
    if (++tp->delay_pos == TOLK_TP_LATENCY)
        tp->delay_pos = 0;
    return out;
}

float tolk_true_peak_step(tolk_true_peak *tp, float x)
{
    float peak = push_history(tp, x);
    float required = peak > tp->target ? tp->target / peak : 1.0f;
    double gain = average(tp, envelope(tp, hold(tp, required)));
    float out = delay(tp, x);
    if (gain == 1.0)
        return out;
    /* the safety clamp only catches rounding: the gain has brought the peak down */
    return fminf(fmaxf((float)(out * gain), -tp->target), tp->target);
}

/* The usual case, speech under the target with no reduction held: the limiter is a plain delay
 * and its state only needs the last samples, not a step per sample. */
bool tolk_true_peak_delay_block(tolk_true_peak *tp, float *x, unsigned n)
{
    if (tp->loud_left > 0 || tp->below_unity > 0 || tp->envelope != 1.0 ||
        tp->hold_value[tp->hold_head] != 1.0f || n < TOLK_TP_LATENCY)
        return false;
    for (unsigned i = 0; i < n; i++)
        if (!(fabsf(x[i]) <= tp->quiet_below))
            return false;
    float line[TOLK_TP_LATENCY];
    for (unsigned i = 0; i < TOLK_TP_LATENCY; i++)
        line[i] = tp->delay[(tp->delay_pos + i) % TOLK_TP_LATENCY];
    for (unsigned i = 0; i < TOLK_TP_TAPS; i++)
        tp->history[i] = tp->history[i + TOLK_TP_TAPS] = x[n - TOLK_TP_TAPS + i];
    tp->history_pos = 0;
    tp->previous_interval_peak = 0.0f;     /* under the target: it cannot lower a gain */
    memcpy(tp->delay, x + n - TOLK_TP_LATENCY, sizeof(tp->delay));
    tp->delay_pos = tp->delay_nonzero = 0;
    for (unsigned i = 0; i < TOLK_TP_LATENCY; i++)
        tp->delay_nonzero += tp->delay[i] != 0.0f;
    memmove(x + TOLK_TP_LATENCY, x, (n - TOLK_TP_LATENCY) * sizeof(float));
    memcpy(x, line, sizeof(line));
    tp->clock += n;
    tp->hold_head = 0;
    tp->hold_count = 1;
    tp->hold_value[0] = 1.0f;
    tp->hold_index[0] = tp->clock - 1;
    return true;
}

double tolk_true_peak_gain(const tolk_true_peak *tp)
{
    return tp->below_unity == 0 ? 1.0 : tp->average_sum / TOLK_TP_ATTACK;
}

bool tolk_true_peak_is_idle(const tolk_true_peak *tp)
{
    return tp->delay_nonzero == 0 && tp->below_unity == 0 && tp->envelope == 1.0;
}

float tolk_true_peak_of(const float *x, unsigned n)
{
    float coeff[TOLK_TP_TAPS][4] = {{0}};
    design(coeff);
    float h[TOLK_TP_TAPS + 1] = {0}, peak = 0.0f;
    for (unsigned i = 0; i < n + TOLK_TP_TAPS; i++) {
        memmove(h, h + 1, (TOLK_TP_TAPS - 1) * sizeof(float));
        h[TOLK_TP_TAPS - 1] = i < n ? x[i] : 0.0f;
        peak = fmaxf(peak, interval_peak((const float (*)[4])coeff, h));
    }
    return peak;
}
