/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Streamed replies (server-sent events) without a thread each: when the application's
 * reader has nothing to send, the connection is suspended (libmicrohttpd keeps it out of
 * its poll set) until the stream's owner wakes it or the keepalive timer does. Internal
 * to the server.
 *
 * Threads: the content reader runs on the poll thread that owns the connection;
 * tolk_http_stream_wake() from any thread; http_streams_tick() on the server's timer
 * thread; http_streams_stop() on the thread that stops the server. A stream's lock orders
 * suspend against wake, so that a wake is never lost and a connection is never resumed
 * that was not suspended. Lock order: the registry's lock, then a stream's.
 */
#ifndef TOLK_HTTP_STREAM_H
#define TOLK_HTTP_STREAM_H

#include "http_server.h"

#include <glib.h>
#include <microhttpd.h>

#define TOLK_HTTP_STREAM_BLOCK 4096 /* bytes a stream reader is offered per call */

typedef struct http_streams http_streams;

http_streams *http_streams_new(void);
/* Every stream's response must have been destroyed before. */
void http_streams_free(http_streams *streams);
/* From now on readers are no longer called and every stream ends; parked ones are
 * resumed so that libmicrohttpd can finish them (it must not stop with suspended
 * connections). Until the next http_streams_restart(). */
void http_streams_stop(http_streams *streams);
void http_streams_restart(http_streams *streams);
/* Wakes the streams parked since keepalive_us or longer, asking their readers for a
 * keepalive; now from g_get_monotonic_time(). */
void http_streams_tick(http_streams *streams, gint64 now, gint64 keepalive_us);
/* Parked streams right now (for tests and stats). */
unsigned http_streams_parked(http_streams *streams);

/* The libmicrohttpd response for a TOLK_REPLY_STREAM on connection: takes the reader and
 * its context out of resp. NULL when MHD could not allocate; resp still owns them then. */
struct MHD_Response *http_stream_response(http_streams *streams, struct MHD_Connection *connection,
                                          tolk_http_response *resp);

#endif
