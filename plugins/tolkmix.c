/* SPDX-License-Identifier: EUPL-1.2 */
/**
 * SECTION:element-tolkmix
 * @title: tolkmix
 *
 * Mixes 32-bit float audio by adding its inputs, each scaled by the gain of
 * its request pad (#TolkMixPad:gain). A new gain is reached by a linear ramp
 * of #TolkMix:ramp-ms output milliseconds, so a change never clicks; the
 * "set-gains" action signal gives several pads new gains that take effect
 * in the same output buffer, and "wait-gains-applied" blocks until they have.
 * The sum is not clamped: follow it with tolkguard.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 tolkmix name=mix sink_1::gain=0.1 \
 *     ! tolkguard ! audioconvert ! autoaudiosink \
 *     audiotestsrc freq=440 ! audioconvert ! mix.sink_0 \
 *     audiotestsrc freq=880 ! audioconvert ! mix.sink_1
 * ]| Mixes a 440 Hz tone with an 880 Hz tone 20 dB lower.
 */

/*
 * All timing (segments, live/non-live waiting, pads without data, force-live
 * production on the clock) is left to GstAudioAggregator. This file only
 * decides how much of each input goes into an output buffer.
 */
#include "tolkmix.h"
#include "tolkmixpad.h"

GST_DEBUG_CATEGORY_STATIC (tolk_mix_debug);
#define GST_CAT_DEFAULT tolk_mix_debug

#define DEFAULT_RAMP_MS 10
#define MAX_RAMP_MS 1000
#define PREFERRED_RATE 48000
#define PREFERRED_CHANNELS 1

enum
{
  PROP_0,
  PROP_RAMP_MS,
};

struct _TolkMix
{
  GstAudioAggregator parent;

  guint ramp_ms;                /* object lock */
  guint64 cycle_frames;         /* streaming thread: size of the buffer being filled */
  guint64 batches_set;          /* object lock: set-gains calls so far */
  guint64 batches_taken;        /* object lock: of those, taken by an output cycle */
  GCond batch_taken;            /* with the object lock: signalled at each cycle start */
};

/* Mono or stereo: more channels would need a channel-mask to be negotiated. */
#define MAX_CHANNELS 2

static void tolk_mix_child_proxy_init (gpointer g_iface, gpointer iface_data);
static void tolk_mix_finalize (GObject * object);

G_DEFINE_TYPE_WITH_CODE (TolkMix, tolk_mix, GST_TYPE_AUDIO_AGGREGATOR,
    G_IMPLEMENT_INTERFACE (GST_TYPE_CHILD_PROXY, tolk_mix_child_proxy_init));
GST_ELEMENT_REGISTER_DEFINE (tolkmix, "tolkmix", GST_RANK_NONE, TOLK_TYPE_MIX);

/* ---- gain snapshot: one per output cycle ---- */

static guint64
ramp_frames_unlocked (TolkMix * self)
{
  GstAudioAggregatorPad *srcpad =
      GST_AUDIO_AGGREGATOR_PAD (GST_AGGREGATOR_SRC_PAD (self));

  return gst_util_uint64_scale_int (self->ramp_ms,
      GST_AUDIO_INFO_RATE (&srcpad->info), 1000);
}

/* Under the element lock so that a set-gains batch (also taken under that
 * lock) is either entirely in this cycle's targets or entirely in the next. */
static void
start_cycle (TolkMix * self, guint num_frames)
{
  GList *l;

  GST_OBJECT_LOCK (self);
  guint64 ramp_frames = ramp_frames_unlocked (self);
  for (l = GST_ELEMENT (self)->sinkpads; l; l = l->next) {
    TolkMixPad *pad = l->data;

    tolk_gain_ramp_advance (&pad->ramp, self->cycle_frames);
    tolk_gain_ramp_retarget (&pad->ramp, pad->target_gain, ramp_frames);
  }
  self->cycle_frames = num_frames;
  self->batches_taken = self->batches_set;
  g_cond_broadcast (&self->batch_taken);
  GST_OBJECT_UNLOCK (self);
}

static GstBuffer *
tolk_mix_create_output_buffer (GstAudioAggregator * aagg, guint num_frames)
{
  start_cycle (TOLK_MIX (aagg), num_frames);
  return GST_AUDIO_AGGREGATOR_CLASS (tolk_mix_parent_class)->create_output_buffer
      (aagg, num_frames);
}

/* ---- mixing ---- */

static void
add_scaled (const gfloat * in, gfloat * out, gsize samples, gfloat gain)
{
  gsize i;

  if (gain == 1.0f) {
    for (i = 0; i < samples; i++)
      out[i] += in[i];
    return;
  }
  for (i = 0; i < samples; i++)
    out[i] += gain * in[i];
}

