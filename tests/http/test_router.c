/* SPDX-License-Identifier: EUPL-1.2 */
/* The router on a real server on a loopback port: captures, generic errors, auth, stats. */
#include "http_client.h"
#include "http_server.h"
#include "request_body.h"
#include "url.h"

#include <dirent.h>
#include <glib.h>
#include <string.h>

#define TOKEN "s3cret-Token_1"
#define AUTH "Authorization: Bearer " TOKEN "\r\n"
#define JSON_TYPE "Content-Type: application/json\r\n"

static tolk_http_server *server;
static int port;


static void echo_params(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    json_object *body = json_object_new_object();
    for (int i = 0; i < req->param_count; i++)
        json_object_object_add(body, req->param_names[i], json_object_new_string(req->param_values[i]));
    const char *q = tolk_http_query(req, "q");
    if (q)
        json_object_object_add(body, "q", json_object_new_string(q));
    json_object_object_add(body, "role", json_object_new_int(req->principal.role));
    tolk_http_reply_json(resp, 200, body);
}

static void echo_body(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    g_assert_nonnull(req->body);
    tolk_http_reply_json(resp, 201, json_object_get(req->body));
    tolk_http_reply_header(resp, "Location", "/api/v1/sessions/x");
}

static void no_content(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    g_assert_null(req->body);
    tolk_http_reply_empty(resp, 204);
}

static void silent(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    (void)req;
    (void)resp;
}

static void metrics(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    (void)req;
    tolk_http_reply_text(resp, 200, "text/plain; version=0.0.4", "tolk_up 1\n");
}

#define OUTPUT_PATH "/api/v1/sessions/{sid}/booths/{lang}/consoles/{n}/outputs/{oid}"

static void start_server(void)
{
    server = tolk_http_server_new();
    tolk_http_server_route(server, "GET", "/healthz", TOLK_ROUTE_PUBLIC, test_http_healthz, NULL);
    tolk_http_server_route(server, "GET", "/metrics", 0, metrics, NULL);
    tolk_http_server_route(server, "GET", "/api/v1/sessions", 0, echo_params, NULL);
    tolk_http_server_route(server, "POST", "/api/v1/sessions", TOLK_ROUTE_JSON_BODY, echo_body, NULL);
    tolk_http_server_route(server, "GET", OUTPUT_PATH, 0, echo_params, NULL);
    tolk_http_server_route(server, "DELETE", OUTPUT_PATH, 0, no_content, NULL);
    tolk_http_server_route(server, "GET", "/api/v1/silent", 0, silent, NULL);
    tolk_http_server_set_authenticator(server, test_http_operator_token, TOKEN);
    char err[200];
    g_assert_true(tolk_http_server_start(server, "127.0.0.1", 0, err, sizeof err));
    port = tolk_http_server_port(server);
    g_assert_cmpint(port, >, 0);
}

/* Sends a request and checks status and error code ("" for a success body). */
static void expect(const char *method, const char *path, const char *headers, const char *body,
                   int status, const char *code)
{
    test_reply reply;
    g_assert_true(test_http(port, method, path, headers, body, &reply));
    if (reply.status != status)
        g_error("%s %s with body %.40s: got %d %s, want %d", method, path, body ? body : "(none)",
                reply.status, reply.body, status);
    g_assert_cmpstr(test_reply_error_code(&reply), ==, code);
    if (code[0]) {
        char *type = test_reply_header(&reply, "Content-Type");
        g_assert_cmpstr(type, ==, "application/json");
        g_free(type);
    }
    test_reply_clear(&reply);
}

static const char *json_string(json_object *obj, const char *key)
{
    json_object *value;
    return json_object_object_get_ex(obj, key, &value) ? json_object_get_string(value) : NULL;
}

