/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The floor video's record (mixer/record/video_recording.h) with real RTP: GStreamer encodes
 * 90 frames of a solid colour (VP8 by vp8enc, H.264 by openh264enc, a key frame every 30) and
 * payloads them (rtpvp8pay, rtph264pay), the test hands the packets to the recording as the
 * feed does (a refused packet: the next key frame), and the files are judged by ffprobe and
 * ffmpeg: codec, frame count, duration, the colour of the decoded picture; a copy taken while
 * the file is written (what a kill -9 leaves) plays too; the duration the listing reads
 * (video_file.h) matches; a folder that cannot be written makes the recording failing.
 */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "video_file.h"
#include "video_recording.h"

#define FRAMES 90
#define FPS 30
#define RTP_FRAME (90000 / FPS)

typedef struct {
    GPtrArray *packets; /* GBytes, in order */
} rtp_source;

/* The RTP packets of FRAMES frames of one colour (0xRRGGBB) in the codec. */
static GPtrArray *encode_size(tolk_video_codec codec, guint colour, int width, int height)
{
    char *desc = g_strdup_printf(
        "videotestsrc num-buffers=%d pattern=solid-color foreground-color=0xff%06x ! "
        "video/x-raw,width=%d,height=%d,framerate=%d/1 ! %s ! appsink name=out sync=false",
        FRAMES, colour, width, height, FPS,
        codec == TOLK_VIDEO_VP8 ? "vp8enc keyframe-max-dist=30 deadline=1 ! rtpvp8pay mtu=1200"
                                : "openh264enc gop-size=30 ! h264parse ! rtph264pay mtu=1200 config-interval=-1");
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(desc, &error);
    g_assert_no_error(error);
    g_free(desc);
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "out");
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    GPtrArray *packets = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (GstSample *s; (s = gst_app_sink_pull_sample(GST_APP_SINK(sink)));) {
        GstMapInfo map;
        GstBuffer *b = gst_sample_get_buffer(s);
        gst_buffer_map(b, &map, GST_MAP_READ);
        g_ptr_array_add(packets, g_bytes_new(map.data, map.size));
        gst_buffer_unmap(b, &map);
        gst_sample_unref(s);
    }
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(sink);
    gst_object_unref(pipeline);
    g_assert_cmpuint(packets->len, >=, FRAMES);
    return packets;
}

static GPtrArray *encode(tolk_video_codec codec, guint colour)
{
    return encode_size(codec, colour, 320, 240);
}

static guint32 rtp_u32(const uint8_t *d, size_t at)
{
    return (guint32)d[at] << 24 | (guint32)d[at + 1] << 16 | (guint32)d[at + 2] << 8 | d[at + 3];
}

static void put_u32(uint8_t *d, size_t at, guint32 v)
{
    d[at] = (uint8_t)(v >> 24);
    d[at + 1] = (uint8_t)(v >> 16);
    d[at + 2] = (uint8_t)(v >> 8);
    d[at + 3] = (uint8_t)v;
}

/* b's packets appended to a as the switch puts them on the line: a's SSRC, the sequence and
 * the timestamps running on (a frame's time after a's last). */
static void append_as_line(GPtrArray *a, GPtrArray *b)
{
    const uint8_t *last = g_bytes_get_data(g_ptr_array_index(a, a->len - 1), NULL);
    guint16 seq = (guint16)(last[2] << 8 | last[3]);
    guint32 ts0 = rtp_u32(last, 4) + RTP_FRAME, ssrc = rtp_u32(last, 8);
    const uint8_t *first = g_bytes_get_data(g_ptr_array_index(b, 0), NULL);
    guint32 b0 = rtp_u32(first, 4);
    for (guint i = 0; i < b->len; i++) {
        gsize len;
        const uint8_t *data = g_bytes_get_data(g_ptr_array_index(b, i), &len);
        uint8_t *d = g_memdup2(data, len);
        seq++;
        d[2] = (uint8_t)(seq >> 8);
        d[3] = (uint8_t)seq;
        put_u32(d, 4, ts0 + (rtp_u32(d, 4) - b0));
        put_u32(d, 8, ssrc);
        g_ptr_array_add(a, g_bytes_new_take(d, len));
    }
}

