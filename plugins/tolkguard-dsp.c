/* SPDX-License-Identifier: EUPL-1.2 */
#include "tolkguard-dsp.h"

#include <math.h>
#include <string.h>

#define SHORT_TERM_WINDOW_S 0.100
#define SHORT_TERM_ATTACK_S 0.010
#define SHORT_TERM_RELEASE_S 0.300
#define PEAK_RELEASE_S 0.050
#define WARNING_INTERVAL_S 10
/* Below -120 dB of reduction the remaining step is inaudible: snapping to
 * exactly 1.0 is what lets quiet audio pass bit-exact. */
#define UNITY_SNAP 1e-6

gdouble
tolk_guard_db_to_linear (gdouble db)
{
  return pow (10.0, db / 20.0);
}

static gdouble
one_pole_coefficient (gdouble seconds, guint rate)
{
  return 1.0 - exp (-1.0 / (seconds * rate));
}

void
tolk_guard_dsp_init (TolkGuardDsp * dsp)
{
  memset (dsp, 0, sizeof (*dsp));
  dsp->short_term_gain = 1.0;
  dsp->peak_gain = 1.0;
  tolk_guard_dsp_set_limits (dsp, -1.0, -6.0, -20.0);
}

void
tolk_guard_dsp_clear (TolkGuardDsp * dsp)
{
  g_clear_pointer (&dsp->window, g_free);
  dsp->window_len = 0;
}

void
tolk_guard_dsp_setup (TolkGuardDsp * dsp, guint rate, guint channels)
{
  gdouble peak = dsp->peak_ceiling;
  gdouble short_term = dsp->short_term_ceiling_ms;
  gdouble warn = dsp->warn_level_ms;

  tolk_guard_dsp_clear (dsp);
  tolk_guard_dsp_init (dsp);
  dsp->peak_ceiling = peak;
  dsp->short_term_ceiling_ms = short_term;
  dsp->warn_level_ms = warn;

  dsp->rate = rate;
  dsp->channels = channels;
  dsp->peak_release = one_pole_coefficient (PEAK_RELEASE_S, rate);
  dsp->short_term_attack = one_pole_coefficient (SHORT_TERM_ATTACK_S, rate);
  dsp->short_term_release = one_pole_coefficient (SHORT_TERM_RELEASE_S, rate);
  dsp->window_len = MAX (1, (guint) (rate * SHORT_TERM_WINDOW_S));
  dsp->window = g_new0 (gdouble, dsp->window_len);
}

void
tolk_guard_dsp_set_limits (TolkGuardDsp * dsp, gdouble peak_ceiling_db,
    gdouble short_term_ceiling_db, gdouble warn_level_db)
{
  gdouble short_term = tolk_guard_db_to_linear (short_term_ceiling_db);
  gdouble warn = tolk_guard_db_to_linear (warn_level_db);

  dsp->peak_ceiling = tolk_guard_db_to_linear (peak_ceiling_db);
  dsp->short_term_ceiling_ms = short_term * short_term;
  dsp->warn_level_ms = warn * warn;
}

/* Non-finite samples (a broken decoder, a bad mix) must never reach an ear. */
static gdouble
sanitize_and_measure (gfloat * frame, guint channels, gfloat * peak)
{
  gdouble sum = 0.0;
  guint c;

  *peak = 0.0f;
  for (c = 0; c < channels; c++) {
    if (!isfinite (frame[c]))
      frame[c] = 0.0f;
    sum += (gdouble) frame[c] * frame[c];
    *peak = MAX (*peak, fabsf (frame[c]));
  }
  return sum / channels;
}

static gdouble
push_short_term_window (TolkGuardDsp * dsp, gdouble frame_ms)
{
  guint i;

  dsp->window_sum += frame_ms - dsp->window[dsp->window_pos];
  dsp->window[dsp->window_pos] = frame_ms;
  if (++dsp->window_pos == dsp->window_len) {
    /* Resum once per window so rounding in the running sum cannot drift. */
    dsp->window_pos = 0;
    dsp->window_sum = 0.0;
    for (i = 0; i < dsp->window_len; i++)
      dsp->window_sum += dsp->window[i];
  }
  return MAX (dsp->window_sum, 0.0) / dsp->window_len;
}

