/* SPDX-License-Identifier: EUPL-1.2 */
/* The sender on loopback: packets are received on local sockets and checked after
 * srtp_unprotect with the same key. */
#include "keys.h"
#include "net_test_util.h"
#include "srtp_sender.h"
#include "srtp_session.h"

#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#define PT 111
#define FRAME_NS 20000000ull
#define TICKS_PER_FRAME 960u

typedef struct {
    uint8_t pt;
    bool marker;
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    uint8_t payload[1500];
    size_t payload_len;
} rtp_packet;

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Receives one datagram, unprotects it with session and parses the RTP header. */
static bool receive_rtp(int fd, srtp_t session, rtp_packet *out)
{
    uint8_t buf[2048];
    ssize_t n = net_test_receive(fd, buf, sizeof buf, 1000);
    if (n < 12)
        return false;
    int len = (int)n;
    if (srtp_unprotect(session, buf, &len) != srtp_err_status_ok)
        return false;
    g_assert_cmpint(buf[0], ==, 0x80);
    out->marker = (buf[1] & 0x80) != 0;
    out->pt = buf[1] & 0x7f;
    out->seq = (uint16_t)(buf[2] << 8 | buf[3]);
    out->timestamp = get_be32(buf + 4);
    out->ssrc = get_be32(buf + 8);
    out->payload_len = (size_t)len - 12;
    memcpy(out->payload, buf + 12, out->payload_len);
    return true;
}

static bool nothing_arrives(int fd)
{
    uint8_t buf[2048];
    return net_test_receive(fd, buf, sizeof buf, 100) < 0;
}

static void make_frame(uint8_t *frame, size_t len, int index)
{
    for (size_t i = 0; i < len; i++)
        frame[i] = (uint8_t)(index * 7 + i);
}

typedef struct {
    uint8_t key[TOLK_KEY_LEN];
    tolk_srtp_sender *sender;
    srtp_t receiver_session;
    int fd;
    int port;
} fixture;

static void fixture_set_up(fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_true(tolk_key_generate(f->key));
    f->sender = tolk_srtp_sender_new(f->key, PT);
    g_assert_nonnull(f->sender);
    f->receiver_session = tolk_srtp_session_new(f->key, false);
    g_assert_nonnull(f->receiver_session);
    f->fd = net_test_open_receiver(AF_INET, &f->port);
    g_assert_cmpint(f->fd, >=, 0);
}

static void fixture_tear_down(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_srtp_sender_free(f->sender);
    srtp_dealloc(f->receiver_session);
    close(f->fd);
    tolk_key_wipe(f->key, sizeof f->key);
}

static void test_header_fields_and_payload(fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", f->port), >=, 0);
    rtp_packet first = {0};
    for (int i = 0; i < 20; i++) {
        uint8_t frame[160];
        size_t len = 40 + (size_t)i * 5;
        make_frame(frame, len, i);
        uint64_t pts = 5 * 1000000000ull + (uint64_t)i * FRAME_NS;
        tolk_srtp_sender_send_opus(f->sender, frame, len, pts, i == 0);
        rtp_packet p;
        g_assert_true(receive_rtp(f->fd, f->receiver_session, &p));
        if (i == 0)
            first = p;
        g_assert_cmpint(p.pt, ==, PT);
        g_assert_cmpint(p.marker, ==, i == 0);
        g_assert_cmpuint(p.ssrc, ==, first.ssrc);
        g_assert_cmpuint(p.ssrc, ==, tolk_srtp_sender_ssrc(f->sender));
        g_assert_cmpuint((uint16_t)(p.seq - first.seq), ==, (unsigned)i);
        g_assert_cmpuint(p.timestamp - first.timestamp, ==, (uint32_t)i * TICKS_PER_FRAME);
        g_assert_cmpmem(p.payload, p.payload_len, frame, len);
    }
    g_assert_cmpuint(first.seq, <, 0x8000);
    tolk_srtp_sender_stats stats;
    tolk_srtp_sender_get_stats(f->sender, &stats);
    g_assert_cmpuint(stats.packets, ==, 20);
    g_assert_cmpuint(stats.dropped_frames, ==, 0);
    g_assert_cmpuint(stats.send_errors, ==, 0);
    /* 20 frames of 40..135 bytes, each with a 12-byte header and a 10-byte tag. */
    g_assert_cmpuint(stats.bytes, ==, 20 * (12 + 10) + 20 * 40 + 5 * (19 * 20 / 2));
}

