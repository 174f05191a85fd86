/* SPDX-License-Identifier: EUPL-1.2 */
#include "sap_directory.h"

#include <stdlib.h>
#include <string.h>

#include "sap.h"

struct tolk_sap_directory {
    tolk_sap_entry *entries;
    unsigned count, max;
    tolk_sap_directory_stats stats;
};

tolk_sap_directory *tolk_sap_directory_new(unsigned max_sessions)
{
    tolk_sap_directory *dir = calloc(1, sizeof *dir);
    if (!dir)
        return NULL;
    dir->max = max_sessions ? max_sessions : TOLK_SAP_DIRECTORY_MAX;
    dir->entries = calloc(dir->max, sizeof *dir->entries);
    if (!dir->entries) {
        free(dir);
        return NULL;
    }
    return dir;
}

void tolk_sap_directory_free(tolk_sap_directory *dir)
{
    if (!dir)
        return;
    for (unsigned i = 0; i < dir->count; i++)
        free(dir->entries[i].sdp);
    free(dir->entries);
    free(dir);
}

static tolk_sap_entry *lookup(tolk_sap_directory *dir, const char *origin, uint16_t hash)
{
    for (unsigned i = 0; i < dir->count; i++) {
        tolk_sap_entry *e = &dir->entries[i];
        if (e->hash == hash && strcmp(e->origin, origin) == 0)
            return e;
    }
    return NULL;
}

static void forget(tolk_sap_directory *dir, tolk_sap_entry *e)
{
    free(e->sdp);
    *e = dir->entries[--dir->count];
    memset(&dir->entries[dir->count], 0, sizeof *e);
}

static char *copy_text(const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, text, len);
        copy[len] = '\0';
    }
    return copy;
}

static tolk_sap_outcome announce(tolk_sap_directory *dir, const tolk_sap_message *msg, int64_t now_us,
                                 int64_t now_real_us)
{
    tolk_sap_entry *e = lookup(dir, msg->origin, msg->msg_id_hash);
    if (e) {
        int64_t interval = now_us - e->last_seen_us;
        e->interval_us = interval < TOLK_SAP_MIN_INTERVAL_US ? TOLK_SAP_MIN_INTERVAL_US : interval;
        e->last_seen_us = now_us;
        e->last_seen_real_us = now_real_us;
        return TOLK_SAP_REFRESHED;
    }
    tolk_aes67_stream stream;
    tolk_error err;
    if (!tolk_aes67_sdp_parse(msg->sdp, msg->sdp_len, &stream, &err)) {
        dir->stats.refused++;
        return TOLK_SAP_REFUSED;
    }
    if (dir->count == dir->max) {
        dir->stats.full++;
        return TOLK_SAP_FULL;
    }
    char *sdp = copy_text(msg->sdp, msg->sdp_len);
    if (!sdp) {
        dir->stats.full++;
        return TOLK_SAP_FULL;
    }
    e = &dir->entries[dir->count++];
    *e = (tolk_sap_entry){.hash = msg->msg_id_hash, .stream = stream, .sdp = sdp, .first_seen_us = now_us,
                          .last_seen_us = now_us, .interval_us = TOLK_SAP_DEFAULT_INTERVAL_US,
                          .last_seen_real_us = now_real_us};
    memcpy(e->origin, msg->origin, sizeof e->origin);
    return TOLK_SAP_ADDED;
}

tolk_sap_outcome tolk_sap_directory_take(tolk_sap_directory *dir, const uint8_t *datagram, size_t len, int64_t now_us,
                                         int64_t now_real_us)
{
    tolk_sap_message msg;
    tolk_error err;
    if (!tolk_sap_parse(datagram, len, &msg, &err)) {
        dir->stats.refused++;
        return TOLK_SAP_REFUSED;
    }
    if (!msg.deletion) {
        dir->stats.announcements++;
        return announce(dir, &msg, now_us, now_real_us);
    }
    dir->stats.deletions++;
    tolk_sap_entry *e = lookup(dir, msg.origin, msg.msg_id_hash);
    if (!e)
        return TOLK_SAP_IGNORED;
    forget(dir, e);
    return TOLK_SAP_DELETED;
}

unsigned tolk_sap_directory_expire(tolk_sap_directory *dir, int64_t now_us)
{
    unsigned gone = 0;
    for (unsigned i = dir->count; i-- > 0;) {
        tolk_sap_entry *e = &dir->entries[i];
        if (now_us - e->last_seen_us > TOLK_SAP_TIMEOUT_INTERVALS * e->interval_us) {
            forget(dir, e);
            gone++;
        }
    }
    dir->stats.expired += gone;
    return gone;
}

unsigned tolk_sap_directory_count(const tolk_sap_directory *dir)
{
    return dir->count;
}

const tolk_sap_entry *tolk_sap_directory_at(const tolk_sap_directory *dir, unsigned i)
{
    return i < dir->count ? &dir->entries[i] : NULL;
}

const tolk_sap_entry *tolk_sap_directory_find(const tolk_sap_directory *dir, const char *name)
{
    const tolk_sap_entry *best = NULL;
    for (unsigned i = 0; i < dir->count; i++) {
        const tolk_sap_entry *e = &dir->entries[i];
        if (strcmp(e->stream.session_name, name) == 0 && (!best || e->last_seen_us > best->last_seen_us))
            best = e;
    }
    return best;
}

void tolk_sap_directory_get_stats(const tolk_sap_directory *dir, tolk_sap_directory_stats *stats)
{
    *stats = dir->stats;
}
