/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What a forwarder must know of a video RTP packet without decoding it (issue 11): where a
 * frame ends (the marker bit; a new frame is a new timestamp), and whether a decoder can start
 * from this packet on, so that a viewer may join or the operator switch sources there. H.264 per
 * RFC 6184 (single NAL units, STAP-A, FU-A): a packet that begins an IDR slice or a parameter
 * set (an access unit delimiter or SEI before it in the same frame is not needed to decode).
 * VP8 per RFC 7741: the payload descriptor's start of partition 0, and the frame header's
 * inverse key frame bit (RFC 6386 9.1).
 *
 * Pure functions of their arguments: any thread. Never read past len; a packet that does not
 * parse is refused (-EINVAL) so the caller can drop and count it.
 */
#ifndef TOLK_NET_VIDEO_RTP_H
#define TOLK_NET_VIDEO_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { TOLK_VIDEO_H264, TOLK_VIDEO_VP8 } tolk_video_codec;

typedef struct {
    bool keyframe;       /* a decoder can start here (above) */
    bool frame_end;      /* the RTP marker bit: the frame's last packet */
    bool parameter_sets; /* H.264: carries an SPS or a PPS */
    uint32_t timestamp;  /* the RTP timestamp: the frame's */
    uint16_t seq;
} tolk_video_packet;

/* Inspects a plain (decrypted) RTP packet of the codec: 0 and *out, or -EINVAL. */
int tolk_video_rtp_inspect(tolk_video_codec codec, const uint8_t *rtp, size_t len, tolk_video_packet *out);
/* "H264" or "VP8" (case-insensitive, as in an SDP rtpmap) to the codec; false for another. */
bool tolk_video_codec_from_name(const char *encoding_name, tolk_video_codec *out);

#endif
