/* SPDX-License-Identifier: EUPL-1.2 */
/* The Ogg/Opus writer (mixer/record/ogg_opus_writer.c) with frames from our own encoder, the
 * files judged by the real ffprobe and ffmpeg: format, duration, tags and tone; a file cut
 * as kill -9 leaves it; a gap in pts; a disk that is full. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <opus/opus.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media_test_util.h"
#include "ogg_opus_writer.h"
#include "ogg_page.h"
#include "opus_encoder.h"

#define FRAME_NS 20000000ULL
#define BASE_PTS (7 * 1000000000ULL) /* a stream's clock does not start at 0 */
#define START_US 1796205600000000LL  /* 2026-12-02T10:00:00Z */
#define TOLERANCE 0.02

static const tolk_ogg_opus_meta meta = {
    .title = "Plenary, floor", .sitting = "plenary-2026-12-02", .channel = "floor",
    .language = "fr", .start_unix_us = START_US,
};

typedef struct {
    char *dir;
    char *path;
    tolk_opus_encoder *enc;
    long at; /* samples of tone made so far */
} fixture;

static void fixture_set_up(fixture *f, gconstpointer data)
{
    (void)data;
    f->dir = g_dir_make_tmp("tolk-record-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
    f->path = g_build_filename(f->dir, "2026-12-02T10-00-00Z.opus", NULL);
    f->enc = tolk_opus_encoder_new();
    f->at = 0;
}

static void fixture_tear_down(fixture *f, gconstpointer data)
{
    (void)data;
    GDir *d = g_dir_open(f->dir, 0, NULL);
    for (const char *n; d && (n = g_dir_read_name(d));) {
        char *p = g_build_filename(f->dir, n, NULL);
        g_unlink(p);
        g_free(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(f->dir);
    tolk_opus_encoder_free(f->enc);
    g_free(f->path);
    g_free(f->dir);
}

/* The next 20 ms of a 440 Hz tone, encoded. */
static int tone_frame(fixture *f, uint8_t *pkt)
{
    float pcm[TOLK_OPUS_FRAME];
    mt_sine(pcm, TOLK_OPUS_FRAME, 440.0, 0.3, f->at);
    f->at += TOLK_OPUS_FRAME;
    int n = tolk_opus_encoder_encode(f->enc, pcm, pkt, MT_MAXPKT);
    g_assert_cmpint(n, >, 0);
    return n;
}

/* Pushes frames [from, to) of the timeline; the frames in [skip_from, skip_to) are lost. */
static void push_frames(fixture *f, tolk_ogg_opus_writer *w, int from, int to, int skip_from, int skip_to)
{
    uint8_t pkt[MT_MAXPKT];
    for (int i = from; i < to; i++) {
        int n = tone_frame(f, pkt);
        if (i >= skip_from && i < skip_to)
            continue;
        g_assert_cmpint(tolk_ogg_opus_writer_push(w, pkt, (gsize)n, BASE_PTS + (guint64)i * FRAME_NS), ==, 0);
    }
}

static char *run(const char *const *argv, int *status)
{
    char *out = NULL;
    GError *error = NULL;
    gboolean ok = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, status, &error);
    g_assert_no_error(error);
    g_assert_true(ok);
    return out;
}

/* ffprobe's key=value lines for the file's first stream and format, NULL if it refuses it. */
static GHashTable *probe(const char *path)
{
    const char *argv[] = {"ffprobe", "-v", "error", "-show_entries",
                          "stream=codec_name,sample_rate,channels:stream_tags:format=duration:format_tags",
                          "-of", "default=nw=1", path, NULL};
    int status;
    char *out = run(argv, &status);
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_free(out);
        return NULL;
    }
    GHashTable *kv = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    char **lines = g_strsplit(out, "\n", -1);
    for (char **l = lines; *l; l++) {
        char *eq = strchr(*l, '=');
        if (eq)
            g_hash_table_insert(kv, g_ascii_strup(*l, eq - *l), g_strdup(eq + 1));
    }
    g_strfreev(lines);
    g_free(out);
    return kv;
}

static double probe_duration(GHashTable *kv)
{
    const char *d = g_hash_table_lookup(kv, "DURATION");
    g_assert_nonnull(d);
    return g_ascii_strtod(d, NULL);
}

/* The file decoded by ffmpeg to 48 kHz mono float; *n samples. */
static float *decode(const char *path, int *n)
{
    char *pcm_path = g_strconcat(path, ".f32", NULL);
    const char *argv[] = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-i", path, "-f", "f32le", "-ac", "1",
                          "-ar", "48000", pcm_path, NULL};
    int status;
    g_free(run(argv, &status));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    char *data;
    gsize len;
    g_assert_true(g_file_get_contents(pcm_path, &data, &len, NULL));
    g_unlink(pcm_path);
    g_free(pcm_path);
    *n = (int)(len / sizeof(float));
    return (float *)data;
}

