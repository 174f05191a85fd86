/* SPDX-License-Identifier: EUPL-1.2 */
/* One sitting's media on the shared engine (engine.h): its inputs, its mixes (a channel
 * each, a return feed per console), and the route handed from the control thread to the
 * tick. */
#include "media.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "aes67_socket.h"
#include "aes67_pacer.h"
#include "engine.h"
#include "media_fence_private.h"
#include "media_input.h"
#include "media_mix.h"
#include "media_tick.h"

#define TOLK_LOG_MODULE "media"
#include "log.h"

#define TONE_HZ 1000.0
#define TONE_PEAK (0.1 * G_SQRT2) /* -20 dBFS RMS */
#define MAX_SOURCES (2 + TOLK_MAX_SLOTS) /* the floor, the consoles, the tone */

struct tolk_media {
    char *session_id;
    int channel_count; /* the floor channel included */
    /* Sources: 0 the floor, 1.. the consoles in walk order, then the sound-check tone. */
    unsigned input_count;
    unsigned source_count;
    unsigned tone;
    tolk_media_input *inputs[1 + TOLK_MAX_SLOTS];
    int input_of_slot[TOLK_MAX_SLOTS]; /* -1: no such console */
    /* Mixes: the channels, then the feeds in walk order. */
    unsigned mix_count;
    tolk_media_mix **mixes;
    tolk_media_mix *channels[TOLK_MAX_CHANNELS + 1];
    tolk_media_mix *feeds[TOLK_MAX_SLOTS];
    int slot_of_feed[TOLK_MAX_SLOTS];
    /* The route, from the control thread to the tick: targets[mix * source_count + source]. */
    GMutex route_lock;
    float *pending;
    uint64_t pending_generation;
    atomic_uint_fast64_t route_generation; /* = pending_generation, read without the lock */
    bool sound_check;                      /* control thread */
    /* Tick side. */
    uint64_t taken_generation;
    float *targets;
    float (*audio)[TOLK_FRAME_SAMPLES]; /* per source */
    bool *active;
    const float **heard;        /* per source: audio[s] or NULL */
    unsigned *planned;          /* mix indices to run this tick */
    unsigned planned_count;
    double tone_phase;
    bool tone_wanted;           /* some mix has the tone's gain up or ramping */
    tolk_media_progress *progress;
    /* Dormancy: a sitting that hears nothing, sends nothing and changed nothing is passed over. */
    atomic_int_fast64_t last_packet_us; /* stamped by every input */
    atomic_uint consumer_changes;       /* bumped by every stream and output change */
    unsigned seen_consumer_changes;
    bool plays_file;                    /* the demo floor never goes quiet */
    bool dormant;                       /* the last full tick had nothing to make */
    bool skipped;                       /* this tick passes the sitting over */
};

/* A sitting that cannot be set up is a daemon short of something (memory, sockets), never the
 * request's fault. */
#define BUILD_FAILED(err, ...) tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, __VA_ARGS__)

static bool add_input(tolk_media *media, tolk_media_input *input, tolk_error *err, const char *name)
{
    if (!input) {
        BUILD_FAILED(err, "the input of %s could not be set up", name);
        return false;
    }
    tolk_media_input_set_sitting(input, media->session_id);
    media->inputs[media->input_count++] = input;
    tolk_media_input_set_activity(input, &media->last_packet_us);
    int fd = tolk_media_input_fd(input);
    if (fd >= 0 && !tolk_engine_watch(input, fd)) {
        BUILD_FAILED(err, "the input of %s cannot be received", name);
        return false;
    }
    return true;
}

static tolk_media_input *new_input(const char *name, const tolk_media_input_spec *s, unsigned jitter_ms)
{
    return tolk_media_input_new_resumed(name, s->socket, s->key, jitter_ms, s->senders, s->sender_count);
}

static const tolk_srtp_position *start_of(const tolk_media_stream_start *start)
{
    return start->continues ? &start->at : NULL;
}

