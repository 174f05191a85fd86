/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One input (the floor or a console microphone). A network input owns a bound UDP socket that
 * the engine's receive thread watches: each datagram is unprotected (tolk_srtp_receiver: RTCP
 * taken, forgeries, replays and extra senders dropped and counted), checked to be Opus, and put
 * into the input's reorder buffer (tolk_jitter_buffer). A WebRTC peer puts the RTP it received
 * (DTLS-SRTP already removed) into the same buffer. The tick pulls 20 ms at a time: decoded,
 * concealed (FEC, PLC), or nothing at all when the input is quiet, which then costs nothing.
 * The demo floor is a file decoded once and played in a loop. An input may take its audio from
 * an AES67 stream instead (aes67_input.h): the tick then pulls that, the port stays open.
 *
 * Threads: new, free, rekey, stats and levels on control threads; readable on the receive
 * thread; push_rtp on a WebRTC streaming thread; pull on the tick or a worker. A mutex guards
 * the receive side (receiver, Opus check, sender), the reorder buffer has its own.
 */
#ifndef TOLK_MEDIA_INPUT_H
#define TOLK_MEDIA_INPUT_H

#include <gio/gio.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "aes67_input.h"
#include "keys.h"
#include "media_input_stats.h"
#include "srtp_receiver.h"

#define TOLK_FRAME_SAMPLES 960
/* Nothing taken for this long: the reorder buffer has long finished concealing, so the tick
 * does not even look at the input (an idle sitting costs nothing per frame). */
#define TOLK_INPUT_QUIET_US (500 * 1000)

/* Takes a reference to `socket`, already bound. NULL on failure. */
tolk_media_input *tolk_media_input_new(const char *name, GSocket *socket, const uint8_t key[TOLK_KEY_LEN],
                                       unsigned jitter_ms);
/* The same after a restart, under the key of before: its senders then continue (srtp_receiver.h). */
tolk_media_input *tolk_media_input_new_resumed(const char *name, GSocket *socket, const uint8_t key[TOLK_KEY_LEN],
                                               unsigned jitter_ms, const tolk_srtp_receiver_position *senders,
                                               int sender_count);
/* A looping file (any format GStreamer decodes; NULL: a chime) instead of the network. */
tolk_media_input *tolk_media_input_new_file(const char *name, const char *path);
/* Only once the engine no longer watches its socket (tolk_engine_unwatch and a barrier). */
void tolk_media_input_free(tolk_media_input *input);
/* The sitting the input's log lines name (with its name, "en/1" or "floor"); copied. Before
 * the engine watches it. */
void tolk_media_input_set_sitting(tolk_media_input *input, const char *sitting);
/* Where the input also stamps each packet it takes (monotonic us): the sitting's one clock of
 * "something arrived", so the tick can pass over a sitting that hears nothing. */
void tolk_media_input_set_activity(tolk_media_input *input, atomic_int_fast64_t *last_packet_us);
/* The socket the engine watches; -1 for a file input. */
int tolk_media_input_fd(const tolk_media_input *input);
/* The socket of its AES67 source; -1 when none. */
int tolk_media_input_aes67_fd(tolk_media_input *input);

/* The receive thread: datagrams are waiting on the socket. */
void tolk_media_input_readable(tolk_media_input *input);
/* A plain RTP/Opus packet that a WebRTC peer received and decrypted. False for an input that
 * takes none (the demo floor). */
bool tolk_media_input_push_rtp(tolk_media_input *input, const uint8_t *packet, size_t len);

/* The next 20 ms of the input, in `out`; false (out untouched) when it has nothing to play. */
bool tolk_media_input_pull(tolk_media_input *input, float out[TOLK_FRAME_SAMPLES], int64_t now_us);

void tolk_media_input_get_stats(tolk_media_input *input, tolk_media_input_stats *stats);
/* A new SRTP key between two packets; its senders start afresh. False for an input with no
 * key (the demo floor) or when libsrtp refuses. */
/* Where its admitted senders stand (none for a file): what a restart continues from. */
int tolk_media_input_positions(tolk_media_input *input, tolk_srtp_receiver_position *out, int max);
bool tolk_media_input_rekey(tolk_media_input *input, const uint8_t key[TOLK_KEY_LEN]);
/* The input's audio from now on comes from an AES67 stream (receiver, taken; NULL: from its
 * SRTP port again). Returns the one it had: the caller unwatches its fd and frees it only
 * after tolk_engine_barrier(). The engine must watch the new receiver's fd for this input. */
tolk_aes67_receiver *tolk_media_input_swap_aes67(tolk_media_input *input, tolk_aes67_receiver *receiver);
/* Its AES67 source's counters; false when it has none. */
bool tolk_media_input_aes67_stats(tolk_media_input *input, tolk_aes67_stats *stats);
/* RMS level in dBFS since the previous call (-100: silence or nothing). */
double tolk_media_input_take_level(tolk_media_input *input);

#endif
