/* SPDX-License-Identifier: EUPL-1.2 */
#include "media_input.h"

#include <gst/app/gstappsrc.h>
#include <stdatomic.h>
#include <string.h>

#include "media_audio.h"
#include "meter.h"

#define TOLK_LOG_MODULE "input"
#include "log.h"

struct tolk_media_input {
    char *name;
    GstBin *pipeline;
    GstElement *tee;
    GstCaps *key_caps; /* answer to srtpdec's request-key, holds the key */
    tolk_file_source *file_source;
    GstElement *pushed; /* appsrc for audio decoded elsewhere (WebRTC), NULL for the demo floor */
    tolk_meter *meter;
    /* Written on streaming threads, read on the control thread. */
    atomic_uint_fast64_t received, not_rtp, srtp_failed, decoded;
    /* udpsrc's thread only: srtpdec runs synchronously in it, so when a packet
     * arrives the fate of the previous one is known. */
    bool previous_was_rtp;
    uint64_t decoded_before_previous;
    unsigned failures_in_a_row;
    GstElement *srtpdec;
    atomic_int_fast64_t last_valid_us;
};

static GstElement *add_element(tolk_media_input *input, const char *factory)
{
    GstElement *element = gst_element_factory_make(factory, NULL);
    if (!element) {
        LOG_ERROR("GStreamer element %s is missing: install its plugin", factory);
        return NULL;
    }
    gst_bin_add(input->pipeline, element);
    return element;
}

static GstCaps *make_key_caps(const uint8_t key[TOLK_KEY_LEN])
{
    GstBuffer *key_buffer = gst_buffer_new_memdup(key, TOLK_KEY_LEN);
    GstCaps *caps = gst_caps_new_simple("application/x-srtp", "srtp-key", GST_TYPE_BUFFER, key_buffer,
                                        "srtp-cipher", G_TYPE_STRING, "aes-128-icm", "srtp-auth",
                                        G_TYPE_STRING, "hmac-sha1-80", "srtcp-cipher", G_TYPE_STRING,
                                        "aes-128-icm", "srtcp-auth", G_TYPE_STRING, "hmac-sha1-80", NULL);
    gst_buffer_unref(key_buffer);
    return caps;
}

/* Senders pick their own SSRC (ffmpeg and browsers at random): every new SSRC
 * asks for the key, and the input's one key is the answer. */
static GstCaps *on_request_key(GstElement *srtpdec, guint ssrc, gpointer user_data)
{
    (void)srtpdec;
    tolk_media_input *input = user_data;
    LOG_DEBUG("%s: new sender, SSRC %08x", input->name, ssrc);
    return gst_caps_ref(input->key_caps);
}

/* Any dynamic payload type is accepted: the jitter buffer asks for the caps of
 * each payload type it sees. */
static GstCaps *on_request_pt_map(GstElement *jitterbuffer, guint pt, gpointer user_data)
{
    (void)jitterbuffer;
    (void)user_data;
    return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "audio", "clock-rate",
                               G_TYPE_INT, 48000, "encoding-name", G_TYPE_STRING, "OPUS", "payload",
                               G_TYPE_INT, (int)pt, NULL);
}

static gboolean looks_like_rtp(GstBuffer *buffer)
{
    guint8 first;
    if (gst_buffer_get_size(buffer) < 12 || gst_buffer_extract(buffer, 0, &first, 1) != 1)
        return FALSE;
    return (first >> 6) == 2;
}

/* An RTP packet that srtpdec did not pass on failed authentication or decryption. */
static void settle_previous(tolk_media_input *input, bool this_is_rtp)
{
    uint64_t decoded = atomic_load(&input->decoded);
    if (input->previous_was_rtp && decoded == input->decoded_before_previous) {
        atomic_fetch_add(&input->srtp_failed, 1);
        input->failures_in_a_row++;
    } else if (input->previous_was_rtp) {
        input->failures_in_a_row = 0;
    }
    input->previous_was_rtp = this_is_rtp;
    input->decoded_before_previous = decoded;
}

/* A sender that restarts with the same SSRC (a hardware encoder after a
 * reboot) starts at a new sequence number, which SRTP's replay protection
 * may take for old packets: every packet fails. When the input has been quiet
 * a while and everything fails, forget that SSRC's context so the next packet
 * starts afresh (srtpdec asks for the key again). A wrong key keeps failing
 * authentication, so it gains nothing from this. */
#define RESTART_FAILURES 25
#define RESTART_QUIET_US (500 * 1000)

