/* SPDX-License-Identifier: EUPL-1.2 */
/* HLS of a public channel (docs/hls.md): PUT and DELETE .../channels/{ch}/hls for the
 * operator, the channel's hls object in the views, and GET /hls/{sid}/{ch}/{file}: the
 * folder's files for anyone while the channel is public and runs HLS. A file is read after
 * the unlock, never under it. */
#include <string.h>

#include "api_internal.h"
#include "hls_playlist.h"

#define TOLK_LOG_MODULE "api"
#include "log.h"

static json_object *playlist_url(tolk_session *session, int channel)
{
    char *url = g_strdup_printf("/hls/%s/%s/" TOLK_HLS_PLAYLIST_NAME, session->id,
                                tolk_matrix_channel_name(session->matrix, channel));
    json_object *s = json_object_new_string(url);
    g_free(url);
    return s;
}

static json_object *time_json(gint64 us)
{
    GDateTime *t = g_date_time_new_from_unix_utc(us / G_USEC_PER_SEC);
    gchar *iso = g_date_time_format_iso8601(t);
    json_object *s = json_object_new_string(iso);
    g_free(iso);
    g_date_time_unref(t);
    return s;
}

json_object *tolk_hls_to_json(tolk_session *session, int channel, bool full)
{
    tolk_session_hls_view v;
    if (!tolk_session_hls_view_of(session, channel, &v) || (!full && v.paused))
        return NULL;
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "playlist", playlist_url(session, channel));
    if (!full)
        return obj;
    const tolk_session_hls *h = &session->hls[channel];
    json_object_object_add(obj, "state",
                           json_object_new_string(v.paused ? "paused" : tolk_hls_state_name(v.status.state)));
    json_object_object_add(obj, "since", time_json(v.status.since_us));
    json_object_object_add(obj, "segment_seconds", json_object_new_int((int)h->cfg.segment_seconds));
    json_object_object_add(obj, "playlist_segments", json_object_new_int((int)h->cfg.playlist_segments));
    json_object_object_add(obj, "bitrate", json_object_new_int((int)h->cfg.bitrate));
    json_object_object_add(obj, "segments", json_object_new_int64((int64_t)v.status.segments));
    json_object_object_add(obj, "restarts", json_object_new_int64((int64_t)v.status.restarts));
    json_object_object_add(obj, "dropped_frames", json_object_new_int64((int64_t)v.status.drops));
    json_object_object_add(obj, "last_error",
                           v.status.last_error[0] ? json_object_new_string(v.status.last_error) : NULL);
    json_object_object_add(obj, "fetches", json_object_new_int64((int64_t)v.fetches));
    return obj;
}

void api_put_hls(api_call *call)
{
    tolk_session *session = api_find_session(call);
    int channel = session ? api_find_channel(call, session) : -1;
    if (channel < 0)
        return;
    tolk_hls_config cfg;
    tolk_error err;
    if (!tolk_parse_hls(call->req->body, &cfg, &err)) {
        api_reply_error(call, &err);
        return;
    }
    if (!tolk_session_hls_start(session, channel, &cfg, &err)) {
        api_reply_error(call, &err);
        return;
    }
    tolk_http_reply_json(call->resp, 200, tolk_hls_to_json(session, channel, true));
}

void api_delete_hls(api_call *call)
{
    tolk_session *session = api_find_session(call);
    int channel = session ? api_find_channel(call, session) : -1;
    if (channel < 0)
        return;
    if (!tolk_session_hls_stop(session, channel)) {
        api_fail(call, TOLK_ERROR_NOT_FOUND, "hls_not_found", "channel %s has no HLS",
                 tolk_matrix_channel_name(session->matrix, channel));
        return;
    }
    tolk_http_reply_empty(call->resp, 204);
}

/* ---- GET /hls/{sid}/{ch}/{file} ---- */

typedef struct {
    char *path;   /* decided under the lock from checked parts, never from the client's text */
    bool playlist;
    char *data;   /* read outside the lock */
    gsize len;
} hls_fetch;

static void refuse_file(api_call *call)
{
    api_fail(call, TOLK_ERROR_NOT_FOUND, "not_found", "there is no such HLS file");
}

static void read_file(api_call *call)
{
    hls_fetch *f = call->ctx;
    if (!g_file_get_contents(f->path, &f->data, &f->len, NULL) || f->len > TOLK_HTTP_MAX_FILE)
        g_clear_pointer(&f->data, g_free);
}

/* RFC 8216 6.2.2: a live playlist changes every segment, so a cache keeps it at most half
 * that long; a segment's name is never reused (hls_playlist.h), so it may be kept for good. */
