/* SPDX-License-Identifier: EUPL-1.2 */
#include "keys.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool tolk_random_bytes(void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n > 0) {
        /* getrandom may return fewer bytes than asked (requests over 256 bytes, or a
         * signal), so loop until the whole buffer is filled. */
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += got;
        n -= (size_t)got;
    }
    return true;
}

static void write_hex(const uint8_t *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        *out++ = digits[bytes[i] >> 4];
        *out++ = digits[bytes[i] & 15];
    }
    *out = '\0';
}

/* RFC 4648 section 5, the last group cut short instead of padded. */
static void write_base64url(const uint8_t *bytes, size_t n, char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (size_t i = 0; i < n; i += 3) {
        size_t left = n - i;
        uint32_t group = (uint32_t)bytes[i] << 16 | (left > 1 ? (uint32_t)bytes[i + 1] << 8 : 0) |
                         (left > 2 ? bytes[i + 2] : 0);
        *out++ = alphabet[(group >> 18) & 63];
        *out++ = alphabet[(group >> 12) & 63];
        if (left > 1)
            *out++ = alphabet[(group >> 6) & 63];
        if (left > 2)
            *out++ = alphabet[group & 63];
    }
    *out = '\0';
}

bool tolk_random_token(size_t n, tolk_token_form form, char *out, size_t out_size)
{
    uint8_t bytes[TOLK_TOKEN_MAX_BYTES];
    if (out_size > 0)
        out[0] = '\0';
    if (n == 0 || n > sizeof bytes || out_size < TOLK_TOKEN_TEXT_SIZE(n) || !tolk_random_bytes(bytes, n))
        return false;
    if (form == TOLK_TOKEN_HEX)
        write_hex(bytes, n, out);
    else
        write_base64url(bytes, n, out);
    tolk_key_wipe(bytes, sizeof bytes);
    return true;
}

bool tolk_key_generate(uint8_t key[TOLK_KEY_LEN])
{
    return tolk_random_bytes(key, TOLK_KEY_LEN);
}

void tolk_key_to_base64(const uint8_t key[TOLK_KEY_LEN], char out[TOLK_KEY_B64_LEN + 1])
{
    /* TOLK_KEY_LEN is a multiple of 3, so every group is complete and there is no padding. */
    _Static_assert(TOLK_KEY_LEN % 3 == 0, "key length must be a multiple of 3");
    char *o = out;
    for (size_t i = 0; i < TOLK_KEY_LEN; i += 3) {
        uint32_t group = (uint32_t)key[i] << 16 | (uint32_t)key[i + 1] << 8 | key[i + 2];
        *o++ = base64_alphabet[(group >> 18) & 63];
        *o++ = base64_alphabet[(group >> 12) & 63];
        *o++ = base64_alphabet[(group >> 6) & 63];
        *o++ = base64_alphabet[group & 63];
    }
    *o = '\0';
}

static int base64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

bool tolk_key_from_base64(const char *b64, uint8_t key[TOLK_KEY_LEN])
{
    memset(key, 0, TOLK_KEY_LEN);
    if (b64 == NULL || strnlen(b64, TOLK_KEY_B64_LEN + 1) != TOLK_KEY_B64_LEN)
        return false;
    uint8_t decoded[TOLK_KEY_LEN];
    for (size_t i = 0, o = 0; i < TOLK_KEY_B64_LEN; i += 4, o += 3) {
        uint32_t group = 0;
        for (size_t j = 0; j < 4; j++) {
            int v = base64_value(b64[i + j]);
            if (v < 0) {
                tolk_key_wipe(decoded, sizeof decoded);
                return false;
            }
            group = group << 6 | (uint32_t)v;
        }
        decoded[o] = (uint8_t)(group >> 16);
        decoded[o + 1] = (uint8_t)(group >> 8);
        decoded[o + 2] = (uint8_t)group;
    }
    memcpy(key, decoded, TOLK_KEY_LEN);
    tolk_key_wipe(decoded, sizeof decoded);
    return true;
}

void tolk_key_wipe(void *p, size_t n)
{
    explicit_bzero(p, n);
}
