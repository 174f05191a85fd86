/* SPDX-License-Identifier: EUPL-1.2 */
/* What the browser pages need besides media: tokens to hand out, public
 * channels, the booths' signals, and the server-sent event stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "signals.h"

#define TOLK_LOG_MODULE "api"
#include "log.h"

void api_patch_channel(api_call *call)
{
    tolk_session *session = api_find_session(call);
    int channel = session ? api_find_channel(call, session) : -1;
    if (channel < 0)
        return;
    tolk_channel_patch patch;
    tolk_error err;
    if (!tolk_parse_channel_patch(call->req->body, &patch, &err)) {
        api_reply_error(call, &err);
        return;
    }
    if (patch.has_public)
        tolk_session_set_channel_public(session, channel, patch.public_flag);
    if (patch.has_video)
        tolk_session_set_channel_video(session, channel, patch.video);
    tolk_http_reply_json(call->resp, 200, tolk_channel_to_json(session, channel, true));
}

/* ---- tokens ---- */

static json_object *grant_json(tolk_session *session, const tolk_grant *grant)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "id", json_object_new_string(grant->id));
    json_object_object_add(obj, "token", json_object_new_string(grant->token));
    json_object_object_add(obj, "role", json_object_new_string(tolk_grant_kind_name(grant->kind)));
    char url[256];
    if (grant->kind == TOLK_GRANT_CONSOLE) {
        char id[TOLK_CONSOLE_ID_SIZE];
        tolk_console_id(config, grant->booth, grant->console, id, sizeof id);
        json_object_object_add(obj, "console", json_object_new_string(id));
        snprintf(url, sizeof url, "/console/#session=%s&console=%s&token=%s", session->id, id, grant->token);
    } else if (grant->kind == TOLK_GRANT_LISTENER) {
        const char *channel = tolk_matrix_channel_name(session->matrix, grant->channel);
        json_object_object_add(obj, "channel", json_object_new_string(channel));
        snprintf(url, sizeof url, "/listen/#session=%s&channel=%s&token=%s", session->id, channel, grant->token);
    } else {
        snprintf(url, sizeof url, "/speaker/#session=%s&token=%s", session->id, grant->token);
    }
    json_object_object_add(obj, "url", json_object_new_string(url));
    return obj;
}

void api_create_token(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    tolk_token_spec spec;
    tolk_error err;
    if (!tolk_parse_token_create(call->req->body, &spec, &err)) {
        api_reply_error(call, &err);
        return;
    }
    int booth = -1, console = -1, channel = -1;
    tolk_grant_kind kind = spec.role;
    if (kind == TOLK_GRANT_CONSOLE) {
        if (!tolk_console_id_parse(tolk_matrix_config_get(session->matrix), spec.target, &booth, &console)) {
            api_fail(call, TOLK_ERROR_INVALID, "invalid_value", "field \"console\": session %s has no console %s",
                     session->id, spec.target);
            return;
        }
    } else if (kind == TOLK_GRANT_LISTENER) {
        if ((channel = tolk_matrix_channel_index(session->matrix, spec.target)) < 0) {
            api_fail(call, TOLK_ERROR_INVALID, "invalid_value", "field \"channel\": session %s has no channel %s",
                     session->id, spec.target);
            return;
        }
    }
    if (tolk_grants_count(call->app->grants, session->id) >= TOLK_MAX_GRANTS_PER_SESSION) {
        api_fail(call, TOLK_ERROR_LIMIT, "limit_reached",
                 "session %s has at most %d tokens; delete one first", session->id,
                 TOLK_MAX_GRANTS_PER_SESSION);
        return;
    }
    const tolk_grant *grant = tolk_grants_add(call->app->grants, session->id, kind, booth, console, channel);
    if (!grant) {
        api_fail(call, TOLK_ERROR_UNAVAILABLE, "unavailable", "no random token could be made");
        return;
    }
    char location[128];
    snprintf(location, sizeof location, SESSIONS "/%s/tokens/%s", session->id, grant->id);
    api_reply_created(call, grant_json(session, grant), location);
}

