/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A small router on libmicrohttpd: routes by method and path pattern, bearer-token
 * authentication, JSON request bodies and JSON error replies.
 *
 * Threads: libmicrohttpd polls every connection with epoll on a small pool of poll
 * threads (TOLK_HTTP_POLL_THREADS), not a thread per connection. Handlers, the
 * authenticator and stream readers run on those threads, CONCURRENTLY with each other
 * and with the application's other threads (the application locks its own state), and
 * they must not block: a handler that waits (a WebRTC answer waits for ICE gathering)
 * is registered with TOLK_ROUTE_SLOW and then runs on a worker thread of its own pool
 * while its connection is suspended; a stream reader with nothing to send returns 0 and
 * its connection is suspended until the owner wakes it (tolk_http_stream_wake). Neither
 * costs a poll thread while it waits. The route table, static mounts, limits and
 * authenticator are set up before tolk_http_server_start() and only read afterwards;
 * the stats are atomic.
 *
 * See docs/http.md for how routes, authentication and validation fit together.
 */
#ifndef TOLK_HTTP_SERVER_H
#define TOLK_HTTP_SERVER_H

#include "auth.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TOLK_HTTP_MAX_BODY (64 * 1024)  /* larger request bodies get 413 */
#define TOLK_HTTP_MAX_PARAMS 8          /* {name} captures per pattern */
#define TOLK_HTTP_MAX_HEADERS 16        /* extra response headers per reply */
#define TOLK_HTTP_ADDRESS_SIZE 48       /* an IPv6 address as text, with its NUL */
#define TOLK_HTTP_MAX_FILE (8 * 1024 * 1024) /* static files larger than this are not served */
#define TOLK_HTTP_IDLE_TIMEOUT_S 30     /* a connection without any traffic this long is closed */
#define TOLK_HTTP_POLL_THREADS 2        /* libmicrohttpd's poll threads (one per core here) */
#define TOLK_HTTP_SLOW_WORKERS 16       /* TOLK_ROUTE_SLOW handlers running at once; more wait */

/* Route flags. At most one of the *_BODY flags per route. */
enum {
    TOLK_ROUTE_PUBLIC = 1u << 0,    /* no token needed, none looked at (e.g. /healthz) */
    TOLK_ROUTE_JSON_BODY = 1u << 1, /* Content-Type: application/json, a JSON object -> req->body */
    TOLK_ROUTE_SDP_BODY = 1u << 2,  /* Content-Type: application/sdp (WHIP/WHEP offer) -> req->text */
    TOLK_ROUTE_TRICKLE_BODY = 1u << 3, /* application/trickle-ice-sdpfrag (RFC 8840) -> req->text */
    TOLK_ROUTE_QUERY_TOKEN = 1u << 4,  /* GET only: without an Authorization header, the token
                                          may come as ?access_token= (RFC 6750 2.3; EventSource) */
    TOLK_ROUTE_OPTIONAL_AUTH = 1u << 5, /* no token: principal role NONE, the handler decides;
                                           a token that is wrong still gets 401 */
    TOLK_ROUTE_SLOW = 1u << 6,          /* the handler may block for seconds: it runs on a
                                           worker thread, the connection suspended meanwhile */
    TOLK_ROUTE_BODY_OPTIONAL = 1u << 7, /* with a *_BODY flag: a request without a body (no
                                           Content-Length, or 0) reaches the handler, body NULL */
};

struct tolk_http_request_internal;

/* What a handler gets. Everything is owned by the server and valid during the call. */
typedef struct {
    const char *method;       /* "GET", "POST", ... */
    const char *path;         /* as received, still URL-encoded, without the query */
    json_object *body;        /* the JSON object for TOLK_ROUTE_JSON_BODY routes, else NULL */
    const char *text;         /* SDP/trickle routes: the body, NUL-terminated, UTF-8 without control
                                 characters but TAB, CR, LF; NULL on other routes */
    size_t text_len;          /* strlen(text) */
    tolk_principal principal; /* role TOLK_ROLE_NONE on public routes */
    int param_count;          /* captured {name} segments, URL-decoded */
    const char *param_names[TOLK_HTTP_MAX_PARAMS];
    const char *param_values[TOLK_HTTP_MAX_PARAMS];
    char client_address[TOLK_HTTP_ADDRESS_SIZE]; /* the TCP peer's IP address ("127.0.0.2", an IPv4
                                                    client of a dual-stack socket without ::ffff:);
                                                    "" in hand-built requests */
    struct tolk_http_request_internal *internal; /* server-private; NULL in hand-built requests */
} tolk_http_request;

typedef enum {
    TOLK_REPLY_NONE = 0, /* the handler set nothing: the server answers 500 */
    TOLK_REPLY_JSON,
    TOLK_REPLY_TEXT,
    TOLK_REPLY_EMPTY,
    TOLK_REPLY_STREAM, /* a body produced while it is sent (server-sent events) */
} tolk_reply_kind;

