/* SPDX-License-Identifier: EUPL-1.2 */
/* /metrics in the Prometheus text format: what a technician graphs and alerts on. */
#include <stdio.h>

#include "app.h"

#define TOLK_LOG_MODULE "metrics"
#include "log.h"

static void header(GString *out, const char *name, const char *type, const char *help)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

typedef void (*input_fn)(GString *out, const char *session, const char *input, const tolk_media_input_stats *s);

static void each_input(tolk_app *app, GString *out, input_fn fn)
{
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
        tolk_media_input_stats stats = {0};
        tolk_media_input_get_stats(tolk_media_input_at(session->media, -1), &stats);
        fn(out, session->id, "floor", &stats);
        for (int b = 0; b < config->booth_count; b++) {
            for (int c = 0; c < config->booths[b].console_count; c++) {
                char id[16];
                snprintf(id, sizeof id, "%s/%d", config->channels[config->booths[b].channel], c + 1);
                tolk_media_input_get_stats(tolk_media_input_at(session->media, TOLK_SLOT(b, c)), &stats);
                fn(out, session->id, id, &stats);
            }
        }
    }
}

static void input_received(GString *out, const char *session, const char *input, const tolk_media_input_stats *s)
{
    g_string_append_printf(out, "tolk_input_packets_received_total{session=\"%s\",input=\"%s\"} %" G_GUINT64_FORMAT "\n",
                           session, input, (guint64)s->received);
}

static void input_dropped(GString *out, const char *session, const char *input, const tolk_media_input_stats *s)
{
    const char *fmt = "tolk_input_packets_dropped_total{session=\"%s\",input=\"%s\",reason=\"%s\"} %" G_GUINT64_FORMAT "\n";
    g_string_append_printf(out, fmt, session, input, "not_rtp", (guint64)s->dropped_not_rtp);
    g_string_append_printf(out, fmt, session, input, "srtp", (guint64)s->dropped_srtp);
}

static void channel_metrics(tolk_app *app, GString *out)
{
    header(out, "tolk_channel_frames_total", "counter", "Opus frames encoded per channel.");
    header(out, "tolk_output_packets_sent_total", "counter", "SRTP packets sent, over all outputs of a channel.");
    header(out, "tolk_output_send_errors_total", "counter", "Packets the kernel refused to send.");
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        int count = tolk_matrix_config_get(session->matrix)->channel_count;
        for (int ch = 0; ch <= count; ch++) {
            const char *name = tolk_matrix_channel_name(session->matrix, ch);
            tolk_srtp_sender_stats stats;
            tolk_srtp_sender_get_stats(tolk_stream_sender(tolk_media_channel_stream_at(session->media, ch)), &stats);
            const char *labels = "{session=\"%s\",channel=\"%s\"} %" G_GUINT64_FORMAT "\n";
            g_string_append_printf(out, "tolk_channel_frames_total");
            g_string_append_printf(out, labels, session->id, name, (guint64)tolk_media_channel_frames_at(session->media, ch));
            g_string_append_printf(out, "tolk_output_packets_sent_total");
            g_string_append_printf(out, labels, session->id, name, (guint64)stats.packets);
            g_string_append_printf(out, "tolk_output_send_errors_total");
            g_string_append_printf(out, labels, session->id, name, (guint64)stats.send_errors);
        }
    }
}

static void http_status(void *ctx, int status, uint64_t count)
{
    g_string_append_printf(ctx, "tolk_http_responses_total{status=\"%d\"} %" G_GUINT64_FORMAT "\n", status,
                           (guint64)count);
}

char *tolk_metrics_render(tolk_app *app)
{
    GString *out = g_string_new(NULL);
    header(out, "tolk_sessions", "gauge", "Sessions running.");
    g_string_append_printf(out, "tolk_sessions %u\n", app->sessions->len);
    header(out, "tolk_input_packets_received_total", "counter", "UDP datagrams received per input.");
    each_input(app, out, input_received);
    header(out, "tolk_input_packets_dropped_total", "counter",
           "Datagrams dropped per input: not RTP, or failed SRTP authentication.");
    each_input(app, out, input_dropped);
    channel_metrics(app, out);
    header(out, "tolk_media_errors_total", "counter", "Errors and warnings of the media pipelines.");
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        g_string_append_printf(out, "tolk_media_errors_total{session=\"%s\"} %" G_GUINT64_FORMAT "\n", session->id,
                               (guint64)tolk_media_error_count(session->media));
    }
    header(out, "tolk_http_responses_total", "counter", "HTTP responses by status code.");
    tolk_http_server_stats(app->http, http_status, out);
    return g_string_free(out, FALSE);
}
