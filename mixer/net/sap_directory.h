/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The AES67 streams the hall announces by SAP (RFC 2974): a table of sessions keyed by
 * (origin, message id hash), each with its SDP as read (aes67_sdp.h). An announcement adds or
 * refreshes its session; a deletion, or 10 of its announcement intervals without one, forgets
 * it. The table is bounded: an announcement past the cap is dropped and counted. No socket and
 * no clock: the caller feeds datagrams and the time.
 *
 * Threads: not thread-safe; one owner (the daemon's main loop under the app lock).
 */
#ifndef TOLK_NET_SAP_DIRECTORY_H
#define TOLK_NET_SAP_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67_sdp.h"

#define TOLK_SAP_DIRECTORY_MAX 256
/* Before a session's second announcement its interval is taken as this (Dante's and RFC 2974's
 * usual period is about 30 s). */
#define TOLK_SAP_DEFAULT_INTERVAL_US (30 * 1000000LL)
#define TOLK_SAP_MIN_INTERVAL_US (1000000LL)
#define TOLK_SAP_TIMEOUT_INTERVALS 10

typedef struct {
    char origin[46];
    uint16_t hash;
    tolk_aes67_stream stream;
    char *sdp;            /* the announced SDP text, NUL-terminated */
    int64_t first_seen_us, last_seen_us, interval_us;
    int64_t last_seen_real_us; /* wall clock, for the API */
} tolk_sap_entry;

typedef enum {
    TOLK_SAP_ADDED,     /* a session not known before */
    TOLK_SAP_REFRESHED, /* an announcement of a known one */
    TOLK_SAP_DELETED,   /* a deletion of a known one */
    TOLK_SAP_IGNORED,   /* a deletion of one not known */
    TOLK_SAP_REFUSED,   /* not SAP Tolk reads, or an SDP that is not an AES67 stream Tolk takes */
    TOLK_SAP_FULL,      /* a new session past the cap */
} tolk_sap_outcome;

typedef struct {
    uint64_t announcements, deletions, refused, full, expired;
} tolk_sap_directory_stats;

typedef struct tolk_sap_directory tolk_sap_directory;

tolk_sap_directory *tolk_sap_directory_new(unsigned max_sessions);
void tolk_sap_directory_free(tolk_sap_directory *dir);

/* One received datagram (its own origin field and hash key it). */
tolk_sap_outcome tolk_sap_directory_take(tolk_sap_directory *dir, const uint8_t *datagram, size_t len, int64_t now_us,
                                         int64_t now_real_us);
/* Forgets the sessions not announced for 10 intervals; how many went. */
unsigned tolk_sap_directory_expire(tolk_sap_directory *dir, int64_t now_us);

unsigned tolk_sap_directory_count(const tolk_sap_directory *dir);
const tolk_sap_entry *tolk_sap_directory_at(const tolk_sap_directory *dir, unsigned i);
/* The session announced under that name (s=) most recently; NULL when none. */
const tolk_sap_entry *tolk_sap_directory_find(const tolk_sap_directory *dir, const char *name);
void tolk_sap_directory_get_stats(const tolk_sap_directory *dir, tolk_sap_directory_stats *stats);

#endif
