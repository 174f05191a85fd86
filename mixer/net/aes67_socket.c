/* SPDX-License-Identifier: EUPL-1.2 */
#include "aes67_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* 1 ms packets of 8 channels L24 are 1.2 kB: half a second of them, so a busy receive thread
 * does not lose a burst. */
#define RECEIVE_BUFFER (1 << 20)

static int fail(int fd, tolk_error *err, const char *step)
{
    int failure = errno;
    if (fd >= 0)
        close(fd);
    tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "aes67_socket", NULL, "cannot receive the AES67 stream: %s: %s",
                   step, strerror(failure));
    return -1;
}

static bool is_multicast4(struct in_addr a)
{
    return IN_MULTICAST(ntohl(a.s_addr));
}

static int join4(int fd, struct in_addr group, const char *source, const char *interface_ipv4)
{
    struct in_addr iface = {.s_addr = htonl(INADDR_ANY)};
    if (interface_ipv4 && *interface_ipv4 && inet_pton(AF_INET, interface_ipv4, &iface) != 1)
        return -1;
    if (source && *source) {
        struct ip_mreq_source m = {.imr_multiaddr = group, .imr_interface = iface};
        if (inet_pton(AF_INET, source, &m.imr_sourceaddr) != 1)
            return -1;
        return setsockopt(fd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, &m, sizeof m);
    }
    struct ip_mreq m = {.imr_multiaddr = group, .imr_interface = iface};
    return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m);
}

static int open4(struct in_addr group, int port, const char *source, const char *interface_ipv4, tolk_error *err)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(fd, err, "socket");
    int one = 1, size = RECEIVE_BUFFER;
    bool multicast = is_multicast4(group);
    /* Several receivers of one group on the host (another sitting, a monitor) share the port. */
    if (multicast && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        return fail(fd, err, "SO_REUSEADDR");
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size); /* a smaller buffer still works */
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr = multicast ? group : (struct in_addr){.s_addr = htonl(INADDR_ANY)}};
    if (bind(fd, (struct sockaddr *)&at, sizeof at) < 0)
        return fail(fd, err, "bind");
    if (multicast && join4(fd, group, source, interface_ipv4) < 0)
        return fail(fd, err, "joining the multicast group");
    return fd;
}

static int open6(struct in6_addr group, int port, tolk_error *err)
{
    int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(fd, err, "socket");
    int one = 1;
    bool multicast = IN6_IS_ADDR_MULTICAST(&group);
    if (multicast && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        return fail(fd, err, "SO_REUSEADDR");
    struct sockaddr_in6 at = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
                              .sin6_addr = multicast ? group : in6addr_any};
    if (bind(fd, (struct sockaddr *)&at, sizeof at) < 0)
        return fail(fd, err, "bind");
    struct ipv6_mreq m = {.ipv6mr_multiaddr = group, .ipv6mr_interface = 0};
    if (multicast && setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof m) < 0)
        return fail(fd, err, "joining the multicast group");
    return fd;
}

int tolk_aes67_socket_open(const char *group, int port, const char *source, const char *interface_ipv4,
                           tolk_error *err)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (port < 1 || port > 65535) {
        errno = EINVAL;
        return fail(-1, err, "port");
    }
    if (inet_pton(AF_INET, group, &a4) == 1)
        return open4(a4, port, source, interface_ipv4, err);
    if (inet_pton(AF_INET6, group, &a6) == 1)
        return open6(a6, port, err);
    errno = EINVAL;
    return fail(-1, err, "address");
}
