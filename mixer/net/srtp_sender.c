/* SPDX-License-Identifier: EUPL-1.2 */
#include "srtp_sender.h"

#include "srtp_session.h"
#include "udp_fanout.h"

#define TOLK_LOG_MODULE "net"
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#define RTP_HEADER_LEN 12
#define PACKET_BUFFER_LEN 1500
#define OPUS_CLOCK_RATE 48000u
#define OPUS_FRAME_TICKS 960u /* 20 ms: the engine's frame */
#define NS_PER_SECOND 1000000000u
/* srtp_protect may append up to SRTP_MAX_TRAILER_LEN bytes after the payload. */
#define MAX_FRAME_LEN (PACKET_BUFFER_LEN - RTP_HEADER_LEN - SRTP_MAX_TRAILER_LEN)

/* What the sender keeps of a destination beside its address. */
typedef struct {
    srtp_t own;         /* its own key's context, or NULL for the shared key */
    uint32_t roc_base;  /* own: the stream's rollover counter when that context began */
    uint64_t send_errors;
} destination;

struct tolk_srtp_sender {
    pthread_mutex_t lock;
    srtp_t srtp; /* the shared key's context */
    tolk_udp_fanout fanout;
    atomic_int destinations; /* = fanout.count, for readers that take no lock (every frame) */
    /* Parallel to fanout.destinations, grown with it, so sending never allocates. */
    destination *extra;
    size_t extra_capacity;
    size_t own_count; /* destinations with their own key */
    uint8_t payload_type;
    uint32_t ssrc;
    uint16_t next_seq;
    uint32_t roc; /* the stream's rollover counter: wraps of next_seq */
    uint32_t shared_roc_base;
    uint32_t timestamp_base;
    bool timestamp_pending; /* continued: the first packet sets the base to give first_timestamp */
    uint32_t first_timestamp;
    uint32_t last_timestamp;
    bool has_sent;
    uint64_t last_pts_ns;
    tolk_srtp_sender_stats stats;
    /* Live here rather than on the stack of send_opus so the hot path touches no new
     * memory; guarded by lock like the rest. plain is the RTP packet, packet the shared
     * key's SRTP packet, own_packet one destination's. */
    uint8_t plain[PACKET_BUFFER_LEN];
    uint8_t packet[PACKET_BUFFER_LEN];
    uint8_t own_packet[PACKET_BUFFER_LEN];
};

static bool randomise_stream_identity(tolk_srtp_sender *s)
{
    struct {
        uint32_t ssrc;
        uint16_t seq;
        uint32_t timestamp;
    } r;
    if (!tolk_random_bytes(&r, sizeof r))
        return false;
    s->ssrc = r.ssrc;
    /* Start below 2^15 so that a receiver's rollover-counter guess for the first packets
     * cannot go wrong (the same choice as libwebrtc). */
    s->next_seq = r.seq & 0x7fff;
    s->timestamp_base = r.timestamp;
    return true;
}

