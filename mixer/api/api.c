/* SPDX-License-Identifier: EUPL-1.2 */
/* The HTTP API: the table of routes, who may call each (decided in api_access.c), and the dispatch that
 * runs every handler under the app lock (on a poll thread, or a worker thread for
 * SLOW routes). The lock guards short state changes only: the unlock waits for
 * the route change to reach the audio and stops what was removed (app.h), and a
 * handler's waiting part (api_call.outside) runs without it. The reply goes out
 * after all that. The handlers are in api_sessions.c (the v1 core),
 * api_browser.c (tokens, signals, events) and api_webrtc.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_access.h"
#include "api_access_log.h"
#include "api_internal.h"

#define TOLK_LOG_MODULE "api"
#include "log.h"

typedef struct {
    const char *method;
    const char *pattern;
    unsigned flags;
    api_access access;
    api_fn fn;
} api_route;

typedef struct {
    tolk_app *app;
    tolk_http_server *http;
    const api_route *route;
} api_binding;

#define JSON TOLK_ROUTE_JSON_BODY
#define SDP TOLK_ROUTE_SDP_BODY
#define ANY_TOKEN TOLK_ROUTE_OPTIONAL_AUTH
#define SLOW TOLK_ROUTE_SLOW /* waits for ICE gathering: on a worker thread */

