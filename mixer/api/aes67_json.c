/* SPDX-License-Identifier: EUPL-1.2 */
#include "aes67_json.h"

#include <glib.h>

static json_object *text_or_null(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}

static const char *encoding_name(tolk_aes67_encoding e)
{
    return e == TOLK_AES67_L16 ? "L16" : "L24";
}

/* What the stream's SDP says: where it comes from and its format. */
static void add_stream(json_object *obj, const tolk_aes67_stream *s)
{
    json_object_object_add(obj, "address", json_object_new_string(s->address));
    json_object_object_add(obj, "port", json_object_new_int(s->port));
    json_object_object_add(obj, "encoding", json_object_new_string(encoding_name(s->encoding)));
    json_object_object_add(obj, "packet_time_ms", json_object_new_double(s->ptime_us / 1000.0));
    json_object_object_add(obj, "channels", json_object_new_int(s->channels));
}

static void add_unknown_stream(json_object *obj)
{
    static const char *const fields[] = {"address", "port", "encoding", "packet_time_ms", "channels"};
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
        json_object_object_add(obj, fields[i], NULL);
}

static json_object *receive_json(const tolk_aes67_stats *s)
{
    json_object *r = json_object_new_object();
    json_object_object_add(r, "received", json_object_new_int64((int64_t)s->received));
    json_object_object_add(r, "accepted", json_object_new_int64((int64_t)s->accepted));
    json_object *dropped = json_object_new_object();
    for (int i = 0; i < TOLK_AES67_DROPS; i++)
        json_object_object_add(dropped, tolk_aes67_drop_name(i), json_object_new_int64((int64_t)s->dropped[i]));
    json_object_object_add(r, "dropped", dropped);
    json_object_object_add(r, "concealed_samples", json_object_new_int64((int64_t)s->concealed));
    json_object_object_add(r, "resyncs", json_object_new_int64((int64_t)s->resyncs));
    json_object *drift = json_object_new_object();
    json_object_object_add(drift, "dropped", json_object_new_int64((int64_t)s->drift_dropped));
    json_object_object_add(drift, "repeated", json_object_new_int64((int64_t)s->drift_repeated));
    json_object_object_add(r, "drift_corrections", drift);
    json_object_object_add(r, "latency_ms", json_object_new_double(s->target_ms));
    json_object_object_add(r, "fill_ms", json_object_new_double(s->fill_ms));
    json_object_object_add(r, "ssrc", s->ssrc ? json_object_new_int64(s->ssrc) : NULL);
    return r;
}

json_object *tolk_input_aes67_to_json(tolk_session *session, int slot)
{
    const tolk_session_aes67 *a = &tolk_session_input_at(session, slot)->aes67;
    if (!a->on)
        return NULL;
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "state", json_object_new_string(tolk_session_aes67_state(session, slot)));
    json_object_object_add(obj, "sap", text_or_null(a->sap));
    if (a->sdp)
        add_stream(obj, &a->stream);
    else
        add_unknown_stream(obj);
    tolk_aes67_stats stats;
    bool heard = tolk_session_aes67_stats(session, slot, &stats);
    json_object_object_add(obj, "source", heard ? text_or_null(stats.source) : NULL);
    json_object_object_add(obj, "channel", json_object_new_int(a->channel));
    json_object_object_add(obj, "sdp", text_or_null(a->sdp));
    json_object_object_add(obj, "receive", heard ? receive_json(&stats) : NULL);
    return obj;
}

static json_object *entry_json(const tolk_sap_entry *e)
{
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "name", json_object_new_string(e->stream.session_name));
    json_object_object_add(obj, "origin", json_object_new_string(e->origin));
    add_stream(obj, &e->stream);
    GDateTime *t = g_date_time_new_from_unix_utc(e->last_seen_real_us / G_USEC_PER_SEC);
    gchar *when = t ? g_date_time_format_iso8601(t) : NULL;
    json_object_object_add(obj, "last_seen", text_or_null(when));
    g_free(when);
    if (t)
        g_date_time_unref(t);
    return obj;
}

json_object *tolk_sap_directory_to_json(const tolk_sap_directory *dir)
{
    json_object *list = json_object_new_array();
    tolk_sap_directory_stats stats = {0};
    if (dir) {
        for (unsigned i = 0; i < tolk_sap_directory_count(dir); i++)
            json_object_array_add(list, entry_json(tolk_sap_directory_at(dir, i)));
        tolk_sap_directory_get_stats(dir, &stats);
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "streams", list);
    json_object_object_add(body, "dropped_full", json_object_new_int64((int64_t)stats.full));
    return body;
}
