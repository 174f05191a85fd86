/* SPDX-License-Identifier: EUPL-1.2 */
#include "media_fence_private.h"

#define TOLK_LOG_MODULE "media"
#include "log.h"

#define APPLY_TIMEOUT_MS 100

struct tolk_media_fence {
    char *session_id;
    int count;
    GstElement **mixers;
};

tolk_media_fence *tolk_media_fence_alloc(const char *session_id, int channel_count)
{
    tolk_media_fence *fence = g_new0(tolk_media_fence, 1);
    fence->session_id = g_strdup(session_id);
    fence->count = channel_count;
    fence->mixers = g_new0(GstElement *, channel_count);
    return fence;
}

void tolk_media_fence_set(tolk_media_fence *fence, int channel, GstElement *mixer)
{
    fence->mixers[channel] = mixer;
}

bool tolk_media_fence_wait(tolk_media_fence *fence)
{
    bool all = true;
    gint64 deadline = g_get_monotonic_time() + APPLY_TIMEOUT_MS * 1000;
    for (int ch = 0; ch < fence->count; ch++) {
        /* One deadline for all: the mixers run in parallel, and a stalled
         * pipeline must not hold the caller for a timeout per channel. */
        gint64 left_ms = MAX(0, (deadline - g_get_monotonic_time()) / 1000);
        gboolean applied = FALSE;
        g_signal_emit_by_name(fence->mixers[ch], "wait-gains-applied", (guint)left_ms, &applied);
        all = all && applied;
    }
    if (!all)
        LOG_WARN("session %s: a mixer did not take its new gains within %d ms", fence->session_id, APPLY_TIMEOUT_MS);
    return all;
}

void tolk_media_fence_free(tolk_media_fence *fence)
{
    if (!fence)
        return;
    for (int ch = 0; ch < fence->count; ch++)
        gst_clear_object(&fence->mixers[ch]);
    g_free(fence->mixers);
    g_free(fence->session_id);
    g_free(fence);
}
