/* SPDX-License-Identifier: EUPL-1.2 */
/* video_input: an SRTP video source on a real UDP socket, fed by a libsrtp sender in the test.
 * Authenticated VP8 reaches the feed's viewer; replays, forgeries, another payload type and a
 * second sender are dropped and counted; a key frame request comes back to the sender's socket
 * as an SRTCP PLI+FIR that the sender's key opens, naming its SSRC; a rekey shuts out the old
 * key; a plain input takes RTP as it is; after free the viewer is never called. */
#include "video_input.h"

#include <glib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

#include "rtcp_feedback.h"
#include "srtp_session.h"

#define SSRC 0x11223344u

typedef struct {
    atomic_int packets;
} test_viewer;

static bool on_packet(void *ctx, const uint8_t *rtp, size_t len)
{
    (void)rtp;
    (void)len;
    atomic_fetch_add(&((test_viewer *)ctx)->packets, 1);
    return true;
}

static void on_ask(void *ctx, int source)
{
    (void)ctx;
    (void)source;
}

typedef struct {
    GSocket *in, *out;        /* the input's port; the sender's */
    GSocketAddress *to;
    srtp_t protect;           /* the sender's, under key */
    uint8_t key[TOLK_KEY_LEN];
    uint16_t seq;
    tolk_video_feed *feed;
    test_viewer viewer;
    tolk_video_input *input;
} fixture;

static GSocket *udp_socket(void)
{
    GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *any = g_inet_socket_address_new(lo, 0);
    g_assert_true(g_socket_bind(s, any, FALSE, NULL));
    g_object_unref(any);
    g_object_unref(lo);
    return s;
}

static void setup(fixture *f, bool encrypted)
{
    memset(f, 0, sizeof *f);
    g_assert_true(tolk_key_generate(f->key));
    f->in = udp_socket();
    f->out = udp_socket();
    f->to = g_socket_get_local_address(f->in, NULL);
    f->protect = encrypted ? tolk_srtp_session_new(f->key, true) : NULL;
    f->feed = tolk_video_feed_new(TOLK_VIDEO_VP8, 0xfeed, on_ask, NULL);
    tolk_video_feed_select(f->feed, 0, g_get_monotonic_time());
    tolk_video_feed_subscribe(f->feed, on_packet, &f->viewer, g_get_monotonic_time());
    tolk_video_input_config config = {.sitting = "t", .name = "v1", .socket = f->in, .key = encrypted ? f->key : NULL,
                                      .payload_type = 96, .feed = f->feed, .source = 0};
    f->input = tolk_video_input_new(&config);
    g_assert_nonnull(f->input);
    g_object_unref(f->in); /* the input holds it */
}

static void teardown(fixture *f)
{
    tolk_video_input_free(f->input);
    tolk_video_feed_free(f->feed);
    if (f->protect)
        srtp_dealloc(f->protect);
    g_object_unref(f->to);
    g_object_unref(f->out);
}

/* A VP8 key frame in one packet, its payload type and SSRC given; protected when the
 * fixture has a key. Returns its length in p. */
static int make_packet(fixture *f, uint8_t *p, int pt, uint32_t ssrc)
{
    uint16_t seq = f->seq++;
    uint32_t ts = seq * 3000u;
    uint8_t plain[16] = {0x80, (uint8_t)(0x80 | pt), (uint8_t)(seq >> 8), (uint8_t)seq, (uint8_t)(ts >> 24),
                         (uint8_t)(ts >> 16), (uint8_t)(ts >> 8), (uint8_t)ts, (uint8_t)(ssrc >> 24),
                         (uint8_t)(ssrc >> 16), (uint8_t)(ssrc >> 8), (uint8_t)ssrc, 0x10, 0x50, 0x2a, 0x01};
    memcpy(p, plain, sizeof plain);
    int len = sizeof plain;
    if (f->protect)
        g_assert_cmpint(srtp_protect(f->protect, p, &len), ==, srtp_err_status_ok);
    return len;
}

