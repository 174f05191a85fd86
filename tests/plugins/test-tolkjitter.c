/* SPDX-License-Identifier: EUPL-1.2 */
/* tolkjitter in real pipelines: a live Opus/RTP tone comes out as the tone, one 20 ms
 * buffer per cycle on the clock (90 % of the frames at full level: a packet a scheduler
 * delays past its cycle is concealed); with one packet in ten dropped before it (and FEC in the
 * stream) the output keeps its pace, no buffer is a gap, and at least 75 % of the frames
 * carry the tone at full level: a lost frame is concealed (or recovered from FEC when the next
 * packet is already queued), softer but never a hole. */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "tolk-test-util.h"

static GstElement *
launch (const gchar * drop)
{
  gchar *desc = g_strdup_printf ("audiotestsrc is-live=true wave=sine freq=440 "
      "volume=0.3 ! audio/x-raw,rate=48000,channels=1 ! opusenc inband-fec=true "
      "packet-loss-percentage=10 ! rtpopuspay %s ! tolkjitter max-delay-ms=100 latency=40000000 "
      "! appsink name=sink sync=false", drop);
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  g_free (desc);
  return pipeline;
}

/* Pulls `seconds` of output; returns the samples, counts buffers and GAP buffers. */
static GArray *
pull_for (GstElement * pipeline, gdouble seconds, guint * buffers, guint * gaps)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gfloat));
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  *buffers = *gaps = 0;
  while (g_get_monotonic_time () < end) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
        GST_SECOND);
    g_assert_nonnull (sample);
    GstBuffer *buffer = gst_sample_get_buffer (sample);
    GstMapInfo map;
    gst_buffer_map (buffer, &map, GST_MAP_READ);
    g_array_append_vals (out, map.data, map.size / sizeof (gfloat));
    gst_buffer_unmap (buffer, &map);
    (*buffers)++;
    if (GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_GAP))
      (*gaps)++;
    gst_sample_unref (sample);
  }
  gst_object_unref (sink);
  return out;
}

/* min_loud_share: of the 20 ms frames, how many must carry the tone at full level or close */
static void
check_tone (const gchar * drop, gdouble min_loud_share, gdouble min_tone_share)
{
  GstElement *pipeline = launch (drop);
  guint buffers, gaps;
  tt_set_state (pipeline, GST_STATE_PLAYING);
  g_array_unref (pull_for (pipeline, 0.5, &buffers, &gaps));    /* settle */
  GArray *out = pull_for (pipeline, 2.0, &buffers, &gaps);
  tt_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);

  /* On the clock: 100 buffers of 20 ms in 2 s, give or take scheduling. */
  g_assert_cmpuint (buffers, >=, 90);
  g_assert_cmpuint (buffers, <=, 110);
  g_assert_cmpuint (gaps, ==, 0);
  const gfloat *x = (const gfloat *) out->data;
  /* The tone is 0.21 RMS; a frame concealed after losses in a row fades. */
  guint frames = 0, loud = 0;
  for (guint i = 0; i + 960 <= out->len; i += 960, frames++)
    loud += tt_rms (x + i, 960) > 0.1;
  g_test_message ("%u of %u frames carry the tone at full level", loud, frames);
  g_assert_cmpfloat ((gdouble) loud / frames, >=, min_loud_share);
  /* The 440 Hz share of the energy: 1 for the pure tone. */
  gdouble rms = tt_rms (x, out->len);
  g_assert_cmpfloat (2.0 * tt_tone_power (x, out->len, 440.0) / (rms * rms), >, min_tone_share);
  g_array_unref (out);
}

static void
test_tone_passes (void)
{
  check_tone ("", 0.9, 0.8);
}

static void
test_losses_concealed (void)
{
  check_tone ("! identity drop-probability=0.1", 0.75, 0.5);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tt_init (&argc, &argv);
  g_test_add_func ("/tolkjitter/tone-passes", test_tone_passes);
  g_test_add_func ("/tolkjitter/losses-concealed", test_losses_concealed);
  return g_test_run ();
}
