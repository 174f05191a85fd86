/* SPDX-License-Identifier: EUPL-1.2 */
#include "jitter_buffer.h"

#include "opus_packet.h"

#include <math.h>
#include <opus/opus.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000
#define FRAME TOLK_JITTER_FRAME
#define SLOTS 64          /* packets stored ahead: a power of two, so seq % SLOTS survives the wrap */
#define HISTORY 64        /* packets remembered behind, to tell late from duplicate */
#define MAX_PAYLOAD 1500  /* one RTP packet on Ethernet */
#define FIFO_CAP 8192     /* < 2 frames left over + one 120 ms packet */
#define CONCEAL_LIMIT 4800 /* 100 ms of concealment with nothing arriving: the input went quiet */
#define FADE_FROM 2880     /* the last 40 ms of it fade out */
#define RESYNC_RUN 3       /* consecutive packets beyond the window: the sender jumped */
#define LATE_WINDOW_US 2000000   /* two lates this close: the sender is late by a tick, grow */
#define SHRINK_WINDOW_US 1000000 /* a frame to spare for this long: shrink */
#define QUIET_RMS 0.0056f        /* -45 dBFS: a frame this quiet is skipped unheard */

typedef struct {
    bool full;
    uint16_t seq;
    int samples;
    size_t len;
    uint8_t data[MAX_PAYLOAD];
} jb_slot;

typedef enum { SEEN_NONE, SEEN_PLAYED, SEEN_PLC, SEEN_FEC, SEEN_LATE } jb_seen;

typedef struct {
    uint16_t seq;
    uint8_t seen;
} jb_history;

typedef enum { JB_NEW, JB_RUNNING, JB_IDLE } jb_state;

typedef enum { TAKE_NONE, TAKE_PACKET, TAKE_FEC, TAKE_LOST } jb_take;

struct tolk_jitter_buffer {
    pthread_mutex_t lock;
    /* Under the lock. */
    jb_state state;
    uint16_t next_seq; /* the packet whose turn is next */
    int max_delay;     /* samples */
    int stored;        /* samples in the slots */
    int fifo_shared;   /* the tick's decoded samples, for depth_ms */
    jb_slot slots[SLOTS];
    jb_history history[HISTORY];
    bool have_late;
    int64_t last_late_us;
    bool grew;    /* the tick restarts its shrink window */
    bool started; /* the tick has taken a turn since start_at: the start is fixed */
    int far_run;
    uint16_t far_seq;
    bool restart_pending;
    bool have_arrival;
    int64_t last_arrival_us;
    uint32_t last_ts;
    double jitter_us;
    uint64_t plc_samples;
    tolk_jitter_stats stats;

    /* The tick thread's own. */
    OpusDecoder *decoder;
    float fifo[FIFO_CAP];
    int fifo_len;
    int conceal_run;  /* samples concealed since the last decoded packet */
    int last_samples; /* the last packet's duration: a lost one is assumed as long */
    bool window_open;
    int64_t window_start_us;
    int window_min_spare;
    bool shrink_pending;
    int64_t shrink_since_us;
    uint64_t tick_plc_samples, tick_invalid, tick_skipped;
};

tolk_jitter_buffer *tolk_jitter_buffer_new(unsigned max_delay_ms)
{
    if (max_delay_ms < 5)
        max_delay_ms = 5;
    if (max_delay_ms > 500)
        max_delay_ms = 500;
    tolk_jitter_buffer *jb = calloc(1, sizeof *jb);
    if (!jb)
        return NULL;
    int err;
    /* A mono decoder: libopus downmixes a stereo stream itself, cheaper than decoding both. */
    jb->decoder = opus_decoder_create(RATE, 1, &err);
    if (!jb->decoder) {
        free(jb);
        return NULL;
    }
    pthread_mutex_init(&jb->lock, NULL);
    jb->max_delay = (int)max_delay_ms * (RATE / 1000);
    jb->last_samples = FRAME;
    return jb;
}

