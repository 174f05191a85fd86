/* SPDX-License-Identifier: EUPL-1.2 */
#include "net_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int net_test_open_receiver(int family, int *port)
{
    int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int rc;
    if (family == AF_INET6) {
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
        rc = bind(fd, (struct sockaddr *)&a, sizeof a);
    } else {
        struct sockaddr_in a = {.sin_family = AF_INET};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        rc = bind(fd, (struct sockaddr *)&a, sizeof a);
    }
    if (rc != 0 || (*port = bound_port(fd)) <= 0) {
        close(fd);
        return -1;
    }
    return fd;
}

ssize_t net_test_receive(int fd, void *buf, size_t cap, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) != 1)
        return -1;
    return recv(fd, buf, cap, 0);
}

int net_test_free_udp_port(void)
{
    /* Ask the kernel for an ephemeral port, then release it; ffmpeg binds it and also
     * port+1 for RTCP, so look for an even port with a free neighbour. */
    for (int attempt = 0; attempt < 50; attempt++) {
        int port = 0;
        int fd = net_test_open_receiver(AF_INET, &port);
        if (fd < 0)
            return -1;
        close(fd);
        if (port % 2 != 0 || port >= 65535)
            continue;
        int next_fd = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(port + 1))};
        int rc = bind(next_fd, (struct sockaddr *)&a, sizeof a);
        close(next_fd);
        if (rc == 0)
            return port;
    }
    return -1;
}

int net_test_bind_loopback(int port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int size = 4 << 20;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    if (fd < 0 || bind(fd, (struct sockaddr *)&at, sizeof at) < 0) {
        perror("bind");
        exit(2);
    }
    return fd;
}
