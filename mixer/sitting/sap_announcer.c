/* SPDX-License-Identifier: EUPL-1.2 */
#include "sap_announcer.h"

#include <glib.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hall_socket.h"
#include "sap.h"

#define TOLK_LOG_MODULE "sap"
#include "log.h"

typedef struct {
    char *key;
    char *origin, *sdp; /* the deletion is built from them */
    uint8_t packet[TOLK_SAP_MAX_SEND]; /* the announcement, or the deletion once withdrawn */
    size_t len;
    gint64 next_us; /* 0: due now */
    bool deletion;
} entry;

struct tolk_sap_announcer {
    char *hall_address;
    int fd;
    GMutex lock; /* guards entries and idle */
    GPtrArray *entries;
    guint idle;
    guint timer;
    GMainContext *context;
    atomic_uint_fast64_t sent, errors;
};

static void free_entry(gpointer p)
{
    entry *e = p;
    g_free(e->key);
    g_free(e->origin);
    g_free(e->sdp);
    g_free(e);
}

static gboolean on_timer(gpointer data)
{
    tolk_sap_announcer_run(data);
    return G_SOURCE_CONTINUE;
}

static gboolean on_idle(gpointer data)
{
    tolk_sap_announcer *a = data;
    g_mutex_lock(&a->lock);
    a->idle = 0;
    g_mutex_unlock(&a->lock);
    tolk_sap_announcer_run(a);
    return G_SOURCE_REMOVE;
}

tolk_sap_announcer *tolk_sap_announcer_new(const char *hall_address)
{
    tolk_sap_announcer *a = g_new0(tolk_sap_announcer, 1);
    a->hall_address = g_strdup(hall_address);
    a->fd = -1;
    g_mutex_init(&a->lock);
    a->entries = g_ptr_array_new_with_free_func(free_entry);
    a->context = g_main_context_ref_thread_default();
    GSource *timer = g_timeout_source_new_seconds(1);
    g_source_set_callback(timer, on_timer, a, NULL);
    a->timer = g_source_attach(timer, a->context);
    g_source_unref(timer);
    return a;
}

void tolk_sap_announcer_free(tolk_sap_announcer *a)
{
    if (!a)
        return;
    tolk_sap_announcer_run(a); /* the deletions of the outputs that went with the sittings */
    GSource *timer = g_main_context_find_source_by_id(a->context, a->timer);
    if (timer)
        g_source_destroy(timer);
    g_mutex_lock(&a->lock);
    if (a->idle) {
        GSource *idle = g_main_context_find_source_by_id(a->context, a->idle);
        if (idle)
            g_source_destroy(idle);
    }
    g_mutex_unlock(&a->lock);
    g_main_context_unref(a->context);
    if (a->fd >= 0)
        close(a->fd);
    g_ptr_array_unref(a->entries);
    g_mutex_clear(&a->lock);
    g_free(a->hall_address);
    g_free(a);
}

/* Under the lock. */
static entry *find(tolk_sap_announcer *a, const char *key)
{
    for (guint i = 0; i < a->entries->len; i++) {
        entry *e = g_ptr_array_index(a->entries, i);
        if (strcmp(e->key, key) == 0)
            return e;
    }
    return NULL;
}

/* Under the lock: the main loop sends it soon, not this (control) thread. */
static void wake(tolk_sap_announcer *a)
{
    if (a->idle)
        return;
    GSource *idle = g_idle_source_new();
    g_source_set_callback(idle, on_idle, a, NULL);
    a->idle = g_source_attach(idle, a->context);
    g_source_unref(idle);
}

/* RFC 2974 6: a deletion carries the announcement's hash, origin and SDP. */
static bool build(entry *e, bool deletion)
{
    tolk_error err;
    size_t len = tolk_sap_build(deletion, e->origin, tolk_sap_hash(e->sdp, strlen(e->sdp)), e->sdp, e->packet,
                                sizeof e->packet, &err);
    if (len == 0) {
        LOG_WARN("%s is not announced: %s", e->key, err.message);
        return false;
    }
    e->len = len;
    e->deletion = deletion;
    e->next_us = 0;
    return true;
}

void tolk_sap_announce(tolk_sap_announcer *a, const char *key, const char *origin, const char *sdp)
{
    g_mutex_lock(&a->lock);
    entry *e = find(a, key);
    if (!e) {
        e = g_new0(entry, 1);
        e->key = g_strdup(key);
        g_ptr_array_add(a->entries, e);
    }
    g_free(e->origin);
    g_free(e->sdp);
    e->origin = g_strdup(origin);
    e->sdp = g_strdup(sdp);
    if (build(e, false))
        wake(a);
    else
        g_ptr_array_remove(a->entries, e);
    g_mutex_unlock(&a->lock);
}

void tolk_sap_withdraw(tolk_sap_announcer *a, const char *key)
{
    g_mutex_lock(&a->lock);
    entry *e = find(a, key);
    if (e && !e->deletion && build(e, true))
        wake(a);
    g_mutex_unlock(&a->lock);
}

/* Under the lock: the packets due now into out (announcements rescheduled, deletions dropped). */
static GPtrArray *take_due(tolk_sap_announcer *a, gint64 now)
{
    GPtrArray *due = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (guint i = 0; i < a->entries->len;) {
        entry *e = g_ptr_array_index(a->entries, i);
        if (e->next_us > now) {
            i++;
            continue;
        }
        g_ptr_array_add(due, g_bytes_new(e->packet, e->len));
        if (e->deletion) {
            g_ptr_array_remove_index(a->entries, i);
            continue;
        }
        e->next_us = now + TOLK_SAP_INTERVAL_S * G_USEC_PER_SEC;
        i++;
    }
    return due;
}

static bool ensure_socket(tolk_sap_announcer *a)
{
    if (a->fd >= 0)
        return true;
    tolk_error err;
    a->fd = tolk_hall_socket_open(a->hall_address, TOLK_SAP_TTL, TOLK_DSCP_CS0_TOS, &err);
    if (a->fd < 0)
        LOG_WARN("no SAP announcements: %s", err.message);
    return a->fd >= 0;
}

void tolk_sap_announcer_run(tolk_sap_announcer *a)
{
    g_mutex_lock(&a->lock);
    GPtrArray *due = take_due(a, g_get_monotonic_time());
    g_mutex_unlock(&a->lock);
    struct sockaddr_in group;
    tolk_hall_destination(TOLK_SAP_GROUP, TOLK_SAP_PORT, &group);
    for (guint i = 0; i < due->len && ensure_socket(a); i++) {
        gsize len;
        const void *data = g_bytes_get_data(g_ptr_array_index(due, i), &len);
        bool ok = sendto(a->fd, data, len, MSG_NOSIGNAL, (struct sockaddr *)&group, sizeof group) == (ssize_t)len;
        if (!ok && atomic_load(&a->errors) == 0)
            LOG_WARN("a SAP announcement to %s:%d was refused: %m", TOLK_SAP_GROUP, TOLK_SAP_PORT);
        atomic_fetch_add(ok ? &a->sent : &a->errors, 1);
    }
    g_ptr_array_unref(due);
}

uint64_t tolk_sap_announcer_sent(tolk_sap_announcer *a)
{
    return atomic_load(&a->sent);
}

uint64_t tolk_sap_announcer_errors(tolk_sap_announcer *a)
{
    return atomic_load(&a->errors);
}