static bool is_keyframe(tolk_video_codec codec, GBytes *p)
{
    gsize len;
    const uint8_t *d = g_bytes_get_data(p, &len);
    tolk_video_packet info;
    return tolk_video_rtp_inspect(codec, d, len, &info) == 0 && info.keyframe;
}

static void wait_for(tolk_video_recording *rec, bool (*ready)(const tolk_video_recording_status *))
{
    tolk_video_recording_status st;
    for (int i = 0; i < 100; i++) {
        tolk_video_recording_status_get(rec, &st);
        if (ready(&st))
            return;
        g_usleep(50 * 1000);
    }
    g_error("the video recording did not get there in 5 s");
}

static bool file_made(const tolk_video_recording_status *st)
{
    return st->files > 0;
}

static bool no_file(const tolk_video_recording_status *st)
{
    return st->file[0] == '\0';
}

static bool is_failing(const tolk_video_recording_status *st)
{
    return st->failing && st->write_errors > 0;
}

/* As the feed: from a key frame on, a refused packet waits for the next one. Returns the
 * index of the first packet taken. */
static guint feed(tolk_video_recording *rec, tolk_video_codec codec, GPtrArray *packets)
{
    bool waiting = true;
    guint first = G_MAXUINT;
    guint32 refused_ts = 0;
    for (guint i = 0; i < packets->len; i++) {
        GBytes *p = g_ptr_array_index(packets, i);
        gsize len;
        const uint8_t *d = g_bytes_get_data(p, &len);
        guint32 ts = (guint32)d[4] << 24 | (guint32)d[5] << 16 | (guint32)d[6] << 8 | d[7];
        if (waiting && (!is_keyframe(codec, p) || (i > 0 && ts == refused_ts)))
            continue; /* the next frame that starts with a key frame */
        waiting = !tolk_video_recording_take(rec, d, len);
        if (waiting)
            refused_ts = ts;
        if (!waiting && first == G_MAXUINT)
            first = i;
        if (waiting && first == G_MAXUINT)
            wait_for(rec, file_made); /* a file is tried again every second */
    }
    return first;
}

static char *run(const char *const *argv)
{
    char *out = NULL;
    int status;
    GError *error = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, &out, NULL, &status, &error));
    g_assert_no_error(error);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    return out;
}

