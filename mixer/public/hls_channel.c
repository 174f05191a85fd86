/* SPDX-License-Identifier: EUPL-1.2 */
/* One channel's HLS: the frames handed over from the media thread, the supervisor that
 * starts, watches and restarts the pipeline, the segments and the playlist. */
#include <errno.h>
#include <gst/app/gstappsrc.h>

#include "hls_files.h"
#include "hls_private.h"

#define TOLK_LOG_MODULE "hls"
#include "log.h"

#define BACKOFF_FIRST_S 1
#define BACKOFF_MAX_S 30
#define STEADY_RUN_US (60 * G_USEC_PER_SEC) /* a run this long starts the backoff over */
#define WATCH_SLICE_US (500 * G_TIME_SPAN_MILLISECOND)
#define STOP_WAIT_US (5 * G_USEC_PER_SEC)

const char *tolk_hls_state_name(tolk_hls_state state)
{
    switch (state) {
    case TOLK_HLS_STARTING: return "starting";
    case TOLK_HLS_RUNNING: return "running";
    case TOLK_HLS_FAILING: return "failing";
    }
    return "failing";
}

#define WHERE TOLK_WHERE(.sitting = hls->sitting, .channel = hls->channel)

/* The stream's media thread: copy and hand over, never block; a full queue drops the frame. */
static void on_frame(void *ctx, const guint8 *data, gsize size, guint64 pts_ns)
{
    (void)pts_ns; /* the appsrc stamps on arrival, in its pipeline's running time */
    tolk_hls *hls = ctx;
    g_mutex_lock(&hls->src_lock);
    if (hls->appsrc) {
        GstAppSrc *src = GST_APP_SRC(hls->appsrc);
        if (gst_app_src_get_current_level_bytes(src) + size > gst_app_src_get_max_bytes(src))
            atomic_fetch_add(&hls->drops, 1);
        else
            gst_app_src_push_buffer(src, gst_buffer_new_memdup(data, size));
    }
    g_mutex_unlock(&hls->src_lock);
}

static void set_state(tolk_hls *hls, tolk_hls_state state)
{
    if (hls->state != state)
        hls->since_us = g_get_real_time();
    hls->state = state;
}

void tolk_hls_failed(tolk_hls *hls, const char *why)
{
    g_mutex_lock(&hls->lock);
    if (!hls->failed && !hls->stopping)
        LOG_WARN_AT(WHERE, "HLS failed: %s", why);
    hls->failed = true;
    g_strlcpy(hls->last_error, why, sizeof hls->last_error);
    g_cond_broadcast(&hls->cond);
    g_mutex_unlock(&hls->lock);
}

void tolk_hls_segment_lost(tolk_hls *hls, const char *why)
{
    g_mutex_lock(&hls->lock);
    if (!hls->losing)
        LOG_WARN_AT(WHERE, "HLS segments lost: %s (the pipeline runs on)", why);
    hls->losing = true;
    g_strlcpy(hls->last_error, why, sizeof hls->last_error);
    set_state(hls, TOLK_HLS_FAILING);
    g_mutex_unlock(&hls->lock);
}

bool tolk_hls_write_playlist(tolk_hls *hls, const char *evicted)
{
    g_mutex_lock(&hls->lock);
    char *text = tolk_hls_playlist_render(&hls->playlist);
    g_mutex_unlock(&hls->lock);
    bool ok = tolk_hls_file_replace(hls->dir, TOLK_HLS_PLAYLIST_NAME, text);
    if (!ok) {
        char why[160];
        g_snprintf(why, sizeof why, "cannot write the playlist in %s: %s", hls->dir, g_strerror(errno));
        tolk_hls_segment_lost(hls, why);
    }
    g_free(text);
    if (evicted && *evicted)
        tolk_hls_file_remove(hls->dir, evicted);
    return ok;
}