typedef struct {
    tolk_session *session;
    json_object *list;
} grant_list;

static void add_grant(const tolk_grant *grant, void *ctx)
{
    grant_list *l = ctx;
    json_object_array_add(l->list, grant_json(l->session, grant));
}

void api_list_tokens(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    grant_list l = {session, json_object_new_array()};
    tolk_grants_foreach(call->app->grants, session->id, add_grant, &l);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "tokens", l.list);
    tolk_http_reply_json(call->resp, 200, body);
}

void api_delete_token(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    const char *tid = tolk_http_param(call->req, "tid");
    if (!tolk_grants_remove(call->app->grants, session->id, tid)) {
        api_fail(call, TOLK_ERROR_NOT_FOUND, "token_not_found", "session %s has no token %s", session->id, tid);
        return;
    }
    /* A revoked token loses what it opened too: its microphone or listening ends now,
     * and its event stream at the next change. */
    tolk_session_remove_peers_of(session, tid);
    tolk_session_changed(session);
    tolk_http_reply_empty(call->resp, 204);
}

/* ---- signals ---- */

/* The console a signal comes from: the caller's own, or the one the operator names. */
static bool signal_sender(api_call *call, tolk_session *session, const tolk_signal_spec *spec, int *booth,
                          int *console)
{
    if (call->grant) {
        *booth = call->grant->booth;
        *console = call->grant->console;
        return true;
    }
    if (tolk_console_id_parse(tolk_matrix_config_get(session->matrix), spec->console, booth, console))
        return true;
    api_fail(call, TOLK_ERROR_INVALID, "invalid_value",
             "field \"console\": the operator names the console a signal comes from (e.g. \"en/1\")");
    return false;
}

/* 429 past a console's signal rate (RFC 6585), with when to try again. */
static void reply_signal_limited(api_call *call, tolk_session *session, int booth, int console, const char *kind,
                                 unsigned retry_after)
{
    char id[TOLK_CONSOLE_ID_SIZE], seconds[16];
    tolk_console_id(tolk_matrix_config_get(session->matrix), booth, console, id, sizeof id);
    snprintf(seconds, sizeof seconds, "%u", retry_after);
    tolk_http_reply_header(call->resp, "Retry-After", seconds);
    api_fail(call, TOLK_ERROR_RATE_LIMITED, "rate_limited",
             "console %s raises at most %u \"%s\" signals at once and %u per second after; "
             "retry in %u s", id, session->signal_rate.burst, kind, session->signal_rate.per_second,
             retry_after);
}

void api_create_signal(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    tolk_signal_spec spec;
    tolk_error err;
    if (!tolk_parse_signal_create(call->req->body, &spec, &err)) {
        api_reply_error(call, &err);
        return;
    }
    int booth, console;
    if (!signal_sender(call, session, &spec, &booth, &console))
        return;
    tolk_signal_kind kind = spec.kind;
    unsigned retry_after = 0;
    if (!call->operator && !tolk_session_signal_allowed(session, kind, booth, console, &retry_after)) {
        reply_signal_limited(call, session, booth, console, tolk_signal_kind_name(kind), retry_after);
        return;
    }
    bool refreshed = false;
    const tolk_signal *signal = tolk_session_raise_signal(session, kind, booth, console, &refreshed, &err);
    if (!signal) {
        api_reply_error(call, &err);
        return;
    }
    char location[128];
    snprintf(location, sizeof location, SESSIONS "/%s/signals/%u", session->id, signal->id);
    if (refreshed) {
        tolk_http_reply_header(call->resp, "Content-Location", location);
        tolk_http_reply_json(call->resp, 200, tolk_signal_to_json(session, signal));
    } else {
        api_reply_created(call, tolk_signal_to_json(session, signal), location);
    }
}

