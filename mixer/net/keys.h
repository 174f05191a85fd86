/* SPDX-License-Identifier: EUPL-1.2 */
/* SRTP master keys for AES_CM_128_HMAC_SHA1_80: generation, the base64 form used in SDP
 * `a=crypto ... inline:` lines and in the API, and wiping; and the one generator of
 * random tokens (the operator token, grant tokens, WebRTC resource ids). */
#ifndef TOLK_NET_KEYS_H
#define TOLK_NET_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 16-byte AES master key followed by the 14-byte master salt. */
#define TOLK_KEY_LEN 30
/* base64 of 30 bytes is exactly 40 characters (no padding), plus the terminating NUL. */
#define TOLK_KEY_B64_LEN 40

/* Fills buf with n bytes from the kernel CSPRNG (getrandom). False only if the kernel
 * refuses (e.g. ENOSYS); the buffer content is then unspecified. */
bool tolk_random_bytes(void *buf, size_t n);

/* How a random token is written: base64url without padding (safe in URLs and shells), or
 * lower-case hex. */
typedef enum { TOLK_TOKEN_BASE64URL, TOLK_TOKEN_HEX } tolk_token_form;
#define TOLK_TOKEN_MAX_BYTES 32
/* Text room for a token of n random bytes in either form, with the NUL. */
#define TOLK_TOKEN_TEXT_SIZE(n) (2 * (n) + 1)

/* A secret token of n (<= TOLK_TOKEN_MAX_BYTES) bytes from the kernel CSPRNG, as text in
 * out, which holds TOLK_TOKEN_TEXT_SIZE(n). False when the random source fails or n does
 * not fit; out is then empty. The raw bytes are wiped. */
bool tolk_random_token(size_t n, tolk_token_form form, char *out, size_t out_size);

/* A fresh random master key and salt. */
bool tolk_key_generate(uint8_t key[TOLK_KEY_LEN]);

/* Standard base64 (RFC 4648, '+' and '/'), NUL-terminated. */
void tolk_key_to_base64(const uint8_t key[TOLK_KEY_LEN], char out[TOLK_KEY_B64_LEN + 1]);

/* Strict: exactly 40 characters of the standard alphabet, nothing before or after (no
 * whitespace, no "|lifetime|MKI" suffix). On failure key is left zeroed. */
bool tolk_key_from_base64(const char *b64, uint8_t key[TOLK_KEY_LEN]);

/* Zeroes memory in a way the compiler may not elide, for key material about to go out
 * of scope or be freed. */
void tolk_key_wipe(void *p, size_t n);

#endif
