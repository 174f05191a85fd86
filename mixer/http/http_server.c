/* SPDX-License-Identifier: EUPL-1.2 */
/* libmicrohttpd glue: admits a request (route, token, body headers), collects the
 * body, calls the handler and sends what it replied. */
#include "http_server.h"

#include "http_send.h"
#include "listen_socket.h"
#include "request_body.h"
#include "router.h"
#include "static_files.h"
#include "url.h"

#define TOLK_LOG_MODULE "http"
#include "log.h"

#include <glib.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_SLOTS 600
/* One thread per connection: 1024 threads mostly asleep is cheap on Linux, and covers
 * a large meeting's listeners' event streams. No per-IP limit: a venue's listeners
 * often share one public address. */
#define CONNECTION_LIMIT 1024

struct tolk_http_server {
    http_router *router;
    http_static *files;
    tolk_authenticate_fn authenticate;
    void *auth_ctx;
    struct MHD_Daemon *daemon;
    int port;
    atomic_uint_least64_t replies[STATUS_SLOTS]; /* by status code */
};

struct tolk_http_request_internal {
    struct MHD_Connection *connection;
    GPtrArray *scratch; /* decoded query values handed to the handler */
};

/* What a route takes as its body. */
typedef enum { BODY_NONE, BODY_JSON, BODY_TEXT } body_kind;

typedef struct {
    unsigned flag;
    body_kind kind;
    const char *media_type;
} body_rule;

static const body_rule body_rules[] = {
    {TOLK_ROUTE_JSON_BODY, BODY_JSON, "application/json"},
    {TOLK_ROUTE_SDP_BODY, BODY_TEXT, "application/sdp"},
    {TOLK_ROUTE_TRICKLE_BODY, BODY_TEXT, "application/trickle-ice-sdpfrag"},
};

/* One per request, from the first call of the access handler to the completion callback. */
typedef struct {
    http_match match;
    tolk_principal principal;
    const body_rule *body_rule; /* NULL: the route takes no body */
    request_body body;
    struct tolk_http_request_internal internal;
} request_state;

tolk_http_server *tolk_http_server_new(void)
{
    tolk_http_server *server = g_new0(tolk_http_server, 1);
    server->router = http_router_new();
    server->files = http_static_new();
    return server;
}

void tolk_http_server_free(tolk_http_server *server)
{
    if (!server)
        return;
    tolk_http_server_stop(server);
    http_router_free(server->router);
    http_static_free(server->files);
    g_free(server);
}

void tolk_http_server_route(tolk_http_server *server, const char *method, const char *pattern,
                            unsigned flags, tolk_http_handler handler, void *ctx)
{
    http_router_add(server->router, method, pattern, flags, handler, ctx);
}

bool tolk_http_server_serve_dir(tolk_http_server *server, const char *url_prefix,
                                const char *directory)
{
    return http_static_add_dir(server->files, url_prefix, directory);
}

void tolk_http_server_redirect(tolk_http_server *server, const char *path, const char *location)
{
    http_static_add_redirect(server->files, path, location);
}

void tolk_http_server_set_authenticator(tolk_http_server *server, tolk_authenticate_fn authenticate,
                                        void *ctx)
{
    server->authenticate = authenticate;
    server->auth_ctx = ctx;
}

void tolk_http_server_stats(const tolk_http_server *server, tolk_http_stats_fn each, void *ctx)
{
    for (int status = 0; status < STATUS_SLOTS; status++) {
        uint64_t count = atomic_load(&server->replies[status]);
        if (count)
            each(ctx, status, count);
    }
}

/* ---- request accessors ---- */

const char *tolk_http_param(const tolk_http_request *req, const char *name)
{
    for (int i = 0; i < req->param_count; i++)
        if (strcmp(req->param_names[i], name) == 0)
            return req->param_values[i];
    return NULL;
}

