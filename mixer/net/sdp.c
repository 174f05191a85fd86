/* SPDX-License-Identifier: EUPL-1.2 */
#include "sdp.h"

#include "keys.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
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

/* Length of the UTF-8 sequence at p (at most left bytes) and its code point in *cp, or 0
 * when the bytes are not strict UTF-8 (overlong, surrogate, above U+10FFFF, cut short). */
static size_t utf8_sequence(const unsigned char *p, size_t left, uint32_t *cp)
{
    static const uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || n > left)
        return 0;
    *cp = n == 1 ? p[0] : p[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (p[i] & 0x3F);
    }
    if (*cp < min_for_length[n] || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return n;
}

/* The s= text (RFC 8866 5.3: UTF-8, one line): a control character (C0, DEL, C1) could end
 * the line or inject one, so each becomes a space, and each byte that is not UTF-8 a '?'.
 * The API refuses such names; this holds whatever name reaches here. */
char *tolk_sdp_session_name_text(const char *name)
{
    size_t len = strlen(name);
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)name;
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t step = utf8_sequence(p + i, len - i, &cp);
        if (step == 0) {
            out[n++] = '?';
            i++;
        } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            out[n++] = ' ';
            i += step;
        } else {
            memcpy(out + n, p + i, step);
            n += step;
            i += step;
        }
    }
    out[n] = '\0';
    return out;
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
    char *name = tolk_sdp_session_name_text(session_name);
    if (!name)
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
                     "a=fmtp:%d stereo=%d;sprop-stereo=%d\r\n"
                     "a=ptime:20\r\n"
                     "a=sendonly\r\n"
                     "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n",
                     family, address, name, family, address, port, payload_type,
                     payload_type, payload_type, stereo, stereo, key_b64);
    free(name);
    return n < 0 ? NULL : sdp;
}
