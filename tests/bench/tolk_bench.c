/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * tolk-bench: the C half of the sitting benchmark (tests/bench/sitting_bench.py).
 *
 *   tolk-bench raw ENCODERS DECODERS PROTECTS UNPROTECTS SENDS [SECONDS]
 *       Times the raw work of a sitting on this machine, single-threaded: libopus encode
 *       (48 kHz mono, 64 kb/s, 20 ms, fullband, as the daemon's opusenc), libopus decode,
 *       libsrtp2 protect/unprotect and sendto, for SECONDS of audio (default 10) at the given
 *       number of streams (each 50 frames a second). Prints one JSON object.
 *
 *   tolk-bench load CONFIG
 *       One process that plays every input of a sitting (one SRTP/Opus sender per `in` line,
 *       paced at 20 ms on CLOCK_MONOTONIC, staggered over the frame period) and listens on every
 *       output (`out` lines): RTP sequence gaps on all of them; on the ones with a reference,
 *       SRTP unprotect + Opus decode + burst-onset detection, and the latency from the send of
 *       the reference packet that carries an onset to the arrival of the first output packet
 *       whose decoded audio carries it. A `loop` output gets a copy of every floor packet
 *       straight from the sender (no daemon): the tool's own cost, to subtract.
 *       Prints "MEASURE START" after the warm-up and "MEASURE END" after the measured time,
 *       then one JSON object.
 *
 * CONFIG lines:  warmup SECONDS | duration SECONDS | tail SECONDS
 *                in PORT KEYHEX60|- floor|probe|tone
 *                out PORT KEYHEX60|- -|floor|probe|loop LABEL [LATCH_PORT]
 * A key "-" means plain RTP (no SRTP), as Janus AudioBridge participants and forwarders send
 * and expect it (the peer of the sitting benchmark, tests/bench/janus_peer.py). LATCH_PORT: once
 * the output's socket is bound, one RTP packet is sent from it to 127.0.0.1:LATCH_PORT, for a peer
 * that sends to a plain-RTP endpoint only after hearing from it (symmetric RTP).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <opus.h>

#include "opus_encoder.h"
#include <pthread.h>
#include <srtp2/srtp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RATE 48000
#define FRAME 960 /* 20 ms */
#define FRAME_NS 20000000LL
#define BITRATE 64000
#define MAX_PKT 1500
#define BURST_PERIOD 15 /* frames: a burst every 300 ms */
#define BURST_FRAMES 2  /* 40 ms of tone */
#define TONE_CYCLE 50   /* frames of a console's tone loop */
#define ONSET_THRESHOLD 0.1f
#define QUIET_SAMPLES (RATE / 10) /* 100 ms below threshold before an onset counts */
#define MAX_IN 128
#define MAX_OUT 512
#define MAX_LAT 4096
#define MAX_ONSETS 8192

static void die(const char *what)
{
    fprintf(stderr, "tolk-bench: %s\n", what);
    exit(2);
}

static int64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void parse_key(const char *hex, uint8_t key[30])
{
    if (strlen(hex) != 60)
        die("an SRTP key must be 60 hex digits");
    for (int i = 0; i < 30; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            die("bad hex in an SRTP key");
        key[i] = (uint8_t)(hi << 4 | lo);
    }
}

static srtp_t make_srtp(const uint8_t key[30], int outbound, uint32_t ssrc)
{
    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    srtp_crypto_policy_set_rtp_default(&policy.rtp);
    srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
    policy.ssrc.type = outbound ? ssrc_specific : ssrc_any_inbound;
    policy.ssrc.value = ssrc;
    policy.key = (unsigned char *)key;
    policy.window_size = 1024;
    policy.allow_repeat_tx = 1;
    srtp_t s = NULL;
    if (srtp_create(&s, &policy) != srtp_err_status_ok)
        die("srtp_create failed");
    return s;
}

static OpusEncoder *make_encoder(void)
{
    int err = 0;
    OpusEncoder *enc = opus_encoder_create(RATE, 1, OPUS_APPLICATION_AUDIO, &err);
    if (err != OPUS_OK)
        die("opus_encoder_create failed");
    opus_encoder_ctl(enc, OPUS_SET_BITRATE(BITRATE));
    opus_encoder_ctl(enc, OPUS_SET_BANDWIDTH(OPUS_BANDWIDTH_FULLBAND));
    /* The daemon's own settings (mixer/media/opus_encoder.h): the raw work is its job's. */
    opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(TOLK_OPUS_COMPLEXITY));
    opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(0));
    return enc;
}

