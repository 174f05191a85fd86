/* SPDX-License-Identifier: EUPL-1.2 */
/* Behaviour of tolkguard: peak ceiling, short-term guard, warning, bypass. */
#include "tolk-test-util.h"

#include <math.h>

#define FREQ 1000.0
#define BLOCK (TT_RATE / 10)    /* 100 ms, the short-term window */
#define LATENCY 69              /* the lookahead, in samples */

typedef struct
{
  GstElement *pipeline;
  GstElement *src;
  GstElement *guard;
  GstElement *sink;
  guint64 pos;
} GuardPipe;

static void
guard_pipe_build (GuardPipe * p)
{
  p->pipeline = gst_pipeline_new (NULL);
  p->src = tt_make_appsrc (NULL, 1, FALSE);
  p->guard = gst_element_factory_make ("tolkguard", NULL);
  p->sink = tt_make_appsink ("sink", FALSE);
  p->pos = 0;
  gst_bin_add_many (GST_BIN (p->pipeline), p->src, p->guard, p->sink, NULL);
  g_assert_true (gst_element_link_many (p->src, p->guard, p->sink, NULL));
  tt_set_state (p->pipeline, GST_STATE_PLAYING);
}

static void
guard_pipe_free (GuardPipe * p)
{
  tt_set_state (p->pipeline, GST_STATE_NULL);
  gst_object_unref (p->pipeline);
}

/* Feeds `seconds` of a sine through the guard; returns the output. */
static GArray *
run_sine (GuardPipe * p, gdouble amplitude, guint seconds)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gfloat));
  gfloat *x = g_new (gfloat, TT_RATE);
  guint s;

  for (s = 0; s < seconds; s++) {
    tt_fill_sine (x, TT_RATE, FREQ, amplitude, 0.0, p->pos);
    tt_push (p->src, x, TT_RATE, 1, &p->pos);
  }
  tt_push_eos (p->src);
  tt_pull (p->sink, out, 0, NULL);
  g_assert_cmpuint (out->len, ==, seconds * TT_RATE);
  g_free (x);
  return out;
}

static guint
count_warnings (GstElement * pipeline, gdouble * last_level)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);

    if (gst_structure_has_name (s, "tolk-loudness-warning")) {
      g_assert_true (gst_structure_get_double (s, "level-db", last_level));
      n++;
    }
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return n;
}

static gdouble
gain_reduction_db (GstElement * guard)
{
  gdouble db;

  g_object_get (guard, "gain-reduction-db", &db, NULL);
  return db;
}

static void
test_peaks_stay_under_ceiling (void)
{
  GuardPipe p;
  gdouble ceiling = pow (10.0, -1.0 / 20);
  GArray *out;

  guard_pipe_build (&p);
  /* full-scale relative to the ceiling, 6 dB over it */
  out = run_sine (&p, ceiling * 2.0, 2);
  g_assert_cmpfloat (tt_max_abs ((gfloat *) out->data, out->len), <=,
      ceiling + 1e-6);
  g_assert_cmpfloat (gain_reduction_db (p.guard), <, -6.0);
  g_array_unref (out);
  guard_pipe_free (&p);
}

/* Under the peak limiter's aim (-5 dBFS) but 3 dB over a -12 dBFS short-term
 * ceiling. */
static void
test_sustained_loudness_is_brought_under_short_term_ceiling (void)
{
  GuardPipe p;
  gdouble limit = pow (10.0, -12.0 / 20);
  gdouble amplitude = 0.5;
  GArray *out;
  guint start;

  g_assert_cmpfloat (amplitude / sqrt (2.0), >, limit * 1.4);
  guard_pipe_build (&p);
  g_object_set (p.guard, "short-term-ceiling-db", -12.0, NULL);
  out = run_sine (&p, amplitude, 2);
  for (start = 3 * BLOCK; start + BLOCK <= out->len; start += BLOCK / 4) {
    gdouble rms = tt_rms ((gfloat *) out->data + start, BLOCK);

    g_assert_cmpfloat (rms, <=, limit * 1.01);
    /* reduced, not crushed: within 0.5 dB of the ceiling */
    g_assert_cmpfloat (rms, >=, limit * 0.94);
  }
  g_array_unref (out);
  guard_pipe_free (&p);
}

