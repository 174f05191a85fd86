/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A fence on a route change: what a caller waits for so that it answers only
 * once the audio carries the change (api-v1: PATCH console "-> 200 after the
 * change is in effect"). tolk_media_fence_new (media.h) takes it right after
 * tolk_media_apply; the wait happens later, without the caller's locks.
 *
 * Threads: made on the control thread under the caller's lock; waited for and
 * freed on any one thread, without locks. It holds a reference to the sitting's
 * progress, not to the media, so it outlives the media it came from: a fence on a
 * sitting deleted meanwhile times out, it never touches freed memory.
 */
#ifndef TOLK_MEDIA_FENCE_H
#define TOLK_MEDIA_FENCE_H

#include <stdbool.h>

typedef struct tolk_media_fence tolk_media_fence;

/* Waits until the engine has made a frame with the gains of the change (the next
 * tick, at most 20 ms, in the normal case), at most 100 ms in all. False when it
 * did not (an overloaded machine, or a sitting deleted meanwhile). */
bool tolk_media_fence_wait(tolk_media_fence *fence);
void tolk_media_fence_free(tolk_media_fence *fence);

#endif
