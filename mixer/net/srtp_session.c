/* SPDX-License-Identifier: EUPL-1.2 */
#include "srtp_session.h"

#define TOLK_LOG_MODULE "net"
#include "log.h"

#include <pthread.h>
#include <string.h>

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t library_status = srtp_err_status_fail;

static void library_init_once(void)
{
    library_status = srtp_init();
    if (library_status != srtp_err_status_ok)
        LOG_ERROR("srtp_init failed with status %d", (int)library_status);
}

bool tolk_srtp_library_init(void)
{
    pthread_once(&library_once, library_init_once);
    return library_status == srtp_err_status_ok;
}

srtp_t tolk_srtp_session_new(const uint8_t key[TOLK_KEY_LEN], bool outbound)
{
    if (!tolk_srtp_library_init())
        return NULL;
    /* libsrtp copies the key into its own context during srtp_create and wants a mutable
     * pointer, so lend it a local copy and wipe that afterwards. */
    uint8_t key_copy[TOLK_KEY_LEN];
    memcpy(key_copy, key, sizeof key_copy);
    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.key = key_copy;
    policy.window_size = 128;
    policy.allow_repeat_tx = 0;
    policy.next = NULL;
    srtp_t session = NULL;
    srtp_err_status_t status = srtp_create(&session, &policy);
    tolk_key_wipe(key_copy, sizeof key_copy);
    if (status != srtp_err_status_ok) {
        LOG_ERROR("srtp_create failed with status %d", (int)status);
        return NULL;
    }
    return session;
}
