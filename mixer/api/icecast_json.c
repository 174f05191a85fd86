/* SPDX-License-Identifier: EUPL-1.2 */
#include "icecast_json.h"

static json_object *time_json(gint64 unix_us)
{
    GDateTime *t = g_date_time_new_from_unix_utc(unix_us / G_USEC_PER_SEC);
    gchar *iso = g_date_time_format_iso8601(t);
    json_object *obj = json_object_new_string(iso);
    g_free(iso);
    g_date_time_unref(t);
    return obj;
}

json_object *tolk_icecast_to_json(tolk_session *session, int channel, bool full)
{
    tolk_icecast_source *src = session->icecast[channel];
    if (!src || (!full && !session->channel_public[channel]))
        return NULL;
    char listen_url[TOLK_ICECAST_URL_SIZE];
    tolk_icecast_source_listen_url(src, listen_url, sizeof listen_url);
    json_object *obj = json_object_new_object();
    if (!full) {
        json_object_object_add(obj, "listen_url", json_object_new_string(listen_url));
        return obj;
    }
    const tolk_icecast_config *cfg = tolk_icecast_source_config(src);
    tolk_icecast_status st;
    tolk_icecast_source_status(src, &st);
    json_object_object_add(obj, "url", json_object_new_string(cfg->url));
    json_object_object_add(obj, "user", json_object_new_string(cfg->user));
    json_object_object_add(obj, "listen_url", json_object_new_string(listen_url));
    json_object_object_add(obj, "name", cfg->name[0] ? json_object_new_string(cfg->name) : NULL);
    json_object_object_add(obj, "description", cfg->description[0] ? json_object_new_string(cfg->description) : NULL);
    json_object_object_add(obj, "state", json_object_new_string(tolk_icecast_state_name(st.state)));
    json_object_object_add(obj, "since", time_json(st.since_us));
    json_object_object_add(obj, "bytes", json_object_new_int64((int64_t)st.bytes));
    json_object_object_add(obj, "reconnects", json_object_new_int64((int64_t)st.reconnects));
    json_object_object_add(obj, "dropped", json_object_new_int64((int64_t)st.dropped));
    json_object_object_add(obj, "last_error", st.last_error[0] ? json_object_new_string(st.last_error) : NULL);
    json_object_object_add(obj, "listeners", st.listeners >= 0 ? json_object_new_int(st.listeners) : NULL);
    return obj;
}
