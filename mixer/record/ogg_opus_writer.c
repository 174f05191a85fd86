/* SPDX-License-Identifier: EUPL-1.2 */
#include "ogg_opus_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ogg_opus_stream.h"

#define RATE 48000

struct tolk_ogg_opus_writer {
    int fd;
    tolk_ogg_opus_stream *stream; /* the pages; each comes back to write_page */
    off_t good_offset;     /* the end of the last page written whole */
    guint64 unsynced;      /* samples since the last fdatasync */
    tolk_ogg_opus_stats stats;
};

static void error_count(tolk_ogg_opus_writer *w, int err)
{
    atomic_fetch_add_explicit(&w->stats.write_errors, 1, memory_order_relaxed);
    atomic_store_explicit(&w->stats.last_errno, err, memory_order_relaxed);
}

static int write_all(int fd, const guint8 *data, gsize len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -ENOSPC;
        data += n;
        len -= (gsize)n;
    }
    return 0;
}

/* Writes a page; on failure cuts the file back to its last whole page, so that a torn page
 * never sits before the pages that follow. */
static int write_out(tolk_ogg_opus_writer *w, const GByteArray *out, int packets)
{
    int err = write_all(w->fd, out->data, out->len);
    if (err == 0) {
        w->good_offset += (off_t)out->len;
        atomic_fetch_add_explicit(&w->stats.bytes, out->len, memory_order_relaxed);
    } else {
        error_count(w, -err);
        atomic_fetch_add_explicit(&w->stats.lost, (unsigned long long)packets, memory_order_relaxed);
        if (ftruncate(w->fd, w->good_offset) != 0) {
            /* a device (/dev/full) or a file that cannot shrink: the seek below still keeps
             * the next page in place */
        }
        lseek(w->fd, w->good_offset, SEEK_SET);
    }
    return err;
}

static int sync_file(tolk_ogg_opus_writer *w)
{
    w->unsynced = 0;
    if (fdatasync(w->fd) == 0) {
        atomic_fetch_add_explicit(&w->stats.syncs, 1, memory_order_relaxed);
        return 0;
    }
    if (errno == EINVAL || errno == EROFS)
        return 0; /* a file that has no sync (a pipe, a device) */
    int err = -errno;
    error_count(w, -err);
    return err;
}

/* The stream's sink: each finished page, written, and synced every TOLK_OGG_SYNC_NS of audio. */
static int write_page(void *ctx, const GByteArray *page, int packets, guint64 samples)
{
    tolk_ogg_opus_writer *w = ctx;
    w->unsynced += samples;
    int err = write_out(w, page, packets);
    if (err == 0 && w->unsynced >= RATE * (TOLK_OGG_SYNC_NS / 1000000000ULL))
        err = sync_file(w);
    return err;
}

static void writer_free(tolk_ogg_opus_writer *w)
{
    tolk_ogg_opus_stream_free(w->stream);
    g_free(w);
}

tolk_ogg_opus_writer *tolk_ogg_opus_writer_open_fd(int fd, const tolk_ogg_opus_meta *meta, int *err)
{
    tolk_ogg_opus_writer *w = g_new0(tolk_ogg_opus_writer, 1);
    w->fd = fd;
    w->good_offset = lseek(fd, 0, SEEK_CUR);
    if (w->good_offset < 0)
        w->good_offset = 0;
    w->stream = tolk_ogg_opus_stream_new(TOLK_OGG_PAGE_NS, write_page, w, &w->stats);
    /* Each header packet on a page of its own (RFC 7845, 3), then synced: a file starts whole. */
    int e = tolk_ogg_opus_stream_headers(w->stream, meta);
    e = e ? e : sync_file(w);
    if (err)
        *err = e;
    if (e == 0)
        return w;
    close(fd);
    writer_free(w);
    return NULL;
}

tolk_ogg_opus_writer *tolk_ogg_opus_writer_open(const char *path, const tolk_ogg_opus_meta *meta, int *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) {
        if (err)
            *err = -errno;
        return NULL;
    }
    tolk_ogg_opus_writer *w = tolk_ogg_opus_writer_open_fd(fd, meta, err);
    if (!w)
        unlink(path);
    return w;
}

int tolk_ogg_opus_writer_push(tolk_ogg_opus_writer *w, const guint8 *data, gsize size, guint64 pts_ns)
{
    return tolk_ogg_opus_stream_push(w->stream, data, size, pts_ns);
}

int tolk_ogg_opus_writer_flush(tolk_ogg_opus_writer *w)
{
    int err = tolk_ogg_opus_stream_flush(w->stream);
    int e = sync_file(w);
    return err ? err : e;
}

int tolk_ogg_opus_writer_close(tolk_ogg_opus_writer *w)
{
    int err = tolk_ogg_opus_stream_end(w->stream);
    int e = sync_file(w);
    err = err ? err : e;
    if (close(w->fd) != 0 && err == 0) {
        err = -errno;
        error_count(w, -err);
    }
    writer_free(w);
    return err;
}

const tolk_ogg_opus_stats *tolk_ogg_opus_writer_stats(const tolk_ogg_opus_writer *w)
{
    return &w->stats;
}

guint64 tolk_ogg_opus_writer_samples(const tolk_ogg_opus_writer *w)
{
    guint64 granule = tolk_ogg_opus_stream_granule(w->stream);
    return granule > TOLK_OGG_PRE_SKIP ? granule - TOLK_OGG_PRE_SKIP : 0;
}
