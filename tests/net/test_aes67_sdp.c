/* SPDX-License-Identifier: EUPL-1.2 */
/* aes67_sdp: SDPs written the way hall devices write them (our own texts, in the shapes of
 * Dante, RAVENNA and ST 2110-30 senders), Tolk's own SDP read back, and hostile texts that
 * must be refused with the line named. */
#include "aes67_sdp.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

static bool parse(const char *text, tolk_aes67_stream *s, tolk_error *err)
{
    return tolk_aes67_sdp_parse(text, strlen(text), s, err);
}

/* A two-channel stream as a Dante device announces it over SAP. */
static const char dante_like[] =
    "v=0\r\n"
    "o=- 7340021 7340029 IN IP4 192.0.2.41\r\n"
    "s=FOH-Stagebox-04 : 17\r\n"
    "c=IN IP4 239.69.17.41/32\r\n"
    "t=0 0\r\n"
    "a=keywds:Dante\r\n"
    "m=audio 5004 RTP/AVP 97\r\n"
    "i=2 channels: Floor L, Floor R\r\n"
    "a=recvonly\r\n"
    "a=rtpmap:97 L24/48000/2\r\n"
    "a=ptime:1\r\n"
    "a=ts-refclk:ptp=IEEE1588-2008:00-1d-c1-ff-fe-12-34-56:0\r\n"
    "a=mediaclk:direct=3141592653\r\n";

static void test_dante_like(void)
{
    tolk_aes67_stream s;
    tolk_error err = {0};
    g_assert_true(parse(dante_like, &s, &err));
    g_assert_cmpstr(s.session_name, ==, "FOH-Stagebox-04 : 17");
    g_assert_cmpstr(s.origin_username, ==, "-");
    g_assert_cmpuint(s.origin_session_id, ==, 7340021);
    g_assert_cmpuint(s.origin_session_version, ==, 7340029);
    g_assert_cmpstr(s.origin_address, ==, "192.0.2.41");
    g_assert_cmpstr(s.address, ==, "239.69.17.41");
    g_assert_true(s.multicast);
    g_assert_false(s.ipv6);
    g_assert_cmpint(s.ttl, ==, 32);
    g_assert_cmpint(s.port, ==, 5004);
    g_assert_cmpint(s.payload_type, ==, 97);
    g_assert_cmpint(s.encoding, ==, TOLK_AES67_L24);
    g_assert_cmpint(s.channels, ==, 2);
    g_assert_cmpint(s.ptime_us, ==, 1000);
    g_assert_cmpint(s.frame_samples, ==, 48);
    g_assert_cmpint(s.direction, ==, TOLK_AES67_DIR_RECVONLY);
    g_assert_cmpint(s.refclk.kind, ==, TOLK_AES67_CLOCK_PTP);
    g_assert_cmpstr(s.refclk.ptp_version, ==, "IEEE1588-2008");
    g_assert_cmpstr(s.refclk.gmid, ==, "00-1D-C1-FF-FE-12-34-56");
    g_assert_cmpint(s.refclk.ptp_domain, ==, 0);
    g_assert_true(s.has_mediaclk);
    g_assert_cmpuint(s.mediaclk_offset, ==, 3141592653u);
    g_assert_cmpstr(s.info, ==, "2 channels: Floor L, Floor R");
    g_assert_cmpint(s.media_count, ==, 1);
    g_assert_cmpuint(tolk_aes67_payload_bytes(&s), ==, 48 * 2 * 3);
}

/* ST 2110-30 with ST 2022-7: 8 channels at 125 us, the clock at session level, a source
 * filter per leg, two m= lines (the first one is taken). */
