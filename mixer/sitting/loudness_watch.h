/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The one-minute loudness guard's warnings as the pages and /metrics see them. The media
 * counts the warnings of every channel and console return feed; the watch remembers the
 * count it last read for each, so that a poll (the levels timer) turns a grown count into
 * one event, and keeps a running total for /metrics that survives a count restarting (a
 * stream rebuilt by the engine).
 *
 * Threads: no lock of its own; the session's caller (tolk_app's lock) serialises it.
 */
#ifndef TOLK_LOUDNESS_WATCH_H
#define TOLK_LOUDNESS_WATCH_H

#include <json-c/json.h>
#include <stdint.h>

#include "rules.h"

/* How many warnings a channel (slot < 0) or return feed (channel < 0) gave so far, and in
 * *level_db the one-minute level of the last one: tolk_media_loudness_warnings's shape. */
typedef uint64_t (*tolk_loudness_count_fn)(void *ctx, int channel, int slot, double *level_db);
/* Called once per poll for each channel or return feed with new warnings. */
typedef void (*tolk_loudness_warn_fn)(void *ctx, int channel, int slot, double level_db);

typedef struct {
    uint64_t seen;  /* the media's count at the previous poll */
    uint64_t total; /* warnings reported since the session began */
} tolk_loudness_counter;

typedef struct {
    tolk_loudness_counter channel[TOLK_MAX_CHANNELS + 1];
    tolk_loudness_counter feed[TOLK_MAX_SLOTS];
} tolk_loudness_watch;

/* Reads every channel of cfg (floor included) and every console's feed. */
void tolk_loudness_watch_poll(tolk_loudness_watch *watch, const tolk_matrix_config *cfg,
                              tolk_loudness_count_fn count, void *count_ctx, tolk_loudness_warn_fn warn,
                              void *warn_ctx);
/* The total of a channel (slot < 0) or of a console's return feed (channel < 0). */
uint64_t tolk_loudness_watch_total(const tolk_loudness_watch *watch, int channel, int slot);
/* The data of a loudness_warning event: {"channel": "en", "level_db": -9.5} or
 * {"console": "en/1", "level_db": -9.5}. */
json_object *tolk_loudness_warning_json(const tolk_matrix_config *cfg, int channel, int slot, double level_db);

#endif
