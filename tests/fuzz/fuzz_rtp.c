/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target: what an input port does with a datagram. The first byte picks the
 * path: the RTP/RTCP header functions on the raw bytes, the Opus check as if decrypted,
 * or the whole receiver (with a fixed key: forgeries fail authentication, so this mostly
 * covers classification, the sender table and libsrtp's length checks). The header path also
 * reads video payloads (H.264, VP8) and RTCP key frame requests, on libFuzzer's own buffer of
 * exactly the datagram's size, so a read past its end is caught. */
#include "opus_check.h"
#include "rtcp_feedback.h"
#include "rtp_header.h"
#include "srtp_receiver.h"
#include "video_rtp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static tolk_srtp_receiver *receiver(void)
{
    static tolk_srtp_receiver *r;
    if (r == NULL) {
        uint8_t key[TOLK_KEY_LEN];
        for (int i = 0; i < TOLK_KEY_LEN; i++)
            key[i] = (uint8_t)(i * 7 + 1);
        r = tolk_srtp_receiver_new(key);
        if (r == NULL)
            abort();
    }
    return r;
}

static void headers(const uint8_t *data, size_t size)
{
    tolk_packet_kind kind = tolk_packet_classify(data, size);
    if (kind != TOLK_PACKET_NOT_RTP)
        (void)tolk_packet_ssrc(data, kind);
    tolk_rtp_header h;
    if (tolk_rtp_parse(data, size, &h) == TOLK_RTP_OK && (h.payload_offset + h.payload_len > size))
        abort();
    tolk_rtcp_sender_report report;
    (void)tolk_rtcp_parse_sender_report(data, size, &report);
}

static void video(const uint8_t *data, size_t size)
{
    tolk_video_packet pkt;
    (void)tolk_video_rtp_inspect(TOLK_VIDEO_H264, data, size, &pkt);
    (void)tolk_video_rtp_inspect(TOLK_VIDEO_VP8, data, size, &pkt);
    uint32_t ssrc;
    (void)tolk_rtcp_find_keyframe_request(data, size, &ssrc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tolk_opus_check check;
    static int64_t now_us;
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++, size--;
    uint8_t packet[2048];
    size_t len = size < sizeof packet ? size : sizeof packet;
    memcpy(packet, data, len);
    switch (mode % 3) {
    case 0:
        headers(packet, len);
        video(data, size);
        break;
    case 1:
        (void)tolk_opus_check_packet(&check, packet, len);
        break;
    default:
        now_us += 20000;
        if (tolk_srtp_receiver_receive(receiver(), packet, &len, now_us) == TOLK_RECEIVE_MEDIA &&
            len > sizeof packet)
            abort();
        break;
    }
    return 0;
}
