/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The one thread that sends every AES67 output's packets, one per packet time (not a 20 ms
 * frame's worth in a burst: AES67 receivers buffer a few ms). It sleeps with clock_nanosleep
 * on CLOCK_TAI (the media clock, disciplined by linuxptp: docs/aes67.md) until the earliest
 * output's next packet is due, then sends what is due. It starts with the first output and
 * asks for SCHED_FIFO where the process may have it, like the tick.
 *
 * Threads: add, remove and shutdown on control threads. A short mutex guards the list; the
 * thread holds it while it sends one round of non-blocking datagrams. After remove returns,
 * the thread never touches that output again.
 */
#ifndef TOLK_MEDIA_AES67_PACER_H
#define TOLK_MEDIA_AES67_PACER_H

#include <stdbool.h>

#include "aes67_output.h"

/* False when the thread cannot be started. */
bool tolk_aes67_pacer_add(tolk_aes67_output *out);
void tolk_aes67_pacer_remove(tolk_aes67_output *out);
/* Stops the thread (at exit, after every output went). */
void tolk_aes67_pacer_shutdown(void);

#endif