static void forget_stale_sender(tolk_media_input *input, GstBuffer *buffer)
{
    guint8 header[12];
    gint64 last = atomic_load(&input->last_valid_us);
    if (input->failures_in_a_row < RESTART_FAILURES || last == 0 ||
        g_get_monotonic_time() - last < RESTART_QUIET_US || gst_buffer_extract(buffer, 0, header, 12) != 12)
        return;
    guint ssrc = (guint)header[8] << 24 | (guint)header[9] << 16 | (guint)header[10] << 8 | header[11];
    LOG_INFO("%s: sender %08x starts over: its SRTP context is renewed", input->name, ssrc);
    g_signal_emit_by_name(input->srtpdec, "remove-key", ssrc);
    input->failures_in_a_row = 0;
}

static GstPadProbeReturn count_received(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
    (void)pad;
    tolk_media_input *input = user_data;
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    bool rtp = looks_like_rtp(buffer);
    atomic_fetch_add(&input->received, 1);
    settle_previous(input, rtp);
    if (!rtp) {
        atomic_fetch_add(&input->not_rtp, 1);
        return GST_PAD_PROBE_DROP;
    }
    forget_stale_sender(input, buffer);
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn count_decrypted(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
    (void)pad;
    (void)info;
    tolk_media_input *input = user_data;
    atomic_fetch_add(&input->decoded, 1);
    atomic_store(&input->last_valid_us, g_get_monotonic_time());
    return GST_PAD_PROBE_OK;
}

static void add_probe(GstElement *element, const char *pad_name, GstPadProbeCallback callback,
                      tolk_media_input *input)
{
    GstPad *pad = gst_element_get_static_pad(element, pad_name);
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, callback, input, NULL);
    gst_object_unref(pad);
}

static tolk_media_input *input_alloc(GstBin *pipeline, const char *name)
{
    tolk_media_input *input = g_new0(tolk_media_input, 1);
    input->name = g_strdup(name);
    input->pipeline = pipeline;
    return input;
}

/* A second way in, for audio a WebRTC peer has decoded: appsrc ! capsfilter,
 * into a funnel in front of the tee. Only one sender is expected at a
 * time; both paths are stamped on arrival like any network input. */
static GstElement *add_push_path(tolk_media_input *input)
{
    GstElement *funnel = add_element(input, "funnel");
    input->pushed = add_element(input, "appsrc");
    GstElement *filter = add_element(input, "capsfilter");
    if (!funnel || !input->pushed || !filter)
        return NULL;
    GstCaps *caps = tolk_audio_caps();
    g_object_set(input->pushed, "is-live", TRUE, "do-timestamp", TRUE, "format", GST_FORMAT_TIME, "caps", caps,
                 "max-bytes", (guint64)(TOLK_RATE * sizeof(float) / 5), "leaky-type", 2 /* downstream */,
                 "min-latency", (gint64)0, "max-latency", (gint64)-1, NULL);
    g_object_set(filter, "caps", caps, NULL);
    gst_caps_unref(caps);
    return gst_element_link_many(input->pushed, filter, funnel, NULL) ? funnel : NULL;
}

/* from ! audioconvert ! F32 mono 48 kHz ! funnel ! tee (network inputs), or
 * from ! ... ! queue ! tee (the demo file). Decoders already output 48 kHz.
 * Network inputs push straight from the jitter buffer's thread into the
 * mixers: one thread hop less per packet, and the live mixers never block it
 * (they take what is due on the clock). The file source needs the queue for
 * the latency headroom a live aggregator asks of its inputs. */
static gboolean add_audio_tail(tolk_media_input *input, GstElement *from, gboolean network)
{
    GstElement *convert = add_element(input, "audioconvert");
    GstElement *filter = add_element(input, "capsfilter");
    GstElement *middle = network ? add_push_path(input) : add_element(input, "queue");
    input->tee = add_element(input, "tee");
    if (!convert || !filter || !middle || !input->tee)
        return FALSE;
    GstCaps *caps = tolk_audio_caps();
    g_object_set(filter, "caps", caps, NULL);
    gst_caps_unref(caps);
    if (!network)
        tolk_configure_queue(middle);
    g_object_set(input->tee, "allow-not-linked", TRUE, NULL);
    GstPad *tee_sink = gst_element_get_static_pad(input->tee, "sink");
    input->meter = tolk_meter_new(tee_sink);
    gst_object_unref(tee_sink);
    return gst_element_link_many(from, convert, filter, middle, input->tee, NULL);
}

