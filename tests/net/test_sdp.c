/* SPDX-License-Identifier: EUPL-1.2 */
#include "sdp.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

static const char key_b64[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";

static void test_ipv4_mono_golden(void)
{
    char *sdp = tolk_sdp_for_stream("Plenary en", "127.0.0.1", 50000, 111, 1, key_b64);
    g_assert_cmpstr(sdp, ==,
                    "v=0\r\n"
                    "o=- 0 0 IN IP4 127.0.0.1\r\n"
                    "s=Plenary en\r\n"
                    "c=IN IP4 127.0.0.1\r\n"
                    "t=0 0\r\n"
                    "m=audio 50000 RTP/SAVP 111\r\n"
                    "a=rtpmap:111 opus/48000/2\r\n"
                    "a=fmtp:111 stereo=0;sprop-stereo=0\r\n"
                    "a=ptime:20\r\n"
                    "a=sendonly\r\n"
                    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
                    "inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n");
    free(sdp);
}

static void test_ipv6_stereo_golden(void)
{
    char *sdp = tolk_sdp_for_stream("floor", "2001:db8::7", 40002, 96, 2, key_b64);
    g_assert_cmpstr(sdp, ==,
                    "v=0\r\n"
                    "o=- 0 0 IN IP6 2001:db8::7\r\n"
                    "s=floor\r\n"
                    "c=IN IP6 2001:db8::7\r\n"
                    "t=0 0\r\n"
                    "m=audio 40002 RTP/SAVP 96\r\n"
                    "a=rtpmap:96 opus/48000/2\r\n"
                    "a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
                    "a=ptime:20\r\n"
                    "a=sendonly\r\n"
                    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
                    "inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n");
    free(sdp);
}

static void test_every_line_ends_in_crlf(void)
{
    char *sdp = tolk_sdp_for_stream(NULL, "::1", 1, 127, 1, key_b64);
    g_assert_nonnull(sdp);
    g_assert_true(g_str_has_prefix(sdp, "v=0\r\n"));
    g_assert_true(g_str_has_suffix(sdp, "\r\n"));
    for (const char *p = sdp; *p; p++) {
        if (*p == '\n')
            g_assert_true(p > sdp && p[-1] == '\r');
    }
    g_assert_nonnull(strstr(sdp, "\r\ns=-\r\n"));
    free(sdp);
}

static void test_rejects_invalid_arguments(void)
{
    g_assert_null(tolk_sdp_for_stream("x", "localhost", 5000, 111, 1, key_b64));
    g_assert_null(tolk_sdp_for_stream("x", "10.0.0", 5000, 111, 1, key_b64));
    g_assert_null(tolk_sdp_for_stream("x", "fe80::1%eth0", 5000, 111, 1, key_b64));
    g_assert_null(tolk_sdp_for_stream("x", NULL, 5000, 111, 1, key_b64));
    g_assert_null(tolk_sdp_for_stream("x", "10.0.0.1", 0, 111, 1, key_b64));
    g_assert_null(tolk_sdp_for_stream("x", "10.0.0.1", 65536, 111, 1, key_b64));
    g_assert_null(tolk_sdp_for_stream("x", "10.0.0.1", 5000, 95, 1, key_b64));
    g_assert_null(tolk_sdp_for_stream("x", "10.0.0.1", 5000, 128, 1, key_b64));
    g_assert_null(tolk_sdp_for_stream("x", "10.0.0.1", 5000, 111, 0, key_b64));
    g_assert_null(tolk_sdp_for_stream("x", "10.0.0.1", 5000, 111, 3, key_b64));
    g_assert_null(tolk_sdp_for_stream("x", "10.0.0.1", 5000, 111, 1, "short"));
    g_assert_null(tolk_sdp_for_stream("x", "10.0.0.1", 5000, 111, 1, NULL));
}

static void check_s_line(const char *name, const char *want)
{
    char *sdp = tolk_sdp_for_stream(name, "10.0.0.1", 5000, 111, 1, key_b64);
    g_assert_nonnull(sdp);
    char *line = g_strdup_printf("\r\ns=%s\r\nc=IN IP4 10.0.0.1\r\n", want);
    if (!strstr(sdp, line))
        g_error("name \"%s\": no line \"s=%s\" in\n%s", name, want, sdp);
    g_assert_null(strstr(sdp, "\na=inject"));
    g_free(line);
    free(sdp);
}

/* A name never costs the SDP (a TAB once made every sdp null) and never breaks its line:
 * a line break would let the name inject SDP lines. */
static void test_session_name_stays_one_line(void)
{
    check_s_line("x\r\na=inject", "x  a=inject");
    check_s_line("x\ty", "x y");
    check_s_line("del\x7f, csi\xc2\x9b", "del , csi ");
    check_s_line("Sitzung \xe2\x80\x93 Plenum \xc3\xbc", "Sitzung \xe2\x80\x93 Plenum \xc3\xbc");
    check_s_line("\xc0\xae\xed\xa0\x80\xf4\x90\x80\x80\xc3", "??????????");
    check_s_line("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/net/sdp/ipv4-mono-golden", test_ipv4_mono_golden);
    g_test_add_func("/net/sdp/ipv6-stereo-golden", test_ipv6_stereo_golden);
    g_test_add_func("/net/sdp/crlf", test_every_line_ends_in_crlf);
    g_test_add_func("/net/sdp/rejects-invalid", test_rejects_invalid_arguments);
    g_test_add_func("/net/sdp/session-name-one-line", test_session_name_stays_one_line);
    return g_test_run();
}
