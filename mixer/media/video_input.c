/* SPDX-License-Identifier: EUPL-1.2 */
/* An SRTP/RTP video source on a port of its own (video_input.h). */
#include "video_input.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drop_log.h"
#include "rtcp_feedback.h"
#include "rtp_header.h"
#include "srtp_session.h"

#define TOLK_LOG_MODULE "video"
#include "log.h"

/* A video packet fits an Ethernet MTU; anything larger is not an RTP packet of a sane sender. */
#define DATAGRAM_MAX 2048
/* Level of fairness with the control thread's rekey: a flood is read in batches. */
#define READS_PER_WAKE 64
/* Feedback: PLI then FIR, reduced-size (RFC 5506), plus the SRTCP trailer. */
#define FEEDBACK_LEN (TOLK_RTCP_PLI_LEN + TOLK_RTCP_FIR_LEN)

enum { CAUSE_REFUSED, CAUSE_SECOND_SENDER, CAUSE_PAYLOAD_TYPE, CAUSE_OVERSIZED, CAUSE_NOT_RTP, CAUSE_SEND, CAUSES };

struct tolk_video_input {
    char *sitting, *name;
    tolk_log_where where;
    GSocket *socket;
    int fd, wake_fd;
    int payload_type;
    tolk_video_feed *feed;
    int source;
    GThread *thread;
    atomic_bool stopping, keyframe_pending;
    /* Under lock: the receiver and the feedback's SRTCP session (rekey swaps them), the
     * admitted sender and where it sends from. The receive thread holds it per packet, never
     * while pushing into the feed (the feed may ask for a key frame from inside the push). */
    GMutex lock;
    tolk_srtp_receiver *receiver; /* NULL: plain RTP */
    srtp_t feedback;              /* NULL: plain RTP (feedback sent in the clear) */
    uint32_t sender_ssrc;
    int64_t sender_last_us;
    struct sockaddr_storage sender_addr;
    socklen_t sender_addr_len;
    uint32_t own_ssrc;
    uint8_t fir_seq;
    /* Receive thread only. */
    tolk_log_limit logged[CAUSES];
    /* Counters (any thread reads). */
    atomic_uint_fast64_t received, media, not_rtp, rtcp_plain, second_sender, wrong_payload_type, oversized;
    atomic_uint_fast64_t keyframe_requests, keyframe_sent, keyframe_unsent;
};

