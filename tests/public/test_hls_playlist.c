/* SPDX-License-Identifier: EUPL-1.2 */
/* The HLS playlist's text (RFC 8216) and the names GET /hls/... may serve, without GStreamer;
 * the folder's files: their modes whatever the umask, the atomic replace, the clean-up. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hls_files.h"
#include "hls_playlist.h"

static tolk_hls_segment segment(uint64_t seq, double duration, bool discontinuity)
{
    tolk_hls_segment s = {.sequence = seq, .duration_s = duration, .discontinuity = discontinuity,
                          .start_wall_us = 1700000000LL * G_USEC_PER_SEC + 250000};
    tolk_hls_segment_name(s.name, 1700000000, seq);
    return s;
}

static void test_window_and_eviction(void)
{
    tolk_hls_playlist pl;
    tolk_hls_playlist_init(&pl, 2, 3);
    char evicted[TOLK_HLS_SEGMENT_NAME_SIZE] = "";
    int gone = 0;
    for (uint64_t i = 0; i < 10; i++) {
        tolk_hls_segment s = segment(i, 2.0, false);
        if (tolk_hls_playlist_add(&pl, &s, evicted)) {
            char expect[TOLK_HLS_SEGMENT_NAME_SIZE];
            tolk_hls_segment_name(expect, 1700000000, (uint64_t)gone);
            g_assert_cmpstr(evicted, ==, expect); /* oldest first */
            gone++;
        }
    }
    g_assert_cmpint(gone, ==, 10 - 7); /* 3 listed + 4 kept for late readers */
    char *text = tolk_hls_playlist_render(&pl);
    g_assert_true(g_str_has_prefix(text, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"));
    g_assert_nonnull(strstr(text, "#EXT-X-MEDIA-SEQUENCE:7\n"));
    g_assert_null(strstr(text, "s1700000000-000006.ts"));
    g_assert_nonnull(strstr(text, "#EXTINF:2.000,\ns1700000000-000009.ts\n"));
    g_assert_nonnull(strstr(text, "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:20.250Z\n"));
    g_assert_null(strstr(text, "ENDLIST"));
    g_free(text);
    pl.ended = true;
    text = tolk_hls_playlist_render(&pl);
    g_assert_true(g_str_has_suffix(text, "#EXT-X-ENDLIST\n"));
    g_free(text);
}

/* A restart's first segment is a discontinuity; once it slides out the sequence counts it. */
static void test_discontinuity(void)
{
    tolk_hls_playlist pl;
    tolk_hls_playlist_init(&pl, 2, 3);
    char evicted[TOLK_HLS_SEGMENT_NAME_SIZE];
    for (uint64_t i = 0; i < 4; i++) {
        tolk_hls_segment s = segment(i, i == 3 ? 2.6 : 2.0, i == 2);
        tolk_hls_playlist_add(&pl, &s, evicted);
    }
    char *text = tolk_hls_playlist_render(&pl);
    g_assert_nonnull(strstr(text, "#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME"));
    g_assert_null(strstr(text, "DISCONTINUITY-SEQUENCE"));
    g_assert_nonnull(strstr(text, "#EXT-X-TARGETDURATION:3\n")); /* 2.6 s rounds to 3 */
    g_free(text);
    for (uint64_t i = 4; i < 6; i++) {
        tolk_hls_segment s = segment(i, 2.0, false);
        tolk_hls_playlist_add(&pl, &s, evicted);
    }
    text = tolk_hls_playlist_render(&pl); /* listed: 3, 4, 5; the discontinuity before 2 is gone */
    g_assert_nonnull(strstr(text, "#EXT-X-DISCONTINUITY-SEQUENCE:1\n"));
    g_assert_null(strstr(text, "#EXT-X-DISCONTINUITY\n"));
    g_free(text);
}

static void test_names(void)
{
    static const char *const good[] = {"index.m3u8", "s1700000000-000001.ts", "s1-1.ts"};
    static const char *const bad[] = {"", "../x", "..", "%2e%2e", "index.m3u8.tmp", "s1-1.ts.tmp",
                                      "/etc/passwd", "s-1.ts", "s1-.ts", "s1-1.TS", "S1-1.ts", "s1-1.ts/",
                                      "s1 -1.ts", "s1-1.ts\n", "s1234567890123-1.ts", "x.ts", "index.m3u",
                                      ".index.m3u8", "unused00000.ts", "s+1-1.ts"};
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
        g_assert_true(tolk_hls_name_valid(good[i]));
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_false(tolk_hls_name_valid(bad[i]));
    g_assert_false(tolk_hls_name_valid(NULL));
}

static mode_t mode_of(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    struct stat st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_free(path);
    return st.st_mode & 0777;
}

static void test_files(void)
{
    mode_t old = umask(077); /* the daemon's private umask must not make the files private */
    char *root = g_dir_make_tmp("tolk-hls-XXXXXX", NULL);
    char *dir = g_build_filename(root, "s", "en", NULL);
    tolk_error err;
    g_assert_true(tolk_hls_dir_make(dir, &err));
    g_assert_cmpint(mode_of(root, "s"), ==, 0755);
    g_assert_true(tolk_hls_file_replace(dir, "index.m3u8", "one"));
    g_assert_true(tolk_hls_file_replace(dir, "index.m3u8", "two"));
    g_assert_cmpint(mode_of(dir, "index.m3u8"), ==, 0644);
    int fd = tolk_hls_file_create(dir, "s1-1.ts");
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_cmpint(mode_of(dir, "s1-1.ts"), ==, 0644);
    char *keep = g_build_filename(dir, "keep.txt", NULL), *playlist = g_build_filename(dir, "index.m3u8", NULL);
    g_assert_true(g_file_set_contents(keep, "x", 1, NULL));
    char *text = NULL;
    g_assert_true(g_file_get_contents(playlist, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "two");
    g_free(text);
    tolk_hls_dir_clean(dir);
    GDir *d = g_dir_open(dir, 0, NULL);
    g_assert_cmpstr(g_dir_read_name(d), ==, "keep.txt"); /* only our names go */
    g_assert_null(g_dir_read_name(d));
    g_dir_close(d);
    g_unlink(keep);
    g_rmdir(dir);
    g_free(keep);
    g_free(playlist);
    umask(old);
    g_assert_false(tolk_hls_dir_make("/proc/no/such", &err));
    g_assert_cmpstr(err.code, ==, "hls_unavailable");
    g_free(dir);
    g_free(root);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/public/hls/window", test_window_and_eviction);
    g_test_add_func("/public/hls/discontinuity", test_discontinuity);
    g_test_add_func("/public/hls/names", test_names);
    g_test_add_func("/public/hls/files", test_files);
    return g_test_run();
}
