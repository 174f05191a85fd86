/* SPDX-License-Identifier: EUPL-1.2 */
#include "media_input.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

#include "aes67_input.h"
#include "drop_log.h"
#include "file_audio.h"
#include "jitter_buffer.h"
#include "level.h"
#include "opus_check.h"
#include "rtp_header.h"
#include "srtp_receiver.h"

#define TOLK_LOG_MODULE "input"
#include "log.h"

/* A frame whose peak stays under -80 dBFS is digital silence (or a DTX frame's comfort noise
 * of a silent line): a live microphone's noise floor is above it. */
#define AUDIBLE_PEAK 1e-4f
/* A second sender is heard only once the first has been quiet this long: two interleaved
 * sequence spaces would make noise of both. */
#define SENDER_HANDOVER_US (300 * 1000)
#define DATAGRAM_MAX 2048
#define QUEUE_FRAMES_MS 40
#define READS_PER_WAKE 64

/* What is logged the first time, then at most once a minute with a count: the Opus check's
 * verdicts, and these. */
enum { CAUSE_RECEIVE_ERROR = TOLK_OPUS_VERDICTS, CAUSE_SECOND_SENDER, CAUSE_REFUSED, CAUSE_TRUNCATED, CAUSES };

struct tolk_media_input {
    char *name;
    char *sitting;
    tolk_log_where where; /* sitting and name, for log lines */
    GSocket *socket; /* NULL for the demo floor */
    int fd;
    GMutex receive_lock; /* receiver, opus, sender_ssrc, sender_last_us */
    tolk_srtp_receiver *receiver;
    tolk_opus_check opus;
    uint32_t sender_ssrc;
    int64_t sender_last_us;
    tolk_jitter_buffer *jitter;
    /* The demo floor: tick thread only. */
    float *file;
    size_t file_len, file_pos;
    tolk_level level;
    atomic_uint_fast64_t received, decoded, undecodable, second_sender;
    atomic_int_fast64_t last_valid_us, last_dropped_us, dropping_since_us;
    atomic_int_fast64_t last_audible_us; /* the tick's */
    tolk_log_limit logged[CAUSES];
    atomic_int_fast64_t *activity; /* the sitting's, may be NULL */
    /* An AES67 stream the input takes its audio from instead (NULL: its SRTP port). */
    tolk_aes67_receiver *_Atomic aes67;
};

void tolk_media_input_set_sitting(tolk_media_input *input, const char *sitting)
{
    g_free(input->sitting);
    input->sitting = g_strdup(sitting);
    input->where.sitting = input->sitting;
    if (input->receiver)
        tolk_srtp_receiver_set_where(input->receiver, &input->where);
}

void tolk_media_input_set_activity(tolk_media_input *input, atomic_int_fast64_t *last_packet_us)
{
    input->activity = last_packet_us;
}

static tolk_media_input *input_alloc(const char *name)
{
    tolk_media_input *input = g_new0(tolk_media_input, 1);
    input->name = g_strdup(name);
    input->where.console = input->name;
    input->fd = -1;
    g_mutex_init(&input->receive_lock);
    tolk_level_init(&input->level);
    return input;
}

tolk_media_input *tolk_media_input_new(const char *name, GSocket *socket, const uint8_t key[TOLK_KEY_LEN],
                                       unsigned jitter_ms)
{
    return tolk_media_input_new_resumed(name, socket, key, jitter_ms, NULL, 0);
}

int tolk_media_input_positions(tolk_media_input *input, tolk_srtp_receiver_position *out, int max)
{
    return input->receiver ? tolk_srtp_receiver_positions(input->receiver, out, max) : 0;
}

tolk_media_input *tolk_media_input_new_resumed(const char *name, GSocket *socket, const uint8_t key[TOLK_KEY_LEN],
                                               unsigned jitter_ms, const tolk_srtp_receiver_position *senders,
                                               int sender_count)
{
    tolk_media_input *input = input_alloc(name);
    input->receiver = sender_count > 0 ? tolk_srtp_receiver_new_resumed(key, senders, sender_count)
                                       : tolk_srtp_receiver_new(key);
    /* --jitter-ms is how late a packet may be; the queue also holds the packet waiting for the
     * next tick and one that arrived in the same tick (a sender's burst). */
    input->jitter = tolk_jitter_buffer_new(jitter_ms + QUEUE_FRAMES_MS);
    if (!input->receiver || !input->jitter || !socket) {
        LOG_ERROR_AT(TOLK_WHERE(.console = name), "the input could not be set up");
        tolk_media_input_free(input);
        return NULL;
    }
    input->socket = g_object_ref(socket);
    input->fd = g_socket_get_fd(socket);
    return input;
}

