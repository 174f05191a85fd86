/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One encrypted input (the floor or a console microphone): a bound UDP socket
 * -> SRTP unprotect in a probe on udpsrc (tolk_srtp_receiver: RTCP taken, forgeries,
 * replays and non-Opus dropped and counted) -> small jitter buffer with loss
 * concealment -> Opus decode -> F32 48 kHz mono, ending in a tee that the channel
 * mixers link to.
 *
 * Threads: new, free, rekey and get_stats on the control thread; packets on udpsrc's
 * streaming thread; the counters are atomics, the receiver has its own lock.
 */
#ifndef TOLK_MEDIA_INPUT_H
#define TOLK_MEDIA_INPUT_H

#include <gio/gio.h>
#include <gst/gst.h>
#include <stdbool.h>
#include <stdint.h>

#include "keys.h"
#include "media_input_stats.h"


/* Adds the input's elements to `pipeline`. Takes a reference to `socket`, which
 * is already bound (so a taken port is reported before anything starts). */
tolk_media_input *tolk_media_input_new(GstBin *pipeline, const char *name, GSocket *socket,
                                       const uint8_t key[TOLK_KEY_LEN], guint jitter_ms);
/* Adds a looping file (any format GStreamer decodes) as the input instead of the
 * network: the demo floor. */
tolk_media_input *tolk_media_input_new_file(GstBin *pipeline, const char *name, const char *path);
/* Call once the pipeline is stopped: its elements stay in (and die with) the pipeline. */
void tolk_media_input_free(tolk_media_input *input);

/* Audio decoded elsewhere (a WebRTC peer): F32LE, 48 kHz, mono, any length.
 * Takes the buffer; it is stamped on arrival and counts as a valid packet
 * (rule 8 sees it). FALSE for an input that takes no pushed audio (demo floor). */
gboolean tolk_media_input_push(tolk_media_input *input, GstBuffer *buffer);

/* A new src pad on the input's tee, to link to a mixer. */
GstPad *tolk_media_input_request_pad(tolk_media_input *input);

void tolk_media_input_get_stats(tolk_media_input *input, tolk_media_input_stats *stats);
/* Whether element (a GstMessage's source) belongs to the input's restartable chain. */
bool tolk_media_input_owns(tolk_media_input *input, GstObject *element);
/* After an error of its chain, on the thread of the bus watch (never a streaming thread): the
 * chain goes to NULL and back to the pipeline's state; the SRTP receiver and its replay
 * windows stay. Errors within 200 ms of a restart share it (false then). */
bool tolk_media_input_restart(tolk_media_input *input);
/* Replaces the input's SRTP key between two packets; its senders start afresh. False for an
 * input with no key (the demo floor) or when libsrtp refuses. */
bool tolk_media_input_rekey(tolk_media_input *input, const uint8_t key[TOLK_KEY_LEN]);
/* RMS level in dBFS since the previous call (-100: silence or nothing). */
double tolk_media_input_take_level(tolk_media_input *input);
/* Monotonic time (g_get_monotonic_time, us) of the last packet that decrypted; 0 if none yet. */
gint64 tolk_media_input_last_valid_us(tolk_media_input *input);

#endif
