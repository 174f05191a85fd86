/* SPDX-License-Identifier: EUPL-1.2 */
/* The recorder (mixer/sitting/recorder.c) and the recordings folder (mixer/record/
 * recordings_dir.c) in process: frames pushed into a real stream reach a segment named for its
 * start, mode 0640, with the time pushed; stop closes it, a new start makes a new segment; the
 * folder's listing and open take segment names only and never follow a link; names and ranges of
 * the name checks. */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opus_encoder.h"
#include "recorder.h"
#include "recordings_dir.h"

#define FRAME_NS 20000000ULL

static void push_frames(tolk_stream *stream, guint64 *pts, int count)
{
    for (int i = 0; i < count; i++, *pts += FRAME_NS)
        tolk_stream_push(stream, tolk_opus_silence_frame, sizeof tolk_opus_silence_frame, *pts);
}

static void wait_file(tolk_recording *rec, tolk_recording_status *st)
{
    for (int i = 0; i < 200; i++) {
        tolk_recording_status_get(rec, st);
        if (st->file[0])
            return;
        g_usleep(10000);
    }
    g_assert_not_reached();
}

typedef struct {
    int count;
    double seconds;
    char names[4][TOLK_RECORDING_NAME_SIZE];
} listing;

static void count_entry(const tolk_recording_entry *e, void *ctx)
{
    listing *l = ctx;
    g_assert_cmpstr(e->sitting, ==, "s1");
    g_assert_cmpstr(e->channel, ==, "en");
    if (l->count < 4)
        g_strlcpy(l->names[l->count], e->name, sizeof l->names[0]);
    l->count++;
    l->seconds += e->duration_s;
}

static void test_segments(void)
{
    char *dir = g_dir_make_tmp("tolk-recorder-XXXXXX", NULL);
    tolk_recorder *recorder = tolk_recorder_new(dir, 3600);
    uint8_t key[TOLK_KEY_LEN] = {1};
    tolk_stream *stream = tolk_stream_new(key);
    tolk_recording *rec = tolk_recording_new(recorder, "s1", "en", "en", "test");
    guint64 pts = 1000 * FRAME_NS;
    tolk_recording_status st;

    tolk_recording_start(rec, stream);
    g_assert_true(tolk_stream_consumed(stream)); /* a recorded channel is encoded */
    wait_file(rec, &st);
    g_assert_cmpint(st.state, ==, TOLK_RECORDING_ON);
    char first[TOLK_RECORDING_NAME_SIZE];
    g_strlcpy(first, st.file, sizeof first);
    push_frames(stream, &pts, 100); /* 2 s */
    tolk_recording_stop(rec);
    tolk_recording_status_get(rec, &st);
    g_assert_cmpint(st.state, ==, TOLK_RECORDING_OFF);
    g_usleep(1100000); /* the next segment starts in another second: another name */
    tolk_recording_start(rec, stream);
    wait_file(rec, &st);
    g_assert_cmpstr(st.file, !=, first);
    push_frames(stream, &pts, 50); /* 1 s */
    tolk_recording_release(rec);
    tolk_recorder_free(recorder); /* closes what is open */
    tolk_stream_free(stream);

    char *path = g_build_filename(dir, "s1", "en", first, NULL);
    struct stat sb;
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 0777, ==, 0640);
    listing l = {0};
    tolk_recordings_scan(dir, NULL, count_entry, &l);
    g_assert_cmpint(l.count, ==, 2);
    g_assert_cmpstr(l.names[0], ==, first); /* in name order: the first start first */
    g_assert_cmpfloat_with_epsilon(l.seconds, 3.0, 0.05);
    listing none = {0};
    tolk_recordings_scan(dir, "s2", count_entry, &none);
    g_assert_cmpint(none.count, ==, 0);

    /* a link among the segments is neither listed nor opened */
    char *link = g_build_filename(dir, "s1", "en", "2026-01-01T00-00-00Z.opus", NULL);
    g_assert_cmpint(symlink(path, link), ==, 0);
    listing again = {0};
    tolk_recordings_scan(dir, NULL, count_entry, &again);
    g_assert_cmpint(again.count, ==, 2);
    guint64 bytes = 0;
    g_assert_cmpint(tolk_recordings_open(dir, "s1", "en", "2026-01-01T00-00-00Z.opus", &bytes), <, 0);
    int fd = tolk_recordings_open(dir, "s1", "en", first, &bytes);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(bytes, ==, (guint64)sb.st_size);
    close(fd);
    g_assert_cmpint(tolk_recordings_open(dir, "s1", "..", first, &bytes), <, 0);
    g_assert_cmpint(tolk_recordings_open(dir, "..", "en", first, &bytes), <, 0);
    g_unlink(link);
    g_free(link);
    g_free(path);
    char *rm = g_strdup_printf("rm -rf '%s'", dir);
    g_assert_cmpint(system(rm), ==, 0);
    g_free(rm);
    g_free(dir);
}

