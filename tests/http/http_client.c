/* SPDX-License-Identifier: EUPL-1.2 */
#include "http_client.h"

#include "auth.h"

#include <arpa/inet.h>
#include <glib.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int connect_to(const char *host, int port)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo *found;
    if (getaddrinfo(host, service, &hints, &found) != 0)
        return -1;
    int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        freeaddrinfo(found);
        return -1;
    }
    struct timeval timeout = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(found);
    return fd;
}

static void split_reply(GString *raw, test_reply *out)
{
    char *end = strstr(raw->str, "\r\n\r\n");
    out->head = g_strndup(raw->str, end ? (size_t)(end - raw->str) : raw->len);
    out->body = g_strdup(end ? end + 4 : "");
    sscanf(out->head, "HTTP/1.%*d %d", &out->status);
    out->json = json_tokener_parse(out->body);
}

bool test_http_raw(const char *host, int port, const char *request, size_t len, test_reply *out)
{
    memset(out, 0, sizeof *out);
    int fd = connect_to(host, port);
    if (fd < 0)
        return false;
    /* The server may answer and close before the whole request is sent (413, 401...):
     * a failed send is then expected, the reply is what counts. */
    for (size_t sent = 0; sent < len;) {
        ssize_t n = send(fd, request + sent, len - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
    GString *raw = g_string_new(NULL);
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        g_string_append_len(raw, buf, n);
    close(fd);
    split_reply(raw, out);
    g_string_free(raw, TRUE);
    return out->status != 0;
}

bool test_http(int port, const char *method, const char *path, const char *headers,
               const char *body, test_reply *out)
{
    GString *req = g_string_new(NULL);
    g_string_append_printf(req, "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s", method,
                           path, headers ? headers : "");
    if (body)
        g_string_append_printf(req, "Content-Length: %zu\r\n", strlen(body));
    g_string_append(req, "\r\n");
    if (body)
        g_string_append(req, body);
    bool ok = test_http_raw("127.0.0.1", port, req->str, req->len, out);
    g_string_free(req, TRUE);
    return ok;
}

char *test_reply_header(const test_reply *reply, const char *name)
{
    char **lines = g_strsplit(reply->head ? reply->head : "", "\r\n", -1);
    char *value = NULL;
    size_t len = strlen(name);
    for (char **line = lines; *line && !value; line++)
        if (g_ascii_strncasecmp(*line, name, len) == 0 && (*line)[len] == ':')
            value = g_strstrip(g_strdup(*line + len + 1));
    g_strfreev(lines);
    return value;
}

const char *test_reply_error_code(const test_reply *reply)
{
    json_object *error, *code;
    if (reply->json && json_object_object_get_ex(reply->json, "error", &error) &&
        json_object_object_get_ex(error, "code", &code))
        return json_object_get_string(code);
    return "";
}

void test_reply_clear(test_reply *reply)
{
    g_free(reply->head);
    g_free(reply->body);
    json_object_put(reply->json);
    memset(reply, 0, sizeof *reply);
}

int test_http_open(int port, const char *request)
{
    int fd = connect_to("127.0.0.1", port);
    if (fd >= 0 && send(fd, request, strlen(request), MSG_NOSIGNAL) != (ssize_t)strlen(request)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

bool test_http_read_until(int fd, GString *into, const char *needle, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    while (!strstr(into->str, needle)) {
        int left = (int)((deadline - g_get_monotonic_time()) / 1000);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return false;
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return false;
        g_string_append_len(into, buf, n);
    }
    return true;
}

bool test_http_operator_token(void *ctx, const char *token, tolk_principal *out)
{
    if (!tolk_token_equal(token, ctx))
        return false;
    out->role = TOLK_ROLE_OPERATOR;
    out->scope[0] = '\0';
    return true;
}

void test_http_healthz(void *ctx, const tolk_http_request *req, tolk_http_response *resp)
{
    (void)ctx;
    (void)req;
    json_object *body = json_object_new_object();
    json_object_object_add(body, "status", json_object_new_string("ok"));
    tolk_http_reply_json(resp, 200, body);
}
