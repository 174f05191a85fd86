/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Deadlines for the request head and body. libmicrohttpd's connection timeout is an
 * idle timeout: a client that trickles one byte every few seconds keeps a connection
 * forever. Each connection gets a record here from its start; the record is armed
 * (now + timeout) while the server waits for a head or a body and disarmed while a
 * handler runs and the reply is sent. The server's timer sweeps the records and shuts
 * overdue sockets down: libmicrohttpd then sees the end of the stream and closes the
 * connection itself, through its usual path. Internal to the server.
 *
 * Threads: records are added, armed, disarmed and removed on the poll threads, swept on
 * the timer thread; one lock guards the list. A record is removed (under the lock)
 * before libmicrohttpd closes the socket, so a sweep never touches a reused descriptor.
 */
#ifndef TOLK_HTTP_DEADLINE_H
#define TOLK_HTTP_DEADLINE_H

#include <glib.h>
#include <stdint.h>

typedef struct http_deadlines http_deadlines;
typedef struct http_deadline http_deadline;

http_deadlines *http_deadlines_new(void);
/* Every record must have been removed before. */
void http_deadlines_free(http_deadlines *deadlines);
/* Seconds a head or a body may take (> 0). Before the server starts. */
void http_deadlines_set_timeout(http_deadlines *deadlines, unsigned seconds);
unsigned http_deadlines_timeout(const http_deadlines *deadlines);

/* A new connection on socket fd, armed. */
http_deadline *http_deadline_add(http_deadlines *deadlines, int fd);
void http_deadline_remove(http_deadlines *deadlines, http_deadline *deadline);
/* From now, the connection has the timeout to deliver what is awaited. */
void http_deadline_arm(http_deadlines *deadlines, http_deadline *deadline);
void http_deadline_disarm(http_deadlines *deadlines, http_deadline *deadline);

/* Shuts down the sockets past their deadline (each once); now from g_get_monotonic_time(). */
void http_deadlines_sweep(http_deadlines *deadlines, gint64 now);
/* Connections shut down so far. */
uint64_t http_deadlines_closed(http_deadlines *deadlines);

#endif
