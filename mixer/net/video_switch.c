/* SPDX-License-Identifier: EUPL-1.2 */
#include "video_switch.h"

#include "rtp_header.h"

void tolk_video_switch_init(tolk_video_switch *sw, tolk_video_codec codec, uint32_t ssrc, uint16_t first_seq,
                            uint32_t first_timestamp)
{
    *sw = (tolk_video_switch){.codec = codec, .ssrc = ssrc};
    atomic_init(&sw->chosen, -1);
    atomic_init(&sw->live, -1);
    /* The line's "previous packet": the first one sent follows it. */
    sw->last_seq = (uint16_t)(first_seq - 1);
    sw->last_timestamp = first_timestamp;
}

void tolk_video_switch_select(tolk_video_switch *sw, int source)
{
    atomic_store(&sw->chosen, source);
}

int tolk_video_switch_live(tolk_video_switch *sw)
{
    return atomic_load(&sw->live);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* The new source's first packet continues the line: the next sequence number, and a timestamp
 * as far after the last one as real time went by (at least one tick, so it is a new frame). */
static void join_line(tolk_video_switch *sw, const tolk_video_packet *pkt, int64_t now_us)
{
    uint32_t elapsed = 1;
    if (sw->started && now_us > sw->last_sent_us)
        elapsed += (uint32_t)((now_us - sw->last_sent_us) * (TOLK_VIDEO_CLOCK_RATE / 1000) / 1000);
    sw->seq_offset = (uint16_t)(sw->last_seq + 1 - pkt->seq);
    sw->timestamp_offset = sw->last_timestamp + elapsed - pkt->timestamp;
}

static void rewrite(tolk_video_switch *sw, uint8_t *packet, const tolk_video_packet *pkt, int64_t now_us)
{
    uint16_t seq = (uint16_t)(pkt->seq + sw->seq_offset);
    uint32_t timestamp = pkt->timestamp + sw->timestamp_offset;
    put16(packet + 2, seq);
    put32(packet + 4, timestamp);
    put32(packet + 8, sw->ssrc);
    /* Only a packet later than the line's last moves it on (a late one keeps its gap). */
    if (!sw->started || (int16_t)(seq - sw->last_seq) > 0) {
        sw->last_seq = seq;
        sw->last_timestamp = timestamp;
        sw->last_sent_us = now_us;
    }
    sw->started = true;
}

tolk_video_verdict tolk_video_switch_push(tolk_video_switch *sw, int source, uint8_t *packet, size_t len,
                                          int64_t now_us, tolk_video_packet *info)
{
    tolk_video_packet pkt;
    if (tolk_video_rtp_inspect(sw->codec, packet, len, &pkt) < 0) {
        atomic_fetch_add(&sw->invalid, 1);
        return TOLK_VIDEO_INVALID;
    }
    if (info)
        *info = pkt;
    /* live is written here only, so a choice made meanwhile is seen at the next packet. */
    int chosen = atomic_load(&sw->chosen), live = atomic_load(&sw->live);
    if (chosen < 0 && live >= 0)
        atomic_store(&sw->live, live = -1);
    if (source != chosen && source != live) {
        atomic_fetch_add(&sw->dropped, 1);
        return TOLK_VIDEO_DROP;
    }
    if (source == chosen && chosen != live) {
        if (!pkt.keyframe) {
            atomic_fetch_add(&sw->dropped, 1);
            /* The old source goes on meanwhile; this one must be asked for a key frame. */
            return TOLK_VIDEO_WANT_KEYFRAME;
        }
        join_line(sw, &pkt, now_us);
        atomic_store(&sw->live, chosen);
        atomic_fetch_add(&sw->switches, 1);
        live = chosen;
    }
    if (source != live) {
        atomic_fetch_add(&sw->dropped, 1);
        return TOLK_VIDEO_DROP;
    }
    rewrite(sw, packet, &pkt, now_us);
    atomic_fetch_add(&sw->forwarded, 1);
    return TOLK_VIDEO_FORWARD;
}
