/* SPDX-License-Identifier: EUPL-1.2 */
/**
 * SECTION:element-tolkguard
 * @title: tolkguard
 *
 * Hearing protection for mono 32-bit float audio on its way to a headset
 * through an Opus encoder. It holds the RMS of the last ~100 ms under
 * #TolkGuard:short-term-ceiling-db, keeps the true peak (4x oversampled) 4 dB
 * under #TolkGuard:peak-ceiling-db so that what a listener decodes after Opus
 * stays under the ceiling, and posts an element message
 * "tolk-loudness-warning" (field "level-db") when the one-minute RMS passes
 * #TolkGuard:warn-level-db, at most once a minute. The limiter looks ahead:
 * the output is delayed by 69 samples at 48 kHz, reported in the latency
 * query. Audio below the limits passes bit-exact, only delayed. Mono only:
 * Tolk mixes mono (domain.md), and the media engine guards every mix alone.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 audiotestsrc volume=1.0 ! audioconvert \
 *     ! audio/x-raw,channels=1 ! tolkguard peak-ceiling-db=-12 \
 *     ! audioconvert ! autoaudiosink
 * ]| Plays a full-scale tone with its true peaks held 4 dB under -12 dBFS.
 */

/* The limits and their calibration are those of plugins/dsp/guard.h. */
#include "tolkguard.h"
#include "guard.h"

GST_DEBUG_CATEGORY_STATIC (tolk_guard_debug);
#define GST_CAT_DEFAULT tolk_guard_debug

#define DEFAULT_PEAK_CEILING_DB TOLK_GUARD_PEAK_CEILING_DB
#define DEFAULT_SHORT_TERM_CEILING_DB TOLK_GUARD_SHORT_TERM_CEILING_DB
#define DEFAULT_WARN_LEVEL_DB TOLK_GUARD_WARN_LEVEL_DB

enum
{
  PROP_0,
  PROP_PEAK_CEILING_DB,
  PROP_SHORT_TERM_CEILING_DB,
  PROP_WARN_LEVEL_DB,
  PROP_GAIN_REDUCTION_DB,
};

struct _TolkGuard
{
  GstAudioFilter parent;

  /* object lock */
  gdouble peak_ceiling_db;
  gdouble short_term_ceiling_db;
  gdouble warn_level_db;
  gdouble gain_reduction_db;

  /* streaming thread; created in setup */
  tolk_guard *dsp;
  guint rate;
};

G_DEFINE_TYPE (TolkGuard, tolk_guard, GST_TYPE_AUDIO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (tolkguard, "tolkguard", GST_RANK_NONE,
    TOLK_TYPE_GUARD);

static gboolean
tolk_guard_setup (GstAudioFilter * filter, const GstAudioInfo * info)
{
  TolkGuard *self = TOLK_GUARD (filter);

  g_clear_pointer (&self->dsp, tolk_guard_free);
  self->rate = GST_AUDIO_INFO_RATE (info);
  self->dsp = tolk_guard_new (self->rate);
  return TRUE;
}

static void
load_limits (TolkGuard * self)
{
  GST_OBJECT_LOCK (self);
  tolk_guard_set_limits (self->dsp, self->peak_ceiling_db,
      self->short_term_ceiling_db, self->warn_level_db);
  GST_OBJECT_UNLOCK (self);
}

static void
publish_gain_reduction (TolkGuard * self, gdouble reduction_db)
{
  GST_OBJECT_LOCK (self);
  self->gain_reduction_db = -reduction_db;
  GST_OBJECT_UNLOCK (self);
}

static void
post_loudness_warning (TolkGuard * self, gdouble level_db)
{
  GstStructure *s = gst_structure_new (TOLK_GUARD_WARNING_NAME,
      "level-db", G_TYPE_DOUBLE, level_db, NULL);

  GST_INFO_OBJECT (self, "one-minute level %.1f dBFS", level_db);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

static GstFlowReturn
tolk_guard_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  TolkGuard *self = TOLK_GUARD (trans);
  GstMapInfo map;
  tolk_guard_report report;

  if (!self->dsp)
    return GST_FLOW_NOT_NEGOTIATED;
  if (!gst_buffer_map (buf, &map, GST_MAP_READWRITE))
    return GST_FLOW_ERROR;

  load_limits (self);
  tolk_guard_process (self->dsp, (gfloat *) map.data,
      map.size / sizeof (gfloat), &report);
  gst_buffer_unmap (buf, &map);

  publish_gain_reduction (self, report.reduction_db);
  if (report.warning)
    post_loudness_warning (self, report.level_db);
  return GST_FLOW_OK;
}

/* The lookahead delays the audio against its timestamps: downstream must know. */
static gboolean
tolk_guard_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  TolkGuard *self = TOLK_GUARD (trans);
  gboolean live;
  GstClockTime min, max, delay;

  if (GST_QUERY_TYPE (query) != GST_QUERY_LATENCY || direction != GST_PAD_SRC
      || !self->dsp)
    return GST_BASE_TRANSFORM_CLASS (tolk_guard_parent_class)->query (trans,
        direction, query);
  if (!gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (trans), query))
    return FALSE;
  gst_query_parse_latency (query, &live, &min, &max);
  delay = gst_util_uint64_scale_int_round (tolk_guard_latency (self->dsp),
      GST_SECOND, self->rate);
  gst_query_set_latency (query, live, min + delay,
      GST_CLOCK_TIME_IS_VALID (max) ? max + delay : max);
  return TRUE;
}