/* A segment length of one second (the options take minutes; the recorder seconds): frames in
 * real time over 2.5 s make a new file on each boundary, with no audio lost between them. */
static void test_roll(void)
{
    char *dir = g_dir_make_tmp("tolk-recorder-XXXXXX", NULL);
    tolk_recorder *recorder = tolk_recorder_new(dir, 1);
    uint8_t key[TOLK_KEY_LEN] = {2};
    tolk_stream *stream = tolk_stream_new(key);
    tolk_recording *rec = tolk_recording_new(recorder, "s1", "en", NULL, NULL);
    guint64 pts = 0;
    tolk_recording_start(rec, stream);
    for (int i = 0; i < 125; i++) {
        push_frames(stream, &pts, 1);
        g_usleep(20000);
    }
    tolk_recording_release(rec);
    tolk_recorder_free(recorder);
    tolk_stream_free(stream);
    listing l = {0};
    tolk_recordings_scan(dir, NULL, count_entry, &l);
    g_assert_cmpint(l.count, >=, 2);
    g_assert_cmpfloat_with_epsilon(l.seconds, 2.5, 0.1);
    char *rm = g_strdup_printf("rm -rf '%s'", dir);
    g_assert_cmpint(system(rm), ==, 0);
    g_free(rm);
    g_free(dir);
}

static void test_names(void)
{
    char name[TOLK_RECORDING_NAME_SIZE];
    tolk_recording_name(G_GINT64_CONSTANT(1796205600) * G_USEC_PER_SEC, 0, name); /* 2026-12-02T10:00:00Z */
    g_assert_cmpstr(name, ==, "2026-12-02T10-00-00Z.opus");
    gint64 start = 0;
    g_assert_true(tolk_recording_name_parse(name, &start));
    g_assert_cmpint(start, ==, 1796205600);
    tolk_recording_name(G_GINT64_CONSTANT(1796205600) * G_USEC_PER_SEC, 3, name);
    g_assert_cmpstr(name, ==, "2026-12-02T10-00-00Z-3.opus");
    g_assert_true(tolk_recording_name_parse(name, NULL));
    static const char *const bad[] = {"", "..", "2026-12-02T10-00-00Z.ogg", "2026-12-02T10-00-00Z-0.opus",
                                      "2026-12-02T10-00-00Z-100.opus", "2026-13-02T10-00-00Z.opus",
                                      "2026-12-02T10-00-00Z.opus/", "../2026-12-02T10-00-00Z.opus",
                                      "2026-12-02t10-00-00Z.opus", "2026-12-02T10-00-00Z.opus.part"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_false(tolk_recording_name_parse(bad[i], NULL));
    g_assert_true(tolk_recording_segment_valid("plenary-2"));
    g_assert_true(tolk_recording_segment_valid("floor"));
    static const char *const bad_segments[] = {"", ".", "..", "-a", "a/b", "A", "a b", "a%2fb",
                                               "123456789012345678901234567890123"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad_segments); i++)
        g_assert_false(tolk_recording_segment_valid(bad_segments[i]));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/recorder/names", test_names);
    g_test_add_func("/recorder/segments", test_segments);
    g_test_add_func("/recorder/roll", test_roll);
    return g_test_run();
}