static void test_wrong_key_fails_to_unprotect(fixture *f, gconstpointer data)
{
    (void)data;
    uint8_t other_key[TOLK_KEY_LEN];
    g_assert_true(tolk_key_generate(other_key));
    srtp_t wrong = tolk_srtp_session_new(other_key, false);
    g_assert_cmpint(tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", f->port), >=, 0);
    uint8_t frame[100];
    make_frame(frame, sizeof frame, 1);
    tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, 0, true);
    uint8_t buf[2048];
    ssize_t n = net_test_receive(f->fd, buf, sizeof buf, 1000);
    g_assert_cmpint(n, ==, 12 + 100 + 10);
    /* The payload on the wire is encrypted. */
    g_assert_true(memcmp(buf + 12, frame, sizeof frame) != 0);
    int len = (int)n;
    g_assert_cmpint(srtp_unprotect(wrong, buf, &len), ==, srtp_err_status_auth_fail);
    srtp_dealloc(wrong);
    tolk_key_wipe(other_key, sizeof other_key);
}

static void test_late_and_duplicate_frames_are_dropped(fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", f->port), >=, 0);
    /* Two sources on one clock overlapping at a switch: pts 0, 20, 20 (duplicate),
     * 10 (late), 40 ms. Only 0, 20 and 40 go out, with contiguous sequence numbers. */
    const uint64_t pts[] = {0, FRAME_NS, FRAME_NS, FRAME_NS / 2, 2 * FRAME_NS};
    uint8_t frame[50];
    for (size_t i = 0; i < G_N_ELEMENTS(pts); i++) {
        make_frame(frame, sizeof frame, (int)i);
        tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, pts[i], false);
    }
    rtp_packet p[3];
    for (int i = 0; i < 3; i++)
        g_assert_true(receive_rtp(f->fd, f->receiver_session, &p[i]));
    g_assert_true(nothing_arrives(f->fd));
    g_assert_cmpuint((uint16_t)(p[1].seq - p[0].seq), ==, 1);
    g_assert_cmpuint((uint16_t)(p[2].seq - p[1].seq), ==, 1);
    g_assert_cmpuint(p[1].timestamp - p[0].timestamp, ==, TICKS_PER_FRAME);
    g_assert_cmpuint(p[2].timestamp - p[0].timestamp, ==, 2 * TICKS_PER_FRAME);
    make_frame(frame, sizeof frame, 4);
    g_assert_cmpmem(p[2].payload, p[2].payload_len, frame, sizeof frame);
    tolk_srtp_sender_stats stats;
    tolk_srtp_sender_get_stats(f->sender, &stats);
    g_assert_cmpuint(stats.dropped_frames, ==, 2);
    g_assert_cmpuint(stats.packets, ==, 3);
}

static void test_oversized_and_empty_frames_are_dropped(fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", f->port), >=, 0);
    static uint8_t big[1500];
    tolk_srtp_sender_send_opus(f->sender, big, sizeof big, 0, false);
    tolk_srtp_sender_send_opus(f->sender, big, 0, 1, false);
    tolk_srtp_sender_send_opus(f->sender, NULL, 10, 2, false);
    /* The largest Opus packet (1275 bytes) fits. */
    tolk_srtp_sender_send_opus(f->sender, big, 1275, 3, false);
    rtp_packet p;
    g_assert_true(receive_rtp(f->fd, f->receiver_session, &p));
    g_assert_cmpuint(p.payload_len, ==, 1275);
    tolk_srtp_sender_stats stats;
    tolk_srtp_sender_get_stats(f->sender, &stats);
    g_assert_cmpuint(stats.dropped_frames, ==, 3);
    g_assert_cmpuint(stats.packets, ==, 1);
}

