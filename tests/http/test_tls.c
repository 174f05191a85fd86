/* SPDX-License-Identifier: EUPL-1.2 */
/* HTTPS on a real loopback server: throwaway self-signed certificates made with openssl
 * at test time, requests made with curl. Skipped (exit 77) when either tool is missing. */
#include "http_client.h"
#include "http_server.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

static char *dir;           /* temporary directory with the PEM files */
static char *cert, *key;    /* a matching pair */
static char *cert2, *key2;  /* another pair */

static char *path_in_dir(const char *name)
{
    return g_build_filename(dir, name, NULL);
}

/* Runs argv; its stdout in *out (may be NULL); true when it exited 0. */
static bool run(const char *const *argv, char **out)
{
    int status = -1;
    GError *error = NULL;
    char *err_text = NULL;
    bool spawned = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                                NULL, NULL, out, &err_text, &status, &error);
    if (!spawned) {
        g_test_message("%s: %s", argv[0], error->message);
        g_error_free(error);
    }
    g_free(err_text);
    return spawned && g_spawn_check_wait_status(status, NULL);
}

static bool make_pair(const char *cert_path, const char *key_path)
{
    const char *argv[] = {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                          "-keyout", key_path, "-out", cert_path, NULL};
    return run(argv, NULL);
}

static void write_file(const char *path, const char *text)
{
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}


static tolk_http_server *new_server(void)
{
    tolk_http_server *server = tolk_http_server_new();
    tolk_http_server_route(server, "GET", "/healthz", TOLK_ROUTE_PUBLIC, test_http_healthz, NULL);
    return server;
}

/* curl's output (body then the status code on its own line), NULL when curl failed. */
static char *curl(const char *url)
{
    const char *argv[] = {"curl", "-sk", "--max-time", "10", "-w", "\n%{http_code}", url, NULL};
    char *out = NULL;
    if (!run(argv, &out)) {
        g_free(out);
        return NULL;
    }
    return out;
}

static tolk_http_server *start_tls(const char *cert_file, const char *key_file)
{
    tolk_http_server *server = new_server();
    char err[512];
    if (!tolk_http_server_set_tls(server, cert_file, key_file, err, sizeof err))
        g_error("set_tls: %s", err);
    g_assert_true(tolk_http_server_is_tls(server));
    if (!tolk_http_server_start(server, "127.0.0.1", 0, err, sizeof err))
        g_error("start: %s", err);
    return server;
}

static void test_https_request(void)
{
    tolk_http_server *server = start_tls(cert, key);
    char *url = g_strdup_printf("https://127.0.0.1:%d/healthz", tolk_http_server_port(server));
    /* Twice: the key was wiped after start, GnuTLS holds its own copy. */
    for (int i = 0; i < 2; i++) {
        char *out = curl(url);
        g_assert_nonnull(out);
        g_assert_cmpstr(out, ==, "{\"status\":\"ok\"}\n200");
        g_free(out);
    }
    g_free(url);
    tolk_http_server_free(server);
}

static void test_plain_http_to_tls_port_fails(void)
{
    tolk_http_server *server = start_tls(cert, key);
    int port = tolk_http_server_port(server);
    test_reply reply;
    g_assert_false(test_http(port, "GET", "/healthz", NULL, NULL, &reply));
    g_assert_cmpint(reply.status, ==, 0);
    test_reply_clear(&reply);
    char *url = g_strdup_printf("http://127.0.0.1:%d/healthz", port);
    char *out = curl(url);
    g_assert_null(out);
    g_free(url);
    /* The server still answers HTTPS afterwards. */
    url = g_strdup_printf("https://127.0.0.1:%d/healthz", port);
    out = curl(url);
    g_assert_nonnull(out);
    g_assert_true(g_str_has_suffix(out, "\n200"));
    g_free(out);
    g_free(url);
    tolk_http_server_free(server);
}

