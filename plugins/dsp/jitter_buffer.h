/* SPDX-License-Identifier: EUPL-1.2 */
/* TEMPORARY stand-in (replaced by the h8-opus branch). */
#ifndef TOLK_MEDIA_JITTER_BUFFER_H
#define TOLK_MEDIA_JITTER_BUFFER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef struct tolk_jitter_buffer tolk_jitter_buffer;
typedef struct {
    uint64_t played, late, duplicate, lost, fec_recovered, concealed, skipped;
    double jitter_ms;
    unsigned depth_ms;
} tolk_jitter_stats;
tolk_jitter_buffer *tolk_jitter_buffer_new(unsigned max_delay_ms);
void tolk_jitter_buffer_free(tolk_jitter_buffer *jb);
void tolk_jitter_buffer_put(tolk_jitter_buffer *jb, uint16_t seq, uint32_t rtp_ts, const uint8_t *payload, size_t len,
                            int64_t arrival_us);
bool tolk_jitter_buffer_pull(tolk_jitter_buffer *jb, float out[960], int64_t now_us);
void tolk_jitter_buffer_get_stats(tolk_jitter_buffer *jb, tolk_jitter_stats *stats);
void tolk_jitter_buffer_restart(tolk_jitter_buffer *jb);
#endif
