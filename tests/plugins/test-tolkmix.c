/* SPDX-License-Identifier: EUPL-1.2 */
/* Behaviour of tolkmix: gains, atomic batches, ramps, silent pads, live. */
#include "tolk-test-util.h"

#include <gst/app/app.h>
#include <math.h>

#define CHUNK 480               /* 10 ms */
#define HALF_SECOND (TT_RATE / 2)
#define AMPLITUDE 0.5
#define FREQ_A 440.0
#define FREQ_B 1000.0

typedef struct
{
  GstElement *pipeline;
  GstElement *mix;
  GstElement *src[2];
  GstPad *pad[2];
  GstElement *sink;
  guint64 pos[2];
} MixPipe;

static void
mix_pipe_build (MixPipe * p, guint n_inputs, guint ramp_ms)
{
  guint i;

  p->pipeline = gst_pipeline_new (NULL);
  p->mix = gst_element_factory_make_full ("tolkmix", "ramp-ms", ramp_ms, NULL);
  p->sink = tt_make_appsink ("sink", FALSE);
  gst_bin_add_many (GST_BIN (p->pipeline), p->mix, p->sink, NULL);
  g_assert_true (gst_element_link (p->mix, p->sink));
  for (i = 0; i < n_inputs; i++) {
    GstPad *srcpad;

    p->src[i] = tt_make_appsrc (NULL, 1, FALSE);
    gst_bin_add (GST_BIN (p->pipeline), p->src[i]);
    p->pad[i] = gst_element_request_pad_simple (p->mix, "sink_%u");
    srcpad = gst_element_get_static_pad (p->src[i], "src");
    g_assert_cmpint (gst_pad_link (srcpad, p->pad[i]), ==, GST_PAD_LINK_OK);
    gst_object_unref (srcpad);
    p->pos[i] = 0;
  }
}

static void
mix_pipe_free (MixPipe * p)
{
  guint i;

  tt_set_state (p->pipeline, GST_STATE_NULL);
  for (i = 0; i < 2; i++)
    if (p->pad[i])
      gst_object_unref (p->pad[i]);
  gst_object_unref (p->pipeline);
}

/* Pushes `frames` of a generator's output on input i, 10 ms at a time. */
typedef void (*Generator) (gfloat * x, guint n, guint64 start);

static void
push_input (MixPipe * p, guint i, Generator gen, guint frames)
{
  gfloat chunk[CHUNK];
  guint done;

  for (done = 0; done < frames; done += CHUNK) {
    gen (chunk, CHUNK, p->pos[i]);
    tt_push (p->src[i], chunk, CHUNK, 1, &p->pos[i]);
  }
}

static void
gen_a (gfloat * x, guint n, guint64 start)
{
  /* cosine: at the switch point (0.5 s) it is at its peak, where an
   * unramped cut would be loudest */
  tt_fill_sine (x, n, FREQ_A, AMPLITUDE, G_PI / 2, start);
}

static void
gen_b (gfloat * x, guint n, guint64 start)
{
  tt_fill_sine (x, n, FREQ_B, AMPLITUDE, 0.0, start);
}

static void
gen_dc (gfloat * x, guint n, guint64 start)
{
  guint i;

  (void) start;
  for (i = 0; i < n; i++)
    x[i] = 1.0f;
}

static gboolean
emit_set_gains (GstElement * mix, const gchar * desc)
{
  GstStructure *gains = gst_structure_from_string (desc, NULL);
  gboolean ok = FALSE;

  g_assert_nonnull (gains);
  g_signal_emit_by_name (mix, "set-gains", gains, &ok);
  gst_structure_free (gains);
  return ok;
}

/* Runs A=cos 440 Hz at gain 1 and B=sin 1 kHz at gain 0 for 0.5 s, swaps the
 * gains with one set-gains, runs 0.5 s more; returns the whole output. */
