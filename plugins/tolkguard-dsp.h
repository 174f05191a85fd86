/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef TOLK_GUARD_DSP_H
#define TOLK_GUARD_DSP_H

#include <glib.h>

G_BEGIN_DECLS

/* Seconds of output per long-term block, and blocks in the one-minute average. */
#define TOLK_GUARD_BLOCK_SECONDS 1
#define TOLK_GUARD_LONG_TERM_BLOCKS 60

/*
 * The signal processing of tolkguard, free of GStreamer so it can be reasoned
 * about on its own. Works on interleaved float frames; all channels share one
 * gain so the stereo image does not move.
 */
typedef struct {
  guint rate;
  guint channels;

  /* limits, linear */
  gdouble peak_ceiling;
  gdouble short_term_ceiling_ms;        /* mean square */
  gdouble warn_level_ms;                /* mean square */

  /* per-frame smoothing coefficients */
  gdouble peak_release;
  gdouble short_term_attack;
  gdouble short_term_release;

  /* short-term guard: sliding window of per-frame mean squares of the input */
  gdouble *window;
  guint window_len;
  guint window_pos;
  gdouble window_sum;
  gdouble short_term_gain;

  /* peak limiter */
  gdouble peak_gain;

  /* long-term warning: per-second sums of output mean squares */
  gdouble blocks[TOLK_GUARD_LONG_TERM_BLOCKS];
  guint block_index;
  guint block_frames;
  guint64 frames_since_warning;
  gboolean warned;
} TolkGuardDsp;

void tolk_guard_dsp_init (TolkGuardDsp * dsp);
void tolk_guard_dsp_setup (TolkGuardDsp * dsp, guint rate, guint channels);
void tolk_guard_dsp_clear (TolkGuardDsp * dsp);
void tolk_guard_dsp_set_limits (TolkGuardDsp * dsp, gdouble peak_ceiling_db,
    gdouble short_term_ceiling_db, gdouble warn_level_db);

/* Processes frames in place. Returns TRUE when a loudness warning is due, with
 * the one-minute level in *warn_level_db. */
gboolean tolk_guard_dsp_process (TolkGuardDsp * dsp, gfloat * samples,
    guint frames, gdouble * warn_level_db);

gdouble tolk_guard_dsp_gain_reduction_db (const TolkGuardDsp * dsp);

gdouble tolk_guard_db_to_linear (gdouble db);

G_END_DECLS

#endif
