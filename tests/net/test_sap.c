/* SPDX-License-Identifier: EUPL-1.2 */
/* sap: the packets Tolk builds, byte for byte; packets as other announcers send them; and
 * the ones refused (authenticated, encrypted, compressed, malformed). */
#include "aes67_sdp.h"
#include "sap.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\n";

static void test_build_layout(void)
{
    uint8_t buf[TOLK_SAP_MAX_SEND];
    tolk_error err = {0};
    size_t n = tolk_sap_build(false, "192.0.2.33", 0xBEEF, sdp, buf, sizeof buf, &err);
    g_assert_cmpuint(n, ==, 8 + 16 + strlen(sdp));
    static const uint8_t head[] = {0x20, 0x00, 0xBE, 0xEF, 192, 0, 2, 33};
    g_assert_cmpmem(buf, 8, head, 8);
    g_assert_cmpmem(buf + 8, 16, "application/sdp", 16);
    g_assert_cmpmem(buf + 24, n - 24, sdp, strlen(sdp));

    n = tolk_sap_build(true, "192.0.2.33", 0xBEEF, sdp, buf, sizeof buf, &err);
    g_assert_cmphex(buf[0], ==, 0x24); /* T: deletion */
}

static void test_round_trip(void)
{
    uint8_t buf[TOLK_SAP_MAX_SEND];
    tolk_error err = {0};
    tolk_sap_message m;
    for (int del = 0; del < 2; del++) {
        size_t n = tolk_sap_build(del, "127.0.0.1", 7, sdp, buf, sizeof buf, &err);
        g_assert_true(tolk_sap_parse(buf, n, &m, &err));
        g_assert_cmpint(m.deletion, ==, del);
        g_assert_cmpuint(m.msg_id_hash, ==, 7);
        g_assert_false(m.ipv6);
        g_assert_cmpstr(m.origin, ==, "127.0.0.1");
        g_assert_cmpmem(m.sdp, m.sdp_len, sdp, strlen(sdp));
    }
}

/* An AES67 SDP written, announced, received and read back. */
static void test_announces_aes67(void)
{
    tolk_aes67_sdp_params p = {
        .session_name = "Tolk floor",
        .origin_address = "127.0.0.1",
        .session_id = 5,
        .session_version = 1,
        .address = "239.255.0.9",
        .port = 5004,
        .payload_type = 97,
        .refclk = {.kind = TOLK_AES67_CLOCK_PTP, .gmid = "00-11-22-FF-FE-33-44-55", .ptp_domain = 0},
    };
    tolk_error err = {0};
    char *text = tolk_aes67_sdp_write(&p, &err);
    uint8_t buf[TOLK_SAP_MAX_SEND];
    size_t n = tolk_sap_build(false, "127.0.0.1", tolk_sap_hash(text, strlen(text)), text, buf,
                              sizeof buf, &err);
    g_assert_cmpuint(n, >, 0);
    tolk_sap_message m;
    tolk_aes67_stream s;
    g_assert_true(tolk_sap_parse(buf, n, &m, &err));
    g_assert_true(tolk_aes67_sdp_parse(m.sdp, m.sdp_len, &s, &err));
    g_assert_cmpstr(s.session_name, ==, "Tolk floor");
    g_assert_cmpstr(s.address, ==, "239.255.0.9");
    g_assert_cmpint(s.encoding, ==, TOLK_AES67_L24);
    free(text);
}

/* Other announcers: IPv6 origin, no payload type before "v=0", a NUL after the SDP. */
static void test_parses_others(void)
{
    uint8_t buf[64] = {0x30, 0x00, 0x12, 0x34};
    buf[4] = 0x20, buf[5] = 0x01, buf[6] = 0x0d, buf[7] = 0xb8, buf[19] = 0x05;
    memcpy(buf + 20, "v=0\r\n", 5);
    buf[25] = '\0';
    tolk_sap_message m;
    tolk_error err = {0};
    g_assert_true(tolk_sap_parse(buf, 27, &m, &err));
    g_assert_true(m.ipv6);
    g_assert_cmpstr(m.origin, ==, "2001:db8::5");
    g_assert_cmpuint(m.msg_id_hash, ==, 0x1234);
    g_assert_cmpmem(m.sdp, m.sdp_len, "v=0\r\n", 5);
}

