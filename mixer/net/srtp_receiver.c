/* SPDX-License-Identifier: EUPL-1.2 */
#include "srtp_receiver.h"

#include "srtp_session.h"

#define TOLK_LOG_MODULE "net"
#include "log.h"

#include <arpa/inet.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    bool used;
    uint32_t ssrc;
    int64_t heard_us;
    bool has_report;
    tolk_rtcp_sender_report report;
    uint64_t highest;  /* SRTP index: the highest that authenticated */
    bool has_floor;    /* resumed: indexes at or below floor are replays */
    uint64_t floor;
    bool resumed;      /* resumed and not heard since: libsrtp needs its rollover counter */
} sender;

struct tolk_srtp_receiver {
    pthread_mutex_t lock;
    srtp_t srtp;
    sender senders[TOLK_SRTP_RECEIVER_SENDERS];
    uint32_t retired[TOLK_SRTP_RECEIVER_RETIRED];
    unsigned retired_count, retired_next;
    tolk_srtp_receiver_stats stats;
    const tolk_log_where *where; /* the owner's, or NULL */
};

void tolk_srtp_receiver_set_where(tolk_srtp_receiver *receiver, const tolk_log_where *where)
{
    receiver->where = where;
}

tolk_srtp_receiver *tolk_srtp_receiver_new(const uint8_t key[TOLK_KEY_LEN])
{
    if (key == NULL)
        return NULL;
    tolk_srtp_receiver *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    if ((r->srtp = tolk_srtp_session_new(key, false)) == NULL) {
        free(r);
        return NULL;
    }
    pthread_mutex_init(&r->lock, NULL);
    return r;
}

