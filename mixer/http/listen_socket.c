/* SPDX-License-Identifier: EUPL-1.2 */
#include "listen_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LISTEN_BACKLOG 64

static void describe(const struct sockaddr *addr, tolk_listen_socket *out)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        out->port = ntohs(in6->sin6_port);
        snprintf(out->name, sizeof out->name, "[%s]:%d", host, out->port);
    } else {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
        out->port = ntohs(in4->sin_port);
        snprintf(out->name, sizeof out->name, "%s:%d", host, out->port);
    }
}

static bool resolve(const char *address, int port, struct sockaddr_storage *addr, socklen_t *len,
                    char *err, size_t err_size)
{
    struct addrinfo hints = {.ai_family = address ? AF_UNSPEC : AF_INET6,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE};
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo *found = NULL;
    if (getaddrinfo(address, service, &hints, &found) != 0 || !found) {
        snprintf(err, err_size, "The HTTP address \"%s\" is not a numeric IPv4 or IPv6 address.",
                 address ? address : "");
        return false;
    }
    memcpy(addr, found->ai_addr, found->ai_addrlen);
    *len = found->ai_addrlen;
    freeaddrinfo(found);
    return true;
}

/* Binds and listens; false with err filled (errno kept for the caller's message). */
static bool bind_and_listen(int fd, const struct sockaddr_storage *addr, socklen_t len)
{
    int on = 1, off = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    /* One socket for IPv6 and IPv4 when listening on every address. */
    if (addr->ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    return bind(fd, (const struct sockaddr *)addr, len) == 0 && listen(fd, LISTEN_BACKLOG) == 0;
}

static bool open_on(const char *address, int port, tolk_listen_socket *out, char *err, size_t err_size);

bool tolk_listen_socket_open(const char *address, int port, tolk_listen_socket *out, char *err,
                             size_t err_size)
{
    if (open_on(address, port, out, err, err_size))
        return true;
    /* "Every address" on a host without IPv6 falls back to every IPv4 address. */
    if (!address && errno == EAFNOSUPPORT)
        return open_on("0.0.0.0", port, out, err, err_size);
    return false;
}

static bool open_on(const char *address, int port, tolk_listen_socket *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    out->fd = -1;
    if (port < 0 || port > 65535) {
        snprintf(err, err_size, "The HTTP port %d is not between 0 and 65535.", port);
        return false;
    }
    struct sockaddr_storage addr;
    socklen_t len;
    if (!resolve(address, port, &addr, &len, err, err_size))
        return false;
    describe((const struct sockaddr *)&addr, out);
    out->ipv6 = addr.ss_family == AF_INET6;
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || !bind_and_listen(fd, &addr, len)) {
        int saved = errno;
        snprintf(err, err_size, "Cannot listen for HTTP on %s: %s.", out->name, strerror(saved));
        if (fd >= 0)
            close(fd);
        errno = saved;
        return false;
    }
    len = sizeof addr;
    getsockname(fd, (struct sockaddr *)&addr, &len);
    describe((const struct sockaddr *)&addr, out);
    out->fd = fd;
    return true;
}

void tolk_listen_socket_close(tolk_listen_socket *listener)
{
    if (listener->fd >= 0)
        close(listener->fd);
    listener->fd = -1;
}