static const api_route routes[] = {
    {"GET", "/healthz", TOLK_ROUTE_PUBLIC, ACCESS_PUBLIC, api_get_health},
    {"GET", "/metrics", 0, ACCESS_METRICS, api_get_metrics},
    {"GET", SESSIONS, 0, ACCESS_OPERATOR, api_list_sessions},
    {"POST", SESSIONS, JSON, ACCESS_OPERATOR, api_create_session},
    {"GET", SESSION, ANY_TOKEN, ACCESS_VIEW, api_get_session},
    {"PATCH", SESSION, JSON, ACCESS_OPERATOR, api_patch_session},
    {"DELETE", SESSION, 0, ACCESS_OPERATOR, api_delete_session},
    {"GET", SESSION "/events", TOLK_ROUTE_QUERY_TOKEN | ANY_TOKEN, ACCESS_VIEW, api_get_events},
    {"PATCH", CHANNEL, JSON, ACCESS_OPERATOR, api_patch_channel},
    {"POST", CHANNEL "/outputs", JSON, ACCESS_OPERATOR, api_create_channel_output},
    {"DELETE", CHANNEL "/outputs/{oid}", 0, ACCESS_OPERATOR, api_delete_channel_output},
    {"POST", CHANNEL "/rekey", 0, ACCESS_OPERATOR, api_rekey_channel},
    {"PUT", CHANNEL "/icecast", JSON, ACCESS_OPERATOR, api_put_icecast},
    {"DELETE", CHANNEL "/icecast", 0, ACCESS_OPERATOR, api_delete_icecast},
    {"PUT", CHANNEL "/hls", JSON | TOLK_ROUTE_BODY_OPTIONAL, ACCESS_OPERATOR, api_put_hls},
    {"DELETE", CHANNEL "/hls", 0, ACCESS_OPERATOR, api_delete_hls},
    {"GET", "/hls/{sid}/{ch}/{file}", TOLK_ROUTE_PUBLIC, ACCESS_PUBLIC, api_get_hls_file},
    {"POST", CHANNEL "/whep", SDP | ANY_TOKEN | SLOW, ACCESS_CHANNEL, api_whep_channel},
    {"GET", CONSOLE, 0, ACCESS_CONSOLE, api_get_console},
    {"PATCH", CONSOLE, JSON, ACCESS_CONSOLE, api_patch_console},
    {"POST", CONSOLE "/outputs", JSON, ACCESS_OPERATOR, api_create_console_output},
    {"DELETE", CONSOLE "/outputs/{oid}", 0, ACCESS_OPERATOR, api_delete_console_output},
    {"POST", CONSOLE "/outputs/rekey", 0, ACCESS_OPERATOR, api_rekey_feed},
    {"POST", SESSION "/inputs/floor/rekey", 0, ACCESS_OPERATOR, api_rekey_floor_input},
    {"POST", SESSION "/inputs/{lang}/{n}/rekey", 0, ACCESS_OPERATOR, api_rekey_console_input},
    {"PUT", SESSION "/inputs/floor/aes67", JSON, ACCESS_OPERATOR, api_put_floor_aes67},
    {"DELETE", SESSION "/inputs/floor/aes67", 0, ACCESS_OPERATOR, api_delete_floor_aes67},
    {"PUT", SESSION "/inputs/{lang}/{n}/aes67", JSON, ACCESS_OPERATOR, api_put_console_aes67},
    {"DELETE", SESSION "/inputs/{lang}/{n}/aes67", 0, ACCESS_OPERATOR, api_delete_console_aes67},
    {"GET", "/api/v1/aes67/streams", 0, ACCESS_OPERATOR, api_list_aes67_streams},
    {"POST", CONSOLE "/whip", SDP | SLOW, ACCESS_CONSOLE, api_whip_console},
    {"POST", CONSOLE "/whep", SDP | SLOW, ACCESS_CONSOLE, api_whep_console},
    {"POST", SESSION "/whip/floor", SDP | SLOW, ACCESS_FLOOR, api_whip_floor},
    {"POST", SESSION "/video/whip", SDP | SLOW, ACCESS_FLOOR, api_whip_camera},
    {"GET", SESSION "/video", 0, ACCESS_OPERATOR, api_get_video},
    {"PUT", SESSION "/video/chosen", JSON, ACCESS_OPERATOR, api_put_video_chosen},
    {"DELETE", SESSION "/video/sources/{vid}", 0, ACCESS_OPERATOR, api_delete_video_source},
    {"POST", SESSION "/video/sources", JSON, ACCESS_OPERATOR, api_post_video_source},
    {"POST", SESSION "/video/sources/{vid}/rekey", 0, ACCESS_OPERATOR, api_rekey_video_source},
    {"PATCH", SESSION "/webrtc/{rid}", TOLK_ROUTE_TRICKLE_BODY | ANY_TOKEN, ACCESS_OWNER, api_patch_webrtc},
    {"DELETE", SESSION "/webrtc/{rid}", ANY_TOKEN, ACCESS_OWNER, api_delete_webrtc},
    {"POST", SESSION "/recording", JSON | TOLK_ROUTE_BODY_OPTIONAL, ACCESS_OPERATOR, api_start_recording},
    {"DELETE", SESSION "/recording", 0, ACCESS_OPERATOR, api_stop_recording},
    {"POST", CHANNEL "/recording", 0, ACCESS_OPERATOR, api_start_channel_recording},
    {"DELETE", CHANNEL "/recording", 0, ACCESS_OPERATOR, api_stop_channel_recording},
    {"GET", "/api/v1/recordings", 0, ACCESS_OPERATOR, api_list_recordings},
    {"GET", "/api/v1/recordings/{sid}/{ch}/{file}", 0, ACCESS_OPERATOR, api_get_recording},
    {"POST", SESSION "/tokens", JSON, ACCESS_OPERATOR, api_create_token},
    {"GET", SESSION "/tokens", 0, ACCESS_OPERATOR, api_list_tokens},
    {"DELETE", SESSION "/tokens/{tid}", 0, ACCESS_OPERATOR, api_delete_token},
    {"POST", SESSION "/signals", JSON, ACCESS_BOOTH, api_create_signal},
    {"GET", SESSION "/signals", 0, ACCESS_OPERATOR, api_list_signals},
    {"DELETE", SESSION "/signals/{gid}", 0, ACCESS_OPERATOR, api_delete_signal},
};

