/* SPDX-License-Identifier: EUPL-1.2 */
/* libmicrohttpd glue: admits a request (route, token, body headers), collects the
 * body, calls the handler (on a worker for TOLK_ROUTE_SLOW) and sends what it replied;
 * the timer that enforces request deadlines and stream keepalives. */
#include "http_server.h"

#include "cors.h"
#include "http_deadline.h"
#include "http_error.h"
#include "http_send.h"
#include "http_stream.h"
#include "listen_socket.h"
#include "request_body.h"
#include "router.h"
#include "static_files.h"
#include "url.h"

#define TOLK_LOG_MODULE "http"
#include "log.h"

#include <arpa/inet.h>
#include <glib.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATUS_SLOTS 600
/* How often the timer looks for late requests and parked streams due a keepalive. */
#define TIMER_TICK_US (250 * 1000)
/* How long a stop waits for the replies of slow handlers that already returned. */
#define STOP_REPLY_WAIT_US (2 * G_USEC_PER_SEC)
/* A PEM certificate chain or key is a few KiB; this only stops /dev/zero and the like. */
#define TLS_FILE_MAX (1024 * 1024)
/* TLS 1.2 and 1.3 only, GnuTLS's NORMAL ciphers otherwise: every browser that can use
 * getUserMedia speaks TLS 1.2. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct tolk_http_server {
    http_router *router;
    http_static *files;
    http_cors *cors;
    tolk_authenticate_fn authenticate;
    void *auth_ctx;
    struct MHD_Daemon *daemon;
    int port;
    tolk_http_limits limits;
    http_deadlines *deadlines;
    http_streams *streams;
    /* TOLK_ROUTE_SLOW handlers: the pool exists while the daemon runs; once a stop
     * began (slow_stopping, under slow_lock) no job is pushed any more. slow_unsent
     * counts offloaded requests whose reply is not sent yet (the stop waits for them). */
    GThreadPool *slow_pool;
    GMutex slow_lock;
    GCond slow_done;
    bool slow_stopping;
    unsigned slow_unsent;
    /* The deadline and keepalive timer, while the daemon runs. */
    GThread *timer;
    GMutex timer_lock;
    GCond timer_cond;
    bool timer_quit;
    /* HTTPS (tolk_http_server_set_tls): the PEM files, NUL-terminated. The key is wiped
     * and freed once the daemon has loaded it (at start) or when the server is freed. */
    bool tls;
    char *tls_cert_file, *tls_key_file;
    char *tls_cert, *tls_key;
    size_t tls_key_size;
    /* While starting: the first thing libmicrohttpd logged, for the error sentence. */
    GMutex log_lock;
    tolk_log_limit mhd_warnings, unknown_tokens;
    bool capture_log;
    char start_log[256];
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
    /* A TOLK_ROUTE_SLOW request handed to a worker: the connection is suspended until
     * the worker filled resp and set replied; then the access handler sends it. */
    bool offloaded;
    bool replied;
    const char *method, *url; /* MHD's, valid for the request */
    tolk_http_response resp;
} request_state;

tolk_http_server *tolk_http_server_new(void)
{
    tolk_http_server *server = g_new0(tolk_http_server, 1);
    server->router = http_router_new();
    server->files = http_static_new();
    server->limits = (tolk_http_limits)TOLK_HTTP_DEFAULT_LIMITS;
    server->deadlines = http_deadlines_new();
    server->streams = http_streams_new();
    server->cors = http_cors_new();
    g_mutex_init(&server->log_lock);
    g_mutex_init(&server->slow_lock);
    g_cond_init(&server->slow_done);
    g_mutex_init(&server->timer_lock);
    g_cond_init(&server->timer_cond);
    return server;
}

static void wipe_key(tolk_http_server *server)
{
    if (server->tls_key)
        explicit_bzero(server->tls_key, server->tls_key_size);
    g_free(server->tls_key);
    server->tls_key = NULL;
    server->tls_key_size = 0;
}