/* Per packet, so limited (drop_log.h); the counts are in the stats. */
#define log_cause(input, cause, fmt, ...)                                                                      \
    tolk_drop_log(&(input)->logged[cause], &(input)->where, g_get_monotonic_time(), "video source %s: " fmt,        \
                  (input)->name, ##__VA_ARGS__)

/* Under lock: one sender at a time; a newcomer takes over once the current one went quiet. */
static bool sender_admitted(tolk_video_input *input, uint32_t ssrc, int64_t now_us)
{
    if (ssrc != input->sender_ssrc && input->sender_last_us &&
        now_us - input->sender_last_us < TOLK_VIDEO_FEED_HANDOVER_US)
        return false;
    if (ssrc == input->own_ssrc) /* never our feedback's SSRC: its SRTCP keystream would repeat */
        input->own_ssrc = g_random_int() | 1u;
    input->sender_ssrc = ssrc;
    input->sender_last_us = now_us;
    return true;
}

/* Under lock: a plain RTP packet (decrypted where the input has a key). True when it goes to
 * the feed; the sender's address is remembered for the feedback. */
static bool admit_media(tolk_video_input *input, const uint8_t *packet, size_t len, const struct sockaddr_storage *from,
                        socklen_t from_len, int64_t now_us)
{
    tolk_rtp_header header;
    if (tolk_rtp_parse(packet, len, &header) != TOLK_RTP_OK) {
        atomic_fetch_add(&input->not_rtp, 1);
        log_cause(input, CAUSE_NOT_RTP, "RTP headers that do not parse");
        return false;
    }
    if (!sender_admitted(input, header.ssrc, now_us)) {
        atomic_fetch_add(&input->second_sender, 1);
        log_cause(input, CAUSE_SECOND_SENDER, "a second sender (SSRC %08x) while the first still sends", header.ssrc);
        return false;
    }
    if (header.payload_type != input->payload_type) {
        atomic_fetch_add(&input->wrong_payload_type, 1);
        log_cause(input, CAUSE_PAYLOAD_TYPE, "payload type %u where the SDP says %d", header.payload_type,
                  input->payload_type);
        return false;
    }
    memcpy(&input->sender_addr, from, from_len);
    input->sender_addr_len = from_len;
    return true;
}

/* Plain RTP: only the kind of packet is known; RTCP is taken and counted. */
static tolk_receive_result classify_plain(tolk_video_input *input, const uint8_t *packet, size_t len)
{
    tolk_packet_kind kind = tolk_packet_classify(packet, len);
    if (kind == TOLK_PACKET_RTP)
        return TOLK_RECEIVE_MEDIA;
    if (kind == TOLK_PACKET_RTCP)
        atomic_fetch_add(&input->rtcp_plain, 1);
    else
        atomic_fetch_add(&input->not_rtp, 1);
    return kind == TOLK_PACKET_RTCP ? TOLK_RECEIVE_RTCP : TOLK_RECEIVE_DROPPED;
}

static void take_datagram(tolk_video_input *input, uint8_t *packet, size_t len, const struct sockaddr_storage *from,
                          socklen_t from_len)
{
    int64_t now_us = g_get_monotonic_time();
    g_mutex_lock(&input->lock);
    tolk_receive_result result = input->receiver ? tolk_srtp_receiver_receive(input->receiver, packet, &len, now_us)
                                                 : classify_plain(input, packet, len);
    bool push = result == TOLK_RECEIVE_MEDIA && admit_media(input, packet, len, from, from_len, now_us);
    g_mutex_unlock(&input->lock);
    if (result == TOLK_RECEIVE_DROPPED && input->receiver)
        log_cause(input, CAUSE_REFUSED,
                  "packets refused by SRTP (not RTP, not authenticated under the key, or replayed)");
    if (!push)
        return;
    tolk_video_feed_push(input->feed, input->source, packet, len, now_us);
    atomic_fetch_add(&input->media, 1); /* after the push: a reader that sees the count sees its effect */
}

static void read_datagrams(tolk_video_input *input)
{
    uint8_t packet[DATAGRAM_MAX];
    for (int i = 0; i < READS_PER_WAKE && !atomic_load(&input->stopping); i++) {
        struct sockaddr_storage from;
        socklen_t from_len = sizeof from;
        ssize_t n = recvfrom(input->fd, packet, sizeof packet, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from,
                             &from_len);
        if (n < 0)
            return; /* EAGAIN: all read; an error (ICMP reported on the socket): poll comes back */
        atomic_fetch_add(&input->received, 1);
        if ((size_t)n > sizeof packet) {
            atomic_fetch_add(&input->oversized, 1);
            log_cause(input, CAUSE_OVERSIZED, "datagrams over %d bytes", DATAGRAM_MAX);
            continue;
        }
        take_datagram(input, packet, (size_t)n, &from, from_len);
    }
}

/* Receive thread: a PLI and a FIR for the admitted sender, to where its media comes from. */
static void send_keyframe_request(tolk_video_input *input)
{
    uint8_t packet[FEEDBACK_LEN + SRTP_MAX_TRAILER_LEN];
    g_mutex_lock(&input->lock);
    bool known = input->sender_addr_len > 0;
    int len = FEEDBACK_LEN;
    if (known) {
        tolk_rtcp_build_pli(packet, input->own_ssrc, input->sender_ssrc);
        tolk_rtcp_build_fir(packet + TOLK_RTCP_PLI_LEN, input->own_ssrc, input->sender_ssrc, input->fir_seq++);
        known = !input->feedback || srtp_protect_rtcp(input->feedback, packet, &len) == srtp_err_status_ok;
    }
    struct sockaddr_storage to = input->sender_addr;
    socklen_t to_len = input->sender_addr_len;
    g_mutex_unlock(&input->lock);
    bool sent = known && sendto(input->fd, packet, (size_t)len, MSG_DONTWAIT, (struct sockaddr *)&to, to_len) == len;
    atomic_fetch_add(sent ? &input->keyframe_sent : &input->keyframe_unsent, 1);
    if (known && !sent)
        log_cause(input, CAUSE_SEND, "a key frame request could not be sent: %s", g_strerror(errno));
}

static gpointer receive_thread(gpointer p)
{
    tolk_video_input *input = p;
    struct pollfd fds[2] = {{.fd = input->fd, .events = POLLIN}, {.fd = input->wake_fd, .events = POLLIN}};
    while (!atomic_load(&input->stopping)) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            LOG_ERROR_AT(&input->where, "video source %s stops receiving: %s", input->name, g_strerror(errno));
            break;
        }
        if (fds[1].revents & POLLIN) {
            uint64_t count;
            if (read(input->wake_fd, &count, sizeof count) < 0 && errno != EAGAIN)
                LOG_WARN_AT(&input->where, "video source %s: wake-up not read: %s", input->name, g_strerror(errno));
        }
        if (fds[0].revents & (POLLIN | POLLERR))
            read_datagrams(input);
        if (atomic_exchange(&input->keyframe_pending, false))
            send_keyframe_request(input);
    }
    return NULL;
}

