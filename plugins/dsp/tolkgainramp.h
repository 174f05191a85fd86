/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef TOLK_GAIN_RAMP_H
#define TOLK_GAIN_RAMP_H

#include <glib.h>

G_BEGIN_DECLS

/*
 * A linear gain ramp clocked in output frames.
 *
 * Positions are counted from the start of the current output cycle (one
 * output buffer of the mixer), so the gain applied to a frame depends only on
 * how many output frames have been produced, never on when or whether an
 * input buffer arrived. That keeps ramps deterministic and click free even for
 * inputs that deliver data late or not at all.
 */
typedef struct {
  gdouble from;
  gdouble to;
  guint64 pos;                  /* frames of the ramp already played at cycle start */
  guint64 len;                  /* ramp length in frames; 0 = already at target */
  gboolean primed;              /* FALSE until the first target was snapshotted */
} TolkGainRamp;

void tolk_gain_ramp_reset (TolkGainRamp * ramp);
void tolk_gain_ramp_retarget (TolkGainRamp * ramp, gdouble target,
    guint64 ramp_frames);
void tolk_gain_ramp_advance (TolkGainRamp * ramp, guint64 frames);
gdouble tolk_gain_ramp_at (const TolkGainRamp * ramp, guint64 frame);
gboolean tolk_gain_ramp_is_silent (const TolkGainRamp * ramp);
gboolean tolk_gain_ramp_is_settled_from (const TolkGainRamp * ramp,
    guint64 frame);

G_END_DECLS

#endif
