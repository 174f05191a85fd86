/* SPDX-License-Identifier: EUPL-1.2 */
#include "token_digest.h"

#include <glib.h>
#include <string.h>

void tolk_token_digest(const char *token, uint8_t digest[TOLK_TOKEN_DIGEST_SIZE])
{
    GChecksum *checksum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(checksum, (const guchar *)token, (gssize)strlen(token));
    gsize len = TOLK_TOKEN_DIGEST_SIZE;
    g_checksum_get_digest(checksum, digest, &len);
    g_checksum_free(checksum);
}

bool tolk_token_digest_equal(const uint8_t a[TOLK_TOKEN_DIGEST_SIZE], const uint8_t b[TOLK_TOKEN_DIGEST_SIZE])
{
    volatile uint8_t diff = 0;
    for (size_t i = 0; i < TOLK_TOKEN_DIGEST_SIZE; i++)
        diff |= a[i] ^ b[i];
    return diff == 0;
}

bool tolk_token_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    uint8_t da[TOLK_TOKEN_DIGEST_SIZE], db[TOLK_TOKEN_DIGEST_SIZE];
    tolk_token_digest(a, da);
    tolk_token_digest(b, db);
    return tolk_token_digest_equal(da, db);
}
