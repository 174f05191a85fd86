/* SPDX-License-Identifier: EUPL-1.2 */
#include "rtp_header.h"

#define RTCP_PT_FIRST 192
#define RTCP_PT_LAST 223
#define RTCP_PT_SENDER_REPORT 200
#define SENDER_REPORT_LEN 28 /* header, SSRC, NTP, RTP time, packet and octet counts */

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

tolk_packet_kind tolk_packet_classify(const uint8_t *packet, size_t len)
{
    if (len < TOLK_RTCP_HEADER_LEN || packet[0] >> 6 != 2)
        return TOLK_PACKET_NOT_RTP;
    if (packet[1] >= RTCP_PT_FIRST && packet[1] <= RTCP_PT_LAST)
        return TOLK_PACKET_RTCP;
    return len >= TOLK_RTP_HEADER_LEN ? TOLK_PACKET_RTP : TOLK_PACKET_NOT_RTP;
}

uint32_t tolk_packet_ssrc(const uint8_t *packet, tolk_packet_kind kind)
{
    return be32(packet + (kind == TOLK_PACKET_RTCP ? 4 : 8));
}

tolk_rtp_parse_result tolk_rtp_parse(const uint8_t *packet, size_t len, tolk_rtp_header *header)
{
    if (len < TOLK_RTP_HEADER_LEN)
        return TOLK_RTP_SHORT;
    size_t offset = TOLK_RTP_HEADER_LEN + 4u * (packet[0] & 0x0f);
    if ((packet[0] & 0x10) != 0) {
        if (len < offset + 4)
            return TOLK_RTP_SHORT;
        offset += 4 + 4u * be16(packet + offset + 2);
    }
    if (len < offset)
        return TOLK_RTP_SHORT;
    size_t payload_len = len - offset;
    if ((packet[0] & 0x20) != 0) {
        uint8_t padding = packet[len - 1];
        if (padding == 0 || padding > payload_len)
            return TOLK_RTP_PADDING;
        payload_len -= padding;
    }
    header->payload_type = packet[1] & 0x7f;
    header->marker = (packet[1] & 0x80) != 0;
    header->seq = be16(packet + 2);
    header->timestamp = be32(packet + 4);
    header->ssrc = be32(packet + 8);
    header->payload_offset = offset;
    header->payload_len = payload_len;
    return TOLK_RTP_OK;
}

bool tolk_rtcp_parse_sender_report(const uint8_t *packet, size_t len, tolk_rtcp_sender_report *report)
{
    if (len < SENDER_REPORT_LEN || packet[0] >> 6 != 2 || packet[1] != RTCP_PT_SENDER_REPORT)
        return false;
    /* The length field counts 32-bit words minus one: the report must fit in what came. */
    if (4u * ((size_t)be16(packet + 2) + 1) < SENDER_REPORT_LEN || 4u * ((size_t)be16(packet + 2) + 1) > len)
        return false;
    report->ssrc = be32(packet + 4);
    report->ntp = (uint64_t)be32(packet + 8) << 32 | be32(packet + 12);
    report->rtp_timestamp = be32(packet + 16);
    return true;
}
