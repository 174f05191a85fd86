/* SPDX-License-Identifier: EUPL-1.2 */
#include "router.h"

#include "url.h"

#include <glib.h>
#include <string.h>

struct http_route {
    char *method;
    char **segments; /* the pattern split at '/'; a capture "{name}" is stored as "{name" */
    unsigned flags;
    tolk_http_handler handler;
    void *ctx;
};

struct http_router {
    GPtrArray *routes;
};

static void route_free(gpointer p)
{
    http_route *route = p;
    g_free(route->method);
    g_strfreev(route->segments);
    g_free(route);
}

http_router *http_router_new(void)
{
    http_router *router = g_new0(http_router, 1);
    router->routes = g_ptr_array_new_with_free_func(route_free);
    return router;
}

void http_router_free(http_router *router)
{
    if (!router)
        return;
    g_ptr_array_free(router->routes, TRUE);
    g_free(router);
}

void http_router_add(http_router *router, const char *method, const char *pattern, unsigned flags,
                     tolk_http_handler handler, void *ctx)
{
    g_return_if_fail(pattern[0] == '/');
    http_route *route = g_new0(http_route, 1);
    route->method = g_strdup(method);
    route->segments = g_strsplit(pattern + 1, "/", -1);
    for (char **segment = route->segments; *segment; segment++) {
        size_t len = strlen(*segment);
        if (len > 2 && (*segment)[0] == '{' && (*segment)[len - 1] == '}')
            (*segment)[len - 1] = '\0'; /* so that segment + 1 is the capture's name */
    }
    route->flags = flags;
    route->handler = handler;
    route->ctx = ctx;
    g_ptr_array_add(router->routes, route);
}

static bool is_capture(const char *segment)
{
    return segment[0] == '{';
}

void http_match_clear(http_match *match)
{
    for (int i = 0; i < match->param_count; i++)
        g_free(match->param_values[i]);
    memset(match, 0, sizeof *match);
}

/* Compares the pattern with the path segment by segment, capturing {name}s. */
static bool path_matches(const http_route *route, char **path_segments, http_match *match)
{
    http_match_clear(match);
    int i = 0;
    for (; route->segments[i] && path_segments[i]; i++) {
        const char *want = route->segments[i];
        const char *got = path_segments[i];
        if (!is_capture(want)) {
            if (strcmp(want, got) != 0)
                return false;
            continue;
        }
        char *value = tolk_url_decode(got, strlen(got));
        if (!value || value[0] == '\0' || match->param_count == TOLK_HTTP_MAX_PARAMS) {
            g_free(value);
            return false;
        }
        match->param_names[match->param_count] = want + 1;
        match->param_values[match->param_count++] = value;
    }
    return route->segments[i] == NULL && path_segments[i] == NULL;
}

static void allow_add(char *allow, size_t size, const char *method)
{
    if (strstr(allow, method))
        return;
    if (allow[0])
        g_strlcat(allow, ", ", size);
    g_strlcat(allow, method, size);
}

http_match_result http_router_match(const http_router *router, const char *method, const char *path,
                                    http_match *match)
{
    memset(match, 0, sizeof *match);
    if (path[0] != '/')
        return ROUTE_NO_PATH;
    char **path_segments = g_strsplit(path + 1, "/", -1);
    char allow[sizeof match->allow] = "";
    http_match_result result = ROUTE_NO_PATH;
    for (guint r = 0; r < router->routes->len; r++) {
        const http_route *route = g_ptr_array_index(router->routes, r);
        if (!path_matches(route, path_segments, match))
            continue;
        if (strcmp(route->method, method) == 0) {
            match->route = route;
            result = ROUTE_FOUND;
            break;
        }
        allow_add(allow, sizeof allow, route->method);
        result = ROUTE_NO_METHOD;
    }
    g_strfreev(path_segments);
    if (result != ROUTE_FOUND)
        http_match_clear(match);
    g_strlcpy(match->allow, allow, sizeof match->allow);
    return result;
}

unsigned http_route_flags(const http_route *route)
{
    return route->flags;
}

void http_route_call(const http_route *route, const tolk_http_request *req, tolk_http_response *resp)
{
    route->handler(route->ctx, req, resp);
}
