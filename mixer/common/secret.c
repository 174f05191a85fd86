/* SPDX-License-Identifier: EUPL-1.2 */
#include "secret.h"

#include <glib.h>
#include <string.h>

#define DIGEST_SIZE 32

static void sha256(const char *s, guint8 digest[DIGEST_SIZE])
{
    GChecksum *checksum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(checksum, (const guchar *)s, (gssize)strlen(s));
    gsize len = DIGEST_SIZE;
    g_checksum_get_digest(checksum, digest, &len);
    g_checksum_free(checksum);
}

bool tolk_token_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    /* Comparing fixed-size digests hides the length of the secret as well as its bytes. */
    guint8 da[DIGEST_SIZE], db[DIGEST_SIZE];
    sha256(a, da);
    sha256(b, db);
    volatile guint8 diff = 0;
    for (size_t i = 0; i < DIGEST_SIZE; i++)
        diff |= da[i] ^ db[i];
    return diff == 0;
}