static bool build_inputs(tolk_media *media, const tolk_media_spec *spec, tolk_error *err)
{
    tolk_media_input *floor = spec->floor_from_file
                                  ? tolk_media_input_new_file("floor", spec->floor_file)
                                  : new_input("floor", &spec->floor, spec->jitter_ms);
    media->plays_file = spec->floor_from_file;
    if (!add_input(media, floor, err, "the floor"))
        return false;
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(spec->matrix, &in);) {
        media->input_of_slot[in.slot] = (int)media->input_count;
        const tolk_media_input_spec *s = &spec->consoles[in.slot];
        if (!add_input(media, new_input(in.id, s, spec->jitter_ms), err, in.id))
            return false;
    }
    return true;
}

static bool add_mix(tolk_media *media, tolk_media_mix *mix, tolk_error *err, const char *name)
{
    if (!mix) {
        BUILD_FAILED(err, "%s could not be set up", name);
        return false;
    }
    media->mixes[media->mix_count++] = mix;
    tolk_stream_set_change_counter(tolk_media_mix_stream(mix), &media->consumer_changes);
    return true;
}

static bool build_mixes(tolk_media *media, const tolk_media_spec *spec, tolk_error *err)
{
    media->mixes = g_new0(tolk_media_mix *, media->channel_count + media->input_count);
    for (int ch = 0; ch < media->channel_count; ch++) {
        const char *channel = tolk_config_channel_name(spec->matrix, ch);
        media->channels[ch] = tolk_media_mix_new(TOLK_WHERE(.sitting = spec->session_id, .channel = channel),
                                                 media->source_count, true, spec->channel_keys[ch],
                                                 start_of(&spec->channel_starts[ch]));
        gchar *name = g_strdup_printf("channel %s", channel);
        bool ok = add_mix(media, media->channels[ch], err, name);
        g_free(name);
        if (!ok)
            return false;
    }
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(spec->matrix, &in);) {
        media->feeds[in.slot] = tolk_media_mix_new(TOLK_WHERE(.sitting = spec->session_id, .console = in.id),
                                                   media->source_count, false, spec->feed_keys[in.slot],
                                                   start_of(&spec->feed_starts[in.slot]));
        gchar *name = g_strdup_printf("the return feed of console %s", in.id);
        media->slot_of_feed[media->mix_count - media->channel_count] = in.slot;
        bool ok = add_mix(media, media->feeds[in.slot], err, name);
        g_free(name);
        if (!ok)
            return false;
    }
    return true;
}

static void alloc_tick_state(tolk_media *media)
{
    size_t targets = (size_t)media->mix_count * media->source_count;
    media->pending = g_new0(float, targets);
    media->targets = g_new0(float, targets);
    media->audio = g_malloc0_n(media->source_count, sizeof *media->audio);
    media->active = g_new0(bool, media->source_count);
    media->heard = g_new0(const float *, media->source_count);
    media->planned = g_new0(unsigned, media->mix_count);
}

tolk_media *tolk_media_new(const tolk_media_spec *spec, tolk_error *err)
{
    tolk_media *media = g_new0(tolk_media, 1);
    media->session_id = g_strdup(spec->session_id);
    media->channel_count = spec->matrix->channel_count + 1;
    g_mutex_init(&media->route_lock);
    media->progress = tolk_media_progress_new();
    for (int i = 0; i < TOLK_MAX_SLOTS; i++)
        media->input_of_slot[i] = -1;
    if (!build_inputs(media, spec, err)) {
        tolk_media_free(media);
        return NULL;
    }
    media->tone = media->input_count;
    media->source_count = media->input_count + 1;
    if (!build_mixes(media, spec, err)) {
        tolk_media_free(media);
        return NULL;
    }
    alloc_tick_state(media);
    if (!tolk_engine_add(media)) {
        BUILD_FAILED(err, "the media engine is not running");
        tolk_media_free(media);
        return NULL;
    }
    return media;
}

void tolk_media_free(tolk_media *media)
{
    if (!media)
        return;
    for (unsigned i = 0; i < media->input_count; i++) {
        if (tolk_media_input_fd(media->inputs[i]) >= 0)
            tolk_engine_unwatch(tolk_media_input_fd(media->inputs[i]));
        if (tolk_media_input_aes67_fd(media->inputs[i]) >= 0)
            tolk_engine_unwatch(tolk_media_input_aes67_fd(media->inputs[i]));
    }
    tolk_engine_remove(media); /* a barrier: neither thread of the engine holds it after this */
    for (unsigned i = 0; i < media->input_count; i++)
        tolk_media_input_free(media->inputs[i]);
    for (unsigned m = 0; m < media->mix_count; m++)
        tolk_media_mix_free(media->mixes[m]);
    g_free(media->mixes);
    g_free(media->pending);
    g_free(media->targets);
    g_free(media->audio);
    g_free(media->active);
    g_free(media->heard);
    g_free(media->planned);
    tolk_media_progress_unref(media->progress);
    g_mutex_clear(&media->route_lock);
    g_free(media->session_id);
    g_free(media);
}