/* Bit-exact, only delayed by the lookahead. */
static void
test_quiet_signal_is_bit_exact (void)
{
  GuardPipe p;
  GArray *out;
  gfloat *expected = g_new0 (gfloat, 2 * TT_RATE);

  guard_pipe_build (&p);
  out = run_sine (&p, 0.1, 2);
  tt_fill_sine (expected + LATENCY, 2 * TT_RATE - LATENCY, FREQ, 0.1, 0.0, 0);
  g_assert_cmpmem (out->data, out->len * sizeof (gfloat), expected,
      2 * TT_RATE * sizeof (gfloat));
  g_assert_cmpfloat (gain_reduction_db (p.guard), ==, 0.0);
  g_assert_cmpuint (count_warnings (p.pipeline, NULL), ==, 0);
  g_free (expected);
  g_array_unref (out);
  guard_pipe_free (&p);
}

/* Output held under -6 dBFS RMS: the one-minute average (silence before the
 * start counts) passes -20 dBFS after a few seconds, so a warning is due, and,
 * rate-limited to one a minute, no second one in 15 s. */
static void
test_long_term_warning_is_rate_limited (void)
{
  GuardPipe p;
  GArray *out;
  gdouble level = -100.0;

  guard_pipe_build (&p);
  out = run_sine (&p, 0.85, 15);
  g_assert_cmpuint (count_warnings (p.pipeline, &level), ==, 1);
  g_assert_cmpfloat (level, >, -20.0);
  g_assert_cmpfloat (level, <, -6.0);
  g_array_unref (out);
  guard_pipe_free (&p);
}

/* -23 dBFS RMS for a minute and more stays under the -20 dBFS warning. */
static void
test_no_warning_below_level (void)
{
  GuardPipe p;
  GArray *out;

  guard_pipe_build (&p);
  out = run_sine (&p, 0.1, 70);
  g_assert_cmpuint (count_warnings (p.pipeline, NULL), ==, 0);
  g_array_unref (out);
  guard_pipe_free (&p);
}

/* The lookahead is added to what upstream reports. */
static void
test_latency_is_reported (void)
{
  GuardPipe p;
  GstQuery *query = gst_query_new_latency ();
  GstPad *src;
  GstClockTime min, max;
  gboolean live;

  guard_pipe_build (&p);
  g_array_unref (run_sine (&p, 0.1, 1));
  src = gst_element_get_static_pad (p.guard, "src");
  g_assert_true (gst_pad_query (src, query));
  gst_query_parse_latency (query, &live, &min, &max);
  g_assert_cmpuint (min, ==, gst_util_uint64_scale_int_round (LATENCY,
          GST_SECOND, TT_RATE));
  gst_object_unref (src);
  gst_query_unref (query);
  guard_pipe_free (&p);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tt_init (&argc, &argv);

  g_test_add_func ("/tolkguard/peaks-stay-under-ceiling",
      test_peaks_stay_under_ceiling);
  g_test_add_func ("/tolkguard/short-term-ceiling",
      test_sustained_loudness_is_brought_under_short_term_ceiling);
  g_test_add_func ("/tolkguard/quiet-signal-is-bit-exact",
      test_quiet_signal_is_bit_exact);
  g_test_add_func ("/tolkguard/long-term-warning-rate-limited",
      test_long_term_warning_is_rate_limited);
  g_test_add_func ("/tolkguard/latency-is-reported",
      test_latency_is_reported);
  g_test_add_func ("/tolkguard/no-warning-below-level",
      test_no_warning_below_level);
  return g_test_run ();
}
