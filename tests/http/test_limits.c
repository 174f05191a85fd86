/* SPDX-License-Identifier: EUPL-1.2 */
/* The server's limits against slow clients, in-process on loopback: the request head and
 * body deadlines, the per-address cap, slow handlers off the poll threads, and a stop
 * while a slow handler runs. */
#include "http_client.h"
#include "http_server.h"

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CAP 3

static tolk_http_server *server;
static int port;

static GMutex lock;
static GCond changed;
static int slow_running;
static bool slow_release;

/* Blocks until released, as a WHEP answer waits for ICE gathering. */
static void slow(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    g_mutex_lock(&lock);
    slow_running++;
    g_cond_broadcast(&changed);
    gint64 deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
    while (!slow_release && g_cond_wait_until(&changed, &lock, deadline))
        ;
    slow_running--;
    g_mutex_unlock(&lock);
    test_http_healthz(ctx, req, resp);
}

static void echo_body(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    tolk_http_reply_text(resp, 200, "text/plain", req->text);
}

static tolk_http_server *start(unsigned timeout_s, unsigned cap, int *port_out)
{
    tolk_http_server *s = tolk_http_server_new();
    tolk_http_limits limits = {64, cap, timeout_s, 15};
    g_assert_true(tolk_http_server_set_limits(s, &limits));
    tolk_http_server_route(s, "GET", "/healthz", TOLK_ROUTE_PUBLIC, test_http_healthz, NULL);
    tolk_http_server_route(s, "GET", "/slow", TOLK_ROUTE_PUBLIC | TOLK_ROUTE_SLOW, slow, NULL);
    tolk_http_server_route(s, "POST", "/echo", TOLK_ROUTE_PUBLIC | TOLK_ROUTE_SDP_BODY, echo_body, NULL);
    char err[200];
    g_assert_true(tolk_http_server_start(s, "127.0.0.1", 0, err, sizeof err));
    *port_out = tolk_http_server_port(s);
    return s;
}

/* A connection from a given loopback address, with the first bytes sent. */
static int open_from(const char *source, int to_port, const char *bytes)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in from = {.sin_family = AF_INET}, to = {.sin_family = AF_INET};
    inet_pton(AF_INET, source, &from.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    to.sin_port = htons((uint16_t)to_port);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&from, sizeof from), ==, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&to, sizeof to), ==, 0);
    g_assert_cmpint(send(fd, bytes, strlen(bytes), MSG_NOSIGNAL), ==, (ssize_t)strlen(bytes));
    return fd;
}

/* True when the server closed fd within ms (EOF or reset, no reply). */
static bool closed_within(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, ms) <= 0)
        return false;
    char buf[256];
    return recv(fd, buf, sizeof buf, MSG_DONTWAIT) <= 0;
}

