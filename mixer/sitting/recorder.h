/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The daemon's recorder: one thread for every recorded channel of every sitting, writing
 * Ogg/Opus segments (mixer/record) from the frames the channels' streams already encode.
 * A recording (one channel of one sitting) subscribes to the stream; its callback only
 * copies the frame into the recorder's queue, at most TOLK_RECORDER_QUEUE_FRAMES per
 * recording (a full queue drops the frame and counts it), so a stalled disk never reaches
 * the audio. The thread writes, flushes every second, starts a new segment at every start
 * and at every multiple of the segment length (wall clock, UTC), and reports write errors
 * (a disk full) in the recording's status and in the log: once when they begin, once when
 * writing works again. Layout: DIR/SITTING/CHANNEL/2026-12-02T10-00-00Z.opus, mode 0640.
 *
 * Threads: tolk_recorder_new/free and tolk_recording_new/start/stop/release on control
 * threads (a sitting's calls under the app lock: they only subscribe and queue); the frame
 * callback on the engine's threads; tolk_recording_status and tolk_recorder_free_bytes from
 * any thread (atomics and a short mutex). Everything that touches the disk runs on the
 * recorder's own thread.
 */
#ifndef TOLK_RECORDER_H
#define TOLK_RECORDER_H

#include <glib.h>
#include <stdbool.h>

#include "recordings_dir.h"
#include "stream.h"

#define TOLK_RECORDER_QUEUE_FRAMES 250 /* 5 s of 20 ms frames per recording */
#define TOLK_RECORDER_LOW_SPACE (256ULL << 20) /* at least this much free, else /healthz warns */
#define TOLK_RECORDER_HOUR_BYTES (30ULL << 20) /* about an hour of one channel (docs/recording.md) */
#define TOLK_RECORDER_VIDEO_HOUR_BYTES (675ULL << 20) /* an hour of a 1.5 Mb/s floor video */

typedef struct tolk_recorder tolk_recorder;
typedef struct tolk_recording tolk_recording;

typedef enum { TOLK_RECORDING_OFF, TOLK_RECORDING_ON, TOLK_RECORDING_FAILING } tolk_recording_state;

typedef struct {
    tolk_recording_state state;
    gint64 since_unix_us;                 /* when the recording was started; 0 when off */
    char file[TOLK_RECORDING_NAME_SIZE];  /* the current segment, "" when none */
    guint64 bytes, write_errors, lost;    /* over the recording's whole life */
    int last_errno;                       /* the latest write error, 0 for none */
} tolk_recording_status;

/* Starts the thread; dir is made (0750) when missing. segment_s: the segment length. */
tolk_recorder *tolk_recorder_new(const char *dir, unsigned segment_s);
/* After every recording was released: closes what is open, joins the thread. */
void tolk_recorder_free(tolk_recorder *recorder);
const char *tolk_recorder_dir(const tolk_recorder *recorder);
unsigned tolk_recorder_segment_s(const tolk_recorder *recorder);
/* The free space of the folder, as last measured (every few seconds); G_MAXUINT64 unknown. */
guint64 tolk_recorder_free_bytes(const tolk_recorder *recorder);
/* Channels recording now, over all sittings. */
int tolk_recorder_active(const tolk_recorder *recorder);
/* A sitting's floor video began (on) or ended recording (video_recording.h writes it; the
 * recorder only reckons with it for the free space). Any thread. */
void tolk_recorder_video_active(tolk_recorder *recorder, bool on);
/* Whether free space is short while anything records: below TOLK_RECORDER_LOW_SPACE or an
 * hour of what records now (the channels and the floor videos). */
bool tolk_recorder_space_low(const tolk_recorder *recorder, guint64 *free_bytes);

/* One channel of a sitting, not recording yet. The names go into the folder and the tags;
 * language and title may be NULL. */
tolk_recording *tolk_recording_new(tolk_recorder *recorder, const char *sitting, const char *channel,
                                   const char *language, const char *title);
/* Subscribes to stream and starts a new segment; a no-op when it records already. */
void tolk_recording_start(tolk_recording *rec, tolk_stream *stream);
/* Unsubscribes; the thread writes what was queued and closes the segment. */
void tolk_recording_stop(tolk_recording *rec);
bool tolk_recording_on(const tolk_recording *rec);
/* Stops it and gives it to the thread, which frees it: not to be used after. NULL no-op. */
void tolk_recording_release(tolk_recording *rec);
void tolk_recording_status_get(tolk_recording *rec, tolk_recording_status *out);
const char *tolk_recording_state_name(tolk_recording_state state);

#endif