static const char st2110_dup[] =
    "v=0\r\n"
    "o=- 1700000001 1700000002 IN IP4 198.51.100.7\r\n"
    "s=Hall mixer bus 1-8\r\n"
    "t=0 0\r\n"
    "a=group:DUP primary secondary\r\n"
    "a=ts-refclk:ptp=IEEE1588-2008:AC-DE-48-FF-FE-00-11-22:domain-nmbr=127\r\n"
    "a=mediaclk:direct=0\r\n"
    "m=audio 50010 RTP/AVP 98\r\n"
    "c=IN IP4 239.10.20.30/64\r\n"
    "a=source-filter: incl IN IP4 239.10.20.30 198.51.100.7\r\n"
    "a=rtpmap:98 L24/48000/8\r\n"
    "a=ptime:0.125\r\n"
    "a=mid:primary\r\n"
    "m=audio 50010 RTP/AVP 98\r\n"
    "c=IN IP4 239.110.20.30/64\r\n"
    "a=source-filter: incl IN IP4 239.110.20.30 198.51.100.8\r\n"
    "a=rtpmap:98 L24/48000/8\r\n"
    "a=ptime:0.125\r\n"
    "a=mid:secondary\r\n";

static void test_st2110_redundant(void)
{
    tolk_aes67_stream s;
    tolk_error err = {0};
    g_assert_true(parse(st2110_dup, &s, &err));
    g_assert_cmpstr(s.address, ==, "239.10.20.30");
    g_assert_cmpint(s.ttl, ==, 64);
    g_assert_cmpint(s.channels, ==, 8);
    g_assert_cmpint(s.ptime_us, ==, 125);
    g_assert_cmpint(s.frame_samples, ==, 6);
    g_assert_cmpint(s.direction, ==, TOLK_AES67_DIR_NONE);
    g_assert_cmpint(s.refclk.kind, ==, TOLK_AES67_CLOCK_PTP);
    g_assert_cmpint(s.refclk.ptp_domain, ==, 127);
    g_assert_true(s.has_mediaclk);
    g_assert_cmpuint(s.mediaclk_offset, ==, 0);
    g_assert_true(s.has_source_filter);
    g_assert_cmpstr(s.source_address, ==, "198.51.100.7");
    g_assert_cmpint(s.media_count, ==, 2);
}

/* A RAVENNA-style unicast L16 stream with a=framecount, LF line ends, the free-running
 * clock of a device without PTP, and a video section before the audio one. */
static const char ravenna_like[] =
    "v=0\n"
    "o=ravenna 42 1 IN IP4 203.0.113.5\n"
    "s=Booth monitor\n"
    "c=IN IP4 203.0.113.80\n"
    "t=0 0\n"
    "m=video 6000 RTP/AVP 96\n"
    "a=rtpmap:96 raw/90000\n"
    "m=audio 5006 RTP/AVP 96 99\n"
    "a=rtpmap:96 opus/48000/2\n"
    "a=rtpmap:99 L16/48000/4\n"
    "a=framecount:48\n"
    "a=ptime:1\n"
    "a=sendonly\n"
    "a=ts-refclk:localmac=0a-1b-2c-3d-4e-5f\n"
    "a=ts-refclk:ptp=IEEE1588-2008:traceable\n";

static void test_ravenna_like(void)
{
    tolk_aes67_stream s;
    tolk_error err = {0};
    g_assert_true(parse(ravenna_like, &s, &err));
    g_assert_cmpstr(s.address, ==, "203.0.113.80");
    g_assert_false(s.multicast);
    g_assert_cmpint(s.ttl, ==, -1);
    g_assert_cmpint(s.port, ==, 5006);
    g_assert_cmpint(s.payload_type, ==, 99);
    g_assert_cmpint(s.encoding, ==, TOLK_AES67_L16);
    g_assert_cmpint(s.channels, ==, 4);
    g_assert_cmpint(s.frame_samples, ==, 48);
    g_assert_cmpint(s.direction, ==, TOLK_AES67_DIR_SENDONLY);
    g_assert_cmpint(s.refclk.kind, ==, TOLK_AES67_CLOCK_LOCALMAC);
    g_assert_cmpstr(s.refclk.localmac, ==, "0A-1B-2C-3D-4E-5F");
    g_assert_false(s.has_mediaclk);
    g_assert_cmpint(s.media_count, ==, 2);
}