const char *tolk_http_query(const tolk_http_request *req, const char *name)
{
    if (!req->internal)
        return NULL;
    const char *raw = MHD_lookup_connection_value(req->internal->connection, MHD_GET_ARGUMENT_KIND, name);
    if (!raw) {
        /* A bare "?flag" has no value but is present. */
        if (MHD_lookup_connection_value_n(req->internal->connection, MHD_GET_ARGUMENT_KIND, name,
                                          strlen(name), NULL, NULL) == MHD_YES)
            return "";
        return NULL;
    }
    char *value = tolk_url_decode(raw, strlen(raw));
    if (!value)
        return NULL;
    g_ptr_array_add(req->internal->scratch, value);
    return value;
}

const char *tolk_http_header_value(const tolk_http_request *req, const char *name)
{
    if (!req->internal)
        return NULL;
    return MHD_lookup_connection_value(req->internal->connection, MHD_HEADER_KIND, name);
}

/* ---- sending ---- */

static enum MHD_Result send_reply(tolk_http_server *server, struct MHD_Connection *connection,
                                  const char *method, const char *url, tolk_http_response *resp)
{
    if (resp->kind == TOLK_REPLY_NONE) {
        LOG_ERROR("%s %s: the handler set no reply", method, url);
        tolk_http_reply_error(resp, 500, "internal_error", "The server could not answer this request.");
    }
    struct MHD_Response *response = http_build_response(resp);
    enum MHD_Result queued = MHD_NO; /* MHD closes the connection */
    if (response) {
        queued = MHD_queue_response(connection, (unsigned)resp->status, response);
        MHD_destroy_response(response); /* a stream's free_ctx runs when MHD lets go too */
    }
    if (resp->status >= 0 && resp->status < STATUS_SLOTS)
        atomic_fetch_add(&server->replies[resp->status], 1);
    LOG_DEBUG("%s %s -> %d", method, url, resp->status);
    tolk_http_response_clear(resp);
    return queued;
}

/* ---- admission: decided from the headers, before any body is read ---- */

/* The token a request presents: the Authorization header, or for a GET on a
 * TOLK_ROUTE_QUERY_TOKEN route without that header, ?access_token= (EventSource cannot
 * set headers). *query_token is the decoded copy to free. */
static const char *presented_token(struct MHD_Connection *connection, const char *method,
                                   unsigned flags, const char **header, char **query_token)
{
    *query_token = NULL;
    *header = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (*header || !(flags & TOLK_ROUTE_QUERY_TOKEN) || strcmp(method, "GET") != 0)
        return tolk_bearer_token(*header);
    const char *raw = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "access_token");
    if (raw)
        *query_token = tolk_url_decode(raw, strlen(raw));
    return *query_token;
}

static void reply_unauthorized(tolk_http_response *resp, const char *header, const char *token)
{
    if (!header && !token)
        tolk_http_reply_error(resp, 401, "unauthorized",
                              "This request needs an Authorization: Bearer <token> header.");
    else if (!token)
        tolk_http_reply_error(resp, 401, "unauthorized",
                              "The Authorization header must be \"Bearer <token>\".");
    else
        tolk_http_reply_error(resp, 401, "unauthorized", "The bearer token is not valid.");
    tolk_http_reply_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"tolk\"");
}

/* Fills state->principal from the token; false with a 401 in resp when refused. An
 * OPTIONAL_AUTH route lets a request that presents no token at all through as NONE. */
static bool authenticate(tolk_http_server *server, struct MHD_Connection *connection,
                         const char *method, unsigned flags, request_state *state,
                         tolk_http_response *resp)
{
    const char *header;
    char *query_token;
    const char *token = presented_token(connection, method, flags, &header, &query_token);
    memset(&state->principal, 0, sizeof state->principal);
    bool ok = token && server->authenticate &&
              server->authenticate(server->auth_ctx, token, &state->principal);
    if (!ok)
        memset(&state->principal, 0, sizeof state->principal);
    if (!ok && !header && !token && (flags & TOLK_ROUTE_OPTIONAL_AUTH))
        ok = true;
    if (!ok)
        reply_unauthorized(resp, header, token);
    g_free(query_token); /* never logged, never kept */
    return ok;
}

