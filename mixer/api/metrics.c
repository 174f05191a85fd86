/* SPDX-License-Identifier: EUPL-1.2 */
/* /metrics in the Prometheus text format: what a technician graphs and alerts on.
 * Each family is written whole (HELP, TYPE, then all its samples), as the format requires. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "api_internal.h"
#include "app_state.h"
#include "input_health.h"

typedef struct {
    const char *session;
    const char *label;  /* "input", "channel" or "console" */
    const char *id;     /* the input, channel or console id */
    uint64_t value;
} sample;

static void header(GString *out, const char *name, const char *type, const char *help)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void write_sample(GString *out, const char *name, const sample *s, const char *extra)
{
    g_string_append_printf(out, "%s{session=\"%s\",%s=\"%s\"%s} %" G_GUINT64_FORMAT "\n", name, s->session,
                           s->label, s->id, extra ? extra : "", (guint64)s->value);
}

/* One input as a family's writer sees it. */
typedef struct {
    const char *session, *id;
    tolk_input_state state;
    tolk_media_input_stats stats;
    bool has_aes67; /* the input takes an AES67 stream: aes67 holds its receiver's counters */
    tolk_aes67_stats aes67;
} input_view;

typedef void (*input_fn)(GString *out, const char *name, const input_view *v);

/* Calls fn for the floor and every console input of every session. */
static void each_input(tolk_app *app, GString *out, const char *name, input_fn fn)
{
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
        for (tolk_input in = TOLK_EACH_INPUT; tolk_input_next(config, &in);) {
            input_view v = {session->id, in.id, tolk_session_input_state(session, in.slot), {0}, false, {0}};
            tolk_session_input_stats(session, in.slot, &v.stats);
            v.has_aes67 = tolk_session_aes67_stats(session, in.slot, &v.aes67);
            fn(out, name, &v);
        }
    }
}

static void input_count(GString *out, const char *name, const input_view *v, uint64_t value, const char *extra)
{
    write_sample(out, name, &(sample){v->session, "input", v->id, value}, extra);
}

static void input_received(GString *out, const char *name, const input_view *v)
{
    input_count(out, name, v, v->stats.received, NULL);
}

static void input_dropped(GString *out, const char *name, const input_view *v)
{
    const tolk_media_input_stats *s = &v->stats;
    const struct {
        const char *reason;
        uint64_t value;
    } reasons[] = {{"not_rtp", s->dropped_not_rtp}, {"auth", s->dropped_auth}, {"replay", s->dropped_replay},
                   {"sender", s->dropped_sender}, {"undecodable", s->dropped_undecodable}};
    for (size_t i = 0; i < G_N_ELEMENTS(reasons); i++) {
        char extra[32];
        snprintf(extra, sizeof extra, ",reason=\"%s\"", reasons[i].reason);
        input_count(out, name, v, reasons[i].value, extra);
    }
}

static void input_rtcp(GString *out, const char *name, const input_view *v)
{
    input_count(out, name, v, v->stats.rtcp, ",result=\"ok\"");
    input_count(out, name, v, v->stats.rtcp_failed, ",result=\"failed\"");
}

static void input_restarts(GString *out, const char *name, const input_view *v)
{
    input_count(out, name, v, v->stats.restarts, NULL);
}

static void input_rekeys(GString *out, const char *name, const input_view *v)
{
    input_count(out, name, v, v->stats.rekeys, NULL);
}

/* 1 for the state the input is in, 0 for the others: alert on state="failing". */
static void input_state(GString *out, const char *name, const input_view *v)
{
    static const tolk_input_state order[] = {TOLK_INPUT_RECEIVING, TOLK_INPUT_SILENT, TOLK_INPUT_LOST,
                                             TOLK_INPUT_FAILING};
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        char extra[32];
        snprintf(extra, sizeof extra, ",state=\"%s\"", tolk_input_state_name(order[i]));
        input_count(out, name, v, v->state == order[i], extra);
    }
}

static void input_lost(GString *out, const char *name, const input_view *v)
{
    input_count(out, name, v, v->stats.lost, NULL);
}

static void input_late(GString *out, const char *name, const input_view *v)
{
    input_count(out, name, v, v->stats.late, NULL);
}

static void input_undecodable(GString *out, const char *name, const input_view *v)
{
    input_count(out, name, v, v->stats.dropped_undecodable, NULL);
}

static void input_jitter(GString *out, const char *name, const input_view *v)
{
    g_string_append_printf(out, "%s{session=\"%s\",input=\"%s\"} %.3f\n", name, v->session, v->id, v->stats.jitter_ms);
}

