/* SPDX-License-Identifier: EUPL-1.2 */
/* Grants in process: a token finds its grant by digest and nothing else does; removal
 * and a session's deletion take grants out of every lookup. */
#include "grants.h"

#include <glib.h>
#include <string.h>

static void test_add_and_find(void)
{
    tolk_grants *grants = tolk_grants_new();
    const tolk_grant *console = tolk_grants_add(grants, "plenary", TOLK_GRANT_CONSOLE, 1, 0, -1);
    const tolk_grant *listener = tolk_grants_add(grants, "plenary", TOLK_GRANT_LISTENER, -1, -1, 2);
    g_assert_nonnull(console);
    g_assert_nonnull(listener);
    g_assert_cmpstr(console->id, ==, "t1");
    g_assert_cmpstr(listener->id, ==, "t2");
    g_assert_cmpuint(strlen(console->token), ==, 43); /* 32 bytes, base64url */
    g_assert_cmpstr(console->token, !=, listener->token);
    g_assert_true(tolk_grants_find_token(grants, console->token) == console);
    g_assert_true(tolk_grants_find_token(grants, listener->token) == listener);
    g_assert_true(tolk_grants_find_id(grants, "t2") == listener);
    g_assert_true(tolk_grants_find(grants, "plenary", "t1") == console);
    g_assert_null(tolk_grants_find(grants, "other", "t1"));
    g_assert_cmpuint(tolk_grants_count(grants, "plenary"), ==, 2);
    tolk_grants_free(grants);
}

static void test_only_the_exact_token_finds(void)
{
    tolk_grants *grants = tolk_grants_new();
    const tolk_grant *grant = tolk_grants_add(grants, "plenary", TOLK_GRANT_FLOOR, -1, -1, -1);
    char near[TOLK_GRANT_TOKEN_SIZE + 1];
    g_strlcpy(near, grant->token, sizeof near);
    near[0] = near[0] == 'A' ? 'B' : 'A';
    g_assert_null(tolk_grants_find_token(grants, near));
    g_strlcpy(near, grant->token, strlen(grant->token)); /* one character short */
    g_assert_null(tolk_grants_find_token(grants, near));
    g_snprintf(near, sizeof near, "%sx", grant->token);
    g_assert_null(tolk_grants_find_token(grants, near));
    g_assert_null(tolk_grants_find_token(grants, ""));
    g_assert_null(tolk_grants_find_token(grants, NULL));
    g_assert_null(tolk_grants_find_id(grants, NULL));
    uint8_t digest[TOLK_TOKEN_DIGEST_SIZE];
    tolk_token_digest(grant->token, digest);
    g_assert_cmpmem(digest, sizeof digest, grant->digest, sizeof grant->digest);
    tolk_grants_free(grants);
}

static void collect_id(const tolk_grant *grant, void *ctx)
{
    g_string_append_printf(ctx, "%s ", grant->id);
}

static void test_remove_and_session_delete(void)
{
    tolk_grants *grants = tolk_grants_new();
    char tokens[4][TOLK_GRANT_TOKEN_SIZE];
    const char *sessions[] = {"a", "b", "a", "b"};
    for (int i = 0; i < 4; i++)
        g_strlcpy(tokens[i], tolk_grants_add(grants, sessions[i], TOLK_GRANT_FLOOR, -1, -1, -1)->token,
                  sizeof tokens[i]);
    g_assert_true(tolk_grants_remove(grants, "a", "t1"));
    g_assert_false(tolk_grants_remove(grants, "a", "t1"));
    g_assert_false(tolk_grants_remove(grants, "a", "t2")); /* t2 is b's */
    g_assert_null(tolk_grants_find_token(grants, tokens[0]));
    g_assert_null(tolk_grants_find_id(grants, "t1"));
    tolk_grants_remove_session(grants, "b");
    g_assert_null(tolk_grants_find_token(grants, tokens[1]));
    g_assert_null(tolk_grants_find_token(grants, tokens[3]));
    g_assert_null(tolk_grants_find_id(grants, "t4"));
    g_assert_nonnull(tolk_grants_find_token(grants, tokens[2]));
    g_assert_cmpuint(tolk_grants_count(grants, "a"), ==, 1);
    g_assert_cmpuint(tolk_grants_count(grants, "b"), ==, 0);
    const tolk_grant *late = tolk_grants_add(grants, "a", TOLK_GRANT_FLOOR, -1, -1, -1);
    g_assert_cmpstr(late->id, ==, "t5"); /* ids are never reused */
    GString *order = g_string_new(NULL);
    tolk_grants_foreach(grants, "a", collect_id, order);
    g_assert_cmpstr(order->str, ==, "t3 t5 ");
    g_string_free(order, TRUE);
    tolk_grants_free(grants);
}

/* The cap's worth of grants: every one found by its own token. */
static void test_many_grants(void)
{
    tolk_grants *grants = tolk_grants_new();
    GPtrArray *added = g_ptr_array_new();
    for (int i = 0; i < TOLK_MAX_GRANTS_PER_SESSION; i++)
        g_ptr_array_add(added, (gpointer)tolk_grants_add(grants, "plenary", TOLK_GRANT_LISTENER, -1, -1, 0));
    for (guint i = 0; i < added->len; i++) {
        const tolk_grant *grant = g_ptr_array_index(added, i);
        g_assert_true(tolk_grants_find_token(grants, grant->token) == grant);
    }
    g_ptr_array_unref(added);
    tolk_grants_free(grants);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sitting/grants/add-and-find", test_add_and_find);
    g_test_add_func("/sitting/grants/only-the-exact-token", test_only_the_exact_token_finds);
    g_test_add_func("/sitting/grants/remove-and-session-delete", test_remove_and_session_delete);
    g_test_add_func("/sitting/grants/many", test_many_grants);
    return g_test_run();
}
