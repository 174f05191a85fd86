/* SPDX-License-Identifier: EUPL-1.2 */
#include "ports.h"

#define TOLK_LOG_MODULE "ports"
#include "log.h"

struct tolk_ports {
    GInetAddress *address;
    int lo, hi;
    GMutex lock; /* guards next: sessions are built outside the app lock, side by side */
    int next;    /* round robin, so that a port just freed is not reused at once */
};

tolk_ports *tolk_ports_new(const char *address, int lo, int hi)
{
    GInetAddress *inet = g_inet_address_new_from_string(address);
    if (!inet)
        return NULL;
    tolk_ports *ports = g_new0(tolk_ports, 1);
    ports->address = inet;
    ports->lo = lo + (lo & 1);
    ports->hi = hi;
    ports->next = ports->lo;
    g_mutex_init(&ports->lock);
    return ports;
}

void tolk_ports_free(tolk_ports *ports)
{
    if (!ports)
        return;
    g_object_unref(ports->address);
    g_mutex_clear(&ports->lock);
    g_free(ports);
}

static GSocket *try_bind(tolk_ports *ports, int port)
{
    GSocketFamily family = g_inet_address_get_family(ports->address);
    GSocket *socket = g_socket_new(family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    if (!socket)
        return NULL;
    GSocketAddress *where = g_inet_socket_address_new(ports->address, (guint16)port);
    gboolean bound = g_socket_bind(socket, where, FALSE, NULL);
    g_object_unref(where);
    if (!bound)
        g_clear_object(&socket);
    return socket;
}

/* Under ports->lock: two builders never try the same port at once. */
static GSocket *bind_next(tolk_ports *ports, int *port_out)
{
    int count = (ports->hi - ports->lo) / 2 + 1;
    for (int i = 0; i < count; i++) {
        int port = ports->next;
        ports->next = port + 2 > ports->hi ? ports->lo : port + 2;
        GSocket *socket = try_bind(ports, port);
        if (socket) {
            *port_out = port;
            return socket;
        }
    }
    return NULL;
}

GSocket *tolk_ports_bind(tolk_ports *ports, int *port_out)
{
    g_mutex_lock(&ports->lock);
    GSocket *socket = bind_next(ports, port_out);
    g_mutex_unlock(&ports->lock);
    if (!socket)
        LOG_WARN("no free UDP port left in %d-%d", ports->lo, ports->hi);
    return socket;
}

GSocket *tolk_ports_bind_at(tolk_ports *ports, int port)
{
    if (port < ports->lo || port > ports->hi)
        LOG_WARN("port %d is outside --rtp-ports %d-%d: kept, as senders were given it", port, ports->lo, ports->hi);
    g_mutex_lock(&ports->lock);
    GSocket *socket = port > 0 && port < 65536 ? try_bind(ports, port) : NULL;
    g_mutex_unlock(&ports->lock);
    if (!socket)
        LOG_WARN("port %d cannot be bound again: another program has it", port);
    return socket;
}