/* The 440 Hz tone is there, from the start to the end: every 100 ms block past the first is
 * dominated by it (a gap left unfilled, or a shifted timeline, would not show as silence
 * here, but in the duration; a broken stream shows here). */
static void assert_tone(const float *pcm, int n, double seconds)
{
    g_assert_cmpint(n, >=, (int)((seconds - TOLERANCE) * MT_RATE));
    int block = MT_RATE / 10;
    for (int at = block; at + block <= n - block; at += block) {
        double tone = mt_goertzel(pcm + at, block, 440.0), other = mt_goertzel(pcm + at, block, 1000.0);
        if (tone < 100 * other || tone < 0.005)
            g_error("no 440 Hz tone at %.2f s: %g (1 kHz: %g)", (double)at / MT_RATE, tone, other);
    }
}

static double expected_duration(int frames)
{
    return (frames * 960.0 - TOLK_OGG_PRE_SKIP) / MT_RATE;
}

static void test_pre_skip_is_our_encoders(void)
{
    int err;
    OpusEncoder *enc = opus_encoder_create(MT_RATE, 1, TOLK_OPUS_APPLICATION, &err);
    g_assert_nonnull(enc);
    opus_int32 lookahead = 0;
    opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD(&lookahead));
    g_assert_cmpint(lookahead, ==, TOLK_OGG_PRE_SKIP);
    opus_encoder_destroy(enc);
}

static void test_crc_and_toc(void)
{
    /* CRC-32/CKSUM's check value without its final inversion */
    g_assert_cmphex(tolk_ogg_crc(0, (const guint8 *)"123456789", 9), ==, 0x765e7680u ^ 0xffffffffu);
    g_assert_cmpint(tolk_opus_packet_samples(tolk_opus_silence_frame, 3), ==, 960);
    const guint8 silk60[] = {0x18}, celt_multi[] = {0xfb, 0x03}, bad[] = {0xfb, 0x00};
    g_assert_cmpint(tolk_opus_packet_samples(silk60, 1), ==, 2880);
    g_assert_cmpint(tolk_opus_packet_samples(celt_multi, 2), ==, 3 * 960);
    g_assert_cmpint(tolk_opus_packet_samples(bad, 2), <=, 0); /* -1: not a packet */
    g_assert_cmpint(tolk_opus_packet_samples(bad, 0), <=, 0); /* -1: not a packet */
}

