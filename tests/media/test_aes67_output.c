/* SPDX-License-Identifier: EUPL-1.2 */
/* aes67_packet and aes67_output: the packet byte for byte (L24, L16, clipping, NaN); an output
 * driven by hand with a made-up media clock: the prebuffer, the frame's samples in order, the
 * RTP timestamp on the clock's sample grid, an underrun sent as silence, a pacer that woke late
 * skipping ahead, and a ring past its band cut back. Packets go to a loopback socket. */
#include "aes67_output.h"
#include "aes67_packet.h"

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MS_NS 1000000LL
#define T0 (1800000000LL * 1000000000LL) /* a TAI time of 2027, in ns: 64-bit care needed */

static void test_packet_l24(void)
{
    const float x[] = {0.0f, 0.5f, -1.0f, 2.0f, -2.0f, 0.0f / 0.0f};
    tolk_aes67_packet_header h = {TOLK_AES67_L24, 98, 0x1234, 0xA1B2C3D4, 0x01020304};
    uint8_t buf[64];
    size_t n = tolk_aes67_packet_build(&h, x, 6, buf, sizeof buf);
    g_assert_cmpuint(n, ==, 12 + 18);
    static const uint8_t head[] = {0x80, 98, 0x12, 0x34, 0xA1, 0xB2, 0xC3, 0xD4, 1, 2, 3, 4};
    g_assert_cmpmem(buf, 12, head, 12);
    static const uint8_t body[] = {0, 0, 0, 0x40, 0, 0, 0x80, 0, 0x01, 0x7f, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0};
    g_assert_cmpmem(buf + 12, 18, body, 18);
    g_assert_cmpuint(tolk_aes67_packet_build(&h, x, 6, buf, 29), ==, 0); /* does not fit */
    g_assert_cmpuint(tolk_aes67_packet_build(&h, x, 0, buf, sizeof buf), ==, 0);
}

static void test_packet_l16(void)
{
    const float x[] = {0.25f, -0.25f};
    tolk_aes67_packet_header h = {TOLK_AES67_L16, 97, 1, 2, 3};
    uint8_t buf[64];
    g_assert_cmpuint(tolk_aes67_packet_build(&h, x, 2, buf, sizeof buf), ==, 16);
    static const uint8_t body[] = {0x20, 0x00, 0xe0, 0x00};
    g_assert_cmpmem(buf + 12, 4, body, 4);
    g_assert_cmpuint(tolk_aes67_packet_build(&h, NULL, 2, buf, sizeof buf), ==, 16);
    g_assert_cmpmem(buf + 12, 4, "\0\0\0\0", 4);
}

typedef struct {
    int fd, port;
    tolk_aes67_output *out;
} rig;

static void rig_up(rig *r, int frame_samples)
{
    r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    g_assert_cmpint(bind(r->fd, (struct sockaddr *)&a, sizeof a), ==, 0);
    getsockname(r->fd, (struct sockaddr *)&a, &len);
    r->port = ntohs(a.sin_port);
    tolk_aes67_output_spec spec = {"127.0.0.1", r->port, TOLK_AES67_L24, frame_samples, 16, NULL, 0x5eed};
    tolk_error err = {0};
    r->out = tolk_aes67_output_new(&spec, TOLK_WHERE(.sitting = "t"), &err);
    g_assert_nonnull(r->out);
}

static void rig_down(rig *r)
{
    tolk_aes67_output_free(r->out);
    close(r->fd);
}

/* The next packet's timestamp and its first sample (as a 24-bit integer); -1 when none came. */
static int take(rig *r, uint32_t *ts, int32_t *first)
{
    uint8_t buf[1500];
    struct pollfd p = {r->fd, POLLIN, 0};
    if (poll(&p, 1, 200) != 1)
        return -1;
    ssize_t n = recv(r->fd, buf, sizeof buf, 0);
    g_assert_cmpint(n, >=, 12 + 3);
    *ts = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 | buf[7];
    int32_t v = (int32_t)((uint32_t)buf[12] << 24 | (uint32_t)buf[13] << 16 | (uint32_t)buf[14] << 8) >> 8;
    *first = v;
    return (int)(n - 12) / 3;
}