static gboolean
tolk_guard_stop (GstBaseTransform * trans)
{
  TolkGuard *self = TOLK_GUARD (trans);

  g_clear_pointer (&self->dsp, tolk_guard_free);
  return TRUE;
}

static void
tolk_guard_finalize (GObject * object)
{
  g_clear_pointer (&TOLK_GUARD (object)->dsp, tolk_guard_free);
  G_OBJECT_CLASS (tolk_guard_parent_class)->finalize (object);
}

static gdouble *
limit_field (TolkGuard * self, guint prop_id)
{
  switch (prop_id) {
    case PROP_PEAK_CEILING_DB:
      return &self->peak_ceiling_db;
    case PROP_SHORT_TERM_CEILING_DB:
      return &self->short_term_ceiling_db;
    case PROP_WARN_LEVEL_DB:
      return &self->warn_level_db;
    case PROP_GAIN_REDUCTION_DB:
      return &self->gain_reduction_db;
    default:
      return NULL;
  }
}

static void
tolk_guard_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  TolkGuard *self = TOLK_GUARD (object);
  gdouble *field = limit_field (self, prop_id);

  if (!field || prop_id == PROP_GAIN_REDUCTION_DB) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  GST_OBJECT_LOCK (self);
  *field = g_value_get_double (value);
  GST_OBJECT_UNLOCK (self);
}

static void
tolk_guard_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  TolkGuard *self = TOLK_GUARD (object);
  gdouble *field = limit_field (self, prop_id);

  if (!field) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  GST_OBJECT_LOCK (self);
  g_value_set_double (value, *field);
  GST_OBJECT_UNLOCK (self);
}

static void
install_level_property (GObjectClass * klass, guint id, const gchar * name,
    const gchar * blurb, gdouble min, gdouble def)
{
  g_object_class_install_property (klass, id,
      g_param_spec_double (name, name, blurb, min, 0.0, def,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));
}

static void
install_properties (GObjectClass * gobject_class)
{
  install_level_property (gobject_class, PROP_PEAK_CEILING_DB,
      "peak-ceiling-db", "The true peak decoded after Opus stays under "
      "this level (dBFS; 0 dBFS = 100 dB SPL at the headset)", -60.0,
      DEFAULT_PEAK_CEILING_DB);
  install_level_property (gobject_class, PROP_SHORT_TERM_CEILING_DB,
      "short-term-ceiling-db", "Ceiling for the RMS over ~100 ms (dBFS)",
      -60.0, DEFAULT_SHORT_TERM_CEILING_DB);
  install_level_property (gobject_class, PROP_WARN_LEVEL_DB,
      "warn-level-db", "Post " TOLK_GUARD_WARNING_NAME " when the one-minute "
      "RMS passes this level (dBFS)", -90.0, DEFAULT_WARN_LEVEL_DB);
  g_object_class_install_property (gobject_class, PROP_GAIN_REDUCTION_DB,
      g_param_spec_double ("gain-reduction-db", "Gain reduction",
          "Gain currently applied by the guard (dB, <= 0)", -G_MAXDOUBLE,
          0.0, 0.0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
tolk_guard_class_init (TolkGuardClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  GstCaps *caps = gst_caps_from_string (GST_AUDIO_CAPS_MAKE (GST_AUDIO_NE (F32))
      ", layout = (string) interleaved");

  gobject_class->set_property = tolk_guard_set_property;
  gobject_class->get_property = tolk_guard_get_property;
  gobject_class->finalize = tolk_guard_finalize;
  install_properties (gobject_class);

  gst_caps_set_simple (caps, "channels", G_TYPE_INT, 1, NULL);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);
  gst_element_class_set_static_metadata (element_class, "Tolk hearing guard",
      "Filter/Effect/Audio",
      "Peak ceiling, short-term loudness guard and long-term loudness "
      "warning for headset feeds", "Tolk");

  trans_class->transform_ip = tolk_guard_transform_ip;
  trans_class->stop = tolk_guard_stop;
  trans_class->query = tolk_guard_query;
  filter_class->setup = tolk_guard_setup;

  GST_DEBUG_CATEGORY_INIT (tolk_guard_debug, "tolkguard", 0,
      "Tolk hearing guard");
}

static void
tolk_guard_init (TolkGuard * self)
{
  self->peak_ceiling_db = DEFAULT_PEAK_CEILING_DB;
  self->short_term_ceiling_db = DEFAULT_SHORT_TERM_CEILING_DB;
  self->warn_level_db = DEFAULT_WARN_LEVEL_DB;
  self->gain_reduction_db = 0.0;
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}