/* One mix's targets from a tolk_mix of the route. */
static void fill_targets(const tolk_media *media, float *row, const tolk_mix *mix)
{
    row[0] = mix->floor_gain;
    for (int slot = 0; slot < TOLK_MAX_SLOTS; slot++)
        if (media->input_of_slot[slot] >= 0)
            row[media->input_of_slot[slot]] = mix->console_gain[slot];
    row[media->tone] = media->sound_check ? 1.0f : 0.0f;
}

void tolk_media_apply(tolk_media *media, const tolk_route *route)
{
    g_mutex_lock(&media->route_lock);
    for (unsigned m = 0; m < media->mix_count; m++) {
        float *row = media->pending + (size_t)m * media->source_count;
        bool channel = (int)m < media->channel_count;
        fill_targets(media, row, channel ? &route->channel[m] : &route->feed[media->slot_of_feed[m - media->channel_count]]);
    }
    media->pending_generation++;
    atomic_store(&media->route_generation, media->pending_generation);
    g_mutex_unlock(&media->route_lock);
}

void tolk_media_set_sound_check(tolk_media *media, bool on, const tolk_route *route)
{
    media->sound_check = on;
    tolk_media_apply(media, route);
}

tolk_media_fence *tolk_media_fence_new(tolk_media *media)
{
    return tolk_media_fence_alloc(media->session_id, media->progress, atomic_load(&media->route_generation));
}

unsigned tolk_media_engine_threads(void)
{
    return tolk_engine_thread_count();
}

bool tolk_media_engine_progress(uint64_t *ticks)
{
    return tolk_engine_progress(ticks);
}

uint64_t tolk_media_engine_late_ticks(void)
{
    return tolk_engine_late_ticks();
}

void tolk_media_engine_shutdown(void)
{
    tolk_aes67_pacer_shutdown();
    tolk_engine_shutdown();
}

/* ---- the tick (media_tick.h) ---- */

static void take_route(tolk_media *media)
{
    uint64_t generation = atomic_load(&media->route_generation);
    if (generation == media->taken_generation)
        return;
    g_mutex_lock(&media->route_lock);
    memcpy(media->targets, media->pending, (size_t)media->mix_count * media->source_count * sizeof(float));
    media->taken_generation = media->pending_generation;
    g_mutex_unlock(&media->route_lock);
    media->tone_wanted = false;
    for (unsigned m = 0; m < media->mix_count; m++) {
        const float *row = media->targets + (size_t)m * media->source_count;
        tolk_media_mix_set_targets(media->mixes[m], row);
        media->tone_wanted = media->tone_wanted || row[media->tone] != 0.0f;
    }
}

/* The sound check: a continuous 1 kHz sine, made only while some mix may hear it. A tone
 * turned off stays on for one more frame, the one its gains ramp down in. */
static void make_tone(tolk_media *media, bool ramping_down)
{
    bool wanted = media->tone_wanted || ramping_down;
    media->active[media->tone] = wanted;
    if (!wanted)
        return;
    const double step = 2.0 * G_PI * TONE_HZ / 48000.0;
    for (unsigned i = 0; i < TOLK_FRAME_SAMPLES; i++) {
        media->audio[media->tone][i] = (float)(TONE_PEAK * sin(media->tone_phase));
        media->tone_phase = fmod(media->tone_phase + step, 2.0 * G_PI);
    }
}

/* Nothing arrived, nothing changed, and the last frame had nothing to make: this one would not
 * either. */
static bool may_skip(tolk_media *media, unsigned consumer_changes)
{
    bool quiet = !media->plays_file &&
                 g_get_monotonic_time() - atomic_load(&media->last_packet_us) > TOLK_INPUT_QUIET_US;
    return media->dormant && quiet && consumer_changes == media->seen_consumer_changes &&
           atomic_load(&media->route_generation) == media->taken_generation;
}