static void test_fan_out_to_ipv4_and_ipv6(fixture *f, gconstpointer data)
{
    (void)data;
    int port6 = 0;
    int fd6 = net_test_open_receiver(AF_INET6, &port6);
    if (fd6 < 0) {
        g_test_skip("no IPv6 loopback on this host");
        return;
    }
    int id4 = tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", f->port);
    int id6 = tolk_srtp_sender_add_destination(f->sender, "::1", port6);
    g_assert_cmpint(id4, >=, 0);
    g_assert_cmpint(id6, >=, 0);
    g_assert_cmpint(id4, !=, id6);
    g_assert_cmpint(tolk_srtp_sender_destination_count(f->sender), ==, 2);
    uint8_t frame[80];
    make_frame(frame, sizeof frame, 3);
    tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, 0, false);
    /* Both get the very same bytes: protected once. */
    uint8_t a[2048], b[2048];
    ssize_t na = net_test_receive(f->fd, a, sizeof a, 1000);
    ssize_t nb = net_test_receive(fd6, b, sizeof b, 1000);
    g_assert_cmpint(na, >, 0);
    g_assert_cmpmem(a, (size_t)na, b, (size_t)nb);

    g_assert_true(tolk_srtp_sender_remove_destination(f->sender, id4));
    g_assert_false(tolk_srtp_sender_remove_destination(f->sender, id4));
    g_assert_cmpint(tolk_srtp_sender_destination_count(f->sender), ==, 1);
    tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, FRAME_NS, false);
    g_assert_cmpint(net_test_receive(fd6, b, sizeof b, 1000), >, 0);
    g_assert_true(nothing_arrives(f->fd));
    tolk_srtp_sender_stats stats;
    tolk_srtp_sender_get_stats(f->sender, &stats);
    g_assert_cmpuint(stats.packets, ==, 3);
    close(fd6);
}

static void test_stream_advances_without_destinations(fixture *f, gconstpointer data)
{
    (void)data;
    uint8_t frame[60];
    make_frame(frame, sizeof frame, 0);
    for (int i = 0; i < 5; i++)
        tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, (uint64_t)i * FRAME_NS, false);
    g_assert_cmpint(tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", f->port), >=, 0);
    tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, 5 * FRAME_NS, false);
    tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, 6 * FRAME_NS, false);
    rtp_packet p0, p1;
    g_assert_true(receive_rtp(f->fd, f->receiver_session, &p0));
    g_assert_true(receive_rtp(f->fd, f->receiver_session, &p1));
    g_assert_cmpuint((uint16_t)(p1.seq - p0.seq), ==, 1);
    g_assert_cmpuint(p1.timestamp - p0.timestamp, ==, TICKS_PER_FRAME);
}

