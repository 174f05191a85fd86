/* SPDX-License-Identifier: EUPL-1.2 */
/* The receive side against packets protected here with libsrtp2, as a sender would: good
 * media, forgeries, replays, floods of random SSRCs, multiplexed SRTCP and re-keying. */
#include "keys.h"
#include "rtp_header.h"
#include "srtp_receiver.h"
#include "srtp_session.h"

#include <glib.h>
#include <string.h>

#define SECOND_US 1000000
#define PAYLOAD_LEN 40

typedef struct {
    uint8_t key[TOLK_KEY_LEN];
    srtp_t tx; /* the sender's side, any outbound SSRC */
    tolk_srtp_receiver *rx;
    int64_t now_us;
} fixture;

typedef struct {
    uint8_t data[1500];
    size_t len;
} packet;

static void fixture_set_up(fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_true(tolk_key_generate(f->key));
    f->tx = tolk_srtp_session_new(f->key, true);
    f->rx = tolk_srtp_receiver_new(f->key);
    g_assert_nonnull(f->tx);
    g_assert_nonnull(f->rx);
    f->now_us = 1000 * SECOND_US;
}

static void fixture_tear_down(fixture *f, gconstpointer data)
{
    (void)data;
    srtp_dealloc(f->tx);
    tolk_srtp_receiver_free(f->rx);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static packet plain_rtp(uint32_t ssrc, uint16_t seq)
{
    packet p = {.len = 12 + PAYLOAD_LEN};
    p.data[0] = 0x80;
    p.data[1] = 111;
    p.data[2] = (uint8_t)(seq >> 8);
    p.data[3] = (uint8_t)seq;
    put_be32(p.data + 4, 960u * seq);
    put_be32(p.data + 8, ssrc);
    for (int i = 0; i < PAYLOAD_LEN; i++)
        p.data[12 + i] = (uint8_t)(seq + i);
    return p;
}

static packet protect(srtp_t tx, packet p)
{
    int len = (int)p.len;
    g_assert_cmpint(srtp_protect(tx, p.data, &len), ==, srtp_err_status_ok);
    p.len = (size_t)len;
    return p;
}

static packet sender_report(srtp_t tx, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts)
{
    packet p = {.len = 28};
    p.data[0] = 0x80;
    p.data[1] = 200;
    p.data[3] = 6; /* 7 words */
    put_be32(p.data + 4, ssrc);
    put_be32(p.data + 8, (uint32_t)(ntp >> 32));
    put_be32(p.data + 12, (uint32_t)ntp);
    put_be32(p.data + 16, rtp_ts);
    int len = (int)p.len;
    g_assert_cmpint(srtp_protect_rtcp(tx, p.data, &len), ==, srtp_err_status_ok);
    p.len = (size_t)len;
    return p;
}

static tolk_receive_result receive(fixture *f, packet p)
{
    return tolk_srtp_receiver_receive(f->rx, p.data, &p.len, f->now_us);
}

static tolk_srtp_receiver_stats stats(fixture *f)
{
    tolk_srtp_receiver_stats s;
    tolk_srtp_receiver_get_stats(f->rx, &s);
    return s;
}

static void test_media_is_decrypted_in_place(fixture *f, gconstpointer data)
{
    (void)data;
    packet plain = plain_rtp(0x1234, 7);
    packet p = protect(f->tx, plain);
    g_assert_cmpuint(p.len, >, plain.len);
    g_assert_cmpint(tolk_srtp_receiver_receive(f->rx, p.data, &p.len, f->now_us), ==, TOLK_RECEIVE_MEDIA);
    g_assert_cmpuint(p.len, ==, plain.len);
    g_assert_cmpmem(p.data, p.len, plain.data, plain.len);
    g_assert_cmpuint(stats(f).media, ==, 1);
    g_assert_cmpint(tolk_srtp_receiver_sender_count(f->rx), ==, 1);
}

static void test_not_rtp_is_counted(fixture *f, gconstpointer data)
{
    (void)data;
    packet junk = {.data = "GET / HTTP/1.1\r\n", .len = 16};
    packet tiny = {.data = {0x80, 111, 0, 1}, .len = 4};
    g_assert_cmpint(receive(f, junk), ==, TOLK_RECEIVE_DROPPED);
    g_assert_cmpint(receive(f, tiny), ==, TOLK_RECEIVE_DROPPED);
    g_assert_cmpuint(stats(f).not_rtp, ==, 2);
    g_assert_cmpuint(stats(f).received, ==, 2);
}

/* Without the key: no packet authenticates, so no sender state is ever made. */
static void test_random_ssrc_flood_without_key_makes_no_state(fixture *f, gconstpointer data)
{
    (void)data;
    uint8_t other_key[TOLK_KEY_LEN];
    g_assert_true(tolk_key_generate(other_key));
    srtp_t attacker = tolk_srtp_session_new(other_key, true);
    for (uint32_t i = 0; i < 5000; i++) {
        g_assert_cmpint(receive(f, protect(attacker, plain_rtp(g_random_int(), (uint16_t)i))), ==,
                        TOLK_RECEIVE_DROPPED);
        f->now_us += 2000;
    }
    srtp_dealloc(attacker);
    g_assert_cmpuint(stats(f).auth_failed, ==, 5000);
    g_assert_cmpint(tolk_srtp_receiver_sender_count(f->rx), ==, 0);
    /* The real sender is still let in. */
    g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(42, 1))), ==, TOLK_RECEIVE_MEDIA);
}

