/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Where an Icecast source goes: "http://host:port/mount" or "https://..." taken apart for
 * libshout (host, port, mount, TLS), and the URLs made from it (what listeners open by
 * default, the server's status-json.xsl the listener count is read from). No user or
 * password in the URL: those are fields of their own, so the URL may be shown.
 * Threads: plain values and pure functions.
 */
#ifndef TOLK_PUBLIC_ICECAST_URL_H
#define TOLK_PUBLIC_ICECAST_URL_H

#include <stdbool.h>
#include <stddef.h>

#define TOLK_ICECAST_URL_SIZE 512
#define TOLK_ICECAST_HOST_SIZE 256
#define TOLK_ICECAST_MOUNT_SIZE 256

typedef struct {
    bool tls;                              /* https */
    char host[TOLK_ICECAST_HOST_SIZE];     /* a name, an IPv4 address or an IPv6 one (no brackets) */
    int port;                              /* 8000 when not given for http, 443 for https... see .c */
    char mount[TOLK_ICECAST_MOUNT_SIZE];   /* "/en.opus" */
} tolk_icecast_target;

/* False with why (a short phrase: "must start with http:// or https://") when url is not one
 * Tolk can send to. */
bool tolk_icecast_url_parse(const char *url, tolk_icecast_target *out, const char **why);
/* The server's URL of its mount, or of its status page, into out (size bytes). */
void tolk_icecast_url_of(const tolk_icecast_target *t, const char *path, char *out, size_t size);

#endif