static void test_rejects_bad_destinations(fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(tolk_srtp_sender_add_destination(f->sender, "localhost", 5000), ==, -1);
    g_assert_cmpint(tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", 0), ==, -1);
    g_assert_cmpint(tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", 65536), ==, -1);
    g_assert_cmpint(tolk_srtp_sender_add_destination(f->sender, "", 5000), ==, -1);
    g_assert_cmpint(tolk_srtp_sender_add_destination(f->sender, NULL, 5000), ==, -1);
    g_assert_false(tolk_srtp_sender_remove_destination(f->sender, 0));
    g_assert_cmpint(tolk_srtp_sender_destination_count(f->sender), ==, 0);
}

static void test_many_destinations(fixture *f, gconstpointer data)
{
    (void)data;
    int ids[40];
    for (int i = 0; i < 40; i++)
        ids[i] = tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", f->port);
    for (int i = 0; i < 40; i += 2)
        g_assert_true(tolk_srtp_sender_remove_destination(f->sender, ids[i]));
    g_assert_cmpint(tolk_srtp_sender_destination_count(f->sender), ==, 20);
    uint8_t frame[30] = {0};
    tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, 0, false);
    int received = 0;
    uint8_t buf[2048];
    while (net_test_receive(f->fd, buf, sizeof buf, 200) > 0)
        received++;
    g_assert_cmpint(received, ==, 20);
}

/* A destination with its own key: only that key opens its packets, the others keep the
 * shared key, and all share one sequence; removing it leaves the rest in place. */
static void test_keyed_destination(fixture *f, gconstpointer data)
{
    (void)data;
    uint8_t own_key[TOLK_KEY_LEN];
    g_assert_true(tolk_key_generate(own_key));
    int own_port = 0, own_fd = net_test_open_receiver(AF_INET, &own_port);
    g_assert_cmpint(own_fd, >=, 0);
    int shared_id = tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", f->port);
    int own_id = tolk_srtp_sender_add_keyed_destination(f->sender, "127.0.0.1", own_port, own_key);
    g_assert_cmpint(own_id, >=, 0);
    g_assert_cmpint(own_id, !=, shared_id);
    g_assert_cmpint(tolk_srtp_sender_add_keyed_destination(f->sender, "127.0.0.1", 0, own_key), ==, -1);
    srtp_t own_receiver = tolk_srtp_session_new(own_key, false);
    srtp_t shared_on_own = tolk_srtp_session_new(f->key, false);
    uint8_t frame[70];
    make_frame(frame, sizeof frame, 1);
    tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, 0, false);
    tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, FRAME_NS, false);
    rtp_packet shared_p, own_p;
    g_assert_true(receive_rtp(f->fd, f->receiver_session, &shared_p));
    g_assert_false(receive_rtp(own_fd, shared_on_own, &own_p)); /* the shared key does not open it */
    g_assert_true(receive_rtp(own_fd, own_receiver, &own_p));    /* the second packet, own key */
    g_assert_cmpmem(own_p.payload, own_p.payload_len, frame, sizeof frame);
    g_assert_cmpuint(own_p.ssrc, ==, shared_p.ssrc);
    g_assert_cmpuint((uint16_t)(own_p.seq - shared_p.seq), ==, 1);
    g_assert_true(receive_rtp(f->fd, f->receiver_session, &shared_p));
    /* Removing the keyed destination: nothing more goes to it, the shared one goes on. */
    g_assert_true(tolk_srtp_sender_remove_destination(f->sender, own_id));
    tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, 2 * FRAME_NS, false);
    g_assert_true(receive_rtp(f->fd, f->receiver_session, &shared_p));
    g_assert_true(nothing_arrives(own_fd));
    tolk_srtp_sender_stats stats;
    tolk_srtp_sender_get_stats(f->sender, &stats);
    g_assert_cmpuint(stats.packets, ==, 5);
    g_assert_cmpuint(stats.dropped_frames, ==, 0);
    srtp_dealloc(own_receiver);
    srtp_dealloc(shared_on_own);
    close(own_fd);
    tolk_key_wipe(own_key, sizeof own_key);
}

/* Re-keying: the sequence and timeline go on, the old key opens nothing from then on, a
 * fresh receiver with the new key opens every packet; keyed destinations keep their key. */