static void test_plain_server_is_not_tls(void)
{
    tolk_http_server *server = new_server();
    char err[256];
    g_assert_false(tolk_http_server_is_tls(server));
    g_assert_true(tolk_http_server_start(server, "127.0.0.1", 0, err, sizeof err));
    test_reply reply;
    g_assert_true(test_http(tolk_http_server_port(server), "GET", "/healthz", NULL, NULL, &reply));
    g_assert_cmpint(reply.status, ==, 200);
    test_reply_clear(&reply);
    tolk_http_server_free(server);
}

static void test_mismatched_key_refused_at_start(void)
{
    tolk_http_server *server = new_server();
    char err[512];
    g_assert_true(tolk_http_server_set_tls(server, cert, key2, err, sizeof err));
    g_assert_false(tolk_http_server_start(server, "127.0.0.1", 0, err, sizeof err));
    g_test_message("%s", err);
    g_assert_nonnull(strstr(err, cert));
    g_assert_nonnull(strstr(err, key2));
    g_assert_cmpint(tolk_http_server_port(server), ==, 0);
    /* The key is gone: starting again needs set_tls again. */
    g_assert_false(tolk_http_server_start(server, "127.0.0.1", 0, err, sizeof err));
    g_assert_nonnull(strstr(err, "wiped"));
    g_assert_true(tolk_http_server_set_tls(server, cert2, key2, err, sizeof err));
    g_assert_true(tolk_http_server_start(server, "127.0.0.1", 0, err, sizeof err));
    tolk_http_server_free(server);
}

/* set_tls fails with err naming want. */
static void assert_refused(const char *cert_file, const char *key_file, const char *want)
{
    tolk_http_server *server = new_server();
    char err[512];
    g_assert_false(tolk_http_server_set_tls(server, cert_file, key_file, err, sizeof err));
    g_test_message("%s", err);
    g_assert_nonnull(strstr(err, want));
    g_assert_false(tolk_http_server_is_tls(server));
    tolk_http_server_free(server);
}

static void test_bad_files_named(void)
{
    char *missing = path_in_dir("missing.pem");
    char *text = path_in_dir("text.pem");
    char *encrypted = path_in_dir("encrypted.pem");
    write_file(text, "hello\n");
    write_file(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assert_refused(missing, key, missing);
    assert_refused(cert, missing, missing);
    assert_refused(text, key, text);
    assert_refused(cert, text, text);
    assert_refused(key, cert, key);   /* swapped: the "certificate" is the key */
    assert_refused(cert, cert, cert); /* the certificate given as the key */
    assert_refused(cert, encrypted, "encrypted");
    assert_refused(dir, key, dir);    /* a directory */
    g_free(missing);
    g_free(text);
    g_free(encrypted);
}

static bool have_tool(const char *name)
{
    char *path = g_find_program_in_path(name);
    g_free(path);
    return path != NULL;
}

static void remove_dir(void)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    for (const char *name; d && (name = g_dir_read_name(d));) {
        char *child = path_in_dir(name);
        g_remove(child);
        g_free(child);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!have_tool("openssl") || !have_tool("curl")) {
        g_printerr("test_tls: openssl and curl are needed; skipped\n");
        return 77;
    }
    dir = g_dir_make_tmp("tolk-tls-XXXXXX", NULL);
    g_assert_nonnull(dir);
    cert = path_in_dir("cert.pem");
    key = path_in_dir("key.pem");
    cert2 = path_in_dir("cert2.pem");
    key2 = path_in_dir("key2.pem");
    if (!make_pair(cert, key) || !make_pair(cert2, key2))
        g_error("openssl could not make a test certificate");
    g_test_add_func("/tls/https", test_https_request);
    g_test_add_func("/tls/plain-http-fails", test_plain_http_to_tls_port_fails);
    g_test_add_func("/tls/plain-server", test_plain_server_is_not_tls);
    g_test_add_func("/tls/mismatch", test_mismatched_key_refused_at_start);
    g_test_add_func("/tls/bad-files", test_bad_files_named);
    int result = g_test_run();
    remove_dir();
    g_free(dir);
    g_free(cert);
    g_free(key);
    g_free(cert2);
    g_free(key2);
    return result;
}
