/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The process's one media engine, shared by every sitting: a receive thread that waits on all
 * input sockets at once (epoll) and hands each datagram to its input, and a tick thread that
 * every 20 ms makes one frame of every sitting: the inputs' audio (decode, concealment), then
 * every channel's and every console feed's mix, hearing protection, encode and send, the two
 * phases spread over a fixed worker pool. Threads: 2 + the pool, whatever the number of
 * sittings, inputs and channels.
 *
 * Threads: the functions below run on control threads. tolk_engine_remove and
 * tolk_engine_unwatch are barriers: once they return, the tick and the receive thread never
 * touch that sitting or input again.
 */
#ifndef TOLK_MEDIA_ENGINE_H
#define TOLK_MEDIA_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "media.h"

#define TOLK_TICK_NS (20 * 1000 * 1000ULL)

/* Starts the engine on first use. */
bool tolk_engine_add(tolk_media *media);
void tolk_engine_remove(tolk_media *media);

/* Datagrams on fd go to tolk_media_input_readable(input). */
bool tolk_engine_watch(tolk_media_input *input, int fd);
void tolk_engine_unwatch(int fd);
/* Returns once neither the tick nor the receive thread can still hold what they held when it
 * was called (an input's source swapped out, a socket unwatched). Never under a lock the
 * media threads take; waits up to a tick. */
void tolk_engine_barrier(void);

/* Engine threads now (0 before the first sitting). */
unsigned tolk_engine_thread_count(void);
/* Ticks that started later than a whole frame after their time (machine overloaded). */
uint64_t tolk_engine_late_ticks(void);
/* Ticks finished so far (*ticks), and whether there is a sitting to tick: a watchdog that sees
 * sittings and no new tick knows the media has stopped. Any thread. */
bool tolk_engine_progress(uint64_t *ticks);

/* The CLOCK_MONOTONIC time (ns) a tick's frame was due, from the pts the tick hands the mixes;
 * 0 before the tick runs. Any thread (an atomic). */
uint64_t tolk_engine_tick_time_ns(uint64_t pts_ns);

/* Stops the threads (at exit, after every sitting is gone). */
void tolk_engine_shutdown(void);

#endif
