/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What the layers above media may know of an input, without GStreamer: its
 * opaque handle (for a WebRTC peer to push into) and its counters.
 *
 * Threads: plain data; tolk_media_input_state and tolk_input_state_name are pure.
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
    gint64 dropping_since_us;     /* when the drops going on now began (none 0.5 s apart) */
    gint64 last_audible_us;       /* of the last frame played above digital silence */
    /* The reorder buffer: packets that came after their turn, never came (concealed), came
     * back from the next packet's FEC; frames made by PLC, frames skipped to shorten the
     * queue; interarrival jitter (RFC 3550) and the audio queued now. */
    uint64_t late, lost, fec_recovered, concealed, skipped;
    double jitter_ms;
    unsigned depth_ms;
} tolk_media_input_stats;

/* An input's health (docs/operations.md has the technician's side of each):
 * receiving: decodable packets in the last 0.5 s, and audio above digital silence in them;
 * silent: decodable packets that carry digital silence or DTX, a pause shorter than the lost
 *   timeout, or an input that has never sent;
 * lost: it sent decodable packets, then nothing decodable for the lost timeout;
 * failing: no decodable packets in the last 0.5 s, but dropped ones (wrong key, replays, not
 *   Opus, a second sender) without a break of 0.5 s for a second or longer.
 * Zero is silent: the state of an input nobody has heard yet. */
typedef enum { TOLK_INPUT_SILENT, TOLK_INPUT_RECEIVING, TOLK_INPUT_LOST, TOLK_INPUT_FAILING } tolk_input_state;
#define TOLK_INPUT_STATES 4
/* How recent "in the last" is for receiving and failing, and how long drops must go on. */
#define TOLK_INPUT_RECENT_US (500 * 1000)
#define TOLK_INPUT_FAILING_AFTER_US (1000 * 1000)

tolk_input_state tolk_media_input_state(const tolk_media_input_stats *stats, gint64 now_us, gint64 lost_timeout_us);
/* "receiving", "silent", "lost", "failing". */
const char *tolk_input_state_name(tolk_input_state state);

#endif
