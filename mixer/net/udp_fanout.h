/* SPDX-License-Identifier: EUPL-1.2 */
/* A set of UDP destinations that receive the same datagrams. Not thread-safe: the owner
 * (srtp_sender) serialises access. One non-blocking socket per address family, created when
 * the first destination of that family is added. */
#ifndef TOLK_NET_UDP_FANOUT_H
#define TOLK_NET_UDP_FANOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct {
    struct sockaddr_storage addr;
    socklen_t addr_len;
} tolk_udp_address;

typedef struct {
    int id;
    tolk_udp_address address;
} tolk_udp_destination;

typedef struct {
    int socket_v4;
    int socket_v6;
    tolk_udp_destination *destinations;
    size_t count;
    size_t capacity;
    int next_id;
} tolk_udp_fanout;

typedef struct {
    uint64_t sent;
    uint64_t errors;
} tolk_udp_send_result;

/* Numeric IPv4 or IPv6 host (getaddrinfo with AI_NUMERICHOST) and port 1..65535. */
bool tolk_udp_address_parse(const char *host, int port, tolk_udp_address *out);

void tolk_udp_fanout_init(tolk_udp_fanout *fanout);
/* Returns the new destination's id, or -1 if its socket cannot be created. */
int tolk_udp_fanout_add(tolk_udp_fanout *fanout, const tolk_udp_address *address);
bool tolk_udp_fanout_remove(tolk_udp_fanout *fanout, int id);
/* One sendto per destination; never blocks and never allocates. */
tolk_udp_send_result tolk_udp_fanout_send(const tolk_udp_fanout *fanout, const void *data,
                                          size_t len);
/* One sendto to the destination at index (0..count-1, in the order they were added, removals
 * closing the gap): for owners that send different bytes to some destinations. */
bool tolk_udp_fanout_send_at(const tolk_udp_fanout *fanout, size_t index, const void *data,
                             size_t len);
/* Closes the sockets and frees the destination list. */
void tolk_udp_fanout_clear(tolk_udp_fanout *fanout);

#endif