tolk_media_input *tolk_media_input_new_file(const char *name, const char *path)
{
    tolk_media_input *input = input_alloc(name);
    input->file = tolk_file_audio_decode(path, &input->file_len);
    if (!input->file) {
        tolk_media_input_free(input);
        return NULL;
    }
    return input;
}

void tolk_media_input_free(tolk_media_input *input)
{
    if (!input)
        return;
    tolk_aes67_receiver_free(atomic_load(&input->aes67));
    tolk_srtp_receiver_free(input->receiver);
    tolk_jitter_buffer_free(input->jitter);
    if (input->socket)
        g_object_unref(input->socket);
    g_free(input->file);
    tolk_level_clear(&input->level);
    g_mutex_clear(&input->receive_lock);
    g_free(input->name);
    g_free(input->sitting);
    g_free(input);
}

int tolk_media_input_fd(const tolk_media_input *input)
{
    return input->fd;
}

int tolk_media_input_aes67_fd(tolk_media_input *input)
{
    tolk_aes67_receiver *aes67 = atomic_load(&input->aes67);
    return aes67 ? tolk_aes67_receiver_fd(aes67) : -1;
}

/* Per packet, so limited: the first of a cause, then a line a minute with the count between
 * (the counts themselves are in the input's health and /metrics). */
/* Drops with no break of TOLK_INPUT_RECENT_US are one run: a long run makes the input failing. */
static void mark_dropped(tolk_media_input *input, int64_t now_us)
{
    int64_t last = atomic_exchange(&input->last_dropped_us, now_us);
    if (!last || now_us - last >= TOLK_INPUT_RECENT_US)
        atomic_store(&input->dropping_since_us, now_us);
}

/* One sender at a time: a newcomer takes over once the current one has gone quiet. */
static bool sender_admitted(tolk_media_input *input, uint32_t ssrc, int64_t now_us)
{
    if (ssrc != input->sender_ssrc) {
        if (input->sender_last_us && now_us - input->sender_last_us < SENDER_HANDOVER_US)
            return false;
        input->sender_ssrc = ssrc;
        tolk_jitter_buffer_restart(input->jitter);
    }
    input->sender_last_us = now_us;
    return true;
}

static void count_undecodable(tolk_media_input *input, tolk_opus_verdict cause, int64_t now_us)
{
    atomic_fetch_add(&input->undecodable, 1);
    mark_dropped(input, now_us);
    tolk_drop_log(&input->logged[cause], &input->where, now_us,
                  "undecodable packets (%s)", tolk_opus_verdict_name(cause));
}

/* Under receive_lock: a plain RTP packet, authenticated where the input has a key. The
 * sender is judged first, so that a second stream never disturbs the first one's Opus check. */
static void deliver(tolk_media_input *input, const uint8_t *packet, size_t len, int64_t now_us)
{
    tolk_rtp_header header;
    tolk_rtp_parse_result parsed = tolk_rtp_parse(packet, len, &header);
    if (parsed != TOLK_RTP_OK) {
        tolk_opus_verdict cause = parsed == TOLK_RTP_PADDING ? TOLK_OPUS_BAD_PADDING : TOLK_OPUS_BAD_HEADER;
        count_undecodable(input, cause, now_us);
        return;
    }
    if (!sender_admitted(input, header.ssrc, now_us)) {
        atomic_fetch_add(&input->second_sender, 1);
        mark_dropped(input, now_us);
        tolk_drop_log(&input->logged[CAUSE_SECOND_SENDER], &input->where, now_us,
                      "a second sender while the first still sends");
        return;
    }
    tolk_opus_verdict verdict = tolk_opus_check_packet(&input->opus, packet, len);
    if (verdict == TOLK_OPUS_UNCONFIRMED)
        return;
    if (verdict != TOLK_OPUS_OK) {
        count_undecodable(input, verdict, now_us);
        return;
    }
    tolk_jitter_buffer_put(input->jitter, header.seq, header.timestamp, packet + header.payload_offset,
                           header.payload_len, now_us);
    atomic_fetch_add(&input->decoded, 1);
    atomic_store(&input->last_valid_us, now_us);
    if (input->activity)
        atomic_store(input->activity, now_us);
}

static void take_datagram(tolk_media_input *input, uint8_t *packet, size_t len, int64_t now_us)
{
    atomic_fetch_add(&input->received, 1);
    g_mutex_lock(&input->receive_lock);
    tolk_receive_result result = tolk_srtp_receiver_receive(input->receiver, packet, &len, now_us);
    if (result == TOLK_RECEIVE_MEDIA)
        deliver(input, packet, len, now_us);
    else if (result == TOLK_RECEIVE_DROPPED) {
        mark_dropped(input, now_us);
        tolk_drop_log(&input->logged[CAUSE_REFUSED], &input->where, now_us,
                  "packets refused by SRTP (not RTP, not authenticated under the input's key, or replayed)");
    }
    g_mutex_unlock(&input->receive_lock);
}

