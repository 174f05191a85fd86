/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * SAP (RFC 2974) packets: the announcement and the deletion of a session, as AES67 devices
 * send them to 239.255.255.255:9875 every 30 s or so. Only the packet format: no socket, no
 * timer. Pure functions on bytes; any thread.
 */
#ifndef TOLK_NET_SAP_H
#define TOLK_NET_SAP_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOLK_SAP_GROUP "239.255.255.255" /* the administratively scoped group AES67 uses */
#define TOLK_SAP_PORT 9875
#define TOLK_SAP_MAX_SEND 1024   /* RFC 2974 3: a packet SHOULD NOT be larger */
#define TOLK_SAP_MAX_PACKET 4096 /* what is read: more than any device sends */
#define TOLK_SAP_MIME "application/sdp"

typedef struct {
    bool deletion;
    uint16_t msg_id_hash;
    bool ipv6;
    char origin[46];  /* the announcer's address, numeric */
    const char *sdp;  /* points into the packet; not NUL-terminated */
    size_t sdp_len;   /* > 0 */
} tolk_sap_message;

/* A message id hash of an SDP text: changes when the text does, never 0 (RFC 2974 5:
 * a 0 hash means the receiver cannot tell versions apart). */
uint16_t tolk_sap_hash(const char *sdp, size_t len);

/* Writes a SAP v1 packet (IPv4 origin, no authentication, no encryption, no compression,
 * payload type application/sdp) carrying sdp into buf. deletion makes it a deletion (its
 * SDP may be the whole one or just the o= line). Returns the packet's length, or 0 with
 * err invalid / invalid_value naming the argument (origin not numeric IPv4, hash 0, empty
 * sdp, the packet above TOLK_SAP_MAX_SEND or size). */
size_t tolk_sap_build(bool deletion, const char *origin_ipv4, uint16_t msg_id_hash,
                      const char *sdp, uint8_t *buf, size_t size, tolk_error *err);

/* Reads one received datagram. Refuses with err invalid / invalid_sap and a message naming
 * the field: too short or too long, a version other than 1, encrypted, compressed or
 * authenticated packets (Tolk has no keys for them), a payload type other than
 * application/sdp, an empty payload. msg->sdp points into packet. */
bool tolk_sap_parse(const uint8_t *packet, size_t len, tolk_sap_message *msg, tolk_error *err);

#endif
