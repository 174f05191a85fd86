/* SPDX-License-Identifier: EUPL-1.2 */
#include "tolkmixpad.h"

#include <math.h>

enum
{
  PROP_0,
  PROP_GAIN,
};

#define DEFAULT_GAIN 1.0

G_DEFINE_TYPE (TolkMixPad, tolk_mix_pad, GST_TYPE_AUDIO_AGGREGATOR_PAD);

gboolean
tolk_mix_pad_set_target_unlocked (TolkMixPad * pad, gdouble gain)
{
  /* A NaN would poison every later sample of the mix: refuse it. */
  if (!isfinite (gain))
    return FALSE;
  pad->target_gain = CLAMP (gain, 0.0, TOLK_MIX_GAIN_MAX);
  return TRUE;
}

/* The element's lock (not the pad's) guards the target: the mixer snapshots
 * all pads' targets under that one lock at the start of each cycle. */
static void
with_element_lock (TolkMixPad * pad, void (*fn) (TolkMixPad *, gpointer),
    gpointer data)
{
  GstObject *element = gst_object_get_parent (GST_OBJECT (pad));

  if (element)
    GST_OBJECT_LOCK (element);
  fn (pad, data);
  if (element) {
    GST_OBJECT_UNLOCK (element);
    gst_object_unref (element);
  }
}

static void
store_gain (TolkMixPad * pad, gpointer data)
{
  tolk_mix_pad_set_target_unlocked (pad, g_value_get_double (data));
}

static void
load_gain (TolkMixPad * pad, gpointer data)
{
  g_value_set_double (data, pad->target_gain);
}

static void
tolk_mix_pad_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  switch (prop_id) {
    case PROP_GAIN:
      with_element_lock (TOLK_MIX_PAD (object), store_gain, (gpointer) value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
tolk_mix_pad_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  switch (prop_id) {
    case PROP_GAIN:
      with_element_lock (TOLK_MIX_PAD (object), load_gain, value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
tolk_mix_pad_class_init (TolkMixPadClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property = tolk_mix_pad_set_property;
  gobject_class->get_property = tolk_mix_pad_get_property;

  g_object_class_install_property (gobject_class, PROP_GAIN,
      g_param_spec_double ("gain", "Gain",
          "Target linear gain; the applied gain ramps to it over ramp-ms",
          0.0, TOLK_MIX_GAIN_MAX, DEFAULT_GAIN,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));
}

static void
tolk_mix_pad_init (TolkMixPad * pad)
{
  pad->target_gain = DEFAULT_GAIN;
  tolk_gain_ramp_reset (&pad->ramp);
}