void tolk_jitter_buffer_free(tolk_jitter_buffer *jb)
{
    if (!jb)
        return;
    opus_decoder_destroy(jb->decoder);
    pthread_mutex_destroy(&jb->lock);
    free(jb);
}

/* ---- The receive side (under the lock) ---- */

static void clear_slots(tolk_jitter_buffer *jb)
{
    for (int i = 0; i < SLOTS; i++)
        jb->slots[i].full = false;
    jb->stored = 0;
}

static void start_at(tolk_jitter_buffer *jb, uint16_t seq)
{
    clear_slots(jb);
    jb->state = JB_RUNNING;
    jb->next_seq = seq;
    jb->far_run = 0;
    jb->started = false;
}

static void note_jitter(tolk_jitter_buffer *jb, uint32_t ts, int64_t arrival_us)
{
    if (jb->have_arrival) {
        double d = (double)(arrival_us - jb->last_arrival_us) - (double)(int32_t)(ts - jb->last_ts) * 1e6 / RATE;
        if (fabs(d) < 1e6) /* a timestamp or clock jump is not jitter */
            jb->jitter_us += (fabs(d) - jb->jitter_us) / 16.0;
    }
    jb->have_arrival = true;
    jb->last_arrival_us = arrival_us;
    jb->last_ts = ts;
}

static void mark(tolk_jitter_buffer *jb, uint16_t seq, jb_seen seen)
{
    jb->history[seq % HISTORY] = (jb_history){.seq = seq, .seen = (uint8_t)seen};
}

static const jb_history *seen(const tolk_jitter_buffer *jb, uint16_t seq)
{
    const jb_history *h = &jb->history[seq % HISTORY];
    return h->seq == seq && h->seen != SEEN_NONE ? h : NULL;
}

static void store(tolk_jitter_buffer *jb, uint16_t seq, const uint8_t *payload, size_t len, int samples)
{
    jb_slot *s = &jb->slots[seq % SLOTS];
    if (s->full && s->seq == seq) {
        jb->stats.duplicate++;
        return;
    }
    if (s->full)
        jb->stored -= s->samples;
    s->full = true;
    s->seq = seq;
    s->samples = samples;
    s->len = len;
    memcpy(s->data, payload, len);
    jb->stored += samples;
}

static bool persistently_late(tolk_jitter_buffer *jb, int64_t arrival_us)
{
    bool again = jb->have_late && arrival_us - jb->last_late_us <= LATE_WINDOW_US;
    jb->have_late = true;
    jb->last_late_us = arrival_us;
    return again;
}

/* A packet whose turn has passed: a duplicate, a late one dropped, or (late by a tick again)
 * the one just concealed, played after its concealment so that the queue grows by a frame. */
static void put_past(tolk_jitter_buffer *jb, const jb_history *h, uint16_t seq, const uint8_t *payload,
                     size_t len, int samples, int64_t arrival_us)
{
    if (h->seen == SEEN_PLAYED || h->seen == SEEN_LATE) {
        jb->stats.duplicate++;
        return;
    }
    bool was_fec = h->seen == SEEN_FEC;
    jb->stats.lost--; /* it did arrive */
    if (was_fec)
        jb->stats.fec_recovered--;
    bool grow = persistently_late(jb, arrival_us) && !was_fec && jb->state == JB_RUNNING &&
                seq == (uint16_t)(jb->next_seq - 1) && jb->stored + jb->fifo_shared + samples <= jb->max_delay;
    if (grow) {
        mark(jb, seq, SEEN_NONE);
        jb->next_seq = seq;
        store(jb, seq, payload, len, samples);
        jb->grew = true;
        return;
    }
    mark(jb, seq, SEEN_LATE);
    jb->stats.late++;
}

/* Beyond the window (far ahead, or behind what is remembered): dropped, unless a run of them
 * in sequence says the sender jumped, then the stream starts afresh there. */