/* ----------------------------------------------------------------------------------------- */
/* signals, pre-encoded: a sender only protects and sends, so the load generator stays light */

typedef struct {
    int count;
    uint8_t data[TONE_CYCLE][MAX_PKT];
    int len[TONE_CYCLE];
    int onset_frame; /* the frame whose decoded audio carries the onset, -1 for none */
} cycle;

static uint32_t rng = 12345;
static float noise(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (float)((int32_t)rng) / 2147483648.0f;
}

/* A burst cycle: BURST_FRAMES of 1 kHz at 0.5 from the start of frame 0, silence after. */
static void burst_pcm(float *pcm, int frame)
{
    for (int i = 0; i < FRAME; i++) {
        int n = frame * FRAME + i;
        pcm[i] = frame < BURST_FRAMES ? 0.5f * sinf(2.0f * (float)M_PI * 1000.0f * (float)n / RATE) : 0.0f;
    }
}

/* A console's voice stand-in: a tone with a 3 Hz envelope and a little noise. */
static void tone_pcm(float *pcm, int frame, int variant)
{
    float f = 220.0f * (1.0f + 0.25f * (float)variant);
    for (int i = 0; i < FRAME; i++) {
        int n = frame * FRAME + i;
        float t = (float)n / RATE;
        float env = 0.5f + 0.5f * sinf(2.0f * (float)M_PI * 3.0f * t);
        pcm[i] = 0.25f * env * sinf(2.0f * (float)M_PI * f * t) + 0.01f * noise();
    }
}

static int first_loud(const float *pcm, int n)
{
    for (int i = 0; i < n; i++)
        if (fabsf(pcm[i]) > ONSET_THRESHOLD)
            return i;
    return -1;
}

static void build_cycle(cycle *c, int kind, int variant)
{
    OpusEncoder *enc = make_encoder();
    c->count = kind == 2 ? TONE_CYCLE : BURST_PERIOD;
    float pcm[FRAME];
    /* Twice round, keep the second: the encoder is in its steady state at the loop point. */
    for (int pass = 0; pass < 2; pass++)
        for (int f = 0; f < c->count; f++) {
            if (kind == 2)
                tone_pcm(pcm, f, variant);
            else
                burst_pcm(pcm, f);
            c->len[f] = opus_encode_float(enc, pcm, FRAME, c->data[f], MAX_PKT);
            if (c->len[f] <= 0)
                die("opus_encode_float failed");
        }
    opus_encoder_destroy(enc);
    c->onset_frame = -1;
    if (kind == 2)
        return;
    /* Which packet carries the onset once decoded (the encoder's look-ahead may move it). */
    OpusDecoder *dec = opus_decoder_create(RATE, 1, NULL);
    for (int pass = 0; pass < 2; pass++)
        for (int f = 0; f < c->count; f++) {
            int n = opus_decode_float(dec, c->data[f], c->len[f], pcm, FRAME, 0);
            if (pass == 1 && c->onset_frame < 0 && n > 0 && first_loud(pcm, n) >= 0)
                c->onset_frame = f;
        }
    opus_decoder_destroy(dec);
    if (c->onset_frame < 0)
        die("the burst cycle has no detectable onset");
}

/* ----------------------------------------------------------------------------------------- */
/* raw: the cost of the work itself */

static double cpu_seconds(void)
{
    return (double)now_ns(CLOCK_PROCESS_CPUTIME_ID) / 1e9;
}

