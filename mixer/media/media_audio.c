/* SPDX-License-Identifier: EUPL-1.2 */
#include "media_audio.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <math.h>
#include <string.h>

#define TOLK_LOG_MODULE "audio"
#include "log.h"

#define MAX_FILE_SECONDS 600
#define CHUNK_SAMPLES (TOLK_RATE * TOLK_FRAME_MS / 1000)

GstCaps *tolk_audio_caps(void)
{
    return gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "F32LE", "rate", G_TYPE_INT,
                               TOLK_RATE, "channels", G_TYPE_INT, 1, "layout", G_TYPE_STRING,
                               "interleaved", NULL);
}

void tolk_configure_queue(GstElement *queue)
{
    g_object_set(queue, "max-size-buffers", 0, "max-size-bytes", 0, "max-size-time", (guint64)(200 * GST_MSECOND),
                 NULL);
    /* GstQueueLeaky is not public API: set by its nick. Downstream drops the
     * oldest buffers, so a stalled branch resumes at the present. */
    gst_util_set_object_arg(G_OBJECT(queue), "leaky", "downstream");
}

struct tolk_file_source {
    GstElement *appsrc;
    GByteArray *samples; /* F32 mono */
    GThread *thread;
    GMutex lock;
    gboolean stopping;
    GstClockID waiting;
};

/* The demo floor when no file is given: three notes in turn, soft edges, so
 * that it is recognisably sound and never clicks at the loop. */
static void make_chime(GByteArray *out)
{
    static const double notes[] = {523.25, 659.25, 783.99, 659.25};
    const int note_samples = TOLK_RATE * 2 / 5, fade = TOLK_RATE / 100;
    for (int n = 0; n < 4; n++) {
        for (int i = 0; i < note_samples; i++) {
            double edge = MIN(1.0, MIN(i, note_samples - 1 - i) / (double)fade);
            float sample = (float)(0.25 * edge * sin(2 * G_PI * notes[n] * i / TOLK_RATE));
            g_byte_array_append(out, (const guint8 *)&sample, sizeof sample);
        }
    }
}

static gboolean decode_file(const char *path, GByteArray *out)
{
    if (!path) {
        make_chime(out);
        return TRUE;
    }
    gchar *description = g_strdup_printf("filesrc name=src ! decodebin ! audioconvert ! audioresample ! "
                                         "audio/x-raw,format=F32LE,rate=%d,channels=1 ! "
                                         "appsink name=sink sync=false",
                                         TOLK_RATE);
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(description, &error);
    g_free(description);
    if (!pipeline) {
        LOG_ERROR("cannot decode %s: %s", path, error->message);
        g_clear_error(&error);
        return FALSE;
    }
    GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    g_object_set(src, "location", path, NULL);
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    const guint max_bytes = MAX_FILE_SECONDS * TOLK_RATE * sizeof(float);
    GstSample *sample;
    while (out->len < max_bytes && (sample = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
        GstMapInfo map;
        GstBuffer *buffer = gst_sample_get_buffer(sample);
        if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
            g_byte_array_append(out, map.data, (guint)map.size);
            gst_buffer_unmap(buffer, &map);
        }
        gst_sample_unref(sample);
    }
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(src);
    gst_object_unref(sink);
    gst_object_unref(pipeline);
    if (out->len < CHUNK_SAMPLES * sizeof(float)) {
        LOG_ERROR("%s holds no audio GStreamer can decode", path);
        return FALSE;
    }
    return TRUE;
}

/* Waits on the pipeline clock until `when`; FALSE when asked to stop. */
static gboolean wait_until(tolk_file_source *source, GstClock *clock, GstClockTime when)
{
    GstClockID id = gst_clock_new_single_shot_id(clock, when);
    g_mutex_lock(&source->lock);
    gboolean stopping = source->stopping;
    source->waiting = id;
    g_mutex_unlock(&source->lock);
    if (!stopping)
        gst_clock_id_wait(id, NULL);
    g_mutex_lock(&source->lock);
    source->waiting = NULL;
    stopping = source->stopping;
    g_mutex_unlock(&source->lock);
    gst_clock_id_unref(id);
    return !stopping;
}

static GstBuffer *next_chunk(tolk_file_source *source, gsize *offset)
{
    const gsize chunk_bytes = CHUNK_SAMPLES * sizeof(float);
    GstBuffer *buffer = gst_buffer_new_allocate(NULL, chunk_bytes, NULL);
    GstMapInfo map;
    gst_buffer_map(buffer, &map, GST_MAP_WRITE);
    for (gsize done = 0; done < chunk_bytes;) {
        gsize take = MIN(chunk_bytes - done, source->samples->len - *offset);
        memcpy(map.data + done, source->samples->data + *offset, take);
        done += take;
        *offset = (*offset + take) % source->samples->len;
    }
    gst_buffer_unmap(buffer, &map);
    return buffer;
}

static gpointer feed_loop(gpointer data)
{
    tolk_file_source *source = data;
    GstClock *clock = gst_system_clock_obtain();
    gsize offset = 0;
    GstClockTime step = TOLK_FRAME_MS * GST_MSECOND;
    GstClockTime next = gst_clock_get_time(clock);
    while (wait_until(source, clock, next)) {
        /* Stamped on push: before the pipeline plays there is no running time. */
        if (GST_STATE(source->appsrc) != GST_STATE_PLAYING) {
            next += step;
            continue;
        }
        GstBuffer *buffer = next_chunk(source, &offset);
        GST_BUFFER_DURATION(buffer) = step;
        gst_app_src_push_buffer(GST_APP_SRC(source->appsrc), buffer);
        next += step;
    }
    gst_object_unref(clock);
    return NULL;
}

tolk_file_source *tolk_file_source_new(const char *path, GstElement *appsrc)
{
    tolk_file_source *source = g_new0(tolk_file_source, 1);
    source->samples = g_byte_array_new();
    if (!appsrc || !decode_file(path, source->samples)) {
        g_byte_array_unref(source->samples);
        g_free(source);
        return NULL;
    }
    GstCaps *caps = tolk_audio_caps();
    /* Stamped with the running time at which it leaves the source, as a network
     * input is stamped on arrival. */
    g_object_set(appsrc, "is-live", TRUE, "do-timestamp", TRUE, "format", GST_FORMAT_TIME, "caps", caps, "max-bytes",
                 (guint64)(8 * CHUNK_SAMPLES * sizeof(float)), "leaky-type", GST_APP_LEAKY_TYPE_DOWNSTREAM, NULL);
    gst_caps_unref(caps);
    source->appsrc = appsrc;
    g_mutex_init(&source->lock);
    source->thread = g_thread_new("tolk-file-source", feed_loop, source);
    return source;
}

void tolk_file_source_free(tolk_file_source *source)
{
    g_mutex_lock(&source->lock);
    source->stopping = TRUE;
    if (source->waiting)
        gst_clock_id_unschedule(source->waiting);
    g_mutex_unlock(&source->lock);
    g_thread_join(source->thread);
    g_mutex_clear(&source->lock);
    g_byte_array_unref(source->samples);
    g_free(source);
}