tolk_aes67_receiver *tolk_media_input_swap_aes67(tolk_media_input *input, tolk_aes67_receiver *receiver)
{
    if (receiver) {
        tolk_aes67_receiver_set_activity(receiver, input->activity);
        tolk_aes67_receiver_set_where(receiver, input->sitting, input->name);
    }
    return atomic_exchange(&input->aes67, receiver);
}

void tolk_media_input_readable(tolk_media_input *input)
{
    uint8_t packet[DATAGRAM_MAX];
    tolk_aes67_receiver *aes67 = atomic_load(&input->aes67);
    if (aes67)
        tolk_aes67_receiver_readable(aes67); /* its socket and the port's share the input's watch */
    if (input->fd < 0)
        return; /* the demo floor has no port */
    /* Level-triggered epoll comes back for the rest: a flood on one port cannot hold the
     * receive thread from the others for long. */
    for (int i = 0; i < READS_PER_WAKE; i++) {
        ssize_t n = recv(input->fd, packet, sizeof packet, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) {
            int failure = errno;
            if (failure != EAGAIN && failure != EWOULDBLOCK && failure != EINTR)
                tolk_drop_log(&input->logged[CAUSE_RECEIVE_ERROR], &input->where, g_get_monotonic_time(),
                              "cannot receive: %s", g_strerror(failure));
            return;
        }
        int64_t now_us = g_get_monotonic_time();
        if ((size_t)n > sizeof packet) { /* truncated: no Opus packet is that large */
            atomic_fetch_add(&input->received, 1);
            atomic_fetch_add(&input->undecodable, 1);
            mark_dropped(input, now_us);
            tolk_drop_log(&input->logged[CAUSE_TRUNCATED], &input->where, now_us,
                          "datagrams over %d bytes", DATAGRAM_MAX);
            continue;
        }
        take_datagram(input, packet, (size_t)n, now_us);
    }
}

bool tolk_media_input_push_rtp(tolk_media_input *input, const uint8_t *packet, size_t len)
{
    if (!input->jitter)
        return false;
    int64_t now_us = g_get_monotonic_time();
    atomic_fetch_add(&input->received, 1);
    if (tolk_packet_classify(packet, len) != TOLK_PACKET_RTP)
        return true; /* RTCP of the peer: webrtcbin keeps its own */
    g_mutex_lock(&input->receive_lock);
    deliver(input, packet, len, now_us);
    g_mutex_unlock(&input->receive_lock);
    return true;
}

static bool audible(const float *out)
{
    for (unsigned i = 0; i < TOLK_FRAME_SAMPLES; i++) {
        if (out[i] > AUDIBLE_PEAK || out[i] < -AUDIBLE_PEAK)
            return true;
    }
    return false;
}

/* The demo floor always sends: it counts as decoded packets for the health state. */
static void play_file(tolk_media_input *input, float *out, int64_t now_us)
{
    atomic_store(&input->last_valid_us, now_us);
    for (unsigned i = 0; i < TOLK_FRAME_SAMPLES; i++) {
        out[i] = input->file[input->file_pos++];
        if (input->file_pos == input->file_len)
            input->file_pos = 0;
    }
}

bool tolk_media_input_pull(tolk_media_input *input, float out[TOLK_FRAME_SAMPLES], int64_t now_us)
{
    bool playing = true;
    tolk_aes67_receiver *aes67 = atomic_load(&input->aes67);
    if (aes67)
        playing = tolk_aes67_receiver_pull(aes67, out, now_us);
    else if (input->file)
        play_file(input, out, now_us);
    else if (now_us - atomic_load(&input->last_valid_us) > TOLK_INPUT_QUIET_US)
        return false;
    else
        playing = tolk_jitter_buffer_pull(input->jitter, out, now_us);
    if (playing) {
        tolk_level_add(&input->level, out, TOLK_FRAME_SAMPLES);
        if (audible(out))
            atomic_store(&input->last_audible_us, now_us);
    }
    return playing;
}

/* An AES67 source's counters in the input's terms: its drops by reason fold into the SRTP
 * input's (not RTP; another sender; not the stream's format), its zeros are the lost. */
