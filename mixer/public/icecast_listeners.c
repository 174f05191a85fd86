/* SPDX-License-Identifier: EUPL-1.2 */
/* The listener count of each streaming source, read every POLL_US from its server's
 * status-json.xsl (public in Icecast 2.4, no admin password) on a thread of its own: a
 * server that answers slowly delays only the next count, never a send or the audio. */
#include "icecast_private.h"

#include <gio/gio.h>
#include <json-c/json.h>
#include <string.h>

#define POLL_US (10 * G_USEC_PER_SEC)
#define TIMEOUT_S 3
#define BODY_MAX (1024 * 1024)

/* HTTP/1.0 GET of path, the whole reply (headers and body) into a new string, NULL on failure. */
static char *http_get(const tolk_icecast_target *t, const char *path)
{
    GSocketClient *client = g_socket_client_new();
    g_socket_client_set_timeout(client, TIMEOUT_S);
    g_socket_client_set_tls(client, t->tls);
    GSocketConnection *conn = g_socket_client_connect_to_host(client, t->host, (guint16)t->port, NULL, NULL);
    g_object_unref(client);
    if (!conn)
        return NULL;
    bool v6 = strchr(t->host, ':') != NULL;
    char *request = g_strdup_printf("GET %s HTTP/1.0\r\nHost: %s%s%s:%d\r\nUser-Agent: Tolk\r\n\r\n", path,
                                    v6 ? "[" : "", t->host, v6 ? "]" : "", t->port);
    GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
    GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
    GByteArray *reply = g_byte_array_new();
    if (g_output_stream_write_all(out, request, strlen(request), NULL, NULL, NULL)) {
        guint8 buf[8192];
        gssize n;
        while (reply->len < BODY_MAX && (n = g_input_stream_read(in, buf, sizeof buf, NULL, NULL)) > 0)
            g_byte_array_append(reply, buf, (guint)n);
    }
    g_free(request);
    g_object_unref(conn);
    g_byte_array_append(reply, (const guint8 *)"", 1);
    return (char *)g_byte_array_free(reply, FALSE);
}

/* The mount's entry: icestats.source is one object or an array of them, each with its
 * listenurl (the server's own host name and port, so only the path is compared). */
static int listeners_of(json_object *stats, const char *mount)
{
    json_object *icestats = json_object_object_get(stats, "icestats");
    json_object *source = icestats ? json_object_object_get(icestats, "source") : NULL;
    size_t n = json_object_is_type(source, json_type_array) ? json_object_array_length(source) : source ? 1 : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *s = json_object_is_type(source, json_type_array) ? json_object_array_get_idx(source, i) : source;
        const char *url = json_object_get_string(json_object_object_get(s, "listenurl"));
        size_t ul = url ? strlen(url) : 0, ml = strlen(mount);
        json_object *count = json_object_object_get(s, "listeners");
        if (ul >= ml && strcmp(url + ul - ml, mount) == 0 && json_object_is_type(count, json_type_int))
            return json_object_get_int(count);
    }
    return n > 0 || icestats ? 0 : -1; /* the server answers and has no such mount: nobody listens */
}

static int read_listeners(const tolk_icecast_source *src)
{
    char *reply = http_get(&src->target, "/status-json.xsl");
    if (!reply)
        return -1;
    int count = -1;
    char *body = strstr(reply, "\r\n\r\n");
    if (g_str_has_prefix(reply, "HTTP/1.") && strncmp(reply + 8, " 200", 4) == 0 && body) {
        json_object *stats = json_tokener_parse(body + 4);
        if (stats)
            count = listeners_of(stats, src->target.mount);
        json_object_put(stats);
    }
    g_free(reply);
    return count;
}

gpointer tolk_icecast_listeners_main(gpointer unused)
{
    (void)unused;
    for (;;) {
        g_usleep(POLL_US);
        GPtrArray *now = tolk_icecast_thread_sources();
        for (guint i = 0; i < now->len; i++) {
            tolk_icecast_source *src = g_ptr_array_index(now, i);
            tolk_icecast_status status;
            tolk_icecast_source_status(src, &status);
            if (status.state == TOLK_ICECAST_STREAMING && !atomic_load(&src->released))
                tolk_icecast_source_set_listeners(src, read_listeners(src));
            tolk_icecast_source_unref(src);
        }
        g_ptr_array_unref(now);
    }
    return NULL;
}
