/* SPDX-License-Identifier: EUPL-1.2 */
#include "video_file.h"

#include <string.h>
#include <unistd.h>

/* Matroska (WebM) element ids, with their length marker as the format writes them. */
#define MKV_SEGMENT 0x18538067u
#define MKV_INFO 0x1549A966u
#define MKV_TIMECODE_SCALE 0x2AD7B1u
#define MKV_DURATION 0x4489u
#define MKV_CLUSTER 0x1F43B675u
#define MKV_CUES 0x1C53BB6Bu
#define MKV_CLUSTER_TIMECODE 0xE7u
#define MKV_SIMPLE_BLOCK 0xA3u
#define MKV_BLOCK_GROUP 0xA0u
#define MKV_BLOCK 0xA1u
#define MKV_DEFAULT_SCALE 1000000u /* ns per timecode unit */

typedef struct {
    int fd;
    guint64 size;
} source;

typedef struct {
    guint32 id;
    guint64 data, end; /* where its data starts and ends (cut to the file's end) */
    bool whole;        /* its data is all in the file (a known size that fits) */
} element;

static bool read_at(const source *src, guint64 at, guint8 *buf, size_t n)
{
    return at + n <= src->size && pread(src->fd, buf, n, (off_t)at) == (ssize_t)n;
}

