/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The floor video of a sitting, fanned out to its viewers (issue 11): packets of its sources go
 * through the switch (video_switch.h) onto one line, and each packet of the line to every
 * viewer (a WHEP peer's video appsrc, a recorder). Nothing is decoded. A viewer that cannot
 * take a packet (its queue is full: a slow link) is left out from there until the next key
 * frame, so it drops whole frames and never sees a broken picture, and nobody else waits for
 * it. Key frame requests (a viewer that joins or lost packets, a switch waiting for the chosen
 * source) are merged (keyframe_requests.h) and handed to the owner's `ask` for the live or
 * chosen source, at most once per interval. A source is one RTP stream: packets of a second
 * SSRC while the first one sends (a publisher's simulcast layers it was not asked for, a second
 * encoder on the same address) are dropped and counted; a new SSRC takes over once the old one
 * has been quiet for TOLK_VIDEO_FEED_HANDOVER_US (an encoder restarted).
 *
 * Threads: new/free, subscribe/unsubscribe, select on control threads; push on any media
 * thread (each source has its own; pushes are serialised); request_keyframe and tick on any
 * thread. The subscriptions' lock is held
 * while calling them, so unsubscribe is a barrier: once it returns, fn is never called again
 * for it. `ask` is called without any of the feed's locks, from the thread that pushed, asked
 * or ticked (so perhaps from inside a source's own push callback): it must only hand the
 * request on (a PLI to send, an event to post), never wait.
 */
#ifndef TOLK_MEDIA_VIDEO_FEED_H
#define TOLK_MEDIA_VIDEO_FEED_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "keyframe_requests.h"
#include "video_switch.h"

/* Sources a feed takes (numbered 0..TOLK_VIDEO_MAX_SOURCES-1): a sitting's cameras, encoders, slides. */
#define TOLK_VIDEO_MAX_SOURCES 8

/* At most one key frame request to a source per this (a viewer's PLI storm, 72 joining). */
#define TOLK_VIDEO_KEYFRAME_INTERVAL_US (500 * 1000)

/* A source's new SSRC is taken once its old one has been quiet this long. */
#define TOLK_VIDEO_FEED_HANDOVER_US (500 * 1000)

/* A viewer takes a packet of the line: false when it cannot now (its queue is full). */
typedef bool (*tolk_video_packet_fn)(void *ctx, const uint8_t *rtp, size_t len);
/* Ask this source for a key frame. */
typedef void (*tolk_video_ask_fn)(void *ctx, int source);

typedef struct tolk_video_feed tolk_video_feed;

typedef struct {
    uint64_t forwarded;    /* packets put on the line */
    uint64_t delivered;    /* packets handed to viewers, over all of them */
    uint64_t skipped;      /* packets a viewer missed: its queue was full, or it waits for a key frame */
    uint64_t asked, sent;  /* key frame requests made, and sent to a source */
    uint64_t switches;
    int live;              /* the source on the line, -1 none */
    int viewers;
} tolk_video_feed_stats;

/* ssrc: the line's; its sequence and timestamp start at random. */
tolk_video_feed *tolk_video_feed_new(tolk_video_codec codec, uint32_t ssrc, tolk_video_ask_fn ask, void *ask_ctx);
void tolk_video_feed_free(tolk_video_feed *feed);
tolk_video_codec tolk_video_feed_codec(const tolk_video_feed *feed);
uint32_t tolk_video_feed_ssrc(const tolk_video_feed *feed);

/* A new viewer waits for a key frame, which is asked for. Returns its id (> 0). */
guint tolk_video_feed_subscribe(tolk_video_feed *feed, tolk_video_packet_fn fn, void *ctx, int64_t now_us);
void tolk_video_feed_unsubscribe(tolk_video_feed *feed, guint id);

/* The operator's choice of source (-1: no picture); the switch asks it for a key frame. */
void tolk_video_feed_select(tolk_video_feed *feed, int source, int64_t now_us);
/* A packet of a source (rewritten in place when it goes on the line). */
void tolk_video_feed_push(tolk_video_feed *feed, int source, uint8_t *rtp, size_t len, int64_t now_us);
/* A viewer asks for a key frame (its RTCP PLI or FIR). */
void tolk_video_feed_request_keyframe(tolk_video_feed *feed, int64_t now_us);
/* The owner's timer: sends a held request when it falls due; when the next one is due, or
 * INT64_MAX. */
int64_t tolk_video_feed_tick(tolk_video_feed *feed, int64_t now_us);

void tolk_video_feed_get_stats(tolk_video_feed *feed, tolk_video_feed_stats *out);

/* What came from one source, live or not (the operator sees which sources are receiving). */
typedef struct {
    uint64_t packets;     /* pushed, valid or not */
    uint64_t keyframes;   /* packets a decoder can start at */
    uint64_t invalid;     /* not a packet of the feed's codec: dropped */
    uint64_t second_stream; /* of another SSRC while the source's stream sends: dropped */
    int64_t last_us;      /* monotonic time of the last packet, 0 never */
} tolk_video_source_stats;
/* Zeros for a source out of range or never heard. */
void tolk_video_feed_source_stats(tolk_video_feed *feed, int source, tolk_video_source_stats *out);
/* Forget a source's counts (its number is given to a new source). */
void tolk_video_feed_reset_source(tolk_video_feed *feed, int source);

#endif