#define ROUTE_COUNT G_N_ELEMENTS(routes)
static api_binding bindings[ROUTE_COUNT];

/* ---- lookups shared by the handlers ---- */

void api_defer(api_call *call, void *ctx, api_fn outside, api_fn commit, api_fn finish)
{
    call->ctx = ctx;
    call->outside = outside;
    call->commit = commit;
    call->finish = finish;
}

tolk_session *api_find_session(api_call *call)
{
    const char *sid = tolk_http_param(call->req, "sid");
    tolk_session *session = tolk_app_find(call->app, sid);
    if (!session)
        api_fail(call, TOLK_ERROR_NOT_FOUND, "session_not_found", "there is no session %s", sid);
    return session;
}

bool api_console_index(tolk_session *session, const char *lang, const char *n, int *booth, int *console)
{
    return tolk_console_lookup(tolk_matrix_config_get(session->matrix), lang, n, booth, console);
}

/* {lang}/{n} of the path, without replying. */
static bool resolve_console(const tolk_http_request *req, tolk_session *session, int *booth, int *console)
{
    return api_console_index(session, tolk_http_param(req, "lang"), tolk_http_param(req, "n"), booth, console);
}

bool api_find_console(api_call *call, tolk_session *session, int *booth, int *console)
{
    if (resolve_console(call->req, session, booth, console))
        return true;
    const char *lang = tolk_http_param(call->req, "lang"), *n = tolk_http_param(call->req, "n");
    if (*booth < 0)
        api_fail(call, TOLK_ERROR_NOT_FOUND, "booth_not_found", "session %s has no booth %s", session->id, lang);
    else
        api_fail(call, TOLK_ERROR_NOT_FOUND, "console_not_found", "booth %s has no console %s", lang, n);
    return false;
}

int api_find_channel(api_call *call, tolk_session *session)
{
    const char *name = tolk_http_param(call->req, "ch");
    int channel = tolk_matrix_channel_index(session->matrix, name);
    if (channel < 0)
        api_fail(call, TOLK_ERROR_NOT_FOUND, "channel_not_found", "session %s has no channel %s", session->id, name);
    return channel;
}

void api_reply_error(api_call *call, const tolk_error *err)
{
    tolk_http_reply_tolk_error(call->resp, err);
}

void api_fail(api_call *call, tolk_error_kind kind, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tolk_http_reply_vfailure(call->resp, kind, code, fmt, ap);
    va_end(ap);
}

void api_reply_created(api_call *call, json_object *body, const char *location)
{
    tolk_http_reply_header(call->resp, "Location", location);
    tolk_http_reply_json(call->resp, 201, body);
}

/* ---- access ---- */

static bool session_has_public_channel(tolk_session *session)
{
    for (int ch = 0; ch <= tolk_matrix_config_get(session->matrix)->channel_count; ch++) {
        if (session->channel_public[ch])
            return true;
    }
    return false;
}

/* What api_access_allows decides on, from the request and the sittings. */
static api_access_facts gather_facts(const api_call *call)
{
    const char *sid = tolk_http_param(call->req, "sid");
    tolk_session *session = sid ? tolk_app_find(call->app, sid) : NULL;
    api_access_facts f = {.operator = call->operator, .metrics = call->req->principal.role == TOLK_ROLE_METRICS,
                          .grant = call->grant, .session = sid,
                          .session_known = session != NULL, .channel = -1, .booth = -1, .console = -1};
    if (!session)
        return f;
    f.session_public = session_has_public_channel(session);
    const char *ch = tolk_http_param(call->req, "ch");
    f.channel = ch ? tolk_matrix_channel_index(session->matrix, ch) : -1;
    f.channel_public = f.channel >= 0 && session->channel_public[f.channel];
    if (tolk_http_param(call->req, "lang") && !resolve_console(call->req, session, &f.booth, &f.console))
        f.booth = f.console = -1;
    return f;
}

