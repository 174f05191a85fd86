/* SPDX-License-Identifier: EUPL-1.2 */
#include "service_notify.h"

#include "media.h"
#include "media_watch.h"

#include <systemd/sd-daemon.h>

#define TOLK_LOG_MODULE "service"
#include "log.h"

static int status_port;
static unsigned status_sittings;

static void notify(const char *state, const char *status)
{
    int r = sd_notifyf(0, "%s%sSTATUS=%s", state, *state ? "\n" : "", status);
    if (r < 0)
        LOG_WARN("could not tell systemd %s: %s", *state ? state : "the status", g_strerror(-r));
}

static void notify_serving(const char *state)
{
    gchar *status = g_strdup_printf("serving on port %d, %u sitting%s", status_port, status_sittings,
                                    status_sittings == 1 ? "" : "s");
    notify(state, status);
    g_free(status);
}

void tolk_service_ready(int port, unsigned sittings)
{
    status_port = port;
    status_sittings = sittings;
    notify_serving("READY=1");
}

void tolk_service_sittings(unsigned sittings)
{
    if (status_port == 0 || sittings == status_sittings)
        return;
    status_sittings = sittings;
    notify_serving("");
}

void tolk_service_stopping(void)
{
    notify("STOPPING=1", "stopping: sittings end, sockets close");
}

/* Only while the media moves on too: a tick stuck for a whole interval is worth a restart. */
static gboolean ping(gpointer data)
{
    static tolk_media_watch watch;
    (void)data;
    uint64_t ticks;
    bool busy = tolk_media_engine_progress(&ticks);
    if (!tolk_media_watch_moving(&watch, busy, ticks)) {
        LOG_ERROR("the media engine made no frame since the last watchdog ping: no ping, so systemd restarts tolk "
                  "(the sittings come back from the state)");
        return G_SOURCE_CONTINUE;
    }
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
