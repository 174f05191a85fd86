/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The digest a secret token is known by: SHA-256 of its text. Tokens are looked up and
 * compared through it, so that the comparison takes the same time whatever the token's
 * length and wherever it differs, and a lookup table need not hold the token itself.
 *
 * Threads: any; no state.
 */
#ifndef TOLK_TOKEN_DIGEST_H
#define TOLK_TOKEN_DIGEST_H

#include <stdbool.h>
#include <stdint.h>

#define TOLK_TOKEN_DIGEST_SIZE 32

void tolk_token_digest(const char *token, uint8_t digest[TOLK_TOKEN_DIGEST_SIZE]);
/* In constant time. */
bool tolk_token_digest_equal(const uint8_t a[TOLK_TOKEN_DIGEST_SIZE], const uint8_t b[TOLK_TOKEN_DIGEST_SIZE]);
/* Two tokens compared through their digests: the time depends neither on where they differ
 * nor on their lengths, so a client cannot guess the operator token byte by byte. NULL
 * never matches. */
bool tolk_token_equal(const char *a, const char *b);

#endif
