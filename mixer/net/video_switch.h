/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The floor video of a sitting (issue 11): RTP packets from its sources (a speaker's WHIP
 * camera, a hall encoder, the slides), one of which is live, forwarded without decoding on one
 * outgoing line (an SSRC, a sequence and a timestamp of its own), so every viewer sees one
 * stream whichever source is live. The operator's choice takes effect at the chosen source's
 * next key frame (video_rtp.h): until then the old source goes on, so viewers never see a
 * broken picture, and the owner asks the new source for a key frame (keyframe_requests.h).
 *
 * Packets are rewritten in place: the SSRC becomes the line's; sequence numbers and timestamps
 * move by an offset fixed at each switch, so a loss at the source stays a gap for the viewers
 * (they ask for a key frame or a retransmission as usual) and the timeline runs on in real
 * time across a switch.
 *
 * Threads: select and the readers from any thread (atomics); push from one media thread at a
 * time (the owner's receive path), which alone moves `live`.
 */
#ifndef TOLK_NET_VIDEO_SWITCH_H
#define TOLK_NET_VIDEO_SWITCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "video_rtp.h"

#define TOLK_VIDEO_CLOCK_RATE 90000

typedef enum {
    TOLK_VIDEO_FORWARD,      /* rewritten: send it to the viewers */
    TOLK_VIDEO_DROP,         /* not the live source, or not yet at a key frame of the chosen one */
    TOLK_VIDEO_WANT_KEYFRAME, /* dropped: the chosen source waits for a key frame; ask it for one */
    TOLK_VIDEO_INVALID,      /* not a packet of the codec (video_rtp.h): dropped, count it */
} tolk_video_verdict;

typedef struct {
    tolk_video_codec codec;
    uint32_t ssrc;            /* the line's */
    _Atomic int chosen;       /* the source the operator chose, -1 none */
    _Atomic int live;         /* the source forwarded now, -1 none */
    /* The push thread's own state. */
    bool started;             /* something was forwarded: the line has a place */
    uint16_t last_seq;        /* the line's last sequence number and timestamp sent, and when */
    uint32_t last_timestamp;
    int64_t last_sent_us;
    uint16_t seq_offset;      /* added to the live source's numbers */
    uint32_t timestamp_offset;
    _Atomic uint64_t forwarded, dropped, invalid, switches;
} tolk_video_switch;

/* first_seq and first_timestamp: where the line starts (random, as RFC 3550 asks). */
void tolk_video_switch_init(tolk_video_switch *sw, tolk_video_codec codec, uint32_t ssrc, uint16_t first_seq,
                            uint32_t first_timestamp);
/* The operator's choice (-1: no picture, from the next packet on); it takes effect at that
 * source's next key frame. */
void tolk_video_switch_select(tolk_video_switch *sw, int source);
int tolk_video_switch_live(tolk_video_switch *sw);

/* A packet of `source` at now_us (monotonic): FORWARD with packet rewritten in place, else one
 * of the drops. *info (may be NULL) gets what video_rtp found in it, unless INVALID. */
tolk_video_verdict tolk_video_switch_push(tolk_video_switch *sw, int source, uint8_t *packet, size_t len,
                                          int64_t now_us, tolk_video_packet *info);

#endif
