/* SPDX-License-Identifier: EUPL-1.2 */
/* The reorder buffer of one input, with its Opus decoder: packets in, 20 ms of mono audio out
 * on every tick. Latency first: a packet that has arrived plays at the very next pull; one not
 * there at its turn is concealed (in-band FEC from the next packet if that one is there, else
 * PLC) and dropped as late if it comes after. A sender late by a tick again and again (jitter
 * around the tick boundary) makes the queue grow by one frame instead (the late packet plays
 * after its concealment), and a queue that held more than it needed for a second shrinks by a
 * skipped frame, a quiet one if one comes within a second. At most max_delay_ms are queued and
 * at most JB_SLOTS packets stored: floods, jumps, wraps, duplicates and garbage are counted.
 * After ~100 ms of concealment with nothing arriving the PLC fades out and pull says the input
 * is quiet; its next packet starts afresh.
 * Threads: tolk_jitter_buffer_put on the receive thread, _pull on the tick thread, _get_stats
 * and _restart on any thread; an internal mutex guards the packet slots only, decoding runs
 * outside it (the decoder and the decoded queue belong to the tick thread). */
#ifndef TOLK_MEDIA_JITTER_BUFFER_H
#define TOLK_MEDIA_JITTER_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOLK_JITTER_FRAME 960 /* 20 ms at 48 kHz: one pull */

typedef struct tolk_jitter_buffer tolk_jitter_buffer;

typedef struct {
    uint64_t played;        /* packets decoded in order */
    uint64_t late;          /* arrived after their turn was concealed: dropped */
    uint64_t duplicate;
    uint64_t lost;          /* never arrived (concealed) */
    uint64_t fec_recovered; /* of the lost, recovered from the next packet's in-band FEC */
    uint64_t concealed;     /* 20 ms frames made by PLC */
    uint64_t skipped;       /* frames dropped to shorten a grown queue */
    double jitter_ms;       /* RFC 3550 interarrival jitter */
    unsigned depth_ms;      /* audio queued now */
    uint64_t invalid;       /* dropped: not Opus, refused by the decoder, or beyond the window */
} tolk_jitter_stats;

tolk_jitter_buffer *tolk_jitter_buffer_new(unsigned max_delay_ms); /* --jitter-ms, 5-500 */
void tolk_jitter_buffer_free(tolk_jitter_buffer *jb);

/* An authenticated RTP packet's Opus payload (any frame size 2.5-120 ms, mono or stereo). */
void tolk_jitter_buffer_put(tolk_jitter_buffer *jb, uint16_t seq, uint32_t rtp_ts, const uint8_t *payload,
                            size_t len, int64_t arrival_us);

/* The next 20 ms (960 mono float samples, stereo downmixed) of this input. False, with `out`
 * untouched, when the input has nothing to play (never sent, or idle for longer than the
 * concealment limit): the caller mixes nothing for it and it costs nothing. */
bool tolk_jitter_buffer_pull(tolk_jitter_buffer *jb, float out[TOLK_JITTER_FRAME], int64_t now_us);

void tolk_jitter_buffer_get_stats(tolk_jitter_buffer *jb, tolk_jitter_stats *stats);

/* After a re-key or sender change: forget sequence state (the next packet starts afresh). */
void tolk_jitter_buffer_restart(tolk_jitter_buffer *jb);

#endif