/* Plain RTP's drops by reason: what a hostile or misconfigured hall sender shows as. */
static void input_aes67_dropped(GString *out, const char *name, const input_view *v)
{
    for (int i = 0; v->has_aes67 && i < TOLK_AES67_DROPS; i++) {
        char extra[40];
        snprintf(extra, sizeof extra, ",reason=\"%s\"", tolk_aes67_drop_name(i));
        input_count(out, name, v, v->aes67.dropped[i], extra);
    }
}

static void input_aes67_drift(GString *out, const char *name, const input_view *v)
{
    if (!v->has_aes67)
        return;
    input_count(out, name, v, v->aes67.drift_dropped, ",way=\"dropped\"");
    input_count(out, name, v, v->aes67.drift_repeated, ",way=\"repeated\"");
}

static void input_aes67_fill(GString *out, const char *name, const input_view *v)
{
    if (v->has_aes67)
        g_string_append_printf(out, "%s{session=\"%s\",input=\"%s\"} %.3f\n", name, v->session, v->id,
                               v->aes67.fill_ms);
}

static void input_families(tolk_app *app, GString *out)
{
    static const struct {
        const char *name, *type, *help;
        input_fn fn;
    } families[] = {
        {"tolk_input_packets_received_total", "counter", "UDP datagrams received per input.", input_received},
        {"tolk_input_packets_dropped_total", "counter",
         "Datagrams dropped per input and reason: not RTP, failed SRTP authentication, replayed, "
         "sender table full, not Opus.", input_dropped},
        {"tolk_input_rtcp_packets_total", "counter", "Multiplexed SRTCP packets per input, by result.", input_rtcp},
        {"tolk_input_restarts_total", "counter", "Times an input's chain failed and was restarted.", input_restarts},
        {"tolk_input_rekeys_total", "counter", "Times an input was given a new key.", input_rekeys},
        {"tolk_input_state", "gauge", "An input's health: 1 for its current state (receiving, silent, lost, failing).",
         input_state},
        {"tolk_input_lost_packets_total", "counter", "Packets of an input that never came (their turn was concealed).",
         input_lost},
        {"tolk_input_late_packets_total", "counter", "Packets of an input that came after their turn (dropped).",
         input_late},
        {"tolk_input_undecodable_packets_total", "counter", "Authenticated packets of an input that are not Opus.",
         input_undecodable},
        {"tolk_input_jitter_ms", "gauge", "Interarrival jitter of an input (RFC 3550), in milliseconds.", input_jitter},
        {"tolk_input_aes67_packets_dropped_total", "counter",
         "Datagrams an input's AES67 source dropped, by reason: another source address, another SSRC, another "
         "payload type, another packet size, not RTP, too late to play.", input_aes67_dropped},
        {"tolk_input_aes67_drift_corrections_total", "counter",
         "Frames an input's AES67 source made from one sample more (dropped) or less (repeated) to follow the "
         "sender's clock.", input_aes67_drift},
        {"tolk_input_aes67_buffer_ms", "gauge",
         "Audio an input's AES67 source holds beyond the frame taken, averaged, in milliseconds.", input_aes67_fill},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(families); i++) {
        header(out, families[i].name, families[i].type, families[i].help);
        each_input(app, out, families[i].name, families[i].fn);
    }
}

/* What a stream metric reads: frames for channels, sender stats for both kinds. */
typedef enum { STREAM_FRAMES, STREAM_PACKETS, STREAM_ERRORS, STREAM_LISTENERS, RECORDING_BYTES,
               RECORDING_ERRORS, RECORDING_LOST, RECORDING_ON } stream_value;

static uint64_t read_recording(tolk_session *session, int channel, stream_value what)
{
    tolk_recording_status st;
    tolk_session_recording_status(session, channel, &st);
    switch (what) {
    case RECORDING_BYTES: return st.bytes;
    case RECORDING_ERRORS: return st.write_errors;
    case RECORDING_LOST: return st.lost;
    default: return st.state != TOLK_RECORDING_OFF;
    }
}

static uint64_t read_stream(tolk_session *session, int channel, int slot, stream_value what)
{
    tolk_srtp_sender_stats stats;
    tolk_session_sender_stats(session, channel, slot, &stats);
    switch (what) {
    case STREAM_FRAMES: return tolk_session_channel_frames(session, channel);
    case STREAM_PACKETS: return stats.packets;
    case STREAM_ERRORS: return stats.send_errors;
    case STREAM_LISTENERS: return (uint64_t)tolk_session_channel_listeners(session, channel);
    default: return read_recording(session, channel, what);
    }
    return 0;
}

