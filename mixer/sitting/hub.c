/* SPDX-License-Identifier: EUPL-1.2 */
#include "hub.h"

#include <glib.h>
#include <string.h>

#define RING 128 /* events kept for slow readers; an older one is skipped, the state resent */

typedef struct {
    guint64 seq;
    char *event;
    char *data; /* JSON text; NULL for "session" */
    char *views[TOLK_HUB_VIEWS]; /* "session": the renderings made so far, per view kind */
} hub_event;

struct tolk_hub {
    gint refs;
    GMutex lock;
    bool closed;
    GQueue waiting; /* readers that left a wake, through their wait_link */
    guint64 next_seq; /* the sequence number the next event gets */
    unsigned readers;  /* under lock */
    hub_event ring[RING];
};

struct tolk_hub_reader {
    tolk_hub *hub;
    guint64 next_seq;  /* the next event this reader writes */
    bool state_due;    /* write a fresh "session" event first */
    guint64 state_seq; /* the id of the change the due state answers */
    bool state_shared; /* the due state answers a "session" event in the ring: its rendering is shared */
    const tolk_hub_view *view;
    void *view_ctx;
    void (*free_ctx)(void *);
    GString *pending; /* formatted text not yet handed to the connection */
    /* Under the hub lock: in hub->waiting until woken. */
    GList wait_link;
    bool waiting;
    tolk_hub_wake_fn wake;
    void *wake_ctx;
};

tolk_hub *tolk_hub_new(void)
{
    tolk_hub *hub = g_new0(tolk_hub, 1);
    hub->refs = 1;
    hub->next_seq = 1;
    g_mutex_init(&hub->lock);
    g_queue_init(&hub->waiting);
    return hub;
}

static void clear_event(hub_event *e)
{
    g_free(e->event);
    g_free(e->data);
    for (int v = 0; v < TOLK_HUB_VIEWS; v++)
        g_free(e->views[v]);
    memset(e, 0, sizeof *e);
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
    for (int i = 0; i < RING; i++)
        clear_event(&hub->ring[i]);
    g_mutex_clear(&hub->lock);
    g_free(hub);
}

/* Calls and forgets every waiting reader's wake; under the hub lock. */
static void wake_all_locked(tolk_hub *hub)
{
    GList *link;
    while ((link = g_queue_pop_head_link(&hub->waiting))) {
        tolk_hub_reader *reader = link->data;
        reader->waiting = false;
        reader->wake(reader->wake_ctx);
    }
}

void tolk_hub_close(tolk_hub *hub)
{
    g_mutex_lock(&hub->lock);
    hub->closed = true;
    wake_all_locked(hub);
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
    clear_event(slot);
    slot->seq = hub->next_seq++;
    slot->event = g_strdup(event);
    slot->data = text;
    wake_all_locked(hub);
    g_mutex_unlock(&hub->lock);
}

void tolk_hub_session_changed(tolk_hub *hub)
{
    tolk_hub_publish(hub, "session", NULL);
}

tolk_hub_reader *tolk_hub_reader_new(tolk_hub *hub, const tolk_hub_view *view, void *view_ctx,
                                     void (*free_ctx)(void *))
{
    g_return_val_if_fail(view->kind < TOLK_HUB_VIEWS, NULL);
    tolk_hub_reader *reader = g_new0(tolk_hub_reader, 1);
    reader->hub = tolk_hub_ref(hub);
    reader->view = view;
    reader->view_ctx = view_ctx;
    reader->free_ctx = free_ctx;
    reader->state_due = true;
    reader->pending = g_string_new(NULL);
    reader->wait_link.data = reader;
    g_mutex_lock(&hub->lock);
    reader->next_seq = hub->next_seq;
    reader->state_seq = hub->next_seq - 1;
    hub->readers++;
    g_mutex_unlock(&hub->lock);
    return reader;
}

void tolk_hub_reader_free(tolk_hub_reader *reader)
{
    if (!reader)
        return;
    g_mutex_lock(&reader->hub->lock);
    if (reader->waiting)
        g_queue_unlink(&reader->hub->waiting, &reader->wait_link);
    reader->hub->readers--;
    g_mutex_unlock(&reader->hub->lock);
    if (reader->free_ctx)
        reader->free_ctx(reader->view_ctx);
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
        /* Fell behind: skip what was overwritten, resend the whole state first (its id
         * before the events that follow it). */
        reader->next_seq = hub->next_seq - RING;
        reader->state_due = true;
        reader->state_seq = reader->next_seq - 1;
        reader->state_shared = false;
        return true;
    }
    hub_event *e = &hub->ring[reader->next_seq % RING];
    reader->next_seq++;
    if (e->data) {
        format_event(reader->pending, e->seq, e->event, e->data);
    } else {
        reader->state_due = true;
        reader->state_seq = e->seq;
        reader->state_shared = true;
    }
    return true;
}

