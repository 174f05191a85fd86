/* SPDX-License-Identifier: EUPL-1.2 */
#include "media.h"

#include <stdatomic.h>
#include <stdio.h>

#include "media_audio.h"
#include "media_channel.h"
#include "media_fence_private.h"
#include "media_input.h"

#define TOLK_LOG_MODULE "media"
#include "log.h"


/* Which mixer pad carries which input, per channel. */
typedef struct {
    gchar *floor_pad;
    gchar *silence_pad;
    gchar *tone_pad;
    gchar *console_pads[TOLK_MAX_SLOTS];
} channel_pads;

struct tolk_media {
    char *session_id;
    GstPipeline *pipeline;
    int channel_count; /* floor included */
    tolk_media_input *floor;
    tolk_media_input *consoles[TOLK_MAX_SLOTS];
    tolk_media_channel *channels[TOLK_MAX_CHANNELS + 1];
    channel_pads pads[TOLK_MAX_CHANNELS + 1];
    tolk_stream *feeds[TOLK_MAX_SLOTS];
    int feed_channel[TOLK_MAX_SLOTS]; /* the channel each return feed carries now, -1 none */
    bool sound_check;
    guint bus_watch;
    atomic_uint_fast64_t errors;
};

/* An input whose chain reported an error starts over; the session and the other inputs
 * never notice. */
static void restart_failed_input(tolk_media *media, GstObject *src)
{
    for (int i = -1; i < TOLK_MAX_SLOTS; i++) {
        tolk_media_input *input = i < 0 ? media->floor : media->consoles[i];
        if (input && tolk_media_input_owns(input, src)) {
            tolk_media_input_restart(input);
            return;
        }
    }
}

static gboolean on_bus_message(GstBus *bus, GstMessage *message, gpointer user_data)
{
    (void)bus;
    tolk_media *media = user_data;
    GError *error = NULL;
    gchar *debug = NULL;
    switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR:
        gst_message_parse_error(message, &error, &debug);
        atomic_fetch_add(&media->errors, 1);
        LOG_ERROR("session %s: %s: %s", media->session_id, GST_OBJECT_NAME(message->src), error->message);
        restart_failed_input(media, message->src);
        break;
    case GST_MESSAGE_WARNING:
        gst_message_parse_warning(message, &error, &debug);
        atomic_fetch_add(&media->errors, 1);
        LOG_WARN("session %s: %s: %s", media->session_id, GST_OBJECT_NAME(message->src), error->message);
        break;
    case GST_MESSAGE_ELEMENT:
        if (gst_message_has_name(message, "tolk-loudness-warning"))
            LOG_WARN("session %s: loudness warning from %s", media->session_id,
                     GST_OBJECT_NAME(message->src));
        break;
    default:
        break;
    }
    g_clear_error(&error);
    g_free(debug);
    return G_SOURCE_CONTINUE;
}

/* A live test source (audiotestsrc, 20 ms buffers) ending in a tee for the mixers. */
static GstElement *build_live_source(tolk_media *media, const char *wave, double freq, double volume)
{
    GstElement *source = gst_element_factory_make("audiotestsrc", NULL);
    GstElement *filter = gst_element_factory_make("capsfilter", NULL);
    GstElement *queue = gst_element_factory_make("queue", NULL);
    GstElement *tee = gst_element_factory_make("tee", NULL);
    if (!source || !filter || !queue || !tee)
        return NULL;
    tolk_configure_queue(queue);
    GstCaps *caps = tolk_audio_caps();
    g_object_set(source, "is-live", TRUE, "freq", freq, "volume", volume, "samplesperbuffer",
                 TOLK_RATE * TOLK_FRAME_MS / 1000, NULL);
    gst_util_set_object_arg(G_OBJECT(source), "wave", wave); /* GstAudioTestSrcWave is not public API */
    g_object_set(filter, "caps", caps, NULL);
    gst_caps_unref(caps);
    gst_bin_add_many(GST_BIN(media->pipeline), source, filter, queue, tee, NULL);
    return gst_element_link_many(source, filter, queue, tee, NULL) ? tee : NULL;
}

/* A live silent source in every mixer keeps each channel on the clock even
 * before any input sends, so outputs never stop. */