static void test_tone_file(fixture *f, gconstpointer data)
{
    (void)data;
    int err = 1;
    tolk_ogg_opus_writer *w = tolk_ogg_opus_writer_open(f->path, &meta, &err);
    g_assert_nonnull(w);
    g_assert_cmpint(err, ==, 0);
    g_assert_null(tolk_ogg_opus_writer_open(f->path, &meta, &err)); /* never overwrites */
    g_assert_cmpint(err, ==, -EEXIST);
    push_frames(f, w, 0, 150, 0, 0);
    uint8_t junk[] = {0xfb, 0x00};
    g_assert_cmpint(tolk_ogg_opus_writer_push(w, junk, sizeof junk, BASE_PTS + 150 * FRAME_NS), ==, -EINVAL);
    g_assert_cmpint(tolk_ogg_opus_writer_push(w, tolk_opus_silence_frame, 3, BASE_PTS + 149 * FRAME_NS), ==, 0);
    const tolk_ogg_opus_stats *st = tolk_ogg_opus_writer_stats(w);
    g_assert_cmpuint(atomic_load(&st->frames), ==, 150);
    g_assert_cmpuint(atomic_load(&st->dropped), ==, 2); /* the junk and the duplicate */
    g_assert_cmpuint(atomic_load(&st->write_errors), ==, 0);
    g_assert_cmpint(tolk_ogg_opus_writer_close(w), ==, 0);

    GHashTable *kv = probe(f->path);
    g_assert_nonnull(kv);
    g_assert_cmpstr(g_hash_table_lookup(kv, "CODEC_NAME"), ==, "opus");
    g_assert_cmpstr(g_hash_table_lookup(kv, "SAMPLE_RATE"), ==, "48000");
    g_assert_cmpstr(g_hash_table_lookup(kv, "CHANNELS"), ==, "1");
    g_assert_cmpfloat_with_epsilon(probe_duration(kv), expected_duration(150), TOLERANCE);
    g_assert_cmpstr(g_hash_table_lookup(kv, "TAG:TITLE"), ==, "Plenary, floor");
    g_assert_cmpstr(g_hash_table_lookup(kv, "TAG:TOLK_SITTING"), ==, "plenary-2026-12-02");
    g_assert_cmpstr(g_hash_table_lookup(kv, "TAG:TOLK_CHANNEL"), ==, "floor");
    g_assert_cmpstr(g_hash_table_lookup(kv, "TAG:LANGUAGE"), ==, "fr");
    g_assert_cmpstr(g_hash_table_lookup(kv, "TAG:DATE"), ==, "2026-12-02T10:00:00Z");
    g_hash_table_unref(kv);
    int n;
    float *pcm = decode(f->path, &n);
    assert_tone(pcm, n, expected_duration(150));
    g_free(pcm);
    /* ffprobe does not show the vendor string: read it where RFC 7845 puts it */
    char *contents;
    gsize len;
    g_assert_true(g_file_get_contents(f->path, &contents, &len, NULL));
    static const char vendor[] = "OpusTags\x04\0\0\0Tolk";
    g_assert_nonnull(memmem(contents, len, vendor, sizeof vendor - 1));
    g_free(contents);
}

static void test_gap_keeps_the_timeline(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_ogg_opus_writer *w = tolk_ogg_opus_writer_open(f->path, &meta, NULL);
    g_assert_nonnull(w);
    push_frames(f, w, 0, 150, 60, 65); /* 100 ms lost at 1.2 s */
    g_assert_cmpuint(atomic_load(&tolk_ogg_opus_writer_stats(w)->filled), ==, 5);
    g_assert_cmpuint(tolk_ogg_opus_writer_samples(w), ==, 150 * 960 - TOLK_OGG_PRE_SKIP);
    g_assert_cmpint(tolk_ogg_opus_writer_close(w), ==, 0);
    GHashTable *kv = probe(f->path);
    g_assert_nonnull(kv);
    g_assert_cmpfloat_with_epsilon(probe_duration(kv), expected_duration(150), TOLERANCE);
    g_hash_table_unref(kv);
    int n;
    float *pcm = decode(f->path, &n);
    g_assert_cmpint(n, >=, (int)((expected_duration(150) - TOLERANCE) * MT_RATE));
    /* the tone is before and after the gap at its true place, silence in it */
    int gap_at = 60 * 960 - TOLK_OGG_PRE_SKIP, block = 960;
    g_assert_cmpfloat(mt_goertzel(pcm + gap_at - 3 * block, 2 * block, 440.0), >, 0.015);
    g_assert_cmpfloat(mt_rms(pcm + gap_at + block, 3 * block), <, 1e-4);
    /* after the gap, CELT's inter-frame energy prediction brings the tone back in ~150 ms,
     * as after any lost packet */
    g_assert_cmpfloat(mt_goertzel(pcm + gap_at + 15 * block, 2 * block, 440.0), >, 0.015);
    g_free(pcm);
}

