/* SPDX-License-Identifier: EUPL-1.2 */
#include "ogg_opus_stream.h"

#include <errno.h>
#include <string.h>

#include "ogg_page.h"

#define RATE 48000
#define NS_PER_SAMPLE_NUM 1000000ULL /* ns = samples * 1e6 / 48 */
#define NS_PER_SAMPLE_DEN 48ULL
#define SILENCE_SAMPLES 960
#define TAG_MAX 1024

static const guint8 silence_frame[3] = {0xf8, 0xff, 0xfe}; /* CELT FB 20 ms, silence flag */

struct tolk_ogg_opus_stream {
    tolk_ogg_page page;
    GByteArray *out;       /* the page being handed to the sink */
    guint64 page_samples_max;
    guint64 granule;       /* samples decoded so far, pre-skip included */
    guint64 page_samples;  /* in the page being gathered */
    gboolean started;
    guint64 next_pts;      /* where the next packet should start */
    tolk_ogg_page_sink sink;
    void *ctx;
    tolk_ogg_opus_stats *stats;
};

static guint64 samples_ns(guint64 samples)
{
    return samples * NS_PER_SAMPLE_NUM / NS_PER_SAMPLE_DEN;
}

static void count(atomic_ullong *counter)
{
    atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
}

tolk_ogg_opus_stream *tolk_ogg_opus_stream_new(guint64 page_ns, tolk_ogg_page_sink sink, void *ctx,
                                               tolk_ogg_opus_stats *stats)
{
    tolk_ogg_opus_stream *s = g_new0(tolk_ogg_opus_stream, 1);
    s->out = g_byte_array_new();
    s->page_samples_max = MAX(1, page_ns * RATE / 1000000000ULL);
    s->sink = sink;
    s->ctx = ctx;
    s->stats = stats;
    tolk_ogg_page_init(&s->page, g_random_int());
    return s;
}

void tolk_ogg_opus_stream_free(tolk_ogg_opus_stream *s)
{
    if (!s)
        return;
    tolk_ogg_page_clear(&s->page);
    g_byte_array_unref(s->out);
    g_free(s);
}

guint64 tolk_ogg_opus_stream_granule(const tolk_ogg_opus_stream *s)
{
    return s->granule;
}

static int hand_out(tolk_ogg_opus_stream *s, int packets, guint64 samples)
{
    int err = s->sink(s->ctx, s->out, packets, samples);
    g_byte_array_set_size(s->out, 0);
    return err;
}

static int finish_page(tolk_ogg_opus_stream *s, uint8_t flags)
{
    int packets = s->page.packets;
    guint64 samples = s->page_samples;
    tolk_ogg_page_finish(&s->page, flags, s->granule, s->out);
    s->page_samples = 0;
    return hand_out(s, packets, samples);
}

