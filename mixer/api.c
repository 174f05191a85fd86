/* SPDX-License-Identifier: EUPL-1.2 */
/* The v1 HTTP API (api-v1.md): requests in, session calls, JSON out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "request_parse.h"
#include "session_json.h"

#define TOLK_LOG_MODULE "api"
#include "log.h"

typedef void (*api_fn)(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp);

typedef struct {
    const char *method;
    const char *pattern;
    unsigned flags;
    api_fn fn;
} api_route;

typedef struct {
    tolk_app *app;
    const api_route *route;
} api_binding;

#define SESSIONS "/api/v1/sessions"
#define SESSION SESSIONS "/{sid}"
#define CHANNEL_OUTPUTS SESSION "/channels/{ch}/outputs"
#define CONSOLE SESSION "/booths/{lang}/consoles/{n}"

static void reply_parse_error(tolk_http_response *resp, const tolk_parse_error *err)
{
    tolk_http_reply_error(resp, err->status, err->code, "%s", err->message);
}

static void reply_rules_error(tolk_http_response *resp, const tolk_result *result)
{
    static const int status[] = {[TOLK_ERR_INVALID] = 400, [TOLK_ERR_NOT_FOUND] = 404, [TOLK_ERR_ENGAGED] = 409};
    const char *code = result->code ? result->code : "invalid_value";
    tolk_http_reply_error(resp, status[result->status], code, "%s", result->message);
}

/* Finds the {sid} session or answers 404. */
static tolk_session *find_session(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    const char *sid = tolk_http_param(req, "sid");
    tolk_session *session = tolk_app_find(app, sid);
    if (!session)
        tolk_http_reply_error(resp, 404, "session_not_found", "there is no session %s", sid);
    return session;
}

/* Finds the {lang}/{n} console of a session or answers 404. */
static bool find_console(tolk_session *session, const tolk_http_request *req, tolk_http_response *resp,
                         int *booth, int *console)
{
    const char *lang = tolk_http_param(req, "lang");
    const char *n = tolk_http_param(req, "n");
    *booth = tolk_matrix_booth_index(session->matrix, lang);
    if (*booth < 0) {
        tolk_http_reply_error(resp, 404, "booth_not_found", "session %s has no booth %s", session->id, lang);
        return false;
    }
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    /* Exactly one digit 1..6: "01", "+1" or " 1" name no console. */
    int number = n[0] >= '1' && n[0] <= '9' && n[1] == '\0' ? n[0] - '0' : 0;
    if (number < 1 || number > config->booths[*booth].console_count) {
        tolk_http_reply_error(resp, 404, "console_not_found", "booth %s has no console %s", lang, n);
        return false;
    }
    *console = number - 1;
    return true;
}

static void reply_created(tolk_http_response *resp, json_object *body, const char *location)
{
    tolk_http_reply_header(resp, "Location", location);
    tolk_http_reply_json(resp, 201, body);
}

static void get_health(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)app;
    (void)req;
    json_object *body = json_object_new_object();
    json_object_object_add(body, "status", json_object_new_string("ok"));
    tolk_http_reply_json(resp, 200, body);
}

static void get_metrics(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)req;
    char *text = tolk_metrics_render(app);
    tolk_http_reply_text(resp, 200, "text/plain; version=0.0.4; charset=utf-8", text);
    g_free(text);
}

static void list_sessions(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)req;
    json_object *list = json_object_new_array();
    for (guint i = 0; i < app->sessions->len; i++)
        json_object_array_add(list, tolk_session_to_json(g_ptr_array_index(app->sessions, i)));
    json_object *body = json_object_new_object();
    json_object_object_add(body, "sessions", list);
    tolk_http_reply_json(resp, 200, body);
}

static void create_session(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    tolk_session_spec *spec = g_new0(tolk_session_spec, 1);
    tolk_parse_error err;
    if (!tolk_parse_session_create(req->body, spec, &err)) {
        reply_parse_error(resp, &err);
        g_free(spec);
        return;
    }
    int status = 500;
    char message[200];
    tolk_session *session = tolk_app_create(app, spec, NULL, &status, message, sizeof message);
    g_free(spec);
    if (!session) {
        static const char *const codes[] = {[400] = "invalid_value", [409] = "session_exists"};
        const char *code = status == 400 || status == 409 ? codes[status] : "unavailable";
        tolk_http_reply_error(resp, status, code, "%s", message);
        return;
    }
    char location[96];
    snprintf(location, sizeof location, SESSIONS "/%s", session->id);
    reply_created(resp, tolk_session_to_json(session), location);
}

