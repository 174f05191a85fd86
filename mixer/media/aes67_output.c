/* SPDX-License-Identifier: EUPL-1.2 */
#include "aes67_output.h"

#include <glib.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "aes67_packet.h"
#include "hall_socket.h"

#define TOLK_LOG_MODULE "aes67"
#include "log.h"

#define RING 8192 /* samples (170 ms), a power of two */
#define RATE_PER_MS 48
#define PREBUFFER (TOLK_AES67_PREBUFFER_MS * RATE_PER_MS)
#define BAND_SLACK (10 * RATE_PER_MS) /* the ring's fill before a frame may run this far above the prebuffer */
#define LATE_LIMIT (20 * RATE_PER_MS) /* further behind than this, the pacer skips ahead */
#define MAX_BURST 8                   /* packets sent in one wake when catching up */

struct tolk_aes67_output {
    int fd;
    struct sockaddr_in dest;
    tolk_aes67_encoding encoding;
    unsigned frame_samples;
    uint32_t ssrc;
    /* The ring, between the tick (writes) and the pacer (reads). */
    GMutex lock;
    float ring[RING];
    uint64_t written, read; /* samples, ever */
    bool primed;            /* the prebuffer is in: false at first and after an underrun */
    double wait;            /* samples a frame's first sample waits: a moving mean over ~1 s of frames */
    double latency;         /* the same in ns from the tick's due time, 0 while not known */
    /* The pacer's. */
    bool started;
    int64_t next_sample; /* media clock (samples since the TAI epoch) of the next packet's first sample */
    uint16_t seq;
    atomic_uint_fast64_t packets, send_errors, underruns, dropped, late;
};

/* TAI ns <-> 48 kHz samples, split so that today's ~1.8e18 ns do not overflow 64 bits. */
static int64_t samples_of_ns(int64_t ns)
{
    return ns / 125000 * 6 + ns % 125000 * 6 / 125000;
}

static int64_t ns_of_samples(int64_t s)
{
    return s / 6 * 125000 + s % 6 * 125000 / 6;
}

tolk_aes67_output *tolk_aes67_output_new(const tolk_aes67_output_spec *spec, const tolk_log_where *where,
                                         tolk_error *err)
{
    struct sockaddr_in dest;
    if (!tolk_hall_destination(spec->host, spec->port, &dest) || spec->frame_samples <= 0 ||
        spec->frame_samples > TOLK_AES67_MAX_FRAME_SAMPLES) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "host", "host %s port %d cannot be sent to",
                       spec->host, spec->port);
        return NULL;
    }
    int fd = tolk_hall_socket_open(spec->hall_address, spec->ttl, TOLK_DSCP_EF_TOS, err);
    if (fd < 0)
        return NULL;
    tolk_aes67_output *out = g_new0(tolk_aes67_output, 1);
    out->fd = fd;
    out->dest = dest;
    out->encoding = spec->encoding ? spec->encoding : TOLK_AES67_L24;
    out->frame_samples = (unsigned)spec->frame_samples;
    out->ssrc = spec->ssrc ? spec->ssrc : (g_random_int() | 1u);
    out->seq = (uint16_t)g_random_int();
    g_mutex_init(&out->lock);
    LOG_DEBUG_AT(where, "AES67 sender to %s:%d, %u samples a packet, SSRC %08x", spec->host, spec->port,
                 out->frame_samples, out->ssrc);
    return out;
}

void tolk_aes67_output_free(tolk_aes67_output *out)
{
    if (!out)
        return;
    close(out->fd);
    g_mutex_clear(&out->lock);
    g_free(out);
}

uint32_t tolk_aes67_output_ssrc(const tolk_aes67_output *out)
{
    return out->ssrc;
}

void tolk_aes67_output_get_stats(tolk_aes67_output *out, tolk_aes67_output_stats *stats)
{
    g_mutex_lock(&out->lock);
    stats->buffer_ms = out->wait / RATE_PER_MS;
    stats->latency_ms = out->latency / 1e6;
    g_mutex_unlock(&out->lock);
    stats->packets = atomic_load(&out->packets);
    stats->send_errors = atomic_load(&out->send_errors);
    stats->underruns = atomic_load(&out->underruns);
    stats->dropped = atomic_load(&out->dropped);
    stats->late = atomic_load(&out->late);
}

