/* SPDX-License-Identifier: EUPL-1.2 */
#include "worker_pool.h"

#include <glib.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Below the load generators and audio servers that use RT priorities too (PipeWire asks 88),
 * above every ordinary thread. */
#define REALTIME_PRIORITY 5

bool tolk_thread_try_realtime(void)
{
    struct sched_param param = {.sched_priority = REALTIME_PRIORITY};
    return pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
}

/* Below this many items a loop runs on the caller alone: waking a worker costs more than a
 * few canned silence frames. */
#define INLINE_BELOW 4

struct tolk_worker_pool {
    GThread **threads;
    unsigned count;
    GMutex lock;
    GCond start, done;
    uint64_t generation; /* a new loop; under lock */
    bool stopping;
    /* The current loop: set under lock before the generation moves. */
    tolk_worker_fn fn;
    void *ctx;
    unsigned total;
    atomic_uint next;
    unsigned finished; /* under lock */
    unsigned active;   /* workers inside the current loop; under lock */
};

/* Takes indices until none is left; returns how many this thread did. */
static unsigned drain(tolk_worker_pool *pool)
{
    unsigned did = 0;
    for (;;) {
        unsigned i = atomic_fetch_add(&pool->next, 1);
        if (i >= pool->total)
            return did;
        pool->fn(pool->ctx, i);
        did++;
    }
}


static gpointer worker_main(gpointer data)
{
    tolk_worker_pool *pool = data;
    uint64_t seen = 0;
    tolk_thread_try_realtime();
    g_mutex_lock(&pool->lock);
    for (;;) {
        while (pool->generation == seen && !pool->stopping)
            g_cond_wait(&pool->start, &pool->lock);
        if (pool->stopping)
            break;
        seen = pool->generation;
        /* Counted under the lock that set the loop up: this worker sees its fields, and the
         * next loop is not set up while it is still in this one. */
        pool->active++;
        g_mutex_unlock(&pool->lock);
        unsigned did = drain(pool);
        g_mutex_lock(&pool->lock);
        pool->finished += did;
        pool->active--;
        g_cond_signal(&pool->done);
    }
    g_mutex_unlock(&pool->lock);
    return NULL;
}

tolk_worker_pool *tolk_worker_pool_new(unsigned workers)
{
    tolk_worker_pool *pool = g_new0(tolk_worker_pool, 1);
    g_mutex_init(&pool->lock);
    g_cond_init(&pool->start);
    g_cond_init(&pool->done);
    pool->threads = g_new0(GThread *, workers ? workers : 1);
    for (unsigned i = 0; i < workers; i++) {
        char name[16];
        g_snprintf(name, sizeof name, "tolk-work%u", i);
        pool->threads[pool->count++] = g_thread_new(name, worker_main, pool);
    }
    return pool;
}

void tolk_worker_pool_free(tolk_worker_pool *pool)
{
    if (!pool)
        return;
    g_mutex_lock(&pool->lock);
    pool->stopping = true;
    g_cond_broadcast(&pool->start);
    g_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->count; i++)
        g_thread_join(pool->threads[i]);
    g_free(pool->threads);
    g_cond_clear(&pool->start);
    g_cond_clear(&pool->done);
    g_mutex_clear(&pool->lock);
    g_free(pool);
}

void tolk_worker_pool_run(tolk_worker_pool *pool, unsigned count, tolk_worker_fn fn, void *ctx)
{
    if (!count)
        return;
    if (pool->count == 0 || count < INLINE_BELOW) {
        for (unsigned i = 0; i < count; i++)
            fn(ctx, i);
        return;
    }
    g_mutex_lock(&pool->lock);
    while (pool->active > 0)
        g_cond_wait(&pool->done, &pool->lock);
    pool->fn = fn;
    pool->ctx = ctx;
    pool->total = count;
    pool->finished = 0;
    atomic_store(&pool->next, 0);
    pool->generation++;
    g_cond_broadcast(&pool->start);
    g_mutex_unlock(&pool->lock);
    unsigned did = drain(pool);
    g_mutex_lock(&pool->lock);
    pool->finished += did;
    /* A worker that woke late finds no index left and leaves at once. */
    while (pool->finished < pool->total || pool->active > 0)
        g_cond_wait(&pool->done, &pool->lock);
    g_mutex_unlock(&pool->lock);
}

unsigned tolk_worker_pool_threads(const tolk_worker_pool *pool)
{
    return pool->count;
}
