/* SPDX-License-Identifier: EUPL-1.2 */
#include "video_rtp.h"

#include <errno.h>
#include <strings.h>

#include "rtp_header.h"

/* H.264 NAL unit types (ITU-T H.264 table 7-1) and RTP aggregation types (RFC 6184 5.2). */
enum { NAL_IDR = 5, NAL_SPS = 7, NAL_PPS = 8, NAL_STAP_A = 24, NAL_FU_A = 28 };

typedef struct {
    bool starts;   /* the payload begins a NAL unit (not the middle of a fragmented one) */
    bool key;      /* an IDR slice or a parameter set begins here */
    bool params;   /* an SPS or a PPS is in it */
} h264_scan;

static void note_nal(uint8_t type, h264_scan *scan)
{
    if (type == NAL_SPS || type == NAL_PPS)
        scan->params = true;
    if (type == NAL_IDR || type == NAL_SPS || type == NAL_PPS)
        scan->key = true;
}

/* STAP-A: 16-bit sizes, each followed by a NAL unit; every size must fit. */
static int scan_stap_a(const uint8_t *p, size_t len, h264_scan *scan)
{
    size_t at = 1;
    if (len < 1 + 3)
        return -EINVAL;
    while (at < len) {
        if (len - at < 2)
            return -EINVAL;
        size_t size = ((size_t)p[at] << 8) | p[at + 1];
        at += 2;
        if (size == 0 || size > len - at)
            return -EINVAL;
        note_nal(p[at] & 0x1f, scan);
        at += size;
    }
    scan->starts = true;
    return 0;
}

static int scan_h264(const uint8_t *p, size_t len, h264_scan *scan)
{
    if (len < 1 || (p[0] & 0x80)) /* the forbidden zero bit */
        return -EINVAL;
    uint8_t type = p[0] & 0x1f;
    if (type >= 1 && type <= 23) {
        scan->starts = true;
        note_nal(type, scan);
        return 0;
    }
    if (type == NAL_STAP_A)
        return scan_stap_a(p, len, scan);
    if (type == NAL_FU_A) {
        if (len < 3)
            return -EINVAL;
        bool start = p[1] & 0x80;
        scan->starts = start;
        if (start)
            note_nal(p[1] & 0x1f, scan);
        return 0;
    }
    return -EINVAL; /* STAP-B, MTAP, FU-B: not in packetization-mode 1, which is what we take */
}

static int inspect_h264(const uint8_t *payload, size_t len, tolk_video_packet *out)
{
    h264_scan scan = {0};
    int rc = scan_h264(payload, len, &scan);
    if (rc < 0)
        return rc;
    out->parameter_sets = scan.params;
    out->keyframe = scan.starts && scan.key;
    return 0;
}

/* RFC 7741 4.2: the payload descriptor (X, R, N, S, R, PID; then optional I/L/T/K bytes), then
 * the VP8 payload whose first byte's lowest bit is 0 for a key frame (RFC 6386 9.1). */
static int inspect_vp8(const uint8_t *p, size_t len, tolk_video_packet *out)
{
    if (len < 1)
        return -EINVAL;
    size_t at = 1;
    bool start_of_partition = p[0] & 0x10;
    unsigned pid = p[0] & 0x07;
    if (p[0] & 0x80) {
        if (len < 2)
            return -EINVAL;
        uint8_t x = p[1];
        at = 2;
        if (x & 0x80) { /* I: the picture id, 7 or 15 bits */
            if (len <= at)
                return -EINVAL;
            at += (p[at] & 0x80) ? 2 : 1;
        }
        if (x & 0x40) /* L: TL0PICIDX */
            at++;
        if (x & 0x30) /* T or K: TID/Y/KEYIDX */
            at++;
    }
    if (at >= len)
        return -EINVAL;
    out->keyframe = start_of_partition && pid == 0 && (p[at] & 0x01) == 0;
    return 0;
}

int tolk_video_rtp_inspect(tolk_video_codec codec, const uint8_t *rtp, size_t len, tolk_video_packet *out)
{
    tolk_rtp_header header;
    if (tolk_packet_classify(rtp, len) != TOLK_PACKET_RTP || tolk_rtp_parse(rtp, len, &header) != TOLK_RTP_OK)
        return -EINVAL;
    *out = (tolk_video_packet){.frame_end = header.marker, .timestamp = header.timestamp, .seq = header.seq};
    const uint8_t *payload = rtp + header.payload_offset;
    if (codec == TOLK_VIDEO_H264)
        return inspect_h264(payload, header.payload_len, out);
    return inspect_vp8(payload, header.payload_len, out);
}

bool tolk_video_codec_from_name(const char *encoding_name, tolk_video_codec *out)
{
    if (strcasecmp(encoding_name, "H264") == 0)
        *out = TOLK_VIDEO_H264;
    else if (strcasecmp(encoding_name, "VP8") == 0)
        *out = TOLK_VIDEO_VP8;
    else
        return false;
    return true;
}