/* Sends one byte every 200 ms until the server closes fd; the seconds that took, or -1. */
static double trickle_until_closed(int fd, double limit_s)
{
    gint64 start = g_get_monotonic_time();
    while (g_get_monotonic_time() - start < (gint64)(limit_s * G_USEC_PER_SEC)) {
        if (send(fd, "a", 1, MSG_NOSIGNAL) != 1 || closed_within(fd, 200))
            return (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    }
    return -1;
}

static void test_trickled_head_is_closed_at_the_deadline(void)
{
    uint64_t before = tolk_http_server_late_closed(server);
    int fd = open_from("127.0.0.1", port, "GET /healthz HTTP/1.1\r\nX-Slow: ");
    double took = trickle_until_closed(fd, 4);
    g_assert_cmpfloat(took, >=, 0.7);
    g_assert_cmpfloat(took, <, 2.0);
    g_assert_cmpuint(tolk_http_server_late_closed(server), ==, before + 1);
    close(fd);
}

static void test_trickled_body_is_closed_at_the_deadline(void)
{
    uint64_t before = tolk_http_server_late_closed(server);
    int fd = open_from("127.0.0.1", port,
                       "POST /echo HTTP/1.1\r\nContent-Type: application/sdp\r\nContent-Length: 900\r\n\r\nv=0");
    double took = trickle_until_closed(fd, 4);
    g_assert_cmpfloat(took, >=, 0.7);
    g_assert_cmpfloat(took, <, 2.0);
    g_assert_cmpuint(tolk_http_server_late_closed(server), ==, before + 1);
    close(fd);
}

static void test_timely_request_is_served(void)
{
    test_reply reply = {0};
    const char *body = "v=0\r\n";
    g_assert_true(test_http(port, "POST", "/echo", "Content-Type: application/sdp\r\n", body, &reply));
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpstr(reply.body, ==, body);
    test_reply_clear(&reply);
}

static void test_one_address_is_capped(void)
{
    int held[CAP];
    for (int i = 0; i < CAP; i++)
        held[i] = open_from("127.0.0.2", port, "GET /healthz HTTP/1.1\r\n");
    for (int i = 0; i < CAP; i++)
        g_assert_false(closed_within(held[i], 100));
    int over = open_from("127.0.0.2", port, "GET /healthz HTTP/1.1\r\n");
    g_assert_true(closed_within(over, 1000));
    close(over);
    /* Another address is served meanwhile. */
    int other = open_from("127.0.0.3", port, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n");
    GString *got = g_string_new(NULL);
    g_assert_true(test_http_read_until(other, got, "\"ok\"", 1000));
    g_string_free(got, TRUE);
    close(other);
    for (int i = 0; i < CAP; i++)
        close(held[i]);
}

static gpointer get_slow(gpointer data)
{
    test_reply *reply = g_new0(test_reply, 1);
    test_http(GPOINTER_TO_INT(data), "GET", "/slow", NULL, NULL, reply);
    return reply;
}

static void wait_slow_running(int want)
{
    g_mutex_lock(&lock);
    gint64 deadline = g_get_monotonic_time() + 2 * G_TIME_SPAN_SECOND;
    while (slow_running != want && g_cond_wait_until(&changed, &lock, deadline))
        ;
    g_assert_cmpint(slow_running, ==, want);
    g_mutex_unlock(&lock);
}

static void release_slow(bool release)
{
    g_mutex_lock(&lock);
    slow_release = release;
    g_cond_broadcast(&changed);
    g_mutex_unlock(&lock);
}

/* More blocked handlers than poll threads: the poll threads still answer at once. */
static void test_slow_handlers_leave_the_poll_threads_free(void)
{
    enum { SLOW = TOLK_HTTP_POLL_THREADS + 2 };
    int other_port;
    tolk_http_server *other = start(5, 16, &other_port);
    GThread *threads[SLOW];
    for (int i = 0; i < SLOW; i++)
        threads[i] = g_thread_new("slow", get_slow, GINT_TO_POINTER(other_port));
    wait_slow_running(SLOW);
    gint64 start = g_get_monotonic_time();
    test_reply reply = {0};
    g_assert_true(test_http(other_port, "GET", "/healthz", NULL, NULL, &reply));
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpint(g_get_monotonic_time() - start, <, G_TIME_SPAN_SECOND / 2);
    test_reply_clear(&reply);
    release_slow(true);
    for (int i = 0; i < SLOW; i++) {
        test_reply *got = g_thread_join(threads[i]);
        g_assert_cmpint(got->status, ==, 200);
        test_reply_clear(got);
        g_free(got);
    }
    release_slow(false);
    tolk_http_server_free(other);
}

static gpointer release_later(gpointer data)
{
    (void)data;
    g_usleep(300 * 1000);
    release_slow(true);
    return NULL;
}

/* libmicrohttpd must not stop with a suspended connection: the stop waits for the
 * running slow handler, whose client still gets its reply. */
static void test_stop_waits_for_a_slow_handler(void)
{
    int other_port;
    tolk_http_server *other = start(5, 16, &other_port);
    GThread *client = g_thread_new("slow", get_slow, GINT_TO_POINTER(other_port));
    wait_slow_running(1);
    GThread *releaser = g_thread_new("release", release_later, NULL);
    gint64 start_us = g_get_monotonic_time();
    tolk_http_server_free(other);
    gint64 took = g_get_monotonic_time() - start_us;
    g_assert_cmpint(took, >=, 250 * 1000);
    g_assert_cmpint(took, <, 2 * G_TIME_SPAN_SECOND);
    g_thread_join(releaser);
    test_reply *got = g_thread_join(client);
    g_assert_cmpint(got->status, ==, 200);
    test_reply_clear(got);
    g_free(got);
    release_slow(false);
}

static void test_limits_are_checked(void)
{
    tolk_http_server *s = tolk_http_server_new();
    tolk_http_limits bad[] = {{0, 0, 10, 15}, {10, 11, 10, 15}, {10, 5, 0, 15}, {10, 5, 10, 0},
                              {10, 5, 10, TOLK_HTTP_IDLE_TIMEOUT_S}};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_false(tolk_http_server_set_limits(s, &bad[i]));
    tolk_http_limits ok = TOLK_HTTP_DEFAULT_LIMITS;
    g_assert_true(tolk_http_server_set_limits(s, &ok));
    tolk_http_server_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    server = start(1, CAP, &port);
    g_test_add_func("/limits/head-deadline", test_trickled_head_is_closed_at_the_deadline);
    g_test_add_func("/limits/body-deadline", test_trickled_body_is_closed_at_the_deadline);
    g_test_add_func("/limits/timely", test_timely_request_is_served);
    g_test_add_func("/limits/per-address", test_one_address_is_capped);
    g_test_add_func("/limits/slow-handlers", test_slow_handlers_leave_the_poll_threads_free);
    g_test_add_func("/limits/stop-slow", test_stop_waits_for_a_slow_handler);
    g_test_add_func("/limits/checked", test_limits_are_checked);
    int result = g_test_run();
    tolk_http_server_free(server);
    return result;
}
