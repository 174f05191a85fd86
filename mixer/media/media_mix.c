/* SPDX-License-Identifier: EUPL-1.2 */
#include "media_mix.h"

#include <glib.h>
#include <stdatomic.h>
#include <string.h>

#include "aes67_output.h"
#include "engine.h"
#include "guard.h"
#include "level.h"
#include "media_input.h"
#include "opus_encoder.h"

#define TOLK_LOG_MODULE "mix"
#include "log.h"

#define RATE 48000
#define RAMP_SAMPLES (RATE / 100) /* 10 ms: rule 7 asks 5-20 */
#define PACKET_MAX 1500

struct tolk_media_mix {
    char *sitting, *channel, *console; /* for log lines */
    unsigned sources;
    bool metered;
    float *gain;   /* now, per source */
    float *target; /* per source */
    bool settled;  /* gain == target: nothing to copy or ramp */
    tolk_stream *stream;
    /* AES67 outputs, who take the protected PCM: a short lock, so that removing one is a barrier. */
    GMutex pcm_lock;
    GPtrArray *pcm; /* tolk_aes67_output*, not owned */
    atomic_int pcm_count;
    /* run() only (one thread at a time). */
    tolk_guard *guard;
    tolk_opus_encoder *encoder;
    bool consumed_before;
    bool consumed; /* decided by plan for this frame: someone takes the encoded stream */
    bool pcm_taken; /* decided by plan: an AES67 output takes the PCM */
    float frame[TOLK_FRAME_SAMPLES];
    tolk_level level;
    atomic_uint_fast64_t frames, warnings, errors;
    _Atomic double warning_level_db;
};

tolk_media_mix *tolk_media_mix_new(const tolk_log_where *where, unsigned sources, bool metered,
                                   const uint8_t key[TOLK_KEY_LEN], const tolk_srtp_position *start)
{
    tolk_media_mix *mix = g_new0(tolk_media_mix, 1);
    mix->sitting = g_strdup(where->sitting);
    mix->channel = g_strdup(where->channel);
    mix->console = g_strdup(where->console);
    mix->sources = sources;
    mix->metered = metered;
    mix->gain = g_new0(float, sources);
    mix->target = g_new0(float, sources);
    mix->stream = tolk_stream_new_at(key, start);
    g_mutex_init(&mix->pcm_lock);
    mix->pcm = g_ptr_array_new();
    tolk_level_init(&mix->level);
    atomic_store(&mix->warning_level_db, -100.0);
    if (!mix->stream) {
        tolk_media_mix_free(mix);
        return NULL;
    }
    return mix;
}

void tolk_media_mix_free(tolk_media_mix *mix)
{
    if (!mix)
        return;
    tolk_stream_free(mix->stream);
    tolk_guard_free(mix->guard);
    tolk_opus_encoder_free(mix->encoder);
    tolk_level_clear(&mix->level);
    g_ptr_array_unref(mix->pcm);
    g_mutex_clear(&mix->pcm_lock);
    g_free(mix->gain);
    g_free(mix->target);
    g_free(mix->sitting);
    g_free(mix->channel);
    g_free(mix->console);
    g_free(mix);
}

void tolk_media_mix_set_targets(tolk_media_mix *mix, const float *targets)
{
    memcpy(mix->target, targets, mix->sources * sizeof(float));
    mix->settled = false;
}

static bool hears_something(const tolk_media_mix *mix, const bool *active)
{
    for (unsigned s = 0; s < mix->sources; s++)
        if (active[s] && (mix->gain[s] != 0.0f || mix->target[s] != 0.0f))
            return true;
    return false;
}

bool tolk_media_mix_plan(tolk_media_mix *mix, const bool *active)
{
    mix->consumed = tolk_stream_consumed(mix->stream);
    mix->pcm_taken = atomic_load(&mix->pcm_count) > 0;
    bool wanted = mix->consumed || mix->pcm_taken || (mix->metered && hears_something(mix, active));
    if (!wanted && !mix->settled) {
        memcpy(mix->gain, mix->target, mix->sources * sizeof(float));
        mix->settled = true;
    }
    if (!wanted)
        mix->consumed_before = false;
    return wanted;
}

/* out += x * gain, the gain moving linearly from g0 to g1 over the first RAMP_SAMPLES. */
static void add_source(float *out, const float *x, float g0, float g1)
{
    unsigned i = 0;
    if (g0 != g1) {
        const float step = (g1 - g0) / RAMP_SAMPLES;
        for (; i < RAMP_SAMPLES; i++)
            out[i] += x[i] * (g0 + step * (float)(i + 1));
    }
    if (g1 != 0.0f)
        for (; i < TOLK_FRAME_SAMPLES; i++)
            out[i] += x[i] * g1;
}

/* Returns whether any source was heard: false leaves the frame digital silence. */
static bool mix_sources(tolk_media_mix *mix, const float *const *sources)
{
    bool heard = false;
    mix->settled = true;
    memset(mix->frame, 0, sizeof mix->frame);
    for (unsigned s = 0; s < mix->sources; s++) {
        float g0 = mix->gain[s], g1 = mix->target[s];
        mix->gain[s] = g1;
        if (!sources[s] || (g0 == 0.0f && g1 == 0.0f))
            continue;
        add_source(mix->frame, sources[s], g0, g1);
        heard = true;
    }
    return heard;
}