static int cmd_raw(int argc, char **argv)
{
    if (argc < 7)
        die("usage: raw ENCODERS DECODERS PROTECTS UNPROTECTS SENDS [SECONDS]");
    int n_enc = atoi(argv[2]), n_dec = atoi(argv[3]), n_prot = atoi(argv[4]);
    int n_unprot = atoi(argv[5]), n_send = atoi(argv[6]);
    double seconds = argc > 7 ? atof(argv[7]) : 10.0;
    int frames = (int)(seconds * 50);
    if (srtp_init() != srtp_err_status_ok)
        die("srtp_init failed");

    /* encode: n_enc encoders, each `frames` frames of the voice stand-in, round robin */
    OpusEncoder **enc = calloc((size_t)n_enc, sizeof *enc);
    for (int i = 0; i < n_enc; i++)
        enc[i] = make_encoder();
    static float pcm[TONE_CYCLE][FRAME];
    for (int f = 0; f < TONE_CYCLE; f++)
        tone_pcm(pcm[f], f, 1);
    uint8_t pkt[MAX_PKT + 64];
    long enc_bytes = 0;
    double t0 = cpu_seconds();
    for (int f = 0; f < frames; f++)
        for (int i = 0; i < n_enc; i++)
            enc_bytes += opus_encode_float(enc[i], pcm[f % TONE_CYCLE], FRAME, pkt, MAX_PKT);
    double t_enc = cpu_seconds() - t0;

    /* decode: n_dec decoders of the tone loop the load generator sends */
    static cycle tones;
    build_cycle(&tones, 2, 1);
    OpusDecoder **dec = calloc((size_t)n_dec, sizeof *dec);
    for (int i = 0; i < n_dec; i++)
        dec[i] = opus_decoder_create(RATE, 1, NULL);
    float out[FRAME];
    long decoded = 0;
    t0 = cpu_seconds();
    for (int f = 0; f < frames; f++)
        for (int i = 0; i < n_dec; i++)
            decoded += opus_decode_float(dec[i], tones.data[f % TONE_CYCLE], tones.len[f % TONE_CYCLE], out, FRAME, 0);
    double t_dec = cpu_seconds() - t0;
    if (decoded != (long)frames * n_dec * FRAME)
        die("opus_decode_float failed");

    /* protect: n_prot contexts, a 12-byte header + a frame of the mean encoded size */
    int payload = n_enc > 0 ? (int)(enc_bytes / ((long)frames * n_enc)) : 160;
    uint8_t key[30];
    for (int i = 0; i < 30; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    int n_ctx = n_prot > n_unprot ? n_prot : n_unprot;
    if (n_ctx < 1)
        n_ctx = 1;
    srtp_t *ctx = calloc((size_t)n_ctx, sizeof *ctx);
    for (int i = 0; i < n_ctx; i++)
        ctx[i] = make_srtp(key, 1, 1000u + (uint32_t)i);
    uint8_t (*wire)[MAX_PKT + 64] = NULL;
    int *wire_len = NULL;
    int keep = n_unprot > 0 ? n_unprot * (frames < 50 ? frames : 50) : 0;
    if (keep) {
        wire = calloc((size_t)keep, sizeof *wire);
        wire_len = calloc((size_t)keep, sizeof *wire_len);
    }
    t0 = cpu_seconds();
    for (int f = 0; f < frames; f++)
        for (int i = 0; i < n_prot; i++) {
            memset(pkt, 0, 12);
            pkt[0] = 0x80;
            pkt[1] = 111;
            pkt[2] = (uint8_t)(f >> 8);
            pkt[3] = (uint8_t)f;
            uint32_t ssrc = 1000u + (uint32_t)i;
            pkt[8] = (uint8_t)(ssrc >> 24), pkt[9] = (uint8_t)(ssrc >> 16);
            pkt[10] = (uint8_t)(ssrc >> 8), pkt[11] = (uint8_t)ssrc;
            int len = 12 + payload;
            srtp_protect(ctx[i], pkt, &len);
            if (keep && i < n_unprot && f < 50) {
                memcpy(wire[f * n_unprot + i], pkt, (size_t)len);
                wire_len[f * n_unprot + i] = len;
            }
        }
    double t_prot = cpu_seconds() - t0;

    /* unprotect: n_unprot inbound contexts, the packets protected above (50 frames, repeated
     * with replay checks off by re-creating nothing: we time 50 frames and scale) */
    double t_unprot = 0;
    int unprot_frames = 0;
    if (keep && n_prot >= n_unprot) {
        srtp_t *in = calloc((size_t)n_unprot, sizeof *in);
        for (int i = 0; i < n_unprot; i++)
            in[i] = make_srtp(key, 0, 0);
        unprot_frames = frames < 50 ? frames : 50;
        t0 = cpu_seconds();
        for (int f = 0; f < unprot_frames; f++)
            for (int i = 0; i < n_unprot; i++) {
                int len = wire_len[f * n_unprot + i];
                memcpy(pkt, wire[f * n_unprot + i], (size_t)len);
                srtp_unprotect(in[i], pkt, &len);
            }
        t_unprot = (cpu_seconds() - t0) * (double)frames / unprot_frames;
    }

    /* sendto: n_send destinations on loopback (a socket nobody reads; the kernel drops at
     * its receive buffer, the sender's cost is what matters) */
    double t_send = 0;
    if (n_send > 0) {
        int sink = socket(AF_INET, SOCK_DGRAM, 0), src = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (bind(sink, (struct sockaddr *)&a, sizeof a) < 0)
            die("bind failed");
        socklen_t al = sizeof a;
        getsockname(sink, (struct sockaddr *)&a, &al);
        int sfr = frames < 100 ? frames : 100; /* keep it short: scale */
        t0 = cpu_seconds();
        for (int f = 0; f < sfr; f++)
            for (int i = 0; i < n_send; i++)
                sendto(src, pkt, (size_t)(12 + payload + 10), 0, (struct sockaddr *)&a, sizeof a);
        t_send = (cpu_seconds() - t0) * (double)frames / sfr;
        close(sink);
        close(src);
    }

    /* per second of audio = time / seconds */
    printf("{\"seconds\": %.3f, \"payload_bytes\": %d, "
           "\"encode\": {\"streams\": %d, \"cpu\": %.6f, \"us_per_frame\": %.3f}, "
           "\"decode\": {\"streams\": %d, \"cpu\": %.6f, \"us_per_frame\": %.3f}, "
           "\"protect\": {\"streams\": %d, \"cpu\": %.6f, \"us_per_packet\": %.3f}, "
           "\"unprotect\": {\"streams\": %d, \"cpu\": %.6f, \"us_per_packet\": %.3f}, "
           "\"sendto\": {\"streams\": %d, \"cpu\": %.6f, \"us_per_packet\": %.3f}}\n",
           seconds, payload, n_enc, t_enc / seconds, n_enc ? t_enc * 1e6 / ((double)frames * n_enc) : 0.0,
           n_dec, t_dec / seconds, n_dec ? t_dec * 1e6 / ((double)frames * n_dec) : 0.0, n_prot,
           t_prot / seconds, n_prot ? t_prot * 1e6 / ((double)frames * n_prot) : 0.0, n_unprot,
           t_unprot / seconds, n_unprot ? t_unprot * 1e6 / ((double)frames * n_unprot) : 0.0, n_send,
           t_send / seconds, n_send ? t_send * 1e6 / ((double)frames * n_send) : 0.0);
    return 0;
}

/* ----------------------------------------------------------------------------------------- */
/* load */

enum { REF_NONE, REF_FLOOR, REF_PROBE, REF_LOOP };

typedef struct {
    int port, kind; /* 0 floor, 1 probe, 2 tone */
    int fd;
    srtp_t srtp;
    uint32_t ssrc, ts;
    uint16_t seq;
    const cycle *c;
    int64_t offset_ns; /* its place in the 20 ms period */
} input;

typedef struct {
    int port, ref, fd, latch;
    char label[64];
    srtp_t srtp;
    OpusDecoder *dec;
    /* counted while measuring */
    long packets, gaps, reordered, undecodable;
    int have_seq;
    uint16_t last_seq;
    long quiet; /* samples below threshold so far */
    int nlat;
    double lat_ms[MAX_LAT];
} output;

static input inputs[MAX_IN];
static output outputs[MAX_OUT];
static int n_in, n_out;
static cycle burst_cycle, tone_cycles[5];
static int loop_fd = -1;
static struct sockaddr_in loop_addr;

/* send times of the reference packets that carry an onset (ring, written by the sender) */
static int64_t onsets[2][MAX_ONSETS];
static atomic_int n_onsets[2];
static atomic_int measuring, stopping;

static int udp_socket(int port, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        die("socket failed");
    if (rcvbuf)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (port && bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        fprintf(stderr, "tolk-bench: bind %d: %s\n", port, strerror(errno));
        exit(2);
    }
    return fd;
}

/* The latest onset of `ref` sent at or before `t`, if it is less than 500 ms old. */
static int64_t onset_before(int ref, int64_t t)
{
    int n = atomic_load(&n_onsets[ref]);
    for (int i = n - 1; i >= 0 && i >= n - 8; i--) {
        int64_t s = onsets[ref][i % MAX_ONSETS];
        if (s <= t)
            return t - s < 500000000LL ? s : -1;
    }
    return -1;
}

static void on_packet(output *o, uint8_t *buf, int len, int64_t t)
{
    if (len < 12 || (buf[0] >> 6) != 2)
        return;
    uint16_t seq = (uint16_t)(buf[2] << 8 | buf[3]);
    int counting = atomic_load(&measuring);
    if (counting) {
        o->packets++;
        if (o->have_seq) {
            int16_t d = (int16_t)(seq - o->last_seq);
            if (d > 1)
                o->gaps += d - 1;
            else if (d <= 0)
                o->reordered++;
        }
    }
    if (!o->have_seq || (int16_t)(seq - o->last_seq) > 0)
        o->last_seq = seq;
    o->have_seq = 1;
    if (o->ref == REF_NONE)
        return;
    if (o->srtp && srtp_unprotect(o->srtp, buf, &len) != srtp_err_status_ok) {
        o->undecodable += counting;
        return;
    }
    int hlen = 12 + 4 * (buf[0] & 0x0f);
    if (buf[0] & 0x10) { /* header extension */
        if (len < hlen + 4)
            return;
        hlen += 4 + 4 * (buf[hlen + 2] << 8 | buf[hlen + 3]);
    }
    if (len <= hlen)
        return;
    float pcm[FRAME * 6];
    int n = opus_decode_float(o->dec, buf + hlen, len - hlen, pcm, FRAME * 6, 0);
    if (n <= 0) {
        o->undecodable += counting;
        return;
    }
    int loud = first_loud(pcm, n);
    if (loud < 0) {
        o->quiet += n;
        return;
    }
    int is_onset = o->quiet + loud >= QUIET_SAMPLES;
    o->quiet = 0;
    /* trailing silence of this frame starts the next quiet stretch */
    for (int i = n - 1; i >= 0 && fabsf(pcm[i]) <= ONSET_THRESHOLD; i--)
        o->quiet++;
    if (!is_onset || !counting || o->nlat >= MAX_LAT)
        return;
    int ref = o->ref == REF_PROBE ? 1 : 0;
    int64_t s = onset_before(ref, t);
    if (s >= 0)
        o->lat_ms[o->nlat++] = (double)(t - s) / 1e6;
}

static void *receiver(void *arg)
{
    (void)arg;
    int ep = epoll_create1(0);
    for (int i = 0; i < n_out; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, outputs[i].fd, &ev);
    }
    struct epoll_event evs[64];
    uint8_t buf[MAX_PKT + 64];
    while (!atomic_load(&stopping)) {
        int n = epoll_wait(ep, evs, 64, 50);
        for (int k = 0; k < n; k++) {
            output *o = &outputs[evs[k].data.u32];
            for (;;) {
                ssize_t len = recv(o->fd, buf, MAX_PKT, MSG_DONTWAIT);
                if (len < 0)
                    break;
                on_packet(o, buf, (int)len, now_ns(CLOCK_MONOTONIC));
            }
        }
    }
    close(ep);
    return NULL;
}

