/* SPDX-License-Identifier: EUPL-1.2 */
/* The one error type: every kind's HTTP status (the one table), tolk_error_set's cutting of
 * what goes into a JSON reply, and the one adapter from the rules module's result. */
#include "error.h"
#include "http_error.h"

#include <glib.h>
#include <string.h>

static void test_status_table(void)
{
    static const struct {
        tolk_error_kind kind;
        int status;
    } table[] = {
        {TOLK_ERROR_INVALID, 400},
        {TOLK_ERROR_UNAUTHORIZED, 401},
        {TOLK_ERROR_FORBIDDEN, 403},
        {TOLK_ERROR_NOT_FOUND, 404},
        {TOLK_ERROR_CONFLICT, 409},
        {TOLK_ERROR_LIMIT, 409},
        {TOLK_ERROR_PRECONDITION_FAILED, 412},
        {TOLK_ERROR_UNSUPPORTED, 422},
        {TOLK_ERROR_RATE_LIMITED, 429},
        {TOLK_ERROR_INTERNAL, 500},
        {TOLK_ERROR_UNAVAILABLE, 503},
        {TOLK_ERROR_NONE, 500},          /* replying "no error" is a bug, not a success */
        {(tolk_error_kind)-1, 500},      /* out of range either way */
        {(tolk_error_kind)1000, 500},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
        if (tolk_http_status_for(table[i].kind) != table[i].status)
            g_error("kind %d: status %d, want %d", (int)table[i].kind, tolk_http_status_for(table[i].kind),
                    table[i].status);
    }
}

static void test_set(void)
{
    tolk_error err;
    tolk_error_set(&err, TOLK_ERROR_NOT_FOUND, "booth_not_found", NULL, "session %s has no booth %s", "s1", "it");
    g_assert_cmpint(err.kind, ==, TOLK_ERROR_NOT_FOUND);
    g_assert_cmpstr(err.code, ==, "booth_not_found");
    g_assert_cmpstr(err.field, ==, "");
    g_assert_cmpstr(err.message, ==, "session s1 has no booth it");

    /* Cut inside a two-byte character: the half character goes, the reply stays UTF-8. */
    char long_text[400];
    memset(long_text, 'a', sizeof long_text);
    memcpy(long_text + sizeof err.message - 2, "\xc3\xa9", 2);
    long_text[sizeof long_text - 1] = '\0';
    tolk_error_set(&err, TOLK_ERROR_INVALID, "invalid_value", long_text, "%s", long_text);
    g_assert_true(g_utf8_validate(err.message, -1, NULL));
    g_assert_cmpuint(strlen(err.message), ==, sizeof err.message - 2);
    g_assert_true(g_utf8_validate(err.field, -1, NULL));
    g_assert_cmpuint(strlen(err.field), ==, sizeof err.field - 1);

    tolk_error_set(&err, TOLK_ERROR_INVALID, "invalid_value", "name", "bad byte \xff here");
    g_assert_cmpstr(err.message, ==, "bad byte ");
    g_assert_cmpstr(err.field, ==, "name");
}

static void test_from_result(void)
{
    static const struct {
        tolk_status status;
        tolk_error_kind kind;
        int http;
    } table[] = {
        {TOLK_ERR_INVALID, TOLK_ERROR_INVALID, 400},
        {TOLK_ERR_NOT_FOUND, TOLK_ERROR_NOT_FOUND, 404},
        {TOLK_ERR_ENGAGED, TOLK_ERROR_CONFLICT, 409},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
        tolk_result result = {.status = table[i].status, .code = "channel_engaged", .field = "mic"};
        g_strlcpy(result.message, "channel en is carried by booth fr", sizeof result.message);
        tolk_error err;
        tolk_error_from_result(&err, &result);
        g_assert_cmpint(err.kind, ==, table[i].kind);
        g_assert_cmpint(tolk_http_status_for(err.kind), ==, table[i].http);
        g_assert_cmpstr(err.code, ==, "channel_engaged");
        g_assert_cmpstr(err.field, ==, "mic");
        g_assert_cmpstr(err.message, ==, "channel en is carried by booth fr");
    }
    /* A rules refusal without a code is the API's invalid_value. */
    tolk_result bare = {.status = TOLK_ERR_INVALID};
    tolk_error err;
    tolk_error_from_result(&err, &bare);
    g_assert_cmpstr(err.code, ==, "invalid_value");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/error/status_table", test_status_table);
    g_test_add_func("/error/set", test_set);
    g_test_add_func("/error/from_result", test_from_result);
    return g_test_run();
}
