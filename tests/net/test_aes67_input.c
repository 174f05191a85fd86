/* SPDX-License-Identifier: EUPL-1.2 */
/* The AES67 input's receiver (mixer/media/aes67_input.c) on a simulated timeline: a sender of
 * 2-channel L24 (440 Hz in channel 1, 660 Hz in channel 2) whose clock runs 100 ppm fast or
 * slow against the tick's, packets that arrive with jitter, get lost or come late, and a
 * hostile sender beside the real one. The tick pulls 20 ms at a time, as the engine does. */
#include "aes67_input.h"

#include <arpa/inet.h>
#include <glib.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>

#define PI 3.14159265358979323846

static const char *sdp_l24_2ch = "v=0\r\n"
                                 "o=- 1 1 IN IP4 192.0.2.10\r\n"
                                 "s=Hall mix\r\n"
                                 "c=IN IP4 239.69.1.1/32\r\n"
                                 "t=0 0\r\n"
                                 "m=audio 5004 RTP/AVP 97\r\n"
                                 "a=rtpmap:97 L24/48000/2\r\n"
                                 "a=ptime:%s\r\n"
                                 "a=ts-refclk:ptp=IEEE1588-2008:00-11-22-FF-FE-33-44-55:0\r\n"
                                 "a=mediaclk:direct=0\r\n";

static const char *sdp_l16_named = "v=0\r\n"
                                   "o=- 1 1 IN IP4 hall-mixer.example\r\n"
                                   "s=Floor\r\n"
                                   "c=IN IP4 192.0.2.1\r\n"
                                   "t=0 0\r\n"
                                   "m=audio 5004 RTP/AVP 96\r\n"
                                   "a=rtpmap:96 L16/48000/1\r\n"
                                   "a=ptime:1\r\n"
                                   "a=ts-refclk:localmac=CA-FE-01-CA-FE-02\r\n"
                                   "a=mediaclk:direct=0\r\n";

typedef struct {
    tolk_aes67_stream stream;
    tolk_aes67_receiver *r;
    struct sockaddr_in from;
    uint32_t ssrc;
    uint16_t seq;
    uint32_t ts0;
    uint64_t sample;     /* the sender's next sample */
    double freq[2];
    float *heard;        /* every frame pulled, in order */
    size_t heard_len, heard_cap;
    GRand *rand;
} sim;

static void stream_of(const char *text, tolk_aes67_stream *out)
{
    tolk_error err;
    g_assert_true(tolk_aes67_sdp_parse(text, strlen(text), out, &err));
}

static void sim_init(sim *s, const char *ptime, int channel)
{
    memset(s, 0, sizeof *s);
    gchar *text = g_strdup_printf(sdp_l24_2ch, ptime);
    stream_of(text, &s->stream);
    g_free(text);
    tolk_error err;
    s->r = tolk_aes67_receiver_new(&s->stream, channel, -1, &err);
    g_assert_nonnull(s->r);
    s->from.sin_family = AF_INET;
    inet_pton(AF_INET, "192.0.2.10", &s->from.sin_addr);
    s->ssrc = 0xA1B2C3D4;
    s->seq = 65000;             /* wraps early */
    s->ts0 = 0xFFFFF000u;       /* so does the timestamp */
    s->freq[0] = 440.0;
    s->freq[1] = 660.0;
    s->rand = g_rand_new_with_seed(67);
}

static void sim_clear(sim *s)
{
    tolk_aes67_receiver_free(s->r);
    g_free(s->heard);
    g_rand_free(s->rand);
}

static void put24(uint8_t *p, double v)
{
    int32_t x = (int32_t)lrint(v * 8388607.0);
    p[0] = (uint8_t)(x >> 16);
    p[1] = (uint8_t)(x >> 8);
    p[2] = (uint8_t)x;
}

/* The sender's next packet into buf; its length. */
static size_t make_packet(sim *s, uint8_t *buf)
{
    int frames = s->stream.frame_samples, channels = s->stream.channels;
    buf[0] = 0x80;
    buf[1] = (uint8_t)s->stream.payload_type;
    buf[2] = (uint8_t)(s->seq >> 8);
    buf[3] = (uint8_t)s->seq;
    uint32_t ts = s->ts0 + (uint32_t)s->sample;
    for (int i = 0; i < 4; i++) {
        buf[4 + i] = (uint8_t)(ts >> (24 - 8 * i));
        buf[8 + i] = (uint8_t)(s->ssrc >> (24 - 8 * i));
    }
    uint8_t *p = buf + 12;
    for (int f = 0; f < frames; f++, s->sample++)
        for (int c = 0; c < channels; c++, p += 3)
            put24(p, 0.5 * sin(2.0 * PI * s->freq[c % 2] * (double)s->sample / 48000.0));
    s->seq++;
    return (size_t)(p - buf);
}

