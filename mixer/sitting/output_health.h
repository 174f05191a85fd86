/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Each SRTP output's health: "sending", or "failing" while the kernel refuses its packets (its
 * send errors grew within the last TOLK_OUTPUT_FAILING_US: no route, a broadcast address, a
 * full socket buffer). Followed by the watchdog timer a few times a second; each change is
 * told once: an output_state event and a log line. A receiver that went away is not seen
 * here: UDP sends to it succeed.
 *
 * Threads: like session.h, under the app lock.
 */
#ifndef TOLK_OUTPUT_HEALTH_H
#define TOLK_OUTPUT_HEALTH_H

#include "session.h"

#define TOLK_OUTPUT_FAILING_US (2 * G_USEC_PER_SEC)

/* Takes each output's send errors now; publishes output_state for each whose state changed. */
void tolk_session_watch_outputs(tolk_session *session, gint64 now_us);
/* "sending" or "failing", as last watched. */
const char *tolk_output_state_name(const tolk_session_output *output);

#endif
