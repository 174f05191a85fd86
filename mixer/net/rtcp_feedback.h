/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * RTCP key frame requests (issue 11): Picture Loss Indication (RFC 4585 6.3.1) and Full Intra
 * Request (RFC 5104 4.3.1), built to ask a video source and found in what viewers send.
 * Plain RTCP: SRTCP protection is the caller's. Pure functions: any thread; never read past len.
 */
#ifndef TOLK_NET_RTCP_FEEDBACK_H
#define TOLK_NET_RTCP_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOLK_RTCP_PLI_LEN 12
#define TOLK_RTCP_FIR_LEN 20

/* sender_ssrc: ours; media_ssrc: the source asked for a key frame. */
void tolk_rtcp_build_pli(uint8_t out[TOLK_RTCP_PLI_LEN], uint32_t sender_ssrc, uint32_t media_ssrc);
/* seq: the FIR command sequence number, one more for each new request (RFC 5104 4.3.1.1). */
void tolk_rtcp_build_fir(uint8_t out[TOLK_RTCP_FIR_LEN], uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq);

/* Walks a compound RTCP packet: true when it holds a PLI or a FIR, with the SSRC of the
 * media asked for in *media_ssrc (FIR: its first entry). False for none, or a packet whose
 * lengths do not add up (then nothing of it is believed). */
bool tolk_rtcp_find_keyframe_request(const uint8_t *packet, size_t len, uint32_t *media_ssrc);

#endif