static void clear_tls(tolk_http_server *server)
{
    wipe_key(server);
    g_free(server->tls_cert);
    g_free(server->tls_cert_file);
    g_free(server->tls_key_file);
    server->tls_cert = server->tls_cert_file = server->tls_key_file = NULL;
    server->tls = false;
}

void tolk_http_server_free(tolk_http_server *server)
{
    if (!server)
        return;
    tolk_http_server_stop(server);
    http_router_free(server->router);
    http_static_free(server->files);
    http_cors_free(server->cors);
    clear_tls(server);
    http_deadlines_free(server->deadlines);
    http_streams_free(server->streams);
    g_mutex_clear(&server->log_lock);
    g_mutex_clear(&server->slow_lock);
    g_cond_clear(&server->slow_done);
    g_mutex_clear(&server->timer_lock);
    g_cond_clear(&server->timer_cond);
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

bool tolk_http_server_add_cors_origin(tolk_http_server *server, const char *origin)
{
    return http_cors_add_origin(server->cors, origin);
}

void tolk_http_server_add_offer_header(tolk_http_server *server, const char *name, const char *value)
{
    http_cors_add_offer_header(server->cors, name, value);
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

/* ---- TLS ---- */

/* Reads a whole regular file into a NUL-terminated buffer; *size counts the NUL. */
static char *read_pem(const char *what, const char *path, size_t *size, char *err, size_t err_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_size, "Could not read the TLS %s %s: %s.", what, path, g_strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > TLS_FILE_MAX) {
        snprintf(err, err_size, "The TLS %s %s is not a PEM file (not a regular file, empty or too large).",
                 what, path);
        close(fd);
        return NULL;
    }
    size_t len = (size_t)st.st_size;
    char *data = g_malloc(len + 1);
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, data + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, err_size, "Could not read the TLS %s %s: %s.", what, path,
                     n < 0 ? g_strerror(errno) : "the file got shorter while reading");
            explicit_bzero(data, len + 1);
            g_free(data);
            close(fd);
            return NULL;
        }
        got += (size_t)n;
    }
    close(fd);
    data[len] = '\0';
    *size = len + 1;
    return data;
}

bool tolk_http_server_set_tls(tolk_http_server *server, const char *cert_file, const char *key_file,
                              char *err, size_t err_size)
{
    if (server->daemon) {
        snprintf(err, err_size, "TLS must be set up before the HTTP server starts.");
        return false;
    }
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(err, err_size, "This libmicrohttpd was built without TLS support: HTTPS is not "
                                "available (serve plain HTTP behind a TLS reverse proxy instead).");
        return false;
    }
    size_t cert_size = 0, key_size = 0;
    char *cert = read_pem("certificate", cert_file, &cert_size, err, err_size);
    if (!cert)
        return false;
    char *key = read_pem("key", key_file, &key_size, err, err_size);
    if (!key) {
        g_free(cert);
        return false;
    }
    /* The obvious mistakes get a sentence naming the one file; libmicrohttpd (GnuTLS)
     * judges the rest at start. Files may hold a text part before the PEM block. */
    const char *problem = NULL, *file = NULL;
    if (strlen(cert) != cert_size - 1 || !strstr(cert, "-----BEGIN CERTIFICATE-----")) {
        problem = "holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
        file = cert_file;
    } else if (strlen(key) != key_size - 1 || !strstr(key, "PRIVATE KEY-----")) {
        problem = "holds no PEM private key (-----BEGIN ... PRIVATE KEY-----)";
        file = key_file;
    } else if (strstr(key, "ENCRYPTED PRIVATE KEY-----") || strstr(key, "Proc-Type: 4,ENCRYPTED")) {
        problem = "is encrypted with a passphrase; give an unencrypted key (readable by tolk only)";
        file = key_file;
    }
    if (problem) {
        snprintf(err, err_size, "The TLS %s %s %s.", file == cert_file ? "certificate" : "key", file, problem);
        explicit_bzero(key, key_size);
        g_free(key);
        g_free(cert);
        return false;
    }
    clear_tls(server);
    server->tls = true;
    server->tls_cert = cert;
    server->tls_key = key;
    server->tls_key_size = key_size;
    server->tls_cert_file = g_strdup(cert_file);
    server->tls_key_file = g_strdup(key_file);
    return true;
}

