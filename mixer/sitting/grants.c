/* SPDX-License-Identifier: EUPL-1.2 */
#include "grants.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "secret.h"
#include "keys.h"

struct tolk_grants {
    GPtrArray *list; /* tolk_grant* */
    unsigned next_id;
};

tolk_grants *tolk_grants_new(void)
{
    tolk_grants *grants = g_new0(tolk_grants, 1);
    grants->list = g_ptr_array_new();
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
    for (guint i = 0; i < grants->list->len; i++)
        wipe_and_free(g_ptr_array_index(grants->list, i));
    g_ptr_array_unref(grants->list);
    g_free(grants);
}

static bool make_token(char out[TOLK_GRANT_TOKEN_SIZE])
{
    guint8 bytes[32];
    if (!tolk_random_bytes(bytes, sizeof bytes))
        return false;
    gchar *b64 = g_base64_encode(bytes, sizeof bytes);
    tolk_key_wipe(bytes, sizeof bytes);
    size_t n = 0;
    for (const char *c = b64; *c && *c != '=' && n + 1 < TOLK_GRANT_TOKEN_SIZE; c++)
        out[n++] = *c == '+' ? '-' : *c == '/' ? '_' : *c; /* base64url: safe in URLs */
    out[n] = '\0';
    tolk_key_wipe(b64, strlen(b64));
    g_free(b64);
    return true;
}

const tolk_grant *tolk_grants_add(tolk_grants *grants, const char *session, tolk_grant_kind kind, int booth,
                                  int console, int channel)
{
    tolk_grant *grant = g_new0(tolk_grant, 1);
    if (!make_token(grant->token)) {
        g_free(grant);
        return NULL;
    }
    snprintf(grant->id, sizeof grant->id, "t%u", ++grants->next_id);
    g_strlcpy(grant->session, session, sizeof grant->session);
    grant->kind = kind;
    grant->booth = booth;
    grant->console = console;
    grant->channel = channel;
    g_ptr_array_add(grants->list, grant);
    return grant;
}

const tolk_grant *tolk_grants_find_token(tolk_grants *grants, const char *token)
{
    const tolk_grant *found = NULL;
    for (guint i = 0; i < grants->list->len; i++) {
        const tolk_grant *grant = g_ptr_array_index(grants->list, i);
        if (tolk_token_equal(token, grant->token) && !found)
            found = grant; /* no early exit: the time does not tell which one matched */
    }
    return found;
}

const tolk_grant *tolk_grants_find_id(tolk_grants *grants, const char *id)
{
    for (guint i = 0; i < grants->list->len; i++) {
        const tolk_grant *grant = g_ptr_array_index(grants->list, i);
        if (strcmp(grant->id, id) == 0)
            return grant;
    }
    return NULL;
}

const tolk_grant *tolk_grants_find(tolk_grants *grants, const char *session, const char *id)
{
    const tolk_grant *grant = tolk_grants_find_id(grants, id);
    return grant && strcmp(grant->session, session) == 0 ? grant : NULL;
}

bool tolk_grants_remove(tolk_grants *grants, const char *session, const char *id)
{
    const tolk_grant *grant = tolk_grants_find(grants, session, id);
    if (!grant)
        return false;
    g_ptr_array_remove(grants->list, (gpointer)grant);
    wipe_and_free((gpointer)grant);
    return true;
}

void tolk_grants_remove_session(tolk_grants *grants, const char *session)
{
    for (guint i = grants->list->len; i-- > 0;) {
        tolk_grant *grant = g_ptr_array_index(grants->list, i);
        if (strcmp(grant->session, session) == 0) {
            g_ptr_array_remove_index(grants->list, i);
            wipe_and_free(grant);
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

const char *tolk_grant_kind_name(tolk_grant_kind kind)
{
    static const char *const names[] = {"console", "listener", "floor"};
    return names[kind];
}
