/* SPDX-License-Identifier: EUPL-1.2 */
#include "srtp_sender.h"

#include "srtp_session.h"
#include "udp_fanout.h"

#define TOLK_LOG_MODULE "net"
#include "log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RTP_HEADER_LEN 12
#define PACKET_BUFFER_LEN 1500
#define OPUS_CLOCK_RATE 48000u
#define NS_PER_SECOND 1000000000u
/* srtp_protect may append up to SRTP_MAX_TRAILER_LEN bytes after the payload. */
#define MAX_FRAME_LEN (PACKET_BUFFER_LEN - RTP_HEADER_LEN - SRTP_MAX_TRAILER_LEN)

struct tolk_srtp_sender {
    pthread_mutex_t lock;
    srtp_t srtp;
    tolk_udp_fanout fanout;
    uint8_t payload_type;
    uint32_t ssrc;
    uint16_t next_seq;
    uint32_t timestamp_base;
    bool has_sent;
    uint64_t last_pts_ns;
    tolk_srtp_sender_stats stats;
    /* Lives here rather than on the stack of send_opus so the hot path touches no new
     * memory; guarded by lock like the rest. */
    uint8_t packet[PACKET_BUFFER_LEN];
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

int tolk_srtp_sender_add_destination(tolk_srtp_sender *s, const char *host, int port)
{
    tolk_udp_address address;
    if (!tolk_udp_address_parse(host, port, &address)) {
        LOG_WARN("rejected destination: not a numeric address and port");
        return -1;
    }
    pthread_mutex_lock(&s->lock);
    int id = tolk_udp_fanout_add(&s->fanout, &address);
    pthread_mutex_unlock(&s->lock);
    return id;
}

bool tolk_srtp_sender_remove_destination(tolk_srtp_sender *s, int id)
{
    pthread_mutex_lock(&s->lock);
    bool removed = tolk_udp_fanout_remove(&s->fanout, id);
    pthread_mutex_unlock(&s->lock);
    return removed;
}

int tolk_srtp_sender_destination_count(tolk_srtp_sender *s)
{
    pthread_mutex_lock(&s->lock);
    int count = (int)s->fanout.count;
    pthread_mutex_unlock(&s->lock);
    return count;
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
    uint8_t *h = s->packet;
    h[0] = 0x80; /* version 2, no padding, no extension, no CSRC */
    h[1] = (uint8_t)((marker ? 0x80 : 0x00) | s->payload_type);
    put_be16(h + 2, s->next_seq);
    put_be32(h + 4, s->timestamp_base + pts_to_rtp_ticks(pts_ns));
    put_be32(h + 8, s->ssrc);
}

static bool frame_is_acceptable(const tolk_srtp_sender *s, size_t len, uint64_t pts_ns)
{
    if (len == 0 || len > MAX_FRAME_LEN)
        return false;
    return !s->has_sent || pts_ns > s->last_pts_ns;
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
    memcpy(s->packet + RTP_HEADER_LEN, frame, len);
    int packet_len = (int)(RTP_HEADER_LEN + len);
    /* Protect even with no destination: the SRTP index must move with the sequence number,
     * or a long silence on the wire would make libsrtp misjudge the rollover counter. */
    srtp_err_status_t status = srtp_protect(s->srtp, s->packet, &packet_len);
    s->next_seq++;
    s->has_sent = true;
    s->last_pts_ns = pts_ns;
    if (status != srtp_err_status_ok) {
        s->stats.dropped_frames++;
        pthread_mutex_unlock(&s->lock);
        return;
    }
    tolk_udp_send_result r = tolk_udp_fanout_send(&s->fanout, s->packet, (size_t)packet_len);
    s->stats.packets += r.sent;
    s->stats.bytes += r.sent * (uint64_t)packet_len;
    s->stats.send_errors += r.errors;
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
    tolk_udp_fanout_clear(&s->fanout);
    pthread_mutex_destroy(&s->lock);
    tolk_key_wipe(s->packet, sizeof s->packet);
    free(s);
}