static GstElement *build_silence(tolk_media *media)
{
    return build_live_source(media, "silence", 440.0, 0.0);
}

/* The sound-check tone: 1 kHz at -20 dBFS RMS, linked to every mixer at gain 0
 * until the operator turns the check on. */
static GstElement *build_tone(tolk_media *media)
{
    return build_live_source(media, "sine", 1000.0, 0.1 * G_SQRT2);
}

static gchar *link_to_channel(tolk_media *media, GstPad *src_pad, int channel)
{
    gchar *pad_name = tolk_media_channel_link(media->channels[channel], src_pad);
    gst_object_unref(src_pad);
    return pad_name;
}

static gboolean link_console(tolk_media *media, const tolk_matrix_config *config, int booth, int console)
{
    int slot = TOLK_SLOT(booth, console);
    const tolk_booth_config *b = &config->booths[booth];
    channel_pads *a = &media->pads[b->channel];
    a->console_pads[slot] = link_to_channel(media, tolk_media_input_request_pad(media->consoles[slot]), b->channel);
    if (!a->console_pads[slot])
        return FALSE;
    for (int i = 0; i < b->b_count; i++) {
        channel_pads *pads = &media->pads[b->b_channels[i]];
        pads->console_pads[slot] =
            link_to_channel(media, tolk_media_input_request_pad(media->consoles[slot]), b->b_channels[i]);
        if (!pads->console_pads[slot])
            return FALSE;
    }
    return TRUE;
}

/* A pipeline that cannot be built is a daemon short of something (a plugin, memory), never
 * the request's fault. */
#define BUILD_FAILED(err, ...) tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, __VA_ARGS__)

