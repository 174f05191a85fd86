/* SPDX-License-Identifier: EUPL-1.2 */
#include "teardown.h"

#include "session.h"

struct tolk_teardown {
    GPtrArray *fences;   /* tolk_media_fence* */
    GPtrArray *peers;    /* GPtrArray* of detached tolk_session_peer* (or others with a free function) */
    GPtrArray *sessions; /* tolk_session* */
};

tolk_teardown *tolk_teardown_new(void)
{
    tolk_teardown *teardown = g_new0(tolk_teardown, 1);
    teardown->fences = g_ptr_array_new();
    teardown->peers = g_ptr_array_new();
    teardown->sessions = g_ptr_array_new();
    return teardown;
}

void tolk_teardown_add_fence(tolk_teardown *teardown, tolk_media_fence *fence)
{
    if (fence)
        g_ptr_array_add(teardown->fences, fence);
}

void tolk_teardown_add_peers(tolk_teardown *teardown, GPtrArray *peers)
{
    if (peers)
        g_ptr_array_add(teardown->peers, peers);
}

void tolk_teardown_add_array(tolk_teardown *teardown, GPtrArray *array)
{
    tolk_teardown_add_peers(teardown, array); /* the same: unref'd, which frees each */
}

void tolk_teardown_add_session(tolk_teardown *teardown, struct tolk_session *session)
{
    g_ptr_array_add(teardown->sessions, session);
}

bool tolk_teardown_run(tolk_teardown *teardown)
{
    if (!teardown)
        return true;
    for (guint i = 0; i < teardown->peers->len; i++)
        g_ptr_array_unref(g_ptr_array_index(teardown->peers, i));
    for (guint i = 0; i < teardown->sessions->len; i++)
        tolk_session_free(g_ptr_array_index(teardown->sessions, i));
    bool applied = true;
    for (guint i = 0; i < teardown->fences->len; i++) {
        tolk_media_fence *fence = g_ptr_array_index(teardown->fences, i);
        applied = tolk_media_fence_wait(fence) && applied;
        tolk_media_fence_free(fence);
    }
    g_ptr_array_unref(teardown->fences);
    g_ptr_array_unref(teardown->peers);
    g_ptr_array_unref(teardown->sessions);
    g_free(teardown);
    return applied;
}