static GArray *
run_swap (guint ramp_ms)
{
  MixPipe p = { 0 };
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gfloat));

  mix_pipe_build (&p, 2, ramp_ms);
  g_object_set (p.pad[1], "gain", 0.0, NULL);
  tt_set_state (p.pipeline, GST_STATE_PLAYING);

  push_input (&p, 0, gen_a, HALF_SECOND);
  push_input (&p, 1, gen_b, HALF_SECOND);
  /* Non-live: the mixer cannot run ahead of its inputs, so after this pull
   * the next output cycle starts exactly at 0.5 s. */
  tt_pull (p.sink, out, HALF_SECOND, NULL);
  g_assert_cmpuint (out->len, ==, HALF_SECOND);

  g_assert_true (emit_set_gains (p.mix, "g, sink_0=(double)0, "
          "sink_1=(double)1"));
  push_input (&p, 0, gen_a, HALF_SECOND);
  push_input (&p, 1, gen_b, HALF_SECOND);
  tt_push_eos (p.src[0]);
  tt_push_eos (p.src[1]);
  tt_pull (p.sink, out, 0, NULL);
  g_assert_cmpuint (out->len, ==, 2 * HALF_SECOND);

  mix_pipe_free (&p);
  return out;
}

/* Largest sample step the crossfade may produce: both tones' own steepest
 * step plus what each gain slope adds at full amplitude. */
static gfloat
allowed_step (guint ramp_ms)
{
  gdouble tone_steps = 2 * G_PI * (FREQ_A + FREQ_B) / TT_RATE * AMPLITUDE;
  gdouble ramp_frames = (gdouble) ramp_ms * TT_RATE / 1000;

  return (gfloat) (tone_steps + 2 * AMPLITUDE / ramp_frames + 1e-4);
}

static void
test_swap_is_clean_and_atomic (void)
{
  GArray *out = run_swap (10);
  const gfloat *x = (const gfloat *) out->data;
  guint window = TT_RATE / 10;  /* whole periods of both tones */
  const gfloat *before = x + HALF_SECOND - window;
  const gfloat *after = x + 2 * HALF_SECOND - window;
  gdouble full = AMPLITUDE * AMPLITUDE / 4;

  g_assert_cmpfloat (tt_tone_power (before, window, FREQ_A), >, 0.9 * full);
  g_assert_cmpfloat (tt_tone_power (before, window, FREQ_B), <, 1e-6 * full);
  g_assert_cmpfloat (tt_tone_power (after, window, FREQ_B), >, 0.9 * full);
  g_assert_cmpfloat (tt_tone_power (after, window, FREQ_A), <, 1e-6 * full);
  /* right after the 10 ms ramp, B alone */
  g_assert_cmpfloat (tt_tone_power (x + HALF_SECOND + 480, window, FREQ_A),
      <, 1e-6 * full);

  g_assert_cmpfloat (tt_max_step (x + HALF_SECOND - 2000, 4000), <=,
      allowed_step (10));
  g_array_unref (out);
}

/* The click check above must be able to fail: an unramped swap at the
 * cosine's peak is a jump of about AMPLITUDE. */
static void
test_click_check_detects_unramped_swap (void)
{
  GArray *out = run_swap (0);
  const gfloat *x = (const gfloat *) out->data;

  g_assert_cmpfloat (tt_max_step (x + HALF_SECOND - 2000, 4000), >,
      AMPLITUDE * 0.9);
  g_array_unref (out);
}

static guint
first_index_where (const gfloat * x, guint n, guint from, gboolean below_one)
{
  guint i;

  for (i = from; i < n; i++)
    if (below_one ? x[i] < 1.0f : x[i] == 0.0f)
      return i;
  return n;
}

static void
check_ramp_length (guint ramp_ms, gboolean use_signal)
{
  MixPipe p = { 0 };
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gfloat));
  const gfloat *x;
  guint start, end, expected = ramp_ms * TT_RATE / 1000;

  mix_pipe_build (&p, 1, ramp_ms);
  tt_set_state (p.pipeline, GST_STATE_PLAYING);
  push_input (&p, 0, gen_dc, HALF_SECOND);
  tt_pull (p.sink, out, HALF_SECOND, NULL);
  if (use_signal)
    g_assert_true (emit_set_gains (p.mix, "g, sink_0=(double)0"));
  else
    g_object_set (p.pad[0], "gain", 0.0, NULL);
  push_input (&p, 0, gen_dc, HALF_SECOND);
  tt_push_eos (p.src[0]);
  tt_pull (p.sink, out, 0, NULL);
  x = (const gfloat *) out->data;

  start = first_index_where (x, out->len, 0, TRUE) - 1;
  end = first_index_where (x, out->len, start, FALSE);
  g_assert_cmpuint (start, ==, HALF_SECOND);
  g_assert_cmpuint (end - start, ==, expected);
  /* linear: half way down at half the ramp */
  g_assert_cmpfloat (fabsf (x[start + expected / 2] - 0.5f), <, 1e-4);
  g_assert_cmpfloat (tt_max_abs (x + end, out->len - end), ==, 0.0f);

  g_array_unref (out);
  mix_pipe_free (&p);
}

