/* SPDX-License-Identifier: EUPL-1.2 */
/* Helpers shared by the net tests: loopback UDP receivers. */
#ifndef TOLK_NET_TEST_UTIL_H
#define TOLK_NET_TEST_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* A UDP socket bound to the loopback address of family (AF_INET or AF_INET6) on a free
 * port; returns the fd and stores the port, or -1 (e.g. no IPv6 on this host). */
int net_test_open_receiver(int family, int *port);

/* Waits up to timeout_ms for one datagram; returns its length, or -1 on timeout. */
ssize_t net_test_receive(int fd, void *buf, size_t cap, int timeout_ms);

/* A UDP socket on 127.0.0.1:port with a 4 MiB receive buffer (a video test tool's input); exits
 * the tool when the port is taken. */
int net_test_bind_loopback(int port);

/* A port that was free a moment ago, for tools that bind it themselves. */
int net_test_free_udp_port(void);

#endif
