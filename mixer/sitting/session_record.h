/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A sitting as the state store keeps it (store.h): two records per sitting.
 *  - "sitting": what the API made of it: the configuration, the inputs' ports and keys, the
 *    streams' keys, outputs, console states, public flags, the sound check, open signals and
 *    the tokens handed out. Written whenever it changes (before the API answers).
 *  - "counters": where each stream's SRTP index and timeline stand and the highest index
 *    each input's senders reached, with the wall-clock time they were read. Written every
 *    second and at a clean stop.
 * A restart reads both back (tolk_session_saved_parse), builds the sitting with the same
 * ports, keys and stream positions (session.c), then puts back the rest
 * (tolk_session_restore_state). The record format is docs/operations.md's "State".
 *
 * Index safety across a restart: an output's stream continues at the counters' index plus
 * one index per 20 ms of wall-clock time since they were read plus TOLK_RESTART_MARGIN (a
 * stream sends at most one packet per 20 ms frame of the engine's absolute grid), so no
 * index sent before the stop is sent again under the same key; its timestamps move on by
 * the time elapsed. A wall clock that went back since then takes TOLK_RESTART_BACKWARDS.
 *
 * Threads: like session.h, under the app lock (the parse runs at start, before any
 * other thread).
 */
#ifndef TOLK_SESSION_RECORD_H
#define TOLK_SESSION_RECORD_H

#include "grants.h"
#include "session.h"

#define TOLK_RECORD_SITTING "sitting"
#define TOLK_RECORD_COUNTERS "counters"
#define TOLK_RECORD_VERSION 1
#define TOLK_RESTART_MARGIN 50       /* indexes: 1 s of frames beyond the time bound */
#define TOLK_RESTART_BACKWARDS 1500  /* indexes when the clock went back: 30 s, under ffmpeg's 3000 */

typedef struct {
    int port;
    uint8_t key[TOLK_KEY_LEN];
} tolk_saved_input;

struct tolk_session_saved {
    tolk_session_params params;
    bool floor_from_file; /* the demo's floor */
    tolk_saved_input floor;
    tolk_saved_input consoles[TOLK_MAX_SLOTS];
    uint8_t channel_keys[TOLK_MAX_CHANNELS + 1][TOLK_KEY_LEN];
    uint8_t feed_keys[TOLK_MAX_SLOTS][TOLK_KEY_LEN];
    /* From the counters record (zeros without one). */
    tolk_media_stream_start channel_starts[TOLK_MAX_CHANNELS + 1];
    tolk_media_stream_start feed_starts[TOLK_MAX_SLOTS];
    int floor_senders, console_senders[TOLK_MAX_SLOTS];
    tolk_srtp_receiver_position floor_positions[TOLK_SRTP_RECEIVER_SENDERS];
    tolk_srtp_receiver_position console_positions[TOLK_MAX_SLOTS][TOLK_SRTP_RECEIVER_SENDERS];
    json_object *record; /* the sitting record, for tolk_session_restore_state */
    json_object *video_counters; /* the counters' "video": RTP video sources' senders, or NULL */
};

/* The records' texts (g_free them). */
char *tolk_session_record(tolk_session *session, tolk_grants *grants);
char *tolk_session_counters(tolk_session *session, gint64 now_real_us);
/* A digest of the counters without the time: when it has not moved, neither have they (an
 * idle sitting), and the record is not made again. */
uint64_t tolk_session_counters_digest(tolk_session *session);

/* Reads the records of a sitting (counters may be NULL) into a new saved value; NULL with
 * *err naming the sitting and the field when the record is not one this Tolk can use. */
tolk_session_saved *tolk_session_saved_parse(const char *record, const char *counters, gint64 now_real_us,
                                             tolk_error *err);
void tolk_session_saved_free(tolk_session_saved *saved);

/* After tolk_session_new from saved: outputs (same ids, keys, destinations), console states
 * (a live console is live again), public flags, the sound check, open signals, tokens. What
 * cannot be put back (an output the sender refuses, a console the rules now refuse) is
 * logged and left out; the sitting runs. */
void tolk_session_restore_state(tolk_session *session, const tolk_session_saved *saved, tolk_grants *grants);

#endif