static void put_far(tolk_jitter_buffer *jb, uint16_t seq, const uint8_t *payload, size_t len, int samples)
{
    jb->far_run = jb->far_run > 0 && seq == (uint16_t)(jb->far_seq + 1) ? jb->far_run + 1 : 1;
    jb->far_seq = seq;
    if (jb->far_run < RESYNC_RUN) {
        jb->stats.invalid++;
        return;
    }
    start_at(jb, seq);
    store(jb, seq, payload, len, samples);
}

static void put_running(tolk_jitter_buffer *jb, uint16_t seq, const uint8_t *payload, size_t len, int samples,
                        int64_t arrival_us)
{
    int d = (int16_t)(uint16_t)(seq - jb->next_seq);
    if (d < 0 && !jb->started && d > -SLOTS && jb->stored - d * samples <= jb->max_delay) {
        jb->next_seq = seq; /* the first packets came reordered: start at the earliest */
        d = 0;
    }
    if (d < 0) {
        const jb_history *h = seen(jb, seq);
        if (h)
            put_past(jb, h, seq, payload, len, samples, arrival_us);
        else
            put_far(jb, seq, payload, len, samples);
        return;
    }
    bool fits = d == 0 || (d < SLOTS && d * samples <= jb->max_delay &&
                           jb->stored + jb->fifo_shared + samples <= jb->max_delay);
    if (!fits) {
        put_far(jb, seq, payload, len, samples);
        return;
    }
    jb->far_run = 0;
    store(jb, seq, payload, len, samples);
}

void tolk_jitter_buffer_put(tolk_jitter_buffer *jb, uint16_t seq, uint32_t rtp_ts, const uint8_t *payload,
                            size_t len, int64_t arrival_us)
{
    int samples = len <= MAX_PAYLOAD ? tolk_opus_packet_samples(payload, len) : -1;
    pthread_mutex_lock(&jb->lock);
    if (samples < 0) {
        jb->stats.invalid++;
    } else {
        note_jitter(jb, rtp_ts, arrival_us);
        if (jb->state == JB_IDLE) {
            /* Quiet: a packet played already is a duplicate; any other starts afresh, even one
             * whose turn was concealed (the sender paused and goes on where it stopped). */
            const jb_history *h = seen(jb, seq);
            if (h && (h->seen == SEEN_PLAYED || h->seen == SEEN_LATE))
                jb->stats.duplicate++;
            else
                start_at(jb, seq);
        } else if (jb->state == JB_NEW) {
            start_at(jb, seq);
        }
        if (jb->state == JB_RUNNING)
            put_running(jb, seq, payload, len, samples, arrival_us);
    }
    pthread_mutex_unlock(&jb->lock);
}

void tolk_jitter_buffer_restart(tolk_jitter_buffer *jb)
{
    pthread_mutex_lock(&jb->lock);
    clear_slots(jb);
    memset(jb->history, 0, sizeof jb->history);
    jb->state = JB_NEW;
    jb->have_arrival = false;
    jb->have_late = false;
    jb->far_run = 0;
    jb->restart_pending = true; /* the tick resets its decoder and queue */
    pthread_mutex_unlock(&jb->lock);
}

void tolk_jitter_buffer_get_stats(tolk_jitter_buffer *jb, tolk_jitter_stats *stats)
{
    pthread_mutex_lock(&jb->lock);
    *stats = jb->stats;
    stats->concealed = jb->plc_samples / FRAME;
    stats->jitter_ms = jb->jitter_us / 1000.0;
    stats->depth_ms = (unsigned)((jb->stored + jb->fifo_shared) / (RATE / 1000));
    pthread_mutex_unlock(&jb->lock);
}

/* ---- The tick side ---- */

/* The packet whose turn it is, into buf. With `conceal`, a missing one is passed over: its
 * successor's payload comes back for FEC if it has some, else TAKE_LOST; without, it waits. */
