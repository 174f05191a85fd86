/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * UDP sockets towards the hall network (AES67 media, SAP announcements), IPv4: non-blocking
 * (a full buffer costs a packet, never a stalled thread), bound to the hall address when one
 * is configured (--hall-address) so that packets leave from it and multicast by its interface
 * (IP_MULTICAST_IF), with a DSCP class (IP_TOS) and a multicast TTL. Any thread; each socket
 * is its caller's.
 */
#ifndef TOLK_NET_HALL_SOCKET_H
#define TOLK_NET_HALL_SOCKET_H

#include <netinet/in.h>
#include <stdbool.h>

#include "error.h"

#define TOLK_DSCP_EF_TOS 0xb8 /* DSCP 46 (expedited forwarding) in the TOS byte: AES67 media */
#define TOLK_DSCP_CS0_TOS 0x00

/* A socket; -1 with *err (unavailable, naming hall_address when it cannot be bound). hall_address
 * NULL: the routing chooses. ttl 1..255 for multicast. */
int tolk_hall_socket_open(const char *hall_address, int ttl, int tos, tolk_error *err);
/* host:port (numeric IPv4) as a socket address; false when host is not one. */
bool tolk_hall_destination(const char *host, int port, struct sockaddr_in *out);
/* The address packets to host leave from: hall_address, or the routing's choice (a connected
 * socket's name); false (out "") when there is no route. out holds INET_ADDRSTRLEN bytes. */
bool tolk_hall_source_address(const char *hall_address, const char *host, char *out);
/* The MAC address of the interface that holds address, as "CA-FE-01-CA-FE-02" (a=ts-refclk:localmac
 * without PTP); false (out "") when no interface has it. out holds 18 bytes. */
bool tolk_hall_interface_mac(const char *address, char *out);

#endif
