/* SPDX-License-Identifier: EUPL-1.2 */
#include "media_input.h"

#include <gst/app/gstappsrc.h>
#include <stdatomic.h>
#include <string.h>

#include "media_audio.h"
#include "meter.h"
#include "opus_check.h"
#include "srtp_receiver.h"

#define TOLK_LOG_MODULE "input"
#include "log.h"

/* An input is receiving while good packets arrived this recently, failing while bad ones did
 * (or its chain restarted). */
#define RECENT_US (1000 * 1000)
#define RESTART_COALESCE_US (200 * 1000)

struct tolk_media_input {
    char *name;
    GstBin *pipeline;
    GstElement *tee;
    tolk_srtp_receiver *receiver; /* NULL for the demo floor */
    tolk_file_source *file_source;
    GstElement *pushed; /* appsrc for audio decoded elsewhere (WebRTC), NULL for the demo floor */
    GstBin *chain;      /* udpsrc to opusdec: what a restart resets; NULL for the demo floor */
    tolk_meter *meter;
    /* Written on streaming threads, read on the control thread. */
    atomic_uint_fast64_t received, decoded, undecodable;
    atomic_int_fast64_t last_valid_us, last_dropped_us, last_restart_us;
    atomic_uint_fast64_t restarts;
    atomic_uint logged_causes; /* bit per tolk_opus_verdict: logged once, then only counted */
    /* udpsrc's thread only. */
    tolk_opus_check opus;
};

static GstElement *add_to(GstBin *bin, const char *factory)
{
    GstElement *element = gst_element_factory_make(factory, NULL);
    if (!element) {
        LOG_ERROR("GStreamer element %s is missing: install its plugin", factory);
        return NULL;
    }
    gst_bin_add(bin, element);
    return element;
}

static GstElement *add_element(tolk_media_input *input, const char *factory)
{
    return add_to(input->pipeline, factory);
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

/* The counts by cause are the receiver's; the input keeps when the last drop was, for its state. */
static void mark_dropped(tolk_media_input *input, gint64 now_us)
{
    atomic_store(&input->last_dropped_us, now_us);
}

static void count_undecodable(tolk_media_input *input, tolk_opus_verdict verdict, gint64 now_us)
{
    atomic_fetch_add(&input->undecodable, 1);
    mark_dropped(input, now_us);
    unsigned bit = 1u << verdict;
    if (!(atomic_fetch_or(&input->logged_causes, bit) & bit))
        LOG_WARN("%s: undecodable packets (%s): dropped and counted, not logged again", input->name,
                 tolk_opus_verdict_name(verdict));
}

/* Every datagram: unprotected in place, or dropped and counted by cause. Only Opus that
 * authenticated goes on to the jitter buffer, so nothing an attacker sends reaches a
 * GStreamer element that could fail or log per packet. */
static bool take_packet(tolk_media_input *input, GstBuffer *buffer, gint64 now_us)
{
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READWRITE))
        return false;
    size_t len = map.size;
    tolk_receive_result result = tolk_srtp_receiver_receive(input->receiver, map.data, &len, now_us);
    tolk_opus_verdict verdict = TOLK_OPUS_OK;
    if (result == TOLK_RECEIVE_MEDIA)
        verdict = tolk_opus_check_packet(&input->opus, map.data, len);
    gst_buffer_unmap(buffer, &map);
    if (result != TOLK_RECEIVE_MEDIA) {
        if (result == TOLK_RECEIVE_DROPPED)
            mark_dropped(input, now_us);
        return false;
    }
    if (verdict == TOLK_OPUS_UNCONFIRMED)
        return false;
    if (verdict != TOLK_OPUS_OK) {
        count_undecodable(input, verdict, now_us);
        return false;
    }
    gst_buffer_set_size(buffer, (gssize)len);
    return true;
}