static gsize file_size(const char *path)
{
    struct stat st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    return (gsize)st.st_size;
}

/* What kill -9 leaves: the writer never closed, the file cut anywhere after the first
 * second. ffprobe takes it, with the duration of the whole pages before the cut. */
static void test_killed_file_stays_playable(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_ogg_opus_writer *w = tolk_ogg_opus_writer_open(f->path, &meta, NULL);
    g_assert_nonnull(w);
    gsize sizes[8] = {0};
    int pages = 0;
    gsize last = file_size(f->path);
    for (int i = 0; i < 225; i++) { /* 4.5 s: the last half second is still in memory */
        push_frames(f, w, i, i + 1, 0, 0);
        gsize now = file_size(f->path);
        if (now != last) {
            g_assert_cmpint((i + 1) % 50, ==, 0); /* a page per second of audio, no later */
            sizes[pages++] = last = now;
        }
    }
    g_assert_cmpint(pages, ==, 4);
    g_test_message("a second of tone on disk: %zu bytes (a page)", sizes[2] - sizes[1]);
    GHashTable *kv = probe(f->path);
    g_assert_nonnull(kv);
    g_assert_cmpfloat_with_epsilon(probe_duration(kv), expected_duration(200), TOLERANCE);
    g_hash_table_unref(kv);

    char *contents, *cut_path = g_build_filename(f->dir, "cut.opus", NULL);
    gsize len;
    g_assert_true(g_file_get_contents(f->path, &contents, &len, NULL));
    for (int round = 0; round < 5; round++) {
        gsize cut = (gsize)g_test_rand_int_range((gint32)sizes[0], (gint32)len);
        g_assert_true(g_file_set_contents(cut_path, contents, (gssize)cut, NULL));
        int whole = 0;
        while (whole < pages && sizes[whole] <= cut)
            whole++;
        double expected = expected_duration(50 * whole);
        kv = probe(cut_path);
        if (!kv)
            g_error("ffprobe refuses the file cut at byte %zu of %zu", cut, len);
        double d = probe_duration(kv);
        /* a torn last page may still lend its granule to the duration: at most a second more */
        g_assert_cmpfloat(d, >=, expected - TOLERANCE);
        g_assert_cmpfloat(d, <=, expected + 1.0 + TOLERANCE);
        g_hash_table_unref(kv);
        int n;
        float *pcm = decode(cut_path, &n);
        assert_tone(pcm, n, expected);
        g_free(pcm);
    }
    g_free(contents);
    g_free(cut_path);
    g_assert_cmpint(tolk_ogg_opus_writer_close(w), ==, 0);
}

/* The file reaches the disk itself, not only the page cache, every five seconds of audio. */
static void test_synced_every_five_seconds(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_ogg_opus_writer *w = tolk_ogg_opus_writer_open(f->path, &meta, NULL);
    g_assert_nonnull(w);
    const tolk_ogg_opus_stats *st = tolk_ogg_opus_writer_stats(w);
    g_assert_cmpuint(atomic_load(&st->syncs), ==, 1); /* the headers */
    push_frames(f, w, 0, 249, 0, 0);
    g_assert_cmpuint(atomic_load(&st->syncs), ==, 1);
    push_frames(f, w, 249, 550, 0, 0);
    g_assert_cmpuint(atomic_load(&st->syncs), ==, 3); /* at 5 and 10 s */
    g_assert_cmpint(tolk_ogg_opus_writer_flush(w), ==, 0);
    g_assert_cmpuint(atomic_load(&st->syncs), ==, 4);
    g_assert_cmpint(tolk_ogg_opus_writer_close(w), ==, 0);
}

