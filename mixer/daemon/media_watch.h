/* SPDX-License-Identifier: EUPL-1.2 */
/* Whether the media engine moves on, for the systemd watchdog: the main loop alone turning
 * is not enough, a tick thread stuck (a driver, a bug) makes no audio while the API answers.
 * The watchdog then stops pinging, systemd restarts the daemon, and the sittings come back
 * from the state with their audio within a second.
 * Pure: the caller gives what the engine says (tolk_media_engine_progress). Any thread, one
 * watch per caller. */
#ifndef TOLK_MEDIA_WATCH_H
#define TOLK_MEDIA_WATCH_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    bool seen;      /* ticks is of the previous look, made while sittings ran */
    uint64_t ticks;
} tolk_media_watch;

/* True with no sitting to tick, on the first look, or when a frame was made since the last
 * look; false when sittings run and no frame was made in between. */
bool tolk_media_watch_moving(tolk_media_watch *watch, bool busy, uint64_t ticks);

#endif