/* A streamed reply while it is sent; valid until its free_ctx returned. */
typedef struct tolk_http_stream tolk_http_stream;

/* Produces the next bytes of a streamed body into buf (at most max). Runs on a poll
 * thread and must not block. Returns the number of bytes written (> 0); 0 when there is
 * nothing to send now: the connection is then parked (no thread, no CPU) until the
 * stream's owner calls tolk_http_stream_wake(stream), or the stream keepalive (15 s,
 * tolk_http_limits) passed; then read runs again, with idle true in the latter case: write a
 * keepalive (": keepalive\n\n") then, else the client and proxies see a dead stream.
 * Negative ends the stream. Keep stream to call wake with when returning 0. */
typedef ssize_t (*tolk_http_stream_read_fn)(void *ctx, tolk_http_stream *stream, bool idle, char *buf,
                                            size_t max);
/* Any thread, any number of times: the stream has something new, read runs again soon. A
 * wake that comes while read runs is not lost. Not after the stream's free_ctx returned. */
void tolk_http_stream_wake(tolk_http_stream *stream);
/* Called exactly once per tolk_http_reply_stream() call: when the stream ended, the client
 * went away, the server stopped, or the reply was replaced/never sent. */
typedef void (*tolk_http_stream_free_fn)(void *ctx);

typedef struct {
    char *name;
    char *value;
} tolk_http_header;

/* What a handler fills, through the tolk_http_reply_* helpers. The server frees it. */
typedef struct {
    tolk_reply_kind kind;
    int status;
    json_object *json;        /* TOLK_REPLY_JSON */
    char *text;               /* TOLK_REPLY_TEXT */
    size_t text_len;          /* TOLK_REPLY_TEXT: bytes in text (may hold NULs) */
    char *content_type;       /* TOLK_REPLY_TEXT, TOLK_REPLY_STREAM */
    tolk_http_stream_read_fn stream_read; /* TOLK_REPLY_STREAM, owned until sent */
    tolk_http_stream_free_fn stream_free;
    void *stream_ctx;
    int header_count;
    tolk_http_header headers[TOLK_HTTP_MAX_HEADERS];
} tolk_http_response;

typedef void (*tolk_http_handler)(void *ctx, const tolk_http_request *req, tolk_http_response *resp);

typedef struct tolk_http_server tolk_http_server;

tolk_http_server *tolk_http_server_new(void);
/* Stops the server if it runs, then frees it. NULL is fine. */
void tolk_http_server_free(tolk_http_server *server);

/* Adds a route. pattern: "/api/v1/sessions/{sid}/outputs/{oid}" - literal segments
 * and whole-segment {name} captures. Routes are matched in the order they were added.
 * Register every route before tolk_http_server_start(). */
void tolk_http_server_route(tolk_http_server *server, const char *method, const char *pattern,
                            unsigned flags, tolk_http_handler handler, void *ctx);

/* Serves the files under directory at url_prefix ("/console/", must start and end with
 * '/'): GET and HEAD only, no token, index.html for directories named with a trailing '/',
 * a redirect from the prefix without its slash. Paths that could leave the directory (dot
 * segments, encoded slashes, symlinks pointing outside) answer 404. API routes win over
 * files. Call before tolk_http_server_start(); false when directory is not a directory. */
bool tolk_http_server_serve_dir(tolk_http_server *server, const char *url_prefix,
                                const char *directory);
/* GET/HEAD of exactly path answers 302 to location (e.g. "/" -> "/operator/"). Before start. */
void tolk_http_server_redirect(tolk_http_server *server, const char *path, const char *location);

/* CORS (see cors.h and docs/http.md): lets pages of origin ("https://host[:port]")
 * call every route, or with "*" any page the routes that need no token. False
 * when origin is neither. OPTIONS on a routed path answers 204 (Allow, and a
 * preflight's Access-Control-* headers for an allowed Origin). Before start. */
bool tolk_http_server_add_cors_origin(tolk_http_server *server, const char *origin);
/* A header the OPTIONS answer of a path that takes an SDP offer carries
 * (RFC 9725: Link <stun:...>; rel="ice-server"). Before start. */
void tolk_http_server_add_offer_header(tolk_http_server *server, const char *name, const char *value);

/* Every route without TOLK_ROUTE_PUBLIC asks this; without an authenticator they all
 * answer 401. It is called from several poll threads at once: it must be thread-safe and
 * must not block. */
void tolk_http_server_set_authenticator(tolk_http_server *server, tolk_authenticate_fn authenticate,
                                        void *ctx);