static void test_ptimes_and_ipv6(void)
{
    static const struct {
        const char *ptime;
        int us, samples;
    } cases[] = {{"0.250", 250, 12}, {"0.333", 333, 16}, {"4", 4000, 192}, {"1.0", 1000, 48}};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *text = g_strdup_printf("v=0\r\no=- 1 1 IN IP6 2001:db8::5\r\ns=x\r\n"
                                     "c=IN IP6 ff15::a:b\r\nt=0 0\r\nm=audio 5004 RTP/AVP 96\r\n"
                                     "a=rtpmap:96 l24/48000\r\na=ptime:%s\r\n"
                                     "a=ts-refclk:ntp=/traceable/\r\n\r\n",
                                     cases[i].ptime);
        tolk_aes67_stream s;
        tolk_error err = {0};
        g_assert_true(parse(text, &s, &err));
        g_assert_cmpint(s.ptime_us, ==, cases[i].us);
        g_assert_cmpint(s.frame_samples, ==, cases[i].samples);
        g_assert_true(s.ipv6 && s.multicast);
        g_assert_cmpint(s.channels, ==, 1);
        g_assert_cmpint(s.refclk.kind, ==, TOLK_AES67_CLOCK_NTP);
        g_free(text);
    }
}

static void test_take_channel(void)
{
    tolk_aes67_stream s;
    tolk_error err = {0};
    g_assert_true(parse(dante_like, &s, &err));
    /* Two frames: L = 0x123456, R = 0xFEDCBA (negative); then L = 0x7FFFFF, R = 0x800000. */
    const uint8_t payload[] = {0x12, 0x34, 0x56, 0xFE, 0xDC, 0xBA, 0x7F, 0xFF, 0xFF, 0x80, 0x00, 0x00};
    int32_t out[4];
    g_assert_cmpint(tolk_aes67_take_channel(&s, 1, payload, sizeof payload, out, 4), ==, 2);
    g_assert_cmpint(out[0], ==, (int32_t)0xFEDCBA00);
    g_assert_cmpint(out[1], ==, INT32_MIN);
    g_assert_cmpint(tolk_aes67_take_channel(&s, 0, payload, sizeof payload, out, 1), ==, 2);
    g_assert_cmpint(out[0], ==, 0x12345600);
    g_assert_cmpint(tolk_aes67_take_channel(&s, 2, payload, sizeof payload, out, 4), ==, -1);
    g_assert_cmpint(tolk_aes67_take_channel(&s, -1, payload, sizeof payload, out, 4), ==, -1);
    g_assert_cmpint(tolk_aes67_take_channel(&s, 0, payload, 5, out, 4), ==, -1);
    s.encoding = TOLK_AES67_L16;
    g_assert_cmpint(tolk_aes67_take_channel(&s, 1, payload, 8, out, 4), ==, 2);
    g_assert_cmpint(out[0], ==, 0x56FE0000);
    g_assert_cmpint(out[1], ==, 0x7FFF0000);
}

static tolk_aes67_sdp_params ptp_params(void)
{
    tolk_aes67_sdp_params p = {
        .session_name = "Tolk Plenary en",
        .origin_address = "127.0.0.1",
        .session_id = 9001,
        .session_version = 3,
        .address = "239.255.10.1",
        .port = 5004,
        .payload_type = 98,
        .refclk = {.kind = TOLK_AES67_CLOCK_PTP, .gmid = "08-00-11-ff-fe-22-33-44", .ptp_domain = 0},
    };
    return p;
}

static void test_write_golden(void)
{
    tolk_aes67_sdp_params p = ptp_params();
    tolk_error err = {0};
    char *sdp = tolk_aes67_sdp_write(&p, &err);
    g_assert_cmpstr(sdp, ==,
                    "v=0\r\n"
                    "o=- 9001 3 IN IP4 127.0.0.1\r\n"
                    "s=Tolk Plenary en\r\n"
                    "c=IN IP4 239.255.10.1/32\r\n"
                    "t=0 0\r\n"
                    "m=audio 5004 RTP/AVP 98\r\n"
                    "a=rtpmap:98 L24/48000/1\r\n"
                    "a=recvonly\r\n"
                    "a=ptime:1\r\n"
                    "a=ts-refclk:ptp=IEEE1588-2008:08-00-11-FF-FE-22-33-44:0\r\n"
                    "a=mediaclk:direct=0\r\n"
                    "a=source-filter: incl IN IP4 239.255.10.1 127.0.0.1\r\n");
    free(sdp);
}

