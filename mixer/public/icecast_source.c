/* SPDX-License-Identifier: EUPL-1.2 */
#include "icecast_private.h"

#include <string.h>

#include "keys.h"

static const char *const state_names[] = {"connecting", "streaming", "failing", "paused"};

const char *tolk_icecast_state_name(tolk_icecast_state state)
{
    return state_names[state];
}

tolk_icecast_source *tolk_icecast_source_new(const tolk_icecast_config *cfg, const char *sitting,
                                             const char *channel)
{
    tolk_icecast_source *src = g_new0(tolk_icecast_source, 1);
    g_atomic_ref_count_init(&src->refs);
    src->cfg = *cfg;
    const char *why;
    tolk_icecast_url_parse(cfg->url, &src->target, &why);
    src->sitting = g_strdup(sitting);
    src->channel = g_strdup(channel);
    g_mutex_init(&src->lock);
    src->queue = g_new(icecast_frame, TOLK_ICECAST_QUEUE);
    src->status.state = TOLK_ICECAST_PAUSED;
    src->status.since_us = g_get_real_time();
    src->status.listeners = -1;
    tolk_icecast_thread_add(src);
    return src;
}

tolk_icecast_source *tolk_icecast_source_ref(tolk_icecast_source *src)
{
    g_atomic_ref_count_inc(&src->refs);
    return src;
}

void tolk_icecast_source_unref(tolk_icecast_source *src)
{
    if (!g_atomic_ref_count_dec(&src->refs))
        return;
    tolk_key_wipe(&src->cfg, sizeof src->cfg); /* the password */
    g_free(src->sitting);
    g_free(src->channel);
    g_free(src->queue);
    g_mutex_clear(&src->lock);
    g_free(src);
}

/* The stream's subscription callback, on a media thread: a copy and nothing else. */
static void on_frame(void *ctx, const guint8 *data, gsize size, guint64 pts_ns)
{
    tolk_icecast_source *src = ctx;
    g_mutex_lock(&src->lock);
    if (src->count == TOLK_ICECAST_QUEUE || size > TOLK_ICECAST_FRAME_MAX) {
        src->status.dropped++;
    } else {
        icecast_frame *f = &src->queue[(src->head + src->count) % TOLK_ICECAST_QUEUE];
        f->size = (guint16)size;
        f->pts_ns = pts_ns;
        memcpy(f->data, data, size);
        src->count++;
    }
    g_mutex_unlock(&src->lock);
}

bool tolk_icecast_source_pop(tolk_icecast_source *src, icecast_frame *f)
{
    g_mutex_lock(&src->lock);
    bool any = src->count > 0;
    if (any) {
        icecast_frame *q = &src->queue[src->head];
        f->size = q->size;
        f->pts_ns = q->pts_ns;
        memcpy(f->data, q->data, q->size);
        src->head = (src->head + 1) % TOLK_ICECAST_QUEUE;
        src->count--;
    }
    g_mutex_unlock(&src->lock);
    return any;
}

void tolk_icecast_source_start(tolk_icecast_source *src, tolk_stream *stream)
{
    if (src->stream || !stream)
        return;
    src->stream = stream;
    src->subscription = tolk_stream_subscribe(stream, on_frame, src);
    atomic_store(&src->active, true);
    tolk_icecast_source_set_state(src, TOLK_ICECAST_CONNECTING, NULL); /* the view says so before the thread's step */
}

void tolk_icecast_source_stop(tolk_icecast_source *src)
{
    if (!src->stream)
        return;
    tolk_stream_unsubscribe(src->stream, src->subscription); /* on_frame is not called after this */
    src->stream = NULL;
    atomic_store(&src->active, false);
}

void tolk_icecast_source_release(tolk_icecast_source *src)
{
    if (!src)
        return;
    tolk_icecast_source_stop(src);
    atomic_store(&src->released, true); /* the thread closes, drops it from its list, unrefs */
    tolk_icecast_source_unref(src);
}

const tolk_icecast_config *tolk_icecast_source_config(const tolk_icecast_source *src)
{
    return &src->cfg;
}

void tolk_icecast_source_listen_url(const tolk_icecast_source *src, char *out, size_t size)
{
    if (src->cfg.listen_url[0])
        g_strlcpy(out, src->cfg.listen_url, size);
    else
        tolk_icecast_url_of(&src->target, src->target.mount, out, size);
}

void tolk_icecast_source_status(tolk_icecast_source *src, tolk_icecast_status *out)
{
    g_mutex_lock(&src->lock);
    *out = src->status;
    g_mutex_unlock(&src->lock);
}

void tolk_icecast_source_set_state(tolk_icecast_source *src, tolk_icecast_state state, const char *error)
{
    g_mutex_lock(&src->lock);
    if (src->status.state != state)
        src->status.since_us = g_get_real_time();
    src->status.state = state;
    if (state != TOLK_ICECAST_STREAMING)
        src->status.listeners = -1;
    if (error)
        g_strlcpy(src->status.last_error, error, sizeof src->status.last_error);
    g_mutex_unlock(&src->lock);
}

void tolk_icecast_source_add_bytes(tolk_icecast_source *src, uint64_t bytes)
{
    g_mutex_lock(&src->lock);
    src->status.bytes += bytes;
    g_mutex_unlock(&src->lock);
}

void tolk_icecast_source_set_listeners(tolk_icecast_source *src, int listeners)
{
    g_mutex_lock(&src->lock);
    if (src->status.state == TOLK_ICECAST_STREAMING)
        src->status.listeners = listeners;
    g_mutex_unlock(&src->lock);
}
