/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One AES67 RTP packet from float samples: a 12-byte RTP header (no CSRC, no extension) and
 * mono L24 or L16 big-endian samples, clipped to full scale. Pure function: any thread.
 */
#ifndef TOLK_NET_AES67_PACKET_H
#define TOLK_NET_AES67_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "aes67_sdp.h"

#define TOLK_AES67_PAYLOAD_TYPE 98            /* dynamic, as AES67 devices commonly use */
#define TOLK_AES67_MAX_FRAME_SAMPLES 192      /* 4 ms at 48 kHz */
#define TOLK_AES67_MAX_PACKET (12 + 3 * TOLK_AES67_MAX_FRAME_SAMPLES)

typedef struct {
    tolk_aes67_encoding encoding;
    int payload_type;
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
} tolk_aes67_packet_header;

/* Writes the packet of n samples (NULL: n samples of silence) into buf; returns its length, or
 * 0 when it does not fit in size or n is 0 or above TOLK_AES67_MAX_FRAME_SAMPLES. */
size_t tolk_aes67_packet_build(const tolk_aes67_packet_header *h, const float *samples, unsigned n, uint8_t *buf,
                               size_t size);

#endif
