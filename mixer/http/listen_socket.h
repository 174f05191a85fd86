/* SPDX-License-Identifier: EUPL-1.2 */
/* Opens the HTTP listening socket ourselves, so that a taken port or a bad address
 * gives the operator a precise sentence instead of MHD's generic failure. */
#ifndef TOLK_HTTP_LISTEN_SOCKET_H
#define TOLK_HTTP_LISTEN_SOCKET_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int fd;
    bool ipv6;
    int port;       /* the bound port, also when 0 was asked */
    char name[80];  /* "[::1]:8080" or "127.0.0.1:8080", for messages */
} tolk_listen_socket;

/* address: a numeric IPv4/IPv6 address, or NULL for every address (IPv6 and IPv4). */
bool tolk_listen_socket_open(const char *address, int port, tolk_listen_socket *out, char *err,
                             size_t err_size);
void tolk_listen_socket_close(tolk_listen_socket *listener);

#endif
