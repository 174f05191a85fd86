/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One channel's HLS: the channel's Opus frames decoded once and encoded once to AAC-LC
 * in MPEG-TS segments with their playlist (docs/hls.md), whatever the number of listeners;
 * a web server or CDN serves the folder. A pipeline error or a stall restarts the
 * pipeline after a growing pause (1 s to 30 s), counted; the playlist marks the
 * discontinuity. A slow disk or a stuck encoder never holds the audio: the stream's
 * frames are copied into a bounded queue, and dropped and counted when it is full.
 *
 * Threads: tolk_hls_new, tolk_hls_detach and tolk_hls_status run on control threads (under
 * the app lock is fine: they never wait); the frame callback runs on the stream's media
 * thread and takes only a short mutex; tolk_hls_free waits (5 s at most) for the pipeline
 * to stop and its thread to end, so it runs after the app lock is released. Inside, the pipeline's
 * streaming thread writes segments and playlists, and a supervisor thread of its own
 * starts, watches and restarts the pipeline.
 */
#ifndef TOLK_HLS_CHANNEL_H
#define TOLK_HLS_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "hls_spec.h"
#include "stream.h"

/* Checked by the API within hls_spec.h's bounds. */
typedef tolk_hls_spec tolk_hls_config;

typedef enum { TOLK_HLS_STARTING, TOLK_HLS_RUNNING, TOLK_HLS_FAILING } tolk_hls_state;

typedef struct {
    tolk_hls_state state;
    gint64 since_us;      /* g_get_real_time() when the state began */
    uint64_t segments;    /* written since this HLS began */
    uint64_t restarts;
    uint64_t drops;       /* frames dropped: the encoder did not keep up */
    char last_error[160]; /* "" when none */
} tolk_hls_status;

typedef struct tolk_hls tolk_hls;

/* Starts HLS of stream into dir; sitting and channel name the log lines. No I/O here: its
 * thread makes the folder (0755) and empties it of an earlier run's files, then starts the
 * pipeline; a folder it cannot make or a missing plugin shows as failing. */
tolk_hls *tolk_hls_new(const char *dir, const char *sitting, const char *channel, const tolk_hls_config *cfg,
                       tolk_stream *stream);
/* Stops taking the stream's frames (the stream may go after this). */
void tolk_hls_detach(tolk_hls *hls);
/* Another HLS of the same folder takes over (a new configuration): this one writes no more
 * playlist, not even its end mark, while it stops. */
void tolk_hls_supersede(tolk_hls *hls);
/* Detaches, stops the pipeline, ends the playlist (EXT-X-ENDLIST: players stop at its
 * end), and frees. Waits 5 s at most: a pipeline stuck on a hung disk is left to stop on
 * its own thread, which frees it then. The files stay. NULL is a no-op. */
void tolk_hls_free(tolk_hls *hls);
void tolk_hls_status_get(tolk_hls *hls, tolk_hls_status *out);
/* The lowercase state name the API shows. */
const char *tolk_hls_state_name(tolk_hls_state state);

#endif
