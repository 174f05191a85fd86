/* SPDX-License-Identifier: EUPL-1.2 */
/* The JSON shapes of AES67 (docs/api.md): an input's "aes67" source and the SAP directory.
 * Threads: like session.h, under the app lock (the handlers and views hold it). */
#ifndef TOLK_AES67_JSON_H
#define TOLK_AES67_JSON_H

#include <json-c/json.h>

#include "sap_directory.h"
#include "session.h"

/* The input's "aes67" member: NULL (JSON null) when it takes its audio from its SRTP port. */
json_object *tolk_input_aes67_to_json(tolk_session *session, int slot);
/* GET /api/v1/aes67/streams: {"streams": [...], "dropped_full": n}; dir NULL: empty. */
json_object *tolk_sap_directory_to_json(const tolk_sap_directory *dir);

#endif
