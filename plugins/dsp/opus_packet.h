/* SPDX-License-Identifier: EUPL-1.2 */
/* Facts about one Opus packet that libopus 1.3 (Debian 12) does not tell: whether it carries
 * in-band FEC (LBRR) for the packet before it. libopus 1.5 has opus_packet_has_lbrr; this is
 * the same reading of the SILK header bits. Threads: pure functions, any thread. */
#ifndef TOLK_MEDIA_OPUS_PACKET_H
#define TOLK_MEDIA_OPUS_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when the packet is SILK or hybrid and its first frame's LBRR flag is set (for a stereo
 * packet: either channel's); false for CELT, DTX frames and packets libopus cannot parse. */
bool tolk_opus_packet_has_fec(const uint8_t *packet, size_t len);

/* 48 kHz samples in the packet (120 to 5760), or -1 if libopus cannot parse it. */
int tolk_opus_packet_samples(const uint8_t *packet, size_t len);

#endif
