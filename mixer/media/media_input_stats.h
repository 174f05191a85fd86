/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What the layers above media may know of an input, without GStreamer: its
 * opaque handle (for a WebRTC peer to push into) and its counters.
 *
 * Threads: plain data; tolk_media_input_state is pure.
 */
#ifndef TOLK_MEDIA_INPUT_STATS_H
#define TOLK_MEDIA_INPUT_STATS_H

#include <glib.h>
#include <stdint.h>

typedef struct tolk_media_input tolk_media_input;

typedef struct {
    uint64_t received;            /* UDP datagrams that arrived (and pushed WebRTC buffers) */
    uint64_t decoded;             /* Opus packets passed on to the decoder */
    uint64_t dropped_not_rtp;     /* not an RTP or RTCP packet at all */
    uint64_t dropped_auth;        /* RTP that failed SRTP authentication */
    uint64_t dropped_replay;      /* RTP replayed, too old, or of a sender let go under this key */
    uint64_t dropped_sender;      /* authenticated, but the input's sender table was full and busy */
    uint64_t dropped_undecodable; /* authenticated, but not Opus at 48 kHz (see opus_check.h) */
    uint64_t rtcp;                /* multiplexed SRTCP that authenticated */
    uint64_t rtcp_failed;         /* multiplexed SRTCP that did not */
    uint64_t senders_evicted;     /* quiet senders let go for a new one */
    uint64_t rekeys;
    uint64_t restarts;            /* always 0: an input has no chain to restart (kept in the API) */
    gint64 last_valid_us;         /* monotonic time of the last packet decoded, 0 none */
    gint64 last_dropped_us;       /* of the last packet dropped for a cause other than RTCP */
    /* The reorder buffer: packets that came after their turn, never came (concealed), came
     * back from the next packet's FEC; frames made by PLC, frames skipped to shorten the
     * queue; interarrival jitter (RFC 3550) and the audio queued now. */
    uint64_t late, lost, fec_recovered, concealed, skipped;
    double jitter_ms;
    unsigned depth_ms;
} tolk_media_input_stats;

/* "receiving" (good packets in the last second), "failing" (only bad ones), or
 * "silent". */
const char *tolk_media_input_state(const tolk_media_input_stats *stats, gint64 now_us);

#endif
