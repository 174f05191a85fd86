/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The media of one session on the shared engine: an input per input (the floor,
 * every console), a mix per channel and per console's return feed, each encoded
 * once for its SRTP outputs and WebRTC listeners when anyone takes it. It knows
 * nothing of the rules: it is told the whole route (tolk_route) and applies it in
 * one step, as 10 ms gain ramps in the next frame.
 *
 * Threads: all functions run on the control thread (the caller serialises them);
 * the media flows on the engine's threads (engine.h).
 */
#ifndef TOLK_MEDIA_H
#define TOLK_MEDIA_H

#include <gio/gio.h>
#include <stdint.h>

#include "aes67_input.h"
#include "aes67_output.h"
#include "error.h"
#include "keys.h"
#include "media_fence.h"
#include "media_input_stats.h"
#include "rules.h"
#include "srtp_receiver.h"
#include "stream.h"

typedef struct {
    GSocket *socket; /* bound UDP socket the input listens on */
    uint8_t key[TOLK_KEY_LEN];
    int sender_count; /* after a restart: its senders of before, who continue (srtp_receiver.h) */
    tolk_srtp_receiver_position senders[TOLK_SRTP_RECEIVER_SENDERS];
} tolk_media_input_spec;

/* Where a stream continues after a restart (srtp_sender.h), when `continues`. */
typedef struct {
    bool continues;
    tolk_srtp_position at;
} tolk_media_stream_start;

typedef struct {
    const char *session_id;
    const tolk_matrix_config *matrix;
    tolk_media_input_spec floor;
    bool floor_from_file;   /* the demo: the floor plays floor_file (NULL: a chime) instead of the network */
    const char *floor_file;
    tolk_media_input_spec consoles[TOLK_MAX_SLOTS]; /* by slot; socket NULL where no console */
    uint8_t channel_keys[TOLK_MAX_CHANNELS + 1][TOLK_KEY_LEN];
    uint8_t feed_keys[TOLK_MAX_SLOTS][TOLK_KEY_LEN];
    tolk_media_stream_start channel_starts[TOLK_MAX_CHANNELS + 1];
    tolk_media_stream_start feed_starts[TOLK_MAX_SLOTS];
    unsigned jitter_ms;
} tolk_media_spec;

typedef struct tolk_media tolk_media;

/* The one engine all sittings share (engine.h) starts with the first sitting. Its threads
 * (0 before that), and its stop at exit, once every sitting is freed. */
unsigned tolk_media_engine_threads(void);
uint64_t tolk_media_engine_late_ticks(void);
/* tolk_engine_progress (engine.h): frames made so far, and whether any sitting runs. */
bool tolk_media_engine_progress(uint64_t *ticks);
void tolk_media_engine_shutdown(void);

/* Builds and starts the pipeline; NULL with *err (kind unavailable) on failure. */
tolk_media *tolk_media_new(const tolk_media_spec *spec, tolk_error *err);
void tolk_media_free(tolk_media *media);

/* Applies a whole route: every mixer's gains and every return feed's channel.
 * Returns at once; the audio carries it a mixer cycle later (a fence tells when). */
void tolk_media_apply(tolk_media *media, const tolk_route *route);
/* A fence on the changes applied so far (media_fence.h). */
tolk_media_fence *tolk_media_fence_new(tolk_media *media);

/* The sound check: a 1 kHz tone at -20 dBFS in every channel while on. */
void tolk_media_set_sound_check(tolk_media *media, bool on, const tolk_route *route);
/* RMS level of a channel in dBFS since the previous call. */
double tolk_media_channel_level_at(tolk_media *media, int channel);

/* Outputs: ids are the sender's destination ids, -1 on failure. own_key NULL: the
 * stream's shared key; else the output's own key (copied), whose context began at
 * rollover counter *roc_base (an output restored after a restart), or now (roc_base NULL). */
int tolk_media_add_channel_output(tolk_media *media, int channel, const char *host, int port,
                                  const uint8_t *own_key, const uint32_t *roc_base);
bool tolk_media_remove_channel_output(tolk_media *media, int channel, int id);
int tolk_media_add_feed_output(tolk_media *media, int slot, const char *host, int port, const uint8_t *own_key,
                               const uint32_t *roc_base);
/* The stream (a channel, slot < 0; or a return feed, channel < 0) and where it stands; the roc
 * base of one of its outputs with its own key. False or 0 when there is no such stream. */