/* True when the client announced a body: a non-zero Content-Length or chunked transfer. */
static bool announces_body(struct MHD_Connection *connection, unsigned long long *length)
{
    const char *cl = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    *length = cl ? strtoull(cl, NULL, 10) : 0;
    if (*length > 0)
        return true;
    return MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                       MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

static void reply_missing_body(tolk_http_response *resp, const body_rule *rule)
{
    tolk_http_reply_error(resp, 400, "missing_body", "This request needs a body of type %s.",
                          rule->media_type);
}

static const body_rule *body_rule_for(unsigned flags)
{
    for (size_t i = 0; i < G_N_ELEMENTS(body_rules); i++)
        if (flags & body_rules[i].flag)
            return &body_rules[i];
    return NULL;
}

static bool admit_body(struct MHD_Connection *connection, const body_rule *rule,
                       tolk_http_response *resp)
{
    unsigned long long length;
    if (!announces_body(connection, &length)) {
        reply_missing_body(resp, rule);
        return false;
    }
    if (length > TOLK_HTTP_MAX_BODY) {
        tolk_http_reply_error(resp, 413, "body_too_large", "The request body is over %d bytes.",
                              TOLK_HTTP_MAX_BODY);
        return false;
    }
    const char *type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!tolk_content_type_is(type, rule->media_type)) {
        tolk_http_reply_error(resp, 415, "unsupported_media_type",
                              "The request body must be sent as Content-Type: %s.", rule->media_type);
        return false;
    }
    return true;
}

/* Routes and authenticates; false with resp filled when the request is answered
 * already: refused, or a static file or redirect (paths no route has). */
static bool admit(tolk_http_server *server, struct MHD_Connection *connection, const char *method,
                  const char *url, request_state *state, tolk_http_response *resp)
{
    switch (http_router_match(server->router, method, url, &state->match)) {
    case ROUTE_NO_PATH:
        if (!http_static_serve(server->files, method, url, resp))
            tolk_http_reply_error(resp, 404, "not_found", "There is nothing at %.200s.", url);
        return false;
    case ROUTE_NO_METHOD:
        tolk_http_reply_error(resp, 405, "method_not_allowed", "%s is not allowed on %.200s.", method,
                              url);
        tolk_http_reply_header(resp, MHD_HTTP_HEADER_ALLOW, state->match.allow);
        return false;
    case ROUTE_FOUND:
        break;
    }
    unsigned flags = http_route_flags(state->match.route);
    if (!(flags & TOLK_ROUTE_PUBLIC) && !authenticate(server, connection, method, flags, state, resp))
        return false;
    state->body_rule = body_rule_for(flags);
    return !state->body_rule || admit_body(connection, state->body_rule, resp);
}

/* ---- the final call: body complete ---- */

/* The checks every kind of body goes through once it is complete. */
static bool body_complete(request_state *state, tolk_http_response *resp)
{
    if (state->body.too_large) {
        tolk_http_reply_error(resp, 413, "body_too_large", "The request body is over %d bytes.",
                              TOLK_HTTP_MAX_BODY);
        return false;
    }
    if (state->body.len == 0) {
        reply_missing_body(resp, state->body_rule);
        return false;
    }
    return true;
}

/* Hands the handler a C string, so bytes that would cut it short are refused. */
static bool take_text(request_state *state, tolk_http_request *req, tolk_http_response *resp)
{
    if (!request_body_is_text(&state->body)) {
        tolk_http_reply_error(resp, 400, "invalid_body", "The request body must be UTF-8 text without NUL bytes.");
        return false;
    }
    size_t len;
    req->text = request_body_steal_text(&state->body, &len);
    req->text_len = len;
    return true;
}

static bool parse_body(request_state *state, json_object **out, tolk_http_response *resp)
{
    *out = NULL;
    switch (request_body_parse_object(&state->body, out)) {
    case BODY_JSON_OK:
        return true;
    case BODY_JSON_NOT_OBJECT:
        tolk_http_reply_error(resp, 400, "invalid_json", "The request body must be a JSON object.");
        return false;
    case BODY_JSON_MALFORMED:
        break;
    }
    tolk_http_reply_error(resp, 400, "invalid_json",
                          "The request body is not valid JSON (UTF-8, nested at most %d deep).",
                          TOLK_JSON_MAX_DEPTH);
    return false;
}

