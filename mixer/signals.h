/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Signals from the booths: "speak slower" (to the chair and operator,
 * anonymous), "call technician", and the handover between booth partners
 * (request, accept). Open signals form the operator's queue until cleared.
 * Threads: like session.h, under the app lock.
 */
#ifndef TOLK_SIGNALS_H
#define TOLK_SIGNALS_H

#include <json-c/json.h>

#include "session.h"

typedef enum {
    TOLK_SIGNAL_SLOWER,
    TOLK_SIGNAL_TECHNICIAN,
    TOLK_SIGNAL_HANDOVER_REQUEST,
    TOLK_SIGNAL_HANDOVER_ACCEPT,
} tolk_signal_kind;

typedef struct {
    unsigned id;
    tolk_signal_kind kind;
    int booth, console; /* the sender; shown for all but "slower" */
    gint64 at_us;       /* wall clock, microseconds since the epoch */
} tolk_signal;

bool tolk_signal_kind_parse(const char *name, tolk_signal_kind *out);

/* Raises a signal from console (booth, console). A handover_accept turns the
 * booth's latest requester live (rule 4 hands over); with no request pending it
 * fails with TOLK_ERR_ENGAGED-like status 409 (code no_handover_request).
 * Returns the new signal, or NULL with *err filled. */
const tolk_signal *tolk_session_raise_signal(tolk_session *session, tolk_signal_kind kind, int booth, int console,
                                             tolk_result *err);
bool tolk_session_clear_signal(tolk_session *session, unsigned id);
json_object *tolk_signal_to_json(tolk_session *session, const tolk_signal *signal);
json_object *tolk_signals_to_json(tolk_session *session);

#endif
