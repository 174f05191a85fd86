/* SPDX-License-Identifier: EUPL-1.2 */
#include "aes67_input.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "media_input.h"
#include "rtp_header.h"

#define TOLK_LOG_MODULE "aes67"
#include "log.h"

/* 2^14 samples (341 ms): many times the latency held, so a late packet never wraps onto the
 * samples being read, and a power of two so the timestamp indexes it directly. */
#define RING 16384u
#define RING_MASK (RING - 1u)
/* A timestamp this far from the newest is a new timeline (the sender restarted), not a late or
 * early packet. */
#define JUMP (RING / 2u)
/* Held behind the newest sample at the pull, beyond the frame taken: the packet arrival's and
 * the tick's wake-up jitter, plus one packet (the newest is up to a packet time old). */
#define MARGIN_US 3000
/* The fill's average: over about 32 frames (0.64 s), so the tick's jitter averages out. */
#define FILL_WEIGHT (1.0 / 32.0)
/* Outside target +- band (0.5 ms) the frame is made from one sample more or less. */
#define BAND_SAMPLES 24.0
/* A newcomer (SSRC, or address when the SDP names none) is taken once the sender heard has
 * been quiet this long: a restarted device comes back, a second one does not mix in. */
#define HANDOVER_US (1000 * 1000)
#define READS_PER_WAKE 64
/* A jumbo frame's worth: 9000 bytes of IP payload. */
#define DATAGRAM_MAX 9000
/* Late packets in a row that make a new timeline (a sender that went back in time: 50 ms of
 * 1 ms packets). */
#define LATE_RUN 50

struct tolk_aes67_receiver {
    tolk_aes67_stream stream;
    int channel;
    size_t payload_bytes;
    int fd;
    GMutex receive_lock; /* take: the receive thread and the tick's receive pass may both read */
    int32_t *samples;
    char *sitting, *input;
    tolk_log_where where;
    tolk_log_limit logged;
    atomic_int_fast64_t *activity;
    /* Receive side only. */
    bool source_fixed, source_known;
    struct sockaddr_storage source;
    bool ssrc_known;
    uint32_t ssrc;
    int64_t sender_last_us;
    /* The ring, under lock. */
    GMutex lock;
    float ring[RING];
    uint32_t stamp[RING]; /* the timestamp whose sample is there */
    bool primed, reading;
    unsigned late_run; /* packets late in a row */
    uint32_t newest_end, read_ts;
    double fill_avg;
    int target; /* samples of fill held at the pull */
    char source_text[46];
    atomic_uint_fast64_t received, accepted, dropped[TOLK_AES67_DROPS], concealed, resyncs, drift_dropped,
        drift_repeated;
    atomic_int_fast64_t last_valid_us, last_dropped_us, dropping_since_us;
    atomic_uint_fast32_t heard_ssrc;
};

const char *tolk_aes67_drop_name(tolk_aes67_drop drop)
{
    static const char *const names[TOLK_AES67_DROPS] = {"source", "ssrc", "payload_type", "size", "not_rtp", "late"};
    return (unsigned)drop < TOLK_AES67_DROPS ? names[drop] : "not_rtp";
}