/* The pipeline's streaming thread: a segment is complete on disk. */
void tolk_hls_segment_done(tolk_hls *hls, const char *name, double duration_s)
{
    tolk_hls_segment segment = {.duration_s = duration_s,
                                .start_wall_us = g_get_real_time() - (gint64)(duration_s * G_USEC_PER_SEC)};
    char evicted[TOLK_HLS_SEGMENT_NAME_SIZE] = "";
    g_mutex_lock(&hls->io_lock);
    if (hls->current_lost) { /* the pipeline runs on: no stall, but a gap in the playlist */
        g_mutex_lock(&hls->lock);
        hls->progress_us = g_get_monotonic_time();
        hls->next_discontinuity = true;
        g_mutex_unlock(&hls->lock);
        g_mutex_unlock(&hls->io_lock);
        return;
    }
    segment.sequence = hls->next_sequence++;
    g_strlcpy(segment.name, name, sizeof segment.name);
    g_mutex_lock(&hls->lock);
    if (hls->superseded) {
        g_mutex_unlock(&hls->lock);
        g_mutex_unlock(&hls->io_lock);
        return;
    }
    segment.discontinuity = hls->next_discontinuity;
    hls->next_discontinuity = false;
    tolk_hls_playlist_add(&hls->playlist, &segment, evicted);
    hls->segments++;
    hls->progress_us = g_get_monotonic_time();
    g_mutex_unlock(&hls->lock);
    if (tolk_hls_write_playlist(hls, evicted)) {
        g_mutex_lock(&hls->lock);
        bool first = hls->state != TOLK_HLS_RUNNING;
        hls->losing = false;
        set_state(hls, TOLK_HLS_RUNNING);
        g_mutex_unlock(&hls->lock);
        if (first)
            LOG_INFO_AT(WHERE, "HLS running: segment %s (%.2f s)", name, duration_s);
    }
    g_mutex_unlock(&hls->io_lock);
}

static void destroy(tolk_hls *hls)
{
    g_cond_clear(&hls->cond);
    g_mutex_clear(&hls->io_lock);
    g_mutex_clear(&hls->lock);
    g_mutex_clear(&hls->src_lock);
    g_free(hls->dir);
    g_free(hls);
}

/* The owner's reference and the supervisor's: the last one frees. */
static void unref(tolk_hls *hls)
{
    if (g_atomic_int_dec_and_test(&hls->refs))
        destroy(hls);
}

/* Under lock: waits until the run fails, stalls or is stopped. A run that makes no
 * segment in three segment lengths (at least 10 s) is stuck: a failure too. */
static void watch_run(tolk_hls *hls)
{
    gint64 stall_us = MAX(3 * (gint64)hls->cfg.segment_seconds, 10) * G_USEC_PER_SEC;
    while (!hls->stopping && !hls->failed) {
        g_cond_wait_until(&hls->cond, &hls->lock, g_get_monotonic_time() + WATCH_SLICE_US);
        if (!hls->failed && g_get_monotonic_time() - hls->progress_us > stall_us) {
            hls->failed = true;
            g_snprintf(hls->last_error, sizeof hls->last_error, "no segment for %" G_GINT64_FORMAT " s",
                       stall_us / G_USEC_PER_SEC);
            LOG_WARN_AT(WHERE, "HLS failed: %s", hls->last_error);
        }
    }
}

/* Without lock: one run of the pipeline, from start to its failure or the stop. The folder
 * is made here, on this thread, never under the app lock; the first run empties it of what
 * an earlier HLS of the channel left. */
static void run_once(tolk_hls *hls, bool first)
{
    char why[160] = "";
    tolk_error err;
    if (!tolk_hls_dir_make(hls->dir, &err)) {
        tolk_hls_failed(hls, err.message);
        return;
    }
    if (first)
        tolk_hls_dir_clean(hls->dir);
    GstElement *appsrc = NULL;
    GstElement *pipeline = tolk_hls_pipeline_start(hls, &appsrc, why, sizeof why);
    if (!pipeline) {
        tolk_hls_failed(hls, why);
        return;
    }
    g_mutex_lock(&hls->src_lock);
    hls->appsrc = appsrc;
    g_mutex_unlock(&hls->src_lock);
    g_mutex_lock(&hls->lock);
    watch_run(hls);
    g_mutex_unlock(&hls->lock);
    g_mutex_lock(&hls->src_lock);
    hls->appsrc = NULL;
    g_mutex_unlock(&hls->src_lock);
    gst_object_unref(appsrc);
    tolk_hls_pipeline_stop(pipeline);
}

/* Under lock: the pause before the next run; false when stopped meanwhile. */
static bool back_off(tolk_hls *hls, unsigned seconds)
{
    gint64 until = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
    while (!hls->stopping && g_cond_wait_until(&hls->cond, &hls->lock, until))
        ;
    return !hls->stopping;
}

