/* SPDX-License-Identifier: EUPL-1.2 */
/* One network input on its own, fed real SRTP/Opus over loopback, driven the way the engine
 * drives it (readable when datagrams wait, pull every 20 ms): audio comes out, a quiet input
 * costs a pull that says "nothing", a second sender is not mixed into the first, and a
 * re-key refuses the old key. */
#include "media_input.h"
#include "srtp_session.h"

#include <gio/gio.h>
#include <glib.h>
#include <math.h>
#include <opus.h>
#include <string.h>

typedef struct {
    GSocket *socket, *sender;
    GSocketAddress *to;
    tolk_media_input *input;
    uint8_t key[TOLK_KEY_LEN];
    srtp_t tx;
    uint16_t seq;
    uint32_t ssrc;
    OpusEncoder *encoder;
    double phase;
    double amplitude; /* of the tone sent */
} fixture;

static GSocket *loopback_socket(GSocketAddress **bound)
{
    GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *any = g_inet_socket_address_new(lo, 0);
    g_assert_true(g_socket_bind(s, any, FALSE, NULL));
    g_object_unref(any);
    g_object_unref(lo);
    if (bound)
        *bound = g_socket_get_local_address(s, NULL);
    return s;
}

static void fixture_set_up(fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_true(tolk_key_generate(f->key));
    f->socket = loopback_socket(&f->to);
    f->sender = loopback_socket(NULL);
    f->tx = tolk_srtp_session_new(f->key, true);
    f->input = tolk_media_input_new("t/1", f->socket, f->key, 30);
    g_assert_nonnull(f->input);
    f->seq = 1000;
    f->ssrc = 0x12345678;
    f->amplitude = 0.3;
    int err;
    f->encoder = opus_encoder_create(48000, 1, OPUS_APPLICATION_AUDIO, &err);
    g_assert_nonnull(f->encoder);
}

static void fixture_tear_down(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_media_input_free(f->input);
    opus_encoder_destroy(f->encoder);
    srtp_dealloc(f->tx);
    g_object_unref(f->to);
    g_object_unref(f->socket);
    g_object_unref(f->sender);
}

/* One 20 ms packet of a 440 Hz tone (digital silence at amplitude 0), protected and sent. */
static void send_packet(fixture *f)
{
    float pcm[960];
    for (int i = 0; i < 960; i++, f->phase += 2 * G_PI * 440 / 48000)
        pcm[i] = (float)(f->amplitude * sin(f->phase));
    uint8_t p[1500] = {0x80, 111, (uint8_t)(f->seq >> 8), (uint8_t)f->seq};
    uint32_t ts = 960u * f->seq;
    p[4] = (uint8_t)(ts >> 24), p[5] = (uint8_t)(ts >> 16), p[6] = (uint8_t)(ts >> 8), p[7] = (uint8_t)ts;
    p[8] = (uint8_t)(f->ssrc >> 24), p[9] = (uint8_t)(f->ssrc >> 16), p[10] = (uint8_t)(f->ssrc >> 8);
    p[11] = (uint8_t)f->ssrc;
    int n = opus_encode_float(f->encoder, pcm, 960, p + 12, 1200);
    g_assert_cmpint(n, >, 0);
    int len = 12 + n;
    g_assert_cmpint(srtp_protect(f->tx, p, &len), ==, srtp_err_status_ok);
    g_socket_send_to(f->sender, f->to, (const gchar *)p, (gsize)len, NULL, NULL);
    f->seq++;
}

static double rms(const float *x, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += (double)x[i] * x[i];
    return sqrt(sum / n);
}

/* count frames: send, let the receive side read, pull; returns frames that played. */
static int play(fixture *f, int count, double *last_rms)
{
    int played = 0;
    for (int i = 0; i < count; i++) {
        send_packet(f);
        g_usleep(2000);
        tolk_media_input_readable(f->input);
        float out[TOLK_FRAME_SAMPLES];
        if (tolk_media_input_pull(f->input, out, g_get_monotonic_time())) {
            played++;
            *last_rms = rms(out, TOLK_FRAME_SAMPLES);
        }
    }
    return played;
}

static void test_audio_flows(fixture *f, gconstpointer data)
{
    (void)data;
    double level = 0;
    int played = play(f, 25, &level);
    g_assert_cmpint(played, >=, 22);
    g_assert_cmpfloat(level, >, 0.15); /* the tone, not silence */
    tolk_media_input_stats s;
    tolk_media_input_get_stats(f->input, &s);
    g_assert_cmpuint(s.decoded, >=, 23);
    g_assert_cmpuint(s.dropped_auth, ==, 0);
    g_assert_cmpstr(tolk_input_state_name(tolk_media_input_state(&s, g_get_monotonic_time(), 2000 * 1000)), ==,
                    "receiving");
}

static void test_quiet_input_plays_nothing(fixture *f, gconstpointer data)
{
    (void)data;
    float out[TOLK_FRAME_SAMPLES];
    g_assert_false(tolk_media_input_pull(f->input, out, g_get_monotonic_time())); /* never sent */
    double level = 0;
    play(f, 10, &level);
    int playing = 0;
    for (int i = 0; i < 20; i++) /* 400 ms with nothing arriving: concealment ends */
        playing += tolk_media_input_pull(f->input, out, g_get_monotonic_time());
    g_assert_cmpint(playing, <, 20);
    g_assert_false(tolk_media_input_pull(f->input, out, g_get_monotonic_time()));
}

