/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One SRTP (or plain RTP) video source on a port of its own (issue 11, docs/video.md "SRTP
 * video sources"): a hall video system or encoder sends H.264 or VP8 to the port; each datagram
 * is unprotected by the SRTP receiver (srtp_receiver.h: forgeries, replays, garbage refused and
 * counted), its payload type checked, and pushed into the sitting's feed as the source's number
 * (the feed's switch inspects it with video_rtp and drops and counts what does not parse).
 *
 * RTCP is multiplexed on the same port (RFC 5761): the sender's SRTCP is authenticated and
 * taken, never media. A key frame request sends a reduced-size (RFC 5506) SRTCP compound of a
 * PLI (RFC 4585) and a FIR (RFC 5104), protected with the source's key under Tolk's own SSRC,
 * to the address and port the last admitted media packet came from (symmetric RTP, RFC 4961).
 *
 * One sender at a time: the first admitted SSRC is the source; another authenticated SSRC is
 * dropped and counted while the first still sends, and takes over once it has been quiet
 * TOLK_VIDEO_FEED_HANDOVER_US (an encoder restarted with a new SSRC). The feed has the same rule
 * for every source; the input keeps its own because its admitted sender is also where the
 * feedback goes. A plain input (no key, only with --allow-plain-rtp) has no authentication and
 * so no replay protection.
 *
 * Threads: the input has its own receive thread (a flood on its port costs that thread, never
 * another input or the tick). new, free, rekey, positions and stats on control threads;
 * request_keyframe on any thread: it only marks the request and wakes the receive thread,
 * which sends it, so it never waits (the feed asks from inside this input's own push). free
 * is a barrier: the thread is joined, nothing of the input reaches the feed after it returns.
 */
#ifndef TOLK_MEDIA_VIDEO_INPUT_H
#define TOLK_MEDIA_VIDEO_INPUT_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "srtp_receiver.h"
#include "video_feed.h"


typedef struct tolk_video_input tolk_video_input;

typedef struct {
    const char *sitting, *name;   /* for log lines; copied */
    GSocket *socket;              /* bound; a reference is taken, the input closes it when freed */
    const uint8_t *key;           /* TOLK_KEY_LEN bytes, copied; NULL: plain RTP */
    int payload_type;             /* what the sender was told (its SDP); other types are dropped */
    tolk_video_feed *feed;        /* must outlive the input */
    int source;                   /* the feed's source number */
    /* A restart under the same key: the senders of before continue (srtp_receiver.h). */
    const tolk_srtp_receiver_position *senders;
    int sender_count;
} tolk_video_input_config;

typedef struct {
    uint64_t received;            /* datagrams read */
    uint64_t media;               /* admitted RTP pushed into the feed */
    uint64_t not_rtp;             /* neither RTP nor RTCP, or an RTP header that does not parse */
    uint64_t auth_failed;         /* SRTP that did not authenticate (wrong key, forged, truncated) */
    uint64_t replayed;            /* SRTP already seen or too old */
    uint64_t rtcp;                /* RTCP taken (authenticated, for SRTP) */
    uint64_t rtcp_failed;         /* SRTCP that did not authenticate */
    uint64_t second_sender;       /* another SSRC while the first still sends (or refused by SRTP) */
    uint64_t wrong_payload_type;  /* admitted RTP of another payload type */
    uint64_t oversized;           /* datagrams over the input's buffer */
    uint64_t keyframe_requests;   /* asked by the feed */
    uint64_t keyframe_sent;       /* PLI+FIR packets sent */
    uint64_t keyframe_unsent;     /* nobody to send to yet, or the send failed */
} tolk_video_input_stats;

/* The counters by the names the API and /metrics give them; drop: a cause of refusal. */
typedef struct {
    const char *name;
    size_t offset;
    bool drop;
} tolk_video_input_counter;
#define TOLK_VIDEO_INPUT_COUNTERS 13
extern const tolk_video_input_counter tolk_video_input_counters[TOLK_VIDEO_INPUT_COUNTERS];
uint64_t tolk_video_input_counter_value(const tolk_video_input_stats *stats, int i);

/* The input, its thread started. NULL (logged) on failure; the socket is not closed then. */
tolk_video_input *tolk_video_input_new(const tolk_video_input_config *config);
/* Joins the thread (a barrier), closes the socket, wipes the keys. NULL is allowed. */
void tolk_video_input_free(tolk_video_input *input);

/* Ask the sender for a key frame (above). Any thread, never waits. */
void tolk_video_input_request_keyframe(tolk_video_input *input);
/* A new key between two packets: the senders start afresh (a replay under the old key is
 * refused, as everything under it). False (old key kept) for a plain input or when libsrtp
 * refuses. */
bool tolk_video_input_rekey(tolk_video_input *input, const uint8_t key[TOLK_KEY_LEN]);
/* Where its admitted senders stand, for a restart to continue from (0 for a plain input). */
int tolk_video_input_positions(tolk_video_input *input, tolk_srtp_receiver_position *out, int max);
void tolk_video_input_get_stats(tolk_video_input *input, tolk_video_input_stats *stats);

#endif
