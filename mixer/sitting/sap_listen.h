/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The daemon's ear on the hall's SAP (RFC 2974): joins 239.255.255.255:9875 on the hall
 * interface, feeds each announcement to the app's SAP directory (sap_directory.h), forgets the
 * stale ones once a second, and lets every sitting take an announcement it waits for
 * (tolk_session_sap_update). Only with --allow-plain-rtp: without it, no AES67 is taken.
 *
 * Threads: start and stop on the main thread; the socket's watch and the timer run on the
 * default main context and take the app lock for their work.
 */
#ifndef TOLK_SAP_LISTEN_H
#define TOLK_SAP_LISTEN_H

#include "app.h"

/* False with *err (unavailable) when the group cannot be joined; the daemon runs without SAP
 * (inputs by SDP still work). */
bool tolk_sap_listen_start(tolk_app *app, tolk_error *err);
void tolk_sap_listen_stop(tolk_app *app);

#endif
