/* SPDX-License-Identifier: EUPL-1.2 */
#include "tolk-test-util.h"
#include "tolk-plugin.h"

#include <gst/app/app.h>
#include <math.h>

#define PULL_TIMEOUT (5 * GST_SECOND)

void
tt_init (int *argc, char ***argv)
{
  gst_init (argc, argv);
  g_assert_true (tolk_plugin_register_static ());
  g_assert_true (tolk_plugin_register_static ());       /* idempotent */
}

GstElement *
tt_make_appsrc (const gchar * name, guint channels, gboolean live)
{
  GstElement *src = gst_element_factory_make ("appsrc", name);
  GstCaps *caps = gst_caps_new_simple ("audio/x-raw",
      "format", G_TYPE_STRING, "F32LE", "layout", G_TYPE_STRING,
      "interleaved", "rate", G_TYPE_INT, TT_RATE, "channels", G_TYPE_INT,
      (gint) channels, NULL);

  g_assert_nonnull (src);
  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, "is-live",
      live, "max-bytes", (guint64) 0, "block", FALSE, NULL);
  gst_caps_unref (caps);
  return src;
}

GstElement *
tt_make_appsink (const gchar * name, gboolean sync)
{
  GstElement *sink = gst_element_factory_make ("appsink", name);

  g_assert_nonnull (sink);
  g_object_set (sink, "sync", sync, NULL);
  return sink;
}

void
tt_push (GstElement * appsrc, const gfloat * samples, guint frames,
    guint channels, guint64 * pos)
{
  gsize bytes = (gsize) frames * channels * sizeof (gfloat);
  GstBuffer *buf = gst_buffer_new_memdup (samples, bytes);

  GST_BUFFER_PTS (buf) = gst_util_uint64_scale (*pos, GST_SECOND, TT_RATE);
  GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (*pos + frames,
      GST_SECOND, TT_RATE) - GST_BUFFER_PTS (buf);
  *pos += frames;
  g_assert_cmpint (gst_app_src_push_buffer (GST_APP_SRC (appsrc), buf), ==,
      GST_FLOW_OK);
}

void
tt_push_eos (GstElement * appsrc)
{
  g_assert_cmpint (gst_app_src_end_of_stream (GST_APP_SRC (appsrc)), ==,
      GST_FLOW_OK);
}

static void
append_sample (GstSample * sample, GArray * out, guint * gaps)
{
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstMapInfo map;

  if (gaps && GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP))
    (*gaps)++;
  g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
  g_array_append_vals (out, map.data, map.size / sizeof (gfloat));
  gst_buffer_unmap (buf, &map);
}

void
tt_pull (GstElement * appsink, GArray * out, guint min_samples, guint * gaps)
{
  while (min_samples == 0 || out->len < min_samples) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (appsink),
        PULL_TIMEOUT);

    if (!sample) {
      g_assert_true (gst_app_sink_is_eos (GST_APP_SINK (appsink)));
      g_assert_cmpuint (min_samples, ==, 0);
      return;
    }
    append_sample (sample, out, gaps);
    gst_sample_unref (sample);
  }
}

void
tt_set_state (GstElement * pipeline, GstState state)
{
  g_assert_cmpint (gst_element_set_state (pipeline, state), !=,
      GST_STATE_CHANGE_FAILURE);
}

void
tt_fill_sine (gfloat * x, guint n, gdouble freq, gdouble amplitude,
    gdouble phase, guint64 start)
{
  guint i;

  for (i = 0; i < n; i++)
    x[i] = (gfloat) (amplitude * sin (2.0 * G_PI * freq *
            (gdouble) (start + i) / TT_RATE + phase));
}

/* Goertzel: power of one frequency, normalised so a sine of amplitude A
 * yields about A*A/4 when n spans whole periods. */
gdouble
tt_tone_power (const gfloat * x, guint n, gdouble freq)
{
  gdouble coeff = 2.0 * cos (2.0 * G_PI * freq / TT_RATE);
  gdouble s1 = 0.0, s2 = 0.0;
  guint i;

  for (i = 0; i < n; i++) {
    gdouble s = x[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / ((gdouble) n * n);
}

gdouble
tt_rms (const gfloat * x, guint n)
{
  gdouble sum = 0.0;
  guint i;

  for (i = 0; i < n; i++)
    sum += (gdouble) x[i] * x[i];
  return n ? sqrt (sum / n) : 0.0;
}

gfloat
tt_max_abs (const gfloat * x, guint n)
{
  gfloat m = 0.0f;
  guint i;

  for (i = 0; i < n; i++)
    m = MAX (m, fabsf (x[i]));
  return m;
}

gfloat
tt_max_step (const gfloat * x, guint n)
{
  gfloat m = 0.0f;
  guint i;

  for (i = 1; i < n; i++)
    m = MAX (m, fabsf (x[i] - x[i - 1]));
  return m;
}