static void test_rekey(fixture *f, gconstpointer data)
{
    (void)data;
    uint8_t own_key[TOLK_KEY_LEN], new_key[TOLK_KEY_LEN];
    g_assert_true(tolk_key_generate(own_key) && tolk_key_generate(new_key));
    int own_port = 0, own_fd = net_test_open_receiver(AF_INET, &own_port);
    g_assert_cmpint(tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", f->port), >=, 0);
    g_assert_cmpint(tolk_srtp_sender_add_keyed_destination(f->sender, "127.0.0.1", own_port, own_key), >=, 0);
    srtp_t own_receiver = tolk_srtp_session_new(own_key, false);
    uint8_t frame[50];
    make_frame(frame, sizeof frame, 2);
    rtp_packet before, after, own_p;
    for (int i = 0; i < 3; i++) {
        tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, (uint64_t)i * FRAME_NS, false);
        g_assert_true(receive_rtp(f->fd, f->receiver_session, &before));
        g_assert_true(receive_rtp(own_fd, own_receiver, &own_p));
    }
    g_assert_true(tolk_srtp_sender_rekey(f->sender, new_key));
    g_assert_false(tolk_srtp_sender_rekey(f->sender, NULL));
    srtp_t new_receiver = tolk_srtp_session_new(new_key, false);
    tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, 3 * FRAME_NS, false);
    g_assert_false(receive_rtp(f->fd, f->receiver_session, &after));
    for (int i = 4; i < 6; i++) {
        tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, (uint64_t)i * FRAME_NS, false);
        g_assert_true(receive_rtp(f->fd, new_receiver, &after));
    }
    g_assert_cmpuint((uint16_t)(after.seq - before.seq), ==, 3);
    g_assert_cmpuint(after.timestamp - before.timestamp, ==, 3 * TICKS_PER_FRAME);
    for (int i = 3; i < 6; i++)
        g_assert_true(receive_rtp(own_fd, own_receiver, &own_p)); /* its key did not change */
    g_assert_cmpuint(own_p.seq, ==, after.seq);
    srtp_dealloc(own_receiver);
    srtp_dealloc(new_receiver);
    close(own_fd);
    tolk_key_wipe(own_key, sizeof own_key);
    tolk_key_wipe(new_key, sizeof new_key);
}

static void test_new_rejects_bad_arguments(void)
{
    uint8_t key[TOLK_KEY_LEN] = {0};
    g_assert_null(tolk_srtp_sender_new(NULL, PT));
    g_assert_null(tolk_srtp_sender_new(key, -1));
    g_assert_null(tolk_srtp_sender_new(key, 128));
    tolk_srtp_sender_free(NULL);
}

/* Control-thread changes while a streaming thread sends: checked under the sanitizers. */
typedef struct {
    tolk_srtp_sender *sender;
    int port;
    volatile gint stop;
} race_state;

static gpointer churn_destinations(gpointer data)
{
    race_state *st = data;
    uint8_t key[TOLK_KEY_LEN] = {1, 2, 3};
    for (unsigned n = 0; !g_atomic_int_get(&st->stop); n++) {
        int id = n % 2 ? tolk_srtp_sender_add_destination(st->sender, "127.0.0.1", st->port)
                       : tolk_srtp_sender_add_keyed_destination(st->sender, "127.0.0.1", st->port, key);
        if (n % 7 == 0)
            tolk_srtp_sender_rekey(st->sender, key);
        tolk_srtp_sender_stats stats;
        tolk_srtp_sender_get_stats(st->sender, &stats);
        tolk_srtp_sender_remove_destination(st->sender, id);
    }
    return NULL;
}

static void test_concurrent_control_and_send(fixture *f, gconstpointer data)
{
    (void)data;
    race_state st = {.sender = f->sender, .port = f->port, .stop = 0};
    GThread *control = g_thread_new("control", churn_destinations, &st);
    uint8_t frame[100] = {0};
    for (int i = 0; i < 3000; i++)
        tolk_srtp_sender_send_opus(f->sender, frame, sizeof frame, (uint64_t)i * FRAME_NS, false);
    g_atomic_int_set(&st.stop, 1);
    g_thread_join(control);
    tolk_srtp_sender_stats stats;
    tolk_srtp_sender_get_stats(f->sender, &stats);
    g_assert_cmpuint(stats.dropped_frames, ==, 0);
}


