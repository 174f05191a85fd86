/* SPDX-License-Identifier: EUPL-1.2 */
/* One stream's Opus encoder: 20 ms mono frames at 64 kbit/s fullband, CELT (no in-band FEC: its
 * price is 4x the CPU and a worse tone), settings chosen by measurement (docs/performance.md, "Opus settings";
 * tests/bench/opus_settings.c). Digital silence costs no libopus call: a canned silence frame
 * goes out instead, so a silent stream still sends a packet every 20 ms, and the encoder is
 * reset before the next sound so that nothing stale leaks in.
 * Threads: one encoder is used by one thread at a time (any thread). */
#ifndef TOLK_MEDIA_OPUS_ENCODER_H
#define TOLK_MEDIA_OPUS_ENCODER_H

#include <stdint.h>

#define TOLK_OPUS_FRAME 960 /* 20 ms at 48 kHz */
#define TOLK_OPUS_APPLICATION 2049 /* OPUS_APPLICATION_AUDIO */
#define TOLK_OPUS_BITRATE 64000
#define TOLK_OPUS_COMPLEXITY 2

typedef struct tolk_opus_encoder tolk_opus_encoder;

/* NULL if libopus cannot make one (out of memory). */
tolk_opus_encoder *tolk_opus_encoder_new(void);
void tolk_opus_encoder_free(tolk_opus_encoder *enc);

/* Encodes 20 ms (960 mono float samples). Digital silence (all zeros) costs no libopus call:
 * a canned Opus silence frame is returned (and the encoder is reset before the next sound,
 * so nothing stale leaks in). Returns the packet size, or < 0 on error. */
int tolk_opus_encoder_encode(tolk_opus_encoder *enc, const float pcm[TOLK_OPUS_FRAME], uint8_t *out, int max);

/* The canned frame: CELT fullband 20 ms mono with the silence flag, as libopus itself sends
 * for digital silence; 3 bytes. */
extern const uint8_t tolk_opus_silence_frame[3];

#endif