static void
add_ramped (const TolkGainRamp * ramp, guint64 cycle_frame,
    const gfloat * in, gfloat * out, guint frames, guint channels)
{
  guint f, c;

  for (f = 0; f < frames; f++) {
    gfloat gain = (gfloat) tolk_gain_ramp_at (ramp, cycle_frame + f);

    for (c = 0; c < channels; c++)
      out[f * channels + c] += gain * in[f * channels + c];
  }
}

static void
add_with_ramp (const TolkGainRamp * ramp, guint64 cycle_frame,
    const gfloat * in, gfloat * out, guint frames, guint channels)
{
  if (tolk_gain_ramp_is_settled_from (ramp, cycle_frame))
    add_scaled (in, out, (gsize) frames * channels, (gfloat) ramp->to);
  else
    add_ramped (ramp, cycle_frame, in, out, frames, channels);
}

static gboolean
pad_has_output_layout (GstAudioAggregatorPad * pad, gint out_channels)
{
  gint channels;

  GST_OBJECT_LOCK (pad);
  channels = GST_AUDIO_INFO_CHANNELS (&pad->info);
  GST_OBJECT_UNLOCK (pad);
  if (channels == out_channels)
    return TRUE;
  GST_WARNING_OBJECT (pad, "has %d channels, output has %d: not mixed",
      channels, out_channels);
  return FALSE;
}

static gboolean
tolk_mix_aggregate_one_buffer (GstAudioAggregator * aagg,
    GstAudioAggregatorPad * aapad, GstBuffer * inbuf, guint in_offset,
    GstBuffer * outbuf, guint out_offset, guint num_frames)
{
  TolkMixPad *pad = TOLK_MIX_PAD (aapad);
  GstAudioAggregatorPad *srcpad =
      GST_AUDIO_AGGREGATOR_PAD (GST_AGGREGATOR_SRC_PAD (aagg));
  gint channels = GST_AUDIO_INFO_CHANNELS (&srcpad->info);
  GstMapInfo in, out;

  /* Silent pads cost nothing: a channel mixer has many of them. A pad that
   * joined mid-cycle is heard from the next cycle, once its target is known. */
  if (!pad->ramp.primed || tolk_gain_ramp_is_silent (&pad->ramp))
    return FALSE;
  if (!pad_has_output_layout (aapad, channels))
    return FALSE;
  if (!gst_buffer_map (inbuf, &in, GST_MAP_READ))
    return FALSE;
  if (!gst_buffer_map (outbuf, &out, GST_MAP_READWRITE)) {
    gst_buffer_unmap (inbuf, &in);
    return FALSE;
  }

  add_with_ramp (&pad->ramp, out_offset,
      (const gfloat *) in.data + (gsize) in_offset * channels,
      (gfloat *) out.data + (gsize) out_offset * channels, num_frames,
      channels);

  gst_buffer_unmap (outbuf, &out);
  gst_buffer_unmap (inbuf, &in);
  return TRUE;
}

/* ---- caps ---- */

/* All pads share one format; the base class keeps later pads to the format
 * of the first configured one. With no configured pad yet (force-live before
 * any input) the output is 48 kHz mono, the house format. */
static void
first_configured_format (GstAggregator * agg, gint * rate, gint * channels)
{
  GList *l;

  GST_OBJECT_LOCK (agg);
  for (l = GST_ELEMENT (agg)->sinkpads; l; l = l->next) {
    GstAudioAggregatorPad *pad = l->data;

    if (GST_AUDIO_INFO_FORMAT (&pad->info) != GST_AUDIO_FORMAT_UNKNOWN) {
      *rate = GST_AUDIO_INFO_RATE (&pad->info);
      *channels = GST_AUDIO_INFO_CHANNELS (&pad->info);
      break;
    }
  }
  GST_OBJECT_UNLOCK (agg);
}

static GstCaps *
tolk_mix_fixate_src_caps (GstAggregator * agg, GstCaps * caps)
{
  gint rate = PREFERRED_RATE, channels = PREFERRED_CHANNELS;
  GstStructure *s;

  first_configured_format (agg, &rate, &channels);
  caps = gst_caps_make_writable (caps);
  s = gst_caps_get_structure (caps, 0);
  gst_structure_fixate_field_nearest_int (s, "rate", rate);
  gst_structure_fixate_field_nearest_int (s, "channels", channels);
  return gst_caps_fixate (caps);
}

/* Once the output runs (possibly forced live before any input), new inputs
 * must match it: offer exactly the current output caps upstream. */
