/* SPDX-License-Identifier: EUPL-1.2 */
/* CORS and the RFC 9725 OPTIONS answer on a real server on a loopback port:
 * preflights from a listed origin, from "*" on token-free routes only, from an
 * origin not allowed (no CORS header, the request itself answered as before),
 * and the headers of actual responses. */
#include "http_client.h"
#include "http_server.h"

#include <glib.h>
#include <string.h>

#define TOKEN "cors-Token_1"
#define AUTH "Authorization: Bearer " TOKEN "\r\n"
#define PARL "https://parl.example"
#define EVIL "https://evil.example"
#define LINK "<stun:stun.example:3478>; rel=\"ice-server\""
#define WHEP "/api/v1/s/whep"
#define RESOURCE "/api/v1/s/webrtc/abc"

static tolk_http_server *server;
static int port;

static void created(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    (void)req;
    tolk_http_reply_header(resp, "Location", RESOURCE);
    tolk_http_reply_header(resp, "ETag", "\"e1\"");
    tolk_http_reply_text(resp, 201, "application/sdp", "v=0\r\n");
}

static void no_content(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    (void)req;
    tolk_http_reply_empty(resp, 204);
}

static tolk_http_server *start(const char *const *origins)
{
    tolk_http_server *s = tolk_http_server_new();
    tolk_http_server_route(s, "GET", "/healthz", TOLK_ROUTE_PUBLIC, test_http_healthz, NULL);
    tolk_http_server_route(s, "GET", "/api/v1/sessions", 0, test_http_healthz, NULL);
    tolk_http_server_route(s, "POST", "/api/v1/sessions", TOLK_ROUTE_JSON_BODY, created, NULL);
    tolk_http_server_route(s, "POST", WHEP, TOLK_ROUTE_SDP_BODY | TOLK_ROUTE_OPTIONAL_AUTH, created, NULL);
    tolk_http_server_route(s, "PATCH", "/api/v1/s/webrtc/{rid}", TOLK_ROUTE_TRICKLE_BODY | TOLK_ROUTE_OPTIONAL_AUTH,
                           no_content, NULL);
    tolk_http_server_route(s, "DELETE", "/api/v1/s/webrtc/{rid}", TOLK_ROUTE_OPTIONAL_AUTH, no_content, NULL);
    tolk_http_server_set_authenticator(s, test_http_operator_token, TOKEN);
    for (; origins && *origins; origins++)
        g_assert_true(tolk_http_server_add_cors_origin(s, *origins));
    tolk_http_server_add_offer_header(s, "Link", LINK);
    char err[200];
    g_assert_true(tolk_http_server_start(s, "127.0.0.1", 0, err, sizeof err));
    return s;
}

static test_reply send_to(int to, const char *method, const char *path, const char *headers, const char *body)
{
    test_reply reply;
    g_assert_true(test_http(to, method, path, headers, body, &reply));
    return reply;
}

static void assert_header(const test_reply *reply, const char *name, const char *want)
{
    char *got = test_reply_header(reply, name);
    if (g_strcmp0(got, want) != 0)
        g_error("%s: got %s, want %s\n%s", name, got ? got : "(none)", want ? want : "(none)", reply->head);
    g_free(got);
}

static void assert_no_cors(const test_reply *reply)
{
    g_assert_null(strstr(reply->head, "Access-Control-"));
}

static char *preflight_headers(const char *origin, const char *method)
{
    return g_strdup_printf("Origin: %s\r\nAccess-Control-Request-Method: %s\r\n"
                           "Access-Control-Request-Headers: authorization, content-type\r\n",
                           origin, method);
}

static test_reply preflight(const char *origin, const char *method, const char *path)
{
    char *headers = preflight_headers(origin, method);
    test_reply reply = send_to(port, "OPTIONS", path, headers, NULL);
    g_free(headers);
    g_assert_cmpint(reply.status, ==, 204);
    return reply;
}

static void test_options_without_origin(void)
{
    test_reply reply = send_to(port, "OPTIONS", WHEP, NULL, NULL); /* RFC 9725: no token needed */
    g_assert_cmpint(reply.status, ==, 204);
    assert_header(&reply, "Accept-Post", "application/sdp");
    assert_header(&reply, "Allow", "POST, OPTIONS");
    assert_header(&reply, "Link", LINK);
    assert_no_cors(&reply);
    test_reply_clear(&reply);
    reply = send_to(port, "OPTIONS", RESOURCE, NULL, NULL);
    g_assert_cmpint(reply.status, ==, 204);
    assert_header(&reply, "Accept-Patch", "application/trickle-ice-sdpfrag");
    assert_header(&reply, "Allow", "PATCH, DELETE, OPTIONS");
    assert_header(&reply, "Accept-Post", NULL);
    assert_header(&reply, "Link", NULL);
    test_reply_clear(&reply);
    reply = send_to(port, "OPTIONS", "/nothing/here", NULL, NULL);
    g_assert_cmpint(reply.status, ==, 404);
    test_reply_clear(&reply);
}

static void test_preflight_listed_origin(void)
{
    test_reply reply = preflight(PARL, "POST", "/api/v1/sessions"); /* a route that needs a token */
    assert_header(&reply, "Access-Control-Allow-Origin", PARL);
    assert_header(&reply, "Vary", "Origin");
    assert_header(&reply, "Access-Control-Allow-Methods", "GET, POST");
    assert_header(&reply, "Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match");
    assert_header(&reply, "Access-Control-Max-Age", "600");
    assert_header(&reply, "Access-Control-Allow-Credentials", NULL);
    char *expose = test_reply_header(&reply, "Access-Control-Expose-Headers");
    g_assert_nonnull(strstr(expose, "Location"));
    g_free(expose);
    test_reply_clear(&reply);
    reply = preflight(PARL, "PATCH", RESOURCE);
    assert_header(&reply, "Access-Control-Allow-Origin", PARL);
    assert_header(&reply, "Access-Control-Allow-Methods", "PATCH, DELETE");
    test_reply_clear(&reply);
}

