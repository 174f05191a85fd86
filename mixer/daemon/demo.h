/* SPDX-License-Identifier: EUPL-1.2 */
/* Sittings created at start: --session files, and the demo sitting. */
#ifndef TOLK_DEMO_H
#define TOLK_DEMO_H

#include "app.h"
#include "options.h"

/* Creates the sitting described in a JSON file (the body of POST /api/v1/sessions).
 * On failure prints why and returns false. */
bool tolk_startup_session_file(tolk_app *app, const char *path);
/* Creates the demo sitting with its floor playing a file, adds an output per channel
 * on 127.0.0.1 and writes their SDP files; prints how to listen. */
bool tolk_startup_demo(tolk_app *app, const tolk_options *options);

#endif
