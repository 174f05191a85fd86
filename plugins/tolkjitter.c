/* SPDX-License-Identifier: EUPL-1.2 */
/**
 * SECTION:element-tolkjitter
 * @title: tolkjitter
 *
 * The receive stage of Tolk's engine as an element: RTP/Opus in, 48 kHz mono
 * float out, one 20 ms buffer per output cycle. Packets are filed by sequence
 * number in a reorder buffer; each cycle plays the packet due, recovers a lost
 * one from the next packet's in-band FEC, or conceals it (Opus PLC), and plays
 * silence once the sender has been quiet for a while. In a live pipeline the
 * output cycle runs on the clock (GstAggregator's timeout), so a late or lost
 * packet never stalls what follows: it is what rule 9 of the interpretation
 * matrix asks of every input.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 audiotestsrc is-live=true wave=sine freq=440 ! opusenc inband-fec=true \
 *     ! rtpopuspay ! tolkjitter max-delay-ms=60 ! audioconvert ! autoaudiosink
 * ]| Plays a tone through Opus, RTP and the reorder buffer.
 */
#include "tolkjitter.h"

#include <gst/audio/audio.h>
#include <gst/rtp/gstrtpbuffer.h>

#include "jitter_buffer.h"

GST_DEBUG_CATEGORY_STATIC (tolk_jitter_debug);
#define GST_CAT_DEFAULT tolk_jitter_debug

#define FRAME_SAMPLES 960
#define FRAME_DURATION (20 * GST_MSECOND)
#define DEFAULT_MAX_DELAY_MS 60

enum
{
  PROP_0,
  PROP_MAX_DELAY_MS,
};

struct _TolkJitter
{
  GstAggregator parent;
  GstAggregatorPad *sinkpad;
  guint max_delay_ms;
  tolk_jitter_buffer *buffer;   /* the aggregate thread only, from start to stop */
  gboolean caps_set;
};

G_DEFINE_TYPE (TolkJitter, tolk_jitter, GST_TYPE_AGGREGATOR);
GST_ELEMENT_REGISTER_DEFINE (tolkjitter, "tolkjitter", GST_RANK_NONE,
    TOLK_TYPE_JITTER);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-rtp, media=(string)audio, "
        "clock-rate=(int)48000, encoding-name=(string)OPUS"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format=(string)" GST_AUDIO_NE (F32)
        ", rate=(int)48000, channels=(int)1, layout=(string)interleaved"));

/* Every RTP packet queued on the sink pad goes into the reorder buffer. */
static void
tolk_jitter_take_packets (TolkJitter * self)
{
  GstBuffer *buffer;
  gint64 now_us = g_get_monotonic_time ();

  while ((buffer = gst_aggregator_pad_pop_buffer (self->sinkpad))) {
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    if (gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp)) {
      tolk_jitter_buffer_put (self->buffer, gst_rtp_buffer_get_seq (&rtp),
          gst_rtp_buffer_get_timestamp (&rtp),
          gst_rtp_buffer_get_payload (&rtp),
          gst_rtp_buffer_get_payload_len (&rtp), now_us);
      gst_rtp_buffer_unmap (&rtp);
    } else {
      GST_DEBUG_OBJECT (self, "dropping a buffer that is not RTP");
    }
    gst_buffer_unref (buffer);
  }
}

static GstBuffer *
tolk_jitter_next_frame (TolkJitter * self)
{
  GstBuffer *out = gst_buffer_new_allocate (NULL, FRAME_SAMPLES * sizeof (gfloat),
      NULL);
  GstMapInfo map;

  gst_buffer_map (out, &map, GST_MAP_WRITE);
  if (!tolk_jitter_buffer_pull (self->buffer, (gfloat *) map.data,
          g_get_monotonic_time ())) {
    memset (map.data, 0, map.size);
    GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_GAP);
  }
  gst_buffer_unmap (out, &map);
  return out;
}

static gboolean
tolk_jitter_ensure_caps (TolkJitter * self)
{
  GstCaps *caps;

  if (self->caps_set)
    return TRUE;
  caps = gst_static_pad_template_get_caps (&src_template);
  gst_aggregator_set_src_caps (GST_AGGREGATOR (self), caps);
  gst_caps_unref (caps);
  self->caps_set = TRUE;
  return TRUE;
}