static void test_round_trips(void)
{
    tolk_aes67_sdp_params p = ptp_params();
    tolk_error err = {0};
    tolk_aes67_stream s;
    p.ttl = 5;
    p.refclk.ptp_domain = 42;
    char *sdp = tolk_aes67_sdp_write(&p, &err);
    g_assert_true(parse(sdp, &s, &err));
    g_assert_cmpstr(s.session_name, ==, "Tolk Plenary en");
    g_assert_cmpuint(s.origin_session_id, ==, 9001);
    g_assert_cmpuint(s.origin_session_version, ==, 3);
    g_assert_cmpstr(s.address, ==, "239.255.10.1");
    g_assert_cmpint(s.ttl, ==, 5);
    g_assert_cmpint(s.port, ==, 5004);
    g_assert_cmpint(s.payload_type, ==, 98);
    g_assert_cmpint(s.encoding, ==, TOLK_AES67_L24);
    g_assert_cmpint(s.channels, ==, 1);
    g_assert_cmpint(s.ptime_us, ==, 1000);
    g_assert_cmpint(s.frame_samples, ==, 48);
    g_assert_cmpint(s.direction, ==, TOLK_AES67_DIR_RECVONLY);
    g_assert_cmpstr(s.refclk.gmid, ==, "08-00-11-FF-FE-22-33-44");
    g_assert_cmpint(s.refclk.ptp_domain, ==, 42);
    g_assert_true(s.has_mediaclk && s.mediaclk_offset == 0);
    g_assert_true(s.has_source_filter);
    g_assert_cmpstr(s.source_address, ==, "127.0.0.1");
    free(sdp);

    /* Unicast IPv6, localmac, a hostile name: still one s= line, read back as written. */
    p.address = "::1";
    p.origin_address = "::1";
    p.session_name = "a\r\nm=video 1 RTP/AVP 1";
    p.refclk = (tolk_aes67_refclk){.kind = TOLK_AES67_CLOCK_LOCALMAC, .localmac = "02-00-00-00-00-01"};
    sdp = tolk_aes67_sdp_write(&p, &err);
    g_assert_true(parse(sdp, &s, &err));
    g_assert_cmpstr(s.session_name, ==, "a  m=video 1 RTP/AVP 1");
    g_assert_cmpstr(s.address, ==, "::1");
    g_assert_true(s.ipv6 && !s.multicast && !s.has_source_filter);
    g_assert_cmpint(s.refclk.kind, ==, TOLK_AES67_CLOCK_LOCALMAC);
    g_assert_cmpint(s.media_count, ==, 1);
    free(sdp);
}

static void expect_write_refused(const tolk_aes67_sdp_params *p, const char *field)
{
    tolk_error err = {0};
    g_assert_null(tolk_aes67_sdp_write(p, &err));
    g_assert_cmpint(err.kind, ==, TOLK_ERROR_INVALID);
    g_assert_cmpstr(err.field, ==, field);
}

static void test_write_refuses(void)
{
    tolk_aes67_sdp_params p = ptp_params();
    p.address = "hall.example";
    expect_write_refused(&p, "address");
    p = ptp_params();
    p.origin_address = "239.1.1.1";
    expect_write_refused(&p, "origin_address");
    p = ptp_params();
    p.port = 0;
    expect_write_refused(&p, "port");
    p = ptp_params();
    p.payload_type = 11;
    expect_write_refused(&p, "payload_type");
    p = ptp_params();
    p.ttl = 256;
    expect_write_refused(&p, "ttl");
    p = ptp_params();
    p.refclk.kind = TOLK_AES67_CLOCK_NONE;
    expect_write_refused(&p, "refclk");
    p = ptp_params();
    strcpy(p.refclk.gmid, "08-00-11-ff-fe-22-33");
    expect_write_refused(&p, "refclk.gmid");
    p = ptp_params();
    p.refclk.ptp_domain = 128;
    expect_write_refused(&p, "refclk.ptp_domain");
    p = ptp_params();
    p.refclk = (tolk_aes67_refclk){.kind = TOLK_AES67_CLOCK_LOCALMAC, .localmac = "02:00:00:00:00:01"};
    expect_write_refused(&p, "refclk.localmac");
}

