/* SPDX-License-Identifier: EUPL-1.2 */
#include "rtcp_feedback.h"

#include <string.h>

enum { RTCP_PSFB = 206, FMT_PLI = 1, FMT_FIR = 4 };

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Version 2, no padding, the format in the count field, the length in 32-bit words minus one. */
static void put_header(uint8_t *p, uint8_t fmt, size_t len, uint32_t sender_ssrc, uint32_t media_ssrc)
{
    p[0] = (uint8_t)(0x80 | fmt);
    p[1] = RTCP_PSFB;
    p[2] = 0;
    p[3] = (uint8_t)(len / 4 - 1);
    put32(p + 4, sender_ssrc);
    put32(p + 8, media_ssrc);
}

void tolk_rtcp_build_pli(uint8_t out[TOLK_RTCP_PLI_LEN], uint32_t sender_ssrc, uint32_t media_ssrc)
{
    put_header(out, FMT_PLI, TOLK_RTCP_PLI_LEN, sender_ssrc, media_ssrc);
}

void tolk_rtcp_build_fir(uint8_t out[TOLK_RTCP_FIR_LEN], uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq)
{
    /* The media source field of a FIR is 0; the SSRC asked for is in the FCI entry. */
    put_header(out, FMT_FIR, TOLK_RTCP_FIR_LEN, sender_ssrc, 0);
    put32(out + 12, media_ssrc);
    out[16] = seq;
    memset(out + 17, 0, 3);
}

/* One feedback message at p (len bytes, its header checked): a key frame request or not. */
static bool keyframe_request_in(const uint8_t *p, size_t len, uint32_t *media_ssrc)
{
    uint8_t fmt = p[0] & 0x1f;
    if (p[1] != RTCP_PSFB || len < 12)
        return false;
    if (fmt == FMT_PLI) {
        *media_ssrc = get32(p + 8);
        return true;
    }
    if (fmt == FMT_FIR && len >= 20) {
        *media_ssrc = get32(p + 12);
        return true;
    }
    return false;
}

bool tolk_rtcp_find_keyframe_request(const uint8_t *packet, size_t len, uint32_t *media_ssrc)
{
    bool found = false;
    uint32_t ssrc = 0;
    size_t at = 0;
    while (at < len) {
        if (len - at < 4 || (packet[at] & 0xc0) != 0x80)
            return false;
        size_t size = (((size_t)packet[at + 2] << 8) | packet[at + 3]) * 4 + 4;
        if (size > len - at)
            return false;
        if (!found && keyframe_request_in(packet + at, size, &ssrc))
            found = true;
        at += size;
    }
    if (found)
        *media_ssrc = ssrc;
    return found;
}
