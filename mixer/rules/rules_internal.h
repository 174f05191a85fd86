/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Internals of the rules module, shared by its source files and by its tests
 * (which compare the raw state of a matrix byte for byte).
 */
#ifndef TOLK_RULES_INTERNAL_H
#define TOLK_RULES_INTERNAL_H

#include "rules.h"

#include <stddef.h>

/* Everything a console PATCH may change, kept apart from the configuration so
 * that a patch is tried on a copy and committed with one memcpy: that is what
 * makes a patch all-or-nothing. */
typedef struct {
    tolk_console_state console[TOLK_MAX_SLOTS];
    /* Value of `clock` when the console last engaged a channel, 0 while off:
     * when several retours are live, auto-relay follows the most recent one. */
    unsigned long long engaged_at[TOLK_MAX_SLOTS];
    unsigned long long clock;
} tolk_live;

struct tolk_matrix {
    tolk_matrix_config config; /* also holds the session settings as they are now */
    tolk_live live;
};

typedef struct {
    tolk_channel_state channel[TOLK_MAX_CHANNELS + 1];
} tolk_channel_states;

/* result.c */
tolk_result tolk_result_ok(void);
tolk_result tolk_result_error(tolk_status status, const char *code, const char *field,
                              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* plan.c: what follows from a state (channel states, who hears what, gains). */
bool tolk_console_exists(const tolk_matrix_config *cfg, int booth, int console);
bool tolk_mic_is_live(tolk_mic mic);
int tolk_output_channel(const tolk_matrix_config *cfg, int booth, const tolk_console_state *cs);
int tolk_plan_hears(const tolk_matrix_config *cfg, const tolk_live *live, int booth, int console);
void tolk_plan_channels(const tolk_matrix_config *cfg, const tolk_live *live, tolk_channel_states *out);
void tolk_plan_route(const tolk_matrix_config *cfg, const tolk_live *live, tolk_route *route);

/* events.c: all of them accept events == NULL and never write past the array. */
void tolk_events_reset(tolk_events *events);
void tolk_events_push(tolk_events *events, tolk_event_kind kind, int booth, int console,
                      int other_booth, int other_console);
void tolk_events_push_channel_changes(tolk_events *events, const tolk_channel_states *before,
                                      const tolk_channel_states *after, int channel_count);

#endif
