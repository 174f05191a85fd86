/* SPDX-License-Identifier: EUPL-1.2 */
#include "cors.h"

#include <glib.h>
#include <string.h>

/* What a script may send: the token, the body's type, RFC 9725's If-Match. */
#define ALLOW_HEADERS "Authorization, Content-Type, If-Match"
/* What a script may read besides the safelisted ones (WHIP/WHEP, errors). */
#define EXPOSE_HEADERS "Location, ETag, Link, Accept-Post, Accept-Patch, Retry-After, WWW-Authenticate"

struct http_cors {
    GPtrArray *origins; /* char*, lowercase */
    bool any;           /* "*": any origin, on routes that need no token */
    GPtrArray *offer_headers; /* tolk_http_header*, for OPTIONS on endpoints */
};

static void header_free(gpointer p)
{
    tolk_http_header *h = p;
    g_free(h->name);
    g_free(h->value);
    g_free(h);
}

http_cors *http_cors_new(void)
{
    http_cors *cors = g_new0(http_cors, 1);
    cors->origins = g_ptr_array_new_with_free_func(g_free);
    cors->offer_headers = g_ptr_array_new_with_free_func(header_free);
    return cors;
}

void http_cors_free(http_cors *cors)
{
    if (!cors)
        return;
    g_ptr_array_unref(cors->origins);
    g_ptr_array_unref(cors->offer_headers);
    g_free(cors);
}

/* scheme://host[:port]: a host of letters, digits, '-', '.', or an [IPv6]; a port of digits. */
static bool is_origin(const char *s)
{
    const char *host = g_str_has_prefix(s, "http://") ? s + 7 : g_str_has_prefix(s, "https://") ? s + 8 : NULL;
    if (!host || !*host)
        return false;
    const char *c = host;
    if (*c == '[') {
        while (*c && *c != ']' && (g_ascii_isxdigit(*c) || *c == ':' || *c == '.' || *c == '['))
            c++;
        if (*c++ != ']')
            return false;
    } else {
        while (g_ascii_isalnum(*c) || *c == '-' || *c == '.')
            c++;
        if (c == host)
            return false;
    }
    if (*c == ':') {
        const char *port = ++c;
        while (g_ascii_isdigit(*c))
            c++;
        if (c == port || c - port > 5)
            return false;
    }
    return *c == '\0';
}

bool http_cors_add_origin(http_cors *cors, const char *origin)
{
    if (strcmp(origin, "*") == 0) {
        cors->any = true;
        return true;
    }
    if (!is_origin(origin))
        return false;
    g_ptr_array_add(cors->origins, g_ascii_strdown(origin, -1));
    return true;
}

void http_cors_add_offer_header(http_cors *cors, const char *name, const char *value)
{
    tolk_http_header *h = g_new0(tolk_http_header, 1);
    h->name = g_strdup(name);
    h->value = g_strdup(value);
    g_ptr_array_add(cors->offer_headers, h);
}

/* The route's flags for method on path, 0 when there is none. */
static unsigned flags_of(const http_router *router, const char *method, const char *path, bool *found)
{
    http_match match;
    *found = http_router_match(router, method, path, &match) == ROUTE_FOUND;
    unsigned flags = *found ? http_route_flags(match.route) : 0;
    http_match_clear(&match);
    return flags;
}

/* The value of Access-Control-Allow-Origin for origin on a route, or NULL. */
static const char *allowed_origin(const http_cors *cors, const char *origin, unsigned route_flags)
{
    if (!origin)
        return NULL;
    for (guint i = 0; i < cors->origins->len; i++) {
        if (g_ascii_strcasecmp(g_ptr_array_index(cors->origins, i), origin) == 0)
            return origin;
    }
    return cors->any && (route_flags & (TOLK_ROUTE_PUBLIC | TOLK_ROUTE_OPTIONAL_AUTH)) ? "*" : NULL;
}

static void add_allow_origin(tolk_http_response *resp, const char *value)
{
    tolk_http_reply_header(resp, "Access-Control-Allow-Origin", value);
    if (strcmp(value, "*") != 0)
        tolk_http_reply_header(resp, "Vary", "Origin");
    tolk_http_reply_header(resp, "Access-Control-Expose-Headers", EXPOSE_HEADERS);
}

static void add_preflight(const http_cors *cors, const http_router *router, const char *path, const char *allow,
                          const char *origin, const char *request_method, tolk_http_response *resp)
{
    bool found;
    unsigned flags = flags_of(router, request_method, path, &found);
    const char *value = found ? allowed_origin(cors, origin, flags) : NULL;
    if (!value)
        return;
    add_allow_origin(resp, value);
    tolk_http_reply_header(resp, "Access-Control-Allow-Methods", allow);
    tolk_http_reply_header(resp, "Access-Control-Allow-Headers", ALLOW_HEADERS);
    char max_age[16];
    g_snprintf(max_age, sizeof max_age, "%d", HTTP_CORS_MAX_AGE_S);
    tolk_http_reply_header(resp, "Access-Control-Max-Age", max_age);
}

void http_cors_options(const http_cors *cors, const http_router *router, const char *path, const char *allow,
                       const char *origin, const char *request_method, tolk_http_response *resp)
{
    char methods[80];
    g_snprintf(methods, sizeof methods, "%s, OPTIONS", allow);
    tolk_http_reply_empty(resp, 204);
    tolk_http_reply_header(resp, "Allow", methods);
    bool found;
    if (flags_of(router, "POST", path, &found) & TOLK_ROUTE_SDP_BODY) {
        tolk_http_reply_header(resp, "Accept-Post", "application/sdp");
        for (guint i = 0; i < cors->offer_headers->len; i++) {
            const tolk_http_header *h = g_ptr_array_index(cors->offer_headers, i);
            tolk_http_reply_header(resp, h->name, h->value);
        }
    }
    if (flags_of(router, "PATCH", path, &found) & TOLK_ROUTE_TRICKLE_BODY)
        tolk_http_reply_header(resp, "Accept-Patch", "application/trickle-ice-sdpfrag");
    if (origin && request_method)
        add_preflight(cors, router, path, allow, origin, request_method, resp);
}

void http_cors_decorate(const http_cors *cors, const http_router *router, const char *method, const char *path,
                        const char *origin, tolk_http_response *resp)
{
    if (!origin || strcmp(method, "OPTIONS") == 0 || (!cors->any && cors->origins->len == 0))
        return;
    bool found;
    unsigned flags = flags_of(router, method, path, &found);
    const char *value = found ? allowed_origin(cors, origin, flags) : NULL;
    if (value)
        add_allow_origin(resp, value);
}