static bool parse_address(const char *text, struct sockaddr_storage *out)
{
    memset(out, 0, sizeof *out);
    struct sockaddr_in *a4 = (struct sockaddr_in *)out;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
    if (inet_pton(AF_INET, text, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        return true;
    }
    return false;
}

/* An IPv4 sender seen on an IPv6 socket is ::ffff:a.b.c.d: compared as IPv4. */
static bool same_address(const struct sockaddr_storage *a, const struct sockaddr *b)
{
    if (a->ss_family == AF_INET && b->sa_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->ss_family == AF_INET6 && b->sa_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr,
                      sizeof(struct in6_addr)) == 0;
    if (a->ss_family == AF_INET && b->sa_family == AF_INET6) {
        const struct in6_addr *m = &((const struct sockaddr_in6 *)b)->sin6_addr;
        return IN6_IS_ADDR_V4MAPPED(m) && memcmp(&m->s6_addr[12], &((const struct sockaddr_in *)a)->sin_addr, 4) == 0;
    }
    return false;
}

static void address_text(const struct sockaddr *a, char *out, size_t size)
{
    const void *bytes = a->sa_family == AF_INET ? (const void *)&((const struct sockaddr_in *)a)->sin_addr
                                                : (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr;
    if (a->sa_family != AF_INET && a->sa_family != AF_INET6) {
        g_strlcpy(out, "", size);
        return;
    }
    inet_ntop(a->sa_family, bytes, out, (socklen_t)size);
}

static void reset_ring(tolk_aes67_receiver *r, uint32_t ts)
{
    /* Stamps half the timestamp space away: none matches a sample read near ts. */
    for (unsigned i = 0; i < RING; i++) {
        r->stamp[i] = ts + 0x80000000u;
        r->ring[i] = 0.0f;
    }
    r->reading = false;
}

tolk_aes67_receiver *tolk_aes67_receiver_new(const tolk_aes67_stream *stream, int channel, int fd, tolk_error *err)
{
    if (tolk_aes67_payload_bytes(stream) + TOLK_RTP_HEADER_LEN > DATAGRAM_MAX) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_sdp", "sdp",
                       "the stream's packets carry %zu bytes of audio: at most %d are taken (a jumbo frame)",
                       tolk_aes67_payload_bytes(stream), DATAGRAM_MAX - TOLK_RTP_HEADER_LEN);
        return NULL;
    }
    if (channel < 0 || channel >= stream->channels) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_channel", "channel",
                       "Field \"channel\" must be 1..%d: the stream has %d channel%s", stream->channels,
                       stream->channels, stream->channels == 1 ? "" : "s");
        return NULL;
    }
    tolk_aes67_receiver *r = g_new0(tolk_aes67_receiver, 1);
    r->stream = *stream;
    r->channel = channel;
    r->fd = fd;
    r->payload_bytes = tolk_aes67_payload_bytes(stream);
    r->samples = g_new(int32_t, stream->frame_samples);
    const char *source = stream->has_source_filter ? stream->source_address : stream->origin_address;
    r->source_fixed = parse_address(source, &r->source);
    r->source_known = r->source_fixed;
    if (r->source_fixed)
        g_strlcpy(r->source_text, source, sizeof r->source_text);
    r->target = TOLK_AES67_FRAME + (MARGIN_US + stream->ptime_us) * 48 / 1000;
    g_mutex_init(&r->lock);
    g_mutex_init(&r->receive_lock);
    reset_ring(r, 0);
    return r;
}

void tolk_aes67_receiver_free(tolk_aes67_receiver *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    g_mutex_clear(&r->lock);
    g_mutex_clear(&r->receive_lock);
    g_free(r->samples);
    g_free(r->sitting);
    g_free(r->input);
    g_free(r);
}

void tolk_aes67_receiver_set_activity(tolk_aes67_receiver *r, atomic_int_fast64_t *last_packet_us)
{
    r->activity = last_packet_us;
}

void tolk_aes67_receiver_set_where(tolk_aes67_receiver *r, const char *sitting, const char *input)
{
    g_free(r->sitting);
    g_free(r->input);
    r->sitting = g_strdup(sitting);
    r->input = g_strdup(input);
    r->where.sitting = r->sitting;
    r->where.console = r->input;
}

void tolk_aes67_receiver_adopt_fd(tolk_aes67_receiver *r, int fd)
{
    r->fd = fd;
}

int tolk_aes67_receiver_fd(const tolk_aes67_receiver *r)
{
    return r->fd;
}

/* Per packet, so limited: the first drop, then a line a minute with the count between. */
static void drop(tolk_aes67_receiver *r, tolk_aes67_drop why, int64_t now_us)
{
    atomic_fetch_add(&r->dropped[why], 1);
    int64_t last = atomic_exchange(&r->last_dropped_us, now_us);
    if (!last || now_us - last >= TOLK_INPUT_RECENT_US)
        atomic_store(&r->dropping_since_us, now_us);
    uint64_t unlogged;
    if (tolk_log_limit_pass(&r->logged, now_us, &unlogged))
        LOG_WARN_AT(&r->where, "AES67 packets dropped and counted (%s; %llu others since the last such line)",
                    tolk_aes67_drop_name(why), (unsigned long long)unlogged);
}