/* A device that is always full: the headers fail, and open says so. */
static void test_full_disk_at_open(void)
{
    int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    int err = 0;
    g_assert_null(tolk_ogg_opus_writer_open_fd(fd, &meta, &err));
    g_assert_cmpint(err, ==, -ENOSPC);
}

/* The disk fills mid-recording (the writer's descriptor turned into /dev/full behind its
 * back), then frees: the errors are returned and counted, the pages in between are lost,
 * and the file goes on, playable, its timeline true. */
static void test_full_disk_mid_stream(fixture *f, gconstpointer data)
{
    (void)data;
    int fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    g_assert_cmpint(fd, >=, 0);
    tolk_ogg_opus_writer *w = tolk_ogg_opus_writer_open_fd(fd, &meta, NULL);
    g_assert_nonnull(w);
    push_frames(f, w, 0, 50, 0, 0);
    int saved = dup(fd), full = open("/dev/full", O_WRONLY | O_CLOEXEC);
    g_assert_cmpint(dup2(full, fd), ==, fd);
    uint8_t pkt[MT_MAXPKT];
    int errors = 0;
    for (int i = 50; i < 100; i++) {
        int n = tone_frame(f, pkt);
        int r = tolk_ogg_opus_writer_push(w, pkt, (gsize)n, BASE_PTS + (guint64)i * FRAME_NS);
        if (r != 0) {
            g_assert_cmpint(r, ==, -ENOSPC);
            errors++;
        }
    }
    g_assert_cmpint(errors, ==, 1);
    const tolk_ogg_opus_stats *st = tolk_ogg_opus_writer_stats(w);
    g_assert_cmpuint(atomic_load(&st->write_errors), >=, 1);
    g_assert_cmpint(atomic_load(&st->last_errno), ==, ENOSPC);
    g_assert_cmpuint(atomic_load(&st->lost), ==, 50);
    g_assert_cmpint(dup2(saved, fd), ==, fd);
    close(saved);
    close(full);
    push_frames(f, w, 100, 150, 0, 0);
    g_assert_cmpint(tolk_ogg_opus_writer_close(w), ==, 0);
    GHashTable *kv = probe(f->path);
    g_assert_nonnull(kv);
    g_assert_cmpfloat_with_epsilon(probe_duration(kv), expected_duration(150), TOLERANCE);
    g_hash_table_unref(kv);
    int n;
    float *pcm = decode(f->path, &n);
    g_assert_cmpint(n, >=, (int)(1.9 * MT_RATE)); /* the two seconds on disk */
    g_free(pcm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/record/pre_skip", test_pre_skip_is_our_encoders);
    g_test_add_func("/record/crc_and_toc", test_crc_and_toc);
    g_test_add("/record/tone_file", fixture, NULL, fixture_set_up, test_tone_file, fixture_tear_down);
    g_test_add("/record/gap", fixture, NULL, fixture_set_up, test_gap_keeps_the_timeline, fixture_tear_down);
    g_test_add("/record/killed", fixture, NULL, fixture_set_up, test_killed_file_stays_playable,
               fixture_tear_down);
    g_test_add("/record/synced", fixture, NULL, fixture_set_up, test_synced_every_five_seconds,
               fixture_tear_down);
    g_test_add_func("/record/full_disk_at_open", test_full_disk_at_open);
    g_test_add("/record/full_disk_mid_stream", fixture, NULL, fixture_set_up, test_full_disk_mid_stream,
               fixture_tear_down);
    return g_test_run();
}