static void send_raw(fixture *f, const uint8_t *p, int len)
{
    g_assert_cmpint(g_socket_send_to(f->out, f->to, (const gchar *)p, (gsize)len, NULL, NULL), ==, len);
}

static int send_packet(fixture *f, uint8_t *p, int pt, uint32_t ssrc)
{
    int len = make_packet(f, p, pt, ssrc);
    send_raw(f, p, len);
    return len;
}

/* Every datagram read has been judged once its outcome is counted (media after its push). */
static uint64_t judged(const tolk_video_input_stats *s)
{
    return s->media + s->not_rtp + s->auth_failed + s->replayed + s->rtcp + s->rtcp_failed + s->second_sender +
           s->wrong_payload_type + s->oversized;
}

/* Waits (at most 2 s) until the input has read and judged `received` datagrams: its receive
 * thread counts a datagram read before it judges it. */
static void settle(fixture *f, uint64_t received, tolk_video_input_stats *s)
{
    for (int i = 0; i < 200; i++) {
        tolk_video_input_get_stats(f->input, s);
        if (s->received >= received && judged(s) >= s->received)
            return;
        g_usleep(10000);
    }
    g_assert_cmpuint(s->received, >=, received);
    g_assert_cmpuint(judged(s), >=, s->received);
}

static void test_srtp_refusals_and_counts(void)
{
    fixture f;
    setup(&f, true);
    uint8_t p[64], replay[64];
    tolk_video_input_stats s;
    for (int i = 0; i < 10; i++)
        send_packet(&f, p, 96, SSRC);
    int replay_len = send_packet(&f, replay, 96, SSRC);
    settle(&f, 11, &s);
    g_assert_cmpuint(s.media, ==, 11);
    g_assert_cmpint(atomic_load(&f.viewer.packets), ==, 11);
    send_raw(&f, replay, replay_len);                     /* a replay */
    send_packet(&f, p, 97, SSRC);                         /* another payload type */
    send_packet(&f, p, 96, SSRC + 1);                     /* a second sender while the first sends */
    int len = make_packet(&f, p, 96, SSRC);
    p[len - 1] ^= 1; /* a forgery (a fresh index: libsrtp judges replays before the tag) */
    send_raw(&f, p, len);
    len = make_packet(&f, p, 96, SSRC);
    send_raw(&f, p, len - 4); /* truncated */
    send_raw(&f, (const uint8_t *)"\x01\x02\x03", 3);    /* not RTP */
    settle(&f, 17, &s);
    g_assert_cmpuint(s.replayed, ==, 1);
    g_assert_cmpuint(s.wrong_payload_type, ==, 1);
    g_assert_cmpuint(s.second_sender, ==, 1);
    g_assert_cmpuint(s.auth_failed, ==, 2);
    g_assert_cmpuint(s.not_rtp, ==, 1);
    g_assert_cmpuint(s.media, ==, 11);
    g_assert_cmpint(atomic_load(&f.viewer.packets), ==, 11);
    teardown(&f);
}