/* The stream's sender: the SDP's, or the first heard (a newcomer once it has been quiet). */
static bool source_admitted(tolk_aes67_receiver *r, const struct sockaddr *from, int64_t now_us)
{
    if (r->source_known && same_address(&r->source, from))
        return true;
    if (r->source_fixed || (r->source_known && now_us - r->sender_last_us < HANDOVER_US))
        return false;
    memset(&r->source, 0, sizeof r->source);
    memcpy(&r->source, from, from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
    r->source_known = true;
    g_mutex_lock(&r->lock);
    address_text(from, r->source_text, sizeof r->source_text);
    g_mutex_unlock(&r->lock);
    return true;
}

static bool ssrc_admitted(tolk_aes67_receiver *r, uint32_t ssrc, int64_t now_us)
{
    if (r->ssrc_known && ssrc == r->ssrc)
        return true;
    if (r->ssrc_known && now_us - r->sender_last_us < HANDOVER_US)
        return false;
    r->ssrc_known = true;
    r->ssrc = ssrc;
    atomic_store(&r->heard_ssrc, ssrc);
    g_mutex_lock(&r->lock);
    r->primed = false; /* a new sender: a new timeline */
    g_mutex_unlock(&r->lock);
    return true;
}

/* Under lock: n samples from timestamp ts. False when they came too late to play. */
static void start_timeline(tolk_aes67_receiver *r, uint32_t ts, uint32_t end)
{
    reset_ring(r, ts);
    r->primed = true;
    r->newest_end = end;
    r->late_run = 0;
    atomic_fetch_add(&r->resyncs, 1);
}

/* Under lock: n samples from timestamp ts. False when they came too late to play. A packet far
 * ahead or behind (170 ms: no network is that late) is a new timeline; one a little behind the
 * read position is late, unless every packet is (the sender's timeline went back a little). */
static bool put_samples(tolk_aes67_receiver *r, uint32_t ts, const int32_t *samples, unsigned n)
{
    uint32_t end = ts + n;
    int32_t ahead = (int32_t)(end - r->newest_end);
    if (!r->primed || ahead > (int32_t)JUMP || ahead < -(int32_t)JUMP)
        start_timeline(r, ts, end);
    if (r->reading && (int32_t)(end - r->read_ts) <= 0) {
        if (++r->late_run < LATE_RUN)
            return false;
        start_timeline(r, ts, end);
    }
    r->late_run = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned at = (ts + i) & RING_MASK;
        r->ring[at] = (float)samples[i] * (1.0f / 2147483648.0f);
        r->stamp[at] = ts + i;
    }
    if ((int32_t)(end - r->newest_end) > 0)
        r->newest_end = end;
    return true;
}

static void take_locked(tolk_aes67_receiver *r, const uint8_t *packet, size_t len, const struct sockaddr *from,
                        int64_t now_us)
{
    if (!source_admitted(r, from, now_us)) {
        drop(r, TOLK_AES67_DROP_SOURCE, now_us);
        return;
    }
    tolk_rtp_header h;
    if (tolk_packet_classify(packet, len) != TOLK_PACKET_RTP || tolk_rtp_parse(packet, len, &h) != TOLK_RTP_OK) {
        drop(r, TOLK_AES67_DROP_NOT_RTP, now_us);
        return;
    }
    if (h.payload_type != r->stream.payload_type) {
        drop(r, TOLK_AES67_DROP_PAYLOAD_TYPE, now_us);
        return;
    }
    if (h.payload_len != r->payload_bytes) {
        drop(r, TOLK_AES67_DROP_SIZE, now_us);
        return;
    }
    if (!ssrc_admitted(r, h.ssrc, now_us)) {
        drop(r, TOLK_AES67_DROP_SSRC, now_us);
        return;
    }
    int n = tolk_aes67_take_channel(&r->stream, r->channel, packet + h.payload_offset, h.payload_len, r->samples,
                                    (size_t)r->stream.frame_samples);
    if (n <= 0) {
        drop(r, TOLK_AES67_DROP_SIZE, now_us);
        return;
    }
    r->sender_last_us = now_us;
    g_mutex_lock(&r->lock);
    bool in_time = put_samples(r, h.timestamp, r->samples, (unsigned)n);
    g_mutex_unlock(&r->lock);
    if (!in_time) {
        drop(r, TOLK_AES67_DROP_LATE, now_us);
        return;
    }
    atomic_fetch_add(&r->accepted, 1);
    atomic_store(&r->last_valid_us, now_us);
    if (r->activity)
        atomic_store(r->activity, now_us);
}

void tolk_aes67_receiver_take(tolk_aes67_receiver *r, const uint8_t *packet, size_t len, const struct sockaddr *from,
                              int64_t now_us)
{
    atomic_fetch_add(&r->received, 1);
    g_mutex_lock(&r->receive_lock);
    take_locked(r, packet, len, from, now_us);
    g_mutex_unlock(&r->receive_lock);
}

void tolk_aes67_receiver_readable(tolk_aes67_receiver *r)
{
    uint8_t datagram[DATAGRAM_MAX + 1];
    for (int i = 0; i < READS_PER_WAKE; i++) {
        struct sockaddr_storage from;
        socklen_t from_len = sizeof from;
        ssize_t n = recvfrom(r->fd, datagram, sizeof datagram, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from,
                             &from_len);
        if (n < 0)
            return; /* EAGAIN: level-triggered epoll comes back for more */
        int64_t now_us = g_get_monotonic_time();
        if ((size_t)n > DATAGRAM_MAX) {
            atomic_fetch_add(&r->received, 1);
            drop(r, TOLK_AES67_DROP_SIZE, now_us);
            continue;
        }
        tolk_aes67_receiver_take(r, datagram, (size_t)n, (struct sockaddr *)&from, now_us);
    }
}

