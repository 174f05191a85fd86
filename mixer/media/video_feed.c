/* SPDX-License-Identifier: EUPL-1.2 */
#include "video_feed.h"

#include <stdatomic.h>

#include "rtp_header.h"

typedef struct {
    atomic_uint_fast64_t packets, keyframes, invalid, second_stream;
    _Atomic int64_t last_us;
} source_counts;

/* A source's RTP stream (under push_lock): its SSRC and when it last sent. */
typedef struct {
    uint32_t ssrc;
    int64_t last_us; /* 0: none yet */
} source_stream;

typedef struct {
    guint id;
    tolk_video_packet_fn fn;
    void *ctx;
    bool waiting; /* for a key frame: joined, or missed a packet */
} viewer;

struct tolk_video_feed {
    GMutex push_lock; /* serialises pushes: the switch takes one at a time, sources are many */
    tolk_video_switch line;
    tolk_video_ask_fn ask;
    void *ask_ctx;
    GMutex lock; /* guards viewers; held while calling them */
    GArray *viewers;
    guint next_id;
    GMutex requests_lock; /* guards requests, never held across ask */
    tolk_keyframe_requests requests;
    atomic_uint_fast64_t delivered, skipped;
    source_counts sources[TOLK_VIDEO_MAX_SOURCES];
    source_stream streams[TOLK_VIDEO_MAX_SOURCES]; /* under push_lock */
};

tolk_video_feed *tolk_video_feed_new(tolk_video_codec codec, uint32_t ssrc, tolk_video_ask_fn ask, void *ask_ctx)
{
    tolk_video_feed *feed = g_new0(tolk_video_feed, 1);
    tolk_video_switch_init(&feed->line, codec, ssrc, (uint16_t)g_random_int(), g_random_int());
    feed->ask = ask;
    feed->ask_ctx = ask_ctx;
    g_mutex_init(&feed->push_lock);
    g_mutex_init(&feed->lock);
    g_mutex_init(&feed->requests_lock);
    feed->viewers = g_array_new(FALSE, FALSE, sizeof(viewer));
    tolk_keyframe_requests_init(&feed->requests, TOLK_VIDEO_KEYFRAME_INTERVAL_US);
    return feed;
}

void tolk_video_feed_free(tolk_video_feed *feed)
{
    if (!feed)
        return;
    g_array_unref(feed->viewers);
    g_mutex_clear(&feed->push_lock);
    g_mutex_clear(&feed->lock);
    g_mutex_clear(&feed->requests_lock);
    g_free(feed);
}

tolk_video_codec tolk_video_feed_codec(const tolk_video_feed *feed)
{
    return feed->line.codec;
}

uint32_t tolk_video_feed_ssrc(const tolk_video_feed *feed)
{
    return feed->line.ssrc;
}

/* The source to ask: the chosen one (a switch waits for it), else the one on the line. */
static int source_to_ask(tolk_video_feed *feed)
{
    int chosen = atomic_load(&feed->line.chosen);
    return chosen >= 0 ? chosen : tolk_video_switch_live(&feed->line);
}

static void ask_for_keyframe(tolk_video_feed *feed, int64_t now_us)
{
    g_mutex_lock(&feed->requests_lock);
    bool now = tolk_keyframe_requests_ask(&feed->requests, now_us);
    g_mutex_unlock(&feed->requests_lock);
    int source = source_to_ask(feed);
    if (now && source >= 0)
        feed->ask(feed->ask_ctx, source);
}

guint tolk_video_feed_subscribe(tolk_video_feed *feed, tolk_video_packet_fn fn, void *ctx, int64_t now_us)
{
    g_mutex_lock(&feed->lock);
    viewer v = {++feed->next_id, fn, ctx, true};
    g_array_append_val(feed->viewers, v);
    g_mutex_unlock(&feed->lock);
    ask_for_keyframe(feed, now_us);
    return v.id;
}

void tolk_video_feed_unsubscribe(tolk_video_feed *feed, guint id)
{
    g_mutex_lock(&feed->lock);
    for (guint i = 0; i < feed->viewers->len; i++) {
        if (g_array_index(feed->viewers, viewer, i).id == id) {
            g_array_remove_index_fast(feed->viewers, i);
            break;
        }
    }
    g_mutex_unlock(&feed->lock);
}

void tolk_video_feed_select(tolk_video_feed *feed, int source, int64_t now_us)
{
    tolk_video_switch_select(&feed->line, source);
    if (source >= 0)
        ask_for_keyframe(feed, now_us);
}

/* Every viewer gets the packet, but one waiting for a key frame only from a key frame on; one
 * that cannot take it waits from here. True when one of them must now wait. */
static bool deliver(tolk_video_feed *feed, const uint8_t *rtp, size_t len, bool keyframe)
{
    bool newly_waiting = false;
    g_mutex_lock(&feed->lock);
    for (guint i = 0; i < feed->viewers->len; i++) {
        viewer *v = &g_array_index(feed->viewers, viewer, i);
        if (v->waiting && !keyframe) {
            atomic_fetch_add(&feed->skipped, 1);
            continue;
        }
        v->waiting = !v->fn(v->ctx, rtp, len);
        newly_waiting |= v->waiting;
        atomic_fetch_add(v->waiting ? &feed->skipped : &feed->delivered, 1);
    }
    g_mutex_unlock(&feed->lock);
    return newly_waiting;
}