static void channel_family(tolk_app *app, GString *out, const char *name, stream_value what)
{
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        int count = tolk_matrix_config_get(session->matrix)->channel_count;
        for (int ch = 0; ch <= count; ch++) {
            sample s = {session->id, "channel", tolk_matrix_channel_name(session->matrix, ch),
                        read_stream(session, ch, -1, what)};
            write_sample(out, name, &s, NULL);
        }
    }
}

static void feed_family(tolk_app *app, GString *out, const char *name, stream_value what)
{
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
        for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(config, &in);) {
            sample s = {session->id, "console", in.id, read_stream(session, -1, in.slot, what)};
            write_sample(out, name, &s, NULL);
        }
    }
}

static void http_status(void *ctx, int status, uint64_t count)
{
    g_string_append_printf(ctx, "tolk_http_responses_total{status=\"%d\"} %" G_GUINT64_FORMAT "\n", status,
                           (guint64)count);
}

static void stream_families(tolk_app *app, GString *out)
{
    static const struct {
        const char *name, *type, *help;
        bool feeds;
        stream_value what;
    } families[] = {
        {"tolk_channel_frames_total", "counter", "Opus frames encoded per channel.", false, STREAM_FRAMES},
        {"tolk_output_packets_sent_total", "counter", "SRTP packets sent, over all outputs of a channel.", false, STREAM_PACKETS},
        {"tolk_output_send_errors_total", "counter", "Packets of a channel's outputs the kernel refused.", false, STREAM_ERRORS},
        {"tolk_channel_listeners", "gauge", "Outputs and connected WebRTC listeners of a channel.", false, STREAM_LISTENERS},
        {"tolk_recording_bytes_total", "counter", "Bytes a channel's recording wrote to its files.", false, RECORDING_BYTES},
        {"tolk_recording_write_errors_total", "counter", "Writes of a channel's recording that failed (a disk full).", false, RECORDING_ERRORS},
        {"tolk_recording_lost_frames_total", "counter", "Frames a channel's recording lost (queue full, write failed, no file).", false, RECORDING_LOST},
        {"tolk_recording_active", "gauge", "1 while a channel records.", false, RECORDING_ON},
        {"tolk_feed_packets_sent_total", "counter", "SRTP packets sent, over all outputs of a return feed.", true, STREAM_PACKETS},
        {"tolk_feed_send_errors_total", "counter", "Packets of a return feed the kernel refused.", true, STREAM_ERRORS},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(families); i++) {
        header(out, families[i].name, families[i].type, families[i].help);
        if (families[i].feeds)
            feed_family(app, out, families[i].name, families[i].what);
        else
            channel_family(app, out, families[i].name, families[i].what);
    }
}

/* Per output, so that the one destination the kernel refuses is found among a channel's many. */
static void output_errors(tolk_app *app, GString *out)
{
    static const char name[] = "tolk_output_destination_send_errors_total";
    header(out, name, "counter", "Packets the kernel refused, per output (its destination).");
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        for (guint o = 0; o < session->outputs->len; o++) {
            const tolk_session_output *output = g_ptr_array_index(session->outputs, o);
            g_string_append_printf(out, "%s{session=\"%s\",output=\"%s\"} %" G_GUINT64_FORMAT "\n", name, session->id,
                                   output->id,
                                   (guint64)tolk_session_output_send_errors(session, output));
        }
    }
}

/* The AES67 outputs' pacing: packets sent, sent as silence (the mix late), skipped (the pacer late). */
static void aes67_counts(tolk_app *app, GString *out)
{
    static const struct {
        const char *name, *help;
        size_t offset;
    } counts[] = {
        {"tolk_aes67_packets_sent_total", "AES67 packets sent, per output.", offsetof(tolk_aes67_output_stats, packets)},
        {"tolk_aes67_underruns_total", "AES67 packets sent as silence: the mix's frame was late.",
         offsetof(tolk_aes67_output_stats, underruns)},
        {"tolk_aes67_late_packets_total", "AES67 packets the pacer skipped: it woke too late.",
         offsetof(tolk_aes67_output_stats, late)},
    };
    for (size_t c = 0; c < G_N_ELEMENTS(counts); c++) {
        header(out, counts[c].name, "counter", counts[c].help);
        for (guint i = 0; i < app->sessions->len; i++) {
            tolk_session *session = g_ptr_array_index(app->sessions, i);
            for (guint o = 0; o < session->outputs->len; o++) {
                const tolk_session_output *output = g_ptr_array_index(session->outputs, o);
                tolk_aes67_output_stats st = {0};
                if (!output->sender)
                    continue;
                tolk_aes67_output_get_stats(output->sender, &st);
                g_string_append_printf(out, "%s{session=\"%s\",output=\"%s\"} %" G_GUINT64_FORMAT "\n", counts[c].name,
                                       session->id, output->id,
                                       (guint64) * (const uint64_t *)((const char *)&st + counts[c].offset));
            }
        }
    }
}

