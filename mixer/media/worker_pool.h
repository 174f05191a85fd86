/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A fixed set of worker threads for the tick's parallel loops: tolk_worker_pool_run hands out
 * the indices 0..count-1 one at a time to the workers and to the caller, and returns when every
 * index is done. The tick finishes one phase on every core before it starts the next, so the
 * frames of one stream are always made in order, and the number of threads never depends on
 * the number of sittings, inputs or channels.
 *
 * Threads: tolk_worker_pool_run from one thread at a time (the tick); fn runs on the workers
 * and on that thread, concurrently for different indices.
 */
#ifndef TOLK_MEDIA_WORKER_POOL_H
#define TOLK_MEDIA_WORKER_POOL_H

#include <stdbool.h>

typedef struct tolk_worker_pool tolk_worker_pool;
typedef void (*tolk_worker_fn)(void *ctx, unsigned index);

/* Real-time scheduling (SCHED_FIFO, a low priority) for the calling thread, where the process
 * may have it (root, CAP_SYS_NICE, or LimitRTPRIO in a systemd unit): the engine's threads then
 * run before ordinary work, so a busy machine delays a frame less. False where refused. */
bool tolk_thread_try_realtime(void);

/* workers may be 0: then every loop runs on the caller. */
tolk_worker_pool *tolk_worker_pool_new(unsigned workers);
void tolk_worker_pool_free(tolk_worker_pool *pool);
void tolk_worker_pool_run(tolk_worker_pool *pool, unsigned count, tolk_worker_fn fn, void *ctx);
unsigned tolk_worker_pool_threads(const tolk_worker_pool *pool);

#endif
