/* SPDX-License-Identifier: EUPL-1.2 */
#include "keys.h"

#include <glib.h>
#include <string.h>

/* bytes 0..29, checked against Python's base64.b64encode */
static const char counting_key_b64[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";

static void counting_key(uint8_t key[TOLK_KEY_LEN])
{
    for (int i = 0; i < TOLK_KEY_LEN; i++)
        key[i] = (uint8_t)i;
}

static void test_encode_known_vector(void)
{
    uint8_t key[TOLK_KEY_LEN];
    char b64[TOLK_KEY_B64_LEN + 1];
    counting_key(key);
    tolk_key_to_base64(key, b64);
    g_assert_cmpstr(b64, ==, counting_key_b64);
}

static void test_decode_known_vector(void)
{
    uint8_t expected[TOLK_KEY_LEN], key[TOLK_KEY_LEN];
    counting_key(expected);
    g_assert_true(tolk_key_from_base64(counting_key_b64, key));
    g_assert_cmpmem(key, sizeof key, expected, sizeof expected);
}

static void test_round_trip_random_keys(void)
{
    for (int i = 0; i < 200; i++) {
        uint8_t key[TOLK_KEY_LEN], back[TOLK_KEY_LEN];
        char b64[TOLK_KEY_B64_LEN + 1];
        g_assert_true(tolk_key_generate(key));
        tolk_key_to_base64(key, b64);
        g_assert_cmpuint(strlen(b64), ==, TOLK_KEY_B64_LEN);
        g_assert_true(tolk_key_from_base64(b64, back));
        g_assert_cmpmem(key, sizeof key, back, sizeof back);
    }
}

static void test_round_trip_extreme_bytes(void)
{
    uint8_t key[TOLK_KEY_LEN], back[TOLK_KEY_LEN];
    char b64[TOLK_KEY_B64_LEN + 1];
    memset(key, 0xff, sizeof key);
    tolk_key_to_base64(key, b64);
    g_assert_cmpstr(b64, ==, "////////////////////////////////////////");
    g_assert_true(tolk_key_from_base64(b64, back));
    g_assert_cmpmem(key, sizeof key, back, sizeof back);
}

static void test_rejects_bad_input(void)
{
    static const char *const bad[] = {
        "",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw",   /* 39 characters */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdA", /* 41 characters */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx==",  /* padding: 29 bytes */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw=",  /* padding inside the length */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw-",  /* URL-safe alphabet */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw_",
        " AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw", /* whitespace */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw\n",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd|2^31", /* lifetime suffix */
        "AAECAwQFBgcI\x80QoLDA0ODxAREhMUFRYXGBkaGxwd",  /* non-ASCII */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx\0d",    /* embedded NUL: 38 chars */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint8_t key[TOLK_KEY_LEN];
        memset(key, 0xaa, sizeof key);
        g_assert_false(tolk_key_from_base64(bad[i], key));
        uint8_t zero[TOLK_KEY_LEN] = {0};
        g_assert_cmpmem(key, sizeof key, zero, sizeof zero);
    }
    uint8_t key[TOLK_KEY_LEN];
    g_assert_false(tolk_key_from_base64(NULL, key));
}

static void test_generated_keys_look_random(void)
{
    uint8_t a[TOLK_KEY_LEN], b[TOLK_KEY_LEN], zero[TOLK_KEY_LEN] = {0};
    g_assert_true(tolk_key_generate(a));
    g_assert_true(tolk_key_generate(b));
    g_assert_true(memcmp(a, b, sizeof a) != 0);
    g_assert_true(memcmp(a, zero, sizeof a) != 0);
    /* 240 random bits: the number of set bits is within 60 of 120 except with negligible
     * probability; this catches a constant or mostly-zero generator. */
    int ones = 0;
    for (int i = 0; i < TOLK_KEY_LEN; i++)
        ones += __builtin_popcount(a[i]);
    g_assert_cmpint(ones, >, 60);
    g_assert_cmpint(ones, <, 180);
}

static void test_random_bytes_large_request(void)
{
    /* Over 256 bytes getrandom may return short reads; the loop must fill it all. */
    static uint8_t buf[70000];
    memset(buf, 0, sizeof buf);
    g_assert_true(tolk_random_bytes(buf, sizeof buf));
    size_t zeros = 0;
    for (size_t i = 0; i < sizeof buf; i++)
        zeros += buf[i] == 0;
    g_assert_cmpuint(zeros, <, 1000); /* expected about 273 */
}

static void test_wipe(void)
{
    uint8_t key[TOLK_KEY_LEN], zero[TOLK_KEY_LEN] = {0};
    g_assert_true(tolk_key_generate(key));
    tolk_key_wipe(key, sizeof key);
    g_assert_cmpmem(key, sizeof key, zero, sizeof zero);
}

/* The one token generator: the forms the daemon hands out (43 base64url characters for a
 * grant, 32 for the operator token, 32 hex digits for a WebRTC resource id), all distinct. */
static void check_token_form(size_t n, tolk_token_form form, size_t len, const char *alphabet)
{
    char a[TOLK_TOKEN_TEXT_SIZE(TOLK_TOKEN_MAX_BYTES)], b[sizeof a];
    g_assert_true(tolk_random_token(n, form, a, TOLK_TOKEN_TEXT_SIZE(n)));
    g_assert_true(tolk_random_token(n, form, b, TOLK_TOKEN_TEXT_SIZE(n)));
    g_assert_cmpuint(strlen(a), ==, len);
    g_assert_cmpuint(strspn(a, alphabet), ==, len);
    g_assert_cmpstr(a, !=, b);
}

static void test_random_token_forms(void)
{
    static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    check_token_form(32, TOLK_TOKEN_BASE64URL, 43, b64url);
    check_token_form(24, TOLK_TOKEN_BASE64URL, 32, b64url);
    check_token_form(16, TOLK_TOKEN_HEX, 32, "0123456789abcdef");
    check_token_form(1, TOLK_TOKEN_BASE64URL, 2, b64url);
    char small[8];
    g_assert_false(tolk_random_token(4, TOLK_TOKEN_HEX, small, sizeof small)); /* 9 needed */
    g_assert_cmpstr(small, ==, "");
    g_assert_false(tolk_random_token(TOLK_TOKEN_MAX_BYTES + 1, TOLK_TOKEN_HEX, small, sizeof small));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/net/keys/encode-known-vector", test_encode_known_vector);
    g_test_add_func("/net/keys/decode-known-vector", test_decode_known_vector);
    g_test_add_func("/net/keys/round-trip-random", test_round_trip_random_keys);
    g_test_add_func("/net/keys/round-trip-extreme", test_round_trip_extreme_bytes);
    g_test_add_func("/net/keys/rejects-bad-input", test_rejects_bad_input);
    g_test_add_func("/net/keys/generated-look-random", test_generated_keys_look_random);
    g_test_add_func("/net/keys/random-bytes-large", test_random_bytes_large_request);
    g_test_add_func("/net/keys/wipe", test_wipe);
    g_test_add_func("/net/keys/random-token-forms", test_random_token_forms);
    return g_test_run();
}
