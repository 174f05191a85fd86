/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * An encoded stream: a channel, or a console's return feed. The point where
 * each Opus frame fans out to the stream's SRTP outputs (the shared key protected
 * once for all that share it, one protect per output with a key of its own) and
 * to its subscribers (WebRTC listeners, keyed per peer by DTLS). Nothing is
 * encoded here: a listener costs encryption and sending only.
 *
 * Threads: tolk_stream_push runs on a media thread; the rest on control
 * threads. After tolk_stream_unsubscribe returns, the callback is never called
 * again for that subscription, so its context may be freed.
 */
#ifndef TOLK_STREAM_H
#define TOLK_STREAM_H

#include <glib.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "srtp_sender.h"

#define TOLK_OUTPUT_PAYLOAD_TYPE 111

typedef void (*tolk_frame_fn)(void *ctx, const guint8 *data, gsize size, guint64 pts_ns);

typedef struct tolk_stream tolk_stream;

tolk_stream *tolk_stream_new(const uint8_t key[TOLK_KEY_LEN]);
/* A stream that continues one from before a restart at start (srtp_sender.h); NULL: a new one. */
tolk_stream *tolk_stream_new_at(const uint8_t key[TOLK_KEY_LEN], const tolk_srtp_position *start);
void tolk_stream_free(tolk_stream *stream);

tolk_srtp_sender *tolk_stream_sender(tolk_stream *stream);
void tolk_stream_push(tolk_stream *stream, const guint8 *data, gsize size, guint64 pts_ns);

/* Returns a subscription id (> 0). */
guint tolk_stream_subscribe(tolk_stream *stream, tolk_frame_fn fn, void *ctx);
void tolk_stream_unsubscribe(tolk_stream *stream, guint id);
/* A counter bumped whenever a subscriber comes or goes (the owner bumps it for SRTP
 * destinations it adds or removes): the tick re-reads who consumes a sitting's streams only
 * when it moved. */
void tolk_stream_set_change_counter(tolk_stream *stream, atomic_uint *counter);
/* Whether anyone takes the frames (an SRTP destination or a subscriber): if not, the
 * stream's mix is not encoded at all. */
bool tolk_stream_consumed(tolk_stream *stream);
/* SRTP destinations plus subscribers. */
int tolk_stream_listener_count(tolk_stream *stream);

#endif