static gboolean
tolk_mix_sink_query (GstAggregator * agg, GstAggregatorPad * pad,
    GstQuery * query)
{
  GstCaps *current, *filter, *result;

  if (GST_QUERY_TYPE (query) != GST_QUERY_CAPS)
    goto chain_up;
  current = gst_pad_get_current_caps (GST_AGGREGATOR_SRC_PAD (agg));
  if (!current)
    goto chain_up;

  gst_query_parse_caps (query, &filter);
  result = filter ? gst_caps_intersect_full (filter, current,
      GST_CAPS_INTERSECT_FIRST) : gst_caps_ref (current);
  gst_query_set_caps_result (query, result);
  gst_caps_unref (result);
  gst_caps_unref (current);
  return TRUE;

chain_up:
  return GST_AGGREGATOR_CLASS (tolk_mix_parent_class)->sink_query (agg, pad,
      query);
}

/* ---- set-gains action signal ---- */

static TolkMixPad *
find_sink_pad_unlocked (TolkMix * self, const gchar * name)
{
  GList *l;

  for (l = GST_ELEMENT (self)->sinkpads; l; l = l->next) {
    if (g_strcmp0 (GST_OBJECT_NAME (l->data), name) == 0)
      return l->data;
  }
  return NULL;
}

typedef struct
{
  TolkMix *self;
  gboolean all_applied;
} GainBatch;

static gboolean
apply_batch_field (GQuark field, const GValue * value, gpointer user_data)
{
  GainBatch *batch = user_data;
  TolkMixPad *pad = find_sink_pad_unlocked (batch->self,
      g_quark_to_string (field));
  GValue gain = G_VALUE_INIT;

  g_value_init (&gain, G_TYPE_DOUBLE);
  if (!pad || !g_value_transform (value, &gain) ||
      !tolk_mix_pad_set_target_unlocked (pad, g_value_get_double (&gain))) {
    GST_WARNING_OBJECT (batch->self, "set-gains: cannot apply field '%s'",
        g_quark_to_string (field));
    batch->all_applied = FALSE;
  }
  g_value_unset (&gain);
  return TRUE;
}

/* Pads that exist get their targets even when others are unknown: a pad that
 * went away between the caller's decision and now cannot be heard anyway, and
 * refusing the whole batch would leave the live routing half old. */
static gboolean
tolk_mix_set_gains (TolkMix * self, const GstStructure * gains)
{
  GainBatch batch = { self, TRUE };

  g_return_val_if_fail (gains != NULL, FALSE);
  GST_OBJECT_LOCK (self);
  gst_structure_foreach (gains, apply_batch_field, &batch);
  self->batches_set++;
  GST_OBJECT_UNLOCK (self);
  return batch.all_applied;
}

/* Lets a controller answer "done" only once the audio carries its change:
 * returns TRUE when an output cycle has taken the latest set-gains batch,
 * FALSE if none did within timeout_ms (e.g. the element is not playing). */
static gboolean
tolk_mix_wait_gains_applied (TolkMix * self, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean taken;

  GST_OBJECT_LOCK (self);
  while (self->batches_taken < self->batches_set &&
      g_cond_wait_until (&self->batch_taken, GST_OBJECT_GET_LOCK (self),
          deadline));
  taken = self->batches_taken >= self->batches_set;
  GST_OBJECT_UNLOCK (self);
  return taken;
}

/* ---- child proxy, so gst-launch can say  mix.sink_0::gain=0.5 ---- */

static GstPad *
tolk_mix_request_new_pad (GstElement * element, GstPadTemplate * templ,
    const gchar * name, const GstCaps * caps)
{
  GstPad *pad = GST_ELEMENT_CLASS (tolk_mix_parent_class)->request_new_pad
      (element, templ, name, caps);

  if (pad)
    gst_child_proxy_child_added (GST_CHILD_PROXY (element), G_OBJECT (pad),
        GST_OBJECT_NAME (pad));
  return pad;
}

static void
tolk_mix_release_pad (GstElement * element, GstPad * pad)
{
  gchar *name = gst_pad_get_name (pad);

  gst_child_proxy_child_removed (GST_CHILD_PROXY (element), G_OBJECT (pad),
      name);
  g_free (name);
  GST_ELEMENT_CLASS (tolk_mix_parent_class)->release_pad (element, pad);
}

static GObject *
tolk_mix_child_by_index (GstChildProxy * proxy, guint index)
{
  GObject *child;

  GST_OBJECT_LOCK (proxy);
  child = g_list_nth_data (GST_ELEMENT (proxy)->sinkpads, index);
  if (child)
    gst_object_ref (child);
  GST_OBJECT_UNLOCK (proxy);
  return child;
}