static void test_keyframe_request_reaches_sender(void)
{
    fixture f;
    setup(&f, true);
    tolk_video_input_stats s = {0};
    tolk_video_input_request_keyframe(f.input); /* nobody to send to yet */
    for (int i = 0; i < 50 && s.keyframe_unsent == 0; i++) {
        g_usleep(10000);
        tolk_video_input_get_stats(f.input, &s);
    }
    g_assert_cmpuint(s.keyframe_unsent, ==, 1);
    uint8_t p[64];
    send_packet(&f, p, 96, SSRC);
    settle(&f, 1, &s);
    tolk_video_input_request_keyframe(f.input);
    g_socket_set_timeout(f.out, 2);
    uint8_t got[128];
    gssize n = g_socket_receive(f.out, (gchar *)got, sizeof got, NULL, NULL);
    g_assert_cmpint(n, ==, TOLK_RTCP_PLI_LEN + TOLK_RTCP_FIR_LEN + 4 + 10);
    srtp_t open = tolk_srtp_session_new(f.key, false);
    int len = (int)n;
    g_assert_cmpint(srtp_unprotect_rtcp(open, got, &len), ==, srtp_err_status_ok);
    g_assert_cmpint(len, ==, TOLK_RTCP_PLI_LEN + TOLK_RTCP_FIR_LEN);
    uint32_t media = 0;
    g_assert_true(tolk_rtcp_find_keyframe_request(got, (size_t)len, &media));
    g_assert_cmphex(media, ==, SSRC);
    g_assert_true(tolk_rtcp_find_keyframe_request(got + TOLK_RTCP_PLI_LEN, TOLK_RTCP_FIR_LEN, &media));
    g_assert_cmphex(media, ==, SSRC);
    srtp_dealloc(open);
    for (int i = 0; i < 100 && (tolk_video_input_get_stats(f.input, &s), s.keyframe_sent == 0); i++)
        g_usleep(10000); /* counted just after the send */
    g_assert_cmpuint(s.keyframe_requests, ==, 2);
    g_assert_cmpuint(s.keyframe_sent, ==, 1);
    teardown(&f);
}

static void test_rekey_shuts_out_old_key(void)
{
    fixture f;
    setup(&f, true);
    uint8_t p[64], fresh[TOLK_KEY_LEN];
    tolk_video_input_stats s;
    send_packet(&f, p, 96, SSRC);
    settle(&f, 1, &s);
    g_assert_true(tolk_key_generate(fresh));
    g_assert_true(tolk_video_input_rekey(f.input, fresh));
    send_packet(&f, p, 96, SSRC);
    settle(&f, 2, &s);
    g_assert_cmpuint(s.media, ==, 1);
    g_assert_cmpuint(s.auth_failed, ==, 1);
    srtp_dealloc(f.protect);
    f.protect = tolk_srtp_session_new(fresh, true);
    send_packet(&f, p, 96, SSRC); /* the same SSRC under the new key: a sender afresh */
    settle(&f, 3, &s);
    g_assert_cmpuint(s.media, ==, 2);
    teardown(&f);
}

static void test_plain_input_and_free_is_a_barrier(void)
{
    fixture f;
    setup(&f, false);
    uint8_t p[64];
    tolk_video_input_stats s;
    g_assert_false(tolk_video_input_rekey(f.input, f.key));
    for (int i = 0; i < 5; i++)
        send_packet(&f, p, 96, SSRC);
    uint8_t rtcp[8] = {0x80, 201, 0, 1, 1, 2, 3, 4};
    send_raw(&f, rtcp, sizeof rtcp);
    settle(&f, 6, &s);
    g_assert_cmpuint(s.media, ==, 5);
    g_assert_cmpuint(s.rtcp, ==, 1);
    tolk_video_input_free(f.input);
    f.input = NULL;
    int seen = atomic_load(&f.viewer.packets);
    g_assert_cmpint(seen, ==, 5);
    for (int i = 0; i < 5; i++) { /* the port is closed: nothing reaches the feed */
        int len = make_packet(&f, p, 96, SSRC);
        (void)g_socket_send_to(f.out, f.to, (const gchar *)p, (gsize)len, NULL, NULL);
    }
    g_usleep(100000);
    g_assert_cmpint(atomic_load(&f.viewer.packets), ==, seen);
    teardown(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/video_input/srtp_refusals_and_counts", test_srtp_refusals_and_counts);
    g_test_add_func("/video_input/keyframe_request_reaches_sender", test_keyframe_request_reaches_sender);
    g_test_add_func("/video_input/rekey_shuts_out_old_key", test_rekey_shuts_out_old_key);
    g_test_add_func("/video_input/plain_input_and_free_is_a_barrier", test_plain_input_and_free_is_a_barrier);
    return g_test_run();
}