bool tolk_http_server_is_tls(const tolk_http_server *server)
{
    return server->tls;
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

/* The connection's deadline record (on_connection made it); NULL only if MHD had none. */
static http_deadline *connection_deadline(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

static enum MHD_Result send_reply(tolk_http_server *server, struct MHD_Connection *connection,
                                  const char *method, const char *url, tolk_http_response *resp)
{
    if (resp->kind == TOLK_REPLY_NONE) {
        LOG_ERROR("%s %s: the handler set no reply", method, url);
        tolk_http_reply_error(resp, 500, "internal_error", "The server could not answer this request.");
    }
    http_deadline *deadline = connection_deadline(connection);
    if (deadline) /* the reply is sent at the client's pace, under the idle timeout only */
        http_deadline_disarm(server->deadlines, deadline);
    http_cors_decorate(server->cors, server->router, method, url,
                       MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Origin"), resp);
    struct MHD_Response *response = http_build_response(resp, server->streams, connection);
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

static void client_address(struct MHD_Connection *connection, char *out, size_t size);

/* Someone guessing tokens is worth a line; one per request would let the guesser fill the log. */
static void log_unknown_token(tolk_http_server *server, struct MHD_Connection *connection, const char *method)
{
    uint64_t unlogged;
    if (!tolk_log_limit_pass(&server->unknown_tokens, g_get_monotonic_time(), &unlogged))
        return;
    char address[TOLK_HTTP_ADDRESS_SIZE];
    client_address(connection, address, sizeof address);
    LOG_WARN("a %s request from %s presented a token nobody knows: 401 (%llu more such requests since the last "
             "such line)", method, address, (unsigned long long)unlogged);
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
    if (!ok && token)
        log_unknown_token(server, connection, method);
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
        if (strcmp(method, "OPTIONS") == 0) { /* RFC 9725 and CORS preflights: never needs a token */
            http_cors_options(server->cors, server->router, url, state->match.allow,
                              MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Origin"),
                              MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                          "Access-Control-Request-Method"), resp);
            return false;
        }
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
    unsigned long long length;
    if (state->body_rule && (flags & TOLK_ROUTE_BODY_OPTIONAL) && !announces_body(connection, &length))
        state->body_rule = NULL;
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
        tolk_http_reply_error(resp, 400, "invalid_body", "The request body must be UTF-8 text without NUL or other control characters (but TAB, CR and LF).");
        return false;
    }
    size_t len;
    req->text = request_body_steal_text(&state->body, &len);
    req->text_len = len;
    return true;
}

static bool parse_body(request_state *state, json_object **out, tolk_http_response *resp)
{
    tolk_error err;
    if (request_body_parse_object(&state->body, out, &err))
        return true;
    tolk_http_reply_tolk_error(resp, &err);
    return false;
}

/* The numeric address of the client, for per-address limits. */
static void client_address(struct MHD_Connection *connection, char *out, size_t size)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    out[0] = '\0';
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
    if (g_str_has_prefix(out, "::ffff:") && strchr(out, '.'))
        memmove(out, out + 7, strlen(out + 7) + 1);
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
    client_address(state->internal.connection, req.client_address, sizeof req.client_address);
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

/* ---- TOLK_ROUTE_SLOW: the handler on a worker, the connection suspended ---- */

static void run_slow(gpointer data, gpointer user_data)
{
    (void)user_data;
    request_state *state = data;
    dispatch(state, state->method, state->url, &state->resp);
    state->replied = true; /* published to the poll thread by the resume's lock */
    MHD_resume_connection(state->internal.connection);
}

/* Suspends the connection and queues the handler; once the stop began, 503 instead. */
static enum MHD_Result offload(tolk_http_server *server, struct MHD_Connection *connection,
                               const char *method, const char *url, request_state *state)
{
    g_mutex_lock(&server->slow_lock);
    bool stopping = server->slow_stopping;
    if (!stopping) {
        state->offloaded = true;
        state->method = method;
        state->url = url;
        server->slow_unsent++;
        MHD_suspend_connection(connection);
        g_thread_pool_push(server->slow_pool, state, NULL);
    }
    g_mutex_unlock(&server->slow_lock);
    if (!stopping)
        return MHD_YES;
    tolk_http_response resp = {0};
    tolk_http_reply_error(&resp, 503, "unavailable", "The server is stopping.");
    return send_reply(server, connection, method, url, &resp);
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
        http_deadline *deadline = connection_deadline(connection);
        if (deadline) /* the head is in; the body has as long again */
            http_deadline_arm(server->deadlines, deadline);
        if (!admit(server, connection, method, url, state, &resp))
            return send_reply(server, connection, method, url, &resp);
        return MHD_YES;
    }
    if (state->offloaded) /* called again after the resume */
        return state->replied ? send_reply(server, connection, method, url, &state->resp) : MHD_YES;
    if (*upload_data_size > 0) {
        /* Bodies on routes that take none are read and dropped (documented in docs/http.md). */
        if (state->body_rule)
            request_body_append(&state->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (http_route_flags(state->match.route) & TOLK_ROUTE_SLOW) {
        http_deadline *deadline = connection_deadline(connection);
        if (deadline) /* the request is complete: the handler takes what it takes */
            http_deadline_disarm(server->deadlines, deadline);
        return offload(server, connection, method, url, state);
    }
    dispatch(state, method, url, &resp);
    return send_reply(server, connection, method, url, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)why;
    tolk_http_server *server = cls;
    http_deadline *deadline = connection_deadline(connection);
    if (deadline) /* a kept-alive connection has as long for its next head */
        http_deadline_arm(server->deadlines, deadline);
    request_state *state = *req_cls;
    if (!state)
        return;
    if (state->offloaded) { /* sent, or the client went away */
        g_mutex_lock(&server->slow_lock);
        server->slow_unsent--;
        g_cond_broadcast(&server->slow_done);
        g_mutex_unlock(&server->slow_lock);
    }
    http_match_clear(&state->match);
    request_body_clear(&state->body);
    tolk_http_response_clear(&state->resp);
    g_ptr_array_free(state->internal.scratch, TRUE);
    g_free(state);
    *req_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    tolk_http_server *server = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = info ? http_deadline_add(server->deadlines, info->connect_fd) : NULL;
    } else if (*socket_context) {
        /* MHD closes the socket after this returns: the record goes first. */
        http_deadline_remove(server->deadlines, *socket_context);
        *socket_context = NULL;
    }
}

/* MHD would decode %2F into '/' before routing; the router decodes each segment itself. */
static size_t keep_escapes(void *cls, struct MHD_Connection *connection, char *s)
{
    (void)cls;
    (void)connection;
    return strlen(s);
}

/* A client that closed its page mid-stream: in epoll mode libmicrohttpd learns it from
 * the failed write and says so; every listener leaving would be a warning otherwise. */
static bool client_left(const char *message)
{
    return g_str_has_prefix(message, "Failed to send") &&
           (strstr(message, "no longer available for sending") || strstr(message, "forcibly closed"));
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    tolk_http_server *server = cls;
    char message[512];
    vsnprintf(message, sizeof message, fmt, ap);
    g_strchomp(message);
    uint64_t unlogged;
    if (client_left(message))
        LOG_DEBUG("libmicrohttpd: %s", message);
    else if (tolk_log_limit_pass(&server->mhd_warnings, g_get_monotonic_time(), &unlogged))
        /* Some come once per connection (a client over its cap): limited like a packet's. */
        LOG_WARN("libmicrohttpd: %s (%llu more of its warnings since the last such line)", message,
                 (unsigned long long)unlogged);
    g_mutex_lock(&server->log_lock);
    if (server->capture_log && !server->start_log[0]) /* the first is the most specific */
        g_strlcpy(server->start_log, message, sizeof server->start_log);
    g_mutex_unlock(&server->log_lock);
}

bool tolk_http_server_set_limits(tolk_http_server *server, const tolk_http_limits *limits)
{
    if (limits->max_connections == 0 || limits->request_timeout_s == 0 ||
        limits->max_connections_per_address > limits->max_connections || limits->stream_keepalive_s == 0 ||
        limits->stream_keepalive_s >= TOLK_HTTP_IDLE_TIMEOUT_S)
        return false;
    server->limits = *limits;
    http_deadlines_set_timeout(server->deadlines, limits->request_timeout_s);
    return true;
}

/* ---- the timer: late requests are closed, parked streams get their keepalive ---- */

static gpointer run_timer(gpointer data)
{
    tolk_http_server *server = data;
    g_mutex_lock(&server->timer_lock);
    while (!server->timer_quit) {
        gint64 next = g_get_monotonic_time() + TIMER_TICK_US;
        while (!server->timer_quit && g_cond_wait_until(&server->timer_cond, &server->timer_lock, next))
            ;
        if (server->timer_quit)
            break;
        g_mutex_unlock(&server->timer_lock);
        gint64 now = g_get_monotonic_time();
        http_deadlines_sweep(server->deadlines, now);
        http_streams_tick(server->streams, now, (gint64)server->limits.stream_keepalive_s * G_USEC_PER_SEC);
        g_mutex_lock(&server->timer_lock);
    }
    g_mutex_unlock(&server->timer_lock);
    return NULL;
}

static void stop_timer(tolk_http_server *server)
{
    g_mutex_lock(&server->timer_lock);
    server->timer_quit = true;
    g_cond_signal(&server->timer_cond);
    g_mutex_unlock(&server->timer_lock);
    g_thread_join(server->timer);
    server->timer = NULL;
}

/* The slow pool and the timer, once the daemon runs. */
static void start_helpers(tolk_http_server *server)
{
    server->slow_pool = g_thread_pool_new(run_slow, NULL, TOLK_HTTP_SLOW_WORKERS, FALSE, NULL);
    server->timer_quit = false;
    server->timer = g_thread_new("tolk-http-timer", run_timer, server);
}

bool tolk_http_server_start(tolk_http_server *server, const char *address, int port, char *err,
                            size_t err_size)
{
    if (server->daemon) {
        snprintf(err, err_size, "The HTTP server is already running.");
        return false;
    }
    if (server->tls && !server->tls_key) {
        snprintf(err, err_size, "The TLS key was wiped after the previous start; set TLS up again.");
        return false;
    }
    if (server->limits.max_connections < TOLK_HTTP_POLL_THREADS) {
        snprintf(err, err_size, "The HTTP server needs room for at least %d connections.",
                 TOLK_HTTP_POLL_THREADS);
        return false;
    }
    tolk_listen_socket listener;
    if (!tolk_listen_socket_open(address, port, &listener, err, err_size))
        return false;
    /* HTTPS: GnuTLS copies certificate and key into its credentials while the daemon
     * starts, so our copy of the key is wiped right after. No HSTS header: see docs/http.md. */
    struct MHD_OptionItem tls_options[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, server->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, server->tls_key},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES},
        {MHD_OPTION_END, 0, NULL},
    };
    /* epoll on a few poll threads instead of a thread per connection: a parked event
     * stream or a connection trickling its head costs no thread. Handlers that block run
     * on the slow pool, streams with nothing to send are suspended (http_stream.c). */
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (listener.ipv6)
        flags |= MHD_USE_DUAL_STACK;
    if (server->tls)
        flags |= MHD_USE_TLS;
    g_mutex_lock(&server->log_lock);
    server->capture_log = true;
    server->start_log[0] = '\0';
    g_mutex_unlock(&server->log_lock);
    server->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, server,
        MHD_OPTION_EXTERNAL_LOGGER, log_mhd, server, /* first, so that every message goes through it */
        MHD_OPTION_ARRAY, server->tls ? tls_options : &tls_options[G_N_ELEMENTS(tls_options) - 1],
        MHD_OPTION_LISTEN_SOCKET, listener.fd,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, server,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, server,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)TOLK_HTTP_POLL_THREADS,
        MHD_OPTION_CONNECTION_LIMIT, server->limits.max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, server->limits.max_connections_per_address,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)TOLK_HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_END);
    g_mutex_lock(&server->log_lock);
    server->capture_log = false;
    char why[sizeof server->start_log];
    g_strlcpy(why, server->start_log[0] ? server->start_log : "see the log", sizeof why);
    size_t why_len = strlen(why);
    while (why_len > 0 && why[why_len - 1] == '.')
        why[--why_len] = '\0';
    g_mutex_unlock(&server->log_lock);
    wipe_key(server);
    if (!server->daemon) {
        tolk_listen_socket_close(&listener);
        if (server->tls)
            snprintf(err, err_size,
                     "Could not start the HTTPS server on %s with the TLS certificate %s and key %s "
                     "(a key that does not belong to the certificate, or a file GnuTLS cannot use): %s.",
                     listener.name, server->tls_cert_file, server->tls_key_file, why);
        else
            snprintf(err, err_size, "Could not start the HTTP server on %s (%s).", listener.name, why);
        return false;
    }
    server->port = listener.port;
    start_helpers(server);
    LOG_INFO("listening on %s%s", listener.name, server->tls ? " (HTTPS)" : "");
    return true;
}