static guint
tolk_mix_children_count (GstChildProxy * proxy)
{
  guint count;

  GST_OBJECT_LOCK (proxy);
  count = GST_ELEMENT (proxy)->numsinkpads;
  GST_OBJECT_UNLOCK (proxy);
  return count;
}

static void
tolk_mix_child_proxy_init (gpointer g_iface, gpointer iface_data)
{
  GstChildProxyInterface *iface = g_iface;

  (void) iface_data;
  iface->get_child_by_index = tolk_mix_child_by_index;
  iface->get_children_count = tolk_mix_children_count;
}

/* ---- GObject boilerplate ---- */

static void
tolk_mix_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  TolkMix *self = TOLK_MIX (object);

  switch (prop_id) {
    case PROP_RAMP_MS:
      GST_OBJECT_LOCK (self);
      self->ramp_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
tolk_mix_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  TolkMix *self = TOLK_MIX (object);

  switch (prop_id) {
    case PROP_RAMP_MS:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->ramp_ms);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
tolk_mix_install_signals (GObjectClass * gobject_class)
{
  /* STATIC_SCOPE: the structure is only read during the emission, no copy. */
  g_signal_new_class_handler ("set-gains", G_TYPE_FROM_CLASS (gobject_class),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION, G_CALLBACK (tolk_mix_set_gains),
      NULL, NULL, NULL, G_TYPE_BOOLEAN, 1,
      GST_TYPE_STRUCTURE | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_new_class_handler ("wait-gains-applied",
      G_TYPE_FROM_CLASS (gobject_class), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (tolk_mix_wait_gains_applied), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 1, G_TYPE_UINT);
}

static void
add_pad_templates (GstElementClass * element_class)
{
  GstCaps *caps = gst_caps_from_string (GST_AUDIO_CAPS_MAKE (GST_AUDIO_NE (F32))
      ", layout = (string) interleaved");

  gst_caps_set_simple (caps, "channels", GST_TYPE_INT_RANGE, 1, MAX_CHANNELS,
      NULL);
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new_with_gtype ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
          caps, GST_TYPE_AUDIO_AGGREGATOR_PAD));
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new_with_gtype ("sink_%u", GST_PAD_SINK,
          GST_PAD_REQUEST, caps, TOLK_TYPE_MIX_PAD));
  gst_caps_unref (caps);
}

static void
tolk_mix_class_init (TolkMixClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstAggregatorClass *agg_class = GST_AGGREGATOR_CLASS (klass);
  GstAudioAggregatorClass *aagg_class = GST_AUDIO_AGGREGATOR_CLASS (klass);

  gobject_class->set_property = tolk_mix_set_property;
  gobject_class->get_property = tolk_mix_get_property;
  gobject_class->finalize = tolk_mix_finalize;

  g_object_class_install_property (gobject_class, PROP_RAMP_MS,
      g_param_spec_uint ("ramp-ms", "Ramp length",
          "Milliseconds of output over which a pad's gain moves to a new "
          "target", 0, MAX_RAMP_MS, DEFAULT_RAMP_MS,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));
  tolk_mix_install_signals (gobject_class);

  add_pad_templates (element_class);
  gst_element_class_set_static_metadata (element_class, "Tolk mixer",
      "Filter/Effect/Audio/Mixer",
      "Mixes F32 audio with click-free per-input gain ramps and atomic "
      "gain batches", "Tolk");

  element_class->request_new_pad = tolk_mix_request_new_pad;
  element_class->release_pad = tolk_mix_release_pad;
  agg_class->fixate_src_caps = tolk_mix_fixate_src_caps;
  agg_class->sink_query = tolk_mix_sink_query;
  aagg_class->create_output_buffer = tolk_mix_create_output_buffer;
  aagg_class->aggregate_one_buffer = tolk_mix_aggregate_one_buffer;

  gst_type_mark_as_plugin_api (TOLK_TYPE_MIX_PAD, 0);
  GST_DEBUG_CATEGORY_INIT (tolk_mix_debug, "tolkmix", 0, "Tolk mixer");
}

static void
tolk_mix_finalize (GObject * object)
{
  g_cond_clear (&TOLK_MIX (object)->batch_taken);
  G_OBJECT_CLASS (tolk_mix_parent_class)->finalize (object);
}

static void
tolk_mix_init (TolkMix * self)
{
  self->ramp_ms = DEFAULT_RAMP_MS;
  self->cycle_frames = 0;
  g_cond_init (&self->batch_taken);
}