static gboolean build_inputs(tolk_media *media, const tolk_media_spec *spec, tolk_error *err)
{
    GstBin *bin = GST_BIN(media->pipeline);
    media->floor = spec->floor_from_file ? tolk_media_input_new_file(bin, "floor", spec->floor_file)
                                    : tolk_media_input_new(bin, "floor", spec->floor.socket,
                                                           spec->floor.key, spec->jitter_ms);
    if (!media->floor) {
        BUILD_FAILED(err, "the floor input could not be built");
        return FALSE;
    }
    const tolk_matrix_config *config = spec->matrix;
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(config, &in);) {
        media->consoles[in.slot] = tolk_media_input_new(bin, in.id, spec->consoles[in.slot].socket,
                                                        spec->consoles[in.slot].key, spec->jitter_ms);
        if (!media->consoles[in.slot]) {
            BUILD_FAILED(err, "the input of console %s could not be built", in.id);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean build_channels(tolk_media *media, const tolk_media_spec *spec, tolk_error *err)
{
    GstElement *silence = build_silence(media);
    GstElement *tone = build_tone(media);
    if (!silence || !tone) {
        BUILD_FAILED(err, "the silence source could not be built");
        return FALSE;
    }
    for (int ch = 0; ch < media->channel_count; ch++) {
        const char *name = tolk_config_channel_name(spec->matrix, ch);
        media->channels[ch] = tolk_media_channel_new(GST_BIN(media->pipeline), name, spec->channel_keys[ch]);
        if (!media->channels[ch]) {
            BUILD_FAILED(err, "channel %s could not be built", name);
            return FALSE;
        }
        channel_pads *pads = &media->pads[ch];
        pads->silence_pad = link_to_channel(media, gst_element_request_pad_simple(silence, "src_%u"), ch);
        pads->tone_pad = link_to_channel(media, gst_element_request_pad_simple(tone, "src_%u"), ch);
        pads->floor_pad = link_to_channel(media, tolk_media_input_request_pad(media->floor), ch);
        if (!pads->silence_pad || !pads->tone_pad || !pads->floor_pad) {
            BUILD_FAILED(err, "channel %s could not be linked", name);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean build_feeds(tolk_media *media, const tolk_media_spec *spec, tolk_error *err)
{
    const tolk_matrix_config *config = spec->matrix;
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(config, &in);) {
        if (!link_console(media, config, in.booth, in.console)) {
            BUILD_FAILED(err, "console %s could not be linked", in.id);
            return FALSE;
        }
        media->feeds[in.slot] = tolk_stream_new(spec->feed_keys[in.slot]);
        if (!media->feeds[in.slot]) {
            BUILD_FAILED(err, "the return feed of a console could not be created");
            return FALSE;
        }
    }
    return TRUE;
}

tolk_media *tolk_media_new(const tolk_media_spec *spec, tolk_error *err)
{
    tolk_media *media = g_new0(tolk_media, 1);
    media->session_id = g_strdup(spec->session_id);
    media->channel_count = spec->matrix->channel_count + 1;
    for (int i = 0; i < TOLK_MAX_SLOTS; i++)
        media->feed_channel[i] = -1;
    gchar *pipeline_name = g_strdup_printf("session-%s", spec->session_id);
    media->pipeline = GST_PIPELINE(gst_pipeline_new(pipeline_name));
    g_free(pipeline_name);
    if (!build_inputs(media, spec, err) || !build_channels(media, spec, err) || !build_feeds(media, spec, err)) {
        tolk_media_free(media);
        return NULL;
    }
    GstBus *bus = gst_pipeline_get_bus(media->pipeline);
    media->bus_watch = gst_bus_add_watch(bus, on_bus_message, media);
    gst_object_unref(bus);
    if (gst_element_set_state(GST_ELEMENT(media->pipeline), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        BUILD_FAILED(err, "the media pipeline of session %s did not start", spec->session_id);
        tolk_media_free(media);
        return NULL;
    }
    return media;
}

static void free_pads(channel_pads *pads)
{
    g_free(pads->floor_pad);
    g_free(pads->silence_pad);
    g_free(pads->tone_pad);
    for (int i = 0; i < TOLK_MAX_SLOTS; i++)
        g_free(pads->console_pads[i]);
}

void tolk_media_free(tolk_media *media)
{
    if (!media)
        return;
    gst_element_set_state(GST_ELEMENT(media->pipeline), GST_STATE_NULL);
    if (media->bus_watch)
        g_source_remove(media->bus_watch);
    tolk_media_input_free(media->floor);
    for (int i = 0; i < TOLK_MAX_SLOTS; i++) {
        tolk_media_input_free(media->consoles[i]);
        tolk_stream_free(media->feeds[i]);
    }
    for (int ch = 0; ch <= TOLK_MAX_CHANNELS; ch++) {
        tolk_media_channel_free(media->channels[ch]);
        free_pads(&media->pads[ch]);
    }
    gst_object_unref(media->pipeline);
    g_free(media->session_id);
    g_free(media);
}

static void apply_gains(tolk_media *media, int ch, const tolk_mix *mix)
{
    channel_pads *pads = &media->pads[ch];
    GstStructure *gains = gst_structure_new_empty("gains");
    gst_structure_set(gains, pads->floor_pad, G_TYPE_DOUBLE, (double)mix->floor_gain, pads->tone_pad, G_TYPE_DOUBLE,
                      media->sound_check ? 1.0 : 0.0, NULL);
    for (int slot = 0; slot < TOLK_MAX_SLOTS; slot++) {
        if (pads->console_pads[slot])
            gst_structure_set(gains, pads->console_pads[slot], G_TYPE_DOUBLE, (double)mix->console_gain[slot], NULL);
    }
    tolk_media_channel_set_gains(media->channels[ch], gains);
    gst_structure_free(gains);
}

static void move_feed(tolk_media *media, int slot, int channel)
{
    int previous = media->feed_channel[slot];
    if (previous == channel)
        return;
    /* Added before removed: the sender drops the duplicate frame, never a gap. */
    tolk_media_channel_add_feed(media->channels[channel], media->feeds[slot]);
    if (previous >= 0)
        tolk_media_channel_remove_feed(media->channels[previous], media->feeds[slot]);
    media->feed_channel[slot] = channel;
}

void tolk_media_apply(tolk_media *media, const tolk_route *route)
{
    for (int ch = 0; ch < media->channel_count; ch++)
        apply_gains(media, ch, &route->channel[ch]);
    for (int slot = 0; slot < TOLK_MAX_SLOTS; slot++) {
        if (media->feeds[slot])
            move_feed(media, slot, route->console_hears[slot]);
    }
}

void tolk_media_set_sound_check(tolk_media *media, bool on, const tolk_route *route)
{
    media->sound_check = on;
    tolk_media_apply(media, route);
}

double tolk_media_channel_level_at(tolk_media *media, int channel)
{
    return channel >= 0 && channel < media->channel_count ? tolk_media_channel_take_level(media->channels[channel])
                                                          : -100.0;
}

static bool valid_channel(tolk_media *media, int channel)
{
    return channel >= 0 && channel < media->channel_count;
}

static bool valid_slot(tolk_media *media, int slot)
{
    return slot >= 0 && slot < TOLK_MAX_SLOTS && media->feeds[slot];
}

static int add_output(tolk_stream *stream, const char *host, int port, const uint8_t *own_key)
{
    tolk_srtp_sender *sender = tolk_stream_sender(stream);
    return own_key ? tolk_srtp_sender_add_keyed_destination(sender, host, port, own_key)
                   : tolk_srtp_sender_add_destination(sender, host, port);
}

int tolk_media_add_channel_output(tolk_media *media, int channel, const char *host, int port,
                                  const uint8_t *own_key)
{
    if (!valid_channel(media, channel))
        return -1;
    return add_output(tolk_media_channel_stream(media->channels[channel]), host, port, own_key);
}

bool tolk_media_remove_channel_output(tolk_media *media, int channel, int id)
{
    return valid_channel(media, channel) &&
           tolk_srtp_sender_remove_destination(tolk_stream_sender(tolk_media_channel_stream(media->channels[channel])), id);
}

int tolk_media_add_feed_output(tolk_media *media, int slot, const char *host, int port, const uint8_t *own_key)
{
    return valid_slot(media, slot) ? add_output(media->feeds[slot], host, port, own_key) : -1;
}

bool tolk_media_remove_feed_output(tolk_media *media, int slot, int id)
{
    return valid_slot(media, slot) && tolk_srtp_sender_remove_destination(tolk_stream_sender(media->feeds[slot]), id);
}

bool tolk_media_rekey_channel(tolk_media *media, int channel, const uint8_t key[TOLK_KEY_LEN])
{
    return valid_channel(media, channel) &&
           tolk_srtp_sender_rekey(tolk_stream_sender(tolk_media_channel_stream(media->channels[channel])), key);
}

bool tolk_media_rekey_feed(tolk_media *media, int slot, const uint8_t key[TOLK_KEY_LEN])
{
    return valid_slot(media, slot) && tolk_srtp_sender_rekey(tolk_stream_sender(media->feeds[slot]), key);
}

tolk_media_input *tolk_media_input_at(tolk_media *media, int slot)
{
    if (slot < 0) /* the floor */
        return media->floor;
    return slot < TOLK_MAX_SLOTS ? media->consoles[slot] : NULL;
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

int tolk_media_sender_destinations(tolk_media *media, int channel, int slot)
{
    tolk_srtp_sender *sender = sender_at(media, channel, slot);
    return sender ? tolk_srtp_sender_destination_count(sender) : 0;
}

tolk_stream *tolk_media_channel_stream_at(tolk_media *media, int channel)
{
    return valid_channel(media, channel) ? tolk_media_channel_stream(media->channels[channel]) : NULL;
}

tolk_stream *tolk_media_feed_stream_at(tolk_media *media, int slot)
{
    return valid_slot(media, slot) ? media->feeds[slot] : NULL;
}

uint64_t tolk_media_channel_frames_at(tolk_media *media, int channel)
{
    return valid_channel(media, channel) ? tolk_media_channel_frames(media->channels[channel]) : 0;
}

tolk_media_fence *tolk_media_fence_new(tolk_media *media)
{
    tolk_media_fence *fence = tolk_media_fence_alloc(media->session_id, media->channel_count);
    for (int ch = 0; ch < media->channel_count; ch++)
        tolk_media_fence_set(fence, ch, tolk_media_channel_ref_mixer(media->channels[ch]));
    return fence;
}

uint64_t tolk_media_error_count(tolk_media *media)
{
    return atomic_load(&media->errors);
}

uint64_t tolk_media_loudness_warnings(tolk_media *media, int channel, int slot, double *level_db)
{
    (void)media;
    (void)channel;
    (void)slot;
    if (level_db)
        *level_db = -100.0;
    return 0;
}