static void heard_add(sim *s, const float *frame)
{
    if (s->heard_len + TOLK_AES67_FRAME > s->heard_cap) {
        s->heard_cap = (s->heard_cap + TOLK_AES67_FRAME) * 2;
        s->heard = g_renew(float, s->heard, s->heard_cap);
    }
    memcpy(s->heard + s->heard_len, frame, TOLK_AES67_FRAME * sizeof *frame);
    s->heard_len += TOLK_AES67_FRAME;
}

typedef struct {
    double ppm;          /* the sender's clock against the tick's */
    double jitter_us;    /* each packet's arrival: uniformly up to this late */
    double tick_jitter_us;
    double seconds;
    double lose_every;   /* packets: one lost in so many (0 none) */
    int hostile_per_packet; /* hostile datagrams sent beside each real one */
} run_params;

static void hostile_datagram(sim *s, const uint8_t *real, size_t len, int64_t now_us)
{
    uint8_t bad[2048];
    memcpy(bad, real, len);
    struct sockaddr_in other = s->from;
    switch (g_rand_int_range(s->rand, 0, 5)) {
    case 0: /* another address, a correct packet */
        inet_pton(AF_INET, "192.0.2.66", &other.sin_addr);
        break;
    case 1: /* a random SSRC */
        for (int i = 8; i < 12; i++)
            bad[i] = (uint8_t)g_rand_int(s->rand);
        break;
    case 2: /* the wrong payload type */
        bad[1] = 96;
        break;
    case 3: /* the wrong size */
        len -= 6;
        break;
    default: /* not RTP */
        bad[0] = 0x40;
    }
    tolk_aes67_receiver_take(s->r, bad, len, (struct sockaddr *)&other, now_us);
}

/* Sender and tick on one timeline; events in time order. */
static void run(sim *s, const run_params *p)
{
    uint8_t packet[2048];
    const double packet_us = s->stream.ptime_us / (1.0 + p->ppm * 1e-6);
    const int64_t start_us = 1000000;
    double next_packet = start_us, next_tick = start_us + 20000;
    uint64_t k = 0, tick = 1;
    int64_t end_us = start_us + (int64_t)(p->seconds * 1e6);
    float frame[TOLK_AES67_FRAME];
    while (next_tick < end_us) {
        double arrival = next_packet + g_rand_double_range(s->rand, 0, p->jitter_us + 1e-9);
        if (arrival <= next_tick) {
            size_t len = make_packet(s, packet);
            bool lost = p->lose_every > 0 && k > 100 && fmod((double)k, p->lose_every) == 0;
            if (!lost)
                tolk_aes67_receiver_take(s->r, packet, len, (struct sockaddr *)&s->from, (int64_t)arrival);
            for (int h = 0; h < p->hostile_per_packet; h++)
                hostile_datagram(s, packet, len, (int64_t)arrival);
            next_packet += packet_us;
            k++;
            continue;
        }
        int64_t now = (int64_t)next_tick;
        if (tolk_aes67_receiver_pull(s->r, frame, now))
            heard_add(s, frame);
        /* The engine's grid: a tick may start late, the next one is on time again. */
        tick++;
        next_tick = start_us + 20000.0 * (double)tick + g_rand_double_range(s->rand, 0, p->tick_jitter_us + 1e-9);
    }
}

/* Zero crossings per second of the output from `from` on: twice the tone's frequency. */
static double frequency(const sim *s, size_t from)
{
    int crossings = 0;
    for (size_t i = from + 1; i < s->heard_len; i++)
        crossings += (s->heard[i - 1] < 0) != (s->heard[i] < 0);
    return crossings / 2.0 / ((double)(s->heard_len - from) / 48000.0);
}

/* The largest jump between two samples: a 440 Hz sine at 0.5 moves at most 0.029 a sample;
 * a dropped or doubled chunk, or a gap of zeros, moves far more. */
static double largest_step(const sim *s, size_t from)
{
    double worst = 0;
    for (size_t i = from + 1; i < s->heard_len; i++)
        worst = fmax(worst, fabs(s->heard[i] - s->heard[i - 1]));
    return worst;
}

