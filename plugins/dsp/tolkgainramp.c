/* SPDX-License-Identifier: EUPL-1.2 */
#include "tolkgainramp.h"

void
tolk_gain_ramp_reset (TolkGainRamp * ramp)
{
  ramp->from = 0.0;
  ramp->to = 0.0;
  ramp->pos = 0;
  ramp->len = 0;
  ramp->primed = FALSE;
}

gdouble
tolk_gain_ramp_at (const TolkGainRamp * ramp, guint64 frame)
{
  guint64 pos = ramp->pos + frame;

  if (pos >= ramp->len)
    return ramp->to;
  return ramp->from + (ramp->to - ramp->from) * ((gdouble) pos / ramp->len);
}

/* Called at the start of each output cycle with the snapshotted target.
 * A new target restarts the ramp from wherever the gain is now, so changing
 * the target mid-ramp never makes the gain jump. */
void
tolk_gain_ramp_retarget (TolkGainRamp * ramp, gdouble target,
    guint64 ramp_frames)
{
  if (!ramp->primed) {
    /* A pad that has never been heard starts directly at its target: there
     * is no previous level to fade from. */
    ramp->from = ramp->to = target;
    ramp->pos = ramp->len = 0;
    ramp->primed = TRUE;
    return;
  }
  if (target == ramp->to)
    return;
  ramp->from = tolk_gain_ramp_at (ramp, 0);
  ramp->to = target;
  ramp->pos = 0;
  ramp->len = ramp_frames;
}

void
tolk_gain_ramp_advance (TolkGainRamp * ramp, guint64 frames)
{
  if (ramp->pos + frames >= ramp->len) {
    ramp->from = ramp->to;
    ramp->pos = ramp->len = 0;
  } else {
    ramp->pos += frames;
  }
}

gboolean
tolk_gain_ramp_is_silent (const TolkGainRamp * ramp)
{
  return ramp->from == 0.0 && ramp->to == 0.0;
}

gboolean
tolk_gain_ramp_is_settled_from (const TolkGainRamp * ramp, guint64 frame)
{
  return ramp->pos + frame >= ramp->len;
}