static void
test_ramp_length_is_honoured (void)
{
  check_ramp_length (20, FALSE);
  check_ramp_length (5, TRUE);
  check_ramp_length (250, TRUE);
}

static void
test_silent_pads_produce_gap_and_unknown_pad_is_reported (void)
{
  MixPipe p = { 0 };
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gfloat));
  guint gaps = 0;

  mix_pipe_build (&p, 2, 10);
  g_assert_false (emit_set_gains (p.mix, "g, sink_0=(double)0, "
          "sink_1=(double)0, sink_9=(double)1"));
  tt_set_state (p.pipeline, GST_STATE_PLAYING);
  push_input (&p, 0, gen_a, HALF_SECOND);
  push_input (&p, 1, gen_b, HALF_SECOND);
  tt_push_eos (p.src[0]);
  tt_push_eos (p.src[1]);
  tt_pull (p.sink, out, 0, &gaps);

  /* every 10 ms output buffer was left untouched by the mixing code */
  g_assert_cmpuint (gaps, ==, HALF_SECOND / CHUNK);
  g_assert_cmpfloat (tt_max_abs ((gfloat *) out->data, out->len), ==, 0.0f);
  g_array_unref (out);
  mix_pipe_free (&p);
}

typedef struct
{
  GstElement *mix;
  gint stop;
  guint batches;
} Toggler;

static gpointer
toggle_gains (gpointer data)
{
  Toggler *t = data;

  while (!g_atomic_int_get (&t->stop)) {
    g_assert_true (emit_set_gains (t->mix, t->batches % 2 ?
            "g, sink_0=(double)1, sink_1=(double)0" :
            "g, sink_0=(double)0, sink_1=(double)1"));
    t->batches++;
    g_usleep (50);
  }
  return NULL;
}

/* With equal inputs and complementary gains, any mix of whole batches sums
 * to 1 at every sample, even mid-ramp; half a batch would not. */
static void
test_batches_are_never_seen_half (void)
{
  MixPipe p = { 0 };
  Toggler t = { 0 };
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gfloat));
  GThread *thread;
  guint i;

  mix_pipe_build (&p, 2, 3);
  g_object_set (p.pad[1], "gain", 0.0, NULL);
  t.mix = p.mix;
  tt_set_state (p.pipeline, GST_STATE_PLAYING);
  thread = g_thread_new ("toggler", toggle_gains, &t);
  for (i = 0; i < 8; i++) {
    push_input (&p, 0, gen_dc, HALF_SECOND);
    push_input (&p, 1, gen_dc, HALF_SECOND);
    tt_pull (p.sink, out, (i + 1) * HALF_SECOND, NULL);
  }
  g_atomic_int_set (&t.stop, 1);
  g_thread_join (thread);

  g_assert_cmpuint (t.batches, >, 10);
  for (i = 0; i < out->len; i++)
    g_assert_cmpfloat (fabsf (g_array_index (out, gfloat, i) - 1.0f), <,
        1e-5);
  g_array_unref (out);
  mix_pipe_free (&p);
}

/* Live, force-live, one live source and one input that never delivers:
 * output must keep flowing on the clock. Without the live source the mixer
 * must still produce silence. */