/* A mix that nobody heard for a while starts afresh: no stale audio in the limiter's
 * lookahead, no stale prediction in the encoder. A mix only AES67 outputs take has no encoder:
 * work follows use. */
static bool ensure_chain(tolk_media_mix *mix)
{
    if (!mix->guard)
        mix->guard = tolk_guard_new(RATE);
    if (mix->consumed && !mix->encoder)
        mix->encoder = tolk_opus_encoder_new();
    if (!mix->guard || (mix->consumed && !mix->encoder))
        return false;
    if (!mix->consumed_before) {
        tolk_guard_reset(mix->guard);
        mix->consumed_before = true;
    }
    return true;
}

/* Whether the frame is digital silence after it: then it is neither metered nor encoded. */
static bool protect(tolk_media_mix *mix, bool heard)
{
    if (!heard && tolk_guard_is_idle(mix->guard))
        return true; /* digital silence in, digital silence out */
    tolk_guard_report report = {0};
    tolk_guard_process(mix->guard, mix->frame, TOLK_FRAME_SAMPLES, &report);
    if (report.warning) {
        atomic_store(&mix->warning_level_db, report.level_db);
        atomic_fetch_add(&mix->warnings, 1); /* the sitting logs it, off this real-time thread */
    }
    return false;
}

static void meter(tolk_media_mix *mix, bool silent)
{
    if (silent)
        tolk_level_add_silence(&mix->level, TOLK_FRAME_SAMPLES);
    else
        tolk_level_add(&mix->level, mix->frame, TOLK_FRAME_SAMPLES);
}

static void encode_and_send(tolk_media_mix *mix, uint64_t pts_ns)
{
    uint8_t packet[PACKET_MAX];
    int len = tolk_opus_encoder_encode(mix->encoder, mix->frame, packet, sizeof packet);
    if (len <= 0) {
        if (atomic_fetch_add(&mix->errors, 1) == 0) /* logged once: it would repeat every 20 ms */
            LOG_WARN_AT(TOLK_WHERE(.sitting = mix->sitting, .channel = mix->channel, .console = mix->console),
                        "%sthe Opus encoder failed (%d): the frames are dropped and counted",
                        mix->console ? "return feed: " : "", len);
        return;
    }
    tolk_stream_push(mix->stream, packet, (size_t)len, pts_ns);
    atomic_fetch_add(&mix->frames, 1);
}

/* The protected frame to every AES67 output (their rings: a copy each, never a wait). */
static void hand_pcm(tolk_media_mix *mix, bool silent, uint64_t pts_ns)
{
    uint64_t tick_ns = tolk_engine_tick_time_ns(pts_ns);
    g_mutex_lock(&mix->pcm_lock);
    for (guint i = 0; i < mix->pcm->len; i++)
        tolk_aes67_output_push(g_ptr_array_index(mix->pcm, i), silent ? NULL : mix->frame, TOLK_FRAME_SAMPLES,
                               tick_ns);
    g_mutex_unlock(&mix->pcm_lock);
}

void tolk_media_mix_add_pcm(tolk_media_mix *mix, tolk_aes67_output *out)
{
    g_mutex_lock(&mix->pcm_lock);
    g_ptr_array_add(mix->pcm, out);
    atomic_store(&mix->pcm_count, (int)mix->pcm->len);
    g_mutex_unlock(&mix->pcm_lock);
}

void tolk_media_mix_remove_pcm(tolk_media_mix *mix, tolk_aes67_output *out)
{
    g_mutex_lock(&mix->pcm_lock);
    g_ptr_array_remove(mix->pcm, out);
    atomic_store(&mix->pcm_count, (int)mix->pcm->len);
    g_mutex_unlock(&mix->pcm_lock);
}

void tolk_media_mix_run(tolk_media_mix *mix, const float *const *sources, uint64_t pts_ns)
{
    bool heard = mix_sources(mix, sources);
    if (!mix->consumed && !mix->pcm_taken) { /* metered only */
        meter(mix, !heard);
        mix->consumed_before = false;
        return;
    }
    if (!ensure_chain(mix)) {
        atomic_fetch_add(&mix->errors, 1);
        return;
    }
    bool silent = protect(mix, heard);
    if (mix->metered)
        meter(mix, silent);
    if (mix->pcm_taken)
        hand_pcm(mix, silent, pts_ns);
    if (mix->consumed)
        encode_and_send(mix, pts_ns);
}

tolk_stream *tolk_media_mix_stream(tolk_media_mix *mix)
{
    return mix->stream;
}

double tolk_media_mix_take_level(tolk_media_mix *mix)
{
    return tolk_level_take_dbfs(&mix->level);
}

uint64_t tolk_media_mix_frames(tolk_media_mix *mix)
{
    return atomic_load(&mix->frames);
}

uint64_t tolk_media_mix_loudness_warnings(tolk_media_mix *mix, double *level_db)
{
    if (level_db)
        *level_db = atomic_load(&mix->warning_level_db);
    return atomic_load(&mix->warnings);
}

uint64_t tolk_media_mix_errors(tolk_media_mix *mix)
{
    return atomic_load(&mix->errors);
}
