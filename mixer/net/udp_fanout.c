/* SPDX-License-Identifier: EUPL-1.2 */
#include "udp_fanout.h"

#define TOLK_LOG_MODULE "net"
#include "log.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool tolk_udp_address_parse(const char *host, int port, tolk_udp_address *out)
{
    if (host == NULL || port < 1 || port > 65535)
        return false;
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_DGRAM,
        .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
    };
    struct addrinfo *result = NULL;
    if (getaddrinfo(host, service, &hints, &result) != 0 || result == NULL)
        return false;
    bool ok = result->ai_addrlen <= sizeof out->addr;
    if (ok) {
        memset(out, 0, sizeof *out);
        memcpy(&out->addr, result->ai_addr, result->ai_addrlen);
        out->addr_len = result->ai_addrlen;
    }
    freeaddrinfo(result);
    return ok;
}

void tolk_udp_fanout_init(tolk_udp_fanout *fanout)
{
    memset(fanout, 0, sizeof *fanout);
    fanout->socket_v4 = -1;
    fanout->socket_v6 = -1;
}

static int *socket_slot(tolk_udp_fanout *fanout, int family)
{
    return family == AF_INET6 ? &fanout->socket_v6 : &fanout->socket_v4;
}

static bool ensure_socket(tolk_udp_fanout *fanout, int family)
{
    int *slot = socket_slot(fanout, family);
    if (*slot >= 0)
        return true;
    /* Non-blocking: a full socket buffer must cost a dropped packet, never a stalled
     * media thread. */
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        LOG_WARN("cannot create a UDP socket for %s outputs: %s", family == AF_INET6 ? "IPv6" : "IPv4",
                 strerror(errno));
        return false;
    }
    *slot = fd;
    return true;
}

static bool ensure_capacity(tolk_udp_fanout *fanout)
{
    if (fanout->count < fanout->capacity)
        return true;
    size_t capacity = fanout->capacity ? fanout->capacity * 2 : 4;
    tolk_udp_destination *grown = realloc(fanout->destinations, capacity * sizeof *grown);
    if (grown == NULL)
        return false;
    fanout->destinations = grown;
    fanout->capacity = capacity;
    return true;
}

int tolk_udp_fanout_add(tolk_udp_fanout *fanout, const tolk_udp_address *address)
{
    if (fanout->next_id == INT_MAX || !ensure_socket(fanout, address->addr.ss_family) ||
        !ensure_capacity(fanout))
        return -1;
    tolk_udp_destination *d = &fanout->destinations[fanout->count++];
    d->id = fanout->next_id++;
    d->address = *address;
    return d->id;
}

bool tolk_udp_fanout_remove(tolk_udp_fanout *fanout, int id)
{
    for (size_t i = 0; i < fanout->count; i++) {
        if (fanout->destinations[i].id != id)
            continue;
        memmove(&fanout->destinations[i], &fanout->destinations[i + 1],
                (fanout->count - i - 1) * sizeof fanout->destinations[0]);
        fanout->count--;
        return true;
    }
    return false;
}

bool tolk_udp_fanout_send_at(const tolk_udp_fanout *fanout, size_t index, const void *data,
                             size_t len)
{
    if (index >= fanout->count)
        return false;
    const tolk_udp_address *a = &fanout->destinations[index].address;
    int fd = a->addr.ss_family == AF_INET6 ? fanout->socket_v6 : fanout->socket_v4;
    ssize_t n = sendto(fd, data, len, MSG_NOSIGNAL, (const struct sockaddr *)&a->addr, a->addr_len);
    return n == (ssize_t)len;
}

tolk_udp_send_result tolk_udp_fanout_send(const tolk_udp_fanout *fanout, const void *data,
                                          size_t len)
{
    tolk_udp_send_result result = {0, 0};
    for (size_t i = 0; i < fanout->count; i++) {
        if (tolk_udp_fanout_send_at(fanout, i, data, len))
            result.sent++;
        else
            result.errors++;
    }
    return result;
}

void tolk_udp_fanout_clear(tolk_udp_fanout *fanout)
{
    if (fanout->socket_v4 >= 0)
        close(fanout->socket_v4);
    if (fanout->socket_v6 >= 0)
        close(fanout->socket_v6);
    free(fanout->destinations);
    tolk_udp_fanout_init(fanout);
}