static void test_tampered_packet_fails_authentication(fixture *f, gconstpointer data)
{
    (void)data;
    packet p = protect(f->tx, plain_rtp(5, 1));
    p.data[20] ^= 1;
    g_assert_cmpint(receive(f, p), ==, TOLK_RECEIVE_DROPPED);
    g_assert_cmpuint(stats(f).auth_failed, ==, 1);
    g_assert_cmpint(tolk_srtp_receiver_sender_count(f->rx), ==, 0);
}

/* A captured packet played again is refused, however long the input has been quiet. */
static void test_replay_is_refused_even_after_quiet(fixture *f, gconstpointer data)
{
    (void)data;
    packet captured[50];
    for (int i = 0; i < 50; i++) {
        captured[i] = protect(f->tx, plain_rtp(0xabc, (uint16_t)(100 + i)));
        g_assert_cmpint(receive(f, captured[i]), ==, TOLK_RECEIVE_MEDIA);
        f->now_us += 20000;
    }
    f->now_us += 600 * SECOND_US;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 50; i++)
            g_assert_cmpint(receive(f, captured[i]), ==, TOLK_RECEIVE_DROPPED);
    }
    g_assert_cmpuint(stats(f).replayed, ==, 150);
    g_assert_cmpuint(stats(f).media, ==, 50);
}

/* A sender restarting with its SSRC and a sequence behind the old one: refused until re-keyed. */
static void test_restart_with_same_ssrc_needs_rekey(fixture *f, gconstpointer data)
{
    (void)data;
    for (uint16_t seq = 30000; seq < 30050; seq++)
        g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(0x5eed, seq))), ==, TOLK_RECEIVE_MEDIA);
    srtp_dealloc(f->tx);
    f->tx = tolk_srtp_session_new(f->key, true); /* the rebooted encoder, same key and SSRC */
    f->now_us += 5 * SECOND_US;
    for (uint16_t seq = 1000; seq < 1050; seq++)
        g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(0x5eed, seq))), ==, TOLK_RECEIVE_DROPPED);
    g_assert_cmpuint(stats(f).replayed, ==, 50);

    uint8_t fresh[TOLK_KEY_LEN];
    g_assert_true(tolk_key_generate(fresh));
    g_assert_true(tolk_srtp_receiver_rekey(f->rx, fresh));
    srtp_dealloc(f->tx);
    f->tx = tolk_srtp_session_new(fresh, true);
    g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(0x5eed, 1050))), ==, TOLK_RECEIVE_MEDIA);
}

static void test_rekey_refuses_the_old_key(fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(9, 1))), ==, TOLK_RECEIVE_MEDIA);
    uint8_t fresh[TOLK_KEY_LEN];
    g_assert_true(tolk_key_generate(fresh));
    g_assert_true(tolk_srtp_receiver_rekey(f->rx, fresh));
    g_assert_cmpint(tolk_srtp_receiver_sender_count(f->rx), ==, 0);
    g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(9, 2))), ==, TOLK_RECEIVE_DROPPED);
    g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(10, 1))), ==, TOLK_RECEIVE_DROPPED);
    g_assert_cmpuint(stats(f).auth_failed, ==, 2);
    srtp_t new_tx = tolk_srtp_session_new(fresh, true);
    g_assert_cmpint(receive(f, protect(new_tx, plain_rtp(9, 3))), ==, TOLK_RECEIVE_MEDIA);
    srtp_dealloc(new_tx);
    g_assert_cmpuint(stats(f).rekeys, ==, 1);
}