/* Under the lock. */
static void write_ring(tolk_aes67_output *out, const float *x, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        out->ring[(out->written + i) & (RING - 1)] = x ? x[i] : 0.0f;
    out->written += n;
}

static double moving_mean(double mean, double x)
{
    return mean == 0.0 ? x : mean + (x - mean) / 50.0;
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void tolk_aes67_output_push(tolk_aes67_output *out, const float *frame, unsigned n, uint64_t tick_ns)
{
    uint64_t now = tick_ns ? monotonic_ns() : 0;
    static const float zeros[PREBUFFER];
    g_mutex_lock(&out->lock);
    if (!out->primed) {
        write_ring(out, zeros, PREBUFFER);
        out->primed = true;
    }
    uint64_t fill = out->written - out->read;
    if (fill > PREBUFFER + BAND_SLACK || fill + n > RING) {
        /* The pacer fell behind or the clock stepped: back to the prebuffer, not a growing delay. */
        atomic_fetch_add(&out->dropped, fill - PREBUFFER);
        out->read += fill - PREBUFFER;
        fill = PREBUFFER;
    }
    double wait = (double)(fill + out->frame_samples);
    out->wait = moving_mean(out->wait, wait);
    if (tick_ns && now >= tick_ns)
        out->latency = moving_mean(out->latency, (double)(now - tick_ns) + wait * 1e6 / RATE_PER_MS);
    write_ring(out, frame, n);
    g_mutex_unlock(&out->lock);
}

/* One packet's samples; silence for what the ring lacks (an underrun, counted once a packet). */
static void take_samples(tolk_aes67_output *out, float *dst)
{
    unsigned n = out->frame_samples, have;
    g_mutex_lock(&out->lock);
    uint64_t fill = out->written - out->read;
    have = fill < n ? (unsigned)fill : n;
    for (unsigned i = 0; i < have; i++)
        dst[i] = out->ring[(out->read + i) & (RING - 1)];
    out->read += have;
    bool dry = have < n && out->primed;
    if (have < n)
        out->primed = false;
    g_mutex_unlock(&out->lock);
    memset(dst + have, 0, (n - have) * sizeof *dst);
    if (dry)
        atomic_fetch_add(&out->underruns, 1);
}

static void send_one(tolk_aes67_output *out)
{
    float samples[TOLK_AES67_MAX_FRAME_SAMPLES];
    uint8_t packet[TOLK_AES67_MAX_PACKET];
    take_samples(out, samples);
    tolk_aes67_packet_header h = {out->encoding, TOLK_AES67_PAYLOAD_TYPE, out->seq++, (uint32_t)out->next_sample,
                                  out->ssrc};
    size_t len = tolk_aes67_packet_build(&h, samples, out->frame_samples, packet, sizeof packet);
    ssize_t sent = sendto(out->fd, packet, len, MSG_NOSIGNAL, (const struct sockaddr *)&out->dest, sizeof out->dest);
    atomic_fetch_add(sent == (ssize_t)len ? &out->packets : &out->send_errors, 1);
}

int64_t tolk_aes67_output_due_ns(const tolk_aes67_output *out)
{
    return out->started ? ns_of_samples(out->next_sample + out->frame_samples) : 0;
}

void tolk_aes67_output_send_due(tolk_aes67_output *out, int64_t now_ns)
{
    int64_t now = samples_of_ns(now_ns), n = out->frame_samples;
    if (!out->started) {
        out->next_sample = now / n * n - n; /* on the packet grid; the first packet is due now */
        out->started = true;
    }
    int64_t behind = now - (out->next_sample + n);
    if (behind > LATE_LIMIT) {
        int64_t skipped = behind / n;
        atomic_fetch_add(&out->late, (uint64_t)skipped);
        out->next_sample += skipped * n;
    }
    for (int burst = 0; burst < MAX_BURST && out->next_sample + n <= now; burst++) {
        send_one(out);
        out->next_sample += n;
    }
}
