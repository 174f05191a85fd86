/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * CORS (the Fetch standard) for the routed paths, and the OPTIONS answer of
 * RFC 9725. Internal to the HTTP server.
 *
 * - OPTIONS on a routed path answers 204 with Allow, plus Accept-Post for a
 *   WHIP/WHEP endpoint (a POST that takes application/sdp), Accept-Patch for a
 *   WHIP/WHEP resource, and the "offer headers" (Link rel="ice-server") on an
 *   endpoint. With an allowed Origin it is also the preflight answer.
 * - An actual response to an allowed Origin carries Access-Control-Allow-Origin
 *   and -Expose-Headers. A request from an Origin not allowed gets no CORS
 *   header at all, and is still answered (and authorised by its token) as before.
 *
 * Which Origin is allowed: one listed exactly (every route), or any when "*" is
 * listed, but then only on routes that need no token (TOLK_ROUTE_PUBLIC,
 * TOLK_ROUTE_OPTIONAL_AUTH: public WHEP, the public view, resources' own
 * URLs). Credentials mode is never allowed: tokens travel in Authorization,
 * which a page can send only if it holds the token; there are no cookies.
 *
 * Threads: set up before the server starts, then only read, from any thread.
 */
#ifndef TOLK_HTTP_CORS_H
#define TOLK_HTTP_CORS_H

#include "http_server.h"
#include "router.h"

#define HTTP_CORS_MAX_AGE_S 600

typedef struct http_cors http_cors;

http_cors *http_cors_new(void);
void http_cors_free(http_cors *cors);
/* "*" or an origin as browsers send it: http(s)://host[:port], no path. The
 * scheme and host are compared in lowercase. False for anything else. */
bool http_cors_add_origin(http_cors *cors, const char *origin);
/* A header every OPTIONS answer of a WHIP/WHEP endpoint carries (RFC 9725 Link). */
void http_cors_add_offer_header(http_cors *cors, const char *name, const char *value);

/* The answer to OPTIONS on path (which has routes: allow lists their methods).
 * origin and request_method (Access-Control-Request-Method) may be NULL. */
void http_cors_options(const http_cors *cors, const http_router *router, const char *path, const char *allow,
                       const char *origin, const char *request_method, tolk_http_response *resp);
/* Adds the CORS headers to the response of a (non-OPTIONS) request on a routed
 * path from origin (NULL: none, nothing added). */
void http_cors_decorate(const http_cors *cors, const http_router *router, const char *method, const char *path,
                        const char *origin, tolk_http_response *resp);

#endif