/* A holder of the key sending from ever new SSRCs: at most TOLK_SRTP_RECEIVER_SENDERS kept;
 * busy senders are never pushed out; quiet ones make room and stay refused afterwards. */
static void test_senders_are_bounded(fixture *f, gconstpointer data)
{
    (void)data;
    for (uint32_t ssrc = 1; ssrc <= TOLK_SRTP_RECEIVER_SENDERS; ssrc++) {
        g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(ssrc, 1))), ==, TOLK_RECEIVE_MEDIA);
        f->now_us += 1000;
    }
    for (uint32_t ssrc = 100; ssrc < 2100; ssrc++)
        g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(ssrc, 1))), ==, TOLK_RECEIVE_DROPPED);
    g_assert_cmpuint(stats(f).senders_refused, ==, 2000);
    g_assert_cmpint(tolk_srtp_receiver_sender_count(f->rx), ==, TOLK_SRTP_RECEIVER_SENDERS);
    g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(1, 2))), ==, TOLK_RECEIVE_MEDIA);

    f->now_us += TOLK_SRTP_RECEIVER_QUIET_US + 1;
    g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(1, 3))), ==, TOLK_RECEIVE_MEDIA);
    g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(500, 2))), ==, TOLK_RECEIVE_MEDIA);
    g_assert_cmpuint(stats(f).senders_evicted, ==, 1);
    /* SSRC 2 was the least recently heard: let go, and its packets no longer come in. */
    g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(2, 2))), ==, TOLK_RECEIVE_DROPPED);
    g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(1, 4))), ==, TOLK_RECEIVE_MEDIA);
    g_assert_cmpint(tolk_srtp_receiver_sender_count(f->rx), ==, TOLK_SRTP_RECEIVER_SENDERS);
}

static void test_muxed_srtcp_is_taken_and_counted(fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(77, 1))), ==, TOLK_RECEIVE_MEDIA);
    g_assert_cmpint(receive(f, sender_report(f->tx, 77, 0x0102030405060708ull, 4242)), ==, TOLK_RECEIVE_RTCP);
    tolk_rtcp_sender_report report;
    g_assert_true(tolk_srtp_receiver_last_sender_report(f->rx, 77, &report));
    g_assert_cmphex(report.ntp, ==, 0x0102030405060708ull);
    g_assert_cmpuint(report.rtp_timestamp, ==, 4242);
    packet forged = sender_report(f->tx, 77, 1, 1);
    forged.data[10] ^= 0xff;
    g_assert_cmpint(receive(f, forged), ==, TOLK_RECEIVE_DROPPED);
    g_assert_cmpint(receive(f, protect(f->tx, plain_rtp(77, 2))), ==, TOLK_RECEIVE_MEDIA);
    tolk_srtp_receiver_stats s = stats(f);
    g_assert_cmpuint(s.rtcp, ==, 1);
    g_assert_cmpuint(s.rtcp_failed, ==, 1);
    g_assert_cmpuint(s.media, ==, 2);
}

/* rekey from another thread while packets flow: every packet is judged by one whole key. */
typedef struct {
    tolk_srtp_receiver *rx;
    uint8_t keys[2][TOLK_KEY_LEN];
    gint stop;
} rekey_thread;

static gpointer rekey_loop(gpointer data)
{
    rekey_thread *t = data;
    for (unsigned i = 0; !g_atomic_int_get(&t->stop); i++) {
        g_assert_true(tolk_srtp_receiver_rekey(t->rx, t->keys[i % 2]));
        g_usleep(200);
    }
    return NULL;
}

static void test_rekey_while_receiving(fixture *f, gconstpointer data)
{
    (void)data;
    rekey_thread t = {.rx = f->rx};
    memcpy(t.keys[0], f->key, TOLK_KEY_LEN);
    g_assert_true(tolk_key_generate(t.keys[1]));
    GThread *thread = g_thread_new("rekey", rekey_loop, &t);
    for (uint16_t seq = 0; seq < 5000; seq++)
        receive(f, protect(f->tx, plain_rtp(3, seq)));
    g_atomic_int_set(&t.stop, 1);
    g_thread_join(thread);
    tolk_srtp_receiver_stats s = stats(f);
    g_assert_cmpuint(s.media + s.auth_failed + s.replayed, ==, 5000);
    g_assert_cmpuint(s.rekeys, >, 0);
}

