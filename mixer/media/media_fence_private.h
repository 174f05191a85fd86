/* SPDX-License-Identifier: EUPL-1.2 */
/* Inside media/: the progress a fence waits on. A sitting's route changes are numbered; the
 * tick says which number its audio carries. Refcounted, so that a fence outlives the media it
 * came from (it then times out).
 * Threads: advance on the tick thread; the rest on any thread. */
#ifndef TOLK_MEDIA_FENCE_PRIVATE_H
#define TOLK_MEDIA_FENCE_PRIVATE_H

#include <stdint.h>

#include "media_fence.h"

typedef struct tolk_media_progress tolk_media_progress;

tolk_media_progress *tolk_media_progress_new(void);
void tolk_media_progress_unref(tolk_media_progress *progress);
/* The frame just made carries route change `generation` (and all before it). */
void tolk_media_progress_advance(tolk_media_progress *progress, uint64_t generation);

tolk_media_fence *tolk_media_fence_alloc(const char *session_id, tolk_media_progress *progress, uint64_t generation);

#endif
