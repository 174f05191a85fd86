/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target: what the hall network can send. The first byte picks the path: an SDP
 * text for tolk_aes67_sdp_parse(), or a SAP datagram for tolk_sap_parse() whose SDP then goes
 * to the same reader. The oracle: an accepted stream is inside every limit aes67_sdp.h
 * states, and a payload of its size gives back its frames; a refusal has a reason. */
#include "fuzz.h"

#include "aes67_sdp.h"
#include "sap.h"

#include <string.h>

static void check_stream(const tolk_aes67_stream *s)
{
    if (s->port < 1 || s->port > 65535 || s->payload_type > 127 || !s->address[0])
        fuzz_fail("stream accepted with port %d, pt %d, address '%s'", s->port, s->payload_type,
                  s->address);
    if (s->channels < 1 || s->channels > TOLK_AES67_MAX_CHANNELS ||
        (s->encoding != TOLK_AES67_L16 && s->encoding != TOLK_AES67_L24))
        fuzz_fail("stream accepted with %d channels of %d bits", s->channels, s->encoding);
    if (s->ptime_us < TOLK_AES67_PTIME_MIN_US || s->ptime_us > TOLK_AES67_PTIME_MAX_US ||
        s->frame_samples < 6 || s->frame_samples > 192)
        fuzz_fail("stream accepted with ptime %d us, %d samples", s->ptime_us, s->frame_samples);
    if (s->ttl < -1 || s->ttl > 255 || (s->ttl >= 0 && (!s->multicast || s->ipv6)))
        fuzz_fail("stream accepted with TTL %d", s->ttl);
    static uint8_t payload[192 * TOLK_AES67_MAX_CHANNELS * 3];
    static int32_t out[192];
    size_t bytes = tolk_aes67_payload_bytes(s);
    if (bytes > sizeof payload)
        fuzz_fail("payload of %zu bytes", bytes);
    int frames = tolk_aes67_take_channel(s, s->channels - 1, payload, bytes, out, 192);
    if (frames != s->frame_samples)
        fuzz_fail("took %d frames of %d", frames, s->frame_samples);
}

static void sdp(const char *text, size_t len)
{
    tolk_aes67_stream s;
    tolk_error err = {0};
    if (tolk_aes67_sdp_parse(text, len, &s, &err))
        check_stream(&s);
    else if (err.kind != TOLK_ERROR_INVALID || strcmp(err.code, "invalid_sdp") != 0 || !err.message[0])
        fuzz_fail("SDP refused without a reason: %s", err.code);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1) {
        tolk_sap_message m;
        tolk_error err = {0};
        if (!tolk_sap_parse(data + 1, size - 1, &m, &err)) {
            if (strcmp(err.code, "invalid_sap") != 0 || !err.message[0])
                fuzz_fail("SAP refused without a reason: %s", err.code);
            return 0;
        }
        const char *start = (const char *)data + 1;
        if (m.sdp_len == 0 || m.sdp < start || m.sdp + m.sdp_len > start + size - 1)
            fuzz_fail("SAP payload outside the packet");
        sdp(m.sdp, m.sdp_len);
    } else {
        sdp((const char *)data + 1, size - 1);
    }
    return 0;
}