static void
check_live_output (gboolean with_live_source)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *mix = gst_element_factory_make_full ("tolkmix", "force-live",
      TRUE, "latency", (guint64) 20 * GST_MSECOND, NULL);
  GstElement *dead = tt_make_appsrc (NULL, 1, TRUE);
  GstElement *sink = tt_make_appsink ("sink", TRUE);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gfloat));
  gint64 deadline = g_get_monotonic_time () + 3 * G_TIME_SPAN_SECOND;

  gst_bin_add_many (GST_BIN (pipeline), mix, dead, sink, NULL);
  g_assert_true (gst_element_link (mix, sink));
  g_assert_true (gst_element_link_pads (dead, "src", mix, "sink_%u"));
  if (with_live_source) {
    GstElement *live = gst_parse_bin_from_description ("audiotestsrc "
        "is-live=true freq=1000 ! capsfilter caps=audio/x-raw,format=F32LE,"
        "channels=1,rate=48000", TRUE, NULL);
    g_assert_nonnull (live);
    gst_bin_add (GST_BIN (pipeline), live);
    g_assert_true (gst_element_link_pads (live, NULL, mix, "sink_%u"));
  }

  tt_set_state (pipeline, GST_STATE_PLAYING);
  while (out->len < TT_RATE * 4 / 10 && g_get_monotonic_time () < deadline)
    tt_pull (sink, out, out->len + 1, NULL);
  g_assert_cmpuint (out->len, >=, TT_RATE * 4 / 10);
  if (with_live_source)
    g_assert_cmpfloat (tt_rms ((gfloat *) out->data, out->len), >, 0.1);
  else
    g_assert_cmpfloat (tt_max_abs ((gfloat *) out->data, out->len), ==, 0);

  tt_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  g_array_unref (out);
}

static void
test_live_with_dead_input_keeps_producing (void)
{
  check_live_output (TRUE);
}

static void
test_live_with_only_dead_input_produces_silence (void)
{
  check_live_output (FALSE);
}

static gboolean
set_gain_and_wait (GstElement * mix, guint timeout_ms)
{
  GstStructure *gains = gst_structure_new ("gains", "sink_0", G_TYPE_DOUBLE,
      0.5, NULL);
  gboolean all_found = FALSE, applied = FALSE;

  g_signal_emit_by_name (mix, "set-gains", gains, &all_found);
  g_assert_true (all_found);
  gst_structure_free (gains);
  g_signal_emit_by_name (mix, "wait-gains-applied", timeout_ms, &applied);
  return applied;
}

/* A controller answers only once the audio carries its change: the wait ends
 * at the next output cycle when playing, and times out when nothing runs. */
static void
test_wait_gains_applied (void)
{
  GstElement *pipeline = gst_parse_launch ("audiotestsrc is-live=true "
      "! audio/x-raw,format=F32LE,channels=1,rate=48000 ! tolkmix name=mix "
      "! fakesink sync=true", NULL);
  GstElement *mix = gst_bin_get_by_name (GST_BIN (pipeline), "mix");

  g_assert_false (set_gain_and_wait (mix, 50));
  tt_set_state (pipeline, GST_STATE_PLAYING);
  g_assert_true (set_gain_and_wait (mix, 2000));
  g_assert_true (set_gain_and_wait (mix, 2000));
  tt_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (mix);
  gst_object_unref (pipeline);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tt_init (&argc, &argv);

  g_test_add_func ("/tolkmix/swap-is-clean-and-atomic",
      test_swap_is_clean_and_atomic);
  g_test_add_func ("/tolkmix/click-check-detects-unramped-swap",
      test_click_check_detects_unramped_swap);
  g_test_add_func ("/tolkmix/ramp-length-is-honoured",
      test_ramp_length_is_honoured);
  g_test_add_func ("/tolkmix/silent-pads-skipped",
      test_silent_pads_produce_gap_and_unknown_pad_is_reported);
  g_test_add_func ("/tolkmix/batches-are-never-seen-half",
      test_batches_are_never_seen_half);
  g_test_add_func ("/tolkmix/live-with-dead-input",
      test_live_with_dead_input_keeps_producing);
  g_test_add_func ("/tolkmix/live-with-only-dead-input",
      test_live_with_only_dead_input_produces_silence);
  g_test_add_func ("/tolkmix/wait-gains-applied", test_wait_gains_applied);
  return g_test_run ();
}