/* Sends count frames from frame number first (pts first * 20 ms). */
static void send_frames(tolk_srtp_sender *sender, int first, int count)
{
    uint8_t frame[40];
    for (int i = first; i < first + count; i++) {
        make_frame(frame, sizeof frame, i);
        tolk_srtp_sender_send_opus(sender, frame, sizeof frame, (uint64_t)i * FRAME_NS, false);
    }
}

/* Receives count packets on fd with session; checks their sequence numbers run on from seq. */
static uint16_t expect_run(int fd, srtp_t session, uint32_t ssrc, uint16_t seq, int count, uint32_t *timestamp)
{
    for (int i = 0; i < count; i++) {
        rtp_packet p;
        g_assert_true(receive_rtp(fd, session, &p));
        g_assert_cmphex(p.ssrc, ==, ssrc);
        g_assert_cmpuint(p.seq, ==, seq);
        if (timestamp && i == 0)
            *timestamp = p.timestamp;
        seq++;
    }
    return seq;
}

/* A restart continues the stream under the same keys: a receiver that kept running across
 * a sequence wrap (rollover counter 2 -> 3) decodes on, on the shared key and on a
 * destination's own key that began at counter 2. */
static void test_continues_after_restart(fixture *f, gconstpointer data)
{
    (void)data;
    uint8_t own_key[TOLK_KEY_LEN];
    g_assert_true(tolk_key_generate(own_key));
    int own_port = 0;
    int own_fd = net_test_open_receiver(AF_INET, &own_port);
    g_assert_cmpint(own_fd, >=, 0);
    const uint32_t ssrc = 0x5eed0001;
    tolk_srtp_position start = {.ssrc = ssrc, .index = (2ull << 16) | 65530, .timestamp = 1000, .shared_roc_base = 0};
    tolk_srtp_sender *before = tolk_srtp_sender_new_at(f->key, PT, &start);
    g_assert_nonnull(before);
    g_assert_true(tolk_srtp_session_add_stream(f->receiver_session, f->key, ssrc, 2));
    g_assert_cmpint(tolk_srtp_sender_add_destination(before, "127.0.0.1", f->port), >=, 0);
    int own = tolk_srtp_sender_add_keyed_destination(before, "127.0.0.1", own_port, own_key);
    g_assert_cmpint(own, >=, 0);
    g_assert_cmpuint(tolk_srtp_sender_destination_roc_base(before, own), ==, 2);
    srtp_t own_receiver = tolk_srtp_session_new(own_key, false); /* began with the destination */

    send_frames(before, 0, 10);
    uint32_t first_ts = 0;
    g_assert_cmpuint(expect_run(f->fd, f->receiver_session, ssrc, 65530, 10, &first_ts), ==, 4);
    g_assert_cmpuint(first_ts, ==, 1000);
    g_assert_cmpuint(expect_run(own_fd, own_receiver, ssrc, 65530, 10, NULL), ==, 4);
    tolk_srtp_position at;
    tolk_srtp_sender_position(before, &at);
    g_assert_cmpuint(at.index, ==, (3ull << 16) | 4);
    g_assert_cmpuint(at.timestamp, ==, 1000 + 10 * TICKS_PER_FRAME);
    tolk_srtp_sender_free(before);

    /* The restart: 100 indexes and 2 s of timeline further on. */
    at.index += 100;
    at.timestamp += 100 * TICKS_PER_FRAME;
    tolk_srtp_sender *after = tolk_srtp_sender_new_at(f->key, PT, &at);
    g_assert_nonnull(after);
    g_assert_cmpint(tolk_srtp_sender_add_destination(after, "127.0.0.1", f->port), >=, 0);
    g_assert_cmpint(tolk_srtp_sender_add_keyed_destination_at(after, "127.0.0.1", own_port, own_key, 2), >=, 0);
    send_frames(after, 0, 5); /* a new process: its pts start again */
    uint32_t ts = 0;
    expect_run(f->fd, f->receiver_session, ssrc, 104, 5, &ts);
    g_assert_cmpuint(ts, ==, at.timestamp);
    expect_run(own_fd, own_receiver, ssrc, 104, 5, NULL);
    tolk_srtp_sender_free(after);
    srtp_dealloc(own_receiver);
    close(own_fd);
}