static void send_input(input *in, long frame, struct sockaddr_in *daemon)
{
    const cycle *c = in->c;
    int f = (int)(frame % c->count);
    uint8_t pkt[MAX_PKT + 64];
    pkt[0] = 0x80;
    pkt[1] = 96;
    pkt[2] = (uint8_t)(in->seq >> 8);
    pkt[3] = (uint8_t)in->seq;
    pkt[4] = (uint8_t)(in->ts >> 24), pkt[5] = (uint8_t)(in->ts >> 16);
    pkt[6] = (uint8_t)(in->ts >> 8), pkt[7] = (uint8_t)in->ts;
    pkt[8] = (uint8_t)(in->ssrc >> 24), pkt[9] = (uint8_t)(in->ssrc >> 16);
    pkt[10] = (uint8_t)(in->ssrc >> 8), pkt[11] = (uint8_t)in->ssrc;
    memcpy(pkt + 12, c->data[f], (size_t)c->len[f]);
    int len = 12 + c->len[f];
    in->seq++;
    in->ts += FRAME;
    if (in->srtp && srtp_protect(in->srtp, pkt, &len) != srtp_err_status_ok)
        die("srtp_protect failed");
    daemon->sin_port = htons((uint16_t)in->port);
    int64_t t = now_ns(CLOCK_MONOTONIC);
    if (in->kind != 2 && f == c->onset_frame) {
        int ref = in->kind == 1 ? 1 : 0;
        int k = atomic_load(&n_onsets[ref]);
        onsets[ref][k % MAX_ONSETS] = t;
        atomic_store(&n_onsets[ref], k + 1);
    }
    sendto(in->fd, pkt, (size_t)len, 0, (struct sockaddr *)daemon, sizeof *daemon);
    if (in->kind == 0 && loop_fd >= 0)
        sendto(in->fd, pkt, (size_t)len, 0, (struct sockaddr *)&loop_addr, sizeof loop_addr);
}

