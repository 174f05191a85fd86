/* SPDX-License-Identifier: EUPL-1.2 */
/* RTP and RTCP headers as they arrive on an input port: which of the two a datagram is
 * (RFC 5761 multiplexing), and a strict parse of a plain (unprotected) RTP header.
 * Pure functions of their arguments: any thread. Never read past len. */
#ifndef TOLK_NET_RTP_HEADER_H
#define TOLK_NET_RTP_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOLK_RTP_HEADER_LEN 12
#define TOLK_RTCP_HEADER_LEN 8

typedef enum {
    TOLK_PACKET_NOT_RTP, /* not version 2, or too short for its kind */
    TOLK_PACKET_RTP,
    TOLK_PACKET_RTCP, /* second byte 192..223 (RFC 5761 section 4): SR, RR, SDES, BYE, APP, feedback, XR */
} tolk_packet_kind;

tolk_packet_kind tolk_packet_classify(const uint8_t *packet, size_t len);

/* The sender's SSRC: bytes 8..11 of RTP, 4..7 of RTCP. The packet must have been classified
 * as that kind (so it is long enough). */
uint32_t tolk_packet_ssrc(const uint8_t *packet, tolk_packet_kind kind);

typedef struct {
    uint8_t payload_type;
    bool marker;
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    size_t payload_offset; /* after CSRCs and the header extension */
    size_t payload_len;    /* without padding */
} tolk_rtp_header;

typedef enum {
    TOLK_RTP_OK,
    TOLK_RTP_SHORT,     /* shorter than its CSRC list or header extension */
    TOLK_RTP_PADDING,   /* padding bit set with a count of 0 or longer than the payload */
} tolk_rtp_parse_result;

/* A decrypted RTP packet; header is filled only on TOLK_RTP_OK. */
tolk_rtp_parse_result tolk_rtp_parse(const uint8_t *packet, size_t len, tolk_rtp_header *header);

/* The first report of a decrypted compound RTCP packet when it is a sender report (PT 200):
 * the sender's NTP time (64-bit fixed point) and the RTP time of the same instant. */
typedef struct {
    uint32_t ssrc;
    uint64_t ntp;
    uint32_t rtp_timestamp;
} tolk_rtcp_sender_report;

bool tolk_rtcp_parse_sender_report(const uint8_t *packet, size_t len, tolk_rtcp_sender_report *report);

#endif