static bool caller_allowed(const api_call *call, api_access access)
{
    api_access_facts facts = gather_facts(call);
    return api_access_allows(access, &facts);
}

bool api_route_access(const char *method, const char *pattern, api_access *out)
{
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (strcmp(routes[i].method, method) == 0 && strcmp(routes[i].pattern, pattern) == 0) {
            *out = routes[i].access;
            return true;
        }
    }
    return false;
}

/* Fills call->grant and call->operator from the principal; false when the
 * token's grant went away between authentication and now. */
static bool resolve_caller(api_call *call)
{
    const tolk_principal *who = &call->req->principal;
    call->operator = who->role == TOLK_ROLE_OPERATOR;
    if (who->role != TOLK_ROLE_GRANT)
        return true;
    const tolk_grant *grant = tolk_grants_find_id(call->app->grants, who->scope);
    call->grant = grant;
    return grant != NULL;
}

static void dispatch(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    api_binding *binding = ctx;
    api_call call = {.app = binding->app, .http = binding->http, .req = req, .resp = resp};
    api_state state = api_state_of(binding->route->method, binding->route->pattern, binding->route->flags);
    tolk_app_lock(call.app);
    bool known = resolve_caller(&call);
    char caller[API_CALLER_SIZE];
    api_access_caller(&call, known, caller);
    if (!known) {
        tolk_http_reply_failure(resp, TOLK_ERROR_UNAUTHORIZED, "unauthorized", "this token is no longer valid");
    } else if (!caller_allowed(&call, binding->route->access)) {
        if (req->principal.role == TOLK_ROLE_NONE) {
            tolk_http_reply_header(resp, "WWW-Authenticate", "Bearer realm=\"tolk\"");
            tolk_http_reply_failure(resp, TOLK_ERROR_UNAUTHORIZED, "unauthorized", "%s %s needs a token", req->method,
                                    req->path);
        } else {
            tolk_http_reply_failure(resp, TOLK_ERROR_FORBIDDEN, "forbidden", "this token may not %s %s", req->method,
                                    req->path);
        }
    } else if (state != API_STATE_CHANGE || !api_refused_unstorable(&call)) {
        binding->route->fn(&call);
        if (state != API_STATE_READ)
            api_touch_session(&call);
    }
    api_end_section(&call, call.outside ? API_STATE_READ : state);
    if (call.outside) {
        call.outside(&call);
        tolk_app_lock(call.app);
        call.commit(&call);
        api_end_section(&call, state);
        call.finish(&call);
    }
    api_access_log(&call, binding->route->pattern, caller);
}

/* The operator token, the metrics token, or a token the operator handed out. The principal keeps
 * the grant's id in scope; dispatch looks it up again under the lock, so a
 * token revoked in between stops working at once. */
static bool authenticate(void *ctx, const char *token, tolk_principal *out)
{
    tolk_app *app = ctx;
    if (tolk_token_equal(token, app->token)) {
        out->role = TOLK_ROLE_OPERATOR;
        out->scope[0] = '\0';
        return true;
    }
    if (app->metrics_token && tolk_token_equal(token, app->metrics_token)) {
        out->role = TOLK_ROLE_METRICS;
        out->scope[0] = '\0';
        return true;
    }
    tolk_app_lock(app);
    const tolk_grant *grant = tolk_grants_find_token(app->grants, token);
    if (grant) {
        out->role = TOLK_ROLE_GRANT;
        g_strlcpy(out->scope, grant->id, sizeof out->scope);
    }
    tolk_app_unlock(app);
    return grant != NULL;
}

void tolk_api_register(tolk_app *app, tolk_http_server *http)
{
    tolk_http_server_set_authenticator(http, authenticate, app);
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        bindings[i] = (api_binding){app, http, &routes[i]};
        tolk_http_server_route(http, routes[i].method, routes[i].pattern, routes[i].flags, dispatch,
                               &bindings[i]);
    }
}
