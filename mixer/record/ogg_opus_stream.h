/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * An Ogg/Opus stream (RFC 7845) built in memory from a stream's encoded 20 ms frames: the
 * header pages (OpusHead, OpusTags), granule positions from each packet's TOC, gaps in pts
 * filled with the canned silence frame, a late packet dropped, a jump past
 * TOLK_OGG_MAX_FILL_NS not filled. Each finished page goes to the owner's sink, which writes
 * it to a file (ogg_opus_writer.c) or sends it to a server (mixer/public/icecast_*.c). A
 * page holds at most page_ns of audio, so the owner chooses between overhead (a file: one
 * second) and latency (a live stream: a tenth).
 *
 * Threads: one stream is used by one thread at a time, never a media thread (its sink
 * blocks or sends); the counters in the stats it bumps may be read from any thread.
 */
#ifndef TOLK_RECORD_OGG_OPUS_STREAM_H
#define TOLK_RECORD_OGG_OPUS_STREAM_H

#include "ogg_opus_writer.h"

/* A finished page (header and body) with the packets and samples it carries; returns 0 or a
 * negative errno, which the stream passes back to its caller. */
typedef int (*tolk_ogg_page_sink)(void *ctx, const GByteArray *page, int packets, guint64 samples);

typedef struct tolk_ogg_opus_stream tolk_ogg_opus_stream;

/* stats: the frames, filled, dropped and jumps counters the stream bumps (the rest of the
 * struct is the owner's). */
tolk_ogg_opus_stream *tolk_ogg_opus_stream_new(guint64 page_ns, tolk_ogg_page_sink sink, void *ctx,
                                               tolk_ogg_opus_stats *stats);
void tolk_ogg_opus_stream_free(tolk_ogg_opus_stream *s);

/* The two header pages in one call to the sink (each packet on a page of its own), with a
 * new serial number: an Ogg stream starts here, for a file or at each connection. */
int tolk_ogg_opus_stream_headers(tolk_ogg_opus_stream *s, const tolk_ogg_opus_meta *meta);
/* As tolk_ogg_opus_writer_push: 0, -EINVAL for a packet refused, or the sink's first error. */
int tolk_ogg_opus_stream_push(tolk_ogg_opus_stream *s, const guint8 *data, gsize size, guint64 pts_ns);
/* The packets gathered so far as a page, if there are any. */
int tolk_ogg_opus_stream_flush(tolk_ogg_opus_stream *s);
/* The end-of-stream page (possibly empty). */
int tolk_ogg_opus_stream_end(tolk_ogg_opus_stream *s);
/* Samples (48 kHz) put into the stream so far, pre-skip included. */
guint64 tolk_ogg_opus_stream_granule(const tolk_ogg_opus_stream *s);

#endif