static void aes67_stats(tolk_media_input *input, tolk_aes67_receiver *aes67, tolk_media_input_stats *stats)
{
    tolk_aes67_stats a;
    tolk_aes67_receiver_get_stats(aes67, &a);
    *stats = (tolk_media_input_stats){
        .received = a.received,
        .decoded = a.accepted,
        .dropped_not_rtp = a.dropped[TOLK_AES67_DROP_NOT_RTP],
        .dropped_sender = a.dropped[TOLK_AES67_DROP_SOURCE] + a.dropped[TOLK_AES67_DROP_SSRC],
        .dropped_undecodable = a.dropped[TOLK_AES67_DROP_PAYLOAD_TYPE] + a.dropped[TOLK_AES67_DROP_SIZE],
        .last_valid_us = a.last_valid_us,
        .last_dropped_us = a.last_dropped_us,
        .dropping_since_us = a.dropping_since_us,
        .last_audible_us = atomic_load(&input->last_audible_us),
        .late = a.dropped[TOLK_AES67_DROP_LATE],
        .lost = a.concealed,
        .concealed = a.concealed,
        .skipped = a.drift_dropped + a.drift_repeated,
        .depth_ms = (unsigned)(a.fill_ms > 0 ? a.fill_ms + 0.5 : 0),
    };
}

bool tolk_media_input_aes67_stats(tolk_media_input *input, tolk_aes67_stats *stats)
{
    tolk_aes67_receiver *aes67 = atomic_load(&input->aes67);
    if (aes67)
        tolk_aes67_receiver_get_stats(aes67, stats);
    return aes67 != NULL;
}

void tolk_media_input_get_stats(tolk_media_input *input, tolk_media_input_stats *stats)
{
    tolk_aes67_receiver *aes67 = atomic_load(&input->aes67);
    if (aes67) {
        aes67_stats(input, aes67, stats);
        return;
    }
    tolk_srtp_receiver_stats r = {0};
    if (input->receiver)
        tolk_srtp_receiver_get_stats(input->receiver, &r);
    *stats = (tolk_media_input_stats){
        .received = atomic_load(&input->received),
        .decoded = atomic_load(&input->decoded),
        .dropped_not_rtp = r.not_rtp,
        .dropped_auth = r.auth_failed,
        .dropped_replay = r.replayed,
        .dropped_sender = r.senders_refused + atomic_load(&input->second_sender),
        .dropped_undecodable = atomic_load(&input->undecodable),
        .rtcp = r.rtcp,
        .rtcp_failed = r.rtcp_failed,
        .senders_evicted = r.senders_evicted,
        .rekeys = r.rekeys,
        .last_valid_us = atomic_load(&input->last_valid_us),
        .last_dropped_us = atomic_load(&input->last_dropped_us),
        .dropping_since_us = atomic_load(&input->dropping_since_us),
        .last_audible_us = atomic_load(&input->last_audible_us),
    };
    if (input->jitter) {
        tolk_jitter_stats j;
        tolk_jitter_buffer_get_stats(input->jitter, &j);
        stats->late = j.late;
        stats->lost = j.lost;
        stats->fec_recovered = j.fec_recovered;
        stats->concealed = j.concealed;
        stats->skipped = j.skipped;
        stats->jitter_ms = j.jitter_ms;
        stats->depth_ms = j.depth_ms;
    }
}

static bool within(gint64 at_us, gint64 now_us, gint64 span_us)
{
    return at_us && now_us - at_us < span_us;
}

tolk_input_state tolk_media_input_state(const tolk_media_input_stats *s, gint64 now_us, gint64 lost_timeout_us)
{
    /* The audio is judged a tick after its packet arrived (the reorder buffer's delay): a
     * sound that reaches the tick within the window still counts. */
    if (within(s->last_valid_us, now_us, TOLK_INPUT_RECENT_US))
        return within(s->last_audible_us, now_us, TOLK_INPUT_RECENT_US) ? TOLK_INPUT_RECEIVING : TOLK_INPUT_SILENT;
    if (within(s->last_dropped_us, now_us, TOLK_INPUT_RECENT_US) &&
        s->last_dropped_us - s->dropping_since_us >= TOLK_INPUT_FAILING_AFTER_US)
        return TOLK_INPUT_FAILING;
    if (s->last_valid_us && !within(s->last_valid_us, now_us, lost_timeout_us))
        return TOLK_INPUT_LOST;
    return TOLK_INPUT_SILENT;
}

const char *tolk_input_state_name(tolk_input_state state)
{
    static const char *const names[TOLK_INPUT_STATES] = {"silent", "receiving", "lost", "failing"};
    return (unsigned)state < TOLK_INPUT_STATES ? names[state] : "silent";
}

bool tolk_media_input_rekey(tolk_media_input *input, const uint8_t key[TOLK_KEY_LEN])
{
    if (!input->receiver)
        return false;
    g_mutex_lock(&input->receive_lock);
    bool ok = tolk_srtp_receiver_rekey(input->receiver, key);
    if (ok) {
        input->sender_ssrc = 0;
        input->sender_last_us = 0;
        tolk_jitter_buffer_restart(input->jitter);
    }
    g_mutex_unlock(&input->receive_lock);
    return ok;
}

double tolk_media_input_take_level(tolk_media_input *input)
{
    return tolk_level_take_dbfs(&input->level);
}
