/* SPDX-License-Identifier: EUPL-1.2 */
/* Tells systemd how the daemon is (a Type=notify unit, sd_notify(3)): READY=1 once it
 * serves, STATUS= lines for `systemctl status`, WATCHDOG=1 pings, STOPPING=1 when asked
 * to stop. Without systemd ($NOTIFY_SOCKET unset) every call does nothing.
 * Thread contract: main thread only. The pings are a timeout on the main loop's
 * context: a main loop that stops turning (a deadlocked app lock: check_inputs takes it
 * five times a second) stops them, and systemd kills and restarts the daemon. */
#ifndef TOLK_SERVICE_NOTIFY_H
#define TOLK_SERVICE_NOTIFY_H

#include <glib.h>

/* READY=1, with STATUS=serving on port PORT, N sittings. */
void tolk_service_ready(int port, unsigned sittings);

/* The STATUS= line again, when the number of sittings changed since the last one. */
void tolk_service_sittings(unsigned sittings);

/* STOPPING=1 with a STATUS= line. */
void tolk_service_stopping(void);

/* When systemd's watchdog is on for us (WatchdogSec=), pings at half its interval on the
 * default main context, as long as the media engine makes frames too (media_watch.h);
 * returns the source id, or 0 when there is no watchdog. */
guint tolk_service_watchdog_start(void);

#endif