static GstPadProbeReturn receive_packet(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
    (void)pad;
    tolk_media_input *input = user_data;
    GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    gint64 now_us = g_get_monotonic_time();
    atomic_fetch_add(&input->received, 1);
    if (!take_packet(input, buffer, now_us))
        return GST_PAD_PROBE_DROP;
    atomic_fetch_add(&input->decoded, 1);
    atomic_store(&input->last_valid_us, now_us);
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
                 "max-bytes", (guint64)(TOLK_RATE * sizeof(float) / 5), "leaky-type", GST_APP_LEAKY_TYPE_DOWNSTREAM,
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

/* The chain a restart resets, in a bin of its own whose ghost pad feeds the tail. */
static GstElement *build_chain(tolk_media_input *input, GSocket *socket, guint jitter_ms)
{
    gchar *chain_name = g_strdup_printf("input-%s", input->name);
    input->chain = GST_BIN(gst_bin_new(chain_name));
    g_free(chain_name);
    gst_bin_add(input->pipeline, GST_ELEMENT(input->chain));
    GstElement *udpsrc = add_to(input->chain, "udpsrc");
    GstElement *jitter = add_to(input->chain, "rtpjitterbuffer");
    GstElement *depay = add_to(input->chain, "rtpopusdepay");
    GstElement *decoder = add_to(input->chain, "opusdec");
    if (!udpsrc || !jitter || !depay || !decoder)
        return NULL;
    /* What leaves udpsrc is plain RTP: the probe decrypts in place or drops. */
    GstCaps *caps = gst_caps_from_string("application/x-rtp, media=(string)audio, "
                                         "clock-rate=(int)48000, encoding-name=(string)OPUS");
    g_object_set(udpsrc, "socket", socket, "close-socket", FALSE, "caps", caps, "buffer-size", 262144,
                 NULL);
    gst_caps_unref(caps);
    g_object_set(jitter, "latency", jitter_ms, "do-lost", TRUE, "drop-on-latency", TRUE, NULL);
    g_signal_connect(jitter, "request-pt-map", G_CALLBACK(on_request_pt_map), input);
    /* Damaged packets are concealed, never an error that stops the session. */
    g_object_set(decoder, "plc", TRUE, "max-errors", -1, NULL);
    add_probe(udpsrc, "src", receive_packet, input);
    if (!gst_element_link_many(udpsrc, jitter, depay, decoder, NULL))
        return NULL;
    GstPad *decoded = gst_element_get_static_pad(decoder, "src");
    GstPad *ghost = gst_ghost_pad_new("src", decoded);
    gst_object_unref(decoded);
    gst_element_add_pad(GST_ELEMENT(input->chain), ghost);
    return GST_ELEMENT(input->chain);
}

tolk_media_input *tolk_media_input_new(GstBin *pipeline, const char *name, GSocket *socket,
                                       const uint8_t key[TOLK_KEY_LEN], guint jitter_ms)
{
    tolk_media_input *input = input_alloc(pipeline, name);
    input->receiver = tolk_srtp_receiver_new(key);
    GstElement *chain = input->receiver ? build_chain(input, socket, jitter_ms) : NULL;
    if (!chain || !add_audio_tail(input, chain, TRUE)) {
        LOG_ERROR("%s: could not build the input chain", name);
        tolk_media_input_free(input);
        return NULL;
    }
    return input;
}

bool tolk_media_input_owns(tolk_media_input *input, GstObject *element)
{
    return input->chain && element &&
           (element == GST_OBJECT(input->chain) || gst_object_has_as_ancestor(element, GST_OBJECT(input->chain)));
}

bool tolk_media_input_restart(tolk_media_input *input)
{
    gint64 now_us = g_get_monotonic_time();
    /* One failure posts several errors (the element, then its peers): one restart for them. */
    if (!input->chain || now_us - atomic_load(&input->last_restart_us) < RESTART_COALESCE_US)
        return false;
    atomic_store(&input->last_restart_us, now_us);
    atomic_fetch_add(&input->restarts, 1);
    LOG_WARN("%s: the input chain failed and is restarted", input->name);
    gst_element_set_state(GST_ELEMENT(input->chain), GST_STATE_NULL);
    return gst_element_sync_state_with_parent(GST_ELEMENT(input->chain));
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
    tolk_srtp_receiver_free(input->receiver);
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
    tolk_srtp_receiver_stats r = {0};
    if (input->receiver)
        tolk_srtp_receiver_get_stats(input->receiver, &r);
    *stats = (tolk_media_input_stats){
        .received = atomic_load(&input->received),
        .decoded = atomic_load(&input->decoded),
        .dropped_not_rtp = r.not_rtp,
        .dropped_auth = r.auth_failed,
        .dropped_replay = r.replayed,
        .dropped_sender = r.senders_refused,
        .dropped_undecodable = atomic_load(&input->undecodable),
        .rtcp = r.rtcp,
        .rtcp_failed = r.rtcp_failed,
        .senders_evicted = r.senders_evicted,
        .rekeys = r.rekeys,
        .last_valid_us = atomic_load(&input->last_valid_us),
        .last_dropped_us = atomic_load(&input->last_dropped_us),
        .restarts = atomic_load(&input->restarts),
        .last_restart_us = atomic_load(&input->last_restart_us),
    };
}

const char *tolk_media_input_state(const tolk_media_input_stats *stats, gint64 now_us)
{
    if (stats->last_valid_us && now_us - stats->last_valid_us < RECENT_US)
        return "receiving";
    if ((stats->last_dropped_us && now_us - stats->last_dropped_us < RECENT_US) ||
        (stats->last_restart_us && now_us - stats->last_restart_us < RECENT_US))
        return "failing";
    return "silent";
}

bool tolk_media_input_rekey(tolk_media_input *input, const uint8_t key[TOLK_KEY_LEN])
{
    return input->receiver && tolk_srtp_receiver_rekey(input->receiver, key);
}

double tolk_media_input_take_level(tolk_media_input *input)
{
    return input->meter ? tolk_meter_take_dbfs(input->meter) : -100.0;
}

gint64 tolk_media_input_last_valid_us(tolk_media_input *input)
{
    return atomic_load(&input->last_valid_us);
}
