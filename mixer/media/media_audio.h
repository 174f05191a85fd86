/* SPDX-License-Identifier: EUPL-1.2 */
/* The internal audio format, and a looping file source for the demo floor. */
#ifndef TOLK_MEDIA_AUDIO_H
#define TOLK_MEDIA_AUDIO_H

#include <gst/gst.h>

#define TOLK_RATE 48000
#define TOLK_FRAME_MS 20

/* F32LE, 48 kHz, mono, interleaved: what every mixer works on. */
GstCaps *tolk_audio_caps(void);

/* A queue that holds a bounded amount of live audio and drops the oldest when a
 * consumer stalls: no input may stall the session (rule 9). */
void tolk_configure_queue(GstElement *queue);

typedef struct tolk_file_source tolk_file_source;

/* Decodes the whole file (at most ten minutes) into memory, then feeds it in a
 * loop into `appsrc` in real time, paced by the pipeline clock. A NULL path
 * plays a built-in chime. */
tolk_file_source *tolk_file_source_new(const char *path, GstElement *appsrc);
void tolk_file_source_free(tolk_file_source *source);

#endif