static void channel_levels(tolk_app *app, GString *out)
{
    static const char name[] = "tolk_channel_level_dbfs";
    header(out, name, "gauge", "A channel's RMS level over the latest quarter second, in dBFS (-100: silence).");
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        for (int ch = 0; ch <= tolk_matrix_config_get(session->matrix)->channel_count; ch++)
            g_string_append_printf(out, "%s{session=\"%s\",channel=\"%s\"} %.1f\n", name, session->id,
                                   tolk_matrix_channel_name(session->matrix, ch), tolk_session_channel_last_level(session, ch));
    }
}

/* One family, two label sets: a channel's own guard and each console's return feed. */
static void loudness_family(tolk_app *app, GString *out)
{
    static const char name[] = "tolk_loudness_warnings_total";
    header(out, name, "counter", "Warnings of the one-minute loudness guard, per channel and per return feed.");
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
        for (int ch = 0; ch <= config->channel_count; ch++) {
            sample s = {session->id, "channel", tolk_matrix_channel_name(session->matrix, ch),
                        tolk_session_loudness_warnings(session, ch, -1)};
            write_sample(out, name, &s, NULL);
        }
        for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(config, &in);) {
            sample s = {session->id, "console", in.id, tolk_session_loudness_warnings(session, -1, in.slot)};
            write_sample(out, name, &s, NULL);
        }
    }
}

static void state_family(tolk_app *app, GString *out)
{
    char *fault = tolk_app_state_fault(app);
    header(out, "tolk_state_ok", "gauge", "1 while the state is written, 0 while it cannot be (disk full, a bad file).");
    g_string_append_printf(out, "tolk_state_ok %d\n", fault == NULL);
    header(out, "tolk_state_write_failures_total", "counter", "Commits of the state that failed.");
    g_string_append_printf(out, "tolk_state_write_failures_total %" G_GUINT64_FORMAT "\n",
                           (guint64)tolk_app_state_failures(app));
    g_free(fault);
}

char *tolk_metrics_render(tolk_app *app, tolk_http_server *http)
{
    GString *out = g_string_new(NULL);
    header(out, "tolk_sessions", "gauge", "Sessions running.");
    g_string_append_printf(out, "tolk_sessions %u\n", app->sessions->len);
    input_families(app, out);
    stream_families(app, out);
    output_errors(app, out);
    aes67_counts(app, out);
    channel_levels(app, out);
    header(out, "tolk_engine_threads", "gauge", "Threads of the media engine (tick, receive, workers): constant in sittings.");
    g_string_append_printf(out, "tolk_engine_threads %u\n", tolk_media_engine_threads());
    header(out, "tolk_engine_late_ticks_total", "counter", "Frames the engine started over a frame late (an overloaded machine).");
    g_string_append_printf(out, "tolk_engine_late_ticks_total %" G_GUINT64_FORMAT "\n", (guint64)tolk_media_engine_late_ticks());
    header(out, "tolk_media_errors_total", "counter", "Errors of a session's media (encoder failures).");
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        g_string_append_printf(out, "tolk_media_errors_total{session=\"%s\"} %" G_GUINT64_FORMAT "\n", session->id,
                               (guint64)tolk_session_media_errors(session));
    }
    loudness_family(app, out);
    tolk_metrics_icecast(app, out);
    tolk_metrics_video(app, out);
    tolk_hls_metrics(app, out);
    state_family(app, out);
    if (app->env.recorder) {
        guint64 free_bytes = tolk_recorder_free_bytes(app->env.recorder);
        header(out, "tolk_recordings_free_bytes", "gauge", "Free space in the recordings folder.");
        if (free_bytes != G_MAXUINT64)
            g_string_append_printf(out, "tolk_recordings_free_bytes %" G_GUINT64_FORMAT "\n", free_bytes);
    }
    header(out, "tolk_webrtc_peers", "gauge", "WebRTC peers of a session, connected or still connecting.");
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        g_string_append_printf(out, "tolk_webrtc_peers{session=\"%s\"} %d\n", session->id,
                               tolk_session_peer_count(session, -1));
    }
    header(out, "tolk_http_responses_total", "counter", "HTTP responses by status code.");
    tolk_http_server_stats(http, http_status, out);
    return g_string_free(out, FALSE);
}
