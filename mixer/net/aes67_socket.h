/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The UDP socket an AES67 stream (or SAP) is received on: bound to the stream's port, and for
 * a multicast address joined on the hall interface, source-specific when the SDP names its
 * source (IGMPv3 then keeps every other sender out in the kernel). Plain POSIX sockets.
 *
 * Threads: any thread; each call on its own socket.
 */
#ifndef TOLK_NET_AES67_SOCKET_H
#define TOLK_NET_AES67_SOCKET_H

#include <stdbool.h>

#include "error.h"

/* A non-blocking, close-on-exec datagram socket bound to port (on the group for multicast, so
 * that only the group's datagrams arrive; on any address for unicast). group: the numeric
 * destination (IPv4 or IPv6); source: the only sender to join for (NULL or "": any);
 * interface_ipv4: the hall interface's IPv4 address (NULL: the kernel's choice). The fd, or -1
 * with *err (unavailable, code aes67_socket) naming the step that failed. */
int tolk_aes67_socket_open(const char *group, int port, const char *source, const char *interface_ipv4,
                           tolk_error *err);

#endif