static jb_take take_next(tolk_jitter_buffer *jb, bool conceal, uint8_t *buf, size_t *len, int *samples)
{
    jb_take take = TAKE_NONE;
    pthread_mutex_lock(&jb->lock);
    if (jb->state != JB_RUNNING)
        goto out;
    jb->started = true;
    jb_slot *s = &jb->slots[jb->next_seq % SLOTS];
    if (s->full && s->seq == jb->next_seq) {
        memcpy(buf, s->data, s->len);
        *len = s->len;
        *samples = s->samples;
        s->full = false;
        jb->stored -= s->samples;
        mark(jb, jb->next_seq++, SEEN_PLAYED);
        jb->stats.played++;
        take = TAKE_PACKET;
        goto out;
    }
    if (!conceal)
        goto out;
    if (jb->conceal_run >= CONCEAL_LIMIT && jb->stored == 0) {
        jb->state = JB_IDLE; /* keeps the history: a duplicate of a played packet stays one */
        goto out;
    }
    jb_slot *n = &jb->slots[(uint16_t)(jb->next_seq + 1) % SLOTS];
    take = TAKE_LOST;
    *samples = jb->last_samples;
    if (n->full && n->seq == (uint16_t)(jb->next_seq + 1)) {
        *samples = n->samples;
        if (tolk_opus_packet_has_fec(n->data, n->len)) {
            memcpy(buf, n->data, n->len);
            *len = n->len;
            take = TAKE_FEC;
            jb->stats.fec_recovered++;
        }
    }
    jb->stats.lost++;
    mark(jb, jb->next_seq++, take == TAKE_FEC ? SEEN_FEC : SEEN_PLC);
out:
    pthread_mutex_unlock(&jb->lock);
    return take;
}

static void conceal(tolk_jitter_buffer *jb, int samples)
{
    float *at = jb->fifo + jb->fifo_len;
    int n = opus_decode_float(jb->decoder, NULL, 0, at, samples, 0);
    if (n < 0) {
        memset(at, 0, sizeof *at * (size_t)samples);
        n = samples;
    }
    for (int i = 0; i < n; i++) {
        int run = jb->conceal_run + i;
        if (run >= FADE_FROM)
            at[i] *= run >= CONCEAL_LIMIT ? 0.0f : (float)(CONCEAL_LIMIT - run) / (CONCEAL_LIMIT - FADE_FROM);
    }
    jb->conceal_run += n;
    jb->fifo_len += n;
    jb->tick_plc_samples += (uint64_t)n;
}

static void decode(tolk_jitter_buffer *jb, const uint8_t *buf, size_t len, int samples, int fec)
{
    int n = opus_decode_float(jb->decoder, buf, (opus_int32)len, jb->fifo + jb->fifo_len, samples, fec);
    if (n < 0) {
        if (!fec)
            jb->tick_invalid++;
        conceal(jb, samples);
        return;
    }
    jb->fifo_len += n;
    if (!fec) {
        jb->conceal_run = 0;
        jb->last_samples = samples;
    }
}

/* Decodes (or, if it may, conceals) until `need` samples are queued or nothing is left. */
static void fill(tolk_jitter_buffer *jb, int need, bool may_conceal)
{
    uint8_t buf[MAX_PAYLOAD];
    size_t len = 0;
    int samples = 0;
    while (jb->fifo_len < need) {
        switch (take_next(jb, may_conceal, buf, &len, &samples)) {
        case TAKE_NONE:
            return;
        case TAKE_PACKET:
            decode(jb, buf, len, samples, 0);
            break;
        case TAKE_FEC:
            decode(jb, buf, len, samples, 1);
            break;
        case TAKE_LOST:
            conceal(jb, samples);
            break;
        }
    }
}

static float rms(const float *pcm, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += (double)pcm[i] * pcm[i];
    return (float)sqrt(sum / n);
}

static void drop_front(tolk_jitter_buffer *jb, int n)
{
    jb->fifo_len -= n;
    memmove(jb->fifo, jb->fifo + n, sizeof *jb->fifo * (size_t)jb->fifo_len);
}

