/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Signals from the booths: "speak slower" (to the chair and operator,
 * anonymous), "call technician", and the handover between booth partners
 * (request, accept). Open signals form the operator's queue until cleared.
 *
 * Limits (docs/api.md, Limits): a console has at most one open "slower" and one
 * open "technician"; raising one again refreshes it (its time, its repeat count)
 * rather than queueing another. A repeated handover request refreshes too while
 * it is pending. At most TOLK_MAX_HANDOVER_SIGNALS handover signals stay open:
 * past that the oldest goes (cleared, with its event). So the queue is bounded
 * and a repeating console never pushes out anyone's "call technician". Each
 * console and kind also has a token bucket (--signal-rate, --signal-burst).
 * Threads: like session.h, under the app lock.
 */
#ifndef TOLK_SIGNALS_H
#define TOLK_SIGNALS_H

#include <json-c/json.h>

#include "session.h"

#define TOLK_MAX_HANDOVER_SIGNALS 64 /* per session */

typedef struct {
    unsigned id;
    tolk_signal_kind kind;
    int booth, console; /* the sender; shown for all but "slower" */
    gint64 at_us;       /* wall clock, microseconds since the epoch, of the latest raise */
    unsigned repeats;   /* times raised while open, >= 1 */
} tolk_signal;

/* Takes one token of the console's bucket for kind. False when the console is over
 * its rate, with *retry_after_s the seconds until it may try again. */
bool tolk_session_signal_allowed(tolk_session *session, tolk_signal_kind kind, int booth, int console,
                                 unsigned *retry_after_s);

/* Raises a signal from console (booth, console). A handover_accept turns the
 * booth's latest requester live (rule 4 hands over); with no request pending it
 * fails with kind conflict (code no_handover_request, or not_live for a console that is not
 * the live one).
 * Returns the new signal (*refreshed false) or the console's open one of that kind,
 * refreshed (*refreshed true), or NULL with *err filled. */
const tolk_signal *tolk_session_raise_signal(tolk_session *session, tolk_signal_kind kind, int booth, int console,
                                             bool *refreshed, tolk_error *err);
bool tolk_session_clear_signal(tolk_session *session, unsigned id);
json_object *tolk_signal_to_json(tolk_session *session, const tolk_signal *signal);
json_object *tolk_signals_to_json(tolk_session *session);

#endif