static void get_session(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    tolk_session *session = find_session(app, req, resp);
    if (session)
        tolk_http_reply_json(resp, 200, tolk_session_to_json(session));
}

static void apply_session_patch(tolk_session *session, const tolk_session_patch *patch)
{
    if (patch->has_name)
        g_strlcpy(session->name, patch->name, sizeof session->name);
    if (patch->has_floor_language)
        g_strlcpy(session->floor_language, patch->floor_language, sizeof session->floor_language);
    if (patch->has_interlock)
        tolk_session_set_interlock(session, patch->interlock);
    if (patch->has_idle_channel)
        tolk_session_set_idle_channel(session, patch->idle_channel);
    if (patch->has_original_under)
        tolk_session_set_original_under(session, patch->original_under, patch->original_under_db);
}

static void patch_session(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    tolk_session *session = find_session(app, req, resp);
    if (!session)
        return;
    tolk_session_patch patch;
    tolk_parse_error err;
    if (!tolk_parse_session_patch(req->body, tolk_matrix_config_get(session->matrix), &patch, &err)) {
        reply_parse_error(resp, &err);
        return;
    }
    apply_session_patch(session, &patch);
    tolk_http_reply_json(resp, 200, tolk_session_to_json(session));
}

static void delete_session(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    tolk_session *session = find_session(app, req, resp);
    if (!session)
        return;
    tolk_app_delete(app, session);
    tolk_http_reply_empty(resp, 204);
}

/* Adds an output to a channel (slot < 0) or a return feed (channel < 0). */
static void create_output(tolk_session *session, int channel, int slot, const tolk_http_request *req,
                          tolk_http_response *resp)
{
    tolk_output_spec spec;
    tolk_parse_error err;
    if (!tolk_parse_output_create(req->body, &spec, &err)) {
        reply_parse_error(resp, &err);
        return;
    }
    const tolk_session_output *existing = tolk_session_find_destination(session, channel, slot, spec.host, spec.port);
    if (existing) {
        tolk_http_reply_error(resp, 409, "output_exists", "output %s already sends this stream to %s port %d",
                              existing->id, spec.host, spec.port);
        return;
    }
    const tolk_session_output *output = tolk_session_add_output(session, channel, slot, spec.host, spec.port);
    if (!output) {
        tolk_http_reply_error(resp, 400, "invalid_value", "host %s port %d cannot be sent to", spec.host, spec.port);
        return;
    }
    char location[256];
    snprintf(location, sizeof location, "%s/%s", req->path, output->id);
    reply_created(resp, tolk_output_to_json(session, output), location);
}

/* Removes output {oid} if it belongs to that channel or return feed. */
static void delete_output(tolk_session *session, int channel, int slot, const tolk_http_request *req,
                          tolk_http_response *resp)
{
    const char *oid = tolk_http_param(req, "oid");
    const tolk_session_output *output = tolk_session_find_output(session, oid);
    if (!output || output->channel != channel || (channel < 0 && output->slot != slot)) {
        tolk_http_reply_error(resp, 404, "output_not_found", "there is no output %s here", oid);
        return;
    }
    tolk_session_remove_output(session, oid);
    tolk_http_reply_empty(resp, 204);
}

static int find_channel(tolk_session *session, const tolk_http_request *req, tolk_http_response *resp)
{
    const char *name = tolk_http_param(req, "ch");
    int channel = tolk_matrix_channel_index(session->matrix, name);
    if (channel < 0)
        tolk_http_reply_error(resp, 404, "channel_not_found", "session %s has no channel %s", session->id, name);
    return channel;
}

static void create_channel_output(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    tolk_session *session = find_session(app, req, resp);
    int channel = session ? find_channel(session, req, resp) : -1;
    if (channel >= 0)
        create_output(session, channel, -1, req, resp);
}

