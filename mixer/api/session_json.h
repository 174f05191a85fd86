/* SPDX-License-Identifier: EUPL-1.2 */
/* The JSON shapes of the API (api-v1.md): session, channel, console, output. */
#ifndef TOLK_SESSION_JSON_H
#define TOLK_SESSION_JSON_H

#include <json-c/json.h>

#include "session.h"

/* full: the operator's view, with inputs, outputs and keys. Otherwise the public
 * view for console, listener and floor tokens: states only, no keys. */
json_object *tolk_session_to_json(tolk_session *session, bool full);
json_object *tolk_console_to_json(tolk_session *session, int booth, int console, bool full);
json_object *tolk_channel_to_json(tolk_session *session, int channel, bool full);
/* A channel's recording state (api-v1 channels[].recording). */
json_object *tolk_recording_to_json(const tolk_recording_status *status);
/* "2026-12-02T10:00:00Z" */
json_object *tolk_utc_json(gint64 unix_s);
/* api_hls.c: a channel's hls object (NULL: none); the public view only its playlist, and
 * only while it runs. */
json_object *tolk_hls_to_json(tolk_session *session, int channel, bool full);
json_object *tolk_output_to_json(tolk_session *session, const tolk_session_output *output);
/* An input of the session object (id, port, srtp, sdp, health): slot -1 for the floor. */
json_object *tolk_input_to_json(tolk_session *session, int slot);

#endif