/* One RTP packet (an Opus silence frame) from the output's own socket to its latch port. */
static void send_latch(const output *o)
{
    uint8_t pkt[15] = {0x80, 96, 0, 1, 0, 0, 3, 0xc0, 0, 0, 0, 1, 0xf8, 0xff, 0xfe};
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->latch),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (sendto(o->fd, pkt, sizeof pkt, 0, (struct sockaddr *)&a, sizeof a) < 0)
        die("latch sendto failed");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmd_load(int argc, char **argv)
{
    if (argc < 3)
        die("usage: load CONFIG");
    FILE *cf = fopen(argv[2], "r");
    if (!cf)
        die("cannot open the config");
    double warmup = 5, duration = 40, tail = 1;
    char line[512];
    if (srtp_init() != srtp_err_status_ok)
        die("srtp_init failed");
    build_cycle(&burst_cycle, 0, 0);
    for (int v = 0; v < 5; v++)
        build_cycle(&tone_cycles[v], 2, v);
    uint32_t seed = (uint32_t)now_ns(CLOCK_REALTIME);
    while (fgets(line, sizeof line, cf)) {
        char b[128], c[64], d[64];
        int port;
        if (sscanf(line, "warmup %lf", &warmup) == 1 || sscanf(line, "duration %lf", &duration) == 1 ||
            sscanf(line, "tail %lf", &tail) == 1)
            continue;
        if (sscanf(line, "in %d %127s %63s", &port, b, c) == 3) {
            if (n_in >= MAX_IN)
                die("too many inputs");
            input *in = &inputs[n_in];
            in->port = port;
            in->kind = !strcmp(c, "floor") ? 0 : !strcmp(c, "probe") ? 1 : 2;
            in->ssrc = (seed += 0x9e3779b9u) | 1;
            in->seq = (uint16_t)(seed >> 7);
            in->ts = seed * 2654435761u;
            in->srtp = NULL;
            if (strcmp(b, "-")) {
                uint8_t key[30];
                parse_key(b, key);
                in->srtp = make_srtp(key, 1, in->ssrc);
            }
            in->fd = udp_socket(0, 0);
            in->c = in->kind == 2 ? &tone_cycles[n_in % 5] : &burst_cycle;
            n_in++;
            continue;
        }
        int latch = 0;
        if (sscanf(line, "out %d %127s %63s %63s %d", &port, b, c, d, &latch) >= 4) {
            if (n_out >= MAX_OUT)
                die("too many outputs");
            output *o = &outputs[n_out++];
            o->latch = latch;
            o->port = port;
            snprintf(o->label, sizeof o->label, "%s", d);
            o->ref = !strcmp(c, "floor") ? REF_FLOOR : !strcmp(c, "probe") ? REF_PROBE
                   : !strcmp(c, "loop") ? REF_LOOP : REF_NONE;
            o->fd = udp_socket(port, 1 << 20);
            if (o->ref != REF_NONE) {
                o->srtp = NULL;
                if (strcmp(b, "-")) {
                    uint8_t key[30];
                    parse_key(b, key);
                    o->srtp = make_srtp(key, 0, 0);
                }
                o->dec = opus_decoder_create(RATE, 1, NULL);
            }
            if (o->ref == REF_LOOP) {
                loop_fd = o->fd;
                loop_addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
            }
            continue;
        }
    }
    fclose(cf);
    /* stagger: four groups 5 ms apart (the floor first), like independent senders, with few
     * wake-ups of our own */
    for (int i = 0; i < n_in; i++)
        inputs[i].offset_ns = FRAME_NS * (i % 4) / 4;

    for (int i = 0; i < n_out; i++)
        if (outputs[i].latch > 0)
            send_latch(&outputs[i]);

    pthread_t rx;
    pthread_create(&rx, NULL, receiver, NULL);
    struct sockaddr_in daemon = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    long total_frames = (long)((warmup + duration + tail) * 50);
    long start_frame = (long)(warmup * 50), end_frame = (long)((warmup + duration) * 50);
    int64_t t0 = now_ns(CLOCK_MONOTONIC) + 20000000LL;
    int64_t late_max = 0;
    long late_count = 0;
    double cpu0 = 0;
    for (long f = 0; f < total_frames; f++) {
        if (f == start_frame) {
            atomic_store(&measuring, 1);
            cpu0 = cpu_seconds();
            printf("MEASURE START\n");
            fflush(stdout);
        }
        if (f == end_frame) {
            atomic_store(&measuring, 0);
            printf("MEASURE END\n");
            fflush(stdout);
        }
        for (int j = 0; j < 4 * ((n_in + 3) / 4); j++) {
            int per = (n_in + 3) / 4, g = j / per, i = g + 4 * (j % per);
            if (i >= n_in)
                continue;
            int64_t due = t0 + f * FRAME_NS + inputs[i].offset_ns;
            struct timespec ts = {.tv_sec = due / 1000000000LL, .tv_nsec = due % 1000000000LL};
            int64_t now = now_ns(CLOCK_MONOTONIC);
            if (now < due - 200000)
                clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
            int64_t late = now_ns(CLOCK_MONOTONIC) - due;
            if (f >= start_frame && f < end_frame) {
                if (late > late_max)
                    late_max = late;
                if (late > 2000000)
                    late_count++;
            }
            send_input(&inputs[i], f, &daemon);
        }
    }
    double self_cpu = cpu_seconds() - cpu0;
    usleep(100000);
    atomic_store(&stopping, 1);
    pthread_join(rx, NULL);

    printf("{\"inputs\": %d, \"outputs\": %d, \"measured_s\": %.3f, \"send_late_max_ms\": %.3f, "
           "\"sends_late_over_2ms\": %ld, \"loadgen_cpu_s\": %.3f, \"outputs_stats\": [",
           n_in, n_out, duration, (double)late_max / 1e6, late_count, self_cpu);
    for (int i = 0; i < n_out; i++) {
        output *o = &outputs[i];
        qsort(o->lat_ms, (size_t)o->nlat, sizeof(double), cmp_double);
        printf("%s{\"label\": \"%s\", \"ref\": %d, \"packets\": %ld, \"gaps\": %ld, \"reordered\": %ld, "
               "\"undecodable\": %ld, \"latency_ms\": [",
               i ? ", " : "", o->label, o->ref, o->packets, o->gaps, o->reordered, o->undecodable);
        for (int k = 0; k < o->nlat; k++)
            printf("%s%.3f", k ? ", " : "", o->lat_ms[k]);
        printf("]}");
    }
    printf("]}\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "raw"))
        return cmd_raw(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "load"))
        return cmd_load(argc, argv);
    fprintf(stderr, "usage: tolk-bench raw ENC DEC PROTECTS UNPROTECTS SENDS [SECONDS] | load CONFIG\n");
    return 2;
}