/* Serves HTTPS instead of HTTP from the next start: reads the PEM certificate (chain)
 * and the unencrypted PEM private key into memory now. False, with a sentence naming the
 * file in err, when libmicrohttpd has no TLS support, a file cannot be read or is plainly
 * not a certificate / key. Whether the key belongs to the certificate is checked by
 * tolk_http_server_start(), which names both files when GnuTLS refuses them; the key is
 * wiped from memory once the server started (or failed to). Call before start. */
bool tolk_http_server_set_tls(tolk_http_server *server, const char *cert_file, const char *key_file,
                              char *err, size_t err_size);
/* True once tolk_http_server_set_tls() succeeded: the server speaks https://. */
bool tolk_http_server_is_tls(const tolk_http_server *server);

/* What one client may hold, against slow-client attacks (docs/http.md). */
typedef struct {
    unsigned max_connections;             /* open connections in all */
    unsigned max_connections_per_address; /* from one client address; 0: no cap */
    unsigned request_timeout_s;           /* a request head, and then its body, must arrive
                                             within this, however slowly the bytes trickle */
    unsigned stream_keepalive_s;          /* a parked stream's reader is called with idle
                                             after this long; under TOLK_HTTP_IDLE_TIMEOUT_S */
} tolk_http_limits;

#define TOLK_HTTP_DEFAULT_LIMITS {4096, 512, 10, 15}

/* Before start; the defaults are TOLK_HTTP_DEFAULT_LIMITS. False when a value is 0 where
 * that makes no sense (all but the per-address cap), the per-address cap is over the
 * total, or the keepalive is not under the idle timeout. */
bool tolk_http_server_set_limits(tolk_http_server *server, const tolk_http_limits *limits);

/* Listens on a numeric IPv4 or IPv6 address (NULL: all addresses, IPv6 and IPv4);
 * port 0 picks a free port. On failure writes a sentence to err and returns false. */
bool tolk_http_server_start(tolk_http_server *server, const char *address, int port, char *err,
                            size_t err_size);
/* The port actually bound (useful after port 0), 0 when not running. */
int tolk_http_server_port(const tolk_http_server *server);
/* Ends every stream (their readers are no longer called), waits for running handlers
 * (TOLK_ROUTE_SLOW ones too, and up to 2 s for their replies to be sent; new ones get 503
 * once the stop began) and closes every connection. */
void tolk_http_server_stop(tolk_http_server *server);

/* Replies counted by status code since the server was created, in ascending order
 * of status; only codes seen at least once. Safe from any thread. */
typedef void (*tolk_http_stats_fn)(void *ctx, int status, uint64_t count);
void tolk_http_server_stats(const tolk_http_server *server, tolk_http_stats_fn each, void *ctx);
/* Connections closed because their request head or body was late, since creation. */
uint64_t tolk_http_server_late_closed(const tolk_http_server *server);
/* Streams parked right now, waiting for a wake (0 when not running). */
unsigned tolk_http_server_parked_streams(const tolk_http_server *server);

/* Request accessors. NULL when absent. */
const char *tolk_http_param(const tolk_http_request *req, const char *name);
/* A query argument, URL-decoded ("?level=debug"); valid until the handler returns. */
const char *tolk_http_query(const tolk_http_request *req, const char *name);
const char *tolk_http_header_value(const tolk_http_request *req, const char *name);

/* Reply helpers. Each replaces what an earlier call set, except the extra headers. */
void tolk_http_reply_json(tolk_http_response *resp, int status, json_object *body); /* takes body */
void tolk_http_reply_error(tolk_http_response *resp, int status, const char *code, const char *fmt,
                           ...) __attribute__((format(printf, 4, 5)));
void tolk_http_reply_verror(tolk_http_response *resp, int status, const char *code, const char *fmt,
                            va_list ap);
void tolk_http_reply_text(tolk_http_response *resp, int status, const char *content_type,
                          const char *text);
/* Like tolk_http_reply_text for bodies that may hold NUL bytes (copied). */
void tolk_http_reply_bytes(tolk_http_response *resp, int status, const char *content_type,
                           const void *data, size_t len);
void tolk_http_reply_empty(tolk_http_response *resp, int status);
/* A body of unknown length sent as read() produces it (chunked), with Cache-Control:
 * no-store and X-Accel-Buffering: no (so that a proxy does not hold events back). The
 * response owns ctx from here: free_ctx (may be NULL) runs exactly once, see above. */
void tolk_http_reply_stream(tolk_http_response *resp, int status, const char *content_type,
                            tolk_http_stream_read_fn read, tolk_http_stream_free_fn free_ctx,
                            void *ctx);
/* Adds a header such as Location or Link (may repeat); returns false when
 * TOLK_HTTP_MAX_HEADERS are set. A Cache-Control given here replaces the default no-store. */
bool tolk_http_reply_header(tolk_http_response *resp, const char *name, const char *value);
/* Frees what the response holds and zeroes it (the server does this after sending). */
void tolk_http_response_clear(tolk_http_response *resp);

#endif
