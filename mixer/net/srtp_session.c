/* SPDX-License-Identifier: EUPL-1.2 */
#include "srtp_session.h"

#define TOLK_LOG_MODULE "net"
#include "log.h"

#include <pthread.h>
#include <string.h>

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t library_status = srtp_err_status_fail;

/* libsrtp is one per process, and GStreamer's srtp plugin (webrtcbin's DTLS-SRTP) initialises
 * it too when it is first loaded. A second srtp_init finds its debug module loaded already and
 * answers bad_param, with the library working: that is not a failure, whoever came first. */
static void library_init_once(void)
{
    library_status = srtp_init();
    if (library_status == srtp_err_status_bad_param)
        library_status = srtp_err_status_ok;
    if (library_status != srtp_err_status_ok)
        LOG_ERROR("srtp_init failed with status %d", (int)library_status);
}

bool tolk_srtp_library_init(void)
{
    pthread_once(&library_once, library_init_once);
    return library_status == srtp_err_status_ok;
}

/* libsrtp copies the key into its own context and wants a mutable pointer: the policy
 * lends it key_copy, which the caller wipes afterwards. */
static void fill_policy(srtp_policy_t *policy, uint8_t key_copy[TOLK_KEY_LEN], srtp_ssrc_type_t type,
                        uint32_t ssrc)
{
    memset(policy, 0, sizeof *policy);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtcp);
    policy->ssrc.type = type;
    policy->ssrc.value = ssrc;
    policy->key = key_copy;
    policy->window_size = 128;
    policy->allow_repeat_tx = 0;
    policy->next = NULL;
}

srtp_t tolk_srtp_session_new(const uint8_t key[TOLK_KEY_LEN], bool outbound)
{
    if (!tolk_srtp_library_init())
        return NULL;
    uint8_t key_copy[TOLK_KEY_LEN];
    memcpy(key_copy, key, sizeof key_copy);
    srtp_policy_t policy;
    fill_policy(&policy, key_copy, outbound ? ssrc_any_outbound : ssrc_any_inbound, 0);
    srtp_t session = NULL;
    srtp_err_status_t status = srtp_create(&session, &policy);
    tolk_key_wipe(key_copy, sizeof key_copy);
    if (status != srtp_err_status_ok) {
        LOG_ERROR("srtp_create failed with status %d", (int)status);
        return NULL;
    }
    return session;
}

bool tolk_srtp_session_add_stream(srtp_t session, const uint8_t key[TOLK_KEY_LEN], uint32_t ssrc, uint32_t roc)
{
    uint8_t key_copy[TOLK_KEY_LEN];
    memcpy(key_copy, key, sizeof key_copy);
    srtp_policy_t policy;
    fill_policy(&policy, key_copy, ssrc_specific, ssrc);
    srtp_err_status_t status = srtp_add_stream(session, &policy);
    tolk_key_wipe(key_copy, sizeof key_copy);
    /* A pending rollover counter of 0 means none to libsrtp: a fresh stream starts there anyway. */
    if (status == srtp_err_status_ok && roc != 0)
        status = srtp_set_stream_roc(session, ssrc, roc);
    if (status != srtp_err_status_ok) {
        LOG_ERROR("srtp_add_stream for a continued stream failed with status %d", (int)status);
        return false;
    }
    return true;
}

uint64_t tolk_srtp_guess_index(uint64_t highest, uint16_t seq)
{
    uint64_t roc = highest >> 16;
    uint16_t top = (uint16_t)highest;
    if (top < 0x8000) {
        if (seq > top && seq - top > 0x8000 && roc > 0)
            roc--; /* far above a low highest: from before the last wrap */
    } else if (top - seq > 0x8000) {
        roc++; /* far below a high highest: after the next wrap */
    }
    return roc << 16 | seq;
}
