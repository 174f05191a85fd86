/* SPDX-License-Identifier: EUPL-1.2 */
#include "http_deadline.h"

#define TOLK_LOG_MODULE "http"
#include "log.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>

struct http_deadline {
    GList link;
    int fd;
    gint64 due; /* monotonic µs; 0: none */
    bool shut;  /* shut down already */
};

struct http_deadlines {
    GMutex lock;
    GQueue records;
    gint64 timeout_us;
    atomic_uint_least64_t closed;
};

http_deadlines *http_deadlines_new(void)
{
    http_deadlines *deadlines = g_new0(http_deadlines, 1);
    g_mutex_init(&deadlines->lock);
    g_queue_init(&deadlines->records);
    deadlines->timeout_us = 10 * G_USEC_PER_SEC;
    return deadlines;
}

void http_deadlines_free(http_deadlines *deadlines)
{
    if (!deadlines)
        return;
    g_mutex_clear(&deadlines->lock);
    g_free(deadlines);
}

void http_deadlines_set_timeout(http_deadlines *deadlines, unsigned seconds)
{
    deadlines->timeout_us = (gint64)seconds * G_USEC_PER_SEC;
}

unsigned http_deadlines_timeout(const http_deadlines *deadlines)
{
    return (unsigned)(deadlines->timeout_us / G_USEC_PER_SEC);
}

http_deadline *http_deadline_add(http_deadlines *deadlines, int fd)
{
    http_deadline *deadline = g_new0(http_deadline, 1);
    deadline->link.data = deadline;
    deadline->fd = fd;
    deadline->due = g_get_monotonic_time() + deadlines->timeout_us;
    g_mutex_lock(&deadlines->lock);
    g_queue_push_tail_link(&deadlines->records, &deadline->link);
    g_mutex_unlock(&deadlines->lock);
    return deadline;
}

void http_deadline_remove(http_deadlines *deadlines, http_deadline *deadline)
{
    g_mutex_lock(&deadlines->lock);
    g_queue_unlink(&deadlines->records, &deadline->link);
    g_mutex_unlock(&deadlines->lock);
    g_free(deadline);
}

void http_deadline_arm(http_deadlines *deadlines, http_deadline *deadline)
{
    gint64 due = g_get_monotonic_time() + deadlines->timeout_us;
    g_mutex_lock(&deadlines->lock);
    deadline->due = due;
    g_mutex_unlock(&deadlines->lock);
}

void http_deadline_disarm(http_deadlines *deadlines, http_deadline *deadline)
{
    g_mutex_lock(&deadlines->lock);
    deadline->due = 0;
    g_mutex_unlock(&deadlines->lock);
}

void http_deadlines_sweep(http_deadlines *deadlines, gint64 now)
{
    unsigned shut = 0;
    g_mutex_lock(&deadlines->lock);
    for (GList *l = deadlines->records.head; l; l = l->next) {
        http_deadline *deadline = l->data;
        if (deadline->shut || deadline->due == 0 || deadline->due > now)
            continue;
        atomic_fetch_add(&deadlines->closed, 1); /* counted before the client can see it */
        /* Not close(): the descriptor stays libmicrohttpd's, which sees EOF and cleans up. */
        shutdown(deadline->fd, SHUT_RDWR);
        deadline->shut = true;
        shut++;
    }
    g_mutex_unlock(&deadlines->lock);
    if (shut)
        LOG_DEBUG("closed %u connection(s) that did not send their request in time", shut);
}

uint64_t http_deadlines_closed(http_deadlines *deadlines)
{
    return atomic_load(&deadlines->closed);
}
