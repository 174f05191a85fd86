/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The receive side of one encrypted input: every datagram that reaches the input's port
 * goes through tolk_srtp_receiver_receive, which tells RTP from multiplexed RTCP (RFC 5761),
 * unprotects it with the input's key, and decides whether its sender is admitted.
 *
 * Per-sender state (a libsrtp stream with its replay window) is created only for a packet
 * that authenticates: the session holds an ssrc_any_inbound template, and libsrtp clones a
 * stream from it only after the authentication tag checks out. At most
 * TOLK_SRTP_RECEIVER_SENDERS senders are kept; another authenticated sender takes the place
 * of the least recently heard one if that one has been quiet TOLK_SRTP_RECEIVER_QUIET_US,
 * else it is refused. A replay window is never reset or loosened: a sender that was let
 * go (evicted) stays refused until the key changes, so its captured packets cannot come
 * back through a fresh window. A sender restarting with its SSRC and a fresh sequence is
 * refused as a replay until the input is re-keyed (tolk_srtp_receiver_rekey).
 *
 * Threads: receive is called by one packet thread at a time; rekey, get_stats and
 * last_sender_report from any thread. A mutex serialises them, so a re-key takes effect
 * between two packets, never inside one.
 */
#ifndef TOLK_NET_SRTP_RECEIVER_H
#define TOLK_NET_SRTP_RECEIVER_H

#include "keys.h"
#include "log.h"
#include "rtp_header.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOLK_SRTP_RECEIVER_SENDERS 4
#define TOLK_SRTP_RECEIVER_QUIET_US (2 * 1000 * 1000)
/* Senders let go under one key that are remembered as refused (a ring: the oldest is
 * forgotten first; only a holder of the key can make senders to fill it). */
#define TOLK_SRTP_RECEIVER_RETIRED 256

typedef struct tolk_srtp_receiver tolk_srtp_receiver;

typedef enum {
    TOLK_RECEIVE_MEDIA,   /* authenticated RTP, decrypted in place: play it */
    TOLK_RECEIVE_RTCP,    /* authenticated RTCP: taken here, never media */
    TOLK_RECEIVE_DROPPED, /* counted in the stats under its cause */
} tolk_receive_result;

typedef struct {
    uint64_t received;        /* datagrams offered */
    uint64_t media;           /* RTP that authenticated and was admitted */
    uint64_t not_rtp;         /* not RTP or RTCP at all */
    uint64_t auth_failed;     /* RTP that did not authenticate (wrong key, forged, damaged) */
    uint64_t replayed;        /* RTP already seen or too old, or from a sender let go under this key */
    uint64_t rtcp;            /* RTCP that authenticated */
    uint64_t rtcp_failed;     /* RTCP that did not (or replayed, or from a sender let go) */
    uint64_t senders_refused; /* authenticated packets of a new sender while the table was full and busy */
    uint64_t senders_evicted; /* quiet senders let go to make room */
    uint64_t rekeys;
} tolk_srtp_receiver_stats;

/* key: AES_CM_128_HMAC_SHA1_80 master key and salt, copied into libsrtp only. NULL on failure. */
tolk_srtp_receiver *tolk_srtp_receiver_new(const uint8_t key[TOLK_KEY_LEN]);

/* Where an admitted sender stands: the highest SRTP index it authenticated. */
typedef struct {
    uint32_t ssrc;
    uint64_t highest;
} tolk_srtp_receiver_position;

/* The admitted senders' positions (at most max), for a restart to continue from. */
int tolk_srtp_receiver_positions(tolk_srtp_receiver *receiver, tolk_srtp_receiver_position *out, int max);
/* A receiver under the same key as before a restart, that knows the senders of then: each
 * continues with its rollover counter (so a sender past a sequence wrap still
 * authenticates), and a packet of theirs at or below its highest index then is refused as
 * a replay for the key's lifetime (the window of a fresh stream would take it). At most
 * TOLK_SRTP_RECEIVER_SENDERS are taken. NULL on failure. */
tolk_srtp_receiver *tolk_srtp_receiver_new_resumed(const uint8_t key[TOLK_KEY_LEN],
                                                   const tolk_srtp_receiver_position *senders, int count);
void tolk_srtp_receiver_free(tolk_srtp_receiver *receiver);

/* One datagram in packet[0..*len), writable. On TOLK_RECEIVE_MEDIA the packet is plain RTP
 * and *len its new length; otherwise the content is unspecified. now_us: a monotonic clock. */
tolk_receive_result tolk_srtp_receiver_receive(tolk_srtp_receiver *receiver, uint8_t *packet, size_t *len,
                                               int64_t now_us);

/* A new key: a new libsrtp session, every sender forgotten, nothing of the old key accepted
 * after this returns. False (and the old key kept) if libsrtp refuses. */
bool tolk_srtp_receiver_rekey(tolk_srtp_receiver *receiver, const uint8_t key[TOLK_KEY_LEN]);

/* What its log lines name (the input's sitting and console); kept, not copied: it must outlive
 * the receiver. Before the first packet. */
void tolk_srtp_receiver_set_where(tolk_srtp_receiver *receiver, const tolk_log_where *where);

void tolk_srtp_receiver_get_stats(tolk_srtp_receiver *receiver, tolk_srtp_receiver_stats *stats);

/* Senders admitted now (0..TOLK_SRTP_RECEIVER_SENDERS). */
int tolk_srtp_receiver_sender_count(tolk_srtp_receiver *receiver);

/* The last authenticated sender report of an admitted sender (for lip sync); false if none. */
bool tolk_srtp_receiver_last_sender_report(tolk_srtp_receiver *receiver, uint32_t ssrc,
                                           tolk_rtcp_sender_report *report);

#endif