static void test_steady_channel_two(void)
{
    sim s;
    sim_init(&s, "1", 1);
    run(&s, &(run_params){.seconds = 5, .jitter_us = 500, .tick_jitter_us = 2000});
    tolk_aes67_stats st;
    tolk_aes67_receiver_get_stats(s.r, &st);
    g_assert_cmpuint(st.accepted, >=, 4900);
    g_assert_cmpuint(st.resyncs, ==, 2); /* the first packet, the first pull */
    g_assert_cmpuint(st.concealed, <=, 960); /* only before the first packet */
    g_assert_cmpfloat(fabs(frequency(&s, 4800) - 660.0), <, 3.0);
    g_assert_cmpfloat(largest_step(&s, 4800), <, 0.05);
    g_assert_cmpuint(st.ssrc, ==, 0xA1B2C3D4);
    g_assert_cmpstr(st.source, ==, "192.0.2.10");
    g_test_message("latency held %.2f ms, fill %.2f ms", st.target_ms, st.fill_ms);
    sim_clear(&s);
}

static void drift(double ppm)
{
    sim s;
    sim_init(&s, "1", 0);
    const double seconds = 300;
    run(&s, &(run_params){.ppm = ppm, .seconds = seconds, .jitter_us = 500, .tick_jitter_us = 2000});
    tolk_aes67_stats st;
    tolk_aes67_receiver_get_stats(s.r, &st);
    double expected = fabs(ppm) * 1e-6 * seconds * 48000; /* samples to take up */
    uint64_t corrections = ppm > 0 ? st.drift_dropped : st.drift_repeated;
    uint64_t wrong_way = ppm > 0 ? st.drift_repeated : st.drift_dropped;
    g_test_message("%+.0f ppm: %llu frames corrected (%.0f samples expected), %llu the other way, fill %.2f ms of "
                   "%.2f, %llu concealed, %llu resyncs",
                   ppm, (unsigned long long)corrections, expected, (unsigned long long)wrong_way, st.fill_ms,
                   st.target_ms, (unsigned long long)st.concealed, (unsigned long long)st.resyncs);
    /* Neither overflow nor starve: no resync after the start, nothing concealed after it. */
    g_assert_cmpuint(st.resyncs, ==, 2);
    g_assert_cmpuint(st.concealed, <=, 960);
    g_assert_cmpfloat(fabs((double)corrections - (double)wrong_way - expected), <, 0.1 * expected + 30);
    g_assert_cmpfloat(fabs(st.fill_ms - st.target_ms), <, 1.0);
    g_assert_cmpfloat(fabs(frequency(&s, 4800) - 440.0 * (1 + ppm * 1e-6)), <, 2.0);
    g_assert_cmpfloat(largest_step(&s, 4800), <, 0.05);
    sim_clear(&s);
}

static void test_drift_fast(void)
{
    drift(100);
}

static void test_drift_slow(void)
{
    drift(-100);
}

static void test_lost_packets_are_zeros(void)
{
    sim s;
    sim_init(&s, "1", 0);
    run(&s, &(run_params){.seconds = 3, .lose_every = 500});
    tolk_aes67_stats st;
    tolk_aes67_receiver_get_stats(s.r, &st);
    /* Packets 500, 1000 ... 2500 of ~3000: 48 samples each, beyond the start's. */
    g_assert_cmpuint(st.concealed, >=, 4 * 48);
    g_assert_cmpuint(st.concealed, <=, 960 + 6 * 48);
    g_assert_cmpuint(st.resyncs, ==, 2);
    sim_clear(&s);
}

static void test_ptimes(void)
{
    static const char *const ptimes[] = {"0.125", "0.25", "4"};
    for (size_t i = 0; i < G_N_ELEMENTS(ptimes); i++) {
        sim s;
        sim_init(&s, ptimes[i], 1);
        run(&s, &(run_params){.seconds = 3, .jitter_us = 100, .tick_jitter_us = 1000});
        tolk_aes67_stats st;
        tolk_aes67_receiver_get_stats(s.r, &st);
        g_test_message("ptime %s ms: %llu packets, latency held %.3f ms", ptimes[i], (unsigned long long)st.accepted,
                       st.target_ms);
        g_assert_cmpuint(st.resyncs, ==, 2);
        g_assert_cmpuint(st.concealed, <=, 960);
        g_assert_cmpfloat(fabs(frequency(&s, 9600) - 660.0), <, 3.0);
        g_assert_cmpfloat(largest_step(&s, 9600), <, 0.05);
        sim_clear(&s);
    }
}

