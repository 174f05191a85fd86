/* SPDX-License-Identifier: EUPL-1.2 */
/* The Icecast families of /metrics: bytes, reconnects, listeners (the server's count; left out
 * while unknown) and state, per channel with a source. Threads: under the app lock. */
#include "api_internal.h"

typedef enum { BYTES, RECONNECTS, LISTENERS, STATE, DROPPED } icecast_value;

static void family(tolk_app *app, GString *out, const char *name, const char *type, const char *help,
                   icecast_value what)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        for (int ch = 0; ch <= tolk_matrix_config_get(session->matrix)->channel_count; ch++) {
            if (!session->icecast[ch])
                continue;
            tolk_icecast_status st;
            tolk_icecast_source_status(session->icecast[ch], &st);
            const char *channel = tolk_matrix_channel_name(session->matrix, ch);
            if (what == STATE) {
                for (int s = TOLK_ICECAST_CONNECTING; s <= TOLK_ICECAST_PAUSED; s++)
                    g_string_append_printf(out, "%s{session=\"%s\",channel=\"%s\",state=\"%s\"} %d\n", name,
                                           session->id, channel, tolk_icecast_state_name(s), (int)st.state == s);
                continue;
            }
            if (what == LISTENERS && st.listeners < 0)
                continue;
            guint64 v = what == BYTES ? st.bytes : what == RECONNECTS ? st.reconnects
                      : what == DROPPED ? st.dropped : (guint64)st.listeners;
            g_string_append_printf(out, "%s{session=\"%s\",channel=\"%s\"} %" G_GUINT64_FORMAT "\n", name,
                                   session->id, channel, v);
        }
    }
}

void tolk_metrics_icecast(tolk_app *app, GString *out)
{
    family(app, out, "tolk_icecast_bytes_total", "counter", "Bytes of Ogg/Opus sent to the Icecast server.", BYTES);
    family(app, out, "tolk_icecast_reconnects_total", "counter",
           "Connections to the Icecast server after the first (it went away, refused, or the channel was paused).",
           RECONNECTS);
    family(app, out, "tolk_icecast_dropped_frames_total", "counter",
           "Frames dropped because the Icecast thread fell behind (its queue was full).", DROPPED);
    family(app, out, "tolk_icecast_listeners", "gauge", "Listeners of the mount, from the server's status-json.xsl.",
           LISTENERS);
    family(app, out, "tolk_icecast_state", "gauge", "1 for the Icecast source's state now.", STATE);
}