/* A valid head and audio section; each hostile case replaces one line of it. */
static const char *base_lines[] = {
    "v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=x", "c=IN IP4 239.1.2.3/32", "t=0 0",
    "m=audio 5004 RTP/AVP 96", "a=rtpmap:96 L24/48000/2", "a=ptime:1", NULL,
};

static char *with_line(int index, const char *replacement)
{
    GString *s = g_string_new(NULL);
    for (int i = 0; base_lines[i]; i++) {
        const char *l = i == index ? replacement : base_lines[i];
        if (l)
            g_string_append_printf(s, "%s\r\n", l);
    }
    return g_string_free(s, FALSE);
}

static void expect_refused(const char *text, size_t len, const char *needle)
{
    tolk_aes67_stream s;
    tolk_error err = {0};
    if (tolk_aes67_sdp_parse(text, len, &s, &err))
        g_error("accepted, expected a refusal with \"%s\":\n%s", needle, text);
    g_assert_cmpint(err.kind, ==, TOLK_ERROR_INVALID);
    g_assert_cmpstr(err.code, ==, "invalid_sdp");
    g_assert_cmpstr(err.field, ==, "sdp");
    if (!strstr(err.message, needle))
        g_error("message \"%s\" lacks \"%s\"", err.message, needle);
    g_assert_cmpint(s.port, ==, 0); /* nothing half-filled is left */
}