static gdouble
toward (gdouble value, gdouble target, gdouble coefficient)
{
  value += (target - value) * coefficient;
  if (target == 1.0 && value > 1.0 - UNITY_SNAP)
    return 1.0;
  return value;
}

static void
update_short_term_gain (TolkGuardDsp * dsp, gdouble window_ms)
{
  gdouble target = 1.0;

  if (window_ms > dsp->short_term_ceiling_ms)
    target = sqrt (dsp->short_term_ceiling_ms / window_ms);
  dsp->short_term_gain = toward (dsp->short_term_gain, target,
      target < dsp->short_term_gain ? dsp->short_term_attack :
      dsp->short_term_release);
}

/* Instant attack: the gain never lets this frame's peak pass the ceiling. */
static void
update_peak_gain (TolkGuardDsp * dsp, gdouble peak)
{
  dsp->peak_gain = toward (dsp->peak_gain, 1.0, dsp->peak_release);
  if (peak * dsp->peak_gain > dsp->peak_ceiling)
    dsp->peak_gain = dsp->peak_ceiling / peak;
}

static void
apply_gain (gfloat * frame, guint channels, gdouble gain, gfloat ceiling)
{
  guint c;

  if (gain == 1.0)
    return;
  for (c = 0; c < channels; c++)
    /* the clamp only catches float rounding of the product */
    frame[c] = CLAMP ((gfloat) (frame[c] * gain), -ceiling, ceiling);
}

static gboolean
warning_due (TolkGuardDsp * dsp, gdouble * level_db)
{
  gdouble sum = 0.0, ms;
  guint i;

  for (i = 0; i < TOLK_GUARD_LONG_TERM_BLOCKS; i++)
    sum += dsp->blocks[i];
  /* The full minute is the denominator: before a minute has passed the
   * missing time counts as silence, so a short burst does not warn. */
  ms = sum / ((gdouble) dsp->rate * TOLK_GUARD_BLOCK_SECONDS *
      TOLK_GUARD_LONG_TERM_BLOCKS);
  if (ms <= dsp->warn_level_ms)
    return FALSE;
  if (dsp->warned && dsp->frames_since_warning <
      (guint64) WARNING_INTERVAL_S * dsp->rate)
    return FALSE;
  dsp->warned = TRUE;
  dsp->frames_since_warning = 0;
  *level_db = 10.0 * log10 (ms);
  return TRUE;
}

static gboolean
account_long_term (TolkGuardDsp * dsp, gdouble frame_ms, gdouble * level_db)
{
  dsp->frames_since_warning++;
  dsp->blocks[dsp->block_index] += frame_ms;
  if (++dsp->block_frames < dsp->rate * TOLK_GUARD_BLOCK_SECONDS)
    return FALSE;

  dsp->block_frames = 0;
  dsp->block_index = (dsp->block_index + 1) % TOLK_GUARD_LONG_TERM_BLOCKS;
  gboolean due = warning_due (dsp, level_db);
  dsp->blocks[dsp->block_index] = 0.0;
  return due;
}

gboolean
tolk_guard_dsp_process (TolkGuardDsp * dsp, gfloat * samples, guint frames,
    gdouble * warn_level_db)
{
  gboolean warn = FALSE;
  guint f;

  g_return_val_if_fail (dsp->window != NULL, FALSE);

  for (f = 0; f < frames; f++) {
    gfloat *frame = samples + (gsize) f * dsp->channels;
    gfloat peak;
    gdouble frame_ms = sanitize_and_measure (frame, dsp->channels, &peak);
    gdouble gain;

    update_short_term_gain (dsp, push_short_term_window (dsp, frame_ms));
    update_peak_gain (dsp, peak * dsp->short_term_gain);
    gain = dsp->short_term_gain * dsp->peak_gain;
    apply_gain (frame, dsp->channels, gain, (gfloat) dsp->peak_ceiling);
    if (account_long_term (dsp, frame_ms * gain * gain, warn_level_db))
      warn = TRUE;
  }
  return warn;
}

gdouble
tolk_guard_dsp_gain_reduction_db (const TolkGuardDsp * dsp)
{
  return 20.0 * log10 (dsp->short_term_gain * dsp->peak_gain);
}
