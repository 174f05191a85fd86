/* SPDX-License-Identifier: EUPL-1.2 */
/* TEMPORARY stand-in (replaced by the h8-opus branch). */
#include "jitter_buffer.h"
#include <glib.h>
#include <opus.h>
#include <string.h>
#define SLOTS 16
typedef struct { bool used; uint16_t seq; size_t len; uint8_t data[1500]; } slot;
struct tolk_jitter_buffer {
    GMutex lock; slot slots[SLOTS]; bool started; uint16_t next; int misses;
    OpusDecoder *dec; tolk_jitter_stats stats;
};
tolk_jitter_buffer *tolk_jitter_buffer_new(unsigned max_delay_ms)
{
    (void)max_delay_ms;
    tolk_jitter_buffer *jb = g_new0(tolk_jitter_buffer, 1);
    g_mutex_init(&jb->lock);
    int err; jb->dec = opus_decoder_create(48000, 1, &err);
    return jb;
}
void tolk_jitter_buffer_free(tolk_jitter_buffer *jb)
{
    if (!jb) return;
    opus_decoder_destroy(jb->dec); g_mutex_clear(&jb->lock); g_free(jb);
}
void tolk_jitter_buffer_put(tolk_jitter_buffer *jb, uint16_t seq, uint32_t ts, const uint8_t *p, size_t len, int64_t now)
{
    (void)ts; (void)now;
    if (len > 1500) return;
    g_mutex_lock(&jb->lock);
    if (!jb->started) { jb->started = true; jb->next = seq; }
    int16_t d = (int16_t)(seq - jb->next);
    if (d < 0) jb->stats.late++;
    else {
        if (d >= SLOTS) { jb->next = (uint16_t)(seq - SLOTS / 2); memset(jb->slots, 0, sizeof jb->slots); }
        slot *s = &jb->slots[seq % SLOTS];
        s->used = true; s->seq = seq; s->len = len; memcpy(s->data, p, len);
    }
    g_mutex_unlock(&jb->lock);
}
bool tolk_jitter_buffer_pull(tolk_jitter_buffer *jb, float out[960], int64_t now)
{
    (void)now;
    uint8_t data[1500]; size_t len = 0; bool have = false, started;
    g_mutex_lock(&jb->lock);
    started = jb->started;
    slot *s = &jb->slots[jb->next % SLOTS];
    if (started && s->used && s->seq == jb->next) { have = true; len = s->len; memcpy(data, s->data, len); s->used = false; jb->next++; jb->misses = 0; }
    else if (started) { jb->misses++; if (jb->misses > 5) jb->started = false; }
    g_mutex_unlock(&jb->lock);
    if (!started) return false;
    if (!have && jb->misses > 5) return false;
    int n = opus_decode_float(jb->dec, have ? data : NULL, have ? (opus_int32)len : 0, out, 960, 0);
    if (n != 960) memset(out, 0, 960 * sizeof(float));
    return true;
}
void tolk_jitter_buffer_get_stats(tolk_jitter_buffer *jb, tolk_jitter_stats *stats)
{
    g_mutex_lock(&jb->lock); *stats = jb->stats; g_mutex_unlock(&jb->lock);
}
void tolk_jitter_buffer_restart(tolk_jitter_buffer *jb)
{
    g_mutex_lock(&jb->lock); jb->started = false; memset(jb->slots, 0, sizeof jb->slots); g_mutex_unlock(&jb->lock);
}
