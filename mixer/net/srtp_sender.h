/* SPDX-License-Identifier: EUPL-1.2 */
/* One SRTP-encrypted RTP/Opus stream, sent to any number of UDP destinations.
 *
 * All destinations share one SSRC, sequence and timeline. Most share the stream's key too:
 * each packet is built and protected once for them, then the same bytes go to each, so such
 * a listener costs one sendto. A destination added with a key of its own is a group of one:
 * its own libsrtp context, one more protect per packet, and nobody else can decrypt it.
 *
 * Index safety: a (key, SRTP index) pair is never used twice. Every context is created
 * fresh (its rollover counter at 0) and dies with its key; the sequence number only ever
 * moves forward, so re-keying the shared group starts a new key mid-sequence and never
 * restarts the sequence or the rollover counter under an old key. A stream continued after
 * a restart (tolk_srtp_sender_new_at) starts at a position at or past the last one used:
 * each context's rollover counter is the stream's minus the counter at which that context
 * began (its roc base), as its receivers, who began with it, count it.
 *
 * Threads: tolk_srtp_sender_send_opus runs on a streaming thread; the other functions
 * run on a control thread. An internal mutex serialises them. */
#ifndef TOLK_NET_SRTP_SENDER_H
#define TOLK_NET_SRTP_SENDER_H

#include "keys.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tolk_srtp_sender tolk_srtp_sender;

typedef struct {
    uint64_t packets;        /* datagrams handed to the kernel, summed over destinations */
    uint64_t bytes;          /* SRTP bytes of those datagrams (no UDP/IP headers) */
    uint64_t send_errors;    /* sendto failures (e.g. EAGAIN on a full socket buffer) */
    uint64_t dropped_frames; /* frames refused: pts not later than the last, or too big */
} tolk_srtp_sender_stats;

/* Where a stream stands: what a restart needs to continue it under the same keys. */
typedef struct {
    uint32_t ssrc;
    uint64_t index;           /* the next packet's: rollover counter << 16 | sequence number */
    uint32_t timestamp;       /* the next packet's RTP timestamp */
    uint32_t shared_roc_base; /* the stream's rollover counter when the shared key's context began */
} tolk_srtp_position;

/* A sender with a random SSRC, initial sequence number and timestamp, and its own libsrtp2
 * session keyed with key (AES_CM_128_HMAC_SHA1_80 for SRTP and SRTCP). The key is copied
 * into libsrtp's context only; the caller keeps and wipes its own copy. payload_type is
 * 0..127. NULL on failure. */
tolk_srtp_sender *tolk_srtp_sender_new(const uint8_t key[TOLK_KEY_LEN], int payload_type);
/* A sender that continues a stream from start (the caller has moved it past any index the
 * stream may have used); its first packet has start->timestamp. */
tolk_srtp_sender *tolk_srtp_sender_new_at(const uint8_t key[TOLK_KEY_LEN], int payload_type,
                                          const tolk_srtp_position *start);
/* Where the stream stands now (any thread). */
void tolk_srtp_sender_position(tolk_srtp_sender *sender, tolk_srtp_position *position);

/* Adds a destination; host is a numeric IPv4 or IPv6 address. Returns an id >= 0, unique for
 * this sender's lifetime, or -1 (bad address or port, or socket failure). Adding the same
 * address twice gives two destinations. */
int tolk_srtp_sender_add_destination(tolk_srtp_sender *sender, const char *host, int port);

/* A destination with a key of its own (copied into a new libsrtp context, which is wiped
 * when the destination goes). Ids come from the same space as add_destination's. */
int tolk_srtp_sender_add_keyed_destination(tolk_srtp_sender *sender, const char *host, int port,
                                           const uint8_t key[TOLK_KEY_LEN]);
/* The same for a destination continued after a restart: its context began when the
 * stream's rollover counter was roc_base. */
int tolk_srtp_sender_add_keyed_destination_at(tolk_srtp_sender *sender, const char *host, int port,
                                              const uint8_t key[TOLK_KEY_LEN], uint32_t roc_base);
/* The sendto failures of one destination (0 for no such destination). */
uint64_t tolk_srtp_sender_destination_errors(tolk_srtp_sender *sender, int id);
/* The roc base of a destination with its own key (0 for none or a shared one). */
uint32_t tolk_srtp_sender_destination_roc_base(tolk_srtp_sender *sender, int id);

/* Replaces the shared key: from the next packet on, the shared destinations get packets
 * only the new key decrypts; the old context is wiped. Destinations with their own key are
 * unaffected. False (nothing changed) when libsrtp refuses the key. */
bool tolk_srtp_sender_rekey(tolk_srtp_sender *sender, const uint8_t key[TOLK_KEY_LEN]);

/* False if there is no destination with that id (of either kind). */
bool tolk_srtp_sender_remove_destination(tolk_srtp_sender *sender, int id);

int tolk_srtp_sender_destination_count(tolk_srtp_sender *sender);

/* Sends one Opus frame (20 ms expected, any Opus duration works) with presentation time
 * pts_ns. The RTP timestamp is a fixed random base plus pts in 48 kHz units, so a caller may
 * switch between upstream encoders driven by the same clock without a jump in the timeline.
 * A frame whose pts is not later than the previous frame's is dropped (and counted): that
 * removes the overlap when switching sources. Frames are also dropped if they would not
 * fit a 1500-byte packet. The stream advances even with no destination, so listeners who
 * join later see a continuous sequence. No allocation; one short critical section, with one
 * protect for the shared key and one per destination with its own key. */
void tolk_srtp_sender_send_opus(tolk_srtp_sender *sender, const uint8_t *frame, size_t len,
                                uint64_t pts_ns, bool marker);

/* The stream's SSRC, for logs and for receivers that need it up front (GStreamer's srtpdec
 * matches keys to SSRCs given in caps). */
uint32_t tolk_srtp_sender_ssrc(tolk_srtp_sender *sender);

void tolk_srtp_sender_get_stats(tolk_srtp_sender *sender, tolk_srtp_sender_stats *stats);

/* Closes the sockets and destroys the SRTP session, wiping its keys. NULL is allowed. */
void tolk_srtp_sender_free(tolk_srtp_sender *sender);

#endif