static void test_second_sender_refused(fixture *f, gconstpointer data)
{
    (void)data;
    double level = 0;
    play(f, 5, &level);
    uint32_t first = f->ssrc;
    uint16_t first_seq = f->seq;
    f->ssrc = 0x0badcafe; /* the same key, another stream, while the first still sends */
    f->seq = 7;
    for (int i = 0; i < 5; i++) {
        send_packet(f);
        uint32_t keep = f->ssrc;
        uint16_t keep_seq = f->seq;
        f->ssrc = first, f->seq = first_seq++;
        send_packet(f);
        f->ssrc = keep, f->seq = keep_seq;
        g_usleep(2000);
        tolk_media_input_readable(f->input);
    }
    tolk_media_input_stats s;
    tolk_media_input_get_stats(f->input, &s);
    g_assert_cmpuint(s.dropped_sender, >=, 4);
}

static void test_rekey_refuses_old_key(fixture *f, gconstpointer data)
{
    (void)data;
    double level = 0;
    play(f, 5, &level);
    uint8_t key[TOLK_KEY_LEN];
    g_assert_true(tolk_key_generate(key));
    g_assert_true(tolk_media_input_rekey(f->input, key));
    play(f, 5, &level); /* still the old key */
    tolk_media_input_stats s;
    tolk_media_input_get_stats(f->input, &s);
    g_assert_cmpuint(s.dropped_auth, >=, 5);
    srtp_dealloc(f->tx);
    f->tx = tolk_srtp_session_new(key, true);
    g_assert_cmpint(play(f, 10, &level), >=, 7);
    tolk_key_wipe(key, sizeof key);
}

/* The four health states as a function of the input's times (docs/operations.md). */
static void test_health_states(void)
{
    const gint64 now = 100 * G_USEC_PER_SEC, ms = 1000, lost = 2000 * ms;
    static const struct {
        const char *why;
        gint64 valid_ago, audible_ago, dropped_ago, dropping_for; /* -1: never */
        const char *state;
    } cases[] = {
        {"never sent", -1, -1, -1, 0, "silent"},
        {"a tone", 20 * ms, 60 * ms, -1, 0, "receiving"},
        {"digital silence arriving", 20 * ms, 5000 * ms, -1, 0, "silent"},
        {"silence since the first packet", 20 * ms, -1, -1, 0, "silent"},
        {"a pause shorter than the timeout", 1500 * ms, 1500 * ms, -1, 0, "silent"},
        {"stopped for the timeout", 2000 * ms, 2000 * ms, -1, 0, "lost"},
        {"a wrong key for 1.2 s", 5000 * ms, 5000 * ms, 10 * ms, 1200 * ms, "failing"},
        {"a wrong key for 0.5 s: not yet", 5000 * ms, 5000 * ms, 10 * ms, 500 * ms, "lost"},
        {"junk beside a good sender", 20 * ms, 20 * ms, 10 * ms, 9000 * ms, "receiving"},
        {"the junk stopped 0.6 s ago", 5000 * ms, 5000 * ms, 600 * ms, 9000 * ms, "lost"},
        {"junk at a console that never sent", -1, -1, 10 * ms, 3000 * ms, "failing"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        tolk_media_input_stats s = {0};
        if (cases[i].valid_ago >= 0)
            s.last_valid_us = now - cases[i].valid_ago;
        if (cases[i].audible_ago >= 0)
            s.last_audible_us = now - cases[i].audible_ago;
        if (cases[i].dropped_ago >= 0) {
            s.last_dropped_us = now - cases[i].dropped_ago;
            s.dropping_since_us = s.last_dropped_us - cases[i].dropping_for;
        }
        const char *got = tolk_input_state_name(tolk_media_input_state(&s, now, lost));
        if (strcmp(got, cases[i].state) != 0)
            g_error("%s: %s, expected %s", cases[i].why, got, cases[i].state);
    }
}

/* Digital silence through the real path (SRTP, Opus, the reorder buffer) is silent. */
static void test_digital_silence_is_silent(fixture *f, gconstpointer data)
{
    (void)data;
    f->amplitude = 0.0;
    double level = 0;
    g_assert_cmpint(play(f, 25, &level), >=, 22);
    tolk_media_input_stats s;
    tolk_media_input_get_stats(f->input, &s);
    g_assert_cmpuint(s.decoded, >=, 23);
    g_assert_cmpstr(tolk_input_state_name(tolk_media_input_state(&s, g_get_monotonic_time(), 2000 * 1000)), ==,
                    "silent");
}

#define ADD(path, fn) g_test_add(path, fixture, NULL, fixture_set_up, fn, fixture_tear_down)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/media-input/audio-flows", test_audio_flows);
    ADD("/media-input/quiet-plays-nothing", test_quiet_input_plays_nothing);
    ADD("/media-input/second-sender-refused", test_second_sender_refused);
    ADD("/media-input/rekey-refuses-old-key", test_rekey_refuses_old_key);
    ADD("/media-input/digital-silence-is-silent", test_digital_silence_is_silent);
    g_test_add_func("/media-input/health-states", test_health_states);
    return g_test_run();
}