static void count_source(tolk_video_feed *feed, int source, tolk_video_verdict verdict, bool keyframe,
                         int64_t now_us)
{
    if (source < 0 || source >= TOLK_VIDEO_MAX_SOURCES)
        return;
    source_counts *c = &feed->sources[source];
    atomic_fetch_add(&c->packets, 1);
    atomic_store(&c->last_us, now_us);
    if (verdict == TOLK_VIDEO_INVALID)
        atomic_fetch_add(&c->invalid, 1);
    else if (keyframe)
        atomic_fetch_add(&c->keyframes, 1);
}

/* Under push_lock: one stream per source; a newcomer takes over once the current one went quiet.
 * A packet too short for an SSRC is the switch's to refuse. */
static bool stream_admitted(tolk_video_feed *feed, int source, const uint8_t *rtp, size_t len, int64_t now_us)
{
    if (source < 0 || source >= TOLK_VIDEO_MAX_SOURCES || len < TOLK_RTP_HEADER_LEN)
        return true;
    source_stream *st = &feed->streams[source];
    uint32_t ssrc = tolk_packet_ssrc(rtp, TOLK_PACKET_RTP);
    if (ssrc != st->ssrc && st->last_us && now_us - st->last_us < TOLK_VIDEO_FEED_HANDOVER_US) {
        atomic_fetch_add(&feed->sources[source].second_stream, 1);
        return false;
    }
    *st = (source_stream){.ssrc = ssrc, .last_us = now_us};
    return true;
}

/* Under push_lock: true when a key frame must be asked for (after the lock). */
static bool push_locked(tolk_video_feed *feed, int source, uint8_t *rtp, size_t len, int64_t now_us)
{
    if (!stream_admitted(feed, source, rtp, len, now_us))
        return false;
    tolk_video_packet pkt = {0};
    tolk_video_verdict verdict = tolk_video_switch_push(&feed->line, source, rtp, len, now_us, &pkt);
    count_source(feed, source, verdict, pkt.keyframe, now_us);
    if (verdict != TOLK_VIDEO_FORWARD)
        return verdict == TOLK_VIDEO_WANT_KEYFRAME;
    if (pkt.keyframe) {
        g_mutex_lock(&feed->requests_lock);
        tolk_keyframe_requests_keyframe(&feed->requests);
        g_mutex_unlock(&feed->requests_lock);
    }
    return deliver(feed, rtp, len, pkt.keyframe);
}

void tolk_video_feed_push(tolk_video_feed *feed, int source, uint8_t *rtp, size_t len, int64_t now_us)
{
    g_mutex_lock(&feed->push_lock);
    bool ask = push_locked(feed, source, rtp, len, now_us);
    g_mutex_unlock(&feed->push_lock);
    if (ask)
        ask_for_keyframe(feed, now_us);
}

void tolk_video_feed_request_keyframe(tolk_video_feed *feed, int64_t now_us)
{
    ask_for_keyframe(feed, now_us);
}

int64_t tolk_video_feed_tick(tolk_video_feed *feed, int64_t now_us)
{
    g_mutex_lock(&feed->requests_lock);
    bool due = tolk_keyframe_requests_due(&feed->requests, now_us);
    int64_t next = tolk_keyframe_requests_next_us(&feed->requests);
    g_mutex_unlock(&feed->requests_lock);
    int source = source_to_ask(feed);
    if (due && source >= 0)
        feed->ask(feed->ask_ctx, source);
    return next;
}

void tolk_video_feed_get_stats(tolk_video_feed *feed, tolk_video_feed_stats *out)
{
    g_mutex_lock(&feed->requests_lock);
    out->asked = feed->requests.asked;
    out->sent = feed->requests.sent;
    g_mutex_unlock(&feed->requests_lock);
    g_mutex_lock(&feed->lock);
    out->viewers = (int)feed->viewers->len;
    g_mutex_unlock(&feed->lock);
    out->forwarded = atomic_load(&feed->line.forwarded);
    out->switches = atomic_load(&feed->line.switches);
    out->live = tolk_video_switch_live(&feed->line);
    out->delivered = atomic_load(&feed->delivered);
    out->skipped = atomic_load(&feed->skipped);
}

void tolk_video_feed_source_stats(tolk_video_feed *feed, int source, tolk_video_source_stats *out)
{
    *out = (tolk_video_source_stats){0};
    if (source < 0 || source >= TOLK_VIDEO_MAX_SOURCES)
        return;
    source_counts *c = &feed->sources[source];
    out->packets = atomic_load(&c->packets);
    out->keyframes = atomic_load(&c->keyframes);
    out->invalid = atomic_load(&c->invalid);
    out->second_stream = atomic_load(&c->second_stream);
    out->last_us = atomic_load(&c->last_us);
}

void tolk_video_feed_reset_source(tolk_video_feed *feed, int source)
{
    if (source < 0 || source >= TOLK_VIDEO_MAX_SOURCES)
        return;
    source_counts *c = &feed->sources[source];
    atomic_store(&c->packets, 0);
    atomic_store(&c->keyframes, 0);
    atomic_store(&c->invalid, 0);
    atomic_store(&c->second_stream, 0);
    atomic_store(&c->last_us, 0);
    g_mutex_lock(&feed->push_lock);
    feed->streams[source] = (source_stream){0};
    g_mutex_unlock(&feed->push_lock);
}
