/* SPDX-License-Identifier: EUPL-1.2 */
/* UDP ports for inputs: bound here, before the media starts, so that a taken
 * port is skipped instead of failing a pipeline later. Any thread: sessions are
 * built outside the app lock, so the range has a lock of its own. */
#ifndef TOLK_PORTS_H
#define TOLK_PORTS_H

#include <gio/gio.h>

typedef struct tolk_ports tolk_ports;

/* Even ports from lo to hi (RTP convention: the odd one above is RTCP's). */
tolk_ports *tolk_ports_new(const char *address, int lo, int hi);
void tolk_ports_free(tolk_ports *ports);
/* A bound UDP socket on the next free even port, NULL when the range is exhausted. */
GSocket *tolk_ports_bind(tolk_ports *ports, int *port_out);
/* That very port (a sitting restored after a restart keeps its ports), NULL when taken. */
GSocket *tolk_ports_bind_at(tolk_ports *ports, int port);

#endif