static void test_rtp_header_parse(void)
{
    tolk_rtp_header h;
    packet p = plain_rtp(1, 1);
    g_assert_cmpint(tolk_rtp_parse(p.data, p.len, &h), ==, TOLK_RTP_OK);
    g_assert_cmpuint(h.payload_offset, ==, 12);
    g_assert_cmpuint(h.payload_len, ==, PAYLOAD_LEN);
    p.data[0] = 0xa0; /* padding bit, last byte says 40 */
    p.data[p.len - 1] = 40;
    g_assert_cmpint(tolk_rtp_parse(p.data, p.len, &h), ==, TOLK_RTP_OK);
    g_assert_cmpuint(h.payload_len, ==, 0);
    p.data[p.len - 1] = 41;
    g_assert_cmpint(tolk_rtp_parse(p.data, p.len, &h), ==, TOLK_RTP_PADDING);
    p.data[p.len - 1] = 0;
    g_assert_cmpint(tolk_rtp_parse(p.data, p.len, &h), ==, TOLK_RTP_PADDING);
    p.data[0] = 0x8f; /* 15 CSRCs: 60 bytes, more than there is */
    g_assert_cmpint(tolk_rtp_parse(p.data, p.len, &h), ==, TOLK_RTP_SHORT);
    p.data[0] = 0x90; /* extension of 2 words */
    p.data[12] = 0xbe, p.data[13] = 0xde, p.data[14] = 0, p.data[15] = 2;
    g_assert_cmpint(tolk_rtp_parse(p.data, p.len, &h), ==, TOLK_RTP_OK);
    g_assert_cmpuint(h.payload_offset, ==, 24);
    p.data[15] = 200;
    g_assert_cmpint(tolk_rtp_parse(p.data, p.len, &h), ==, TOLK_RTP_SHORT);
    uint8_t rtcp[8] = {0x81, 201, 0, 1, 0, 0, 0, 9};
    g_assert_cmpint(tolk_packet_classify(rtcp, sizeof rtcp), ==, TOLK_PACKET_RTCP);
    g_assert_cmpuint(tolk_packet_ssrc(rtcp, TOLK_PACKET_RTCP), ==, 9);
    g_assert_cmpint(tolk_packet_classify(rtcp, 7), ==, TOLK_PACKET_NOT_RTP);
}


/* A restart under the same key: the packets captured before it are refused by the resumed
 * receiver (a fresh one takes them: the first half is the check that this test can fail),
 * and the sender's next packets play. */
static void test_resumed_receiver_refuses_old_packets(fixture *f, gconstpointer data)
{
    (void)data;
    packet captured[20];
    for (uint16_t i = 0; i < 20; i++) {
        captured[i] = protect(f->tx, plain_rtp(0x77, (uint16_t)(100 + i)));
        packet copy = captured[i];
        g_assert_cmpint(receive(f, copy), ==, TOLK_RECEIVE_MEDIA);
    }
    tolk_srtp_receiver_position at[TOLK_SRTP_RECEIVER_SENDERS];
    g_assert_cmpint(tolk_srtp_receiver_positions(f->rx, at, TOLK_SRTP_RECEIVER_SENDERS), ==, 1);
    g_assert_cmphex(at[0].ssrc, ==, 0x77);
    g_assert_cmpuint(at[0].highest, ==, 119);

    tolk_srtp_receiver *fresh = tolk_srtp_receiver_new(f->key);
    packet replay = captured[3];
    g_assert_cmpint(tolk_srtp_receiver_receive(fresh, replay.data, &replay.len, f->now_us), ==, TOLK_RECEIVE_MEDIA);
    tolk_srtp_receiver_free(fresh);

    tolk_srtp_receiver *resumed = tolk_srtp_receiver_new_resumed(f->key, at, 1);
    g_assert_nonnull(resumed);
    for (int i = 0; i < 20; i++) {
        packet copy = captured[i];
        g_assert_cmpint(tolk_srtp_receiver_receive(resumed, copy.data, &copy.len, f->now_us), ==,
                        TOLK_RECEIVE_DROPPED);
    }
    packet next = protect(f->tx, plain_rtp(0x77, 150));
    g_assert_cmpint(tolk_srtp_receiver_receive(resumed, next.data, &next.len, f->now_us), ==, TOLK_RECEIVE_MEDIA);
    /* Below the floor but inside the window of the stream that began at 150: still refused. */
    packet copy = captured[19];
    g_assert_cmpint(tolk_srtp_receiver_receive(resumed, copy.data, &copy.len, f->now_us), ==, TOLK_RECEIVE_DROPPED);
    tolk_srtp_receiver_stats st;
    tolk_srtp_receiver_get_stats(resumed, &st);
    g_assert_cmpuint(st.replayed, ==, 21);
    g_assert_cmpuint(st.media, ==, 1);
    tolk_srtp_receiver_free(resumed);
}