static void dispatch(request_state *state, const char *method, const char *url, tolk_http_response *resp)
{
    tolk_http_request req = {
        .method = method,
        .path = url,
        .principal = state->principal,
        .param_count = state->match.param_count,
        .internal = &state->internal,
    };
    for (int i = 0; i < state->match.param_count; i++) {
        req.param_names[i] = state->match.param_names[i];
        req.param_values[i] = state->match.param_values[i];
    }
    const body_rule *rule = state->body_rule;
    bool ok = !rule || (body_complete(state, resp) &&
                        (rule->kind == BODY_JSON ? parse_body(state, &req.body, resp)
                                                 : take_text(state, &req, resp)));
    request_body_clear(&state->body);
    if (ok)
        http_route_call(state->match.route, &req, resp);
    json_object_put(req.body);
    g_free((char *)req.text);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)version;
    tolk_http_server *server = cls;
    request_state *state = *req_cls;
    tolk_http_response resp = {0};
    if (!state) {
        state = g_new0(request_state, 1);
        request_body_init(&state->body, TOLK_HTTP_MAX_BODY);
        state->internal.connection = connection;
        state->internal.scratch = g_ptr_array_new_with_free_func(g_free);
        *req_cls = state;
        if (!admit(server, connection, method, url, state, &resp))
            return send_reply(server, connection, method, url, &resp);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        /* Bodies on routes that take none are read and dropped (documented in docs/http.md). */
        if (state->body_rule)
            request_body_append(&state->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    dispatch(state, method, url, &resp);
    return send_reply(server, connection, method, url, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)connection;
    (void)why;
    request_state *state = *req_cls;
    if (!state)
        return;
    http_match_clear(&state->match);
    request_body_clear(&state->body);
    g_ptr_array_free(state->internal.scratch, TRUE);
    g_free(state);
    *req_cls = NULL;
}

/* MHD would decode %2F into '/' before routing; the router decodes each segment itself. */
static size_t keep_escapes(void *cls, struct MHD_Connection *connection, char *s)
{
    (void)cls;
    (void)connection;
    return strlen(s);
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char message[512];
    vsnprintf(message, sizeof message, fmt, ap);
    g_strchomp(message);
    LOG_WARN("libmicrohttpd: %s", message);
}

bool tolk_http_server_start(tolk_http_server *server, const char *address, int port, char *err,
                            size_t err_size)
{
    if (server->daemon) {
        snprintf(err, err_size, "The HTTP server is already running.");
        return false;
    }
    tolk_listen_socket listener;
    if (!tolk_listen_socket_open(address, port, &listener, err, err_size))
        return false;
    /* A thread per connection: handlers may block for seconds (WebRTC answers wait for
     * ICE gathering) and stream readers block between events, without holding up others. */
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (listener.ipv6)
        flags |= MHD_USE_DUAL_STACK;
    server->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, server,
        MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL, /* first, so that every message goes through it */
        MHD_OPTION_LISTEN_SOCKET, listener.fd,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, server,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, NULL,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)TOLK_HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_END);
    if (!server->daemon) {
        tolk_listen_socket_close(&listener);
        snprintf(err, err_size, "Could not start the HTTP server on %s (see the log).", listener.name);
        return false;
    }
    server->port = listener.port;
    LOG_INFO("listening on %s", listener.name);
    return true;
}

int tolk_http_server_port(const tolk_http_server *server)
{
    return server->daemon ? server->port : 0;
}

void tolk_http_server_stop(tolk_http_server *server)
{
    if (!server->daemon)
        return;
    /* MHD closes the listen socket it was given, shuts every connection down and joins
     * their threads: this waits for running handlers and blocked stream readers. */
    MHD_stop_daemon(server->daemon);
    server->daemon = NULL;
    server->port = 0;
}
