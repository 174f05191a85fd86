/* SPDX-License-Identifier: EUPL-1.2 */
/* Comparing secrets (tokens, peer ids) without telling an attacker where they differ.
 * Pure functions, safe on any thread. */
#ifndef TOLK_COMMON_SECRET_H
#define TOLK_COMMON_SECRET_H

#include <stdbool.h>

/* Compares two tokens in time independent of where they differ and of their lengths,
 * so that a client cannot guess the operator token byte by byte. NULL never matches. */
bool tolk_token_equal(const char *a, const char *b);

#endif