static void test_hostile_sender(void)
{
    sim s;
    sim_init(&s, "1", 0);
    run(&s, &(run_params){.seconds = 3, .jitter_us = 300, .tick_jitter_us = 1000, .hostile_per_packet = 10});
    tolk_aes67_stats st;
    tolk_aes67_receiver_get_stats(s.r, &st);
    uint64_t dropped = 0;
    for (int i = 0; i < TOLK_AES67_DROPS; i++) {
        g_test_message("dropped %s: %llu", tolk_aes67_drop_name(i), (unsigned long long)st.dropped[i]);
        if (i != TOLK_AES67_DROP_LATE)
            g_assert_cmpuint(st.dropped[i], >, 1000);
        dropped += st.dropped[i];
    }
    g_assert_cmpuint(st.dropped[TOLK_AES67_DROP_LATE], ==, 0);
    g_assert_cmpuint(dropped + st.accepted, ==, st.received);
    g_assert_cmpuint(st.accepted, >=, 2900);
    g_assert_cmpuint(st.concealed, <=, 960);
    g_assert_cmpfloat(fabs(frequency(&s, 4800) - 440.0), <, 3.0);
    g_assert_cmpfloat(largest_step(&s, 4800), <, 0.05);
    sim_clear(&s);
}

static void test_late_packet(void)
{
    sim s;
    sim_init(&s, "1", 0);
    run(&s, &(run_params){.seconds = 1});
    uint8_t packet[2048];
    s.sample -= 48 * 100; /* 100 ms back: played */
    size_t len = make_packet(&s, packet);
    tolk_aes67_receiver_take(s.r, packet, len, (struct sockaddr *)&s.from, 1000000 + 1000000);
    tolk_aes67_stats st;
    tolk_aes67_receiver_get_stats(s.r, &st);
    g_assert_cmpuint(st.dropped[TOLK_AES67_DROP_LATE], ==, 1);
    g_assert_cmpuint(st.resyncs, ==, 2);
    /* A second back is no late packet: the sender's timeline went back (it restarted). */
    s.sample -= 48 * 1000;
    len = make_packet(&s, packet);
    tolk_aes67_receiver_take(s.r, packet, len, (struct sockaddr *)&s.from, 1000000 + 1001000);
    tolk_aes67_receiver_get_stats(s.r, &st);
    g_assert_cmpuint(st.dropped[TOLK_AES67_DROP_LATE], ==, 1);
    g_assert_cmpuint(st.resyncs, ==, 3);
    sim_clear(&s);
}

/* An SDP whose origin is a name: the first sender is the stream's; another one is taken once
 * it has been quiet a second, not before. */
static void test_first_sender_lock(void)
{
    tolk_aes67_stream stream;
    stream_of(sdp_l16_named, &stream);
    tolk_error err;
    tolk_aes67_receiver *r = tolk_aes67_receiver_new(&stream, 0, -1, &err);
    g_assert_nonnull(r);
    uint8_t packet[12 + 96] = {0x80, 96};
    struct sockaddr_in a = {.sin_family = AF_INET}, b = {.sin_family = AF_INET};
    inet_pton(AF_INET, "10.0.0.1", &a.sin_addr);
    inet_pton(AF_INET, "10.0.0.2", &b.sin_addr);
    tolk_aes67_receiver_take(r, packet, sizeof packet, (struct sockaddr *)&a, 1000000);
    tolk_aes67_receiver_take(r, packet, sizeof packet, (struct sockaddr *)&b, 1001000);
    tolk_aes67_receiver_take(r, packet, sizeof packet, (struct sockaddr *)&b, 2100000);
    tolk_aes67_stats st;
    tolk_aes67_receiver_get_stats(r, &st);
    g_assert_cmpuint(st.accepted, ==, 2);
    g_assert_cmpuint(st.dropped[TOLK_AES67_DROP_SOURCE], ==, 1);
    g_assert_cmpstr(st.source, ==, "10.0.0.2");
    tolk_aes67_receiver_free(r);
}

static void test_channel_refused(void)
{
    tolk_aes67_stream stream;
    stream_of(sdp_l16_named, &stream);
    tolk_error err;
    g_assert_null(tolk_aes67_receiver_new(&stream, 1, -1, &err));
    g_assert_cmpstr(err.field, ==, "channel");
    g_assert_nonnull(strstr(err.message, "Field \"channel\""));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/aes67_input/steady_channel_two", test_steady_channel_two);
    g_test_add_func("/aes67_input/drift_fast_100ppm", test_drift_fast);
    g_test_add_func("/aes67_input/drift_slow_100ppm", test_drift_slow);
    g_test_add_func("/aes67_input/lost_packets_are_zeros", test_lost_packets_are_zeros);
    g_test_add_func("/aes67_input/ptimes", test_ptimes);
    g_test_add_func("/aes67_input/hostile_sender", test_hostile_sender);
    g_test_add_func("/aes67_input/late_packet", test_late_packet);
    g_test_add_func("/aes67_input/first_sender_lock", test_first_sender_lock);
    g_test_add_func("/aes67_input/channel_refused", test_channel_refused);
    return g_test_run();
}