/* Continuing under a rollover counter the receiver does not have fails: the test above
 * would pass with a sender that ignored its start position only if libsrtp guessed it. */
static void test_continue_needs_the_counter(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_srtp_position start = {.ssrc = 0x5eed0002, .index = (2ull << 16) | 100, .timestamp = 0};
    tolk_srtp_sender *sender = tolk_srtp_sender_new_at(f->key, PT, &start);
    g_assert_cmpint(tolk_srtp_sender_add_destination(sender, "127.0.0.1", f->port), >=, 0);
    send_frames(sender, 0, 1);
    rtp_packet p;
    g_assert_false(receive_rtp(f->fd, f->receiver_session, &p)); /* a fresh receiver guesses counter 0 */
    tolk_srtp_sender_free(sender);
    start.shared_roc_base = 3; /* past the counter itself: refused */
    g_assert_null(tolk_srtp_sender_new_at(f->key, PT, &start));
}

/* A destination the kernel refuses (broadcast without SO_BROADCAST) is counted as its own,
 * not blamed on the others. */
static void test_send_errors_per_destination(fixture *f, gconstpointer data)
{
    (void)data;
    int good = tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", f->port);
    int refused = tolk_srtp_sender_add_destination(f->sender, "255.255.255.255", 5004);
    g_assert_cmpint(refused, >=, 0);
    send_frames(f->sender, 0, 5);
    g_assert_cmpuint(tolk_srtp_sender_destination_errors(f->sender, refused), ==, 5);
    g_assert_cmpuint(tolk_srtp_sender_destination_errors(f->sender, good), ==, 0);
    tolk_srtp_sender_stats stats;
    tolk_srtp_sender_get_stats(f->sender, &stats);
    g_assert_cmpuint(stats.send_errors, ==, 5);
    g_assert_true(tolk_srtp_sender_remove_destination(f->sender, refused));
    g_assert_cmpuint(tolk_srtp_sender_destination_errors(f->sender, refused), ==, 0);
}

#define ADD(path, fn) g_test_add(path, fixture, NULL, fixture_set_up, fn, fixture_tear_down)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/net/srtp-sender/header-and-payload", test_header_fields_and_payload);
    ADD("/net/srtp-sender/wrong-key", test_wrong_key_fails_to_unprotect);
    ADD("/net/srtp-sender/late-and-duplicate", test_late_and_duplicate_frames_are_dropped);
    ADD("/net/srtp-sender/oversized", test_oversized_and_empty_frames_are_dropped);
    ADD("/net/srtp-sender/ipv4-and-ipv6", test_fan_out_to_ipv4_and_ipv6);
    ADD("/net/srtp-sender/no-destinations", test_stream_advances_without_destinations);
    ADD("/net/srtp-sender/bad-destinations", test_rejects_bad_destinations);
    ADD("/net/srtp-sender/many-destinations", test_many_destinations);
    ADD("/net/srtp-sender/concurrent", test_concurrent_control_and_send);
    ADD("/net/srtp-sender/keyed-destination", test_keyed_destination);
    ADD("/net/srtp-sender/rekey", test_rekey);
    ADD("/net/srtp-sender/continues-after-restart", test_continues_after_restart);
    ADD("/net/srtp-sender/continue-needs-the-counter", test_continue_needs_the_counter);
    ADD("/net/srtp-sender/send-errors-per-destination", test_send_errors_per_destination);
    g_test_add_func("/net/srtp-sender/new-bad-arguments", test_new_rejects_bad_arguments);
    return g_test_run();
}