static void wake(tolk_video_input *input)
{
    uint64_t one = 1;
    if (write(input->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        LOG_WARN_AT(&input->where, "video source %s: its thread could not be woken: %s", input->name,
                    g_strerror(errno));
}

/* The receiver and the feedback's session for a key (NULL key: plain, neither). */
static bool make_keyed(const uint8_t *key, const tolk_srtp_receiver_position *senders, int count,
                       tolk_srtp_receiver **receiver, srtp_t *feedback)
{
    *receiver = NULL;
    *feedback = NULL;
    if (!key)
        return true;
    *receiver = count > 0 ? tolk_srtp_receiver_new_resumed(key, senders, count) : tolk_srtp_receiver_new(key);
    *feedback = tolk_srtp_session_new(key, true);
    if (*receiver && *feedback)
        return true;
    tolk_srtp_receiver_free(*receiver);
    if (*feedback)
        srtp_dealloc(*feedback);
    return false;
}

tolk_video_input *tolk_video_input_new(const tolk_video_input_config *config)
{
    tolk_video_input *input = g_new0(tolk_video_input, 1);
    input->sitting = g_strdup(config->sitting);
    input->name = g_strdup(config->name);
    input->where = (tolk_log_where){.sitting = input->sitting}; /* the source is named in the lines */
    input->payload_type = config->payload_type;
    input->feed = config->feed;
    input->source = config->source;
    input->own_ssrc = g_random_int() | 1u;
    input->fir_seq = (uint8_t)g_random_int();
    g_mutex_init(&input->lock);
    input->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (input->wake_fd < 0 || !make_keyed(config->key, config->senders, config->sender_count, &input->receiver,
                                          &input->feedback)) {
        LOG_ERROR_AT(&input->where, "video source %s: the input could not be set up", input->name);
        if (input->wake_fd >= 0)
            close(input->wake_fd);
        g_mutex_clear(&input->lock);
        g_free(input->sitting);
        g_free(input->name);
        g_free(input);
        return NULL;
    }
    if (input->receiver)
        tolk_srtp_receiver_set_where(input->receiver, &input->where);
    input->socket = g_object_ref(config->socket);
    input->fd = g_socket_get_fd(config->socket);
    input->thread = g_thread_new("tolk-video-in", receive_thread, input);
    return input;
}

void tolk_video_input_free(tolk_video_input *input)
{
    if (!input)
        return;
    atomic_store(&input->stopping, true);
    wake(input);
    g_thread_join(input->thread);
    close(input->wake_fd);
    g_socket_close(input->socket, NULL);
    g_object_unref(input->socket);
    tolk_srtp_receiver_free(input->receiver);
    if (input->feedback)
        srtp_dealloc(input->feedback);
    g_mutex_clear(&input->lock);
    g_free(input->sitting);
    g_free(input->name);
    g_free(input);
}

void tolk_video_input_request_keyframe(tolk_video_input *input)
{
    atomic_fetch_add(&input->keyframe_requests, 1);
    atomic_store(&input->keyframe_pending, true);
    wake(input);
}

bool tolk_video_input_rekey(tolk_video_input *input, const uint8_t key[TOLK_KEY_LEN])
{
    if (!input->receiver)
        return false;
    srtp_t feedback = tolk_srtp_session_new(key, true);
    if (!feedback)
        return false;
    g_mutex_lock(&input->lock);
    bool ok = tolk_srtp_receiver_rekey(input->receiver, key);
    srtp_t old = ok ? input->feedback : feedback;
    if (ok) {
        input->feedback = feedback;
        input->sender_ssrc = 0;
        input->sender_last_us = 0;
        input->sender_addr_len = 0;
    }
    g_mutex_unlock(&input->lock);
    srtp_dealloc(old);
    return ok;
}

int tolk_video_input_positions(tolk_video_input *input, tolk_srtp_receiver_position *out, int max)
{
    return input->receiver ? tolk_srtp_receiver_positions(input->receiver, out, max) : 0;
}

#define COUNTER(name, field, drop) {name, offsetof(tolk_video_input_stats, field), drop}
const tolk_video_input_counter tolk_video_input_counters[TOLK_VIDEO_INPUT_COUNTERS] = {
    COUNTER("received", received, false),
    COUNTER("media", media, false),
    COUNTER("not_rtp", not_rtp, true),
    COUNTER("auth_failed", auth_failed, true),
    COUNTER("replayed", replayed, true),
    COUNTER("rtcp", rtcp, false),
    COUNTER("rtcp_failed", rtcp_failed, true),
    COUNTER("second_sender", second_sender, true),
    COUNTER("wrong_payload_type", wrong_payload_type, true),
    COUNTER("oversized", oversized, true),
    COUNTER("keyframe_requests", keyframe_requests, false),
    COUNTER("keyframe_requests_sent", keyframe_sent, false),
    COUNTER("keyframe_requests_unsent", keyframe_unsent, false),
};

uint64_t tolk_video_input_counter_value(const tolk_video_input_stats *stats, int i)
{
    return *(const uint64_t *)((const char *)stats + tolk_video_input_counters[i].offset);
}

void tolk_video_input_get_stats(tolk_video_input *input, tolk_video_input_stats *stats)
{
    tolk_srtp_receiver_stats r = {0};
    if (input->receiver)
        tolk_srtp_receiver_get_stats(input->receiver, &r);
    *stats = (tolk_video_input_stats){
        .received = atomic_load(&input->received),
        .media = atomic_load(&input->media),
        .not_rtp = r.not_rtp + atomic_load(&input->not_rtp),
        .auth_failed = r.auth_failed,
        .replayed = r.replayed,
        .rtcp = r.rtcp + atomic_load(&input->rtcp_plain),
        .rtcp_failed = r.rtcp_failed,
        .second_sender = r.senders_refused + atomic_load(&input->second_sender),
        .wrong_payload_type = atomic_load(&input->wrong_payload_type),
        .oversized = atomic_load(&input->oversized),
        .keyframe_requests = atomic_load(&input->keyframe_requests),
        .keyframe_sent = atomic_load(&input->keyframe_sent),
        .keyframe_unsent = atomic_load(&input->keyframe_unsent),
    };
}
