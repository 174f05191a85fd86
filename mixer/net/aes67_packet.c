/* SPDX-License-Identifier: EUPL-1.2 */
#include "aes67_packet.h"

#include <math.h>
#include <string.h>

static void put_header(const tolk_aes67_packet_header *h, uint8_t *buf)
{
    buf[0] = 0x80; /* version 2, no padding, extension or CSRC */
    buf[1] = (uint8_t)(h->payload_type & 0x7f);
    buf[2] = (uint8_t)(h->seq >> 8);
    buf[3] = (uint8_t)h->seq;
    for (int i = 0; i < 4; i++) {
        buf[4 + i] = (uint8_t)(h->timestamp >> (24 - 8 * i));
        buf[8 + i] = (uint8_t)(h->ssrc >> (24 - 8 * i));
    }
}

/* The sample scaled to a signed integer of `bits`, rounded, clipped (NaN is silence). */
static int32_t to_fixed(float x, int bits)
{
    const float full = (float)((1 << (bits - 1)) - 1);
    if (!(x == x))
        return 0;
    float v = x * full;
    if (v >= full)
        return (int32_t)full;
    if (v <= -full - 1.0f)
        return (int32_t)(-full - 1.0f);
    return (int32_t)lrintf(v);
}

size_t tolk_aes67_packet_build(const tolk_aes67_packet_header *h, const float *samples, unsigned n, uint8_t *buf,
                               size_t size)
{
    size_t width = h->encoding == TOLK_AES67_L16 ? 2 : 3;
    size_t len = 12 + width * n;
    if (n == 0 || n > TOLK_AES67_MAX_FRAME_SAMPLES || len > size)
        return 0;
    put_header(h, buf);
    uint8_t *p = buf + 12;
    if (!samples) {
        memset(p, 0, width * n);
        return len;
    }
    int bits = (int)width * 8;
    for (unsigned i = 0; i < n; i++) {
        uint32_t v = (uint32_t)to_fixed(samples[i], bits);
        if (width == 3)
            *p++ = (uint8_t)(v >> 16);
        *p++ = (uint8_t)(v >> 8);
        *p++ = (uint8_t)v;
    }
    return len;
}
