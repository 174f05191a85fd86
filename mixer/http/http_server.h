/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A small router on libmicrohttpd: routes by method and path pattern, bearer-token
 * authentication, JSON request bodies and JSON error replies.
 *
 * Threads: handlers run on MHD's single internal polling thread, one at a time, so
 * they are serialised with each other; the application state they touch must still
 * be locked against the application's other threads (media, timers). Handlers may
 * block briefly (a few ms); anything longer stalls every other request.
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

#define TOLK_HTTP_MAX_BODY (64 * 1024)  /* larger request bodies get 413 */
#define TOLK_HTTP_MAX_PARAMS 8          /* {name} captures per pattern */
#define TOLK_HTTP_MAX_HEADERS 4         /* extra response headers per reply */

enum {
    TOLK_ROUTE_PUBLIC = 1u << 0,    /* no token needed (e.g. /healthz) */
    TOLK_ROUTE_JSON_BODY = 1u << 1, /* the handler needs a JSON object body */
};

struct tolk_http_request_internal;

/* What a handler gets. Everything is owned by the server and valid during the call. */
typedef struct {
    const char *method;       /* "GET", "POST", ... */
    const char *path;         /* as received, still URL-encoded, without the query */
    json_object *body;        /* the JSON object for TOLK_ROUTE_JSON_BODY routes, else NULL */
    tolk_principal principal; /* role TOLK_ROLE_NONE on public routes */
    int param_count;          /* captured {name} segments, URL-decoded */
    const char *param_names[TOLK_HTTP_MAX_PARAMS];
    const char *param_values[TOLK_HTTP_MAX_PARAMS];
    struct tolk_http_request_internal *internal; /* server-private; NULL in hand-built requests */
} tolk_http_request;

typedef enum {
    TOLK_REPLY_NONE = 0, /* the handler set nothing: the server answers 500 */
    TOLK_REPLY_JSON,
    TOLK_REPLY_TEXT,
    TOLK_REPLY_EMPTY,
    /* Later: a file from a static directory, a server-sent event stream. */
} tolk_reply_kind;

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
    char *content_type;       /* TOLK_REPLY_TEXT */
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

/* Every route without TOLK_ROUTE_PUBLIC asks this; without an authenticator they all
 * answer 401. */
void tolk_http_server_set_authenticator(tolk_http_server *server, tolk_authenticate_fn authenticate,
                                        void *ctx);

/* Listens on a numeric IPv4 or IPv6 address (NULL: all addresses, IPv6 and IPv4);
 * port 0 picks a free port. On failure writes a sentence to err and returns false. */
bool tolk_http_server_start(tolk_http_server *server, const char *address, int port, char *err,
                            size_t err_size);
/* The port actually bound (useful after port 0), 0 when not running. */
int tolk_http_server_port(const tolk_http_server *server);
/* Waits for the running handler to return, closes every connection. */
void tolk_http_server_stop(tolk_http_server *server);

/* Replies counted by status code since the server was created, in ascending order
 * of status; only codes seen at least once. Safe from any thread. */
typedef void (*tolk_http_stats_fn)(void *ctx, int status, uint64_t count);
void tolk_http_server_stats(const tolk_http_server *server, tolk_http_stats_fn each, void *ctx);

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
void tolk_http_reply_empty(tolk_http_response *resp, int status);
/* Adds a header such as Location; returns false when TOLK_HTTP_MAX_HEADERS are set. */
bool tolk_http_reply_header(tolk_http_response *resp, const char *name, const char *value);
/* Frees what the response holds and zeroes it (the server does this after sending). */
void tolk_http_response_clear(tolk_http_response *resp);

#endif
