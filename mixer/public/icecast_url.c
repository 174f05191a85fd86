/* SPDX-License-Identifier: EUPL-1.2 */
#include "icecast_url.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A mount is a path Icecast keeps as given: printable ASCII without spaces, query or
 * fragment, so it can go into a request line and a status page's listenurl unchanged. */
static bool mount_ok(const char *mount)
{
    if (mount[0] != '/' || mount[1] == '\0')
        return false;
    for (const char *p = mount; *p; p++) {
        if (*p <= ' ' || *p >= 0x7f || *p == '?' || *p == '#' || *p == '%' || *p == '\\')
            return false;
    }
    return true;
}

static bool host_ok(const char *host)
{
    if (!*host)
        return false;
    for (const char *p = host; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != ':' && *p != '_')
            return false;
    }
    return true;
}

/* "host", "host:port", "[v6]" or "[v6]:port". */
static bool split_authority(const char *auth, size_t len, tolk_icecast_target *out, const char **why)
{
    const char *end = auth + len, *port = NULL, *host = auth, *host_end = end;
    if (len > 0 && auth[0] == '[') {
        const char *close = memchr(auth, ']', len);
        if (!close) {
            *why = "has an IPv6 address without its closing ]";
            return false;
        }
        host = auth + 1;
        host_end = close;
        if (close + 1 < end && close[1] != ':') {
            *why = "has text after its IPv6 address";
            return false;
        }
        port = close + 1 < end ? close + 2 : NULL;
    } else {
        const char *colon = memchr(auth, ':', len);
        if (colon) {
            host_end = colon;
            port = colon + 1;
        }
    }
    size_t host_len = (size_t)(host_end - host);
    if (memchr(auth, '@', len)) {
        *why = "must not carry a user or password (they are fields of their own)";
        return false;
    }
    if (host_len == 0 || host_len >= sizeof out->host) {
        *why = "needs a host";
        return false;
    }
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';
    if (!host_ok(out->host)) {
        *why = "has a host that is not a name or an address";
        return false;
    }
    out->port = out->tls ? 443 : 8000;
    if (port) {
        char digits[8] = "";
        size_t n = (size_t)(end - port);
        if (n == 0 || n >= sizeof digits || strspn(port, "0123456789") < n) {
            *why = "has a port that is not a number from 1 to 65535";
            return false;
        }
        memcpy(digits, port, n);
        out->port = atoi(digits);
        if (out->port < 1 || out->port > 65535) {
            *why = "has a port that is not a number from 1 to 65535";
            return false;
        }
    }
    return true;
}

bool tolk_icecast_url_parse(const char *url, tolk_icecast_target *out, const char **why)
{
    memset(out, 0, sizeof *out);
    const char *rest;
    if (g_str_has_prefix(url, "http://")) {
        rest = url + 7;
    } else if (g_str_has_prefix(url, "https://")) {
        out->tls = true;
        rest = url + 8;
    } else {
        *why = "must start with http:// or https://";
        return false;
    }
    const char *slash = strchr(rest, '/');
    if (!slash) {
        *why = "needs a mount, as in http://host:8000/en.opus";
        return false;
    }
    if (!split_authority(rest, (size_t)(slash - rest), out, why))
        return false;
    if (strlen(slash) >= sizeof out->mount || !mount_ok(slash)) {
        *why = "has a mount that is not a plain path (no spaces, ?, # or %)";
        return false;
    }
    g_strlcpy(out->mount, slash, sizeof out->mount);
    return true;
}

void tolk_icecast_url_of(const tolk_icecast_target *t, const char *path, char *out, size_t size)
{
    bool v6 = strchr(t->host, ':') != NULL;
    snprintf(out, size, "%s://%s%s%s:%d%s", t->tls ? "https" : "http", v6 ? "[" : "", t->host, v6 ? "]" : "", t->port,
             path);
}
