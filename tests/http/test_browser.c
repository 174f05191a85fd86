/* SPDX-License-Identifier: EUPL-1.2 */
/* The server features the browser pages need, on a real loopback server: concurrent
 * handlers, SDP bodies, streamed replies, query tokens, optional auth, static files. */
#include "http_client.h"
#include "http_server.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define TOKEN "s3cret-Token_1"
#define AUTH "Authorization: Bearer " TOKEN "\r\n"
#define SDP_TYPE "Content-Type: application/sdp\r\n"
#define TRICKLE_TYPE "Content-Type: application/trickle-ice-sdpfrag\r\n"

static tolk_http_server *server;
static int port;
static char *web_root; /* temporary: web/ with the served directory inside */

/* ---- what the handlers share with the tests, under one lock ---- */

static GMutex lock;
static GCond changed;
static bool slow_entered, slow_released;
static int events_released;   /* the stream may send events 1..events_released */
static bool stream_ended;      /* the stream's reader returns -1 from now on */
static int stream_frees;
static tolk_http_stream *waiting_stream; /* the stream whose reader had nothing, to wake */
static void *waiting_ctx;

static void reply_role(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    json_object *body = json_object_new_object();
    json_object_object_add(body, "role", json_object_new_int(req->principal.role));
    tolk_http_reply_json(resp, 200, body);
}

/* Blocks until the test releases it, as a WHEP answer waits for ICE gathering. */
static void slow(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    g_mutex_lock(&lock);
    slow_entered = true;
    g_cond_broadcast(&changed);
    gint64 deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
    while (!slow_released && g_cond_wait_until(&changed, &lock, deadline))
        ;
    g_mutex_unlock(&lock);
    reply_role(ctx, req, resp);
}

static void whip(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    g_assert_cmpuint(strlen(req->text), ==, req->text_len);
    g_assert_null(req->body);
    char *answer = g_strdup_printf("answer to %s", req->text);
    tolk_http_reply_text(resp, 201, "application/sdp", answer);
    g_free(answer);
    tolk_http_reply_header(resp, "Location", "/api/v1/sessions/s/webrtc/r1");
    tolk_http_reply_header(resp, "Link", "<stun:stun.example.net>; rel=\"ice-server\"");
    tolk_http_reply_header(resp, "Link", "<turn:turn.example.net>; rel=\"ice-server\"");
}

static void trickle(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    g_assert_nonnull(strstr(req->text, "a=candidate"));
    tolk_http_reply_empty(resp, 204);
}

/* Sends "data: n" for each released event, a keepalive when idle; never blocks: with
 * nothing to send it keeps the stream to wake (see wake_events). */
static ssize_t read_events(void *ctx, tolk_http_stream *stream, bool idle, char *buf, size_t max)
{
    int *sent = ctx;
    g_mutex_lock(&lock);
    ssize_t n = 0;
    if (stream_ended)
        n = -1;
    else if (*sent < events_released)
        n = snprintf(buf, max, "data: %d\n\n", ++*sent);
    else if (idle)
        n = snprintf(buf, max, ": keepalive\n\n");
    if (n == 0) {
        waiting_stream = stream;
        waiting_ctx = ctx;
    }
    g_mutex_unlock(&lock);
    return n;
}

/* Under lock. */
static void wake_events(void)
{
    if (waiting_stream)
        tolk_http_stream_wake(waiting_stream);
    waiting_stream = NULL;
}

static void free_events(void *ctx)
{
    g_mutex_lock(&lock);
    if (waiting_ctx == ctx)
        waiting_stream = waiting_ctx = NULL;
    g_free(ctx);
    stream_frees++;
    g_cond_broadcast(&changed);
    g_mutex_unlock(&lock);
}

static void events(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    (void)req;
    tolk_http_reply_stream(resp, 200, "text/event-stream", read_events, free_events, g_new0(int, 1));
}

/* ---- the served directory ---- */

static void write_file(const char *dir, const char *name, const char *content)
{
    char *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(path, content, -1, NULL));
    g_free(path);
}

static void make_link(const char *target, const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    g_assert_cmpint(symlink(target, path), ==, 0);
    g_free(path);
}

/* web_root/console holds the pages; web_root/secret.txt and web_root/private/ lie
 * outside it and must never be served. */
