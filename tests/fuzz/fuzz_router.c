/* SPDX-License-Identifier: EUPL-1.2 */
/* A request line as the router sees it: the first byte picks the method, the rest is the
 * still-encoded path, matched against the daemon's route patterns (router.c) with each
 * {capture} percent-decoded (url.c). The oracle: a capture is never empty, never holds NUL,
 * and a match names a route. */
#include "fuzz.h"

#include "router.h"
#include "url.h"

#include <glib.h>
#include <string.h>

#define SESSION "/api/v1/sessions/{sid}"
#define CHANNEL SESSION "/channels/{ch}"
#define CONSOLE SESSION "/booths/{lang}/consoles/{n}"

/* The shapes of mixer/api/api.c's table: every kind of literal and capture sequence. */
static const char *const patterns[][2] = {
    {"GET", "/healthz"}, {"GET", "/metrics"}, {"GET", "/api/v1/sessions"}, {"POST", "/api/v1/sessions"},
    {"GET", SESSION}, {"PATCH", SESSION}, {"DELETE", SESSION}, {"GET", SESSION "/events"},
    {"PATCH", CHANNEL}, {"POST", CHANNEL "/outputs"}, {"DELETE", CHANNEL "/outputs/{oid}"},
    {"POST", CHANNEL "/whep"}, {"GET", CONSOLE}, {"PATCH", CONSOLE}, {"POST", CONSOLE "/whip"},
    {"DELETE", CONSOLE "/outputs/{oid}"}, {"POST", SESSION "/whip/floor"},
    {"PATCH", SESSION "/webrtc/{rid}"}, {"DELETE", SESSION "/webrtc/{rid}"},
    {"DELETE", SESSION "/tokens/{tid}"}, {"POST", SESSION "/signals"},
};
static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "HEAD"};

static void handler(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    (void)req;
    (void)resp;
}

static http_router *router(void)
{
    static http_router *r;
    if (!r) {
        r = http_router_new();
        for (size_t i = 0; i < G_N_ELEMENTS(patterns); i++)
            http_router_add(r, patterns[i][0], patterns[i][1], 0, handler, NULL);
    }
    return r;
}

static void check_match(const http_match *match)
{
    if (!match->route)
        fuzz_fail("a match without a route");
    for (int i = 0; i < match->param_count; i++)
        if (!match->param_values[i] || !match->param_values[i][0] || !match->param_names[i])
            fuzz_fail("an empty capture");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *method = methods[data[0] % G_N_ELEMENTS(methods)];
    /* libmicrohttpd hands the path over as a C string: it ends at the first NUL. */
    char *path = g_strndup((const char *)data + 1, size - 1);
    http_match match;
    switch (http_router_match(router(), method, path, &match)) {
    case ROUTE_FOUND:
        check_match(&match);
        break;
    case ROUTE_NO_METHOD:
        if (!match.allow[0])
            fuzz_fail("405 without an Allow list");
        break;
    case ROUTE_NO_PATH:
        break;
    }
    http_match_clear(&match);
    char *decoded = tolk_url_decode(path, strlen(path));
    if (decoded && strlen(decoded) > strlen(path))
        fuzz_fail("decoding grew the text");
    g_free(decoded);
    g_free(path);
    return 0;
}