/* A sender past a sequence wrap (rollover counter 1) authenticates after the restart, and
 * on across the next wrap; a fresh receiver cannot (it guesses counter 0). */
static void test_resumed_receiver_keeps_the_rollover_counter(fixture *f, gconstpointer data)
{
    (void)data;
    const uint32_t ssrc = 0x88;
    g_assert_true(tolk_srtp_session_add_stream(f->tx, f->key, ssrc, 1));
    tolk_srtp_receiver_position at = {.ssrc = ssrc, .highest = (1ull << 16) | 65500};
    tolk_srtp_receiver *resumed = tolk_srtp_receiver_new_resumed(f->key, &at, 1);
    tolk_srtp_receiver *fresh = tolk_srtp_receiver_new(f->key);
    for (unsigned seq = 65510; seq < 65536 + 10; seq++) {
        packet p = protect(f->tx, plain_rtp(ssrc, (uint16_t)seq));
        packet q = p;
        g_assert_cmpint(tolk_srtp_receiver_receive(resumed, p.data, &p.len, f->now_us), ==, TOLK_RECEIVE_MEDIA);
        g_assert_cmpint(tolk_srtp_receiver_receive(fresh, q.data, &q.len, f->now_us), ==, TOLK_RECEIVE_DROPPED);
    }
    tolk_srtp_receiver_position now;
    g_assert_cmpint(tolk_srtp_receiver_positions(resumed, &now, 1), ==, 1);
    g_assert_cmpuint(now.highest, ==, (2ull << 16) | 9);
    tolk_srtp_receiver_free(resumed);
    tolk_srtp_receiver_free(fresh);
}

static void test_guess_index(void)
{
    g_assert_cmpuint(tolk_srtp_guess_index(0, 5), ==, 5);
    g_assert_cmpuint(tolk_srtp_guess_index(0, 60000), ==, 60000);
    g_assert_cmpuint(tolk_srtp_guess_index((3ull << 16) | 65530, 2), ==, (4ull << 16) | 2);
    g_assert_cmpuint(tolk_srtp_guess_index((3ull << 16) | 3, 65530), ==, (2ull << 16) | 65530);
    g_assert_cmpuint(tolk_srtp_guess_index((3ull << 16) | 40000, 30000), ==, (3ull << 16) | 30000);
}

#define ADD(path, fn) g_test_add(path, fixture, NULL, fixture_set_up, fn, fixture_tear_down)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/net/srtp-receiver/media", test_media_is_decrypted_in_place);
    ADD("/net/srtp-receiver/not-rtp", test_not_rtp_is_counted);
    ADD("/net/srtp-receiver/flood-without-key", test_random_ssrc_flood_without_key_makes_no_state);
    ADD("/net/srtp-receiver/tampered", test_tampered_packet_fails_authentication);
    ADD("/net/srtp-receiver/replay", test_replay_is_refused_even_after_quiet);
    ADD("/net/srtp-receiver/restart-needs-rekey", test_restart_with_same_ssrc_needs_rekey);
    ADD("/net/srtp-receiver/rekey", test_rekey_refuses_the_old_key);
    ADD("/net/srtp-receiver/bounded-senders", test_senders_are_bounded);
    ADD("/net/srtp-receiver/muxed-srtcp", test_muxed_srtcp_is_taken_and_counted);
    ADD("/net/srtp-receiver/rekey-while-receiving", test_rekey_while_receiving);
    g_test_add_func("/net/rtp-header/parse", test_rtp_header_parse);
    g_test_add_func("/net/srtp/guess-index", test_guess_index);
    ADD("/net/srtp-receiver/resumed-refuses-old-packets", test_resumed_receiver_refuses_old_packets);
    ADD("/net/srtp-receiver/resumed-keeps-rollover-counter", test_resumed_receiver_keeps_the_rollover_counter);
    return g_test_run();
}
