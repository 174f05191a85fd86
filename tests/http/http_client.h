/* SPDX-License-Identifier: EUPL-1.2 */
/* A tiny blocking HTTP/1.1 client for the tests: sends raw bytes, reads to EOF. */
#ifndef TOLK_TEST_HTTP_CLIENT_H
#define TOLK_TEST_HTTP_CLIENT_H

#include <glib.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "http_server.h"

typedef struct {
    int status;       /* 0 when no status line arrived */
    char *head;       /* status line and headers */
    char *body;
    json_object *json; /* body parsed, NULL when not JSON */
} test_reply;

/* Sends request (len bytes) to host:port and reads the reply; host is numeric. */
bool test_http_raw(const char *host, int port, const char *request, size_t len, test_reply *out);
/* Builds "METHOD path HTTP/1.1" with Host, Connection: close, the extra header lines
 * (each ending in \r\n, may be NULL) and the body with its Content-Length (NULL: none). */
bool test_http(int port, const char *method, const char *path, const char *headers,
               const char *body, test_reply *out);
/* A header's value (case-insensitive name) as a new string, NULL when absent. g_free it. */
char *test_reply_header(const test_reply *reply, const char *name);
/* The error code of an {"error": {"code": ...}} body, "" when there is none. */
const char *test_reply_error_code(const test_reply *reply);
void test_reply_clear(test_reply *reply);

/* For streamed replies: connects to 127.0.0.1:port and sends request; the socket, or -1. */
int test_http_open(int port, const char *request);
/* Appends what arrives on fd to into until it contains needle; false after timeout_ms
 * or when the server closed the connection first. */
bool test_http_read_until(int fd, GString *into, const char *needle, int timeout_ms);

/* An authenticator for servers under test: the operator holds the token ctx points to
 * (a NUL-terminated string); every other token is refused. */
bool test_http_operator_token(void *ctx, const char *token, tolk_principal *out);

/* A handler answering 200 {"status": "ok"}, for servers under test. */
void test_http_healthz(void *ctx, const tolk_http_request *req, tolk_http_response *resp);

#endif
