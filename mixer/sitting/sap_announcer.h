/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * SAP announcements (RFC 2974) of the AES67 outputs: each session's SDP to 239.255.255.255:9875
 * from the hall address, at once and every TOLK_SAP_INTERVAL_S, and one deletion when it goes,
 * so that a hall system finds Tolk's channels as it finds its own devices'.
 *
 * Threads: announce and withdraw on control threads (under the app lock: they only change the
 * table, behind its own short mutex, and wake the main loop); the sending runs on the main loop
 * (a timer, and an idle source for what is new), outside every lock but the table's, which it
 * holds only to copy the packets due. flush (at exit) sends what is left, on its caller's thread.
 */
#ifndef TOLK_SITTING_SAP_ANNOUNCER_H
#define TOLK_SITTING_SAP_ANNOUNCER_H

#include <stdbool.h>
#include <stdint.h>

#define TOLK_SAP_INTERVAL_S 30
#define TOLK_SAP_TTL 255 /* RFC 2974: the group's administrative scope limits it, not the TTL */

typedef struct tolk_sap_announcer tolk_sap_announcer;

/* hall_address: where announcements leave from (NULL: the routing's); copied. Attaches its
 * timer to the thread-default main context. */
tolk_sap_announcer *tolk_sap_announcer_new(const char *hall_address);
/* Sends the deletions still pending, then frees. */
void tolk_sap_announcer_free(tolk_sap_announcer *a);

/* key: the output's own name ("sitting/o3"). origin: the numeric IPv4 address it is sent from
 * (the SDP's o=). A new key is announced at once, a known one replaced (a new hash) and
 * announced at once. */
void tolk_sap_announce(tolk_sap_announcer *a, const char *key, const char *origin, const char *sdp);
/* The announcement stops; a deletion goes out at once. Unknown keys are ignored. */
void tolk_sap_withdraw(tolk_sap_announcer *a, const char *key);
/* Sends what is due now (the timer's and the idle source's work; the tests call it). */
void tolk_sap_announcer_run(tolk_sap_announcer *a);
/* Packets sent and refused so far. */
uint64_t tolk_sap_announcer_sent(tolk_sap_announcer *a);
uint64_t tolk_sap_announcer_errors(tolk_sap_announcer *a);

#endif
