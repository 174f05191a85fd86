/* SPDX-License-Identifier: EUPL-1.2 */
#include "media_fence_private.h"

#include <glib.h>
#include <stdatomic.h>

#define TOLK_LOG_MODULE "media"
#include "log.h"

#define APPLY_TIMEOUT_MS 100

struct tolk_media_progress {
    atomic_int refs;
    GMutex lock;
    GCond advanced;
    atomic_uint_fast64_t applied; /* written under lock, read without it for the fast path */
};

struct tolk_media_fence {
    char *session_id;
    tolk_media_progress *progress;
    uint64_t generation;
};

tolk_media_progress *tolk_media_progress_new(void)
{
    tolk_media_progress *progress = g_new0(tolk_media_progress, 1);
    atomic_init(&progress->refs, 1);
    g_mutex_init(&progress->lock);
    g_cond_init(&progress->advanced);
    return progress;
}

static tolk_media_progress *progress_ref(tolk_media_progress *progress)
{
    atomic_fetch_add(&progress->refs, 1);
    return progress;
}

void tolk_media_progress_unref(tolk_media_progress *progress)
{
    if (!progress || atomic_fetch_sub(&progress->refs, 1) != 1)
        return;
    g_cond_clear(&progress->advanced);
    g_mutex_clear(&progress->lock);
    g_free(progress);
}

void tolk_media_progress_advance(tolk_media_progress *progress, uint64_t generation)
{
    if (atomic_load(&progress->applied) >= generation)
        return; /* every tick of an unchanged sitting: no lock */
    g_mutex_lock(&progress->lock);
    atomic_store(&progress->applied, generation);
    g_cond_broadcast(&progress->advanced);
    g_mutex_unlock(&progress->lock);
}

tolk_media_fence *tolk_media_fence_alloc(const char *session_id, tolk_media_progress *progress, uint64_t generation)
{
    tolk_media_fence *fence = g_new0(tolk_media_fence, 1);
    fence->session_id = g_strdup(session_id);
    fence->progress = progress_ref(progress);
    fence->generation = generation;
    return fence;
}

bool tolk_media_fence_wait(tolk_media_fence *fence)
{
    tolk_media_progress *p = fence->progress;
    gint64 deadline = g_get_monotonic_time() + APPLY_TIMEOUT_MS * 1000;
    g_mutex_lock(&p->lock);
    bool applied = true;
    while (atomic_load(&p->applied) < fence->generation && applied)
        applied = g_cond_wait_until(&p->advanced, &p->lock, deadline) || atomic_load(&p->applied) >= fence->generation;
    g_mutex_unlock(&p->lock);
    if (!applied)
        LOG_WARN_AT(TOLK_WHERE(.sitting = fence->session_id), "the audio did not take the new routing within %d ms",
                    APPLY_TIMEOUT_MS);
    return applied;
}

void tolk_media_fence_free(tolk_media_fence *fence)
{
    if (!fence)
        return;
    tolk_media_progress_unref(fence->progress);
    g_free(fence->session_id);
    g_free(fence);
}
