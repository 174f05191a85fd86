/* SPDX-License-Identifier: EUPL-1.2 */
/* The demo floor's audio: a file that GStreamer decodes (at most ten minutes), once, into
 * 48 kHz mono float samples, or a built-in chime for a NULL path. Threads: any; it blocks
 * for the decode, so call it while a sitting is built, outside the app lock. */
#ifndef TOLK_MEDIA_FILE_AUDIO_H
#define TOLK_MEDIA_FILE_AUDIO_H

#include <stddef.h>

/* g_free the result; NULL when the file holds no audio GStreamer can decode. */
float *tolk_file_audio_decode(const char *path, size_t *samples);

#endif
