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

#endif