static char *make_web_dir(void)
{
    web_root = g_dir_make_tmp("tolk-web-XXXXXX", NULL);
    char *console = g_build_filename(web_root, "console", NULL);
    char *sub = g_build_filename(console, "sub", NULL);
    char *private = g_build_filename(web_root, "private", NULL);
    g_assert_cmpint(g_mkdir_with_parents(sub, 0700), ==, 0);
    g_assert_cmpint(g_mkdir(private, 0700), ==, 0);
    write_file(web_root, "secret.txt", "SECRET");
    write_file(private, "secret.txt", "SECRET");
    const char *names[] = {"index.html", "app.js", "style.css", "logo.svg", "x.png", "data.json",
                           "beep.wav", "favicon.ico", "blob.bin", ".hidden", "sub/index.html"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        write_file(console, names[i], names[i]);
    make_link("../secret.txt", console, "leak.txt");
    make_link(private, console, "linkdir");
    make_link("app.js", console, "alias.js");
    char *big = g_build_filename(console, "big.bin", NULL);
    FILE *f = fopen(big, "w");
    g_assert_cmpint(ftruncate(fileno(f), TOLK_HTTP_MAX_FILE + 1), ==, 0);
    fclose(f);
    g_free(big);
    g_free(sub);
    g_free(private);
    return console;
}

static void start_server(void)
{
    server = tolk_http_server_new();
    tolk_http_limits limits = TOLK_HTTP_DEFAULT_LIMITS;
    limits.stream_keepalive_s = 1;
    g_assert_true(tolk_http_server_set_limits(server, &limits));
    tolk_http_server_route(server, "GET", "/healthz", TOLK_ROUTE_PUBLIC, reply_role, NULL);
    tolk_http_server_route(server, "GET", "/slow", TOLK_ROUTE_SLOW, slow, NULL);
    tolk_http_server_route(server, "POST", "/whip", TOLK_ROUTE_SDP_BODY, whip, NULL);
    tolk_http_server_route(server, "PATCH", "/whip", TOLK_ROUTE_TRICKLE_BODY, trickle, NULL);
    tolk_http_server_route(server, "GET", "/events", TOLK_ROUTE_QUERY_TOKEN, events, NULL);
    tolk_http_server_route(server, "GET", "/q", TOLK_ROUTE_QUERY_TOKEN, reply_role, NULL);
    tolk_http_server_route(server, "POST", "/q", TOLK_ROUTE_QUERY_TOKEN, reply_role, NULL);
    tolk_http_server_route(server, "GET", "/plain", 0, reply_role, NULL);
    tolk_http_server_route(server, "POST", "/whep", TOLK_ROUTE_OPTIONAL_AUTH, reply_role, NULL);
    tolk_http_server_route(server, "GET", "/console/api", 0, reply_role, NULL);
    tolk_http_server_set_authenticator(server, test_http_operator_token, TOKEN);
    char *console = make_web_dir();
    g_assert_true(tolk_http_server_serve_dir(server, "/console/", console));
    g_assert_false(tolk_http_server_serve_dir(server, "/nope/", "/nonexistent/dir"));
    g_assert_false(tolk_http_server_serve_dir(server, "/noslash", console));
    tolk_http_server_redirect(server, "/", "/operator/");
    g_free(console);
    char err[200];
    g_assert_true(tolk_http_server_start(server, "127.0.0.1", 0, err, sizeof err));
    port = tolk_http_server_port(server);
}

static test_reply request(const char *method, const char *path, const char *headers, const char *body)
{
    test_reply reply;
    g_assert_true(test_http(port, method, path, headers, body, &reply));
    return reply;
}

static void expect(const char *method, const char *path, const char *headers, const char *body,
                   int status, const char *code)
{
    test_reply reply = request(method, path, headers, body);
    if (reply.status != status || strcmp(test_reply_error_code(&reply), code) != 0)
        g_error("%s %s: got %d %s, want %d %s", method, path, reply.status, reply.body, status, code);
    test_reply_clear(&reply);
}

static void assert_header(const test_reply *reply, const char *name, const char *want)
{
    char *value = test_reply_header(reply, name);
    g_assert_cmpstr(value, ==, want);
    g_free(value);
}

static int reply_role_of(const test_reply *reply)
{
    json_object *role;
    g_assert_true(json_object_object_get_ex(reply->json, "role", &role));
    return json_object_get_int(role);
}

/* ---- concurrency ---- */

static gpointer get_slow(gpointer data)
{
    (void)data;
    test_reply *reply = g_new0(test_reply, 1);
    g_assert_true(test_http(port, "GET", "/slow", AUTH, NULL, reply));
    return reply;
}

static void test_blocking_handler_does_not_stall_others(void)
{
    GThread *thread = g_thread_new("slow", get_slow, NULL);
    g_mutex_lock(&lock);
    while (!slow_entered)
        g_cond_wait(&changed, &lock);
    g_mutex_unlock(&lock);
    gint64 start = g_get_monotonic_time();
    expect("GET", "/healthz", NULL, NULL, 200, "");
    g_assert_cmpint(g_get_monotonic_time() - start, <, G_TIME_SPAN_SECOND);
    g_mutex_lock(&lock);
    g_assert_false(slow_released); /* the slow handler was still blocked meanwhile */
    slow_released = true;
    g_cond_broadcast(&changed);
    g_mutex_unlock(&lock);
    test_reply *reply = g_thread_join(thread);
    g_assert_cmpint(reply->status, ==, 200);
    test_reply_clear(reply);
    g_free(reply);
}

/* ---- text bodies ---- */

static void test_sdp_offer_gets_answer_with_location(void)
{
    test_reply reply = request("POST", "/whip", AUTH SDP_TYPE, "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
    g_assert_cmpint(reply.status, ==, 201);
    g_assert_cmpstr(reply.body, ==, "answer to v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
    assert_header(&reply, "Content-Type", "application/sdp");
    assert_header(&reply, "Location", "/api/v1/sessions/s/webrtc/r1");
    g_assert_nonnull(strstr(reply.head, "Link: <stun:stun.example.net>"));
    g_assert_nonnull(strstr(reply.head, "Link: <turn:turn.example.net>"));
    test_reply_clear(&reply);
    /* Parameters on the type are fine. */
    expect("POST", "/whip", AUTH "Content-Type: Application/SDP; charset=utf-8\r\n", "v=0\r\n", 201, "");
}

static void test_sdp_route_checks_type_size_and_bytes(void)
{
    expect("POST", "/whip", AUTH "Content-Type: application/json\r\n", "{}", 415, "unsupported_media_type");
    expect("POST", "/whip", AUTH, "v=0\r\n", 415, "unsupported_media_type");
    expect("POST", "/whip", AUTH TRICKLE_TYPE, "v=0\r\n", 415, "unsupported_media_type");
    expect("POST", "/whip", AUTH SDP_TYPE, NULL, 400, "missing_body");
    expect("POST", "/whip", AUTH SDP_TYPE, "", 400, "missing_body");
    expect("POST", "/whip", SDP_TYPE, "v=0\r\n", 401, "unauthorized"); /* the token first */
    char *big = g_strnfill(TOLK_HTTP_MAX_BODY + 1, 'a');
    expect("POST", "/whip", AUTH SDP_TYPE, big, 413, "body_too_large");
    big[TOLK_HTTP_MAX_BODY] = '\0'; /* exactly the cap is accepted */
    expect("POST", "/whip", AUTH SDP_TYPE, big, 201, "");
    g_free(big);
    expect("POST", "/whip", AUTH SDP_TYPE, "v=0\xff\r\n", 400, "invalid_body");
    const char with_nul[] = "POST /whip HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" AUTH SDP_TYPE
                            "Content-Length: 3\r\n\r\na\0b";
    test_reply reply;
    g_assert_true(test_http_raw("127.0.0.1", port, with_nul, sizeof with_nul - 1, &reply));
    g_assert_cmpint(reply.status, ==, 400);
    g_assert_cmpstr(test_reply_error_code(&reply), ==, "invalid_body");
    test_reply_clear(&reply);
}

static void test_trickle_route_takes_sdpfrag(void)
{
    expect("PATCH", "/whip", AUTH TRICKLE_TYPE, "a=candidate:1 1 UDP 1 192.0.2.1 9 typ host\r\n", 204, "");
    expect("PATCH", "/whip", AUTH SDP_TYPE, "a=candidate:1\r\n", 415, "unsupported_media_type");
    expect("PATCH", "/whip", AUTH TRICKLE_TYPE, NULL, 400, "missing_body");
}

/* ---- streams ---- */

static void release_event(int n)
{
    g_mutex_lock(&lock);
    events_released = n;
    wake_events();
    g_mutex_unlock(&lock);
}

/* The stream's connection is parked: the reader had nothing and no thread waits. */
static bool wait_parked(tolk_http_server *on, unsigned want)
{
    gint64 deadline = g_get_monotonic_time() + 2 * G_TIME_SPAN_SECOND;
    while (tolk_http_server_parked_streams(on) != want && g_get_monotonic_time() < deadline)
        g_usleep(10 * 1000);
    return tolk_http_server_parked_streams(on) == want;
}

static bool wait_frees(int want)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
    g_mutex_lock(&lock);
    while (stream_frees < want && g_cond_wait_until(&changed, &lock, deadline))
        ;
    bool ok = stream_frees == want;
    g_mutex_unlock(&lock);
    return ok;
}

static int open_events(void)
{
    return test_http_open(port, "GET /events HTTP/1.1\r\nHost: x\r\n" AUTH "\r\n");
}

static void test_stream_delivers_chunks_as_produced(void)
{
    release_event(1);
    int fd = open_events();
    GString *got = g_string_new(NULL);
    g_assert_true(test_http_read_until(fd, got, "data: 1\n\n", 2000));
    g_assert_true(g_str_has_prefix(got->str, "HTTP/1.1 200"));
    g_assert_nonnull(strstr(got->str, "Content-Type: text/event-stream\r\n"));
    g_assert_nonnull(strstr(got->str, "Cache-Control: no-store\r\n"));
    g_assert_nonnull(strstr(got->str, "X-Accel-Buffering: no\r\n"));
    /* Event 2 does not exist yet: the stream is parked until it is woken. */
    g_assert_true(wait_parked(server, 1));
    g_assert_null(strstr(got->str, "data: 2"));
    release_event(2);
    g_assert_true(test_http_read_until(fd, got, "data: 2\n\n", 2000));
    g_assert_true(wait_parked(server, 1));
    /* Nothing to say for a keepalive period (1 s here): the reader is asked for a keepalive. */
    g_assert_true(test_http_read_until(fd, got, ": keepalive", 3000));
    g_assert_cmpint(stream_frees, ==, 0);
    /* The client goes away: the server notices on its next write and frees the context. */
    close(fd);
    release_event(3);
    g_assert_true(wait_frees(1));
    g_string_free(got, TRUE);
}

static void test_stream_end_closes_and_frees(void)
{
    int fd = open_events();
    GString *got = g_string_new(NULL);
    g_assert_true(test_http_read_until(fd, got, "data: 3\n\n", 2000));
    g_assert_true(wait_parked(server, 1));
    g_mutex_lock(&lock);
    stream_ended = true;
    wake_events();
    g_mutex_unlock(&lock);
    /* The end of a chunked body. */
    g_assert_true(test_http_read_until(fd, got, "\r\n0\r\n\r\n", 2000));
    close(fd);
    g_assert_true(wait_frees(2));
    stream_ended = false;
    g_string_free(got, TRUE);
}

static void count_free(void *ctx)
{
    (*(int *)ctx)++;
}

static ssize_t never_read(void *ctx, tolk_http_stream *stream, bool idle, char *buf, size_t max)
{
    (void)ctx;
    (void)stream;
    (void)idle;
    (void)buf;
    (void)max;
    g_assert_not_reached();
}

static void test_unsent_stream_is_freed_once(void)
{
    int frees = 0;
    tolk_http_response resp = {0};
    tolk_http_reply_stream(&resp, 200, "text/event-stream", never_read, count_free, &frees);
    tolk_http_reply_error(&resp, 503, "unavailable", "replaced");
    g_assert_cmpint(frees, ==, 1);
    tolk_http_reply_stream(&resp, 200, "text/event-stream", never_read, count_free, &frees);
    tolk_http_response_clear(&resp);
    tolk_http_response_clear(&resp);
    g_assert_cmpint(frees, ==, 2);
}

/* ---- tokens ---- */

static void test_query_token_only_on_flagged_get(void)
{
    test_reply reply = request("GET", "/q?access_token=" TOKEN, NULL, NULL);
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpint(reply_role_of(&reply), ==, TOLK_ROLE_OPERATOR);
    test_reply_clear(&reply);
    expect("GET", "/q?access_token=s3cret%2DToken%5F1", NULL, NULL, 200, ""); /* decoded */
    expect("GET", "/q?access_token=wrong", NULL, NULL, 401, "unauthorized");
    expect("GET", "/q", NULL, NULL, 401, "unauthorized");
    expect("POST", "/q?access_token=" TOKEN, NULL, NULL, 401, "unauthorized");
    expect("GET", "/plain?access_token=" TOKEN, NULL, NULL, 401, "unauthorized");
    /* The header, when there is one, is the only token looked at. */
    expect("GET", "/q?access_token=" TOKEN, "Authorization: Bearer wrong\r\n", NULL, 401, "unauthorized");
    expect("GET", "/q?access_token=wrong", AUTH, NULL, 200, "");
}

static void test_optional_auth(void)
{
    test_reply reply = request("POST", "/whep", NULL, NULL);
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpint(reply_role_of(&reply), ==, TOLK_ROLE_NONE);
    test_reply_clear(&reply);
    reply = request("POST", "/whep", AUTH, NULL);
    g_assert_cmpint(reply_role_of(&reply), ==, TOLK_ROLE_OPERATOR);
    test_reply_clear(&reply);
    expect("POST", "/whep", "Authorization: Bearer wrong\r\n", NULL, 401, "unauthorized");
    expect("POST", "/whep", "Authorization: Basic abc\r\n", NULL, 401, "unauthorized");
}

/* ---- static files ---- */

static void expect_file(const char *path, const char *content, const char *type)
{
    test_reply reply = request("GET", path, NULL, NULL);
    if (reply.status != 200)
        g_error("GET %s: got %d %s", path, reply.status, reply.body);
    g_assert_cmpstr(reply.body, ==, content);
    assert_header(&reply, "Content-Type", type);
    test_reply_clear(&reply);
}

static void test_static_content_types(void)
{
    expect_file("/console/index.html", "index.html", "text/html; charset=utf-8");
    expect_file("/console/app.js", "app.js", "text/javascript");
    expect_file("/console/style.css", "style.css", "text/css");
    expect_file("/console/logo.svg", "logo.svg", "image/svg+xml");
    expect_file("/console/x.png", "x.png", "image/png");
    expect_file("/console/data.json", "data.json", "application/json");
    expect_file("/console/beep.wav", "beep.wav", "audio/wav");
    expect_file("/console/favicon.ico", "favicon.ico", "image/x-icon");
    expect_file("/console/blob.bin", "blob.bin", "application/octet-stream");
    expect_file("/console/alias.js", "app.js", "text/javascript"); /* a link inside is fine */
    expect_file("/console/%61pp.js", "app.js", "text/javascript");
}

static void test_static_index_headers_and_redirects(void)
{
    test_reply reply = request("GET", "/console/", NULL, NULL);
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpstr(reply.body, ==, "index.html");
    assert_header(&reply, "Cache-Control", "no-cache");
    assert_header(&reply, "X-Content-Type-Options", "nosniff");
    assert_header(&reply, "Referrer-Policy", "no-referrer");
    char *csp = test_reply_header(&reply, "Content-Security-Policy");
    g_assert_nonnull(strstr(csp, "default-src 'self'"));
    g_assert_nonnull(strstr(csp, "media-src 'self' blob:"));
    g_assert_nonnull(strstr(csp, "script-src 'self'"));
    g_free(csp);
    test_reply_clear(&reply);
    expect_file("/console/sub/", "sub/index.html", "text/html; charset=utf-8");
    reply = request("GET", "/console", NULL, NULL);
    g_assert_cmpint(reply.status, ==, 301);
    assert_header(&reply, "Location", "/console/");
    test_reply_clear(&reply);
    reply = request("GET", "/", NULL, NULL);
    g_assert_cmpint(reply.status, ==, 302);
    assert_header(&reply, "Location", "/operator/");
    test_reply_clear(&reply);
    /* API routes win over files under the same prefix. */
    expect("GET", "/console/api", NULL, NULL, 401, "unauthorized");
}

static void test_static_methods(void)
{
    test_reply reply = request("HEAD", "/console/app.js", NULL, NULL);
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpstr(reply.body, ==, "");
    assert_header(&reply, "Content-Length", "6");
    test_reply_clear(&reply);
    reply = request("POST", "/console/app.js", NULL, "x");
    g_assert_cmpint(reply.status, ==, 405);
    assert_header(&reply, "Allow", "GET, HEAD");
    test_reply_clear(&reply);
    expect("DELETE", "/console/", NULL, NULL, 405, "method_not_allowed");
    expect("POST", "/", NULL, NULL, 405, "method_not_allowed");
}

static void test_static_refuses_escapes(void)
{
    const char *paths[] = {
        "/console/../secret.txt",      "/console/%2e%2e/secret.txt", "/console/%2E%2E%2Fsecret.txt",
        "/console/sub/..%2f..%2fsecret.txt", "/console/sub%2f..%2f..%2fsecret.txt",
        "/console/./app.js",           "/console//etc/passwd",       "/console/%2fetc%2fpasswd",
        "/console/sub/../app.js",      "/console/..%5csecret.txt",   "/console/leak.txt",
        "/console/linkdir/secret.txt", "/console/.hidden",           "/console/nope.html",
        "/console/sub",                "/console/big.bin",           "/console/app.js%00.html",
        "/console/%zz",                "/consolex/app.js",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(paths); i++)
        expect("GET", paths[i], NULL, NULL, 404, "not_found");
}

/* ---- stopping ---- */

static void test_stop_with_open_stream_frees_it(void)
{
    int frees_before = stream_frees;
    tolk_http_server *other = tolk_http_server_new();
    tolk_http_server_route(other, "GET", "/events", TOLK_ROUTE_PUBLIC, events, NULL);
    char err[200];
    g_assert_true(tolk_http_server_start(other, "127.0.0.1", 0, err, sizeof err));
    char request[128];
    snprintf(request, sizeof request, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    int fd = test_http_open(tolk_http_server_port(other), request);
    GString *got = g_string_new(NULL);
    g_assert_true(test_http_read_until(fd, got, "data: 3\n\n", 2000));
    /* Parked: libmicrohttpd must not be stopped with a suspended connection, so the stop
     * resumes it and ends the stream without calling the reader. */
    g_assert_true(wait_parked(other, 1));
    tolk_http_server_free(other);
    g_assert_cmpint(stream_frees, ==, frees_before + 1);
    close(fd);
    g_string_free(got, TRUE);
}

static void remove_tree(const char *path)
{
    GDir *dir = g_file_test(path, G_FILE_TEST_IS_SYMLINK) ? NULL : g_dir_open(path, 0, NULL);
    for (const char *name; dir && (name = g_dir_read_name(dir));) {
        char *child = g_build_filename(path, name, NULL);
        remove_tree(child);
        g_free(child);
    }
    if (dir)
        g_dir_close(dir);
    g_remove(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    start_server();
    g_test_add_func("/browser/concurrent", test_blocking_handler_does_not_stall_others);
    g_test_add_func("/browser/sdp", test_sdp_offer_gets_answer_with_location);
    g_test_add_func("/browser/sdp-checks", test_sdp_route_checks_type_size_and_bytes);
    g_test_add_func("/browser/trickle", test_trickle_route_takes_sdpfrag);
    g_test_add_func("/browser/stream", test_stream_delivers_chunks_as_produced);
    g_test_add_func("/browser/stream-end", test_stream_end_closes_and_frees);
    g_test_add_func("/browser/stream-unsent", test_unsent_stream_is_freed_once);
    g_test_add_func("/browser/query-token", test_query_token_only_on_flagged_get);
    g_test_add_func("/browser/optional-auth", test_optional_auth);
    g_test_add_func("/browser/static-types", test_static_content_types);
    g_test_add_func("/browser/static-index", test_static_index_headers_and_redirects);
    g_test_add_func("/browser/static-methods", test_static_methods);
    g_test_add_func("/browser/static-escapes", test_static_refuses_escapes);
    g_test_add_func("/browser/stop-stream", test_stop_with_open_stream_frees_it);
    int result = g_test_run();
    tolk_http_server_free(server);
    remove_tree(web_root);
    g_free(web_root);
    return result;
}