unsigned tolk_media_tick_begin(tolk_media *media)
{
    unsigned consumer_changes = atomic_load(&media->consumer_changes);
    media->skipped = may_skip(media, consumer_changes);
    if (media->skipped)
        return 0;
    media->seen_consumer_changes = consumer_changes;
    bool tone_was_wanted = media->tone_wanted;
    take_route(media);
    make_tone(media, tone_was_wanted && !media->tone_wanted);
    return media->input_count;
}

void tolk_media_tick_input(tolk_media *media, unsigned index)
{
    media->active[index] = tolk_media_input_pull(media->inputs[index], media->audio[index], g_get_monotonic_time());
}

unsigned tolk_media_tick_plan(tolk_media *media)
{
    if (media->skipped)
        return 0;
    for (unsigned s = 0; s < media->source_count; s++)
        media->heard[s] = media->active[s] ? media->audio[s] : NULL;
    /* The return feeds first: an interpreter's ears come before the listeners' (the pool hands
     * out the mixes in this order, so the feeds leave earliest in the frame). */
    media->planned_count = 0;
    for (unsigned i = 0; i < media->mix_count; i++) {
        unsigned m = (i + (unsigned)media->channel_count) % media->mix_count;
        if (tolk_media_mix_plan(media->mixes[m], media->active))
            media->planned[media->planned_count++] = m;
    }
    return media->planned_count;
}

void tolk_media_tick_mix(tolk_media *media, unsigned index, uint64_t pts_ns)
{
    tolk_media_mix_run(media->mixes[media->planned[index]], media->heard, pts_ns);
}

void tolk_media_tick_end(tolk_media *media)
{
    if (!media->skipped)
        media->dormant = media->planned_count == 0 && !media->tone_wanted && !media->active[media->tone];
    tolk_media_progress_advance(media->progress, media->taken_generation);
}

/* ---- what the control side reads and changes ---- */

static bool valid_channel(tolk_media *media, int channel)
{
    return channel >= 0 && channel < media->channel_count;
}

static bool valid_slot(tolk_media *media, int slot)
{
    return slot >= 0 && slot < TOLK_MAX_SLOTS && media->feeds[slot];
}

tolk_stream *tolk_media_channel_stream_at(tolk_media *media, int channel)
{
    return valid_channel(media, channel) ? tolk_media_mix_stream(media->channels[channel]) : NULL;
}

tolk_stream *tolk_media_feed_stream_at(tolk_media *media, int slot)
{
    return valid_slot(media, slot) ? tolk_media_mix_stream(media->feeds[slot]) : NULL;
}

double tolk_media_channel_level_at(tolk_media *media, int channel)
{
    return valid_channel(media, channel) ? tolk_media_mix_take_level(media->channels[channel]) : -100.0;
}

uint64_t tolk_media_channel_frames_at(tolk_media *media, int channel)
{
    return valid_channel(media, channel) ? tolk_media_mix_frames(media->channels[channel]) : 0;
}

uint64_t tolk_media_loudness_warnings(tolk_media *media, int channel, int slot, double *level_db)
{
    tolk_media_mix *mix = channel >= 0 ? (valid_channel(media, channel) ? media->channels[channel] : NULL)
                                       : (valid_slot(media, slot) ? media->feeds[slot] : NULL);
    if (!mix) {
        if (level_db)
            *level_db = -100.0;
        return 0;
    }
    return tolk_media_mix_loudness_warnings(mix, level_db);
}

static int add_output(tolk_media *media, tolk_stream *stream, const char *host, int port, const uint8_t *own_key,
                      const uint32_t *roc_base)
{
    tolk_srtp_sender *sender = tolk_stream_sender(stream);
    atomic_fetch_add(&media->consumer_changes, 1);
    if (!own_key)
        return tolk_srtp_sender_add_destination(sender, host, port);
    return roc_base ? tolk_srtp_sender_add_keyed_destination_at(sender, host, port, own_key, *roc_base)
                    : tolk_srtp_sender_add_keyed_destination(sender, host, port, own_key);
}

