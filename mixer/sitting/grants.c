/* SPDX-License-Identifier: EUPL-1.2 */
#include "grants.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"

struct tolk_grants {
    GPtrArray *list;        /* tolk_grant*, in creation order; owns them */
    GHashTable *by_digest;  /* grant->digest -> grant */
    GHashTable *by_id;      /* grant->id -> grant */
    unsigned next_id;
};

/* A digest is uniformly distributed: its first bytes are a hash already. */
static guint digest_hash(gconstpointer key)
{
    guint h;
    memcpy(&h, key, sizeof h);
    return h;
}

static gboolean digest_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, TOLK_TOKEN_DIGEST_SIZE) == 0;
}

tolk_grants *tolk_grants_new(void)
{
    tolk_grants *grants = g_new0(tolk_grants, 1);
    grants->list = g_ptr_array_new();
    grants->by_digest = g_hash_table_new(digest_hash, digest_equal);
    grants->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    return grants;
}

static void wipe_and_free(gpointer p)
{
    tolk_key_wipe(p, sizeof(tolk_grant));
    g_free(p);
}

void tolk_grants_free(tolk_grants *grants)
{
    if (!grants)
        return;
    g_hash_table_destroy(grants->by_digest);
    g_hash_table_destroy(grants->by_id);
    for (guint i = 0; i < grants->list->len; i++)
        wipe_and_free(g_ptr_array_index(grants->list, i));
    g_ptr_array_unref(grants->list);
    g_free(grants);
}

static void insert(tolk_grants *grants, tolk_grant *grant)
{
    tolk_token_digest(grant->token, grant->digest);
    g_ptr_array_add(grants->list, grant);
    g_hash_table_insert(grants->by_digest, grant->digest, grant);
    g_hash_table_insert(grants->by_id, grant->id, grant);
}

const tolk_grant *tolk_grants_add(tolk_grants *grants, const char *session, tolk_grant_kind kind, int booth,
                                  int console, int channel)
{
    tolk_grant *grant = g_new0(tolk_grant, 1);
    if (!tolk_random_token(TOLK_GRANT_TOKEN_BYTES, TOLK_TOKEN_BASE64URL, grant->token, sizeof grant->token)) {
        g_free(grant);
        return NULL;
    }
    snprintf(grant->id, sizeof grant->id, "t%u", ++grants->next_id);
    g_strlcpy(grant->session, session, sizeof grant->session);
    grant->kind = kind;
    grant->booth = booth;
    grant->console = console;
    grant->channel = channel;
    insert(grants, grant);
    return grant;
}

unsigned tolk_grants_last_id(const tolk_grants *grants)
{
    return grants->next_id;
}

void tolk_grants_raise_last_id(tolk_grants *grants, unsigned last)
{
    if (last > grants->next_id)
        grants->next_id = last;
}

bool tolk_grants_restore(tolk_grants *grants, const tolk_grant *saved)
{
    unsigned number = 0;
    if (sscanf(saved->id, "t%u", &number) != 1 || g_hash_table_contains(grants->by_id, saved->id) ||
        strnlen(saved->token, sizeof saved->token) < 32 || strnlen(saved->token, sizeof saved->token) >= sizeof saved->token)
        return false;
    tolk_grant *grant = g_memdup2(saved, sizeof *saved);
    insert(grants, grant);
    if (number > grants->next_id)
        grants->next_id = number; /* ids stay unique: new ones come after */
    return true;
}

const tolk_grant *tolk_grants_find_token(tolk_grants *grants, const char *token)
{
    if (!token)
        return NULL;
    uint8_t digest[TOLK_TOKEN_DIGEST_SIZE];
    tolk_token_digest(token, digest);
    const tolk_grant *grant = g_hash_table_lookup(grants->by_digest, digest);
    return grant && tolk_token_digest_equal(grant->digest, digest) ? grant : NULL;
}

const tolk_grant *tolk_grants_find_id(tolk_grants *grants, const char *id)
{
    return id ? g_hash_table_lookup(grants->by_id, id) : NULL;
}

const tolk_grant *tolk_grants_find(tolk_grants *grants, const char *session, const char *id)
{
    const tolk_grant *grant = tolk_grants_find_id(grants, id);
    return grant && strcmp(grant->session, session) == 0 ? grant : NULL;
}

/* Out of the lookup tables, then wiped; the caller took it out of the list. */
static void forget(tolk_grants *grants, tolk_grant *grant)
{
    g_hash_table_remove(grants->by_digest, grant->digest);
    g_hash_table_remove(grants->by_id, grant->id);
    wipe_and_free(grant);
}

bool tolk_grants_remove(tolk_grants *grants, const char *session, const char *id)
{
    const tolk_grant *grant = tolk_grants_find(grants, session, id);
    if (!grant)
        return false;
    g_ptr_array_remove(grants->list, (gpointer)grant);
    forget(grants, (tolk_grant *)grant);
    return true;
}

void tolk_grants_remove_session(tolk_grants *grants, const char *session)
{
    for (guint i = grants->list->len; i-- > 0;) {
        tolk_grant *grant = g_ptr_array_index(grants->list, i);
        if (strcmp(grant->session, session) == 0) {
            g_ptr_array_remove_index(grants->list, i);
            forget(grants, grant);
        }
    }
}

unsigned tolk_grants_count(tolk_grants *grants, const char *session)
{
    unsigned count = 0;
    for (guint i = 0; i < grants->list->len; i++)
        count += strcmp(((const tolk_grant *)g_ptr_array_index(grants->list, i))->session, session) == 0;
    return count;
}

void tolk_grants_foreach(tolk_grants *grants, const char *session, void (*fn)(const tolk_grant *, void *),
                         void *ctx)
{
    for (guint i = 0; i < grants->list->len; i++) {
        const tolk_grant *grant = g_ptr_array_index(grants->list, i);
        if (strcmp(grant->session, session) == 0)
            fn(grant, ctx);
    }
}
