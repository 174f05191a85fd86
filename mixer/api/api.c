/* SPDX-License-Identifier: EUPL-1.2 */
/* The HTTP API: the table of routes, who may call each, and the dispatch that
 * runs every handler under the app lock (on a poll thread, or a worker thread for
 * SLOW routes; api_webrtc.c drops the lock while it waits and takes it again). The handlers are in api_sessions.c
 * (the v1 core), api_browser.c (tokens, signals, events) and api_webrtc.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_internal.h"

#define TOLK_LOG_MODULE "api"
#include "log.h"

/* Who may call a route, besides the operator who may call them all. */
typedef enum {
    ACCESS_PUBLIC,   /* anyone, no token */
    ACCESS_OPERATOR, /* the operator only */
    ACCESS_SESSION,  /* any token of the session {sid} */
    ACCESS_VIEW,     /* any token of the session, or anyone when it has a public channel */
    ACCESS_CONSOLE,  /* the console token of {lang}/{n} */
    ACCESS_CHANNEL,  /* the listener token of {ch}, or anyone when {ch} is public */
    ACCESS_FLOOR,    /* the floor token of the session */
    ACCESS_BOOTH,    /* any console token of the session */
    ACCESS_OWNER,    /* anyone: the handler checks the resource is the caller's */
} api_access;

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
    {"GET", "/metrics", 0, ACCESS_OPERATOR, api_get_metrics},
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
    {"POST", CHANNEL "/whep", SDP | ANY_TOKEN | SLOW, ACCESS_CHANNEL, api_whep_channel},
    {"GET", CONSOLE, 0, ACCESS_CONSOLE, api_get_console},
    {"PATCH", CONSOLE, JSON, ACCESS_CONSOLE, api_patch_console},
    {"POST", CONSOLE "/outputs", JSON, ACCESS_OPERATOR, api_create_console_output},
    {"DELETE", CONSOLE "/outputs/{oid}", 0, ACCESS_OPERATOR, api_delete_console_output},
    {"POST", CONSOLE "/outputs/rekey", 0, ACCESS_OPERATOR, api_rekey_feed},
    {"POST", SESSION "/inputs/floor/rekey", 0, ACCESS_OPERATOR, api_rekey_floor_input},
    {"POST", SESSION "/inputs/{lang}/{n}/rekey", 0, ACCESS_OPERATOR, api_rekey_console_input},
    {"POST", CONSOLE "/whip", SDP | SLOW, ACCESS_CONSOLE, api_whip_console},
    {"POST", CONSOLE "/whep", SDP | SLOW, ACCESS_CONSOLE, api_whep_console},
    {"POST", SESSION "/whip/floor", SDP | SLOW, ACCESS_FLOOR, api_whip_floor},
    {"PATCH", SESSION "/webrtc/{rid}", TOLK_ROUTE_TRICKLE_BODY | ANY_TOKEN, ACCESS_OWNER, api_patch_webrtc},
    {"DELETE", SESSION "/webrtc/{rid}", ANY_TOKEN, ACCESS_OWNER, api_delete_webrtc},
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
    *booth = tolk_matrix_booth_index(session->matrix, lang);
    int number = n[0] >= '1' && n[0] <= '9' && n[1] == '\0' ? n[0] - '0' : 0;
    *console = number - 1;
    return *booth >= 0 && number >= 1 && number <= tolk_matrix_config_get(session->matrix)->booths[*booth].console_count;
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

/* Whether a grant (or no token) may use a route of this access kind. Unknown
 * sessions pass, so that the handler answers 404 to those who could see it. */
static bool grant_allows(api_call *call, api_access access)
{
    const tolk_grant *g = call->grant;
    if (access == ACCESS_OWNER)
        return true;
    if (access == ACCESS_OPERATOR)
        return false;
    tolk_session *session = tolk_app_find(call->app, tolk_http_param(call->req, "sid"));
    if (access == ACCESS_CHANNEL && session) {
        int channel = tolk_matrix_channel_index(session->matrix, tolk_http_param(call->req, "ch"));
        if (channel >= 0 && session->channel_public[channel])
            return true;
        return g && g->kind == TOLK_GRANT_LISTENER && g->channel == channel;
    }
    if (access == ACCESS_VIEW && session && !g) {
        for (int ch = 0; ch <= tolk_matrix_config_get(session->matrix)->channel_count; ch++) {
            if (session->channel_public[ch])
                return true;
        }
    }
    if (!g || !session)
        return false;
    int booth, console;
    switch (access) {
    case ACCESS_SESSION:
    case ACCESS_VIEW: return true;
    case ACCESS_FLOOR: return g->kind == TOLK_GRANT_FLOOR;
    case ACCESS_BOOTH: return g->kind == TOLK_GRANT_CONSOLE;
    case ACCESS_CONSOLE:
        return g->kind == TOLK_GRANT_CONSOLE && resolve_console(call->req, session, &booth, &console) &&
               g->booth == booth && g->console == console;
    default: return false;
    }
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
    g_mutex_lock(&call.app->lock);
    bool known = resolve_caller(&call);
    const char *sid = tolk_http_param(req, "sid");
    bool other_session = call.grant && sid && strcmp(call.grant->session, sid) != 0;
    if (!known) {
        tolk_http_reply_failure(resp, TOLK_ERROR_UNAUTHORIZED, "unauthorized", "this token is no longer valid");
    } else if (binding->route->access != ACCESS_PUBLIC && !call.operator &&
               (other_session || !grant_allows(&call, binding->route->access))) {
        if (req->principal.role == TOLK_ROLE_NONE) {
            tolk_http_reply_header(resp, "WWW-Authenticate", "Bearer realm=\"tolk\"");
            tolk_http_reply_failure(resp, TOLK_ERROR_UNAUTHORIZED, "unauthorized", "%s %s needs a token", req->method,
                                    req->path);
        } else {
            tolk_http_reply_failure(resp, TOLK_ERROR_FORBIDDEN, "forbidden", "this token may not %s %s", req->method,
                                    req->path);
        }
    } else {
        binding->route->fn(&call);
    }
    g_mutex_unlock(&call.app->lock);
}

/* The operator token, or a token the operator handed out. The principal keeps
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
    g_mutex_lock(&app->lock);
    const tolk_grant *grant = tolk_grants_find_token(app->grants, token);
    if (grant) {
        out->role = TOLK_ROLE_GRANT;
        g_strlcpy(out->scope, grant->id, sizeof out->scope);
    }
    g_mutex_unlock(&app->lock);
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
