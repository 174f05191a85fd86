/* SPDX-License-Identifier: EUPL-1.2 */
#include "ogg_opus_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ogg_page.h"

#define RATE 48000
#define NS_PER_SAMPLE_NUM 1000000ULL /* ns = samples * 1e6 / 48 */
#define NS_PER_SAMPLE_DEN 48ULL
#define SILENCE_SAMPLES 960
#define TAG_MAX 1024

static const guint8 silence_frame[3] = {0xf8, 0xff, 0xfe}; /* CELT FB 20 ms, silence flag */

struct tolk_ogg_opus_writer {
    int fd;
    tolk_ogg_page page;
    GByteArray *out;       /* the page being written */
    off_t good_offset;     /* the end of the last page written whole */
    guint64 granule;       /* samples decoded so far, pre-skip included */
    guint64 page_samples;  /* in the page being gathered */
    guint64 unsynced;      /* samples since the last fdatasync */
    gboolean started;
    guint64 next_pts;      /* where the next packet should start */
    tolk_ogg_opus_stats stats;
};

static guint64 samples_ns(guint64 samples)
{
    return samples * NS_PER_SAMPLE_NUM / NS_PER_SAMPLE_DEN;
}

int tolk_ogg_packet_samples(const guint8 *data, gsize size)
{
    static const int silk[4] = {480, 960, 1920, 2880}, hybrid[2] = {480, 960}, celt[4] = {120, 240, 480, 960};
    if (size < 1)
        return 0;
    int config = data[0] >> 3, code = data[0] & 3;
    int frame = config < 12 ? silk[config & 3] : config < 16 ? hybrid[config & 1] : celt[config & 3];
    int frames = code == 0 ? 1 : code < 3 ? 2 : size >= 2 ? (data[1] & 0x3f) : 0;
    int total = frames * frame;
    return total <= 5760 ? total : 0; /* at most 120 ms (RFC 6716, 3.2.5) */
}

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

/* Writes w->out; on failure cuts the file back to its last whole page, so that a torn page
 * never sits before the pages that follow. */
