/* SPDX-License-Identifier: EUPL-1.2 */
#include "hall_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

bool tolk_hall_destination(const char *host, int port, struct sockaddr_in *out)
{
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = htons((uint16_t)port);
    return port > 0 && port < 65536 && inet_pton(AF_INET, host, &out->sin_addr) == 1;
}

static bool set_int(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value) == 0;
}

static bool bind_to_hall(int fd, const char *hall_address)
{
    struct sockaddr_in local;
    if (!tolk_hall_destination(hall_address, 1, &local))
        return false;
    local.sin_port = 0;
    struct in_addr interface = local.sin_addr;
    return bind(fd, (struct sockaddr *)&local, sizeof local) == 0 &&
           setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &interface, sizeof interface) == 0;
}

int tolk_hall_socket_open(const char *hall_address, int ttl, int tos, tolk_error *err)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "no UDP socket for the hall: %s",
                       strerror(errno));
        return -1;
    }
    /* Our own multicast is looped back: a receiver on this host (a monitor, the tests) hears it. */
    if (!set_int(fd, IPPROTO_IP, IP_TOS, tos) || !set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl) ||
        !set_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 1)) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "the hall socket refuses its options: %s",
                       strerror(errno));
        close(fd);
        return -1;
    }
    if (hall_address && !bind_to_hall(fd, hall_address)) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", "hall_address",
                       "cannot send from the hall address %s: %s", hall_address, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

bool tolk_hall_source_address(const char *hall_address, const char *host, char *out)
{
    out[0] = '\0';
    if (hall_address) {
        struct sockaddr_in a;
        if (!tolk_hall_destination(hall_address, 1, &a))
            return false;
        return inet_ntop(AF_INET, &a.sin_addr, out, INET_ADDRSTRLEN) != NULL;
    }
    struct sockaddr_in dest, local;
    socklen_t len = sizeof local;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    /* connect() on UDP sends nothing: it asks the routing which source it would use. */
    bool ok = tolk_hall_destination(host, 9, &dest) && connect(fd, (struct sockaddr *)&dest, sizeof dest) == 0 &&
              getsockname(fd, (struct sockaddr *)&local, &len) == 0 &&
              inet_ntop(AF_INET, &local.sin_addr, out, INET_ADDRSTRLEN) != NULL;
    close(fd);
    return ok;
}

/* The interface name that holds the IPv4 address, into name (IFNAMSIZ-ish). */
static bool interface_of(const struct ifaddrs *list, struct in_addr address, const char **name)
{
    for (const struct ifaddrs *i = list; i; i = i->ifa_next) {
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
            ((const struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == address.s_addr) {
            *name = i->ifa_name;
            return true;
        }
    }
    return false;
}

bool tolk_hall_interface_mac(const char *address, char *out)
{
    out[0] = '\0';
    struct in_addr a;
    struct ifaddrs *list;
    if (inet_pton(AF_INET, address, &a) != 1 || getifaddrs(&list) != 0)
        return false;
    const char *name = NULL;
    bool found = false;
    if (interface_of(list, a, &name)) {
        for (const struct ifaddrs *i = list; i && !found; i = i->ifa_next) {
            if (!i->ifa_addr || i->ifa_addr->sa_family != AF_PACKET || strcmp(i->ifa_name, name) != 0)
                continue;
            const struct sockaddr_ll *ll = (const struct sockaddr_ll *)i->ifa_addr;
            if (ll->sll_halen != 6)
                continue;
            snprintf(out, 18, "%02X-%02X-%02X-%02X-%02X-%02X", ll->sll_addr[0], ll->sll_addr[1], ll->sll_addr[2],
                     ll->sll_addr[3], ll->sll_addr[4], ll->sll_addr[5]);
            found = true;
        }
    }
    freeifaddrs(list);
    return found;
}
