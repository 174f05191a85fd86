/* SPDX-License-Identifier: EUPL-1.2 */
/* SAP v1 packets, written and read. The header (RFC 2974 3):
 *   byte 0  V=1 (3 bits) A R T E C     A: IPv6 origin, T: deletion, E: encrypted, C: zlib
 *   byte 1  authentication length, in 32-bit words
 *   2..3    message id hash
 *   origin  4 or 16 bytes
 *   auth    4 x length bytes
 *   "application/sdp\0" (may be left out when the payload begins "v=0")
 *   payload
 * Pure functions: see sap.h. */
#include "sap.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#define SAP_V1 0x20
#define SAP_A 0x10
#define SAP_T 0x04
#define SAP_E 0x02
#define SAP_C 0x01

uint16_t tolk_sap_hash(const char *sdp, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a, folded to 16 bits */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)sdp[i]) * 16777619u;
    uint16_t folded = (uint16_t)(h ^ (h >> 16));
    return folded ? folded : 1;
}

static size_t build_fail(tolk_error *err, const char *field, const char *what)
{
    tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", field, "%s: %s", field, what);
    return 0;
}

size_t tolk_sap_build(bool deletion, const char *origin_ipv4, uint16_t msg_id_hash,
                      const char *sdp, uint8_t *buf, size_t size, tolk_error *err)
{
    struct in_addr origin;
    if (!origin_ipv4 || inet_pton(AF_INET, origin_ipv4, &origin) != 1)
        return build_fail(err, "origin", "a numeric IPv4 address");
    if (msg_id_hash == 0)
        return build_fail(err, "msg_id_hash", "not 0");
    size_t sdp_len = sdp ? strlen(sdp) : 0;
    if (sdp_len == 0)
        return build_fail(err, "sdp", "empty");
    size_t total = 8 + sizeof TOLK_SAP_MIME + sdp_len;
    if (total > TOLK_SAP_MAX_SEND || total > size)
        return build_fail(err, "sdp", "the packet would exceed 1024 bytes (or the buffer)");
    buf[0] = (uint8_t)(SAP_V1 | (deletion ? SAP_T : 0));
    buf[1] = 0;
    buf[2] = (uint8_t)(msg_id_hash >> 8);
    buf[3] = (uint8_t)msg_id_hash;
    memcpy(buf + 4, &origin, 4); /* already in network order */
    memcpy(buf + 8, TOLK_SAP_MIME, sizeof TOLK_SAP_MIME);
    memcpy(buf + 8 + sizeof TOLK_SAP_MIME, sdp, sdp_len);
    return total;
}

static bool parse_fail(tolk_error *err, const char *what)
{
    tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_sap", "sap", "SAP packet: %s", what);
    return false;
}

/* The optional payload type: a NUL-terminated MIME type, left out before a bare "v=0". */
static bool payload_type(const uint8_t *p, size_t left, size_t *skip, tolk_error *err)
{
    if (left >= 3 && memcmp(p, "v=0", 3) == 0) {
        *skip = 0;
        return true;
    }
    const uint8_t *nul = memchr(p, '\0', left < 64 ? left : 64);
    if (!nul)
        return parse_fail(err, "payload type: no NUL-terminated MIME type in its first 64 bytes, and no v=0");
    if ((size_t)(nul - p) != strlen(TOLK_SAP_MIME) || strncasecmp((const char *)p, TOLK_SAP_MIME, strlen(TOLK_SAP_MIME)) != 0)
        return parse_fail(err, "payload type: only application/sdp is taken");
    *skip = (size_t)(nul - p) + 1;
    return true;
}

bool tolk_sap_parse(const uint8_t *packet, size_t len, tolk_sap_message *msg, tolk_error *err)
{
    memset(msg, 0, sizeof *msg);
    if (len < 8)
        return parse_fail(err, "shorter than a SAP header");
    if (len > TOLK_SAP_MAX_PACKET)
        return parse_fail(err, "longer than 4096 bytes");
    if ((packet[0] >> 5) != 1)
        return parse_fail(err, "version: only SAP version 1 is taken");
    if (packet[0] & SAP_E)
        return parse_fail(err, "encrypted: Tolk holds no SAP keys, so encrypted packets are refused");
    if (packet[0] & SAP_C)
        return parse_fail(err, "compressed: zlib-compressed payloads are refused");
    if (packet[1] != 0)
        return parse_fail(err, "authenticated: packets with authentication data are refused");
    msg->ipv6 = packet[0] & SAP_A;
    msg->deletion = packet[0] & SAP_T;
    msg->msg_id_hash = (uint16_t)(packet[2] << 8 | packet[3]);
    size_t pos = 4 + (msg->ipv6 ? 16 : 4);
    if (len <= pos)
        return parse_fail(err, "origin: the packet ends inside it");
    inet_ntop(msg->ipv6 ? AF_INET6 : AF_INET, packet + 4, msg->origin, sizeof msg->origin);
    size_t skip;
    if (!payload_type(packet + pos, len - pos, &skip, err))
        return false;
    pos += skip;
    size_t end = len;
    while (end > pos && packet[end - 1] == '\0')
        end--; /* some announcers end the SDP with a NUL */
    if (end == pos)
        return parse_fail(err, "payload: empty");
    if (memchr(packet + pos, '\0', end - pos))
        return parse_fail(err, "payload: a NUL inside the SDP");
    msg->sdp = (const char *)packet + pos;
    msg->sdp_len = end - pos;
    return true;
}