static void test_hostile_lines(void)
{
    static const struct {
        int line;
        const char *text, *needle;
    } cases[] = {
        {0, "v=1", "line 1 (v=)"},
        {1, NULL, "(m=): v=, o= and s="},
        {1, "o=- 1 IN IP4 192.0.2.1", "line 2 (o=): expected 6 fields"},
        {1, "o=- 99999999999999999999 1 IN IP4 192.0.2.1", "below 2^64"},
        {2, "s=", "line 3 (s=): empty"},
        {3, "c=IN IP4 239.1.2.3/256", "line 4 (c=): TTL 256"},
        {3, "c=IN IP4 239.1.2.3/32/4", "more than one address"},
        {3, "c=IN IP4 192.0.2.9/32", "a /TTL or /count"},
        {3, "c=IN IP4 hall.example", "not a numeric IPv4"},
        {3, "c=IN IPX 1.2.3.4", "address type IPX"},
        {3, "c=ATM NSAP x", "expected \"IN IP4|IP6"},
        {3, NULL, "no c= line"},
        {4, NULL, "v=, o=, s= and t="},
        {5, "m=audio 70000 RTP/AVP 96", "line 6 (m=): port 70000"},
        {5, "m=audio 5004/2 RTP/AVP 96", "a port count"},
        {5, "m=audio 5004 RTP/SAVP 96", "transport RTP/SAVP"},
        {5, "m=audio 5004 RTP/AVP 128", "payload type 128"},
        {5, "m=audio 5004 RTP/AVP", "expected \"MEDIA PORT"},
        {5, "m=audio 5004 RTP/AVP 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 96", "more than 16"},
        {5, "m=audio 0 RTP/AVP 96", "no m=audio RTP/AVP section"},
        {6, "a=rtpmap:97 L24/48000/2", "line 7 (a=rtpmap): payload type 97 is not on"},
        {6, "a=rtpmap:96 L24/96000/2", "clock rate 96000"},
        {6, "a=rtpmap:96 L24/48000/65", "channels 65"},
        {6, "a=rtpmap:96 L24/48000/0", "channels 0"},
        {6, "a=rtpmap:96 L24", "no clock rate"},
        {6, "a=rtpmap:96 L20/48000/2", "no m=audio RTP/AVP section"},
        {6, NULL, "no m=audio RTP/AVP section"},
        {7, "a=ptime:0.1", "packet time 100 us"},
        {7, "a=ptime:5", "packet time 5000 us"},
        {7, "a=ptime:0.1255", "at most 3 decimals"},
        {7, "a=ptime:-1", "at most 3 decimals"},
        {7, "a=ptime:1e3", "at most 3 decimals"},
        {7, "a=framecount:193", "frame count 193"},
        {7, "a=framecount:5", "at least 125 us"},
        {7, NULL, "no a=ptime"},
        {7, "a=ts-refclk:ptp=IEEE1588-2008:39-A7-94-FF-FE-07-CB:0", "grandmaster id"},
        {7, "a=ts-refclk:ptp=IEEE1588-2008:39-A7-94-FF-FE-07-CB-D0:128", "PTP domain 128"},
        {7, "a=ts-refclk:ptp=IEEE1588-1999:39-A7-94-FF-FE-07-CB-D0", "PTP version"},
        {7, "a=ts-refclk:gps", "reference clock gps"},
        {7, "a=ts-refclk:localmac=00-11-22-33-44", "localmac"},
        {7, "a=mediaclk:sender", "only direct="},
        {7, "a=mediaclk:direct=4294967296", "offset 4294967296"},
        {7, "a=source-filter: excl IN IP4 239.1.2.3 192.0.2.1", "only incl"},
        {7, "a=source-filter: incl IN IP4 239.1.2.3", "expected \"incl IN"},
        {7, "a=source-filter: incl IN IP4 239.1.2.3 host.example", "source 1"},
        {7, "a=p\x01time:1", "control character"},
        {7, "a=pti me:1", "not a token"},
        {7, "a=:1", "line 8 (a=): an attribute without a name"},
        {7, "x=1", "unknown line type"},
        {7, "A=1", "a lower-case letter"},
        {7, "a=\xff\xfe", "not UTF-8"},
        {6, "", "a lower-case letter"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *text = with_line(cases[i].line, cases[i].text);
        expect_refused(text, strlen(text), cases[i].needle);
        g_free(text);
    }
}

static void test_hostile_sizes(void)
{
    /* Too long in all, a line too long, too many lines, an embedded NUL, a framecount at odds. */
    GString *big = g_string_new("v=0\r\n");
    while (big->len <= TOLK_AES67_SDP_MAX_LEN)
        g_string_append(big, "a=x\r\n");
    expect_refused(big->str, big->len, "longer than 8192 bytes");
    g_string_assign(big, "v=0\r\na=");
    for (int i = 0; i < TOLK_AES67_SDP_MAX_LINE; i++)
        g_string_append_c(big, 'x');
    expect_refused(big->str, big->len, "line 2 (a=): longer than 512");
    g_string_assign(big, "v=0\r\n");
    for (int i = 0; i < TOLK_AES67_SDP_MAX_LINES; i++)
        g_string_append(big, "a=x\r\n");
    expect_refused(big->str, big->len, "more than 128 lines");
    g_string_free(big, TRUE);

    char *text = with_line(7, "a=ptime:1");
    size_t len = strlen(text);
    text[10] = '\0';
    expect_refused(text, len, "control character");
    g_free(text);
    text = with_line(7, "a=ptime:1\r\na=framecount:96");
    expect_refused(text, strlen(text), "disagree");
    g_free(text);
    expect_refused("", 0, "v=, o=, s= and t=");
    expect_refused("\r\n", 2, "line 1");
    /* Not past len: the text without its last lines is incomplete. */
    text = with_line(99, NULL);
    expect_refused(text, strlen(text) - 12, "no a=ptime");
    g_free(text);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/aes67_sdp/dante_like", test_dante_like);
    g_test_add_func("/aes67_sdp/st2110_redundant", test_st2110_redundant);
    g_test_add_func("/aes67_sdp/ravenna_like", test_ravenna_like);
    g_test_add_func("/aes67_sdp/ptimes_and_ipv6", test_ptimes_and_ipv6);
    g_test_add_func("/aes67_sdp/take_channel", test_take_channel);
    g_test_add_func("/aes67_sdp/write_golden", test_write_golden);
    g_test_add_func("/aes67_sdp/round_trips", test_round_trips);
    g_test_add_func("/aes67_sdp/write_refuses", test_write_refuses);
    g_test_add_func("/aes67_sdp/hostile_lines", test_hostile_lines);
    g_test_add_func("/aes67_sdp/hostile_sizes", test_hostile_sizes);
    return g_test_run();
}
