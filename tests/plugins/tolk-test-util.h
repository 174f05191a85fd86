/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef TOLK_TEST_UTIL_H
#define TOLK_TEST_UTIL_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define TT_RATE 48000

/* Registers the tolk elements statically and initialises GStreamer. */
void tt_init (int *argc, char ***argv);

/* appsrc producing mono-or-stereo F32LE at TT_RATE, TIME format. */
GstElement *tt_make_appsrc (const gchar * name, guint channels, gboolean live);
GstElement *tt_make_appsink (const gchar * name, gboolean sync);

/* Pushes frames with timestamps continuing from *pos (in frames). */
void tt_push (GstElement * appsrc, const gfloat * samples, guint frames,
    guint channels, guint64 * pos);
void tt_push_eos (GstElement * appsrc);

/* Appends pulled samples to out (gfloat) until it holds at least
 * min_samples, or until EOS when min_samples is 0. Fails the test if nothing
 * arrives for a few seconds. Counts buffers flagged GAP in *gaps if given. */
void tt_pull (GstElement * appsink, GArray * out, guint min_samples,
    guint * gaps);

void tt_set_state (GstElement * pipeline, GstState state);

void tt_fill_sine (gfloat * x, guint n, gdouble freq, gdouble amplitude,
    gdouble phase, guint64 start);
gdouble tt_tone_power (const gfloat * x, guint n, gdouble freq);
gdouble tt_rms (const gfloat * x, guint n);
gfloat tt_max_abs (const gfloat * x, guint n);
gfloat tt_max_step (const gfloat * x, guint n);

G_END_DECLS

#endif