/* The "session" event the due state answers, while it is still in the ring. */
static hub_event *state_event_locked(tolk_hub_reader *reader)
{
    hub_event *e = &reader->hub->ring[reader->state_seq % RING];
    return reader->state_shared && e->seq == reader->state_seq && !e->data ? e : NULL;
}

/* Writes the view's kept rendering of the due state, if there is one yet. */
static bool write_kept_state(tolk_hub_reader *reader)
{
    g_mutex_lock(&reader->hub->lock);
    hub_event *e = state_event_locked(reader);
    const char *kept = e ? e->views[reader->view->kind] : NULL;
    if (kept)
        format_event(reader->pending, reader->state_seq, "session", kept);
    g_mutex_unlock(&reader->hub->lock);
    return kept != NULL;
}

/* Keeps a rendering for the other readers of the view (the first one made stays). */
static void keep_state(tolk_hub_reader *reader, const char *state)
{
    g_mutex_lock(&reader->hub->lock);
    hub_event *e = state_event_locked(reader);
    if (e && !e->views[reader->view->kind])
        e->views[reader->view->kind] = g_strdup(state);
    g_mutex_unlock(&reader->hub->lock);
}

static bool render_state(tolk_hub_reader *reader)
{
    const tolk_hub_view *view = reader->view;
    if (reader->state_shared && view->admit(reader->view_ctx) && write_kept_state(reader)) {
        reader->state_due = false;
        return true;
    }
    char *state = view->render(reader->view_ctx);
    if (!state)
        return false;
    if (reader->state_shared)
        keep_state(reader, state);
    format_event(reader->pending, reader->state_seq, "session", state);
    g_free(state);
    reader->state_due = false;
    return true;
}

/* Leaves the reader's wake for the next publish; under the hub lock. */
static void wait_locked(tolk_hub_reader *reader, tolk_hub_wake_fn wake, void *wake_ctx)
{
    reader->wake = wake;
    reader->wake_ctx = wake_ctx;
    if (!reader->waiting) {
        reader->waiting = true;
        g_queue_push_tail_link(&reader->hub->waiting, &reader->wait_link);
    }
}

typedef enum { FILL_END = -1, FILL_NOTHING = 0, FILL_TEXT = 1 } fill_result;

/* Fills reader->pending with what is due. */
static fill_result fill(tolk_hub_reader *reader, bool idle, tolk_hub_wake_fn wake, void *wake_ctx)
{
    tolk_hub *hub = reader->hub;
    g_mutex_lock(&hub->lock);
    while (!hub->closed && !reader->state_due && reader->pending->len == 0 && take_next_locked(reader, hub))
        ;
    bool closed = hub->closed;
    bool nothing = !closed && !reader->state_due && reader->pending->len == 0;
    if (nothing && idle) {
        g_string_append(reader->pending, ": keepalive\n\n");
        nothing = false;
    }
    if (nothing)
        wait_locked(reader, wake, wake_ctx);
    g_mutex_unlock(&hub->lock);
    if (closed)
        return FILL_END;
    if (nothing)
        return FILL_NOTHING;
    return !reader->state_due || render_state(reader) ? FILL_TEXT : FILL_END;
}

ssize_t tolk_hub_read(tolk_hub_reader *reader, char *buf, size_t max, bool idle, tolk_hub_wake_fn wake,
                      void *wake_ctx)
{
    if (reader->pending->len == 0) {
        fill_result result = fill(reader, idle, wake, wake_ctx);
        if (result != FILL_TEXT)
            return result;
    }
    size_t n = MIN(max, reader->pending->len);
    memcpy(buf, reader->pending->str, n);
    g_string_erase(reader->pending, 0, (gssize)n);
    return (ssize_t)n;
}

bool tolk_hub_has_readers(tolk_hub *hub)
{
    g_mutex_lock(&hub->lock);
    bool any = hub->readers > 0;
    g_mutex_unlock(&hub->lock);
    return any;
}