tolk_srtp_sender *tolk_srtp_sender_new(const uint8_t key[TOLK_KEY_LEN], int payload_type)
{
    if (key == NULL || payload_type < 0 || payload_type > 127)
        return NULL;
    tolk_srtp_sender *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->payload_type = (uint8_t)payload_type;
    tolk_udp_fanout_init(&s->fanout);
    if (!randomise_stream_identity(s) || (s->srtp = tolk_srtp_session_new(key, true)) == NULL) {
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    LOG_DEBUG("srtp sender created, ssrc %08x, payload type %d", s->ssrc, payload_type);
    return s;
}

tolk_srtp_sender *tolk_srtp_sender_new_at(const uint8_t key[TOLK_KEY_LEN], int payload_type,
                                          const tolk_srtp_position *start)
{
    if (start == NULL || start->shared_roc_base > start->index >> 16)
        return NULL;
    tolk_srtp_sender *s = tolk_srtp_sender_new(key, payload_type);
    if (s == NULL)
        return NULL;
    s->ssrc = start->ssrc;
    s->next_seq = (uint16_t)start->index;
    s->roc = (uint32_t)(start->index >> 16);
    s->shared_roc_base = start->shared_roc_base;
    s->timestamp_pending = true;
    s->first_timestamp = start->timestamp;
    if (!tolk_srtp_session_add_stream(s->srtp, key, s->ssrc, s->roc - s->shared_roc_base)) {
        tolk_srtp_sender_free(s);
        return NULL;
    }
    LOG_DEBUG("srtp sender %08x continued at index %llu", s->ssrc, (unsigned long long)start->index);
    return s;
}

void tolk_srtp_sender_position(tolk_srtp_sender *s, tolk_srtp_position *position)
{
    pthread_mutex_lock(&s->lock);
    position->ssrc = s->ssrc;
    position->index = (uint64_t)s->roc << 16 | s->next_seq;
    position->timestamp = !s->has_sent ? (s->timestamp_pending ? s->first_timestamp : s->timestamp_base)
                                       : s->last_timestamp + OPUS_FRAME_TICKS;
    position->shared_roc_base = s->shared_roc_base;
    pthread_mutex_unlock(&s->lock);
}

static bool own_slots_fit(tolk_srtp_sender *s, size_t count)
{
    if (count <= s->extra_capacity)
        return true;
    size_t capacity = s->extra_capacity ? s->extra_capacity * 2 : 4;
    destination *grown = realloc(s->extra, capacity * sizeof *grown);
    if (grown == NULL)
        return false;
    memset(grown + s->extra_capacity, 0, (capacity - s->extra_capacity) * sizeof *grown);
    s->extra = grown;
    s->extra_capacity = capacity;
    return true;
}

/* own: the destination's own context (taken over), or NULL for the shared key; key and
 * roc_base its key and roc base (NOW: the stream's counter at this moment). */
#define NOW UINT32_MAX
static int add_destination(tolk_srtp_sender *s, const char *host, int port, srtp_t own,
                           const uint8_t *key, uint32_t roc_base)
{
    tolk_udp_address address;
    if (!tolk_udp_address_parse(host, port, &address)) {
        LOG_WARN("rejected destination: not a numeric address and port");
        return -1;
    }
    pthread_mutex_lock(&s->lock);
    if (roc_base == NOW)
        roc_base = s->roc;
    bool continues = own && roc_base != s->roc;
    if (continues && (roc_base > s->roc || !tolk_srtp_session_add_stream(own, key, s->ssrc, s->roc - roc_base))) {
        pthread_mutex_unlock(&s->lock);
        return -1;
    }
    int id = own_slots_fit(s, s->fanout.count + 1) ? tolk_udp_fanout_add(&s->fanout, &address) : -1;
    if (id >= 0) {
        s->extra[s->fanout.count - 1] = (destination){.own = own, .roc_base = own ? roc_base : 0};
        s->own_count += own != NULL;
    }
    atomic_store(&s->destinations, (int)s->fanout.count);
    pthread_mutex_unlock(&s->lock);
    return id;
}

int tolk_srtp_sender_add_destination(tolk_srtp_sender *s, const char *host, int port)
{
    return add_destination(s, host, port, NULL, NULL, 0);
}

static int add_keyed(tolk_srtp_sender *s, const char *host, int port, const uint8_t key[TOLK_KEY_LEN],
                     uint32_t roc_base)
{
    srtp_t own = key ? tolk_srtp_session_new(key, true) : NULL;
    if (own == NULL)
        return -1;
    int id = add_destination(s, host, port, own, key, roc_base);
    if (id < 0)
        srtp_dealloc(own);
    return id;
}

int tolk_srtp_sender_add_keyed_destination(tolk_srtp_sender *s, const char *host, int port,
                                           const uint8_t key[TOLK_KEY_LEN])
{
    return add_keyed(s, host, port, key, NOW);
}

int tolk_srtp_sender_add_keyed_destination_at(tolk_srtp_sender *s, const char *host, int port,
                                              const uint8_t key[TOLK_KEY_LEN], uint32_t roc_base)
{
    return roc_base == NOW ? -1 : add_keyed(s, host, port, key, roc_base);
}

static ssize_t destination_index(const tolk_srtp_sender *s, int id)
{
    for (size_t i = 0; i < s->fanout.count; i++) {
        if (s->fanout.destinations[i].id == id)
            return (ssize_t)i;
    }
    return -1;
}

/* A copy of what the sender keeps of destination id; zeros when there is none. */
static destination destination_copy(tolk_srtp_sender *s, int id)
{
    pthread_mutex_lock(&s->lock);
    ssize_t i = destination_index(s, id);
    destination d = i >= 0 ? s->extra[i] : (destination){0};
    pthread_mutex_unlock(&s->lock);
    return d;
}

uint32_t tolk_srtp_sender_destination_roc_base(tolk_srtp_sender *s, int id)
{
    return destination_copy(s, id).roc_base;
}

uint64_t tolk_srtp_sender_destination_errors(tolk_srtp_sender *s, int id)
{
    return destination_copy(s, id).send_errors;
}

bool tolk_srtp_sender_remove_destination(tolk_srtp_sender *s, int id)
{
    pthread_mutex_lock(&s->lock);
    ssize_t i = destination_index(s, id);
    srtp_t own = i >= 0 ? s->extra[i].own : NULL;
    if (i >= 0) {
        size_t after = s->fanout.count - (size_t)i - 1;
        memmove(&s->extra[i], &s->extra[i + 1], after * sizeof *s->extra);
        s->extra[s->fanout.count - 1] = (destination){0};
        s->own_count -= own != NULL;
        tolk_udp_fanout_remove(&s->fanout, id);
    }
    atomic_store(&s->destinations, (int)s->fanout.count);
    pthread_mutex_unlock(&s->lock);
    /* Outside the lock: srtp_dealloc zeroes the key material, and from here on nothing is
     * ever sent with that key again. */
    if (own)
        srtp_dealloc(own);
    return i >= 0;
}

bool tolk_srtp_sender_rekey(tolk_srtp_sender *s, const uint8_t key[TOLK_KEY_LEN])
{
    srtp_t fresh = key ? tolk_srtp_session_new(key, true) : NULL;
    if (fresh == NULL)
        return false;
    pthread_mutex_lock(&s->lock);
    srtp_t old = s->srtp;
    s->srtp = fresh;
    s->shared_roc_base = s->roc;
    pthread_mutex_unlock(&s->lock);
    srtp_dealloc(old);
    LOG_DEBUG("srtp sender %08x: shared key replaced", s->ssrc);
    return true;
}

int tolk_srtp_sender_destination_count(tolk_srtp_sender *s)
{
    return atomic_load(&s->destinations);
}

/* pts in 48 kHz ticks, split into seconds and remainder so that pts * 48000 cannot
 * overflow 64 bits however long the process runs. The result wraps like RTP time. */
static uint32_t pts_to_rtp_ticks(uint64_t pts_ns)
{
    uint64_t seconds = pts_ns / NS_PER_SECOND;
    uint64_t remainder = pts_ns % NS_PER_SECOND;
    return (uint32_t)(seconds * OPUS_CLOCK_RATE + remainder * OPUS_CLOCK_RATE / NS_PER_SECOND);
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void write_rtp_header(tolk_srtp_sender *s, uint64_t pts_ns, bool marker)
{
    uint8_t *h = s->plain;
    h[0] = 0x80; /* version 2, no padding, no extension, no CSRC */
    h[1] = (uint8_t)((marker ? 0x80 : 0x00) | s->payload_type);
    put_be16(h + 2, s->next_seq);
    if (s->timestamp_pending) {
        s->timestamp_base = s->first_timestamp - pts_to_rtp_ticks(pts_ns);
        s->timestamp_pending = false;
    }
    s->last_timestamp = s->timestamp_base + pts_to_rtp_ticks(pts_ns);
    put_be32(h + 4, s->last_timestamp);
    put_be32(h + 8, s->ssrc);
}

static bool frame_is_acceptable(const tolk_srtp_sender *s, size_t len, uint64_t pts_ns)
{
    if (len == 0 || len > MAX_FRAME_LEN)
        return false;
    return !s->has_sent || pts_ns > s->last_pts_ns;
}

/* Protects the plain packet into out with srtp; false (and counted) when libsrtp refuses. */
static bool protect(srtp_t srtp, const uint8_t *plain, int plain_len, uint8_t *out, int *out_len)
{
    memcpy(out, plain, (size_t)plain_len);
    *out_len = plain_len;
    return srtp_protect(srtp, out, out_len) == srtp_err_status_ok;
}

static void count_send(tolk_srtp_sender *s, size_t i, bool sent, int len)
{
    if (sent) {
        s->stats.packets++;
        s->stats.bytes += (uint64_t)len;
    } else {
        s->stats.send_errors++;
        s->extra[i].send_errors++;
    }
}

/* The shared packet to every shared destination; one protect per destination of its own. */
static void send_to_all(tolk_srtp_sender *s, int plain_len, bool shared_ok, int shared_len)
{
    for (size_t i = 0; i < s->fanout.count; i++) {
        srtp_t own = s->extra[i].own;
        int len = shared_len;
        const uint8_t *bytes = s->packet;
        if (own) {
            if (!protect(own, s->plain, plain_len, s->own_packet, &len)) {
                s->stats.dropped_frames++;
                continue;
            }
            bytes = s->own_packet;
        } else if (!shared_ok) {
            continue;
        }
        count_send(s, i, tolk_udp_fanout_send_at(&s->fanout, i, bytes, (size_t)len), len);
    }
}

void tolk_srtp_sender_send_opus(tolk_srtp_sender *s, const uint8_t *frame, size_t len,
                                uint64_t pts_ns, bool marker)
{
    pthread_mutex_lock(&s->lock);
    if (frame == NULL || !frame_is_acceptable(s, len, pts_ns)) {
        s->stats.dropped_frames++;
        pthread_mutex_unlock(&s->lock);
        return;
    }
    write_rtp_header(s, pts_ns, marker);
    memcpy(s->plain + RTP_HEADER_LEN, frame, len);
    int plain_len = (int)(RTP_HEADER_LEN + len);
    /* Protect even with no shared destination: the SRTP index must move with the sequence
     * number, or a long silence on the wire would make libsrtp misjudge the rollover counter. */
    int shared_len = 0;
    bool shared_ok = protect(s->srtp, s->plain, plain_len, s->packet, &shared_len);
    if (++s->next_seq == 0)
        s->roc++;
    s->has_sent = true;
    s->last_pts_ns = pts_ns;
    if (!shared_ok && s->own_count < s->fanout.count)
        s->stats.dropped_frames++;
    send_to_all(s, plain_len, shared_ok, shared_len);
    pthread_mutex_unlock(&s->lock);
}

uint32_t tolk_srtp_sender_ssrc(tolk_srtp_sender *s)
{
    /* Set once in _new and never changed, so no lock is needed. */
    return s->ssrc;
}

void tolk_srtp_sender_get_stats(tolk_srtp_sender *s, tolk_srtp_sender_stats *stats)
{
    pthread_mutex_lock(&s->lock);
    *stats = s->stats;
    pthread_mutex_unlock(&s->lock);
}

void tolk_srtp_sender_free(tolk_srtp_sender *s)
{
    if (s == NULL)
        return;
    /* srtp_dealloc zeroes the cipher and auth contexts, which hold the session keys. */
    srtp_dealloc(s->srtp);
    for (size_t i = 0; i < s->fanout.count; i++) {
        if (s->extra[i].own)
            srtp_dealloc(s->extra[i].own);
    }
    free(s->extra);
    tolk_udp_fanout_clear(&s->fanout);
    pthread_mutex_destroy(&s->lock);
    tolk_key_wipe(s->plain, sizeof s->plain);
    tolk_key_wipe(s->packet, sizeof s->packet);
    tolk_key_wipe(s->own_packet, sizeof s->own_packet);
    free(s);
}
