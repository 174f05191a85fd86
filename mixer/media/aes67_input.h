/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * An AES67 stream as an input's source: plain RTP, L16 or L24 at 48 kHz, 0.125 to 4 ms packets,
 * one chosen channel of the stream. Each datagram is judged before it is read (no authentication
 * on plain RTP, so only what the SDP says is taken: the stream's source address, one SSRC, its
 * payload type, its packet size; the rest is dropped and counted by reason), then its channel
 * is written into a ring indexed by RTP timestamp. The tick reads 960 samples at a fixed small
 * latency behind the newest packet; a lost packet reads as zeros. The sender's media clock
 * (PTP) and the tick's (CLOCK_MONOTONIC) drift apart: the ring's fill at each pull is averaged,
 * and when the average leaves its band the frame is made from 961 or 959 samples, resampled
 * linearly to 960 (a 0.1 % pitch change for 20 ms: inaudible), until it is back.
 *
 * Threads: new, free and get_stats on control threads; readable and take on the receive thread
 * (or the tick's receive pass: never both at once, the engine's epoll hands a socket to one);
 * pull on the tick or a worker. A mutex guards the ring; the counters are atomics. Free only
 * once neither the engine's receive side nor the tick can still hold it (tolk_engine_barrier).
 */
#ifndef TOLK_MEDIA_AES67_INPUT_H
#define TOLK_MEDIA_AES67_INPUT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "aes67_sdp.h"
#include "error.h"

#define TOLK_AES67_FRAME 960

typedef struct tolk_aes67_receiver tolk_aes67_receiver;

/* Why a datagram was not taken. */
typedef enum {
    TOLK_AES67_DROP_SOURCE,       /* from another address than the stream's source */
    TOLK_AES67_DROP_SSRC,         /* another SSRC while the stream's one still sends */
    TOLK_AES67_DROP_PAYLOAD_TYPE, /* not the SDP's payload type */
    TOLK_AES67_DROP_SIZE,         /* not the SDP's packet size (frames * channels * sample bytes) */
    TOLK_AES67_DROP_NOT_RTP,      /* not RTP version 2 (RTCP included), or a broken header */
    TOLK_AES67_DROP_LATE,         /* arrived after its samples were played */
    TOLK_AES67_DROPS
} tolk_aes67_drop;

typedef struct {
    uint64_t received;            /* datagrams */
    uint64_t accepted;            /* packets written into the ring */
    uint64_t dropped[TOLK_AES67_DROPS];
    uint64_t concealed;           /* samples played as zeros: their packet never came */
    uint64_t resyncs;             /* the read position set anew (start, a jump, a stall) */
    uint64_t drift_dropped;       /* frames made from 961 samples (the sender's clock is fast) */
    uint64_t drift_repeated;      /* frames made from 959 (slow) */
    double fill_ms;               /* the ring's average fill at the pull, beyond the 20 ms taken */
    double target_ms;             /* what the fill is held at: the latency the input adds to the tick's */
    uint32_t ssrc;                /* of the sender heard, 0 none yet */
    char source[46];              /* its address ("" none yet) */
    int64_t last_valid_us, last_dropped_us, dropping_since_us;
} tolk_aes67_stats;

/* "source", "ssrc", "payload_type", "size", "not_rtp", "late". */
const char *tolk_aes67_drop_name(tolk_aes67_drop drop);

/* A receiver of channel (0-based) of stream, reading fd (taken: closed by free; -1 for one fed
 * by take, as tests do). The sender admitted is the SDP's source filter, else its origin address
 * when numeric, else the first one heard. NULL with *err (invalid, field "channel") for a channel
 * the stream does not have. */
tolk_aes67_receiver *tolk_aes67_receiver_new(const tolk_aes67_stream *stream, int channel, int fd, tolk_error *err);
void tolk_aes67_receiver_free(tolk_aes67_receiver *r);
/* Where it also stamps each packet it takes (the sitting's clock of "something arrived"). */
void tolk_aes67_receiver_set_activity(tolk_aes67_receiver *r, atomic_int_fast64_t *last_packet_us);
void tolk_aes67_receiver_set_where(tolk_aes67_receiver *r, const char *sitting, const char *input);
int tolk_aes67_receiver_fd(const tolk_aes67_receiver *r);
/* The socket it reads from now on (closed by free); before the engine watches it. */
void tolk_aes67_receiver_adopt_fd(tolk_aes67_receiver *r, int fd);

/* The receive thread: datagrams wait on the fd. */
void tolk_aes67_receiver_readable(tolk_aes67_receiver *r);
/* One datagram from `from` (the address alone is judged), received at now_us. */
void tolk_aes67_receiver_take(tolk_aes67_receiver *r, const uint8_t *packet, size_t len, const struct sockaddr *from,
                              int64_t now_us);
/* The next 20 ms; false (out untouched) when nothing was taken for TOLK_INPUT_QUIET_US. */
bool tolk_aes67_receiver_pull(tolk_aes67_receiver *r, float out[TOLK_AES67_FRAME], int64_t now_us);
void tolk_aes67_receiver_get_stats(tolk_aes67_receiver *r, tolk_aes67_stats *stats);

#endif
