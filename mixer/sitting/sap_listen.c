/* SPDX-License-Identifier: EUPL-1.2 */
#include "sap_listen.h"

#include <glib-unix.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aes67_socket.h"
#include "sap.h"

#define TOLK_LOG_MODULE "sap"
#include "log.h"

#define READS_PER_WAKE 32

static void update_sessions(tolk_app *app)
{
    for (guint i = 0; i < app->sessions->len; i++)
        tolk_session_sap_update(g_ptr_array_index(app->sessions, i), app->sap);
}

static void log_outcome(const tolk_sap_directory *dir, tolk_sap_outcome outcome, uint64_t *full_logged)
{
    tolk_sap_directory_stats s;
    tolk_sap_directory_get_stats(dir, &s);
    if (outcome == TOLK_SAP_FULL && s.full > *full_logged && (s.full & (s.full - 1)) == 0) {
        LOG_WARN("the SAP directory is full (%d sessions): announcements of more are dropped (%llu so far)",
                 TOLK_SAP_DIRECTORY_MAX, (unsigned long long)s.full);
        *full_logged = s.full;
    }
}

static gboolean readable(gint fd, GIOCondition condition, gpointer data)
{
    (void)condition;
    tolk_app *app = data;
    static uint64_t full_logged;
    uint8_t packet[TOLK_SAP_MAX_PACKET + 1];
    bool changed = false;
    tolk_app_lock(app);
    for (int i = 0; i < READS_PER_WAKE; i++) {
        ssize_t n = recv(fd, packet, sizeof packet, MSG_DONTWAIT);
        if (n < 0)
            break;
        tolk_sap_outcome outcome = tolk_sap_directory_take(app->sap, packet, (size_t)n, g_get_monotonic_time(),
                                                           g_get_real_time());
        log_outcome(app->sap, outcome, &full_logged);
        /* A refresh too: an input restored after a restart waits for an announcement the
         * directory may already have. */
        changed = changed || outcome == TOLK_SAP_ADDED || outcome == TOLK_SAP_REFRESHED || outcome == TOLK_SAP_DELETED;
    }
    if (changed)
        update_sessions(app);
    tolk_app_unlock(app);
    return G_SOURCE_CONTINUE;
}

static gboolean expire(gpointer data)
{
    tolk_app *app = data;
    tolk_app_lock(app);
    unsigned gone = tolk_sap_directory_expire(app->sap, g_get_monotonic_time());
    if (gone)
        update_sessions(app); /* a newer announcement of a name may now be the one */
    tolk_app_unlock(app);
    return G_SOURCE_CONTINUE;
}

bool tolk_sap_listen_start(tolk_app *app, tolk_error *err)
{
    app->sap = tolk_sap_directory_new(TOLK_SAP_DIRECTORY_MAX);
    app->sap_fd = tolk_aes67_socket_open(TOLK_SAP_GROUP, TOLK_SAP_PORT, NULL, app->env.hall_address, err);
    if (app->sap_fd < 0)
        return false;
    app->sap_watch = g_unix_fd_add(app->sap_fd, G_IO_IN, readable, app);
    app->sap_timer = g_timeout_add_seconds(1, expire, app);
    LOG_INFO("listening for SAP announcements on %s port %d (%s)", TOLK_SAP_GROUP, TOLK_SAP_PORT,
             app->env.hall_address ? app->env.hall_address : "the default interface");
    return true;
}

void tolk_sap_listen_stop(tolk_app *app)
{
    if (app->sap_watch)
        g_source_remove(app->sap_watch);
    if (app->sap_timer)
        g_source_remove(app->sap_timer);
    if (app->sap_fd >= 0)
        close(app->sap_fd);
    app->sap_watch = app->sap_timer = 0;
    app->sap_fd = -1;
    tolk_sap_directory_free(app->sap);
    app->sap = NULL;
}