static gpointer supervise(gpointer data)
{
    tolk_hls *hls = data;
    unsigned backoff = BACKOFF_FIRST_S;
    bool first = true;
    g_mutex_lock(&hls->lock);
    while (!hls->stopping) {
        hls->failed = false;
        gint64 started = hls->progress_us = g_get_monotonic_time();
        g_mutex_unlock(&hls->lock);
        run_once(hls, first);
        first = false;
        g_mutex_lock(&hls->lock);
        if (hls->stopping)
            break;
        backoff = g_get_monotonic_time() - started > STEADY_RUN_US ? BACKOFF_FIRST_S : backoff;
        hls->restarts++;
        hls->next_discontinuity = true;
        set_state(hls, TOLK_HLS_FAILING);
        LOG_INFO_AT(WHERE, "HLS restarts in %u s (restart %" G_GUINT64_FORMAT ")", backoff, hls->restarts);
        if (!back_off(hls, backoff))
            break;
        backoff = MIN(backoff * 2, BACKOFF_MAX_S);
    }
    hls->playlist.ended = true;
    bool superseded = hls->superseded;
    g_mutex_unlock(&hls->lock);
    g_mutex_lock(&hls->io_lock);
    if (!superseded)
        tolk_hls_write_playlist(hls, NULL);
    g_mutex_unlock(&hls->io_lock);
    g_mutex_lock(&hls->lock);
    hls->ended = true;
    g_cond_broadcast(&hls->cond);
    g_mutex_unlock(&hls->lock);
    unref(hls);
    return NULL;
}

tolk_hls *tolk_hls_new(const char *dir, const char *sitting, const char *channel, const tolk_hls_config *cfg,
                       tolk_stream *stream)
{
    tolk_hls *hls = g_new0(tolk_hls, 1);
    hls->dir = g_strdup(dir);
    g_strlcpy(hls->sitting, sitting, sizeof hls->sitting);
    g_strlcpy(hls->channel, channel, sizeof hls->channel);
    hls->cfg = *cfg;
    g_mutex_init(&hls->src_lock);
    g_mutex_init(&hls->lock);
    g_mutex_init(&hls->io_lock);
    g_cond_init(&hls->cond);
    hls->state = TOLK_HLS_STARTING;
    hls->since_us = g_get_real_time();
    hls->run = hls->since_us / G_USEC_PER_SEC;
    tolk_hls_playlist_init(&hls->playlist, cfg->segment_seconds, cfg->playlist_segments);
    hls->stream = stream;
    hls->subscription = tolk_stream_subscribe(stream, on_frame, hls);
    char name[32];
    g_snprintf(name, sizeof name, "tolk-hls-%.6s", channel);
    hls->refs = 2; /* the owner's and the supervisor's */
    hls->thread = g_thread_new(name, supervise, hls);
    LOG_INFO_AT(WHERE, "HLS started into %s: %u s segments, %u listed, AAC %u b/s", dir, cfg->segment_seconds,
                cfg->playlist_segments, cfg->bitrate);
    return hls;
}

void tolk_hls_detach(tolk_hls *hls)
{
    if (hls->stream)
        tolk_stream_unsubscribe(hls->stream, hls->subscription);
    hls->stream = NULL;
}

void tolk_hls_supersede(tolk_hls *hls)
{
    g_mutex_lock(&hls->lock);
    hls->superseded = true;
    g_mutex_unlock(&hls->lock);
}

/* A pipeline stuck in a write to a hung disk would hold its stop, and the teardown (an HTTP
 * thread) with it: after STOP_WAIT_US the supervisor is left to end on its own, and frees the
 * object then. It touches nothing outside it: the stream was detached first. */
void tolk_hls_free(tolk_hls *hls)
{
    if (!hls)
        return;
    tolk_hls_detach(hls);
    g_mutex_lock(&hls->lock);
    hls->stopping = true;
    g_cond_broadcast(&hls->cond);
    gint64 until = g_get_monotonic_time() + STOP_WAIT_US;
    while (!hls->ended && g_cond_wait_until(&hls->cond, &hls->lock, until))
        ;
    bool ended = hls->ended;
    uint64_t segments = hls->segments;
    g_mutex_unlock(&hls->lock);
    if (ended)
        LOG_INFO_AT(WHERE, "HLS stopped after %" G_GUINT64_FORMAT " segments (playlist ended)", segments);
    else
        LOG_WARN_AT(WHERE, "HLS pipeline still stopping after %d s (a hung disk?): left to end on its own",
                    (int)(STOP_WAIT_US / G_USEC_PER_SEC));
    g_thread_unref(hls->thread); /* never joined: a stuck one ends (or not) by itself */
    unref(hls);
}

void tolk_hls_status_get(tolk_hls *hls, tolk_hls_status *out)
{
    g_mutex_lock(&hls->lock);
    *out = (tolk_hls_status){.state = hls->state, .since_us = hls->since_us, .segments = hls->segments,
                             .restarts = hls->restarts, .drops = atomic_load(&hls->drops)};
    g_strlcpy(out->last_error, hls->last_error, sizeof out->last_error);
    g_mutex_unlock(&hls->lock);
}
