/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The HTTP adapter's entry point: it joins the sittings (tolk_app) to an HTTP server,
 * neither of which knows the other. Called once on the main thread before the server
 * starts; the handlers it registers then run on the server's threads under the app lock.
 */
#ifndef TOLK_API_H
#define TOLK_API_H

#include "app.h"
#include "http_server.h"

/* Registers the v1 API, /healthz and /metrics on http, serving app. */
void tolk_api_register(tolk_app *app, tolk_http_server *http);

#endif