int tolk_http_server_port(const tolk_http_server *server)
{
    return server->daemon ? server->port : 0;
}

/* The slow handlers have returned and resumed their connections; their replies go out
 * on the poll threads. MHD_stop_daemon would drop them: wait a little for them. */
static void wait_slow_replies(tolk_http_server *server)
{
    gint64 deadline = g_get_monotonic_time() + STOP_REPLY_WAIT_US;
    g_mutex_lock(&server->slow_lock);
    while (server->slow_unsent > 0 && g_cond_wait_until(&server->slow_done, &server->slow_lock, deadline))
        ;
    g_mutex_unlock(&server->slow_lock);
}

void tolk_http_server_stop(tolk_http_server *server)
{
    if (!server->daemon)
        return;
    stop_timer(server);
    /* MHD must not stop with a suspended connection: end the streams, let the slow
     * handlers finish (each resumes its connection), and refuse new ones meanwhile. */
    http_streams_stop(server->streams);
    g_mutex_lock(&server->slow_lock);
    server->slow_stopping = true;
    g_mutex_unlock(&server->slow_lock);
    g_thread_pool_free(server->slow_pool, FALSE, TRUE);
    server->slow_pool = NULL;
    wait_slow_replies(server);
    /* MHD closes the listen socket it was given, closes every connection and joins its
     * poll threads. */
    MHD_stop_daemon(server->daemon);
    server->daemon = NULL;
    server->port = 0;
    http_streams_restart(server->streams);
    server->slow_stopping = false;
    server->slow_unsent = 0; /* the daemon completed every request as it stopped */
}

uint64_t tolk_http_server_late_closed(const tolk_http_server *server)
{
    return http_deadlines_closed(server->deadlines);
}

unsigned tolk_http_server_parked_streams(const tolk_http_server *server)
{
    return server->daemon ? http_streams_parked(server->streams) : 0;
}