static GstFlowReturn
tolk_jitter_aggregate (GstAggregator * agg, gboolean timeout)
{
  TolkJitter *self = TOLK_JITTER (agg);
  GstSegment *segment = &GST_AGGREGATOR_PAD (agg->srcpad)->segment;
  GstBuffer *out;

  (void) timeout;
  if (gst_aggregator_pad_is_eos (self->sinkpad)
      && !gst_aggregator_pad_has_buffer (self->sinkpad))
    return GST_FLOW_EOS;
  tolk_jitter_ensure_caps (self);
  tolk_jitter_take_packets (self);
  if (segment->position == GST_CLOCK_TIME_NONE || segment->position < segment->start)
    segment->position = segment->start;
  out = tolk_jitter_next_frame (self);
  GST_BUFFER_PTS (out) = segment->position;
  GST_BUFFER_DURATION (out) = FRAME_DURATION;
  segment->position += FRAME_DURATION;
  return gst_aggregator_finish_buffer (agg, out);
}

static gboolean
tolk_jitter_start (GstAggregator * agg)
{
  TolkJitter *self = TOLK_JITTER (agg);

  self->buffer = tolk_jitter_buffer_new (self->max_delay_ms);
  self->caps_set = FALSE;
  gst_aggregator_set_latency (agg, FRAME_DURATION, FRAME_DURATION);
  return self->buffer != NULL;
}

static gboolean
tolk_jitter_stop (GstAggregator * agg)
{
  TolkJitter *self = TOLK_JITTER (agg);

  g_clear_pointer (&self->buffer, tolk_jitter_buffer_free);
  return TRUE;
}

/* Output follows the source segment: a fresh TIME segment from 0 for each stream. */
static gboolean
tolk_jitter_sink_event (GstAggregator * agg, GstAggregatorPad * pad,
    GstEvent * event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_SEGMENT) {
    GstSegment segment;
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_aggregator_update_segment (agg, &segment);
  }
  return GST_AGGREGATOR_CLASS (tolk_jitter_parent_class)->sink_event (agg, pad,
      event);
}

static void
tolk_jitter_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  TolkJitter *self = TOLK_JITTER (object);

  switch (prop_id) {
    case PROP_MAX_DELAY_MS:
      self->max_delay_ms = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tolk_jitter_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  TolkJitter *self = TOLK_JITTER (object);

  switch (prop_id) {
    case PROP_MAX_DELAY_MS:
      g_value_set_uint (value, self->max_delay_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tolk_jitter_class_init (TolkJitterClass * klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstAggregatorClass *agg_class = GST_AGGREGATOR_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (tolk_jitter_debug, "tolkjitter", 0,
      "Tolk reorder buffer and Opus decoder");
  object_class->set_property = tolk_jitter_set_property;
  object_class->get_property = tolk_jitter_get_property;
  g_object_class_install_property (object_class, PROP_MAX_DELAY_MS,
      g_param_spec_uint ("max-delay-ms", "Max delay (ms)",
          "Most audio the reorder buffer holds before it skips ahead", 5, 500,
          DEFAULT_MAX_DELAY_MS,
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));
  gst_element_class_add_static_pad_template_with_gtype (element_class,
      &sink_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_add_static_pad_template_with_gtype (element_class,
      &src_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_set_static_metadata (element_class,
      "Tolk reorder buffer", "Codec/Decoder/Audio/Network",
      "Reorders RTP/Opus, decodes it with FEC recovery and concealment, "
      "one 20 ms frame per cycle", "Tolk");
  agg_class->aggregate = tolk_jitter_aggregate;
  agg_class->start = tolk_jitter_start;
  agg_class->stop = tolk_jitter_stop;
  agg_class->sink_event = tolk_jitter_sink_event;
  agg_class->get_next_time = gst_aggregator_simple_get_next_time;
}

static void
tolk_jitter_init (TolkJitter * self)
{
  GstPadTemplate *templ = gst_static_pad_template_get (&sink_template);

  self->sinkpad = g_object_new (GST_TYPE_AGGREGATOR_PAD, "name", "sink",
      "direction", GST_PAD_SINK, "template", templ, NULL);
  gst_object_unref (templ);
  gst_element_add_pad (GST_ELEMENT (self), GST_PAD (self->sinkpad));
}