static void test_preflight_any_origin_only_on_open_routes(void)
{
    test_reply reply = preflight(EVIL, "POST", WHEP); /* public WHEP: "*" */
    assert_header(&reply, "Access-Control-Allow-Origin", "*");
    assert_header(&reply, "Vary", NULL);
    assert_header(&reply, "Accept-Post", "application/sdp");
    test_reply_clear(&reply);
    reply = preflight(EVIL, "POST", "/api/v1/sessions"); /* needs a token: not for "*" */
    assert_no_cors(&reply);
    assert_header(&reply, "Allow", "GET, POST, OPTIONS");
    test_reply_clear(&reply);
    reply = preflight(EVIL, "PUT", WHEP); /* no such route: nothing to allow */
    assert_no_cors(&reply);
    test_reply_clear(&reply);
}

static void test_actual_responses(void)
{
    test_reply reply = send_to(port, "GET", "/api/v1/sessions", AUTH "Origin: " PARL "\r\n", NULL);
    g_assert_cmpint(reply.status, ==, 200);
    assert_header(&reply, "Access-Control-Allow-Origin", PARL);
    assert_header(&reply, "Vary", "Origin");
    char *expose = test_reply_header(&reply, "Access-Control-Expose-Headers");
    g_assert_nonnull(strstr(expose, "Location"));
    g_assert_nonnull(strstr(expose, "ETag"));
    g_assert_nonnull(strstr(expose, "Link"));
    g_free(expose);
    test_reply_clear(&reply);
    /* An error a page must be able to read carries them too. */
    reply = send_to(port, "GET", "/api/v1/sessions", "Origin: " PARL "\r\n", NULL);
    g_assert_cmpint(reply.status, ==, 401);
    assert_header(&reply, "Access-Control-Allow-Origin", PARL);
    test_reply_clear(&reply);
    /* Not allowed: answered (and authorised) as before, without CORS headers. */
    reply = send_to(port, "GET", "/api/v1/sessions", AUTH "Origin: " EVIL "\r\n", NULL);
    g_assert_cmpint(reply.status, ==, 200);
    assert_no_cors(&reply);
    test_reply_clear(&reply);
    reply = send_to(port, "GET", "/api/v1/sessions", "Origin: " EVIL "\r\n", NULL);
    g_assert_cmpint(reply.status, ==, 401);
    test_reply_clear(&reply);
    reply = send_to(port, "POST", WHEP, "Origin: " EVIL "\r\nContent-Type: application/sdp\r\n", "v=0\r\n");
    g_assert_cmpint(reply.status, ==, 201);
    assert_header(&reply, "Access-Control-Allow-Origin", "*");
    assert_header(&reply, "ETag", "\"e1\"");
    test_reply_clear(&reply);
    reply = send_to(port, "GET", "/api/v1/sessions", AUTH, NULL); /* no Origin: none */
    assert_no_cors(&reply);
    test_reply_clear(&reply);
}

static void test_no_origins_configured(void)
{
    tolk_http_server *plain = start(NULL);
    int plain_port = tolk_http_server_port(plain);
    char *headers = preflight_headers(PARL, "POST");
    test_reply reply = send_to(plain_port, "OPTIONS", WHEP, headers, NULL);
    g_free(headers);
    g_assert_cmpint(reply.status, ==, 204);
    assert_header(&reply, "Accept-Post", "application/sdp");
    assert_no_cors(&reply);
    test_reply_clear(&reply);
    reply = send_to(plain_port, "GET", "/api/v1/sessions", AUTH "Origin: " PARL "\r\n", NULL);
    g_assert_cmpint(reply.status, ==, 200);
    assert_no_cors(&reply);
    test_reply_clear(&reply);
    tolk_http_server_free(plain);
}

static void test_origin_syntax(void)
{
    tolk_http_server *s = tolk_http_server_new();
    static const char *const good[] = {"https://a.example", "http://127.0.0.1:8080", "http://[::1]:8080",
                                       "https://Parl.Example", "*"};
    static const char *const bad[] = {"", "parl.example", "https://parl.example/", "https://x/path",
                                      "ftp://x", "https://", "https://x:", "https://x:123456", "null",
                                      "https://x y", "https://x\r\nX-Evil: 1"};
    for (gsize i = 0; i < G_N_ELEMENTS(good); i++)
        g_assert_true(tolk_http_server_add_cors_origin(s, good[i]));
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        if (tolk_http_server_add_cors_origin(s, bad[i]))
            g_error("accepted origin '%s'", bad[i]);
    }
    tolk_http_server_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    static const char *const origins[] = {PARL, "*", NULL};
    server = start(origins);
    port = tolk_http_server_port(server);
    g_test_add_func("/cors/options-without-origin", test_options_without_origin);
    g_test_add_func("/cors/preflight-listed-origin", test_preflight_listed_origin);
    g_test_add_func("/cors/preflight-any-origin-open-routes-only", test_preflight_any_origin_only_on_open_routes);
    g_test_add_func("/cors/actual-responses", test_actual_responses);
    g_test_add_func("/cors/no-origins-configured", test_no_origins_configured);
    g_test_add_func("/cors/origin-syntax", test_origin_syntax);
    int status = g_test_run();
    tolk_http_server_free(server);
    return status;
}
