/* SPDX-License-Identifier: EUPL-1.2 */
/* libsrtp2 set-up shared by the senders (and usable by tests and receivers). */
#ifndef TOLK_NET_SRTP_SESSION_H
#define TOLK_NET_SRTP_SESSION_H

#include "keys.h"

#include <srtp2/srtp.h>
#include <stdbool.h>

/* Calls srtp_init() once per process, whichever thread gets here first. */
bool tolk_srtp_library_init(void);

/* An SRTP session for AES_CM_128_HMAC_SHA1_80 (RTP and RTCP) with the given master key and
 * salt, for any outbound SSRC (outbound=true) or any inbound SSRC. NULL on failure. */
srtp_t tolk_srtp_session_new(const uint8_t key[TOLK_KEY_LEN], bool outbound);

/* Adds to session a stream of its own for ssrc (the key again, as the session's; its
 * direction is learnt from its first use), whose next packet uses rollover counter roc:
 * for a stream that continues after a restart under the same key. False when libsrtp
 * refuses. */
bool tolk_srtp_session_add_stream(srtp_t session, const uint8_t key[TOLK_KEY_LEN], uint32_t ssrc, uint32_t roc);

/* The SRTP index a packet with sequence number seq most likely has, given the highest
 * index seen so far (RFC 3711 section 3.3.1: the rollover counter that puts the index
 * within 2^15 of it). Pure. */
uint64_t tolk_srtp_guess_index(uint64_t highest, uint16_t seq);

#endif