static void delete_channel_output(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    tolk_session *session = find_session(app, req, resp);
    int channel = session ? find_channel(session, req, resp) : -1;
    if (channel >= 0)
        delete_output(session, channel, -1, req, resp);
}

static void create_console_output(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    int booth, console;
    tolk_session *session = find_session(app, req, resp);
    if (session && find_console(session, req, resp, &booth, &console))
        create_output(session, -1, TOLK_SLOT(booth, console), req, resp);
}

static void delete_console_output(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    int booth, console;
    tolk_session *session = find_session(app, req, resp);
    if (session && find_console(session, req, resp, &booth, &console))
        delete_output(session, -1, TOLK_SLOT(booth, console), req, resp);
}

static void get_console(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    int booth, console;
    tolk_session *session = find_session(app, req, resp);
    if (session && find_console(session, req, resp, &booth, &console))
        tolk_http_reply_json(resp, 200, tolk_console_to_json(session, booth, console));
}

static void patch_console(tolk_app *app, const tolk_http_request *req, tolk_http_response *resp)
{
    int booth, console;
    tolk_session *session = find_session(app, req, resp);
    if (!session || !find_console(session, req, resp, &booth, &console))
        return;
    tolk_console_patch patch;
    tolk_parse_error err;
    if (!tolk_parse_console_patch(req->body, tolk_matrix_config_get(session->matrix), booth, &patch, &err)) {
        reply_parse_error(resp, &err);
        return;
    }
    tolk_result result = tolk_session_patch_console(session, booth, console, &patch);
    if (result.status != TOLK_OK)
        reply_rules_error(resp, &result);
    else
        tolk_http_reply_json(resp, 200, tolk_console_to_json(session, booth, console));
}

static const api_route routes[] = {
    {"GET", "/healthz", TOLK_ROUTE_PUBLIC, get_health},
    {"GET", "/metrics", 0, get_metrics},
    {"GET", SESSIONS, 0, list_sessions},
    {"POST", SESSIONS, TOLK_ROUTE_JSON_BODY, create_session},
    {"GET", SESSION, 0, get_session},
    {"PATCH", SESSION, TOLK_ROUTE_JSON_BODY, patch_session},
    {"DELETE", SESSION, 0, delete_session},
    {"POST", CHANNEL_OUTPUTS, TOLK_ROUTE_JSON_BODY, create_channel_output},
    {"DELETE", CHANNEL_OUTPUTS "/{oid}", 0, delete_channel_output},
    {"GET", CONSOLE, 0, get_console},
    {"PATCH", CONSOLE, TOLK_ROUTE_JSON_BODY, patch_console},
    {"POST", CONSOLE "/outputs", TOLK_ROUTE_JSON_BODY, create_console_output},
    {"DELETE", CONSOLE "/outputs/{oid}", 0, delete_console_output},
};

#define ROUTE_COUNT (sizeof routes / sizeof routes[0])
static api_binding bindings[ROUTE_COUNT];

/* Every handler runs under the app lock, and every non-public route is the operator's. */
static void dispatch(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    api_binding *binding = ctx;
    if (!(binding->route->flags & TOLK_ROUTE_PUBLIC) && req->principal.role != TOLK_ROLE_OPERATOR) {
        tolk_http_reply_error(resp, 403, "forbidden", "this token may not %s %s", req->method, req->path);
        return;
    }
    g_mutex_lock(&binding->app->lock);
    binding->route->fn(binding->app, req, resp);
    g_mutex_unlock(&binding->app->lock);
}

static bool authenticate(void *ctx, const char *token, tolk_principal *out)
{
    tolk_app *app = ctx;
    if (!tolk_token_equal(token, app->token))
        return false;
    out->role = TOLK_ROLE_OPERATOR;
    out->scope[0] = '\0';
    return true;
}

void tolk_api_register(tolk_app *app)
{
    tolk_http_server_set_authenticator(app->http, authenticate, app);
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        bindings[i] = (api_binding){app, &routes[i]};
        tolk_http_server_route(app->http, routes[i].method, routes[i].pattern, routes[i].flags, dispatch,
                               &bindings[i]);
    }
}
