/* SPDX-License-Identifier: EUPL-1.2 */
/* How media.c fills a fence: one mixer reference per channel. */
#ifndef TOLK_MEDIA_FENCE_PRIVATE_H
#define TOLK_MEDIA_FENCE_PRIVATE_H

#include <gst/gst.h>

#include "media_fence.h"

tolk_media_fence *tolk_media_fence_alloc(const char *session_id, int channel_count);
/* Takes the reference. */
void tolk_media_fence_set(tolk_media_fence *fence, int channel, GstElement *mixer);

#endif