static void reply_file(api_call *call)
{
    hls_fetch *f = call->ctx;
    if (!f->data) {
        refuse_file(call);
        return;
    }
    tolk_http_reply_bytes(call->resp, 200, f->playlist ? "application/vnd.apple.mpegurl" : "video/mp2t", f->data,
                          f->len);
    tolk_http_reply_header(call->resp, "Cache-Control", f->playlist ? "max-age=1" : "public, max-age=3600");
    tolk_http_reply_header(call->resp, "Access-Control-Allow-Origin", "*"); /* hls.js on another site */
}

static void free_fetch(api_call *call)
{
    hls_fetch *f = call->ctx;
    g_free(f->path);
    g_free(f->data);
    g_free(f);
}

void api_get_hls_file(api_call *call)
{
    tolk_session *session = tolk_app_find(call->app, tolk_http_param(call->req, "sid"));
    const char *ch = tolk_http_param(call->req, "ch");
    int channel = session ? tolk_matrix_channel_index(session->matrix, ch) : -1;
    const char *name = tolk_http_param(call->req, "file");
    char *path = channel >= 0 ? tolk_session_hls_file(session, channel, name) : NULL;
    if (!path) {
        refuse_file(call);
        return;
    }
    hls_fetch *f = g_new0(hls_fetch, 1);
    f->path = path;
    f->playlist = tolk_hls_name_is_playlist(name);
    api_defer(call, f, read_file, reply_file, free_fetch);
}

/* ---- /metrics and /healthz ---- */

typedef void (*hls_fn)(void *ctx, tolk_session *session, const char *channel, const tolk_session_hls_view *v);

static void each_hls(tolk_app *app, hls_fn fn, void *ctx)
{
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        for (int ch = 0; ch <= tolk_matrix_config_get(session->matrix)->channel_count; ch++) {
            tolk_session_hls_view v;
            if (tolk_session_hls_view_of(session, ch, &v))
                fn(ctx, session, tolk_matrix_channel_name(session->matrix, ch), &v);
        }
    }
}

typedef struct {
    GString *out;
    const char *name;
} hls_family;

static uint64_t family_value(const char *name, const tolk_session_hls_view *v)
{
    if (g_str_equal(name, "tolk_hls_segments_total"))
        return v->status.segments;
    if (g_str_equal(name, "tolk_hls_restarts_total"))
        return v->status.restarts;
    if (g_str_equal(name, "tolk_hls_dropped_frames_total"))
        return v->status.drops;
    return v->fetches;
}

static void hls_sample(void *ctx, tolk_session *session, const char *channel, const tolk_session_hls_view *v)
{
    hls_family *f = ctx;
    g_string_append_printf(f->out, "%s{session=\"%s\",channel=\"%s\"} %" G_GUINT64_FORMAT "\n", f->name, session->id,
                           channel, (guint64)family_value(f->name, v));
}

void tolk_hls_metrics(tolk_app *app, GString *out)
{
    static const struct {
        const char *name, *help;
    } families[] = {
        {"tolk_hls_segments_total", "HLS segments written for a channel."},
        {"tolk_hls_restarts_total", "Restarts of a channel's HLS pipeline after an error or a stall."},
        {"tolk_hls_dropped_frames_total", "Opus frames a channel's HLS encoder did not take in time (dropped)."},
        {"tolk_hls_fetches_total", "HLS playlists and segments served by Tolk itself (GET /hls/...)."},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(families); i++) {
        g_string_append_printf(out, "# HELP %s %s\n# TYPE %s counter\n", families[i].name, families[i].help,
                               families[i].name);
        hls_family f = {out, families[i].name};
        each_hls(app, hls_sample, &f);
    }
}

static void hls_problem(void *ctx, tolk_session *session, const char *channel, const tolk_session_hls_view *v)
{
    if (v->paused || v->status.state != TOLK_HLS_FAILING)
        return;
    json_object *problem = json_object_new_object();
    json_object_object_add(problem, "what", json_object_new_string("hls"));
    json_object_object_add(problem, "sitting", json_object_new_string(session->id));
    json_object_object_add(problem, "channel", json_object_new_string(channel));
    json_object_object_add(problem, "state", json_object_new_string("failing"));
    json_object_object_add(problem, "message", json_object_new_string(v->status.last_error));
    json_object_array_add(ctx, problem);
}

void tolk_hls_problems(tolk_app *app, json_object *problems)
{
    each_hls(app, hls_problem, problems);
}
