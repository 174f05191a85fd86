/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * An Icecast source: one public channel's encoded Opus frames, as an Ogg/Opus stream (no
 * second encode), sent to a mount of an Icecast server with libshout in non-blocking mode.
 * Reconnects with backoff (1 s doubling to 30 s) when the server goes away or refuses, with
 * new Ogg headers at every connection; paused while its channel is not public.
 *
 * Threads: new, start, stop, release and status run on control threads (under the app
 * lock). The stream's subscription callback (a media thread) only copies the frame into a
 * bounded queue under a short mutex, dropping and counting it when the queue is full; all
 * network I/O runs on the one Icecast thread of the process (icecast_thread.c), and the
 * listener count is read on the listeners thread (icecast_listeners.c): a slow or dead
 * Icecast never touches the audio. After release the caller must not use the source again;
 * the Icecast thread closes its connection and frees it.
 */
#ifndef TOLK_PUBLIC_ICECAST_SOURCE_H
#define TOLK_PUBLIC_ICECAST_SOURCE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "icecast_url.h"
#include "stream.h"

#define TOLK_ICECAST_USER_SIZE 64
#define TOLK_ICECAST_PASSWORD_SIZE 256
#define TOLK_ICECAST_NAME_SIZE 256
#define TOLK_ICECAST_DESCRIPTION_SIZE 1024
#define TOLK_ICECAST_ERROR_SIZE 256

/* What the operator configures (PUT .../icecast). The password is a secret: kept here and
 * in the state record only, wiped when the source goes. */
typedef struct {
    char url[TOLK_ICECAST_URL_SIZE];
    char user[TOLK_ICECAST_USER_SIZE];             /* "source" by default */
    char password[TOLK_ICECAST_PASSWORD_SIZE];
    char listen_url[TOLK_ICECAST_URL_SIZE];        /* "" for the server's URL of the mount */
    char name[TOLK_ICECAST_NAME_SIZE];             /* stream metadata, "" for none */
    char description[TOLK_ICECAST_DESCRIPTION_SIZE];
} tolk_icecast_config;

typedef enum {
    TOLK_ICECAST_CONNECTING,
    TOLK_ICECAST_STREAMING,
    TOLK_ICECAST_FAILING,
    TOLK_ICECAST_PAUSED,
} tolk_icecast_state;

/* A copy of where the source stands, for the views. */
typedef struct {
    tolk_icecast_state state;
    gint64 since_us;     /* wall clock of the last state change */
    uint64_t bytes;      /* sent to the server, over all connections */
    uint64_t reconnects; /* connections made after the first */
    uint64_t dropped;    /* frames dropped because the queue was full */
    int listeners;       /* from the server's status page; -1 when unknown */
    char last_error[TOLK_ICECAST_ERROR_SIZE]; /* "" for none yet */
} tolk_icecast_status;

typedef struct tolk_icecast_source tolk_icecast_source;

const char *tolk_icecast_state_name(tolk_icecast_state state);

/* A new source, paused until started; sitting and channel name it in the log and the Opus
 * tags. cfg->url must parse (tolk_icecast_url_parse). */
tolk_icecast_source *tolk_icecast_source_new(const tolk_icecast_config *cfg, const char *sitting,
                                             const char *channel);
/* Takes the stream's frames (the channel is public): the Icecast thread connects. */
void tolk_icecast_source_start(tolk_icecast_source *src, tolk_stream *stream);
/* Stops taking frames (the channel is no longer public): the thread disconnects. */
void tolk_icecast_source_stop(tolk_icecast_source *src);
/* Stops, and hands the source to the Icecast thread to close and free. NULL is ignored. */
void tolk_icecast_source_release(tolk_icecast_source *src);

const tolk_icecast_config *tolk_icecast_source_config(const tolk_icecast_source *src);
/* What listeners open: the configured listen_url or the server's URL of the mount. */
void tolk_icecast_source_listen_url(const tolk_icecast_source *src, char *out, size_t size);
void tolk_icecast_source_status(tolk_icecast_source *src, tolk_icecast_status *out);

#endif