static guint64 read_uint(const guint8 *p, size_t n)
{
    guint64 v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* An EBML variable-size integer at p (n bytes there): its length, 0 when not one. */
static size_t vint_length(const guint8 *p, size_t n)
{
    for (size_t len = 1; len <= 8 && len <= n; len++) {
        if (p[0] & (0x80 >> (len - 1)))
            return len;
    }
    return 0;
}

/* The element header at `at`; false past the end or when it is not one. */
static bool ebml_element(const source *src, guint64 at, element *e)
{
    guint8 head[12];
    size_t n = (size_t)MIN((guint64)sizeof head, src->size > at ? src->size - at : 0);
    if (n < 2 || pread(src->fd, head, n, (off_t)at) != (ssize_t)n)
        return false;
    size_t id_len = vint_length(head, n);
    if (!id_len || id_len > 4)
        return false;
    size_t size_len = vint_length(head + id_len, n - id_len);
    if (!size_len)
        return false;
    e->id = (guint32)read_uint(head, id_len);
    guint64 size = read_uint(head + id_len, size_len) & ~(G_GUINT64_CONSTANT(0xff) << (8 * size_len - size_len));
    bool unknown = size == (G_GUINT64_CONSTANT(1) << (7 * size_len)) - 1;
    e->data = at + id_len + size_len;
    e->whole = !unknown && e->data + size <= src->size;
    e->end = e->whole ? e->data + size : src->size;
    return e->data <= src->size;
}

static double ebml_float(const source *src, const element *e)
{
    guint8 b[8];
    guint64 len = e->end - e->data;
    if ((len != 4 && len != 8) || !read_at(src, e->data, b, (size_t)len))
        return 0;
    guint64 bits = read_uint(b, (size_t)len);
    if (len == 4) {
        guint32 u = (guint32)bits;
        float f;
        memcpy(&f, &u, sizeof f);
        return f;
    }
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static guint64 ebml_uint(const source *src, const element *e)
{
    guint8 b[8];
    guint64 len = e->end - e->data;
    return len >= 1 && len <= 8 && read_at(src, e->data, b, (size_t)len) ? read_uint(b, (size_t)len) : 0;
}

/* A block's time relative to its cluster: after the track number, a signed 16-bit count. */
static bool block_time(const source *src, const element *block, gint64 *rel)
{
    guint8 b[10];
    size_t n = (size_t)MIN((guint64)sizeof b, block->end - block->data);
    if (!block->whole || n < 3 || pread(src->fd, b, n, (off_t)block->data) != (ssize_t)n)
        return false;
    size_t track = vint_length(b, n);
    if (!track || track + 2 > n)
        return false;
    *rel = (gint16)(b[track] << 8 | b[track + 1]);
    return true;
}

/* The latest time (in timecode units) of a whole block in the cluster; where the cluster ends
 * (a cluster of unknown size ends where the next top-level element begins). */
static gint64 cluster_end_time(const source *src, const element *cluster, guint64 *next)
{
    gint64 base = 0, last = -1;
    guint64 at = cluster->data;
    element e;
    while (at < cluster->end && ebml_element(src, at, &e)) {
        if (e.id == MKV_CLUSTER || e.id == MKV_CUES)
            break;
        gint64 rel;
        if (e.id == MKV_CLUSTER_TIMECODE)
            base = (gint64)ebml_uint(src, &e);
        else if (e.id == MKV_SIMPLE_BLOCK && block_time(src, &e, &rel))
            last = MAX(last, base + rel);
        else if (e.id == MKV_BLOCK_GROUP) {
            element b;
            if (ebml_element(src, e.data, &b) && b.id == MKV_BLOCK && b.end <= e.end && block_time(src, &b, &rel))
                last = MAX(last, base + rel);
        }
        at = e.end;
    }
    *next = at;
    return last >= 0 ? last : base;
}

static double webm_duration(const source *src)
{
    element e;
    guint64 at = 0;
    if (!ebml_element(src, at, &e)) /* the EBML header */
        return 0;
    if (!ebml_element(src, e.end, &e) || e.id != MKV_SEGMENT)
        return 0;
    guint64 scale = MKV_DEFAULT_SCALE, end = e.end;
    double duration = 0;
    gint64 last = -1;
    element last_whole = {0};
    bool have_whole = false;
    for (at = e.data; at < end && ebml_element(src, at, &e);) {
        if (e.id == MKV_INFO) {
            element f;
            for (guint64 in = e.data; in < e.end && ebml_element(src, in, &f); in = f.end) {
                if (f.id == MKV_TIMECODE_SCALE)
                    scale = ebml_uint(src, &f);
                else if (f.id == MKV_DURATION)
                    duration = ebml_float(src, &f);
            }
            if (duration > 0) /* a finished file says it */
                return duration * (double)scale / 1e9;
        }
        if (e.id == MKV_CLUSTER && !e.whole) {
            last = MAX(last, cluster_end_time(src, &e, &at)); /* a cut (or unsized) cluster */
            continue;
        }
        if (e.id == MKV_CLUSTER) { /* whole clusters are skipped at their size; the last is read */
            last_whole = e;
            have_whole = true;
        }
        at = e.end;
    }
    guint64 ignored;
    if (have_whole)
        last = MAX(last, cluster_end_time(src, &last_whole, &ignored));
    return last > 0 ? (double)last * (double)scale / 1e9 : 0;
}

/* ---- MP4 (ISO BMFF) ---- */

typedef struct {
    char type[5];
    guint64 data, end;
    bool whole;
} box;

static bool mp4_box(const source *src, guint64 at, guint64 limit, box *b)
{
    guint8 h[16];
    if (!read_at(src, at, h, 8))
        return false;
    guint64 size = read_uint(h, 4), header = 8;
    memcpy(b->type, h + 4, 4);
    b->type[4] = '\0';
    if (size == 1) {
        if (!read_at(src, at + 8, h + 8, 8))
            return false;
        size = read_uint(h + 8, 8);
        header = 16;
    } else if (size == 0) {
        size = limit - at;
    }
    if (size < header)
        return false;
    b->data = at + header;
    b->whole = at + size <= limit;
    b->end = b->whole ? at + size : limit;
    return true;
}

/* The first box of this type inside [from, to). */
static bool mp4_find(const source *src, guint64 from, guint64 to, const char *type, box *out)
{
    for (guint64 at = from; at < to && mp4_box(src, at, to, out); at = out->end) {
        if (strcmp(out->type, type) == 0)
            return true;
    }
    return false;
}

/* mvhd or mdhd (a full box): its timescale and duration. */
static bool mp4_header_times(const source *src, const box *b, guint64 *timescale, guint64 *duration)
{
    guint8 h[32];
    if (!read_at(src, b->data, h, 1))
        return false;
    bool v1 = h[0] == 1;
    size_t need = v1 ? 32 : 20;
    if (b->end - b->data < need || !read_at(src, b->data, h, need))
        return false;
    *timescale = read_uint(h + (v1 ? 20 : 12), 4);
    *duration = v1 ? read_uint(h + 24, 8) : read_uint(h + 16, 4);
    return *timescale > 0;
}

typedef struct {
    guint64 track_timescale, movie_timescale, movie_duration, default_duration;
} mp4_movie;

static void mp4_read_moov(const source *src, const box *moov, mp4_movie *m)
{
    box b, trak, mdia, mdhd, mvex, trex;
    guint64 ignored;
    if (mp4_find(src, moov->data, moov->end, "mvhd", &b))
        mp4_header_times(src, &b, &m->movie_timescale, &m->movie_duration);
    if (mp4_find(src, moov->data, moov->end, "trak", &trak) && mp4_find(src, trak.data, trak.end, "mdia", &mdia) &&
        mp4_find(src, mdia.data, mdia.end, "mdhd", &mdhd))
        mp4_header_times(src, &mdhd, &m->track_timescale, &ignored);
    guint8 h[16];
    if (mp4_find(src, moov->data, moov->end, "mvex", &mvex) && mp4_find(src, mvex.data, mvex.end, "trex", &trex) &&
        read_at(src, trex.data, h, 16))
        m->default_duration = read_uint(h + 12, 4);
}

/* The decode time (track timescale) at which a fragment's samples end; 0 for none. */
static guint64 mp4_fragment_end(const source *src, const box *moof, const mp4_movie *m)
{
    box traf, tfhd, tfdt, trun;
    if (!mp4_find(src, moof->data, moof->end, "traf", &traf))
        return 0;
    guint8 h[16];
    guint64 base = 0, sample_duration = m->default_duration;
    if (mp4_find(src, traf.data, traf.end, "tfdt", &tfdt) && read_at(src, tfdt.data, h, 1))
        base = h[0] == 1 ? (read_at(src, tfdt.data + 4, h, 8) ? read_uint(h, 8) : 0)
                         : (read_at(src, tfdt.data + 4, h, 4) ? read_uint(h, 4) : 0);
    if (mp4_find(src, traf.data, traf.end, "tfhd", &tfhd) && read_at(src, tfhd.data, h, 8)) {
        guint32 flags = (guint32)read_uint(h + 1, 3);
        guint64 at = tfhd.data + 8 + ((flags & 0x01) ? 8 : 0) + ((flags & 0x02) ? 4 : 0);
        if ((flags & 0x08) && read_at(src, at, h, 4))
            sample_duration = read_uint(h, 4);
    }
    guint64 total = 0;
    for (guint64 at = traf.data; at < traf.end && mp4_find(src, at, traf.end, "trun", &trun); at = trun.end) {
        if (!read_at(src, trun.data, h, 8))
            break;
        guint32 flags = (guint32)read_uint(h + 1, 3);
        guint64 count = read_uint(h + 4, 4);
        guint64 p = trun.data + 8 + ((flags & 0x01) ? 4 : 0) + ((flags & 0x04) ? 4 : 0);
        size_t per = 4u * (size_t)(!!(flags & 0x100) + !!(flags & 0x200) + !!(flags & 0x400) + !!(flags & 0x800));
        for (guint64 i = 0; i < count; i++, p += per) {
            if (!(flags & 0x100))
                total += sample_duration;
            else if (read_at(src, p, h, 4))
                total += read_uint(h, 4);
        }
    }
    return total ? base + total : 0;
}

static double mp4_duration(const source *src)
{
    mp4_movie m = {0};
    guint64 end = 0, pending = 0;
    box b;
    for (guint64 at = 0; at < src->size && mp4_box(src, at, src->size, &b); at = b.end) {
        if (strcmp(b.type, "moov") == 0 && b.whole)
            mp4_read_moov(src, &b, &m);
        else if (strcmp(b.type, "moof") == 0)
            pending = b.whole ? mp4_fragment_end(src, &b, &m) : 0;
        else if (strcmp(b.type, "mdat") == 0 && b.whole && pending) /* its fragment's samples are all there */
            end = MAX(end, pending);
    }
    if (end && m.track_timescale)
        return (double)end / (double)m.track_timescale;
    return m.movie_timescale ? (double)m.movie_duration / (double)m.movie_timescale : 0;
}

double tolk_video_file_duration(int fd, guint64 size, bool mp4)
{
    source src = {.fd = fd, .size = size};
    return mp4 ? mp4_duration(&src) : webm_duration(&src);
}
