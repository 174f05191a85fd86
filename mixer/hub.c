/* SPDX-License-Identifier: EUPL-1.2 */
#include "hub.h"

#include <glib.h>
#include <string.h>

#define RING 128 /* events kept for slow readers; an older one is skipped, the state resent */

typedef struct {
    guint64 seq;
    char *event;
    char *data; /* JSON text; NULL for "session" */
} hub_event;

struct tolk_hub {
    gint refs;
    GMutex lock;
    GCond changed;
    bool closed;
    guint64 next_seq; /* the sequence number the next event gets */
    hub_event ring[RING];
};

struct tolk_hub_reader {
    tolk_hub *hub;
    guint64 next_seq;  /* the next event this reader writes */
    bool state_due;    /* write a fresh "session" event first */
    guint64 state_seq; /* the id of the change the due state answers */
    tolk_hub_render_fn render;
    void *render_ctx;
    void (*free_ctx)(void *);
    GString *pending; /* formatted text not yet handed to the connection */
};

tolk_hub *tolk_hub_new(void)
{
    tolk_hub *hub = g_new0(tolk_hub, 1);
    hub->refs = 1;
    hub->next_seq = 1;
    g_mutex_init(&hub->lock);
    g_cond_init(&hub->changed);
    return hub;
}

tolk_hub *tolk_hub_ref(tolk_hub *hub)
{
    g_atomic_int_inc(&hub->refs);
    return hub;
}

void tolk_hub_unref(tolk_hub *hub)
{
    if (!hub || !g_atomic_int_dec_and_test(&hub->refs))
        return;
    for (int i = 0; i < RING; i++) {
        g_free(hub->ring[i].event);
        g_free(hub->ring[i].data);
    }
    g_cond_clear(&hub->changed);
    g_mutex_clear(&hub->lock);
    g_free(hub);
}

void tolk_hub_close(tolk_hub *hub)
{
    g_mutex_lock(&hub->lock);
    hub->closed = true;
    g_cond_broadcast(&hub->changed);
    g_mutex_unlock(&hub->lock);
}

void tolk_hub_publish(tolk_hub *hub, const char *event, json_object *data)
{
    char *text = data ? g_strdup(json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) : NULL;
    json_object_put(data);
    g_mutex_lock(&hub->lock);
    if (hub->closed) {
        g_mutex_unlock(&hub->lock);
        g_free(text);
        return;
    }
    hub_event *slot = &hub->ring[hub->next_seq % RING];
    g_free(slot->event);
    g_free(slot->data);
    slot->seq = hub->next_seq++;
    slot->event = g_strdup(event);
    slot->data = text;
    g_cond_broadcast(&hub->changed);
    g_mutex_unlock(&hub->lock);
}

void tolk_hub_session_changed(tolk_hub *hub)
{
    tolk_hub_publish(hub, "session", NULL);
}

tolk_hub_reader *tolk_hub_reader_new(tolk_hub *hub, tolk_hub_render_fn render, void *render_ctx,
                                     void (*free_ctx)(void *))
{
    tolk_hub_reader *reader = g_new0(tolk_hub_reader, 1);
    reader->hub = tolk_hub_ref(hub);
    reader->render = render;
    reader->render_ctx = render_ctx;
    reader->free_ctx = free_ctx;
    reader->state_due = true;
    reader->pending = g_string_new(NULL);
    g_mutex_lock(&hub->lock);
    reader->next_seq = hub->next_seq;
    reader->state_seq = hub->next_seq - 1;
    g_mutex_unlock(&hub->lock);
    return reader;
}

void tolk_hub_reader_free(tolk_hub_reader *reader)
{
    if (!reader)
        return;
    if (reader->free_ctx)
        reader->free_ctx(reader->render_ctx);
    tolk_hub_unref(reader->hub);
    g_string_free(reader->pending, TRUE);
    g_free(reader);
}

static void format_event(GString *out, guint64 seq, const char *event, const char *data)
{
    g_string_append_printf(out, "id: %" G_GUINT64_FORMAT "\nevent: %s\ndata: %s\n\n", seq, event, data);
}

/* Takes the reader's next event from the ring, under the hub lock. A "session"
 * event only marks the state as due; the reader renders it outside the lock.
 * Returns false when there is nothing new. */
static bool take_next_locked(tolk_hub_reader *reader, tolk_hub *hub)
{
    if (reader->next_seq >= hub->next_seq)
        return false;
    if (hub->next_seq - reader->next_seq > RING) {
        /* Fell behind: skip what was overwritten, resend the whole state. */
        reader->next_seq = hub->next_seq - RING;
        reader->state_due = true;
        reader->state_seq = reader->next_seq - 1;
    }
    hub_event *e = &hub->ring[reader->next_seq % RING];
    reader->next_seq++;
    if (e->data) {
        format_event(reader->pending, e->seq, e->event, e->data);
    } else {
        reader->state_due = true;
        reader->state_seq = e->seq;
    }
    return true;
}

static bool render_state(tolk_hub_reader *reader)
{
    char *state = reader->render(reader->render_ctx);
    if (!state)
        return false;
    format_event(reader->pending, reader->state_seq, "session", state);
    g_free(state);
    reader->state_due = false;
    return true;
}

/* Fills reader->pending; false when the stream ends. */
static bool wait_for_text(tolk_hub_reader *reader, int keepalive_ms)
{
    tolk_hub *hub = reader->hub;
    gint64 deadline = g_get_monotonic_time() + (gint64)keepalive_ms * 1000;
    g_mutex_lock(&hub->lock);
    while (!hub->closed && !reader->state_due && reader->pending->len == 0) {
        if (take_next_locked(reader, hub))
            continue;
        if (!g_cond_wait_until(&hub->changed, &hub->lock, deadline)) {
            g_string_append(reader->pending, ": keepalive\n\n");
            break;
        }
    }
    bool closed = hub->closed;
    g_mutex_unlock(&hub->lock);
    if (closed)
        return false;
    return !reader->state_due || render_state(reader);
}

ssize_t tolk_hub_read(tolk_hub_reader *reader, char *buf, size_t max, int keepalive_ms)
{
    if (reader->pending->len == 0 && !wait_for_text(reader, keepalive_ms))
        return -1;
    size_t n = MIN(max, reader->pending->len);
    memcpy(buf, reader->pending->str, n);
    g_string_erase(reader->pending, 0, (gssize)n);
    return (ssize_t)n;
}