/* Who consumes the stream changed: the tick looks again (may_skip). */
static bool remove_output(tolk_media *media, tolk_stream *stream, int id)
{
    atomic_fetch_add(&media->consumer_changes, 1);
    return stream && tolk_srtp_sender_remove_destination(tolk_stream_sender(stream), id);
}

int tolk_media_add_channel_output(tolk_media *media, int channel, const char *host, int port, const uint8_t *own_key,
                                  const uint32_t *roc_base)
{
    tolk_stream *stream = tolk_media_channel_stream_at(media, channel);
    return stream ? add_output(media, stream, host, port, own_key, roc_base) : -1;
}

bool tolk_media_remove_channel_output(tolk_media *media, int channel, int id)
{
    return remove_output(media, tolk_media_channel_stream_at(media, channel), id);
}

int tolk_media_add_feed_output(tolk_media *media, int slot, const char *host, int port, const uint8_t *own_key,
                               const uint32_t *roc_base)
{
    tolk_stream *stream = tolk_media_feed_stream_at(media, slot);
    return stream ? add_output(media, stream, host, port, own_key, roc_base) : -1;
}

bool tolk_media_remove_feed_output(tolk_media *media, int slot, int id)
{
    return remove_output(media, tolk_media_feed_stream_at(media, slot), id);
}

static tolk_media_mix *mix_of(tolk_media *media, int channel, int slot)
{
    if (channel >= 0)
        return valid_channel(media, channel) ? media->channels[channel] : NULL;
    return valid_slot(media, slot) ? media->feeds[slot] : NULL;
}

bool tolk_media_attach_aes67(tolk_media *media, int channel, int slot, tolk_aes67_output *out)
{
    tolk_media_mix *mix = mix_of(media, channel, slot);
    if (!mix || !tolk_aes67_pacer_add(out))
        return false;
    tolk_media_mix_add_pcm(mix, out);
    atomic_fetch_add(&media->consumer_changes, 1);
    return true;
}

void tolk_media_detach_aes67(tolk_media *media, int channel, int slot, tolk_aes67_output *out)
{
    tolk_media_mix *mix = mix_of(media, channel, slot);
    if (mix)
        tolk_media_mix_remove_pcm(mix, out);
    tolk_aes67_pacer_remove(out);
    atomic_fetch_add(&media->consumer_changes, 1);
}

bool tolk_media_rekey_channel(tolk_media *media, int channel, const uint8_t key[TOLK_KEY_LEN])
{
    tolk_stream *stream = tolk_media_channel_stream_at(media, channel);
    return stream && tolk_srtp_sender_rekey(tolk_stream_sender(stream), key);
}

bool tolk_media_rekey_feed(tolk_media *media, int slot, const uint8_t key[TOLK_KEY_LEN])
{
    tolk_stream *stream = tolk_media_feed_stream_at(media, slot);
    return stream && tolk_srtp_sender_rekey(tolk_stream_sender(stream), key);
}

tolk_media_input *tolk_media_input_at(tolk_media *media, int slot)
{
    if (slot < 0)
        return media->inputs[0];
    return slot < TOLK_MAX_SLOTS && media->input_of_slot[slot] >= 0 ? media->inputs[media->input_of_slot[slot]] : NULL;
}

bool tolk_media_input_stats_at(tolk_media *media, int slot, tolk_media_input_stats *stats)
{
    tolk_media_input *input = tolk_media_input_at(media, slot);
    *stats = (tolk_media_input_stats){0};
    if (input)
        tolk_media_input_get_stats(input, stats);
    return input != NULL;
}

double tolk_media_input_level_at(tolk_media *media, int slot)
{
    tolk_media_input *input = tolk_media_input_at(media, slot);
    return input ? tolk_media_input_take_level(input) : -100.0;
}

bool tolk_media_rekey_input(tolk_media *media, int slot, const uint8_t key[TOLK_KEY_LEN])
{
    tolk_media_input *input = tolk_media_input_at(media, slot);
    return input && tolk_media_input_rekey(input, key);
}

static tolk_srtp_sender *sender_at(tolk_media *media, int channel, int slot)
{
    tolk_stream *stream = channel >= 0 ? tolk_media_channel_stream_at(media, channel)
                                       : tolk_media_feed_stream_at(media, slot);
    return stream ? tolk_stream_sender(stream) : NULL;
}

