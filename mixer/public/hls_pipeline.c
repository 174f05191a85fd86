/* SPDX-License-Identifier: EUPL-1.2 */
/* The HLS pipeline of a channel: appsrc (the channel's Opus frames) ! opusdec ! audioconvert
 * ! audioresample ! avenc_aac ! aacparse ! hlssink2. hlssink2 cuts and muxes the MPEG-TS
 * segments; the files are ours (their names, mode 0644) and so is the playlist
 * (hls_playlist.c: program date-time, discontinuities, the end mark), which hlssink2 1.22
 * does not write. */
#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <gst/app/gstappsrc.h>

#include "hls_files.h"
#include "hls_private.h"

#define TOLK_LOG_MODULE "hls"
#include "log.h"

/* About 1.5 s of Opus at 96 kb/s: enough for a pipeline that hiccups, small enough that a
 * stuck disk costs memory for no time at all; beyond it frames are dropped (counted). */
#define APPSRC_MAX_BYTES (16 * 1024)

static GstElement *add(GstElement *pipeline, const char *factory, char *why, size_t why_size)
{
    GstElement *element = gst_element_factory_make(factory, NULL);
    if (!element) {
        g_snprintf(why, why_size, "GStreamer element %s is missing: install its plugin%s", factory,
                   g_str_equal(factory, "avenc_aac") ? " (gstreamer1.0-libav)" : "");
        return NULL;
    }
    gst_bin_add(GST_BIN(pipeline), element);
    return element;
}

/* hlssink2 asks for each segment's stream (a streaming thread): a file of our name. Never
 * NULL, which leaves splitmuxsink in a state it cannot be stopped from; and no restart
 * either, which would stop the pipeline in the middle of its fragment switch: a segment that
 * cannot be made goes to /dev/null, unlisted, and the channel shows failing until one can. */
static GOutputStream *on_fragment_stream(GstElement *sink, const char *location, gpointer data)
{
    (void)sink;
    (void)location;
    tolk_hls *hls = data;
    g_mutex_lock(&hls->io_lock);
    tolk_hls_segment_name(hls->current, hls->run, hls->next_sequence);
    int fd = tolk_hls_file_create(hls->dir, hls->current);
    int saved = errno;
    hls->current_lost = fd < 0;
    if (fd < 0)
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    g_mutex_unlock(&hls->io_lock);
    if (hls->current_lost) {
        char why[160];
        g_snprintf(why, sizeof why, "cannot write a segment in %s: %s", hls->dir, g_strerror(saved));
        tolk_hls_segment_lost(hls, why);
    }
    return g_unix_output_stream_new(fd, TRUE);
}

/* hlssink2's own playlist goes nowhere: ours is written per segment. */
static GOutputStream *on_playlist_stream(GstElement *sink, const char *location, gpointer data)
{
    (void)sink;
    (void)location;
    (void)data;
    return g_memory_output_stream_new_resizable();
}

static void on_fragment_message(tolk_hls *hls, const GstStructure *s)
{
    GstClockTime rt = GST_CLOCK_TIME_NONE;
    gst_structure_get_clock_time(s, "running-time", &rt);
    if (gst_structure_has_name(s, "splitmuxsink-fragment-opened")) {
        hls->opened_rt = rt;
    } else if (gst_structure_has_name(s, "splitmuxsink-fragment-closed") && GST_CLOCK_TIME_IS_VALID(rt) &&
               GST_CLOCK_TIME_IS_VALID(hls->opened_rt) && rt > hls->opened_rt) {
        tolk_hls_segment_done(hls, hls->current, (double)(rt - hls->opened_rt) / GST_SECOND);
    }
}

/* Nobody pops this bus: everything is handled here, on the thread that posts, and dropped. */
static GstBusSyncReply on_bus_message(GstBus *bus, GstMessage *message, gpointer data)
{
    (void)bus;
    tolk_hls *hls = data;
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
        GError *error = NULL;
        gst_message_parse_error(message, &error, NULL);
        tolk_hls_failed(hls, error->message);
        g_clear_error(&error);
    } else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ELEMENT && gst_message_get_structure(message)) {
        on_fragment_message(hls, gst_message_get_structure(message));
    }
    gst_message_unref(message);
    return GST_BUS_DROP;
}

static void configure(tolk_hls *hls, GstElement *src, GstElement *aac, GstElement *sink)
{
    GstCaps *caps = gst_caps_new_simple("audio/x-opus", "channel-mapping-family", G_TYPE_INT, 0, "channels",
                                        G_TYPE_INT, 1, "rate", G_TYPE_INT, 48000, NULL);
    g_object_set(src, "caps", caps, "is-live", TRUE, "do-timestamp", TRUE, "format", GST_FORMAT_TIME,
                 "max-bytes", (guint64)APPSRC_MAX_BYTES, "block", FALSE, NULL);
    gst_caps_unref(caps);
    g_object_set(aac, "bitrate", (int)hls->cfg.bitrate, NULL);
    char *location = g_build_filename(hls->dir, "unused%05d.ts", NULL);
    /* max-files 0: hlssink2 deletes nothing, the playlist (hls_channel.c) decides. */
    g_object_set(sink, "target-duration", hls->cfg.segment_seconds, "playlist-length", hls->cfg.playlist_segments,
                 "max-files", 0u, "location", location, NULL);
    g_free(location);
    g_signal_connect(sink, "get-fragment-stream", G_CALLBACK(on_fragment_stream), hls);
    g_signal_connect(sink, "get-playlist-stream", G_CALLBACK(on_playlist_stream), hls);
}

static GstElement *build(tolk_hls *hls, GstElement *pipeline, char *why, size_t why_size)
{
    static const char *const chain[] = {"appsrc", "opusdec", "audioconvert", "audioresample", "avenc_aac",
                                        "aacparse", "hlssink2"};
    GstElement *e[G_N_ELEMENTS(chain)];
    for (size_t i = 0; i < G_N_ELEMENTS(chain); i++) {
        if (!(e[i] = add(pipeline, chain[i], why, why_size)))
            return NULL;
        if (i > 0 && !gst_element_link(e[i - 1], e[i])) {
            g_snprintf(why, why_size, "cannot link %s to %s", chain[i - 1], chain[i]);
            return NULL;
        }
    }
    configure(hls, e[0], e[4], e[6]);
    return e[0];
}

GstElement *tolk_hls_pipeline_start(tolk_hls *hls, GstElement **appsrc, char *why, size_t why_size)
{
    GstElement *pipeline = gst_pipeline_new(NULL);
    GstBus *bus = gst_pipeline_get_bus(GST_PIPELINE(pipeline));
    gst_bus_set_sync_handler(bus, on_bus_message, hls, NULL);
    gst_object_unref(bus);
    hls->opened_rt = GST_CLOCK_TIME_NONE;
    GstElement *src = build(hls, pipeline, why, why_size);
    if (src && gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        g_snprintf(why, why_size, "the HLS pipeline does not start");
        src = NULL;
    }
    if (!src) {
        tolk_hls_pipeline_stop(pipeline);
        return NULL;
    }
    *appsrc = gst_object_ref(src);
    return pipeline;
}

/* A pipeline that did not reach NULL still has running streaming threads: freeing it would
 * pull the elements from under them, so it is left (logged), a leak rather than a crash. */
void tolk_hls_pipeline_stop(GstElement *pipeline)
{
    if (gst_element_set_state(pipeline, GST_STATE_NULL) == GST_STATE_CHANGE_FAILURE) {
        LOG_ERROR("an HLS pipeline did not stop; it is left as it is");
        return;
    }
    gst_object_unref(pipeline);
}
