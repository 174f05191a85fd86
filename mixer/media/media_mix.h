/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One mix: a channel (what its listeners hear) or a console's return feed (what that
 * interpreter hears). A gain per source (every input and the sound-check tone), each moved to
 * a new target by a 10 ms linear ramp that starts with the next frame (rule 7), so a change of
 * listen source, relay, auto-relay or floor is a crossfade on one timeline, never a cut. Then
 * the hearing protection (tolk_guard: short-term guard, true-peak limiter, one-minute warning),
 * then one Opus encode for all the mix's consumers (its SRTP outputs and WebRTC listeners), and
 * the protected PCM to its AES67 outputs (aes67_output.h). Nobody taking the encoded stream:
 * nothing is encoded (a mix only AES67 outputs take runs without an encoder). Nothing to hear: a canned silence frame, no encode.
 *
 * Threads: new/free on control threads; set_targets and plan on the tick thread; run on the
 * tick or a worker (one at a time per mix); the readers (level, frames, warnings) anywhere;
 * add_pcm and remove_pcm on control threads (after remove_pcm returns, the output is never
 * handed a frame again).
 */
#ifndef TOLK_MEDIA_MIX_H
#define TOLK_MEDIA_MIX_H

#include <stdbool.h>
#include <stdint.h>

#include "aes67_output.h"
#include "keys.h"
#include "log.h"
#include "stream.h"

typedef struct tolk_media_mix tolk_media_mix;

/* metered: a channel, whose level the pages show even when nobody listens. */
/* `where` names it in log lines: the sitting and its channel, or the console whose return
 * feed it is; copied. start: where its stream continues after a restart, or NULL
 * (stream.h). */
tolk_media_mix *tolk_media_mix_new(const tolk_log_where *where, unsigned sources, bool metered,
                                   const uint8_t key[TOLK_KEY_LEN], const tolk_srtp_position *start);
void tolk_media_mix_free(tolk_media_mix *mix);

/* New gains (linear, one per source), reached by a ramp over the next 10 ms. */
void tolk_media_mix_set_targets(tolk_media_mix *mix, const float *targets);
/* Whether this frame needs run(): consumed, or metered with something to hear. A mix left
 * out takes its targets at once (nobody hears the jump). */
bool tolk_media_mix_plan(tolk_media_mix *mix, const bool *active);
/* Mixes one frame of the sources (NULL where a source has nothing), protects, encodes and
 * sends it with the engine's presentation time. */
void tolk_media_mix_run(tolk_media_mix *mix, const float *const *sources, uint64_t pts_ns);

/* An AES67 output takes the mix's PCM from the next frame on; the mix runs while one does. */
void tolk_media_mix_add_pcm(tolk_media_mix *mix, tolk_aes67_output *out);
void tolk_media_mix_remove_pcm(tolk_media_mix *mix, tolk_aes67_output *out);

tolk_stream *tolk_media_mix_stream(tolk_media_mix *mix);
double tolk_media_mix_take_level(tolk_media_mix *mix);
uint64_t tolk_media_mix_frames(tolk_media_mix *mix);
uint64_t tolk_media_mix_loudness_warnings(tolk_media_mix *mix, double *level_db);
/* Frames lost to an encoder that failed or could not be made. */
uint64_t tolk_media_mix_errors(tolk_media_mix *mix);

#endif