bool tolk_media_sender_stats(tolk_media *media, int channel, int slot, tolk_srtp_sender_stats *stats)
{
    tolk_srtp_sender *sender = sender_at(media, channel, slot);
    if (sender)
        tolk_srtp_sender_get_stats(sender, stats);
    else
        *stats = (tolk_srtp_sender_stats){0};
    return sender != NULL;
}

uint32_t tolk_media_sender_ssrc(tolk_media *media, int channel, int slot)
{
    tolk_srtp_sender *sender = sender_at(media, channel, slot);
    return sender ? tolk_srtp_sender_ssrc(sender) : 0;
}

bool tolk_media_stream_position(tolk_media *media, int channel, int slot, tolk_srtp_position *position)
{
    tolk_srtp_sender *sender = sender_at(media, channel, slot);
    if (sender)
        tolk_srtp_sender_position(sender, position);
    return sender != NULL;
}

uint32_t tolk_media_output_roc_base(tolk_media *media, int channel, int slot, int id)
{
    tolk_srtp_sender *sender = sender_at(media, channel, slot);
    return sender ? tolk_srtp_sender_destination_roc_base(sender, id) : 0;
}

uint64_t tolk_media_output_send_errors(tolk_media *media, int channel, int slot, int id)
{
    tolk_srtp_sender *sender = sender_at(media, channel, slot);
    return sender ? tolk_srtp_sender_destination_errors(sender, id) : 0;
}

int tolk_media_sender_destinations(tolk_media *media, int channel, int slot)
{
    tolk_srtp_sender *sender = sender_at(media, channel, slot);
    return sender ? tolk_srtp_sender_destination_count(sender) : 0;
}

uint64_t tolk_media_error_count(tolk_media *media)
{
    uint64_t errors = 0;
    for (unsigned m = 0; m < media->mix_count; m++)
        errors += tolk_media_mix_errors(media->mixes[m]);
    return errors;
}

int tolk_media_input_positions_at(tolk_media *media, int slot, tolk_srtp_receiver_position *out, int max)
{
    tolk_media_input *input = tolk_media_input_at(media, slot);
    return input ? tolk_media_input_positions(input, out, max) : 0;
}

tolk_aes67_receiver *tolk_media_aes67_open(const tolk_aes67_stream *stream, int channel, const char *hall_address,
                                           tolk_error *err)
{
    tolk_aes67_receiver *r = tolk_aes67_receiver_new(stream, channel, -1, err);
    if (!r)
        return NULL;
    int fd = tolk_aes67_socket_open(stream->address, stream->port,
                                    stream->has_source_filter ? stream->source_address : NULL, hall_address, err);
    if (fd < 0) {
        tolk_aes67_receiver_free(r);
        return NULL;
    }
    tolk_aes67_receiver_adopt_fd(r, fd);
    return r;
}

bool tolk_media_set_input_aes67(tolk_media *media, int slot, tolk_aes67_receiver *receiver,
                                tolk_aes67_receiver **old, tolk_error *err)
{
    tolk_media_input *input = tolk_media_input_at(media, slot);
    *old = NULL;
    if (!input) {
        tolk_error_set(err, TOLK_ERROR_NOT_FOUND, "input_not_found", NULL, "no such input");
        return false;
    }
    *old = tolk_media_input_swap_aes67(input, receiver);
    if (receiver && !tolk_engine_watch(input, tolk_aes67_receiver_fd(receiver))) {
        tolk_media_input_swap_aes67(input, *old);
        *old = receiver; /* the tick may have pulled it already: released like an old one */
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "the AES67 stream cannot be received");
        return false;
    }
    if (*old)
        tolk_engine_unwatch(tolk_aes67_receiver_fd(*old));
    atomic_fetch_add(&media->consumer_changes, 1); /* a dormant sitting looks again */
    return true;
}

void tolk_media_aes67_release(gpointer receiver)
{
    if (!receiver)
        return;
    tolk_engine_barrier();
    tolk_aes67_receiver_free(receiver);
}

bool tolk_media_input_aes67_stats_at(tolk_media *media, int slot, tolk_aes67_stats *stats)
{
    tolk_media_input *input = tolk_media_input_at(media, slot);
    return input && tolk_media_input_aes67_stats(input, stats);
}
