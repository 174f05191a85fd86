/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A session's event hub for server-sent events: every change is published once
 * with a sequence number; each connected reader writes it in the text/event-stream
 * format. Readers never block: one with nothing to write leaves a wake callback,
 * which the next publish (or the close) calls, so a waiting reader costs no thread.
 *
 * Threads: any. The hub's lock guards the ring and the waiting readers; wake
 * callbacks run under it (they must not call back into the hub). A reader is used
 * by one thread at a time. The hub is refcounted because a reader (a client still
 * following the events) may outlive its session: closing the hub wakes every reader
 * and ends its stream.
 * "session" events carry no data when published: the session is rendered as a
 * reader's view shows it (keys for the operator only), through the view's callback,
 * once per view and change: the first reader of a view renders it, the hub keeps the
 * text with the event, and every other reader of that view writes the kept text.
 */
#ifndef TOLK_HUB_H
#define TOLK_HUB_H

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct tolk_hub tolk_hub;
typedef struct tolk_hub_reader tolk_hub_reader;

#define TOLK_HUB_VIEWS 2 /* view kinds whose renderings the hub keeps per event */

/* How a reader sees the session. Both callbacks run without any hub lock held. */
typedef struct {
    unsigned kind; /* < TOLK_HUB_VIEWS; readers of one kind share one rendering */
    /* The current session JSON in this view; NULL ends the stream (the session or
     * the token is gone). */
    char *(*render)(void *ctx);
    /* Whether the reader may still follow (its session and token exist); false ends
     * the stream. Asked before a kept rendering is written. */
    bool (*admit)(void *ctx);
} tolk_hub_view;

tolk_hub *tolk_hub_new(void);
tolk_hub *tolk_hub_ref(tolk_hub *hub);
void tolk_hub_unref(tolk_hub *hub);
/* Wakes every waiting reader; they end their streams. Publishing after close does nothing. */
void tolk_hub_close(tolk_hub *hub);

/* Publishes an event; takes data (NULL for "session": readers render it). */
void tolk_hub_publish(tolk_hub *hub, const char *event, json_object *data);
/* Whether any reader is open now: events nobody would read may be left unmade (levels). */
bool tolk_hub_has_readers(tolk_hub *hub);
/* Shorthand: the session's state changed. */
void tolk_hub_session_changed(tolk_hub *hub);

/* A reader starts with a "session" event (rendered for it alone), then follows the
 * hub. Takes a hub ref; view must outlive the reader; view_ctx is freed with
 * free_ctx when the reader is freed. */
tolk_hub_reader *tolk_hub_reader_new(tolk_hub *hub, const tolk_hub_view *view, void *view_ctx,
                                     void (*free_ctx)(void *));
typedef void (*tolk_hub_wake_fn)(void *ctx);

/* Never blocks. Writes what is due to buf and returns its length: events, or with
 * idle a keepalive comment when there is no event. With nothing due returns 0 and
 * keeps wake: wake(wake_ctx) is called once, from the publishing (or closing)
 * thread, when there is something. -1 when the stream ends. */
ssize_t tolk_hub_read(tolk_hub_reader *reader, char *buf, size_t max, bool idle, tolk_hub_wake_fn wake,
                      void *wake_ctx);
/* After this returns, the reader's wake is no longer called. */
void tolk_hub_reader_free(tolk_hub_reader *reader);

#endif