static void test_healthz_needs_no_token(void)
{
    test_reply reply;
    g_assert_true(test_http(port, "GET", "/healthz", NULL, NULL, &reply));
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpstr(json_string(reply.json, "status"), ==, "ok");
    char *cache = test_reply_header(&reply, "Cache-Control");
    g_assert_cmpstr(cache, ==, "no-store");
    g_free(cache);
    test_reply_clear(&reply);
}

static void test_params_are_captured_and_decoded(void)
{
    test_reply reply;
    g_assert_true(test_http(port, "GET",
                            "/api/v1/sessions/plen%61ry/booths/en/consoles/2/outputs/o%2F1?q=a%20b+c", AUTH,
                            NULL, &reply));
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpstr(json_string(reply.json, "sid"), ==, "plenary");
    g_assert_cmpstr(json_string(reply.json, "lang"), ==, "en");
    g_assert_cmpstr(json_string(reply.json, "n"), ==, "2");
    g_assert_cmpstr(json_string(reply.json, "oid"), ==, "o/1"); /* %2F stays inside the segment */
    g_assert_cmpstr(json_string(reply.json, "q"), ==, "a b c");
    g_assert_cmpstr(json_string(reply.json, "role"), ==, "1");
    test_reply_clear(&reply);
}

static void test_unknown_paths_are_404(void)
{
    expect("GET", "/nothing", AUTH, NULL, 404, "not_found");
    expect("GET", "/api/v1/sessions/", AUTH, NULL, 404, "not_found");
    expect("GET", "/api/v1/sessions/a/booths/en/consoles/1/outputs", AUTH, NULL, 404, "not_found");
    expect("GET", "/api/v1/sessions/a/booths/en/consoles/1/outputs/o1/x", AUTH, NULL, 404, "not_found");
    expect("GET", "/api/v1/sessions/a/booths/%00/consoles/1/outputs/o1", AUTH, NULL, 404, "not_found");
    expect("GET", "/api/v1/sessions/a/booths/%zz/consoles/1/outputs/o1", AUTH, NULL, 404, "not_found");
    expect("GET", "/api/v1/sessions/a/booths//consoles/1/outputs/o1", AUTH, NULL, 404, "not_found");
    /* Unknown paths answer 404 before asking for a token. */
    expect("GET", "/nothing", NULL, NULL, 404, "not_found");
}

static void expect_allow(const char *method, const char *path, const char *allow)
{
    test_reply reply;
    g_assert_true(test_http(port, method, path, AUTH, NULL, &reply));
    g_assert_cmpint(reply.status, ==, 405);
    g_assert_cmpstr(test_reply_error_code(&reply), ==, "method_not_allowed");
    char *value = test_reply_header(&reply, "Allow");
    g_assert_cmpstr(value, ==, allow);
    g_free(value);
    test_reply_clear(&reply);
}

static void test_wrong_method_is_405_with_allow(void)
{
    expect_allow("PUT", "/api/v1/sessions", "GET, POST");
    expect_allow("POST", "/api/v1/sessions/a/booths/en/consoles/1/outputs/o1", "GET, DELETE");
    expect_allow("DELETE", "/healthz", "GET");
}

static void expect_401(const char *headers)
{
    test_reply reply;
    g_assert_true(test_http(port, "GET", "/api/v1/sessions", headers, NULL, &reply));
    g_assert_cmpint(reply.status, ==, 401);
    g_assert_cmpstr(test_reply_error_code(&reply), ==, "unauthorized");
    char *challenge = test_reply_header(&reply, "WWW-Authenticate");
    g_assert_nonnull(challenge);
    g_assert_true(g_str_has_prefix(challenge, "Bearer"));
    g_free(challenge);
    test_reply_clear(&reply);
}

