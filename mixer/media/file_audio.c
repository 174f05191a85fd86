/* SPDX-License-Identifier: EUPL-1.2 */
#include "file_audio.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <math.h>

#define TOLK_LOG_MODULE "audio"
#include "log.h"

#define TOLK_RATE 48000
#define MAX_FILE_SECONDS 600
#define CHUNK_SAMPLES (TOLK_RATE / 50)

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

float *tolk_file_audio_decode(const char *path, size_t *samples)
{
    GByteArray *bytes = g_byte_array_new();
    if (!decode_file(path, bytes)) {
        g_byte_array_unref(bytes);
        return NULL;
    }
    *samples = bytes->len / sizeof(float);
    return (float *)g_byte_array_free(bytes, FALSE);
}
