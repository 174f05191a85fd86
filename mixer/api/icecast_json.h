/* SPDX-License-Identifier: EUPL-1.2 */
/* The JSON shape of a channel's Icecast source (docs/api.md, "Icecast"). Threads: under the app lock. */
#ifndef TOLK_ICECAST_JSON_H
#define TOLK_ICECAST_JSON_H

#include <json-c/json.h>

#include "session.h"

/* full: the operator's object (never the password); else what a listener needs
 * ({"listen_url"}), and only while the channel is public. NULL (JSON null) for none. */
json_object *tolk_icecast_to_json(tolk_session *session, int channel, bool full);

#endif
