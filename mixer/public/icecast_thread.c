/* SPDX-License-Identifier: EUPL-1.2 */
/* The one Icecast thread of the process, for every source of every sitting: each source's
 * connection stepped every TICK_US (frames come every 20 ms; libshout does not block), a
 * released source closed and let go. Started with the first source, it runs until the
 * process ends, as the media engine does; so does the listeners thread beside it. */
#include "icecast_private.h"

#define TICK_US 5000

static GMutex sources_lock;
static GPtrArray *sources; /* tolk_icecast_source*, each holding a reference of the thread */

GPtrArray *tolk_icecast_thread_sources(void)
{
    GPtrArray *copy = g_ptr_array_new();
    g_mutex_lock(&sources_lock);
    for (guint i = 0; sources && i < sources->len; i++)
        g_ptr_array_add(copy, tolk_icecast_source_ref(g_ptr_array_index(sources, i)));
    g_mutex_unlock(&sources_lock);
    return copy;
}

/* Closes and forgets the released sources; the connections are closed outside the list's lock. */
static void reap(GPtrArray *now)
{
    for (guint i = 0; i < now->len; i++) {
        tolk_icecast_source *src = g_ptr_array_index(now, i);
        if (!atomic_load(&src->released))
            continue;
        tolk_icecast_link_close(src);
        g_mutex_lock(&sources_lock);
        if (g_ptr_array_remove(sources, src))
            tolk_icecast_source_unref(src);
        g_mutex_unlock(&sources_lock);
    }
}

static gpointer icecast_main(gpointer unused)
{
    (void)unused;
    for (;;) {
        GPtrArray *now = tolk_icecast_thread_sources();
        gint64 now_us = g_get_monotonic_time();
        reap(now); /* first: a source replaced by a PUT lets go of its mount before the new one logs in */
        for (guint i = 0; i < now->len; i++) {
            tolk_icecast_source *src = g_ptr_array_index(now, i);
            if (!atomic_load(&src->released))
                tolk_icecast_link_step(src, now_us);
        }
        g_ptr_array_set_free_func(now, (GDestroyNotify)tolk_icecast_source_unref);
        g_ptr_array_unref(now);
        g_usleep(TICK_US);
    }
    return NULL;
}

static gpointer start_threads(gpointer unused)
{
    (void)unused;
    shout_init();
    sources = g_ptr_array_new();
    g_thread_unref(g_thread_new("tolk-icecast", icecast_main, NULL));
    g_thread_unref(g_thread_new("tolk-icecast-ls", tolk_icecast_listeners_main, NULL));
    return NULL;
}

void tolk_icecast_thread_add(tolk_icecast_source *src)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, start_threads, NULL);
    g_mutex_lock(&sources_lock);
    g_ptr_array_add(sources, tolk_icecast_source_ref(src));
    g_mutex_unlock(&sources_lock);
}
