/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef TOLK_MIX_PAD_H
#define TOLK_MIX_PAD_H

#include <gst/audio/gstaudioaggregator.h>
#include "tolkgainramp.h"

G_BEGIN_DECLS

#define TOLK_TYPE_MIX_PAD (tolk_mix_pad_get_type ())
G_DECLARE_FINAL_TYPE (TolkMixPad, tolk_mix_pad, TOLK, MIX_PAD,
    GstAudioAggregatorPad)

#define TOLK_MIX_GAIN_MAX 10.0

struct _TolkMixPad
{
  GstAudioAggregatorPad parent;

  /* Guarded by the object lock of the owning tolkmix element, so that a
   * batch of targets set under that lock is always seen whole. */
  gdouble target_gain;

  /* Touched only by the aggregator's streaming thread. */
  TolkGainRamp ramp;
};

/* Caller holds the owning element's object lock (or the pad has no parent).
 * Returns FALSE (and changes nothing) for a non-finite gain; clamps the rest
 * to 0..TOLK_MIX_GAIN_MAX. */
gboolean tolk_mix_pad_set_target_unlocked (TolkMixPad * pad, gdouble gain);

G_END_DECLS

#endif
