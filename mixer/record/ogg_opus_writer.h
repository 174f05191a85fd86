/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One Ogg/Opus file (RFC 7845) written from a stream's encoded 20 ms frames as they come
 * (tolk_stream_subscribe's data, size, pts_ns): no second encode. Mono, 48 kHz, the pre-skip
 * of our encoder's lookahead; OpusTags with vendor "Tolk" and TITLE, TOLK_SITTING,
 * TOLK_CHANNEL, LANGUAGE, DATE. Granule positions count the frames' own durations (read from
 * each packet's TOC); a gap in pts is filled with the canned silence frame so that the file's
 * timeline stays the stream's. Crash safety: a page is finished and written at least every
 * second of audio (and by tolk_ogg_opus_writer_flush, which the owner calls on a timer when
 * frames stop), fdatasync'd every TOLK_OGG_SYNC_NS, so a kill -9 loses at most the last
 * second and the file stays playable. A write error (disk full) drops the page, is counted
 * and returned; the file is cut back to its last whole page, so what follows stays readable.
 * One writer is one file: tolk_ogg_opus_writer_close writes the end-of-stream page, and the
 * owner opens the next segment under a name of its choosing (docs/recording.md).
 *
 * Threads: one writer is used by one thread at a time, and never by a media thread: write(2)
 * and fdatasync(2) block on a slow or full disk. The stream's subscription callback (a media
 * thread) only queues the frame; the recorder's own thread, a plain non-real-time thread,
 * calls these functions. tolk_ogg_opus_writer_stats may be read from any thread.
 */
#ifndef TOLK_RECORD_OGG_OPUS_WRITER_H
#define TOLK_RECORD_OGG_OPUS_WRITER_H

#include <glib.h>
#include <stdatomic.h>

#include "opus_packet.h"

#define TOLK_OGG_PRE_SKIP 312                 /* libopus's lookahead, OPUS_APPLICATION_AUDIO, 48 kHz */
#define TOLK_OGG_PAGE_NS 1000000000ULL       /* 1 s of audio per page at most */
#define TOLK_OGG_SYNC_NS (5 * TOLK_OGG_PAGE_NS) /* fdatasync at least this often (audio time) */
#define TOLK_OGG_MAX_FILL_NS (60 * TOLK_OGG_PAGE_NS) /* a longer pts jump is a new timeline, not a gap */
#define TOLK_OGG_MAX_PACKET 4000 /* ours are ~160 bytes, one Opus frame 1275 at most: more is not ours */

/* What goes into OpusTags. Any field may be NULL (left out); start_unix_us is the UTC start
 * that DATE gives in ISO 8601. */
typedef struct {
    const char *title;
    const char *sitting;
    const char *channel;
    const char *language;
    gint64 start_unix_us;
} tolk_ogg_opus_meta;

/* Counters, bumped by the writer's thread, read by anyone (relaxed). */
typedef struct {
    atomic_ullong frames;        /* packets taken from the stream */
    atomic_ullong filled;        /* silence frames put in for gaps */
    atomic_ullong dropped;       /* packets refused: late, oversized, not Opus */
    atomic_ullong jumps;         /* pts jumps too long to fill */
    atomic_ullong lost;          /* packets lost with a page that could not be written */
    atomic_ullong write_errors;  /* failed write(2)/fdatasync(2) calls */
    atomic_ullong bytes;         /* bytes on disk */
    atomic_ullong syncs;         /* fdatasync(2) calls that succeeded */
    atomic_int last_errno;       /* the last write error's errno, 0 for none */
} tolk_ogg_opus_stats;

typedef struct tolk_ogg_opus_writer tolk_ogg_opus_writer;

/* Creates path (never overwrites: O_EXCL) and writes the header pages. NULL and *err set to
 * a negative errno if the file cannot be made or its headers cannot be written (the
 * half-made file is removed). */
tolk_ogg_opus_writer *tolk_ogg_opus_writer_open(const char *path, const tolk_ogg_opus_meta *meta, int *err);
/* The same on an open file descriptor, which the writer takes over (closes at close), also
 * when this fails. */
tolk_ogg_opus_writer *tolk_ogg_opus_writer_open_fd(int fd, const tolk_ogg_opus_meta *meta, int *err);

/* Takes one Opus packet. Returns 0, -EINVAL for a packet that is not a valid Opus packet or
 * too large (dropped, counted), or the negative errno of a failed write (the page lost,
 * counted; the next pages are tried again). A packet whose pts lies before the end of the
 * last one (a duplicate) is dropped and counted, returning 0. A pts jump past
 * TOLK_OGG_MAX_FILL_NS is not filled (the stream's clock restarted: counted in jumps; the
 * owner starts a new segment). */
int tolk_ogg_opus_writer_push(tolk_ogg_opus_writer *w, const guint8 *data, gsize size, guint64 pts_ns);
/* Writes the packets taken so far as a page (if any) and syncs the file. 0 or -errno. */
int tolk_ogg_opus_writer_flush(tolk_ogg_opus_writer *w);
/* Writes the end-of-stream page, syncs, closes and frees. 0 or the first -errno on the way. */
int tolk_ogg_opus_writer_close(tolk_ogg_opus_writer *w);

const tolk_ogg_opus_stats *tolk_ogg_opus_writer_stats(const tolk_ogg_opus_writer *w);
/* Samples (48 kHz) of playable audio taken so far, pre-skip excluded. */
guint64 tolk_ogg_opus_writer_samples(const tolk_ogg_opus_writer *w);

/* Samples (48 kHz) in one Opus packet, -1 if not a valid packet: plugins/dsp/opus_packet.h,
 * the reading the jitter buffer makes too. */

#endif