/* Under lock: the read position anew, target samples behind the newest. */
static void resync(tolk_aes67_receiver *r)
{
    r->read_ts = r->newest_end - (uint32_t)r->target;
    r->fill_avg = r->target;
    r->reading = true;
    atomic_fetch_add(&r->resyncs, 1);
}

/* Under lock: how many samples this frame is made from (960, or one more or less for drift). */
static unsigned frame_input(tolk_aes67_receiver *r)
{
    int32_t fill = (int32_t)(r->newest_end - r->read_ts);
    if (fill < 0 || fill > r->target + 2 * TOLK_AES67_FRAME) { /* a stall, a burst, a jump */
        resync(r);
        fill = r->target;
    }
    r->fill_avg += (fill - r->fill_avg) * FILL_WEIGHT;
    if (r->fill_avg > r->target + BAND_SAMPLES) {
        r->fill_avg -= 1.0;
        atomic_fetch_add(&r->drift_dropped, 1);
        return TOLK_AES67_FRAME + 1;
    }
    if (r->fill_avg < r->target - BAND_SAMPLES) {
        r->fill_avg += 1.0;
        atomic_fetch_add(&r->drift_repeated, 1);
        return TOLK_AES67_FRAME - 1;
    }
    return TOLK_AES67_FRAME;
}

/* Under lock: n samples from the read position; a sample whose packet never came is zero. */
static void read_samples(tolk_aes67_receiver *r, float *src, unsigned n)
{
    uint64_t missing = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t ts = r->read_ts + i;
        unsigned at = ts & RING_MASK;
        bool there = r->stamp[at] == ts;
        src[i] = there ? r->ring[at] : 0.0f;
        missing += !there;
    }
    r->read_ts += n;
    if (missing)
        atomic_fetch_add(&r->concealed, missing);
}

/* n samples stretched or squeezed linearly onto the frame's 960. */
static void fit_frame(const float *src, unsigned n, float *out)
{
    if (n == TOLK_AES67_FRAME) {
        memcpy(out, src, TOLK_AES67_FRAME * sizeof *out);
        return;
    }
    const double step = (double)(n - 1) / (TOLK_AES67_FRAME - 1);
    for (unsigned j = 0; j < TOLK_AES67_FRAME; j++) {
        double p = j * step;
        unsigned i = (unsigned)p;
        double f = p - i;
        out[j] = i + 1 < n ? (float)(src[i] * (1.0 - f) + src[i + 1] * f) : src[n - 1];
    }
}

bool tolk_aes67_receiver_pull(tolk_aes67_receiver *r, float out[TOLK_AES67_FRAME], int64_t now_us)
{
    int64_t last = atomic_load(&r->last_valid_us);
    float src[TOLK_AES67_FRAME + 1];
    g_mutex_lock(&r->lock);
    if (!last || now_us - last > TOLK_INPUT_QUIET_US || !r->primed) {
        r->reading = false; /* when it comes back, at the latency again */
        g_mutex_unlock(&r->lock);
        return false;
    }
    if (!r->reading)
        resync(r);
    unsigned n = frame_input(r);
    read_samples(r, src, n);
    g_mutex_unlock(&r->lock);
    fit_frame(src, n, out);
    return true;
}

void tolk_aes67_receiver_get_stats(tolk_aes67_receiver *r, tolk_aes67_stats *s)
{
    *s = (tolk_aes67_stats){
        .received = atomic_load(&r->received),
        .accepted = atomic_load(&r->accepted),
        .concealed = atomic_load(&r->concealed),
        .resyncs = atomic_load(&r->resyncs),
        .drift_dropped = atomic_load(&r->drift_dropped),
        .drift_repeated = atomic_load(&r->drift_repeated),
        .ssrc = (uint32_t)atomic_load(&r->heard_ssrc),
        .last_valid_us = atomic_load(&r->last_valid_us),
        .last_dropped_us = atomic_load(&r->last_dropped_us),
        .dropping_since_us = atomic_load(&r->dropping_since_us),
        .target_ms = (r->target - TOLK_AES67_FRAME) / 48.0,
    };
    for (int i = 0; i < TOLK_AES67_DROPS; i++)
        s->dropped[i] = atomic_load(&r->dropped[i]);
    g_mutex_lock(&r->lock);
    s->fill_ms = r->reading ? (r->fill_avg - TOLK_AES67_FRAME) / 48.0 : 0.0;
    g_strlcpy(s->source, r->source_text, sizeof s->source);
    g_mutex_unlock(&r->lock);
}
