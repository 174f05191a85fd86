/* SPDX-License-Identifier: EUPL-1.2 */
#include "auth.h"

#include <glib.h>
#include <string.h>
#include <strings.h>

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

static bool is_token68_char(char c)
{
    return g_ascii_isalnum(c) || (c != '\0' && strchr("-._~+/=", c) != NULL);
}

const char *tolk_bearer_token(const char *header)
{
    static const char scheme[] = "Bearer";
    if (!header || strncasecmp(header, scheme, sizeof scheme - 1) != 0)
        return NULL;
    const char *p = header + sizeof scheme - 1;
    if (*p != ' ')
        return NULL;
    while (*p == ' ')
        p++;
    const char *token = p;
    while (is_token68_char(*p))
        p++;
    if (p == token || *p != '\0')
        return NULL;
    return token;
}
