/* SPDX-License-Identifier: EUPL-1.2 */
/* Recording (docs/recording.md): start and stop per sitting and per channel, the list of
 * the recordings folder (audio and the floor video) and a file's download with Range.
 * Starting and stopping only subscribe and queue (recorder.h); the folder is read in the
 * handlers' outside step, never under the app lock. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_internal.h"

#define RECORDINGS "/api/v1/recordings"

/* ---- start, stop ---- */

static bool set_channels(api_call *call, tolk_session *session, const bool channels[], bool on)
{
    tolk_error err;
    for (int ch = 0; ch <= tolk_matrix_config_get(session->matrix)->channel_count; ch++) {
        if (channels[ch] && !tolk_session_set_recording(session, ch, on, &err)) {
            api_reply_error(call, &err);
            return false;
        }
    }
    return true;
}

void api_start_recording(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    bool channels[TOLK_MAX_CHANNELS + 1];
    tolk_error err;
    if (!tolk_parse_recording_start(call->req->body, tolk_matrix_config_get(session->matrix), channels, &err)) {
        api_reply_error(call, &err);
        return;
    }
    if (set_channels(call, session, channels, true))
        tolk_http_reply_json(call->resp, 200, tolk_session_to_json(session, true));
}

void api_stop_recording(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    bool channels[TOLK_MAX_CHANNELS + 1];
    for (int ch = 0; ch <= TOLK_MAX_CHANNELS; ch++)
        channels[ch] = true;
    if (set_channels(call, session, channels, false))
        tolk_http_reply_json(call->resp, 200, tolk_session_to_json(session, true));
}

static void set_channel(api_call *call, bool on)
{
    tolk_session *session = api_find_session(call);
    int channel = session ? api_find_channel(call, session) : -1;
    if (channel < 0)
        return;
    tolk_error err;
    if (!tolk_session_set_recording(session, channel, on, &err))
        api_reply_error(call, &err);
    else
        tolk_http_reply_json(call->resp, 200, tolk_channel_to_json(session, channel, true));
}

void api_start_channel_recording(api_call *call)
{
    set_channel(call, true);
}

void api_stop_channel_recording(api_call *call)
{
    set_channel(call, false);
}

/* ---- the folder: what is taken under the lock, read without it ---- */

typedef struct {
    char *dir;             /* the recordings folder, NULL: none */
    GHashTable *current;   /* "sid/ch/name" of the segments being written */
    char *sitting, *channel, *name, *range; /* the request's, copied */
    json_object *body;     /* the list */
    int fd;                /* the file to send */
    guint64 size;
} folder_call;

static folder_call *folder_call_new(api_call *call)
{
    folder_call *fc = g_new0(folder_call, 1);
    tolk_recorder *recorder = call->app->env.recorder;
    fc->dir = recorder ? g_strdup(tolk_recorder_dir(recorder)) : NULL;
    fc->current = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    fc->fd = -1;
    for (guint i = 0; i < call->app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(call->app->sessions, i);
        for (int ch = 0; ch <= tolk_matrix_config_get(session->matrix)->channel_count; ch++) {
            tolk_recording_status st;
            if (tolk_session_recording_status(session, ch, &st) && st.state != TOLK_RECORDING_OFF && st.file[0])
                g_hash_table_add(fc->current, g_strdup_printf("%s/%s/%s", session->id,
                                                              tolk_matrix_channel_name(session->matrix, ch), st.file));
        }
        tolk_recording_status st;
        if (tolk_session_video_recording_status(session, &st) && st.state != TOLK_RECORDING_OFF && st.file[0])
            g_hash_table_add(fc->current, g_strdup_printf("%s/%s/%s", session->id, TOLK_VIDEO_RECORDING_FOLDER, st.file));
    }
    return fc;
}

static void finish_folder(api_call *call)
{
    folder_call *fc = call->ctx;
    if (fc->fd >= 0)
        close(fc->fd);
    json_object_put(fc->body);
    g_hash_table_unref(fc->current);
    g_free(fc->dir);
    g_free(fc->sitting);
    g_free(fc->channel);
    g_free(fc->name);
    g_free(fc->range);
    g_free(fc);
}

static bool no_folder(api_call *call, const folder_call *fc)
{
    if (fc->dir)
        return false;
    api_fail(call, TOLK_ERROR_UNAVAILABLE, "recording_unavailable", "this daemon has no recordings folder");
    return true;
}

/* ---- GET /api/v1/recordings ---- */

static void add_entry(const tolk_recording_entry *e, void *ctx)
{
    folder_call *fc = ctx;
    char *key = g_strdup_printf("%s/%s/%s", e->sitting, e->channel, e->name);
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "session", json_object_new_string(e->sitting));
    json_object_object_add(obj, "channel", json_object_new_string(e->channel));
    json_object_object_add(obj, "name", json_object_new_string(e->name));
    json_object_object_add(obj, "kind", json_object_new_string(tolk_recording_kind_word(e->kind)));
    json_object_object_add(obj, "start", tolk_utc_json(e->start_unix_s));
    json_object_object_add(obj, "duration_s", json_object_new_double((double)(gint64)(e->duration_s * 1000) / 1000));
    json_object_object_add(obj, "bytes", json_object_new_int64((int64_t)e->bytes));
    json_object_object_add(obj, "recording", json_object_new_boolean(g_hash_table_contains(fc->current, key)));
    json_object_array_add(json_object_object_get(fc->body, "recordings"), obj);
    g_free(key);
}