bool tolk_media_stream_position(tolk_media *media, int channel, int slot, tolk_srtp_position *position);
uint32_t tolk_media_output_roc_base(tolk_media *media, int channel, int slot, int id);
uint64_t tolk_media_output_send_errors(tolk_media *media, int channel, int slot, int id);
/* Where an input's senders stand (slot -1: the floor), at most max; 0 when none. */
int tolk_media_input_positions_at(tolk_media *media, int slot, tolk_srtp_receiver_position *out, int max);
bool tolk_media_remove_feed_output(tolk_media *media, int slot, int id);
/* An AES67 output (aes67_output.h) of a channel (slot < 0) or a return feed (channel < 0):
 * it takes the mix's PCM and the pacer sends it, from the next frame on; false for no such
 * stream or no pacer thread. Detach before freeing it: after it returns, neither the tick nor
 * the pacer touches the output. */
bool tolk_media_attach_aes67(tolk_media *media, int channel, int slot, tolk_aes67_output *out);
void tolk_media_detach_aes67(tolk_media *media, int channel, int slot, tolk_aes67_output *out);
/* A new shared key for a channel's or a return feed's outputs, from the next packet on. */
bool tolk_media_rekey_channel(tolk_media *media, int channel, const uint8_t key[TOLK_KEY_LEN]);
bool tolk_media_rekey_feed(tolk_media *media, int slot, const uint8_t key[TOLK_KEY_LEN]);

/* Inputs by index: -1 for the floor, else a console slot. The handle (NULL when no
 * such input) is for a WebRTC peer to push into. */
tolk_media_input *tolk_media_input_at(tolk_media *media, int slot);
/* Its counters; false (and zeros) when no such input. */
bool tolk_media_input_stats_at(tolk_media *media, int slot, tolk_media_input_stats *stats);
/* RMS level in dBFS since the previous call (-100: silence or no such input). */
double tolk_media_input_level_at(tolk_media *media, int slot);
/* A new SRTP key between two packets; false for no such input, one without a key
 * (the demo floor), or when libsrtp refuses. */
bool tolk_media_rekey_input(tolk_media *media, int slot, const uint8_t key[TOLK_KEY_LEN]);
/* AES67 (aes67_input.h): a receiver of channel (0-based) of the stream, its socket joined on the
 * hall interface (hall_address NULL: the kernel's choice); NULL with *err (invalid for a channel
 * the stream lacks, unavailable when the socket cannot be had). */
tolk_aes67_receiver *tolk_media_aes67_open(const tolk_aes67_stream *stream, int channel, const char *hall_address,
                                           tolk_error *err);
/* The input (slot -1: the floor) takes its audio from receiver (taken) from the next tick on;
 * NULL: from its SRTP port again. *old: the receiver it had (or, on failure, this one), to be
 * freed by tolk_media_aes67_release outside any lock the media threads or the app take. */
bool tolk_media_set_input_aes67(tolk_media *media, int slot, tolk_aes67_receiver *receiver,
                                tolk_aes67_receiver **old, tolk_error *err);
/* Waits until no media thread can hold it (a tick at most), then frees it. NULL is a no-op. */
void tolk_media_aes67_release(gpointer receiver);
bool tolk_media_input_aes67_stats_at(tolk_media *media, int slot, tolk_aes67_stats *stats);
/* The SRTP sender of a channel (slot < 0) or a return feed (channel < 0); false when
 * there is no such stream. */
bool tolk_media_sender_stats(tolk_media *media, int channel, int slot, tolk_srtp_sender_stats *stats);
uint32_t tolk_media_sender_ssrc(tolk_media *media, int channel, int slot);
int tolk_media_sender_destinations(tolk_media *media, int channel, int slot);
/* The encoded streams: a channel's, and a console's return feed. NULL when out of range. */
tolk_stream *tolk_media_channel_stream_at(tolk_media *media, int channel);
tolk_stream *tolk_media_feed_stream_at(tolk_media *media, int slot);
uint64_t tolk_media_channel_frames_at(tolk_media *media, int channel);
/* The one-minute loudness guard of a channel (slot < 0) or of a console's return feed
 * (channel < 0): how many warnings it gave so far, and in *level_db (may be NULL) the
 * one-minute level of the last one (dBFS RMS). Read by the levels timer, which turns a
 * new count into an event. */
uint64_t tolk_media_loudness_warnings(tolk_media *media, int channel, int slot, double *level_db);
/* Frames the sitting lost to its encoders failing. */
uint64_t tolk_media_error_count(tolk_media *media);

#endif