static int append_packet(tolk_ogg_opus_stream *s, const guint8 *data, gsize size, int samples)
{
    int err = 0;
    if (!tolk_ogg_page_fits(&s->page, size))
        err = finish_page(s, 0);
    tolk_ogg_page_add(&s->page, data, size);
    s->granule += (guint64)samples;
    s->page_samples += (guint64)samples;
    if (s->page_samples >= s->page_samples_max) {
        int e = finish_page(s, 0);
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
static void put_tag(GByteArray *a, guint32 *n, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    char *valid = g_utf8_make_valid(value, -1);
    if (strlen(valid) > TAG_MAX)
        *g_utf8_find_prev_char(valid, valid + TAG_MAX + 1) = '\0';
    char *tag = g_strdup_printf("%s=%s", key, valid);
    put_le32(a, (guint32)strlen(tag));
    g_byte_array_append(a, (const guint8 *)tag, (guint)strlen(tag));
    (*n)++;
    g_free(tag);
    g_free(valid);
}

static char *iso_date(gint64 unix_us)
{
    GDateTime *t = g_date_time_new_from_unix_utc((unix_us > 0 ? unix_us : g_get_real_time()) / G_USEC_PER_SEC);
    char *text = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
    g_date_time_unref(t);
    return text;
}

static GByteArray *opus_tags(const tolk_ogg_opus_meta *meta)
{
    GByteArray *a = g_byte_array_new();
    g_byte_array_append(a, (const guint8 *)"OpusTags", 8);
    put_le32(a, 4);
    g_byte_array_append(a, (const guint8 *)"Tolk", 4);
    guint count_at = a->len, n = 0;
    put_le32(a, 0);
    put_tag(a, &n, "TITLE", meta->title);
    put_tag(a, &n, "TOLK_SITTING", meta->sitting);
    put_tag(a, &n, "TOLK_CHANNEL", meta->channel);
    put_tag(a, &n, "LANGUAGE", meta->language);
    char *date = iso_date(meta->start_unix_us);
    put_tag(a, &n, "DATE", date);
    g_free(date);
    for (int i = 0; i < 4; i++)
        a->data[count_at + (guint)i] = (guint8)(n >> (8 * i));
    return a;
}

int tolk_ogg_opus_stream_headers(tolk_ogg_opus_stream *s, const tolk_ogg_opus_meta *meta)
{
    tolk_ogg_page_clear(&s->page);
    tolk_ogg_page_init(&s->page, g_random_int());
    s->granule = s->page_samples = 0;
    s->started = FALSE;
    GByteArray *head = opus_head(), *tags = opus_tags(meta);
    tolk_ogg_page_add(&s->page, head->data, head->len);
    tolk_ogg_page_finish(&s->page, TOLK_OGG_FLAG_BOS, 0, s->out);
    tolk_ogg_page_add(&s->page, tags->data, tags->len);
    tolk_ogg_page_finish(&s->page, 0, 0, s->out);
    g_byte_array_unref(head);
    g_byte_array_unref(tags);
    return hand_out(s, 0, 0);
}

/* Silence for a gap of `gap` ns ahead of a packet: whole 20 ms frames, rounded. */
static int fill_gap(tolk_ogg_opus_stream *s, guint64 gap)
{
    int err = 0;
    guint64 frames = (gap + samples_ns(SILENCE_SAMPLES) / 2) / samples_ns(SILENCE_SAMPLES);
    for (guint64 i = 0; i < frames; i++) {
        int e = append_packet(s, silence_frame, sizeof silence_frame, SILENCE_SAMPLES);
        err = err ? err : e;
        count(&s->stats->filled);
    }
    return err;
}

/* Lines the packet up with the timeline: false if it comes too late to be taken. */
static gboolean place(tolk_ogg_opus_stream *s, guint64 pts_ns, int samples, int *err)
{
    guint64 half = samples_ns((guint64)samples) / 2;
    if (!s->started) {
        s->started = TRUE;
    } else if (pts_ns + half < s->next_pts) {
        count(&s->stats->dropped);
        return FALSE;
    } else if (pts_ns >= s->next_pts + half) {
        guint64 gap = pts_ns - s->next_pts;
        if (gap <= TOLK_OGG_MAX_FILL_NS)
            *err = fill_gap(s, gap);
        else
            count(&s->stats->jumps);
    }
    s->next_pts = pts_ns + samples_ns((guint64)samples);
    return TRUE;
}

int tolk_ogg_opus_stream_push(tolk_ogg_opus_stream *s, const guint8 *data, gsize size, guint64 pts_ns)
{
    int samples = size <= TOLK_OGG_MAX_PACKET ? tolk_opus_packet_samples(data, size) : -1;
    if (samples <= 0) {
        count(&s->stats->dropped);
        return -EINVAL;
    }
    int err = 0;
    if (!place(s, pts_ns, samples, &err))
        return 0;
    count(&s->stats->frames);
    int e = append_packet(s, data, size, samples);
    return err ? err : e;
}

int tolk_ogg_opus_stream_flush(tolk_ogg_opus_stream *s)
{
    return s->page.packets > 0 ? finish_page(s, 0) : 0;
}

int tolk_ogg_opus_stream_end(tolk_ogg_opus_stream *s)
{
    return finish_page(s, TOLK_OGG_FLAG_EOS);
}
