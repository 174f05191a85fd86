/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * An HLS media playlist (RFC 8216) as Tolk writes it: the last N segments of one
 * channel, each with its wall-clock start (EXT-X-PROGRAM-DATE-TIME) and whether a
 * restart of the encoder came before it (EXT-X-DISCONTINUITY), and the names a
 * channel's folder may hold, which is all GET /hls/... ever serves.
 *
 * Threads: a plain value; its owner serialises the calls.
 */
#ifndef TOLK_HLS_PLAYLIST_H
#define TOLK_HLS_PLAYLIST_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define TOLK_HLS_PLAYLIST_NAME "index.m3u8"
#define TOLK_HLS_SEGMENT_NAME_SIZE 40
#define TOLK_HLS_MAX_KEPT 40 /* segments listed or still on disk: 30 listed, a few for late readers */

typedef struct {
    uint64_t sequence;     /* EXT-X-MEDIA-SEQUENCE of this segment */
    double duration_s;
    gint64 start_wall_us;  /* g_get_real_time() at its first sample */
    bool discontinuity;    /* the first segment after a restart */
    char name[TOLK_HLS_SEGMENT_NAME_SIZE];
} tolk_hls_segment;

typedef struct {
    unsigned target_s;     /* the configured segment length */
    unsigned listed;       /* segments the playlist lists */
    unsigned kept;         /* segments kept on disk (>= listed) */
    tolk_hls_segment segments[TOLK_HLS_MAX_KEPT]; /* oldest first */
    unsigned count;
    uint64_t discontinuities_gone; /* EXT-X-DISCONTINUITY-SEQUENCE: those that slid out */
    bool ended;            /* EXT-X-ENDLIST */
} tolk_hls_playlist;

void tolk_hls_playlist_init(tolk_hls_playlist *pl, unsigned target_s, unsigned listed);
/* Appends a segment; when more than `kept` are held, the oldest is taken out and its
 * name copied to evicted (true), for the caller to delete its file. */
bool tolk_hls_playlist_add(tolk_hls_playlist *pl, const tolk_hls_segment *segment,
                           char evicted[TOLK_HLS_SEGMENT_NAME_SIZE]);
/* The playlist text (g_free it). */
char *tolk_hls_playlist_render(const tolk_hls_playlist *pl);

/* A segment's name: "s<run>-<sequence>.ts", run the start time of the encoder's run in
 * seconds, so that a name is never reused for other audio (a CDN may cache a segment long). */
void tolk_hls_segment_name(char out[TOLK_HLS_SEGMENT_NAME_SIZE], int64_t run, uint64_t sequence);
/* Exactly the playlist's name or a segment name as above (digits only, bounded): nothing
 * with a slash, a dot beyond the extension, an escape or anything a client could steer. */
bool tolk_hls_name_valid(const char *name);
bool tolk_hls_name_is_playlist(const char *name);

#endif
