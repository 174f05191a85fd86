/* SPDX-License-Identifier: EUPL-1.2 */
#include "sdp.h"

#include "keys.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns "IP4" or "IP6" for a numeric address, NULL for anything else. */
static const char *address_family_token(const char *address)
{
    unsigned char buf[sizeof(struct in6_addr)];
    if (address == NULL)
        return NULL;
    if (inet_pton(AF_INET, address, buf) == 1)
        return "IP4";
    if (inet_pton(AF_INET6, address, buf) == 1)
        return "IP6";
    return NULL;
}

/* An s= value must stay on its line: anything below 0x20 or DEL could inject SDP lines. */
static bool session_name_is_safe(const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
    }
    return true;
}

static bool key_is_valid(const char *key_b64)
{
    uint8_t key[TOLK_KEY_LEN];
    bool ok = tolk_key_from_base64(key_b64, key);
    tolk_key_wipe(key, sizeof key);
    return ok;
}

char *tolk_sdp_for_stream(const char *session_name, const char *address, int port,
                          int payload_type, int channels, const char *key_b64)
{
    const char *family = address_family_token(address);
    if (family == NULL || port < 1 || port > 65535 || payload_type < 96 || payload_type > 127 ||
        (channels != 1 && channels != 2) || !key_is_valid(key_b64))
        return NULL;
    if (session_name == NULL || session_name[0] == '\0')
        session_name = "-";
    if (!session_name_is_safe(session_name))
        return NULL;
    int stereo = channels == 2 ? 1 : 0;
    char *sdp = NULL;
    /* RFC 7587: the rtpmap always says opus/48000/2; mono or stereo is said in fmtp. */
    int n = asprintf(&sdp,
                     "v=0\r\n"
                     "o=- 0 0 IN %s %s\r\n"
                     "s=%s\r\n"
                     "c=IN %s %s\r\n"
                     "t=0 0\r\n"
                     "m=audio %d RTP/SAVP %d\r\n"
                     "a=rtpmap:%d opus/48000/2\r\n"
                     "a=fmtp:%d useinbandfec=1;stereo=%d;sprop-stereo=%d\r\n"
                     "a=ptime:20\r\n"
                     "a=sendonly\r\n"
                     "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n",
                     family, address, session_name, family, address, port, payload_type,
                     payload_type, payload_type, stereo, stereo, key_b64);
    return n < 0 ? NULL : sdp;
}
