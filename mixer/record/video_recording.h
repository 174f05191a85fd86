/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The record of a sitting's floor video (issue 11, docs/recording.md): the line's RTP packets
 * (tolk_video_feed's, as a viewer takes them) depayloaded into a file, never decoded:
 * VP8 into WebM (rtpvp8depay ! webmmux), H.264 into fragmented MP4 (rtph264depay ! h264parse !
 * mp4mux, a fragment a second, so a kill -9 leaves a playable file). The file is
 * DIR/SITTING/video/2026-12-02T10-00-00Z.webm (or .mp4), named like the audio segments
 * (recordings_dir.h), made at the start, before the first packet (a file that got no picture
 * is removed when it closes: a sitting without a picture keeps none), a new one at every
 * multiple of the segment length; a file's first packet starts a key frame (those before are
 * refused, so the feed gives the next one and asks the camera for it). A switch of source keeps
 * the file: the line is one stream. Packet times come from the RTP timestamps, so the file's
 * time is the line's.
 *
 * A write error (ENOSPC) marks the recording failing, the file is closed as it is and a new
 * one tried every second; the viewers never notice: a packet that cannot be taken is refused,
 * and the feed then gives this viewer the next key frame.
 *
 * Threads: new/start/stop/free and status on control threads (free joins); take on the
 * feed's push thread (never blocks: a short lock and an appsrc push). Each recording has a
 * thread of its own, `tolk-video-rec`, that makes, watches and closes the files.
 */
#ifndef TOLK_RECORD_VIDEO_RECORDING_H
#define TOLK_RECORD_VIDEO_RECORDING_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "recordings_dir.h"
#include "video_rtp.h"

/* The folder of a sitting's video files, beside its channels' (no channel is named so). */
#define TOLK_VIDEO_RECORDING_FOLDER "video"

typedef struct tolk_video_recording tolk_video_recording;

typedef struct {
    bool on;                             /* between start and stop */
    bool failing;                        /* the last write failed, not written since */
    gint64 since_unix_us;                /* the start; 0 when off */
    char file[TOLK_RECORDING_NAME_SIZE]; /* the file being written, "" none (or no picture yet) */
    guint64 bytes, write_errors, files;  /* over the recording's life */
    guint64 dropped;                     /* packets a file open missed (its queue full) */
    int last_errno;
} tolk_video_recording_status;

/* dir: the recordings folder; segment_s: the segment length (as the audio's). */
tolk_video_recording *tolk_video_recording_new(const char *dir, const char *sitting, tolk_video_codec codec,
                                               unsigned segment_s);
/* Closes what is open (the file finished: its duration and index written), joins the thread. */
void tolk_video_recording_free(tolk_video_recording *rec);
void tolk_video_recording_start(tolk_video_recording *rec);
/* The file being written is finished and closed (on the thread, soon after). */
void tolk_video_recording_stop(tolk_video_recording *rec);
bool tolk_video_recording_on(tolk_video_recording *rec);
/* A packet of the line (a tolk_video_packet_fn, ctx the recording): false when it cannot be
 * taken now (no file open, a queue full), so the feed resumes this viewer at a key frame. */
bool tolk_video_recording_take(void *ctx, const uint8_t *rtp, size_t len);
void tolk_video_recording_status_get(tolk_video_recording *rec, tolk_video_recording_status *out);

#endif
