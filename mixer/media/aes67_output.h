/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One AES67 output: a mix's PCM (after the hearing protection, before any Opus encode) sent
 * as plain RTP, L24 or L16 mono at 48 kHz, one packet per packet time (0.125-4 ms), to a
 * unicast or multicast IPv4 destination from the hall address, DSCP EF, its own multicast TTL.
 *
 * The tick pushes each 20 ms frame into a ring; the pacer thread (aes67_pacer.h, one for all
 * AES67 outputs) takes one packet's samples each packet time. The RTP timestamp is the media
 * clock (a=mediaclk:direct=0): CLOCK_TAI in samples at 48 kHz, mod 2^32, of the packet's first
 * sample; a packet leaves when its last sample is due, as a hall device sends it. The ring
 * starts with TOLK_AES67_PREBUFFER_MS of silence, so a tick a few ms late is not heard; when
 * it runs dry anyway the packet is silence (counted: underruns) and the next frame starts a
 * new prebuffer; a ring that grew past its band (a clock step) is cut back (counted: dropped).
 *
 * Threads: new/free on a control thread (free only once the mix and the pacer let go of it);
 * push on the tick or a worker (one at a time); the pacer's calls on the pacer thread; stats
 * and ssrc anywhere. A short mutex guards the ring (a 20 ms copy, or one packet's).
 */
#ifndef TOLK_MEDIA_AES67_OUTPUT_H
#define TOLK_MEDIA_AES67_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "aes67_sdp.h"
#include "error.h"
#include "log.h"

#define TOLK_AES67_PREBUFFER_MS 4

typedef struct tolk_aes67_output tolk_aes67_output;

typedef struct {
    const char *host;         /* numeric IPv4, unicast or multicast */
    int port;
    tolk_aes67_encoding encoding;
    int frame_samples;        /* 6, 12, 16, 48 or 192 */
    int ttl;                  /* 1..255 */
    const char *hall_address; /* send from it; NULL: the routing's choice */
    uint32_t ssrc;            /* 0: a random one */
} tolk_aes67_output_spec;

typedef struct {
    uint64_t packets;     /* handed to the kernel */
    uint64_t send_errors; /* refused by the kernel */
    uint64_t underruns;   /* packets sent as silence: the mix's frame was not there in time */
    uint64_t dropped;     /* samples cut from a ring past its band */
    uint64_t late;        /* packets the pacer could not send in time and skipped */
    double buffer_ms;     /* how long a frame's first sample waits in Tolk, from the mix to the wire
                           * (a moving mean over about a second; 0 before the first frame) */
    double latency_ms;    /* the same from the tick's due time (the frame's pts) to the wire: the
                           * mixing and the buffer (0 when the tick's time is not known) */
} tolk_aes67_output_stats;

/* Opens its socket; NULL with *err on failure. where names it in log lines (copied). */
tolk_aes67_output *tolk_aes67_output_new(const tolk_aes67_output_spec *spec, const tolk_log_where *where,
                                         tolk_error *err);
void tolk_aes67_output_free(tolk_aes67_output *out);
uint32_t tolk_aes67_output_ssrc(const tolk_aes67_output *out);
void tolk_aes67_output_get_stats(tolk_aes67_output *out, tolk_aes67_output_stats *stats);

/* The tick: one frame of n samples (NULL: digital silence), due at tick_ns (CLOCK_MONOTONIC; 0:
 * not known). Never blocks beyond the ring's copy. */
void tolk_aes67_output_push(tolk_aes67_output *out, const float *frame, unsigned n, uint64_t tick_ns);

/* The pacer: when (CLOCK_TAI ns) the next packet is due, 0 before the first send; and sends
 * every packet due by now_ns (at most a few; further behind, it skips ahead, counted late). */
int64_t tolk_aes67_output_due_ns(const tolk_aes67_output *out);
void tolk_aes67_output_send_due(tolk_aes67_output *out, int64_t now_ns);

#endif
