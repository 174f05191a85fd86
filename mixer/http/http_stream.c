/* SPDX-License-Identifier: EUPL-1.2 */
#include "http_stream.h"

#include <stdatomic.h>

struct http_streams {
    GMutex lock;
    GQueue live;          /* every stream whose response exists */
    atomic_bool stopping; /* readers are no longer called */
};

struct tolk_http_stream {
    http_streams *registry;
    GList link; /* in registry->live */
    struct MHD_Connection *connection;
    tolk_http_stream_read_fn read;
    tolk_http_stream_free_fn free_ctx;
    void *ctx;
    GMutex lock;
    bool parked;      /* we suspended the connection: the next wake resumes it */
    bool woken;       /* a wake came while running: do not park on the next "nothing" */
    bool idle;        /* the timer woke it: the reader is asked for a keepalive */
    gint64 parked_at; /* monotonic µs */
};

http_streams *http_streams_new(void)
{
    http_streams *streams = g_new0(http_streams, 1);
    g_mutex_init(&streams->lock);
    g_queue_init(&streams->live);
    return streams;
}

void http_streams_free(http_streams *streams)
{
    if (!streams)
        return;
    g_mutex_clear(&streams->lock);
    g_free(streams);
}

/* Under stream->lock, only when parked. */
static void unpark_locked(tolk_http_stream *stream)
{
    stream->parked = false;
    MHD_resume_connection(stream->connection);
}

void tolk_http_stream_wake(tolk_http_stream *stream)
{
    g_mutex_lock(&stream->lock);
    if (stream->parked)
        unpark_locked(stream);
    else
        stream->woken = true;
    g_mutex_unlock(&stream->lock);
}

void http_streams_stop(http_streams *streams)
{
    /* Set before any stream's lock is taken: a reader that parks after this sees it. */
    atomic_store(&streams->stopping, true);
    g_mutex_lock(&streams->lock);
    for (GList *l = streams->live.head; l; l = l->next) {
        tolk_http_stream *stream = l->data;
        g_mutex_lock(&stream->lock);
        if (stream->parked)
            unpark_locked(stream);
        g_mutex_unlock(&stream->lock);
    }
    g_mutex_unlock(&streams->lock);
}

void http_streams_restart(http_streams *streams)
{
    atomic_store(&streams->stopping, false);
}

void http_streams_tick(http_streams *streams, gint64 now, gint64 keepalive_us)
{
    gint64 due = now - keepalive_us;
    g_mutex_lock(&streams->lock);
    for (GList *l = streams->live.head; l; l = l->next) {
        tolk_http_stream *stream = l->data;
        g_mutex_lock(&stream->lock);
        if (stream->parked && stream->parked_at <= due) {
            stream->idle = true;
            unpark_locked(stream);
        }
        g_mutex_unlock(&stream->lock);
    }
    g_mutex_unlock(&streams->lock);
}

unsigned http_streams_parked(http_streams *streams)
{
    unsigned parked = 0;
    g_mutex_lock(&streams->lock);
    for (GList *l = streams->live.head; l; l = l->next) {
        tolk_http_stream *stream = l->data;
        g_mutex_lock(&stream->lock);
        parked += stream->parked;
        g_mutex_unlock(&stream->lock);
    }
    g_mutex_unlock(&streams->lock);
    return parked;
}

/* Parks the connection after the reader said "nothing now", unless a wake came
 * meanwhile: then libmicrohttpd calls again at once. */
static void park(tolk_http_stream *stream)
{
    g_mutex_lock(&stream->lock);
    if (!stream->woken && !atomic_load(&stream->registry->stopping)) {
        stream->parked = true;
        stream->parked_at = g_get_monotonic_time();
        MHD_suspend_connection(stream->connection);
    }
    g_mutex_unlock(&stream->lock);
}

/* libmicrohttpd's content reader, on the connection's poll thread. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    tolk_http_stream *stream = cls;
    if (atomic_load(&stream->registry->stopping))
        return MHD_CONTENT_READER_END_OF_STREAM;
    g_mutex_lock(&stream->lock);
    bool idle = stream->idle;
    stream->idle = false;
    stream->woken = false;
    g_mutex_unlock(&stream->lock);
    ssize_t n = stream->read(stream->ctx, stream, idle, buf, max);
    if (n < 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n == 0)
        park(stream);
    return n > (ssize_t)max ? (ssize_t)max : n;
}

/* MHD calls this once, when the last reference to the response goes: after the
 * connection finished with it (stream ended, client gone, daemon stopping). The owner's
 * free_ctx runs first, so that no wake is under way once the stream is freed. */
static void stream_release(void *cls)
{
    tolk_http_stream *stream = cls;
    http_streams *streams = stream->registry;
    g_mutex_lock(&streams->lock);
    g_queue_unlink(&streams->live, &stream->link);
    g_mutex_unlock(&streams->lock);
    if (stream->free_ctx)
        stream->free_ctx(stream->ctx);
    g_mutex_clear(&stream->lock);
    g_free(stream);
}

struct MHD_Response *http_stream_response(http_streams *streams, struct MHD_Connection *connection,
                                          tolk_http_response *resp)
{
    tolk_http_stream *stream = g_new0(tolk_http_stream, 1);
    stream->registry = streams;
    stream->link.data = stream;
    stream->connection = connection;
    stream->read = resp->stream_read;
    stream->free_ctx = resp->stream_free;
    stream->ctx = resp->stream_ctx;
    g_mutex_init(&stream->lock);
    struct MHD_Response *response = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, TOLK_HTTP_STREAM_BLOCK, stream_read, stream, stream_release);
    if (!response) {
        g_mutex_clear(&stream->lock);
        g_free(stream); /* resp keeps the context; clearing it calls free_ctx */
        return NULL;
    }
    resp->stream_read = NULL;
    resp->stream_free = NULL;
    resp->stream_ctx = NULL;
    g_mutex_lock(&streams->lock);
    g_queue_push_tail_link(&streams->live, &stream->link);
    g_mutex_unlock(&streams->lock);
    return response;
}