void api_list_signals(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    json_object *body = json_object_new_object();
    json_object_object_add(body, "signals", tolk_signals_to_json(session));
    tolk_http_reply_json(call->resp, 200, body);
}

void api_delete_signal(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    const char *id = tolk_http_param(call->req, "gid");
    char *end = NULL;
    unsigned long number = strtoul(id, &end, 10);
    if (!*id || *end || !tolk_session_clear_signal(session, (unsigned)number)) {
        api_fail(call, TOLK_ERROR_NOT_FOUND, "signal_not_found", "session %s has no open signal %s", session->id, id);
        return;
    }
    tolk_http_reply_empty(call->resp, 204);
}

/* ---- server-sent events ---- */

typedef struct {
    tolk_app *app;
    char session[TOLK_SESSION_ID_SIZE];
    char grant[TOLK_GRANT_ID_SIZE]; /* the token's grant; "" for the operator or no token */
    bool operator;
    tolk_hub_reader *reader;
} event_stream;

/* The stream's session if it and the stream's token still exist; under the app lock. */
static tolk_session *admitted_session_locked(event_stream *stream)
{
    tolk_session *session = tolk_app_find(stream->app, stream->session);
    bool granted = stream->grant[0] && tolk_grants_find(stream->app->grants, stream->session, stream->grant);
    bool anonymous = !stream->operator && !stream->grant[0];
    return session && (stream->operator || granted || anonymous) ? session : NULL;
}

/* Runs on a poll thread, before a kept rendering is written. */
static bool admit_stream(void *ctx)
{
    event_stream *stream = ctx;
    tolk_app_lock(stream->app);
    bool admitted = admitted_session_locked(stream) != NULL;
    tolk_app_unlock(stream->app);
    return admitted;
}

/* The session as this stream's token may see it, now; NULL when the session
 * or the token is gone, which ends the stream. Runs on a poll thread. */
static char *render_session(void *ctx)
{
    event_stream *stream = ctx;
    char *text = NULL;
    tolk_app_lock(stream->app);
    tolk_session *session = admitted_session_locked(stream);
    if (session) {
        json_object *json = tolk_session_to_json(session, stream->operator);
        text = g_strdup(json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(json);
    }
    tolk_app_unlock(stream->app);
    return text;
}

/* The two renderings of tolk_session_to_json: consoles, listeners, the floor and
 * anonymous readers of a public session all see the public one. */
static const tolk_hub_view operator_view = {0, render_session, admit_stream};
static const tolk_hub_view public_view = {1, render_session, admit_stream};

static void wake_stream(void *http_stream)
{
    tolk_http_stream_wake(http_stream);
}

/* On a poll thread, never blocking: with nothing to send the hub keeps the wake. */
static ssize_t read_events(void *ctx, tolk_http_stream *http_stream, bool idle, char *buf, size_t max)
{
    event_stream *stream = ctx;
    return tolk_hub_read(stream->reader, buf, max, idle, wake_stream, http_stream);
}

static void free_stream(void *ctx)
{
    event_stream *stream = ctx;
    tolk_hub_reader_free(stream->reader);
    g_free(stream);
}

void api_get_events(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    event_stream *stream = g_new0(event_stream, 1);
    stream->app = call->app;
    g_strlcpy(stream->session, session->id, sizeof stream->session);
    stream->operator = call->operator;
    if (call->grant)
        g_strlcpy(stream->grant, call->grant->id, sizeof stream->grant);
    /* The reader renders through its view, which frees nothing: the stream
     * itself is freed by free_stream when the connection ends. */
    stream->reader = tolk_hub_reader_new(session->hub, call->operator ? &operator_view : &public_view, stream, NULL);
    tolk_http_reply_stream(call->resp, 200, "text/event-stream; charset=utf-8", read_events, free_stream, stream);
}