static void test_prebuffer_then_frame_on_the_grid(void)
{
    rig r;
    rig_up(&r, 48);
    float frame[960];
    for (int i = 0; i < 960; i++)
        frame[i] = (float)(i + 1) / 8388607.0f; /* sample i is i + 1 in 24 bits */
    tolk_aes67_output_push(r.out, frame, 960, 0);
    int64_t t = T0 + 5 * MS_NS + 12345; /* off the grid */
    tolk_aes67_output_send_due(r.out, t);
    uint32_t ts, first_ts = 0;
    int32_t v;
    g_assert_cmpint(take(&r, &first_ts, &v), ==, 48);
    g_assert_cmpint(v, ==, 0); /* the prebuffer */
    /* The timestamp is the media clock of the packet's first sample: TAI in samples, one packet back. */
    int64_t now_samples = (T0 + 5 * MS_NS) / 1000000 * 48;
    g_assert_cmpuint(first_ts, ==, (uint32_t)(now_samples - 48));
    g_assert_cmpint(tolk_aes67_output_due_ns(r.out), ==, T0 + 6 * MS_NS);
    for (int p = 1; p < 4; p++) {
        tolk_aes67_output_send_due(r.out, t + p * MS_NS);
        g_assert_cmpint(take(&r, &ts, &v), ==, 48);
        g_assert_cmpuint(ts, ==, first_ts + 48u * (unsigned)p);
        g_assert_cmpint(v, ==, 0);
    }
    for (int p = 4; p < 24; p++) {
        tolk_aes67_output_send_due(r.out, t + p * MS_NS);
        g_assert_cmpint(take(&r, &ts, &v), ==, 48);
        g_assert_cmpint(v, ==, (p - 4) * 48 + 1);
    }
    tolk_aes67_output_stats st;
    tolk_aes67_output_get_stats(r.out, &st);
    g_assert_cmpuint(st.packets, ==, 24);
    g_assert_cmpuint(st.underruns, ==, 0);
    g_assert_cmpfloat(st.buffer_ms, ==, 5.0); /* the 4 ms prebuffer and the packet's own 1 ms */
    /* Dry: silence, counted once. */
    tolk_aes67_output_send_due(r.out, t + 24 * MS_NS);
    tolk_aes67_output_send_due(r.out, t + 25 * MS_NS);
    g_assert_cmpint(take(&r, &ts, &v), ==, 48);
    g_assert_cmpint(take(&r, &ts, &v), ==, 48);
    tolk_aes67_output_get_stats(r.out, &st);
    g_assert_cmpuint(st.underruns, ==, 1);
    rig_down(&r);
}

static void test_late_pacer_skips_ahead(void)
{
    rig r;
    rig_up(&r, 6); /* 125 us */
    tolk_aes67_output_send_due(r.out, T0);
    uint32_t ts0, ts;
    int32_t v;
    g_assert_cmpint(take(&r, &ts0, &v), ==, 6);
    /* 2 ms later: 16 packets due, sent at most 8 at once. */
    tolk_aes67_output_send_due(r.out, T0 + 2 * MS_NS);
    int n = 0;
    while (take(&r, &ts, &v) > 0)
        n++;
    g_assert_cmpint(n, ==, 8);
    /* 100 ms later: skipped ahead, counted late, the grid kept. */
    tolk_aes67_output_send_due(r.out, T0 + 100 * MS_NS);
    tolk_aes67_output_stats st;
    tolk_aes67_output_get_stats(r.out, &st);
    g_assert_cmpuint(st.late, >, 700);
    while (take(&r, &ts, &v) > 0)
        g_assert_cmpuint((ts - ts0) % 6, ==, 0);
    g_assert_cmpint(tolk_aes67_output_due_ns(r.out), >=, T0 + 100 * MS_NS - 20 * MS_NS);
    rig_down(&r);
}

static void test_band_cut(void)
{
    rig r;
    rig_up(&r, 48);
    float frame[960] = {0};
    for (int i = 0; i < 3; i++)
        tolk_aes67_output_push(r.out, frame, 960, 0); /* nobody sends: the ring grows */
    tolk_aes67_output_stats st;
    tolk_aes67_output_get_stats(r.out, &st);
    g_assert_cmpuint(st.dropped, >, 0);
    g_assert_cmpfloat(st.buffer_ms, <, 40.0);
    rig_down(&r);
}

/* From the tick's due time: the 2 ms the mixing took (here: made up) and the 5 ms buffer. */
static void test_latency_from_the_tick(void)
{
    rig r;
    rig_up(&r, 48);
    float frame[960] = {0};
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    tolk_aes67_output_push(r.out, frame, 960, now - 2 * MS_NS);
    tolk_aes67_output_stats st;
    tolk_aes67_output_get_stats(r.out, &st);
    g_assert_cmpfloat(st.buffer_ms, ==, 5.0);
    g_assert_cmpfloat(st.latency_ms, >=, 7.0);
    g_assert_cmpfloat(st.latency_ms, <, 7.0 + 50.0); /* a slow machine, not a wrong unit */
    rig_down(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/aes67/packet/l24", test_packet_l24);
    g_test_add_func("/aes67/packet/l16", test_packet_l16);
    g_test_add_func("/aes67/output/prebuffer-frame-grid", test_prebuffer_then_frame_on_the_grid);
    g_test_add_func("/aes67/output/late-pacer", test_late_pacer_skips_ahead);
    g_test_add_func("/aes67/output/band", test_band_cut);
    g_test_add_func("/aes67/output/latency", test_latency_from_the_tick);
    return g_test_run();
}