/* A shrink waits for a quiet frame among the queued ones, for a second at most. */
static void maybe_skip(tolk_jitter_buffer *jb, int64_t now_us)
{
    if (!jb->shrink_pending)
        return;
    fill(jb, 2 * FRAME, false);
    if (jb->fifo_len < 2 * FRAME) {
        jb->shrink_pending = false; /* nothing to spare any more */
        return;
    }
    if (rms(jb->fifo, FRAME) >= QUIET_RMS && now_us - jb->shrink_since_us < SHRINK_WINDOW_US)
        return;
    drop_front(jb, FRAME);
    jb->tick_skipped++;
    jb->shrink_pending = false;
    jb->window_open = false;
}

static void reset_tick(tolk_jitter_buffer *jb)
{
    opus_decoder_ctl(jb->decoder, OPUS_RESET_STATE);
    jb->fifo_len = 0;
    jb->conceal_run = 0;
    jb->last_samples = FRAME;
    jb->window_open = false;
    jb->shrink_pending = false;
}

/* Resets the decoder if asked to; false if the input is quiet and nothing is left to play, so
 * that a quiet input costs one uncontended lock per tick. */
static bool wake(tolk_jitter_buffer *jb)
{
    pthread_mutex_lock(&jb->lock);
    bool reset = jb->restart_pending;
    jb->restart_pending = false;
    bool quiet = jb->state != JB_RUNNING;
    pthread_mutex_unlock(&jb->lock);
    if (reset)
        reset_tick(jb);
    return !quiet || jb->fifo_len > 0;
}

/* Publishes the tick's counters and measures what the queue holds beyond this frame: a frame
 * to spare at every pull for a second means the queue has grown more than it needs. */
static void after_pull(tolk_jitter_buffer *jb, int64_t now_us)
{
    pthread_mutex_lock(&jb->lock);
    int spare = jb->fifo_len;
    for (uint16_t seq = jb->next_seq; spare < FRAME; seq++) {
        const jb_slot *s = &jb->slots[seq % SLOTS];
        if (!s->full || s->seq != seq)
            break;
        spare += s->samples;
    }
    jb->fifo_shared = jb->fifo_len;
    jb->plc_samples += jb->tick_plc_samples;
    jb->stats.invalid += jb->tick_invalid;
    jb->stats.skipped += jb->tick_skipped;
    jb->tick_plc_samples = jb->tick_invalid = jb->tick_skipped = 0;
    bool grew = jb->grew;
    jb->grew = false;
    pthread_mutex_unlock(&jb->lock);

    if (grew || !jb->window_open) {
        jb->window_open = true;
        jb->window_start_us = now_us;
        jb->window_min_spare = spare;
        return;
    }
    if (spare < jb->window_min_spare)
        jb->window_min_spare = spare;
    if (now_us - jb->window_start_us >= SHRINK_WINDOW_US) {
        if (jb->window_min_spare >= FRAME && !jb->shrink_pending) {
            jb->shrink_pending = true;
            jb->shrink_since_us = now_us;
        }
        jb->window_open = false;
    }
}

bool tolk_jitter_buffer_pull(tolk_jitter_buffer *jb, float out[TOLK_JITTER_FRAME], int64_t now_us)
{
    if (!wake(jb)) {
        jb->window_open = false;
        return false;
    }
    fill(jb, FRAME, true);
    if (jb->fifo_len == 0) {
        after_pull(jb, now_us);
        jb->window_open = false; /* a new stream measures afresh */
        return false;
    }
    maybe_skip(jb, now_us);
    int n = jb->fifo_len < FRAME ? jb->fifo_len : FRAME;
    memcpy(out, jb->fifo, sizeof *out * (size_t)n);
    memset(out + n, 0, sizeof *out * (size_t)(FRAME - n)); /* the last bit of a stream that stopped */
    drop_front(jb, n);
    after_pull(jb, now_us);
    return true;
}
