/* SPDX-License-Identifier: EUPL-1.2 */
/* Inside the HLS module: the channel's state, shared by its supervisor (hls_channel.c) and
 * its pipeline (hls_pipeline.c). */
#ifndef TOLK_HLS_PRIVATE_H
#define TOLK_HLS_PRIVATE_H

#include <gst/gst.h>
#include <stdatomic.h>

#include "hls_channel.h"
#include "hls_playlist.h"

struct tolk_hls {
    char *dir;
    char sitting[64], channel[16]; /* for the log lines */
    tolk_hls_config cfg;
    tolk_stream *stream; /* NULL once detached */
    guint subscription;

    /* The media thread's side: the running pipeline's appsrc (a reference), NULL while
     * none runs. Held only to push one buffer or to swap the pointer. */
    GMutex src_lock;
    GstElement *appsrc;
    atomic_uint_fast64_t drops;

    /* Guards what follows; cond wakes the supervisor (a failure, the stop). */
    GMutex lock;
    GCond cond;
    bool stopping, failed;
    bool superseded;   /* tolk_hls_supersede: the folder is another's now */
    tolk_hls_state state;
    gint64 since_us, progress_us; /* progress_us: monotonic time of the run's start or last segment
                                   * closed (written or lost) */
    bool losing;                  /* segments are being lost (the disk) */
    uint64_t segments, restarts;
    char last_error[160];
    tolk_hls_playlist playlist;
    bool next_discontinuity;

    /* The pipeline's streaming thread only (and the supervisor once the pipeline stopped):
     * the segment being written. io_lock orders the playlist writes. */
    GMutex io_lock;
    int64_t run;           /* this HLS's start time in s: part of every segment name */
    uint64_t next_sequence;
    char current[TOLK_HLS_SEGMENT_NAME_SIZE];
    bool current_lost; /* its file could not be made: it goes to /dev/null, never listed */
    GstClockTime opened_rt;

    GThread *thread;
    gint refs;  /* atomic: the owner's and the supervisor's (tolk_hls_free may not wait for it) */
    bool ended; /* under lock: the supervisor is done */
};

/* hls_pipeline.c: a playing pipeline whose appsrc *appsrc (a reference) takes the Opus
 * frames; NULL with why filled. */
GstElement *tolk_hls_pipeline_start(tolk_hls *hls, GstElement **appsrc, char *why, size_t why_size);
void tolk_hls_pipeline_stop(GstElement *pipeline);
/* hls_channel.c: what the pipeline tells. */
void tolk_hls_failed(tolk_hls *hls, const char *why);
void tolk_hls_segment_done(tolk_hls *hls, const char *name, double duration_s);
/* A segment that cannot be written (the disk): failing, logged once, the run goes on. */
void tolk_hls_segment_lost(tolk_hls *hls, const char *why);
/* Writes the playlist as it stands, then removes evicted (may be NULL); the caller holds
 * io_lock. False (the channel shows failing) when it could not be written. */
bool tolk_hls_write_playlist(tolk_hls *hls, const char *evicted);

#endif