static int write_out(tolk_ogg_opus_writer *w, int packets)
{
    int err = write_all(w->fd, w->out->data, w->out->len);
    if (err == 0) {
        w->good_offset += (off_t)w->out->len;
        atomic_fetch_add_explicit(&w->stats.bytes, w->out->len, memory_order_relaxed);
    } else {
        error_count(w, -err);
        atomic_fetch_add_explicit(&w->stats.lost, (unsigned long long)packets, memory_order_relaxed);
        if (ftruncate(w->fd, w->good_offset) != 0) {
            /* a device (/dev/full) or a file that cannot shrink: the seek below still keeps
             * the next page in place */
        }
        lseek(w->fd, w->good_offset, SEEK_SET);
    }
    g_byte_array_set_size(w->out, 0);
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

static int write_page(tolk_ogg_opus_writer *w, uint8_t flags)
{
    int packets = w->page.packets;
    tolk_ogg_page_finish(&w->page, flags, w->granule, w->out);
    w->page_samples = 0;
    int err = write_out(w, packets);
    if (err == 0 && w->unsynced >= RATE * (TOLK_OGG_SYNC_NS / 1000000000ULL))
        err = sync_file(w);
    return err;
}

static int append_packet(tolk_ogg_opus_writer *w, const guint8 *data, gsize size, int samples)
{
    int err = 0;
    if (!tolk_ogg_page_fits(&w->page, size))
        err = write_page(w, 0);
    tolk_ogg_page_add(&w->page, data, size);
    w->granule += (guint64)samples;
    w->page_samples += (guint64)samples;
    w->unsynced += (guint64)samples;
    if (w->page_samples >= RATE * (TOLK_OGG_PAGE_NS / 1000000000ULL)) {
        int e = write_page(w, 0);
        err = err ? err : e;
    }
    return err;
}

static void put_le32(GByteArray *a, guint32 v)
{
    guint8 b[4] = {(guint8)v, (guint8)(v >> 8), (guint8)(v >> 16), (guint8)(v >> 24)};
    g_byte_array_append(a, b, 4);
}

static GByteArray *opus_head(void)
{
    GByteArray *a = g_byte_array_new();
    g_byte_array_append(a, (const guint8 *)"OpusHead", 8);
    guint8 rest[11] = {1, 1, TOLK_OGG_PRE_SKIP & 0xff, TOLK_OGG_PRE_SKIP >> 8}; /* version, mono */
    rest[4] = RATE & 0xff; /* input sample rate, LE32 */
    rest[5] = (RATE >> 8) & 0xff;
    rest[6] = (RATE >> 16) & 0xff;
    rest[7] = 0;
    /* output gain 0, mapping family 0 (mono or stereo, no table) */
    g_byte_array_append(a, rest, 11);
    return a;
}

/* KEY=value, the value made UTF-8 and cut at a character boundary to TAG_MAX bytes. */
static void put_tag(GByteArray *a, guint32 *count, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    char *valid = g_utf8_make_valid(value, -1);
    if (strlen(valid) > TAG_MAX)
        *g_utf8_find_prev_char(valid, valid + TAG_MAX + 1) = '\0';
    char *tag = g_strdup_printf("%s=%s", key, valid);
    put_le32(a, (guint32)strlen(tag));
    g_byte_array_append(a, (const guint8 *)tag, (guint)strlen(tag));
    (*count)++;
    g_free(tag);
    g_free(valid);
}

static char *iso_date(gint64 unix_us)
{
    GDateTime *t = g_date_time_new_from_unix_utc((unix_us > 0 ? unix_us : g_get_real_time()) / G_USEC_PER_SEC);
    char *s = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
    g_date_time_unref(t);
    return s;
}

static GByteArray *opus_tags(const tolk_ogg_opus_meta *meta)
{
    GByteArray *a = g_byte_array_new();
    g_byte_array_append(a, (const guint8 *)"OpusTags", 8);
    put_le32(a, 4);
    g_byte_array_append(a, (const guint8 *)"Tolk", 4);
    guint count_at = a->len, count = 0;
    put_le32(a, 0);
    put_tag(a, &count, "TITLE", meta->title);
    put_tag(a, &count, "TOLK_SITTING", meta->sitting);
    put_tag(a, &count, "TOLK_CHANNEL", meta->channel);
    put_tag(a, &count, "LANGUAGE", meta->language);
    char *date = iso_date(meta->start_unix_us);
    put_tag(a, &count, "DATE", date);
    g_free(date);
    for (int i = 0; i < 4; i++)
        a->data[count_at + (guint)i] = (guint8)(count >> (8 * i));
    return a;
}

/* Each header packet on a page of its own (RFC 7845, 3), then synced: a file starts whole. */
static int write_headers(tolk_ogg_opus_writer *w, const tolk_ogg_opus_meta *meta)
{
    GByteArray *head = opus_head(), *tags = opus_tags(meta);
    tolk_ogg_page_add(&w->page, head->data, head->len);
    tolk_ogg_page_finish(&w->page, TOLK_OGG_FLAG_BOS, 0, w->out);
    tolk_ogg_page_add(&w->page, tags->data, tags->len);
    tolk_ogg_page_finish(&w->page, 0, 0, w->out);
    g_byte_array_unref(head);
    g_byte_array_unref(tags);
    int err = write_out(w, 0);
    return err ? err : sync_file(w);
}

static void writer_free(tolk_ogg_opus_writer *w)
{
    tolk_ogg_page_clear(&w->page);
    g_byte_array_unref(w->out);
    g_free(w);
}

tolk_ogg_opus_writer *tolk_ogg_opus_writer_open_fd(int fd, const tolk_ogg_opus_meta *meta, int *err)
{
    tolk_ogg_opus_writer *w = g_new0(tolk_ogg_opus_writer, 1);
    w->fd = fd;
    w->out = g_byte_array_new();
    w->good_offset = lseek(fd, 0, SEEK_CUR);
    if (w->good_offset < 0)
        w->good_offset = 0;
    tolk_ogg_page_init(&w->page, g_random_int());
    int e = write_headers(w, meta);
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

/* Silence for a gap of `gap` ns ahead of a packet: whole 20 ms frames, rounded. */
static int fill_gap(tolk_ogg_opus_writer *w, guint64 gap)
{
    int err = 0;
    guint64 frames = (gap + samples_ns(SILENCE_SAMPLES) / 2) / samples_ns(SILENCE_SAMPLES);
    for (guint64 i = 0; i < frames; i++) {
        int e = append_packet(w, silence_frame, sizeof silence_frame, SILENCE_SAMPLES);
        err = err ? err : e;
        atomic_fetch_add_explicit(&w->stats.filled, 1, memory_order_relaxed);
    }
    return err;
}

/* Lines the packet up with the timeline: false if it comes too late to be taken. */
static gboolean place(tolk_ogg_opus_writer *w, guint64 pts_ns, int samples, int *err)
{
    guint64 half = samples_ns((guint64)samples) / 2;
    if (!w->started) {
        w->started = TRUE;
    } else if (pts_ns + half < w->next_pts) {
        atomic_fetch_add_explicit(&w->stats.dropped, 1, memory_order_relaxed);
        return FALSE;
    } else if (pts_ns >= w->next_pts + half) {
        guint64 gap = pts_ns - w->next_pts;
        if (gap <= TOLK_OGG_MAX_FILL_NS)
            *err = fill_gap(w, gap);
        else
            atomic_fetch_add_explicit(&w->stats.jumps, 1, memory_order_relaxed);
    }
    w->next_pts = pts_ns + samples_ns((guint64)samples);
    return TRUE;
}

int tolk_ogg_opus_writer_push(tolk_ogg_opus_writer *w, const guint8 *data, gsize size, guint64 pts_ns)
{
    int samples = tolk_ogg_packet_samples(data, size);
    if (samples == 0 || size > TOLK_OGG_MAX_PACKET) {
        atomic_fetch_add_explicit(&w->stats.dropped, 1, memory_order_relaxed);
        return -EINVAL;
    }
    int err = 0;
    if (!place(w, pts_ns, samples, &err))
        return 0;
    atomic_fetch_add_explicit(&w->stats.frames, 1, memory_order_relaxed);
    int e = append_packet(w, data, size, samples);
    return err ? err : e;
}

int tolk_ogg_opus_writer_flush(tolk_ogg_opus_writer *w)
{
    int err = w->page.packets > 0 ? write_page(w, 0) : 0;
    int e = sync_file(w);
    return err ? err : e;
}

int tolk_ogg_opus_writer_close(tolk_ogg_opus_writer *w)
{
    int err = write_page(w, TOLK_OGG_FLAG_EOS);
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
    return w->granule > TOLK_OGG_PRE_SKIP ? w->granule - TOLK_OGG_PRE_SKIP : 0;
}