tolk_media_input *tolk_media_input_new(GstBin *pipeline, const char *name, GSocket *socket,
                                       const uint8_t key[TOLK_KEY_LEN], guint jitter_ms)
{
    tolk_media_input *input = input_alloc(pipeline, name);
    input->key_caps = make_key_caps(key);
    GstElement *udpsrc = add_element(input, "udpsrc");
    GstElement *srtpdec = input->srtpdec = add_element(input, "srtpdec");
    GstElement *jitter = add_element(input, "rtpjitterbuffer");
    GstElement *depay = add_element(input, "rtpopusdepay");
    GstElement *decoder = add_element(input, "opusdec");
    if (!udpsrc || !srtpdec || !jitter || !depay || !decoder) {
        tolk_media_input_free(input);
        return NULL;
    }
    GstCaps *caps = gst_caps_from_string("application/x-srtp, media=(string)audio, "
                                         "clock-rate=(int)48000, encoding-name=(string)OPUS");
    g_object_set(udpsrc, "socket", socket, "close-socket", FALSE, "caps", caps, "buffer-size", 262144,
                 NULL);
    gst_caps_unref(caps);
    g_signal_connect(srtpdec, "request-key", G_CALLBACK(on_request_key), input);
    g_object_set(jitter, "latency", jitter_ms, "do-lost", TRUE, "drop-on-latency", TRUE, NULL);
    g_signal_connect(jitter, "request-pt-map", G_CALLBACK(on_request_pt_map), input);
    /* Damaged packets are concealed, never an error that stops the session. */
    g_object_set(decoder, "plc", TRUE, "max-errors", -1, NULL);
    add_probe(udpsrc, "src", count_received, input);
    add_probe(srtpdec, "rtp_src", count_decrypted, input);
    if (!gst_element_link_pads(udpsrc, "src", srtpdec, "rtp_sink") ||
        !gst_element_link_pads(srtpdec, "rtp_src", jitter, "sink") ||
        !gst_element_link_many(jitter, depay, decoder, NULL) || !add_audio_tail(input, decoder, TRUE)) {
        LOG_ERROR("%s: could not link the input chain", name);
        tolk_media_input_free(input);
        return NULL;
    }
    return input;
}

tolk_media_input *tolk_media_input_new_file(GstBin *pipeline, const char *name, const char *path)
{
    tolk_media_input *input = input_alloc(pipeline, name);
    GstElement *appsrc = add_element(input, "appsrc");
    input->file_source = tolk_file_source_new(path, appsrc);
    if (!input->file_source || !add_audio_tail(input, appsrc, FALSE)) {
        tolk_media_input_free(input);
        return NULL;
    }
    return input;
}

void tolk_media_input_free(tolk_media_input *input)
{
    if (!input)
        return;
    /* The elements belong to the pipeline, which the caller has stopped. */
    if (input->file_source)
        tolk_file_source_free(input->file_source);
    tolk_meter_free(input->meter);
    if (input->key_caps)
        gst_caps_unref(input->key_caps);
    g_free(input->name);
    g_free(input);
}

gboolean tolk_media_input_push(tolk_media_input *input, GstBuffer *buffer)
{
    if (!input->pushed) {
        gst_buffer_unref(buffer);
        return FALSE;
    }
    atomic_fetch_add(&input->received, 1);
    atomic_store(&input->last_valid_us, g_get_monotonic_time());
    /* Stamped by the appsrc on arrival in this pipeline's running time. */
    GST_BUFFER_PTS(buffer) = GST_CLOCK_TIME_NONE;
    GST_BUFFER_DTS(buffer) = GST_CLOCK_TIME_NONE;
    return gst_app_src_push_buffer(GST_APP_SRC(input->pushed), buffer) == GST_FLOW_OK;
}

GstPad *tolk_media_input_request_pad(tolk_media_input *input)
{
    return gst_element_request_pad_simple(input->tee, "src_%u");
}

void tolk_media_input_get_stats(tolk_media_input *input, tolk_media_input_stats *stats)
{
    stats->received = atomic_load(&input->received);
    stats->dropped_not_rtp = atomic_load(&input->not_rtp);
    stats->decoded = atomic_load(&input->decoded);
    stats->dropped_srtp = atomic_load(&input->srtp_failed);
}

double tolk_media_input_take_level(tolk_media_input *input)
{
    return input->meter ? tolk_meter_take_dbfs(input->meter) : -100.0;
}

gint64 tolk_media_input_last_valid_us(tolk_media_input *input)
{
    return atomic_load(&input->last_valid_us);
}
