/* SPDX-License-Identifier: EUPL-1.2 */
#include "service_notify.h"

#include <systemd/sd-daemon.h>

#define TOLK_LOG_MODULE "service"
#include "log.h"

static void notify(const char *state, const char *status)
{
    int r = sd_notifyf(0, "%s\nSTATUS=%s", state, status);
    if (r < 0)
        LOG_WARN("could not tell systemd %s: %s", state, g_strerror(-r));
}

void tolk_service_ready(const char *status)
{
    notify("READY=1", status);
}

void tolk_service_stopping(const char *status)
{
    notify("STOPPING=1", status);
}

static gboolean ping(gpointer data)
{
    (void)data;
    sd_notify(0, "WATCHDOG=1");
    return G_SOURCE_CONTINUE;
}

guint tolk_service_watchdog_start(void)
{
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
        return 0;
    guint interval_ms = (guint)(usec / 2000);
    ping(NULL); /* the first interval starts now, not half of it from now */
    LOG_INFO("systemd watchdog: a ping every %u ms", interval_ms ? interval_ms : 1);
    return g_timeout_add(interval_ms ? interval_ms : 1, ping, NULL);
}