static void test_missing_or_wrong_token_is_401(void)
{
    expect_401(NULL);
    expect_401("Authorization: Basic dXNlcjpwYXNz\r\n");
    expect_401("Authorization: Bearer\r\n");
    expect_401("Authorization: Bearer \r\n");
    expect_401("Authorization: Bearer wrong\r\n");
    expect_401("Authorization: Bearer " TOKEN "x\r\n");
    expect_401("Authorization: Bearer " TOKEN " extra\r\n");
    expect_401("Authorization: Bearer s3cret\r\n");
    expect_401("Authorization: BearerX " TOKEN "\r\n");
    /* Non-public routes outside /api/v1 need the token too. */
    expect("GET", "/metrics", NULL, NULL, 401, "unauthorized");
    /* The scheme is case-insensitive (RFC 7235). */
    expect("GET", "/api/v1/sessions", "Authorization: bearer " TOKEN "\r\n", NULL, 200, "");
    /* The token is checked before the body: no body needed to learn it is wrong. */
    expect("POST", "/api/v1/sessions", NULL, "{}", 401, "unauthorized");
}

static void test_text_reply(void)
{
    test_reply reply;
    g_assert_true(test_http(port, "GET", "/metrics", AUTH, NULL, &reply));
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpstr(reply.body, ==, "tolk_up 1\n");
    char *type = test_reply_header(&reply, "Content-Type");
    g_assert_cmpstr(type, ==, "text/plain; version=0.0.4");
    g_free(type);
    test_reply_clear(&reply);
}

static void test_json_body_reaches_handler(void)
{
    test_reply reply;
    g_assert_true(test_http(port, "POST", "/api/v1/sessions", AUTH JSON_TYPE, "{\"a\": [1, 2]}\n", &reply));
    g_assert_cmpint(reply.status, ==, 201);
    g_assert_cmpstr(json_object_to_json_string_ext(reply.json, JSON_C_TO_STRING_PLAIN), ==, "{\"a\":[1,2]}");
    char *location = test_reply_header(&reply, "Location");
    g_assert_cmpstr(location, ==, "/api/v1/sessions/x");
    g_free(location);
    test_reply_clear(&reply);
    expect("POST", "/api/v1/sessions", AUTH "Content-Type: application/json; charset=utf-8\r\n", "{}", 201, "");
    expect("POST", "/api/v1/sessions", AUTH "Content-Type: Application/JSON\r\n", "{}", 201, "");
    expect("POST", "/api/v1/sessions", AUTH JSON_TYPE, "{\"name\": \"O'Brien \\\"Q\\\" 'x'\"}", 201, "");
}

static void test_body_without_json_type_is_415(void)
{
    expect("POST", "/api/v1/sessions", AUTH, "{}", 415, "unsupported_media_type");
    expect("POST", "/api/v1/sessions", AUTH "Content-Type: text/plain\r\n", "{}", 415, "unsupported_media_type");
    expect("POST", "/api/v1/sessions", AUTH "Content-Type: application/jsonx\r\n", "{}", 415,
           "unsupported_media_type");
    expect("POST", "/api/v1/sessions", AUTH "Content-Type: application/x-www-form-urlencoded\r\n", "a=b", 415,
           "unsupported_media_type");
}

static void test_malformed_json_is_400(void)
{
    const char *bodies[] = {"{", "[1]", "\"text\"", "42", "null", "{} {}", "{} x", "{'a': 1}", "{\"a\": 1,}",
                            "{\"a\": \"\xff\xfe\"}", "{\"a\": NaN}", "{\"a\": -Infinity}", "{\"a\": [1e999]}", " ",
                            NULL};
    for (int i = 0; bodies[i]; i++)
        expect("POST", "/api/v1/sessions", AUTH JSON_TYPE, bodies[i], 400, "invalid_json");
    GString *deep = g_string_new(NULL);
    for (int i = 0; i < 40; i++)
        g_string_append(deep, "{\"a\":");
    g_string_append(deep, "1");
    for (int i = 0; i < 40; i++)
        g_string_append_c(deep, '}');
    expect("POST", "/api/v1/sessions", AUTH JSON_TYPE, deep->str, 400, "invalid_json");
    g_string_free(deep, TRUE);
}