void tolk_srtp_receiver_free(tolk_srtp_receiver *r)
{
    if (r == NULL)
        return;
    /* srtp_dealloc zeroes the contexts that hold the session keys. */
    srtp_dealloc(r->srtp);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static bool resume_sender(tolk_srtp_receiver *r, const uint8_t key[TOLK_KEY_LEN],
                          const tolk_srtp_receiver_position *position, sender *slot)
{
    if (!tolk_srtp_session_add_stream(r->srtp, key, position->ssrc, (uint32_t)(position->highest >> 16)))
        return false;
    /* heard_us 0: quiet since long, so a new sender may take the place of one that never returns. */
    *slot = (sender){.used = true, .ssrc = position->ssrc, .highest = position->highest, .has_floor = true,
                     .floor = position->highest, .resumed = true};
    return true;
}

tolk_srtp_receiver *tolk_srtp_receiver_new_resumed(const uint8_t key[TOLK_KEY_LEN],
                                                   const tolk_srtp_receiver_position *senders, int count)
{
    tolk_srtp_receiver *r = tolk_srtp_receiver_new(key);
    if (r == NULL)
        return NULL;
    int taken = 0;
    for (int i = 0; i < count && taken < TOLK_SRTP_RECEIVER_SENDERS; i++) {
        if (!resume_sender(r, key, &senders[i], &r->senders[taken])) {
            tolk_srtp_receiver_free(r);
            return NULL;
        }
        taken++;
    }
    return r;
}

int tolk_srtp_receiver_positions(tolk_srtp_receiver *r, tolk_srtp_receiver_position *out, int max)
{
    int n = 0;
    pthread_mutex_lock(&r->lock);
    for (int i = 0; i < TOLK_SRTP_RECEIVER_SENDERS && n < max; i++) {
        if (r->senders[i].used)
            out[n++] = (tolk_srtp_receiver_position){r->senders[i].ssrc, r->senders[i].highest};
    }
    pthread_mutex_unlock(&r->lock);
    return n;
}

static sender *find_sender(tolk_srtp_receiver *r, uint32_t ssrc)
{
    for (int i = 0; i < TOLK_SRTP_RECEIVER_SENDERS; i++) {
        if (r->senders[i].used && r->senders[i].ssrc == ssrc)
            return &r->senders[i];
    }
    return NULL;
}

static bool is_retired(const tolk_srtp_receiver *r, uint32_t ssrc)
{
    for (unsigned i = 0; i < r->retired_count; i++) {
        if (r->retired[i] == ssrc)
            return true;
    }
    return false;
}

static void retire(tolk_srtp_receiver *r, uint32_t ssrc)
{
    r->retired[r->retired_next] = ssrc;
    r->retired_next = (r->retired_next + 1) % TOLK_SRTP_RECEIVER_RETIRED;
    if (r->retired_count < TOLK_SRTP_RECEIVER_RETIRED)
        r->retired_count++;
}

/* libsrtp keys its streams by the SSRC as it stands in the packet (network order). */
static void drop_stream(tolk_srtp_receiver *r, uint32_t ssrc)
{
    srtp_remove_stream(r->srtp, htonl(ssrc));
}

static sender *free_or_quiet_slot(tolk_srtp_receiver *r, int64_t now_us)
{
    sender *oldest = NULL;
    for (int i = 0; i < TOLK_SRTP_RECEIVER_SENDERS; i++) {
        sender *s = &r->senders[i];
        if (!s->used)
            return s;
        if (oldest == NULL || s->heard_us < oldest->heard_us)
            oldest = s;
    }
    if (now_us - oldest->heard_us < TOLK_SRTP_RECEIVER_QUIET_US)
        return NULL;
    LOG_INFO_AT(r->where, "sender (SSRC %08x) let go after %lld ms of quiet: a new one takes its place",
                oldest->ssrc, (long long)((now_us - oldest->heard_us) / 1000));
    drop_stream(r, oldest->ssrc);
    retire(r, oldest->ssrc);
    r->stats.senders_evicted++;
    return oldest;
}

/* libsrtp has just created a stream for ssrc (its first packet authenticated): keep it,
 * or take it back when there is no room. */
static sender *admit(tolk_srtp_receiver *r, uint32_t ssrc, int64_t now_us)
{
    sender *slot = free_or_quiet_slot(r, now_us);
    if (slot == NULL) {
        drop_stream(r, ssrc);
        r->stats.senders_refused++;
        return NULL;
    }
    memset(slot, 0, sizeof *slot);
    slot->used = true;
    slot->ssrc = ssrc;
    LOG_DEBUG_AT(r->where, "new sender (SSRC %08x)", ssrc);
    return slot;
}

static void count_failure(tolk_srtp_receiver *r, tolk_packet_kind kind, srtp_err_status_t status)
{
    if (kind == TOLK_PACKET_RTCP)
        r->stats.rtcp_failed++;
    else if (status == srtp_err_status_replay_fail || status == srtp_err_status_replay_old)
        r->stats.replayed++;
    else
        r->stats.auth_failed++;
}

static srtp_err_status_t unprotect(tolk_srtp_receiver *r, tolk_packet_kind kind, uint8_t *packet, size_t *len)
{
    if (*len > INT_MAX)
        return srtp_err_status_bad_param;
    int n = (int)*len;
    srtp_err_status_t status = kind == TOLK_PACKET_RTP ? srtp_unprotect(r->srtp, packet, &n)
                                                       : srtp_unprotect_rtcp(r->srtp, packet, &n);
    if (status == srtp_err_status_ok)
        *len = (size_t)n;
    return status;
}

static tolk_receive_result take_rtcp(sender *s, const uint8_t *packet, size_t len)
{
    tolk_rtcp_sender_report report;
    if (tolk_rtcp_parse_sender_report(packet, len, &report) && report.ssrc == s->ssrc) {
        s->report = report;
        s->has_report = true;
    }
    return TOLK_RECEIVE_RTCP;
}

/* The packet's SRTP index, guessed from its sender's highest (a new sender starts at
 * rollover counter 0, as libsrtp's fresh stream does). False for a resumed sender's packet at
 * or below its floor. A resumed sender not heard since gets its rollover counter into
 * libsrtp before the packet goes there. */
static bool place_packet(tolk_srtp_receiver *r, const sender *s, const uint8_t *packet, uint64_t *index)
{
    uint16_t seq = (uint16_t)(packet[2] << 8 | packet[3]);
    *index = s ? tolk_srtp_guess_index(s->highest, seq) : seq;
    if (s == NULL)
        return true;
    if (s->has_floor && *index <= s->floor)
        return false;
    if (s->resumed && *index >> 16 != 0)
        srtp_set_stream_roc(r->srtp, s->ssrc, (uint32_t)(*index >> 16));
    return true;
}

static tolk_receive_result receive_locked(tolk_srtp_receiver *r, tolk_packet_kind kind, uint8_t *packet,
                                          size_t *len, int64_t now_us)
{
    uint32_t ssrc = tolk_packet_ssrc(packet, kind);
    if (is_retired(r, ssrc)) {
        count_failure(r, kind, srtp_err_status_replay_fail);
        return TOLK_RECEIVE_DROPPED;
    }
    sender *s = find_sender(r, ssrc);
    uint64_t index = 0;
    if (kind == TOLK_PACKET_RTP && !place_packet(r, s, packet, &index)) {
        count_failure(r, kind, srtp_err_status_replay_old);
        return TOLK_RECEIVE_DROPPED;
    }
    srtp_err_status_t status = unprotect(r, kind, packet, len);
    if (status != srtp_err_status_ok) {
        count_failure(r, kind, status);
        return TOLK_RECEIVE_DROPPED;
    }
    if (s == NULL && (s = admit(r, ssrc, now_us)) == NULL)
        return TOLK_RECEIVE_DROPPED;
    s->heard_us = now_us;
    if (kind == TOLK_PACKET_RTP) {
        s->resumed = false;
        if (index > s->highest)
            s->highest = index;
    }
    if (kind == TOLK_PACKET_RTCP) {
        r->stats.rtcp++;
        return take_rtcp(s, packet, *len);
    }
    r->stats.media++;
    return TOLK_RECEIVE_MEDIA;
}

tolk_receive_result tolk_srtp_receiver_receive(tolk_srtp_receiver *r, uint8_t *packet, size_t *len,
                                               int64_t now_us)
{
    tolk_packet_kind kind = tolk_packet_classify(packet, *len);
    pthread_mutex_lock(&r->lock);
    r->stats.received++;
    tolk_receive_result result = TOLK_RECEIVE_DROPPED;
    if (kind == TOLK_PACKET_NOT_RTP)
        r->stats.not_rtp++;
    else
        result = receive_locked(r, kind, packet, len, now_us);
    pthread_mutex_unlock(&r->lock);
    return result;
}

bool tolk_srtp_receiver_rekey(tolk_srtp_receiver *r, const uint8_t key[TOLK_KEY_LEN])
{
    srtp_t fresh = tolk_srtp_session_new(key, false);
    if (fresh == NULL)
        return false;
    pthread_mutex_lock(&r->lock);
    srtp_t old = r->srtp;
    r->srtp = fresh;
    memset(r->senders, 0, sizeof r->senders);
    r->retired_count = r->retired_next = 0;
    r->stats.rekeys++;
    pthread_mutex_unlock(&r->lock);
    srtp_dealloc(old);
    return true;
}

void tolk_srtp_receiver_get_stats(tolk_srtp_receiver *r, tolk_srtp_receiver_stats *stats)
{
    pthread_mutex_lock(&r->lock);
    *stats = r->stats;
    pthread_mutex_unlock(&r->lock);
}

int tolk_srtp_receiver_sender_count(tolk_srtp_receiver *r)
{
    int count = 0;
    pthread_mutex_lock(&r->lock);
    for (int i = 0; i < TOLK_SRTP_RECEIVER_SENDERS; i++)
        count += r->senders[i].used;
    pthread_mutex_unlock(&r->lock);
    return count;
}

bool tolk_srtp_receiver_last_sender_report(tolk_srtp_receiver *r, uint32_t ssrc, tolk_rtcp_sender_report *report)
{
    pthread_mutex_lock(&r->lock);
    sender *s = find_sender(r, ssrc);
    bool found = s != NULL && s->has_report;
    if (found)
        *report = s->report;
    pthread_mutex_unlock(&r->lock);
    return found;
}
