/* SPDX-License-Identifier: EUPL-1.2 */
/* Route table: method + path pattern -> handler. Internal to the HTTP server. */
#ifndef TOLK_HTTP_ROUTER_H
#define TOLK_HTTP_ROUTER_H

#include "http_server.h"

typedef struct http_route http_route;
typedef struct http_router http_router;

http_router *http_router_new(void);
void http_router_free(http_router *router);
void http_router_add(http_router *router, const char *method, const char *pattern, unsigned flags,
                     tolk_http_handler handler, void *ctx);

typedef enum { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD } http_match_result;

typedef struct {
    const http_route *route;
    int param_count;
    const char *param_names[TOLK_HTTP_MAX_PARAMS]; /* point into the route */
    char *param_values[TOLK_HTTP_MAX_PARAMS];      /* decoded, g_free them */
    char allow[64];                                /* ROUTE_NO_METHOD: "GET, DELETE" */
} http_match;

/* Matches a raw (still encoded) path. Fills *match; call http_match_clear() after. */
http_match_result http_router_match(const http_router *router, const char *method, const char *path,
                                    http_match *match);
void http_match_clear(http_match *match);

unsigned http_route_flags(const http_route *route);
void http_route_call(const http_route *route, const tolk_http_request *req, tolk_http_response *resp);

#endif