static void test_missing_body_is_400(void)
{
    expect("POST", "/api/v1/sessions", AUTH JSON_TYPE, NULL, 400, "missing_body");
    expect("POST", "/api/v1/sessions", AUTH JSON_TYPE, "", 400, "missing_body");
}

static void test_body_on_route_without_body_is_ignored(void)
{
    expect("DELETE", "/api/v1/sessions/a/booths/en/consoles/1/outputs/o1", AUTH JSON_TYPE, "{\"x\": 1}", 204, "");
}

static void test_oversized_body_is_413(void)
{
    char *big = g_strnfill(TOLK_HTTP_MAX_BODY + 1, ' ');
    big[0] = '{';
    expect("POST", "/api/v1/sessions", AUTH JSON_TYPE, big, 413, "body_too_large");
    /* Chunked: no length up front, the cap applies while the body arrives. */
    GString *req = g_string_new("POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" AUTH JSON_TYPE
                                "Transfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; i++)
        g_string_append_printf(req, "%x\r\n%s\r\n", (unsigned)strlen(big), big);
    g_string_append(req, "0\r\n\r\n");
    test_reply reply;
    g_assert_true(test_http_raw("127.0.0.1", port, req->str, req->len, &reply));
    g_assert_cmpint(reply.status, ==, 413);
    g_assert_cmpstr(test_reply_error_code(&reply), ==, "body_too_large");
    test_reply_clear(&reply);
    g_string_free(req, TRUE);
    /* Exactly at the cap is fine. */
    big[TOLK_HTTP_MAX_BODY - 1] = '}';
    big[TOLK_HTTP_MAX_BODY] = '\0';
    expect("POST", "/api/v1/sessions", AUTH JSON_TYPE, big, 201, "");
    g_free(big);
}

static void test_chunked_json_body(void)
{
    const char *req = "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" AUTH JSON_TYPE
                      "Transfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n";
    test_reply reply;
    g_assert_true(test_http_raw("127.0.0.1", port, req, strlen(req), &reply));
    g_assert_cmpint(reply.status, ==, 201);
    test_reply_clear(&reply);
}

static void test_handler_without_reply_is_500(void)
{
    expect("GET", "/api/v1/silent", AUTH, NULL, 500, "internal_error");
}

static void count_404(void *ctx, int status, uint64_t count)
{
    if (status == 404)
        *(uint64_t *)ctx = count;
}

static void test_stats_count_replies_by_status(void)
{
    uint64_t before = 0, after = 0;
    tolk_http_server_stats(server, count_404, &before);
    expect("GET", "/nothing", NULL, NULL, 404, "not_found");
    expect("GET", "/nothing/else", NULL, NULL, 404, "not_found");
    tolk_http_server_stats(server, count_404, &after);
    g_assert_cmpuint(after - before, ==, 2);
}

static int count_fds(void)
{
    int count = 0;
    DIR *dir = opendir("/proc/self/fd");
    while (dir && readdir(dir))
        count++;
    if (dir)
        closedir(dir);
    return count;
}

/* A poll thread may close a connection's socket a moment after the client saw the reply
 * end: count once the number has stopped moving. */
static int open_fds(void)
{
    int count = count_fds();
    for (int stable = 0, i = 0; stable < 5 && i < 200; i++) {
        g_usleep(10 * 1000);
        int now = count_fds();
        stable = now == count ? stable + 1 : 0;
        count = now;
    }
    return count;
}

static void test_taken_port_gives_clear_error(void)
{
    int fds = open_fds();
    tolk_http_server *other = tolk_http_server_new();
    char err[200] = "";
    g_assert_false(tolk_http_server_start(other, "127.0.0.1", port, err, sizeof err));
    g_assert_nonnull(strstr(err, "in use"));
    g_assert_nonnull(strstr(err, "127.0.0.1"));
    g_assert_false(tolk_http_server_start(other, "localhost", 0, err, sizeof err));
    g_assert_nonnull(strstr(err, "not a numeric"));
    g_assert_false(tolk_http_server_start(other, "127.0.0.1", 70000, err, sizeof err));
    tolk_http_server_free(other);
    g_assert_cmpint(open_fds(), ==, fds);
}

static void test_stop_releases_everything(void)
{
    int fds = open_fds();
    tolk_http_server *other = tolk_http_server_new();
    tolk_http_server_route(other, "GET", "/healthz", TOLK_ROUTE_PUBLIC, test_http_healthz, NULL);
    char err[200];
    g_assert_true(tolk_http_server_start(other, "127.0.0.1", 0, err, sizeof err));
    g_assert_false(tolk_http_server_start(other, "127.0.0.1", 0, err, sizeof err));
    int other_port = tolk_http_server_port(other);
    tolk_http_server_stop(other);
    g_assert_cmpint(tolk_http_server_port(other), ==, 0);
    /* The port is free again. */
    g_assert_true(tolk_http_server_start(other, "127.0.0.1", other_port, err, sizeof err));
    tolk_http_server_free(other);
    g_assert_cmpint(open_fds(), ==, fds);
}

static void test_ipv6_dual_stack(void)
{
    tolk_http_server *other = tolk_http_server_new();
    tolk_http_server_route(other, "GET", "/healthz", TOLK_ROUTE_PUBLIC, test_http_healthz, NULL);
    char err[200];
    if (!tolk_http_server_start(other, "::1", 0, err, sizeof err)) {
        tolk_http_server_free(other);
        g_test_skip("no IPv6 loopback here");
        return;
    }
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    test_reply reply;
    g_assert_true(test_http_raw("::1", tolk_http_server_port(other), req, strlen(req), &reply));
    g_assert_cmpint(reply.status, ==, 200);
    test_reply_clear(&reply);
    tolk_http_server_free(other);
}

static void test_every_address(void)
{
    tolk_http_server *other = tolk_http_server_new();
    tolk_http_server_route(other, "GET", "/healthz", TOLK_ROUTE_PUBLIC, test_http_healthz, NULL);
    char err[200];
    g_assert_true(tolk_http_server_start(other, NULL, 0, err, sizeof err));
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    test_reply reply;
    g_assert_true(test_http_raw("127.0.0.1", tolk_http_server_port(other), req, strlen(req), &reply));
    g_assert_cmpint(reply.status, ==, 200);
    test_reply_clear(&reply);
    tolk_http_server_free(other);
}

static void test_routes_without_authenticator_refuse(void)
{
    tolk_http_server *other = tolk_http_server_new();
    tolk_http_server_route(other, "GET", "/metrics", 0, metrics, NULL);
    char err[200];
    g_assert_true(tolk_http_server_start(other, "127.0.0.1", 0, err, sizeof err));
    const char *req = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" AUTH "\r\n";
    test_reply reply;
    g_assert_true(test_http_raw("127.0.0.1", tolk_http_server_port(other), req, strlen(req), &reply));
    g_assert_cmpint(reply.status, ==, 401);
    test_reply_clear(&reply);
    tolk_http_server_free(other);
}

/* ---- pure pieces ---- */

static void test_token_equal(void)
{
    g_assert_true(tolk_token_equal("abc", "abc"));
    g_assert_false(tolk_token_equal("abc", "abd"));
    g_assert_false(tolk_token_equal("abc", "abcd"));
    g_assert_false(tolk_token_equal("", "a"));
    g_assert_true(tolk_token_equal("", ""));
    g_assert_false(tolk_token_equal(NULL, "a"));
    g_assert_false(tolk_token_equal("a", NULL));
    g_assert_false(tolk_token_equal(NULL, NULL));
}

static void test_bearer_token(void)
{
    g_assert_cmpstr(tolk_bearer_token("Bearer abc"), ==, "abc");
    g_assert_cmpstr(tolk_bearer_token("BEARER   a.b-c_d~e+f/g=="), ==, "a.b-c_d~e+f/g==");
    g_assert_null(tolk_bearer_token(NULL));
    g_assert_null(tolk_bearer_token("Bearer"));
    g_assert_null(tolk_bearer_token("Bearer "));
    g_assert_null(tolk_bearer_token("Bearerabc"));
    g_assert_null(tolk_bearer_token("Bearer a b"));
    g_assert_null(tolk_bearer_token("Bearer a\"b"));
    g_assert_null(tolk_bearer_token("Basic abc"));
}

static void check_decode(const char *in, const char *want)
{
    char *out = tolk_url_decode(in, strlen(in));
    g_assert_cmpstr(out, ==, want);
    g_free(out);
}

static void test_url_decode(void)
{
    check_decode("abc", "abc");
    check_decode("a%20b%2f", "a b/");
    check_decode("%e2%82%ac", "\xe2\x82\xac");
    check_decode("", "");
    check_decode("%", NULL);
    check_decode("%4", NULL);
    check_decode("%zz", NULL);
    check_decode("a%00b", NULL);
}

static void test_body_cap_frees_buffer(void)
{
    request_body body;
    request_body_init(&body, 10);
    request_body_append(&body, "12345", 5);
    request_body_append(&body, "67890", 5);
    g_assert_false(body.too_large);
    g_assert_cmpuint(body.len, ==, 10);
    request_body_append(&body, "x", 1);
    g_assert_true(body.too_large);
    g_assert_null(body.data);
    request_body_append(&body, "more", 4);
    g_assert_null(body.data);
    request_body_clear(&body);
}

static void test_content_type(void)
{
    g_assert_true(tolk_content_type_is_json("application/json"));
    g_assert_true(tolk_content_type_is_json("application/json;charset=utf-8"));
    g_assert_true(tolk_content_type_is_json("application/json ; charset=UTF-8"));
    g_assert_false(tolk_content_type_is_json(NULL));
    g_assert_false(tolk_content_type_is_json(""));
    g_assert_false(tolk_content_type_is_json("application/json5"));
    g_assert_false(tolk_content_type_is_json("text/json"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    start_server();
    g_test_add_func("/http/healthz", test_healthz_needs_no_token);
    g_test_add_func("/http/params", test_params_are_captured_and_decoded);
    g_test_add_func("/http/404", test_unknown_paths_are_404);
    g_test_add_func("/http/405", test_wrong_method_is_405_with_allow);
    g_test_add_func("/http/401", test_missing_or_wrong_token_is_401);
    g_test_add_func("/http/text", test_text_reply);
    g_test_add_func("/http/json-body", test_json_body_reaches_handler);
    g_test_add_func("/http/415", test_body_without_json_type_is_415);
    g_test_add_func("/http/invalid-json", test_malformed_json_is_400);
    g_test_add_func("/http/missing-body", test_missing_body_is_400);
    g_test_add_func("/http/ignored-body", test_body_on_route_without_body_is_ignored);
    g_test_add_func("/http/413", test_oversized_body_is_413);
    g_test_add_func("/http/chunked", test_chunked_json_body);
    g_test_add_func("/http/500", test_handler_without_reply_is_500);
    g_test_add_func("/http/stats", test_stats_count_replies_by_status);
    g_test_add_func("/http/port-taken", test_taken_port_gives_clear_error);
    g_test_add_func("/http/stop", test_stop_releases_everything);
    g_test_add_func("/http/ipv6", test_ipv6_dual_stack);
    g_test_add_func("/http/every-address", test_every_address);
    g_test_add_func("/http/no-authenticator", test_routes_without_authenticator_refuse);
    g_test_add_func("/auth/token-equal", test_token_equal);
    g_test_add_func("/auth/bearer", test_bearer_token);
    g_test_add_func("/url/decode", test_url_decode);
    g_test_add_func("/body/cap", test_body_cap_frees_buffer);
    g_test_add_func("/body/content-type", test_content_type);
    int result = g_test_run();
    tolk_http_server_free(server);
    return result;
}