static void expect_refused(const uint8_t *p, size_t len, const char *needle)
{
    tolk_sap_message m;
    tolk_error err = {0};
    g_assert_false(tolk_sap_parse(p, len, &m, &err));
    g_assert_cmpstr(err.code, ==, "invalid_sap");
    g_assert_cmpstr(err.field, ==, "sap");
    if (!strstr(err.message, needle))
        g_error("message \"%s\" lacks \"%s\"", err.message, needle);
    g_assert_null(m.sdp);
}

static void test_refuses(void)
{
    uint8_t good[TOLK_SAP_MAX_SEND];
    tolk_error err = {0};
    size_t n = tolk_sap_build(false, "127.0.0.1", 9, sdp, good, sizeof good, &err);
    uint8_t p[TOLK_SAP_MAX_PACKET + 1];
    static const struct {
        uint8_t byte0, auth;
        const char *needle;
    } flags[] = {
        {0x22, 0, "encrypted"}, {0x21, 0, "compressed"}, {0x20, 2, "authenticated"},
        {0x00, 0, "version"},   {0x40, 0, "version"},    {0xE0, 0, "version"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(flags); i++) {
        memcpy(p, good, n);
        p[0] = flags[i].byte0;
        p[1] = flags[i].auth;
        expect_refused(p, n, flags[i].needle);
    }
    expect_refused(good, 7, "shorter");
    memcpy(p, good, n);
    p[0] |= 0x10; /* claims an IPv6 origin: the packet ends inside it... almost */
    expect_refused(p, 20, "origin");
    memcpy(p, good, n);
    memcpy(p + 8, "text/plain", 11);
    expect_refused(p, n, "only application/sdp");
    memset(p + 8, 'a', 80);
    expect_refused(p, 88, "no NUL-terminated");
    expect_refused(good, 8 + 16, "empty");
    memcpy(p, good, n);
    p[30] = '\0';
    expect_refused(p, n, "a NUL inside");
    memset(p, 0, sizeof p);
    memcpy(p, good, n);
    expect_refused(p, sizeof p, "longer than 4096");
}

static void test_build_refuses(void)
{
    uint8_t buf[TOLK_SAP_MAX_SEND];
    tolk_error err = {0};
    g_assert_cmpuint(tolk_sap_build(false, "::1", 1, sdp, buf, sizeof buf, &err), ==, 0);
    g_assert_cmpstr(err.field, ==, "origin");
    g_assert_cmpuint(tolk_sap_build(false, "127.0.0.1", 0, sdp, buf, sizeof buf, &err), ==, 0);
    g_assert_cmpstr(err.field, ==, "msg_id_hash");
    g_assert_cmpuint(tolk_sap_build(false, "127.0.0.1", 1, "", buf, sizeof buf, &err), ==, 0);
    g_assert_cmpstr(err.field, ==, "sdp");
    g_assert_cmpuint(tolk_sap_build(false, "127.0.0.1", 1, sdp, buf, 30, &err), ==, 0);
    char *big = g_strnfill(TOLK_SAP_MAX_SEND - 23, 'a');
    g_assert_cmpuint(tolk_sap_build(false, "127.0.0.1", 1, big, buf, sizeof buf, &err), ==, 0);
    big[TOLK_SAP_MAX_SEND - 24] = '\0';
    g_assert_cmpuint(tolk_sap_build(false, "127.0.0.1", 1, big, buf, sizeof buf, &err), ==, TOLK_SAP_MAX_SEND);
    g_free(big);
}

static void test_hash(void)
{
    g_assert_cmpuint(tolk_sap_hash(sdp, strlen(sdp)), ==, tolk_sap_hash(sdp, strlen(sdp)));
    g_assert_cmpuint(tolk_sap_hash(sdp, strlen(sdp)), !=, tolk_sap_hash(sdp, strlen(sdp) - 1));
    for (int i = 0; i < 70000; i++) {
        char text[16];
        int len = snprintf(text, sizeof text, "%d", i);
        g_assert_cmpuint(tolk_sap_hash(text, (size_t)len), !=, 0);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sap/build_layout", test_build_layout);
    g_test_add_func("/sap/round_trip", test_round_trip);
    g_test_add_func("/sap/announces_aes67", test_announces_aes67);
    g_test_add_func("/sap/parses_others", test_parses_others);
    g_test_add_func("/sap/refuses", test_refuses);
    g_test_add_func("/sap/build_refuses", test_build_refuses);
    g_test_add_func("/sap/hash", test_hash);
    return g_test_run();
}
