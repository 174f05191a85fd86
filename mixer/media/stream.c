/* SPDX-License-Identifier: EUPL-1.2 */
#include "stream.h"

#include <stdatomic.h>

typedef struct {
    guint id;
    tolk_frame_fn fn;
    void *ctx;
} subscription;

struct tolk_stream {
    tolk_srtp_sender *sender;
    GMutex lock; /* guards subscriptions; held while calling them so unsubscribe is a barrier */
    GArray *subscriptions;
    guint next_id;
    atomic_int subscribers; /* the array's length, read per frame without the lock */
    atomic_uint *changes;   /* the owner's, may be NULL */
};

static void count_change(tolk_stream *stream)
{
    if (stream->changes)
        atomic_fetch_add(stream->changes, 1);
}

void tolk_stream_set_change_counter(tolk_stream *stream, atomic_uint *counter)
{
    stream->changes = counter;
}

tolk_stream *tolk_stream_new(const uint8_t key[TOLK_KEY_LEN])
{
    return tolk_stream_new_at(key, NULL);
}

tolk_stream *tolk_stream_new_at(const uint8_t key[TOLK_KEY_LEN], const tolk_srtp_position *start)
{
    tolk_srtp_sender *sender = start ? tolk_srtp_sender_new_at(key, TOLK_OUTPUT_PAYLOAD_TYPE, start)
                                     : tolk_srtp_sender_new(key, TOLK_OUTPUT_PAYLOAD_TYPE);
    if (!sender)
        return NULL;
    tolk_stream *stream = g_new0(tolk_stream, 1);
    stream->sender = sender;
    g_mutex_init(&stream->lock);
    stream->subscriptions = g_array_new(FALSE, FALSE, sizeof(subscription));
    return stream;
}

void tolk_stream_free(tolk_stream *stream)
{
    if (!stream)
        return;
    tolk_srtp_sender_free(stream->sender);
    g_array_unref(stream->subscriptions);
    g_mutex_clear(&stream->lock);
    g_free(stream);
}

tolk_srtp_sender *tolk_stream_sender(tolk_stream *stream)
{
    return stream->sender;
}

void tolk_stream_push(tolk_stream *stream, const guint8 *data, gsize size, guint64 pts_ns)
{
    if (tolk_srtp_sender_destination_count(stream->sender) > 0)
        tolk_srtp_sender_send_opus(stream->sender, data, size, pts_ns, FALSE);
    if (atomic_load(&stream->subscribers) == 0)
        return;
    g_mutex_lock(&stream->lock);
    for (guint i = 0; i < stream->subscriptions->len; i++) {
        subscription *s = &g_array_index(stream->subscriptions, subscription, i);
        s->fn(s->ctx, data, size, pts_ns);
    }
    g_mutex_unlock(&stream->lock);
}

guint tolk_stream_subscribe(tolk_stream *stream, tolk_frame_fn fn, void *ctx)
{
    g_mutex_lock(&stream->lock);
    subscription s = {++stream->next_id, fn, ctx};
    g_array_append_val(stream->subscriptions, s);
    atomic_store(&stream->subscribers, (int)stream->subscriptions->len);
    g_mutex_unlock(&stream->lock);
    count_change(stream);
    return s.id;
}

void tolk_stream_unsubscribe(tolk_stream *stream, guint id)
{
    g_mutex_lock(&stream->lock);
    for (guint i = 0; i < stream->subscriptions->len; i++) {
        if (g_array_index(stream->subscriptions, subscription, i).id == id) {
            g_array_remove_index_fast(stream->subscriptions, i);
            atomic_store(&stream->subscribers, (int)stream->subscriptions->len);
            break;
        }
    }
    g_mutex_unlock(&stream->lock);
    count_change(stream);
}

int tolk_stream_listener_count(tolk_stream *stream)
{
    g_mutex_lock(&stream->lock);
    int count = (int)stream->subscriptions->len;
    g_mutex_unlock(&stream->lock);
    return count + tolk_srtp_sender_destination_count(stream->sender);
}

bool tolk_stream_consumed(tolk_stream *stream)
{
    return atomic_load(&stream->subscribers) > 0 || tolk_srtp_sender_destination_count(stream->sender) > 0;
}
