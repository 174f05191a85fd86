/* SPDX-License-Identifier: EUPL-1.2 */
#include "opus_packet.h"

#include <opus/opus.h>

#define OPUS_RATE 48000
#define MAX_SAMPLES 5760 /* 120 ms */

int tolk_opus_packet_samples(const uint8_t *packet, size_t len)
{
    const unsigned char *frames[48];
    opus_int16 sizes[48];
    if (len == 0 || len > 0x7fff || opus_packet_parse(packet, (opus_int32)len, NULL, frames, sizes, NULL) <= 0)
        return -1;
    int samples = opus_packet_get_nb_samples(packet, (opus_int32)len, OPUS_RATE);
    return samples > 0 && samples <= MAX_SAMPLES ? samples : -1;
}

bool tolk_opus_packet_has_fec(const uint8_t *packet, size_t len)
{
    const unsigned char *frames[48];
    opus_int16 sizes[48];
    if (len == 0 || len > 0x7fff)
        return false;
    int config = packet[0] >> 3;
    if (config >= 16) /* CELT only: no SILK layer, no LBRR */
        return false;
    if (opus_packet_parse(packet, (opus_int32)len, NULL, frames, sizes, NULL) <= 0 || sizes[0] == 0)
        return false;
    /* One SILK frame per 20 ms: a 40 or 60 ms SILK frame has 2 or 3 VAD flags before LBRR. */
    int per_frame = opus_packet_get_samples_per_frame(packet, OPUS_RATE);
    int silk_frames = per_frame > 960 ? per_frame / 960 : 1;
    bool lbrr = (frames[0][0] >> (7 - silk_frames)) & 1;
    if (opus_packet_get_nb_channels(packet) == 2)
        lbrr = lbrr || ((frames[0][0] >> (6 - 2 * silk_frames)) & 1);
    return lbrr;
}