/* ffprobe: codec name, frames (counted by decoding), duration. */
static void probe(const char *path, char **codec, int *frames, double *duration)
{
    const char *argv[] = {"ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                          "stream=codec_name,nb_read_frames:format=duration", "-of", "default=nw=1", path, NULL};
    char *out = run(argv);
    char **lines = g_strsplit(out, "\n", -1);
    *codec = NULL;
    *frames = -1;
    *duration = -1;
    for (char **l = lines; *l; l++) {
        if (g_str_has_prefix(*l, "codec_name="))
            *codec = g_strdup(*l + 11);
        else if (g_str_has_prefix(*l, "nb_read_frames="))
            *frames = atoi(*l + 15);
        else if (g_str_has_prefix(*l, "duration="))
            *duration = g_ascii_strtod(*l + 9, NULL); /* "N/A" reads as 0 */
    }
    g_strfreev(lines);
    g_free(out);
}

/* The colour of the middle pixel of the first decoded frame from `seconds` on (by time: a
 * change of size restarts ffmpeg's filters and their frame count). */
static guint colour_at(const char *path, double seconds)
{
    char *filter = g_strdup_printf("scale=8:8,select=gte(t\\,%.3f)", seconds);
    const char *argv[] = {"ffmpeg", "-nostdin", "-v", "error", "-i", path, "-frames:v", "1", "-vf", filter,
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-", NULL};
    char *out = run(argv);
    const guint8 *px = (const guint8 *)out + (4 * 8 + 4) * 3;
    guint colour = (guint)px[0] << 16 | (guint)px[1] << 8 | px[2];
    g_free(out);
    g_free(filter);
    return colour;
}

static guint first_colour(const char *path)
{
    return colour_at(path, 0);
}

static bool near_colour(guint got, guint want)
{
    for (int shift = 0; shift <= 16; shift += 8) {
        if (abs((int)((got >> shift) & 0xff) - (int)((want >> shift) & 0xff)) > 40)
            return false;
    }
    return true;
}

static double listing_duration(const char *path, bool mp4)
{
    int fd = open(path, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    struct stat st;
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    double d = tolk_video_file_duration(fd, (guint64)st.st_size, mp4);
    close(fd);
    return d;
}

static guint64 file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (guint64)st.st_size : 0;
}

/* The one file in DIR/s1/video. */
static char *only_file(const char *dir)
{
    char *folder = g_build_filename(dir, "s1", TOLK_VIDEO_RECORDING_FOLDER, NULL);
    GDir *d = g_dir_open(folder, 0, NULL);
    g_assert_nonnull(d);
    const char *name = g_dir_read_name(d);
    g_assert_nonnull(name);
    char *path = g_build_filename(folder, name, NULL);
    g_assert_null(g_dir_read_name(d));
    g_dir_close(d);
    g_free(folder);
    return path;
}

/* A WebM cut at 2/3 (in a cluster): the frames before the cut play, the listing reads the
 * last whole block's time, not the duration the header was begun with. */
static void check_cut_webm(const char *cut, guint colour)
{
    char *data, *name;
    gsize len;
    int frames;
    double duration;
    g_assert_true(g_file_get_contents(cut, &data, &len, NULL));
    g_assert_true(g_file_set_contents(cut, data, (gssize)(len * 2 / 3), NULL));
    g_free(data);
    probe(cut, &name, &frames, &duration);
    double cut_listed = listing_duration(cut, false);
    g_test_message(".webm cut at 2/3: %d frames, the listing reads %.3f s", frames, cut_listed);
    g_assert_cmpint(frames, >, 0);
    g_assert_cmpfloat(cut_listed, <, 2.9);
    g_assert_cmpfloat(cut_listed, >=, 1.0);
    g_assert_true(near_colour(first_colour(cut), colour));
    g_free(name);
    (void)duration;
}

/* DIR/s1/video, DIR/s1 and DIR, their files removed before. */
static void remove_folders(char *dir)
{
    char *video = g_build_filename(dir, "s1", TOLK_VIDEO_RECORDING_FOLDER, NULL);
    char *sitting = g_build_filename(dir, "s1", NULL);
    g_assert_cmpint(g_rmdir(video), ==, 0);
    g_assert_cmpint(g_rmdir(sitting), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
    g_free(video);
    g_free(sitting);
    g_free(dir);
}

typedef struct {
    int count;
    tolk_recording_entry entry;
    char name[TOLK_RECORDING_NAME_SIZE];
} listed;

static void list_entry(const tolk_recording_entry *e, void *ctx)
{
    listed *l = ctx;
    l->count++;
    l->entry = *e;
    g_strlcpy(l->name, e->name, sizeof l->name);
}

/* What the API's listing says of the folder: the one video file, its kind and duration. */
static void check_listing(const char *dir, const char *path, tolk_recording_kind kind, double duration)
{
    listed l = {0};
    tolk_recordings_scan(dir, "s1", list_entry, &l);
    char *base = g_path_get_basename(path);
    g_assert_cmpint(l.count, ==, 1);
    g_assert_cmpstr(l.name, ==, base);
    g_assert_cmpint(l.entry.kind, ==, kind);
    g_assert_cmpfloat(fabs(l.entry.duration_s - duration), <, 0.05);
    g_assert_cmpuint(l.entry.bytes, ==, file_size(path));
    guint64 bytes = 0;
    int fd = tolk_recordings_open(dir, "s1", TOLK_VIDEO_RECORDING_FOLDER, base, &bytes);
    g_assert_cmpint(fd, >=, 0); /* the download opens it */
    g_assert_cmpuint(bytes, ==, file_size(path));
    close(fd);
    g_free(base);
}

static void record_codec(tolk_video_codec codec, const char *codec_name, const char *ext, guint colour)
{
    GPtrArray *packets = encode(codec, colour);
    char *dir = g_dir_make_tmp("tolk-video-rec-XXXXXX", NULL);
    tolk_video_recording *rec = tolk_video_recording_new(dir, "s1", codec, 3600);
    tolk_video_recording_start(rec);
    wait_for(rec, file_made); /* made at the start, before the picture */
    g_assert_cmpuint(feed(rec, codec, packets), ==, 0);
    char *path = only_file(dir);
    g_assert_true(g_str_has_suffix(path, ext));
    /* What a kill -9 leaves: the file as it is while written (the queue drained). */
    guint64 size = 0;
    for (int i = 0; i < 40 && (size == 0 || file_size(path) != size); i++) {
        size = file_size(path);
        g_usleep(100 * 1000);
    }
    tolk_video_recording_status st;
    tolk_video_recording_status_get(rec, &st);
    char *base = g_path_get_basename(path);
    g_assert_cmpstr(st.file, ==, base); /* shown once it holds a picture */
    g_free(base);
    char *cut = g_strconcat(path, ".cut", ext, NULL);
    char *cut_data;
    gsize cut_len;
    g_assert_true(g_file_get_contents(path, &cut_data, &cut_len, NULL));
    g_assert_true(g_file_set_contents(cut, cut_data, (gssize)cut_len, NULL));
    tolk_video_recording_stop(rec);
    wait_for(rec, no_file);
    tolk_video_recording_status_get(rec, &st);
    g_assert_false(st.failing);
    g_assert_cmpuint(st.files, ==, 1);
    g_assert_cmpuint(st.bytes, ==, file_size(path));
    tolk_video_recording_free(rec);

    /* all 90 frames, 3.0 s */
    char *name;
    int frames;
    double duration;
    probe(path, &name, &frames, &duration);
    g_test_message("%s: %s, %d frames, %.3f s (the listing reads %.3f s), %" G_GUINT64_FORMAT " bytes", ext, name,
                   frames, duration, listing_duration(path, codec == TOLK_VIDEO_H264), file_size(path));
    g_assert_cmpstr(name, ==, codec_name);
    g_assert_cmpint(frames, ==, FRAMES);
    g_assert_cmpfloat(fabs(duration - 3.0), <, 0.1);
    g_assert_cmpfloat(fabs(listing_duration(path, codec == TOLK_VIDEO_H264) - 3.0), <, 0.1);
    g_assert_true(near_colour(first_colour(path), colour));
    g_free(name);
    /* the copy beside it is no segment's name: passed over */
    check_listing(dir, path, codec == TOLK_VIDEO_VP8 ? TOLK_RECORDING_WEBM : TOLK_RECORDING_MP4, duration);

    probe(cut, &name, &frames, &duration);
    double cut_listed = listing_duration(cut, codec == TOLK_VIDEO_H264);
    g_test_message("%s cut while written: %d frames, the listing reads %.3f s", ext, frames, cut_listed);
    g_assert_cmpstr(name, ==, codec_name);
    g_assert_cmpint(frames, >=, FRAMES - (codec == TOLK_VIDEO_H264 ? FPS + 1 : 1));
    g_assert_cmpfloat(cut_listed, >, 1.9);
    g_assert_cmpfloat(cut_listed, <, 3.1);
    g_assert_true(near_colour(first_colour(cut), colour));
    g_free(name);

    /* WebM cut again in the middle of a cluster: what played before it stays, and the listing
     * says so (an MP4 fragment is written whole, a second at a time: cut, it is lost) */
    if (codec == TOLK_VIDEO_VP8)
        check_cut_webm(cut, colour);
    g_unlink(cut);
    g_unlink(path);
    g_free(cut_data);
    g_free(cut);
    g_free(path);
    g_ptr_array_unref(packets);
    remove_folders(dir);
}

/* A switch of camera on the line, to one of another size: one file, every frame of both. */
static void test_switch_keeps_one_file(void)
{
    GPtrArray *packets = encode(TOLK_VIDEO_VP8, 0xff0000);
    GPtrArray *second = encode_size(TOLK_VIDEO_VP8, 0x0000ff, 640, 360);
    append_as_line(packets, second);
    char *dir = g_dir_make_tmp("tolk-video-rec-XXXXXX", NULL);
    tolk_video_recording *rec = tolk_video_recording_new(dir, "s1", TOLK_VIDEO_VP8, 3600);
    tolk_video_recording_start(rec);
    wait_for(rec, file_made);
    g_assert_cmpuint(feed(rec, TOLK_VIDEO_VP8, packets), ==, 0);
    tolk_video_recording_free(rec); /* finishes the file */
    char *path = only_file(dir);
    char *name;
    int frames;
    double duration;
    probe(path, &name, &frames, &duration);
    g_test_message("a switch from 320x240 to 640x360: %d frames, %.3f s", frames, duration);
    g_assert_cmpstr(name, ==, "vp8");
    g_assert_cmpint(frames, ==, 2 * FRAMES);
    g_assert_cmpfloat(fabs(duration - 6.0), <, 0.1);
    g_assert_true(near_colour(first_colour(path), 0xff0000));
    g_assert_true(near_colour(colour_at(path, 2.9), 0xff0000));  /* the first camera's last frame */
    g_assert_true(near_colour(colour_at(path, 3.0), 0x0000ff));  /* the second's first, whole */
    g_assert_true(near_colour(colour_at(path, 5.95), 0x0000ff)); /* and its last */
    g_unlink(path);
    g_free(path);
    g_free(name);
    remove_folders(dir);
    g_ptr_array_unref(second);
    g_ptr_array_unref(packets);
}

/* Segments of a second: the file ends on the boundary of the clock, the next one begins at the
 * next key frame (the feed's), and each plays from its first frame. Fed in real time. */
static void test_segments(void)
{
    GPtrArray *packets = encode(TOLK_VIDEO_VP8, 0xff0000);
    char *dir = g_dir_make_tmp("tolk-video-rec-XXXXXX", NULL);
    tolk_video_recording *rec = tolk_video_recording_new(dir, "s1", TOLK_VIDEO_VP8, 1);
    tolk_video_recording_start(rec);
    wait_for(rec, file_made);
    bool waiting = false;
    for (guint i = 0; i < packets->len; i++) {
        gsize len;
        const uint8_t *d = g_bytes_get_data(g_ptr_array_index(packets, i), &len);
        if (!waiting || is_keyframe(TOLK_VIDEO_VP8, g_ptr_array_index(packets, i)))
            waiting = !tolk_video_recording_take(rec, d, len);
        g_usleep(G_USEC_PER_SEC / FPS);
    }
    tolk_video_recording_free(rec);
    char *folder = g_build_filename(dir, "s1", TOLK_VIDEO_RECORDING_FOLDER, NULL);
    GDir *gd = g_dir_open(folder, 0, NULL);
    int files = 0, frames_total = 0;
    for (const char *name; (name = g_dir_read_name(gd));) {
        char *path = g_build_filename(folder, name, NULL), *codec;
        int frames;
        double duration;
        probe(path, &codec, &frames, &duration);
        g_test_message("segment %s: %d frames, %.3f s", name, frames, duration);
        g_assert_true(tolk_recording_name_parse(name, NULL));
        g_assert_cmpstr(codec, ==, "vp8");
        g_assert_cmpint(frames, >, 0);
        g_assert_cmpint(frames, <=, FPS + 1);
        g_assert_true(near_colour(first_colour(path), 0xff0000));
        frames_total += frames;
        files++;
        g_unlink(path);
        g_free(path);
        g_free(codec);
    }
    g_dir_close(gd);
    g_free(folder);
    g_assert_cmpint(files, >=, 2);
    /* what falls between a boundary and the next key frame (one a second here) is in no file */
    g_assert_cmpint(frames_total, <=, FRAMES);
    remove_folders(dir);
    g_ptr_array_unref(packets);
}

static void test_vp8_webm(void)
{
    record_codec(TOLK_VIDEO_VP8, "vp8", ".webm", 0xff0000);
}

static void test_h264_mp4(void)
{
    GstElementFactory *f = gst_element_factory_find("openh264enc");
    if (!f) {
        g_test_skip("no openh264enc");
        return;
    }
    gst_object_unref(f);
    record_codec(TOLK_VIDEO_H264, "h264", ".mp4", 0x0000ff);
}

/* A folder that cannot be made: failing, every packet refused, the viewers never wait. */
static void test_unwritable_folder(void)
{
    char *dir = g_dir_make_tmp("tolk-video-rec-XXXXXX", NULL);
    char *blocker = g_build_filename(dir, "s1", NULL);
    g_assert_true(g_file_set_contents(blocker, "", 0, NULL)); /* a file where the folder should be */
    GPtrArray *packets = encode(TOLK_VIDEO_VP8, 0x00ff00);
    tolk_video_recording *rec = tolk_video_recording_new(dir, "s1", TOLK_VIDEO_VP8, 3600);
    tolk_video_recording_start(rec);
    gsize len;
    const uint8_t *d = g_bytes_get_data(g_ptr_array_index(packets, 0), &len);
    gint64 start = g_get_monotonic_time();
    g_assert_false(tolk_video_recording_take(rec, d, len));
    wait_for(rec, is_failing);
    for (guint i = 0; i < packets->len; i++) {
        d = g_bytes_get_data(g_ptr_array_index(packets, i), &len);
        g_assert_false(tolk_video_recording_take(rec, d, len));
    }
    g_assert_cmpint(g_get_monotonic_time() - start, <, 3 * G_USEC_PER_SEC);
    tolk_video_recording_status st;
    tolk_video_recording_status_get(rec, &st);
    g_assert_cmpint(st.last_errno, ==, ENOTDIR);
    g_assert_cmpstr(st.file, ==, "");
    /* room again: the next try (a second later) makes the file */
    g_unlink(blocker);
    guint first = feed(rec, TOLK_VIDEO_VP8, packets);
    g_assert_cmpuint(first, <, packets->len);
    tolk_video_recording_free(rec);
    char *path = only_file(dir);
    g_assert_cmpuint(file_size(path), >, 0);
    g_unlink(path);
    g_free(path);
    g_ptr_array_unref(packets);
    g_free(blocker);
    remove_folders(dir);
}

/* A recording stopped before any picture came: its file never holds a byte (a listing between
 * the stop and the removal would show an empty recording) and goes. The file is watched at
 * every 200 µs while the stop runs. */
static void test_stop_without_picture(void)
{
    char *dir = g_dir_make_tmp("tolk-video-rec-XXXXXX", NULL);
    tolk_video_recording *rec = tolk_video_recording_new(dir, "s1", TOLK_VIDEO_VP8, 3600);
    tolk_video_recording_start(rec);
    wait_for(rec, file_made);
    char *path = only_file(dir);
    tolk_video_recording_stop(rec);
    guint64 largest = 0;
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    struct stat st;
    while (g_stat(path, &st) == 0 && g_get_monotonic_time() < deadline) {
        largest = MAX(largest, (guint64)st.st_size);
        g_usleep(200);
    }
    g_assert_cmpint(g_stat(path, &st), !=, 0); /* removed */
    g_assert_cmpuint(largest, ==, 0);
    tolk_video_recording_free(rec);
    g_free(path);
    remove_folders(dir);
}

int main(int argc, char **argv)
{
    gst_init(&argc, &argv);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/record/video/vp8-webm", test_vp8_webm);
    g_test_add_func("/record/video/h264-mp4", test_h264_mp4);
    g_test_add_func("/record/video/unwritable-folder", test_unwritable_folder);
    g_test_add_func("/record/video/switch-keeps-one-file", test_switch_keeps_one_file);
    g_test_add_func("/record/video/segments", test_segments);
    g_test_add_func("/record/video/stop-without-picture", test_stop_without_picture);
    return g_test_run();
}
