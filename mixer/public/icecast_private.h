/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Inside an Icecast source, shared by its files: the object (icecast_source.c), its
 * connection (icecast_link.c, the Icecast thread's only), the thread (icecast_thread.c) and
 * the listener poll (icecast_listeners.c).
 * Threads: `lock` guards the queue and the status, held for a copy only (a media thread
 * takes it); `link` is the Icecast thread's alone; `active` and `released` are atomics the
 * control side sets and the thread reads; the reference count keeps the object for
 * whichever thread lets go last.
 */
#ifndef TOLK_PUBLIC_ICECAST_PRIVATE_H
#define TOLK_PUBLIC_ICECAST_PRIVATE_H

#include <shout/shout.h>
#include <stdatomic.h>

#include "icecast_source.h"
#include "ogg_opus_stream.h"

#define TOLK_ICECAST_QUEUE 128        /* frames: 2.5 s of 20 ms frames */
#define TOLK_ICECAST_FRAME_MAX 1280   /* an Opus frame is 1275 bytes at most */
#define TOLK_ICECAST_PAGE_NS 100000000ULL /* 100 ms of audio per Ogg page: latency over overhead */
#define TOLK_ICECAST_SEND_QUEUE_MAX (256 * 1024) /* bytes libshout holds unsent: past it the server is too slow */
#define TOLK_ICECAST_CONNECT_TIMEOUT_US (10 * G_USEC_PER_SEC)
#define TOLK_ICECAST_BACKOFF_MAX_S 30
#define TOLK_ICECAST_LOG_EVERY_US (60 * G_USEC_PER_SEC)

typedef struct {
    guint16 size;
    guint64 pts_ns;
    guint8 data[TOLK_ICECAST_FRAME_MAX];
} icecast_frame;

typedef struct {
    shout_t *shout;                 /* made at the first attempt, kept for every later one */
    bool open;                      /* connecting or connected */
    bool connected;                 /* past the login: streaming */
    tolk_ogg_opus_stream *ogg;
    tolk_ogg_opus_stats ogg_stats;
    gint64 opened_us;               /* monotonic: when the connection began */
    gint64 retry_us;                /* monotonic: no new connection before */
    int backoff_s;
    bool ever_connected;
    gint64 failure_logged_us;       /* monotonic: the last failure line, 0 none since streaming */
    char send_error[TOLK_ICECAST_ERROR_SIZE]; /* set by the page sink */
} icecast_link;

struct tolk_icecast_source {
    gatomicrefcount refs;
    tolk_icecast_config cfg;
    tolk_icecast_target target;
    char *sitting, *channel;
    /* control side */
    tolk_stream *stream;
    guint subscription;
    atomic_bool active;
    atomic_bool released;
    /* under lock */
    GMutex lock;
    icecast_frame *queue;           /* ring of TOLK_ICECAST_QUEUE */
    unsigned head, count;
    tolk_icecast_status status;
    /* the Icecast thread's */
    icecast_link link;
};

tolk_icecast_source *tolk_icecast_source_ref(tolk_icecast_source *src);
void tolk_icecast_source_unref(tolk_icecast_source *src);
/* Under the lock: the oldest queued frame copied into f, false when the queue is empty. */
bool tolk_icecast_source_pop(tolk_icecast_source *src, icecast_frame *f);
void tolk_icecast_source_set_state(tolk_icecast_source *src, tolk_icecast_state state, const char *error);
void tolk_icecast_source_add_bytes(tolk_icecast_source *src, uint64_t bytes);
void tolk_icecast_source_set_listeners(tolk_icecast_source *src, int listeners);

/* icecast_link.c: one step of the connection (the Icecast thread, every few ms), and its end. */
void tolk_icecast_link_step(tolk_icecast_source *src, gint64 now_us);
void tolk_icecast_link_close(tolk_icecast_source *src);

/* icecast_thread.c: the source joins the thread's list (the thread holds a reference). */
void tolk_icecast_thread_add(tolk_icecast_source *src);
/* A snapshot of the sources now (each referenced: unref them, then free the array). */
GPtrArray *tolk_icecast_thread_sources(void);

/* icecast_listeners.c: the listeners thread's loop (started by icecast_thread.c). */
gpointer tolk_icecast_listeners_main(gpointer unused);

#endif
