/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What a technician watches in a sitting: each input's health state (media_input_stats.h
 * defines them), followed by the watchdog timer a few times a second, so that every view
 * (the session object, the levels event, /metrics, /healthz) shows the same state, and each
 * change is told once: an input_state event and a log line. Also each channel's level as
 * the levels timer last took it, for the views between two levels events.
 *
 * Threads: like session.h, under the app lock.
 */
#ifndef TOLK_INPUT_HEALTH_H
#define TOLK_INPUT_HEALTH_H

#include "session.h"

/* A new session: every input silent (nothing heard yet), every level -100. */
void tolk_session_health_init(tolk_session *session);
/* Takes each input's state now; publishes input_state for each that changed. */
void tolk_session_watch_health(tolk_session *session, gint64 now_us, gint64 lost_timeout_us);
/* As last watched; slot -1 is the floor. */
tolk_input_state tolk_session_input_state(const tolk_session *session, int slot);
/* dBFS RMS of the latest levels interval (-100: silence or nothing). */
double tolk_session_channel_last_level(const tolk_session *session, int channel);

#endif