static void scan_folder(api_call *call)
{
    folder_call *fc = call->ctx;
    if (!fc->dir)
        return;
    fc->body = json_object_new_object();
    json_object_object_add(fc->body, "recordings", json_object_new_array());
    tolk_recordings_scan(fc->dir, fc->sitting, add_entry, fc);
}

static void reply_list(api_call *call)
{
    folder_call *fc = call->ctx;
    if (no_folder(call, fc))
        return;
    tolk_http_reply_json(call->resp, 200, fc->body);
    fc->body = NULL;
}

void api_list_recordings(api_call *call)
{
    const char *sitting = tolk_http_query(call->req, "session");
    if (sitting && !tolk_recording_segment_valid(sitting)) {
        api_fail(call, TOLK_ERROR_INVALID, "invalid_value", "Field \"session\" must be a session id");
        return;
    }
    folder_call *fc = folder_call_new(call);
    fc->sitting = g_strdup(sitting);
    api_defer(call, fc, scan_folder, reply_list, finish_folder);
}

/* ---- GET /api/v1/recordings/{sid}/{ch}/{file} ---- */

static void open_file(api_call *call)
{
    folder_call *fc = call->ctx;
    if (fc->dir)
        fc->fd = tolk_recordings_open(fc->dir, fc->sitting, fc->channel, fc->name, &fc->size);
}

/* One range of "bytes=a-b", "bytes=a-" or "bytes=-n" (RFC 9110, 14.1.2) against size: 1 and
 * [*from, *to] when it is satisfiable, -1 when it is not (416), 0 when the header is absent,
 * not of this form or asks for several ranges: the whole file then (allowed by RFC 9110). */
static int parse_range(const char *header, guint64 size, guint64 *from, guint64 *to)
{
    if (!header || strncmp(header, "bytes=", 6) != 0 || strchr(header, ','))
        return 0;
    const char *spec = header + 6, *dash = strchr(spec, '-');
    if (!dash)
        return 0;
    char *end;
    if (dash == spec) { /* a suffix: the last n bytes */
        if (!g_ascii_isdigit(dash[1]))
            return 0;
        guint64 n = g_ascii_strtoull(dash + 1, &end, 10);
        if (*end)
            return 0;
        if (n == 0 || size == 0)
            return -1;
        *from = n >= size ? 0 : size - n;
        *to = size - 1;
        return 1;
    }
    if (!g_ascii_isdigit(*spec))
        return 0;
    *from = g_ascii_strtoull(spec, &end, 10);
    if (end != dash)
        return 0;
    *to = size ? size - 1 : 0;
    if (dash[1]) {
        if (!g_ascii_isdigit(dash[1]))
            return 0;
        guint64 last = g_ascii_strtoull(dash + 1, &end, 10);
        if (*end || last < *from)
            return 0;
        *to = MIN(last, *to);
    }
    return *from < size ? 1 : -1;
}

static void reply_file(api_call *call)
{
    folder_call *fc = call->ctx;
    if (no_folder(call, fc))
        return;
    if (fc->fd < 0) {
        api_fail(call, TOLK_ERROR_NOT_FOUND, "recording_not_found", "there is no recording %.64s/%.32s/%.40s",
                 fc->sitting, fc->channel, fc->name);
        return;
    }
    guint64 from = 0, to = fc->size ? fc->size - 1 : 0;
    int range = parse_range(fc->range, fc->size, &from, &to);
    char value[128];
    if (range < 0) {
        snprintf(value, sizeof value, "bytes */%" G_GUINT64_FORMAT, fc->size);
        tolk_http_reply_header(call->resp, "Content-Range", value);
        api_fail(call, TOLK_ERROR_RANGE, "range_not_satisfiable", "Header \"Range\" asks for bytes past the end (%"
                 G_GUINT64_FORMAT " bytes)", fc->size);
        return;
    }
    if (range > 0) {
        snprintf(value, sizeof value, "bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, from,
                 to, fc->size);
        tolk_http_reply_header(call->resp, "Content-Range", value);
    }
    snprintf(value, sizeof value, "attachment; filename=\"%s-%s-%s\"", fc->sitting, fc->channel, fc->name);
    tolk_http_reply_header(call->resp, "Content-Disposition", value);
    tolk_http_reply_header(call->resp, "Accept-Ranges", "bytes");
    guint64 length = fc->size ? to - from + 1 : 0;
    tolk_http_reply_file(call->resp, range > 0 ? 206 : 200, tolk_recording_mime_type(tolk_recording_kind_of(fc->name)),
                         fc->fd, from, length);
    fc->fd = -1;
}

void api_get_recording(api_call *call)
{
    folder_call *fc = folder_call_new(call);
    fc->sitting = g_strdup(tolk_http_param(call->req, "sid"));
    fc->channel = g_strdup(tolk_http_param(call->req, "ch"));
    fc->name = g_strdup(tolk_http_param(call->req, "file"));
    fc->range = g_strdup(tolk_http_header_value(call->req, "Range"));
    api_defer(call, fc, open_file, reply_file, finish_folder);
}
