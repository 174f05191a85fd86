/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The daemon's durable state: the store opened under --state-dir before anything else, the
 * sittings of before restored, the counters written every second, a change of the store's
 * health told to every event stream, and the last write at a clean stop.
 *
 * Threads: the main thread (the timers run on the main loop).
 */
#ifndef TOLK_DAEMON_STATE_H
#define TOLK_DAEMON_STATE_H

#include "app.h"
#include "options.h"

#define TOLK_CHECKPOINT_INTERVAL_MS 1000

/* Opens the store and restores the sittings into app. False (the daemon exits) when the
 * state folder is refused: open to others, owned by another user, or in use. */
bool tolk_daemon_state_start(tolk_app *app, const tolk_options *options);
/* The operator token when none is given: the one made at the first start and kept in the
 * state (printed then, and where it is kept at every start), or a new one printed once when
 * the state cannot keep it. NULL when no random token could be made. */
char *tolk_daemon_state_operator_token(tolk_app *app);
/* The checkpoint and state-health timers on the default main context. */
void tolk_daemon_state_watch(tolk_app *app);
/* A clean stop: the last counters, then everything queued written; closes the store. */
void tolk_daemon_state_stop(tolk_app *app);

#endif
