/* SPDX-License-Identifier: EUPL-1.2 */
#include "media_channel.h"

#include <gst/app/gstappsink.h>
#include <stdatomic.h>

#include "media_audio.h"
#include "meter.h"

#define TOLK_LOG_MODULE "channel"
#include "log.h"

#define OPUS_BITRATE 64000
#define RAMP_MS 10

struct tolk_media_channel {
    char *name;
    GstBin *pipeline;
    GstElement *elements[5]; /* mixer, guard, convert, encoder, sink */
    GstElement *mixer;
    tolk_meter *meter; /* after the hearing protection: what listeners get */
    tolk_stream *stream;
    GMutex feeds_lock; /* the feeds list changes on the control thread, is read per frame */
    GPtrArray *feeds;
    atomic_uint_fast64_t frames;
};

static void send_frame(tolk_media_channel *channel, const guint8 *data, gsize size, guint64 pts)
{
    tolk_stream_push(channel->stream, data, size, pts);
    g_mutex_lock(&channel->feeds_lock);
    for (guint i = 0; i < channel->feeds->len; i++)
        tolk_stream_push(g_ptr_array_index(channel->feeds, i), data, size, pts);
    g_mutex_unlock(&channel->feeds_lock);
}

static GstFlowReturn on_new_sample(GstAppSink *sink, gpointer user_data)
{
    tolk_media_channel *channel = user_data;
    GstSample *sample = gst_app_sink_pull_sample(sink);
    if (!sample)
        return GST_FLOW_EOS;
    GstBuffer *buffer = gst_sample_get_buffer(sample);
    /* Running time, not buffer time: every channel of a session shares it, so a
     * return feed that switches channels keeps one timeline. */
    guint64 pts = gst_segment_to_running_time(gst_sample_get_segment(sample), GST_FORMAT_TIME,
                                              GST_BUFFER_PTS(buffer));
    GstMapInfo map;
    if (GST_CLOCK_TIME_IS_VALID(pts) && gst_buffer_map(buffer, &map, GST_MAP_READ)) {
        send_frame(channel, map.data, map.size, pts);
        gst_buffer_unmap(buffer, &map);
        atomic_fetch_add(&channel->frames, 1);
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
}

static gboolean build_elements(tolk_media_channel *channel)
{
    static const char *const factories[] = {"tolkmix", "tolkguard", "audioconvert", "opusenc", "appsink"};
    for (int i = 0; i < 5; i++) {
        channel->elements[i] = gst_element_factory_make(factories[i], NULL);
        if (!channel->elements[i]) {
            LOG_ERROR("GStreamer element %s is missing", factories[i]);
            return FALSE;
        }
        gst_bin_add(channel->pipeline, channel->elements[i]);
    }
    channel->mixer = channel->elements[0];
    /* One output buffer per Opus frame: half the wake-ups of the 10 ms default,
     * and the encoder gets a whole frame at once (no added latency). */
    g_object_set(channel->mixer, "ramp-ms", RAMP_MS, "output-buffer-duration",
                 (guint64)TOLK_FRAME_MS * GST_MSECOND, NULL);
    g_object_set(channel->elements[3], "bitrate", OPUS_BITRATE, "frame-size", TOLK_FRAME_MS, NULL);
    gst_util_set_object_arg(G_OBJECT(channel->elements[3]), "bandwidth", "fullband");
    GstAppSinkCallbacks callbacks = {.new_sample = on_new_sample};
    gst_app_sink_set_callbacks(GST_APP_SINK(channel->elements[4]), &callbacks, channel, NULL);
    /* Frames leave as soon as they are encoded: the mixer already runs on the clock. */
    g_object_set(channel->elements[4], "sync", FALSE, "max-buffers", 8, "drop", TRUE, NULL);
    GstPad *guarded = gst_element_get_static_pad(channel->elements[1], "src");
    channel->meter = tolk_meter_new(guarded);
    gst_object_unref(guarded);
    return gst_element_link_many(channel->elements[0], channel->elements[1], channel->elements[2],
                                 channel->elements[3], channel->elements[4], NULL);
}

tolk_media_channel *tolk_media_channel_new(GstBin *pipeline, const char *name,
                                           const uint8_t key[TOLK_KEY_LEN])
{
    tolk_media_channel *channel = g_new0(tolk_media_channel, 1);
    channel->name = g_strdup(name);
    channel->pipeline = pipeline;
    g_mutex_init(&channel->feeds_lock);
    channel->feeds = g_ptr_array_new();
    channel->stream = tolk_stream_new(key);
    if (!channel->stream || !build_elements(channel)) {
        LOG_ERROR("channel %s: could not build its chain", name);
        tolk_media_channel_free(channel);
        return NULL;
    }
    return channel;
}

void tolk_media_channel_free(tolk_media_channel *channel)
{
    if (!channel)
        return;
    /* The elements belong to the pipeline, which the caller has stopped. */
    tolk_meter_free(channel->meter);
    tolk_stream_free(channel->stream);
    g_ptr_array_unref(channel->feeds);
    g_mutex_clear(&channel->feeds_lock);
    g_free(channel->name);
    g_free(channel);
}

gchar *tolk_media_channel_link(tolk_media_channel *channel, GstPad *input_pad)
{
    GstPad *mixer_pad = gst_element_request_pad_simple(channel->mixer, "sink_%u");
    g_object_set(mixer_pad, "gain", 0.0, NULL);
    gchar *pad_name = gst_pad_get_name(mixer_pad);
    if (gst_pad_link(input_pad, mixer_pad) != GST_PAD_LINK_OK) {
        LOG_ERROR("channel %s: could not link an input", channel->name);
        g_clear_pointer(&pad_name, g_free);
    }
    gst_object_unref(mixer_pad);
    return pad_name;
}

void tolk_media_channel_set_gains(tolk_media_channel *channel, const GstStructure *gains)
{
    gboolean all_found = FALSE;
    g_signal_emit_by_name(channel->mixer, "set-gains", gains, &all_found);
    if (!all_found)
        LOG_WARN("channel %s: a gain named a pad that does not exist", channel->name);
}

GstElement *tolk_media_channel_ref_mixer(tolk_media_channel *channel)
{
    return gst_object_ref(channel->mixer);
}

tolk_stream *tolk_media_channel_stream(tolk_media_channel *channel)
{
    return channel->stream;
}

void tolk_media_channel_add_feed(tolk_media_channel *channel, tolk_stream *feed)
{
    g_mutex_lock(&channel->feeds_lock);
    if (!g_ptr_array_find(channel->feeds, feed, NULL))
        g_ptr_array_add(channel->feeds, feed);
    g_mutex_unlock(&channel->feeds_lock);
}

void tolk_media_channel_remove_feed(tolk_media_channel *channel, tolk_stream *feed)
{
    g_mutex_lock(&channel->feeds_lock);
    g_ptr_array_remove_fast(channel->feeds, feed);
    g_mutex_unlock(&channel->feeds_lock);
}

double tolk_media_channel_take_level(tolk_media_channel *channel)
{
    return channel->meter ? tolk_meter_take_dbfs(channel->meter) : -100.0;
}

guint64 tolk_media_channel_frames(tolk_media_channel *channel)
{
    return atomic_load(&channel->frames);
}
