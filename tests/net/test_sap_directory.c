/* SPDX-License-Identifier: EUPL-1.2 */
/* The SAP directory (mixer/net/sap_directory.c): sessions keyed by origin and hash, refreshed,
 * deleted, forgotten after 10 intervals, bounded. */
#include "sap.h"
#include "sap_directory.h"

#include <glib.h>
#include <string.h>

static size_t packet(uint8_t *buf, bool deletion, const char *origin, const char *name, int port)
{
    gchar *sdp = g_strdup_printf("v=0\r\no=- %d 1 IN IP4 %s\r\ns=%s\r\nc=IN IP4 239.69.0.%d/32\r\nt=0 0\r\n"
                                 "m=audio %d RTP/AVP 98\r\na=rtpmap:98 L24/48000/2\r\na=ptime:1\r\n"
                                 "a=ts-refclk:ptp=IEEE1588-2008:00-11-22-FF-FE-33-44-55:0\r\na=mediaclk:direct=0\r\n",
                                 port, origin, name, port % 250, port);
    tolk_error err;
    size_t n = tolk_sap_build(deletion, origin, tolk_sap_hash(sdp, strlen(sdp)), sdp, buf, TOLK_SAP_MAX_SEND, &err);
    g_assert_cmpuint(n, >, 0);
    g_free(sdp);
    return n;
}

static void test_lifecycle(void)
{
    tolk_sap_directory *dir = tolk_sap_directory_new(0);
    uint8_t buf[TOLK_SAP_MAX_SEND];
    size_t n = packet(buf, false, "192.0.2.1", "Hall", 5004);
    int64_t t = 1000000;
    g_assert_cmpint(tolk_sap_directory_take(dir, buf, n, t, 0), ==, TOLK_SAP_ADDED);
    g_assert_cmpint(tolk_sap_directory_take(dir, buf, n, t + 2000000, 0), ==, TOLK_SAP_REFRESHED);
    g_assert_cmpuint(tolk_sap_directory_count(dir), ==, 1);
    const tolk_sap_entry *e = tolk_sap_directory_find(dir, "Hall");
    g_assert_nonnull(e);
    g_assert_cmpint(e->interval_us, ==, 2000000);
    g_assert_cmpint(e->stream.channels, ==, 2);
    g_assert_nonnull(strstr(e->sdp, "s=Hall"));
    /* 10 intervals (20 s) after the last: still there; just past: gone. */
    g_assert_cmpuint(tolk_sap_directory_expire(dir, t + 2000000 + 20000000), ==, 0);
    g_assert_cmpuint(tolk_sap_directory_expire(dir, t + 2000000 + 20000001), ==, 1);
    g_assert_null(tolk_sap_directory_find(dir, "Hall"));
    /* A deletion forgets it at once; one of an unknown session is ignored. */
    g_assert_cmpint(tolk_sap_directory_take(dir, buf, n, t, 0), ==, TOLK_SAP_ADDED);
    uint8_t del[TOLK_SAP_MAX_SEND];
    size_t dn = packet(del, true, "192.0.2.1", "Hall", 5004);
    g_assert_cmpint(tolk_sap_directory_take(dir, del, dn, t + 1, 0), ==, TOLK_SAP_DELETED);
    g_assert_cmpint(tolk_sap_directory_take(dir, del, dn, t + 2, 0), ==, TOLK_SAP_IGNORED);
    g_assert_cmpuint(tolk_sap_directory_count(dir), ==, 0);
    tolk_sap_directory_free(dir);
}

static void test_bounded_and_refused(void)
{
    tolk_sap_directory *dir = tolk_sap_directory_new(4);
    uint8_t buf[TOLK_SAP_MAX_SEND];
    for (int i = 0; i < 6; i++) {
        size_t n = packet(buf, false, "192.0.2.1", "Mic", 5000 + i);
        g_assert_cmpint(tolk_sap_directory_take(dir, buf, n, 1000 + i, 0), ==, i < 4 ? TOLK_SAP_ADDED : TOLK_SAP_FULL);
    }
    g_assert_cmpuint(tolk_sap_directory_count(dir), ==, 4);
    /* The latest of one name wins. */
    g_assert_cmpint(tolk_sap_directory_find(dir, "Mic")->stream.port, ==, 5003);
    uint8_t junk[64] = {0x20, 0, 1, 2, 127, 0, 0, 1};
    g_assert_cmpint(tolk_sap_directory_take(dir, junk, sizeof junk, 2000, 0), ==, TOLK_SAP_REFUSED);
    tolk_sap_directory_stats s;
    tolk_sap_directory_get_stats(dir, &s);
    g_assert_cmpuint(s.full, ==, 2);
    g_assert_cmpuint(s.refused, ==, 1);
    g_assert_cmpuint(s.announcements, ==, 6);
    tolk_sap_directory_free(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sap_directory/lifecycle", test_lifecycle);
    g_test_add_func("/sap_directory/bounded_and_refused", test_bounded_and_refused);
    return g_test_run();
}
