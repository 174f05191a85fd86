/* SPDX-License-Identifier: EUPL-1.2 */
/* The floor video's record (video_recording.h): the line's packets into an appsrc (on the
 * feed's push thread, never waiting), a depayloader and a muxer into a file the recording's
 * own thread made, watches and closes. */
#include "video_recording.h"

#include <errno.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOLK_LOG_MODULE "record"
#include "log.h"

#define WAKE_US (200 * 1000)               /* the thread looks at its files this often */
#define RETRY_US G_USEC_PER_SEC            /* a file that failed: the next one is tried after */
#define SYNC_US (5 * G_USEC_PER_SEC)       /* fdatasync this often: a power cut loses at most this */
#define WRITING_AGAIN_US (2 * G_USEC_PER_SEC) /* a new file written this long without error: not failing */
#define FINISH_WAIT (3 * GST_SECOND)       /* the muxer's end (duration, index) written within this */
#define QUEUE_BYTES (4u << 20)             /* about 20 s at 1.5 Mb/s for a disk that stalls */
#define RTP_HEADER 12
#define RTP_CLOCK 90000

struct tolk_video_recording {
    char *dir, *sitting;
    tolk_video_codec codec;
    gint64 segment_us;
    GThread *thread;
    GMutex lock;
    GCond wake;
    /* Under lock: the control threads', take's, the thread's. */
    bool want, quit;
    GstElement *appsrc;       /* of the open file, NULL: none (take refuses) */
    bool fresh;               /* no packet in the open file yet: the first must start a key frame, its time 0 */
    bool took;                /* the open file got a packet */
    guint32 last_ts;
    guint64 ticks;            /* the line's RTP time since the file's first packet */
    tolk_video_recording_status status;
    /* The thread's. */
    GstElement *pipeline;
    int fd;
    char *path;
    char name[TOLK_RECORDING_NAME_SIZE]; /* of the open file, shown once it holds a picture */
    gint64 segment_end_us, retry_at_us, opened_us, synced_us;
    guint64 closed_bytes;
};

/* ---- take: the feed's push thread ---- */

static GstBuffer *timed_buffer(tolk_video_recording *rec, const uint8_t *rtp, size_t len)
{
    guint32 ts = (guint32)rtp[4] << 24 | (guint32)rtp[5] << 16 | (guint32)rtp[6] << 8 | rtp[7];
    if (rec->fresh) {
        rec->fresh = false;
        rec->ticks = 0;
    } else {
        gint32 step = (gint32)(ts - rec->last_ts); /* across the 32-bit wrap */
        if (step > 0)
            rec->ticks += (guint64)step;
    }
    rec->last_ts = ts;
    GstBuffer *buffer = gst_buffer_new_memdup(rtp, len);
    GST_BUFFER_PTS(buffer) = GST_BUFFER_DTS(buffer) = gst_util_uint64_scale(rec->ticks, GST_SECOND, RTP_CLOCK);
    return buffer;
}

/* A new file begins with a key frame: after a segment's end the feed may go on with the
 * frames between (refusing them makes it give the next key frame, and ask for it). */
static bool starts_keyframe(tolk_video_codec codec, const uint8_t *rtp, size_t len)
{
    tolk_video_packet packet;
    return tolk_video_rtp_inspect(codec, rtp, len, &packet) == 0 && packet.keyframe;
}

bool tolk_video_recording_take(void *ctx, const uint8_t *rtp, size_t len)
{
    tolk_video_recording *rec = ctx;
    if (len < RTP_HEADER)
        return true; /* the feed sends RTP; not one: nothing to record */
    g_mutex_lock(&rec->lock);
    GstAppSrc *appsrc = rec->appsrc ? GST_APP_SRC(rec->appsrc) : NULL;
    bool ok = appsrc && gst_app_src_get_current_level_bytes(appsrc) + len <= QUEUE_BYTES &&
              (!rec->fresh || starts_keyframe(rec->codec, rtp, len));
    if (ok)
        ok = gst_app_src_push_buffer(appsrc, timed_buffer(rec, rtp, len)) == GST_FLOW_OK;
    rec->took |= ok;
    if (!ok && appsrc && !rec->fresh)
        rec->status.dropped++; /* a file open and a packet it misses: the queue full (a stalled disk) */
    g_mutex_unlock(&rec->lock);
    return ok;
}

/* ---- the thread: files ---- */

static const char *error_name(int errnum)
{
    const char *name = strerrorname_np(errnum);
    return name ? name : "EIO";
}

static void note_failure(tolk_video_recording *rec, int errnum, const char *detail)
{
    g_mutex_lock(&rec->lock);
    bool was = rec->status.failing;
    rec->status.failing = true;
    rec->status.write_errors++;
    rec->status.last_errno = errnum;
    g_mutex_unlock(&rec->lock);
    if (!was)
        LOG_ERROR_AT(TOLK_WHERE(.sitting = rec->sitting, .channel = TOLK_VIDEO_RECORDING_FOLDER),
                     "recording: cannot write the video in %s: %s (%s); the viewers go on, the record has a gap",
                     rec->dir, error_name(errnum), detail);
    rec->retry_at_us = g_get_monotonic_time() + RETRY_US;
}

static GstElement *make_pipeline(tolk_video_recording *rec, GstElement **appsrc)
{
    const char *desc = rec->codec == TOLK_VIDEO_VP8
                           ? "appsrc name=src ! rtpvp8depay ! webmmux ! fdsink name=sink"
                           : "appsrc name=src ! rtph264depay ! h264parse ! mp4mux fragment-duration=1000 ! "
                             "fdsink name=sink";
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(desc, &error);
    if (!pipeline) {
        LOG_ERROR("recording: the video pipeline cannot be made: %s", error ? error->message : "?");
        g_clear_error(&error);
        return NULL;
    }
    g_clear_error(&error); /* a warning with a pipeline made */
    GstCaps *caps = gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video", "clock-rate", G_TYPE_INT,
                                        RTP_CLOCK, "encoding-name", G_TYPE_STRING,
                                        rec->codec == TOLK_VIDEO_VP8 ? "VP8" : "H264", NULL);
    *appsrc = gst_bin_get_by_name(GST_BIN(pipeline), "src");
    g_object_set(*appsrc, "caps", caps, "format", GST_FORMAT_TIME, "is-live", FALSE, "block", FALSE, "max-bytes",
                 (guint64)QUEUE_BYTES * 2, NULL);
    gst_caps_unref(caps);
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    g_object_set(sink, "fd", rec->fd, "sync", FALSE, NULL);
    gst_object_unref(sink);
    return pipeline;
}

static guint64 file_bytes(int fd)
{
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 ? (guint64)st.st_size : 0;
}

/* The muxer finishes the file (finish: an end of stream, its duration and index written;
 * else, after an error, it stays as it was cut), the pipeline goes. */
static void close_file(tolk_video_recording *rec, bool finish)
{
    g_mutex_lock(&rec->lock);
    GstElement *appsrc = rec->appsrc;
    rec->appsrc = NULL; /* take refuses from here on */
    bool took = rec->took;
    g_mutex_unlock(&rec->lock);
    if (finish && appsrc && took) { /* with nothing taken an end of stream would still write a header */
        gst_app_src_end_of_stream(GST_APP_SRC(appsrc));
        GstBus *bus = gst_element_get_bus(rec->pipeline);
        GstMessage *msg = gst_bus_timed_pop_filtered(bus, FINISH_WAIT, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
        if (msg)
            gst_message_unref(msg);
        gst_object_unref(bus);
    }
    gst_element_set_state(rec->pipeline, GST_STATE_NULL);
    gst_clear_object(&rec->pipeline);
    if (appsrc)
        gst_object_unref(appsrc);
    guint64 bytes = file_bytes(rec->fd);
    if (bytes == 0 || !took) {
        unlink(rec->path); /* no picture came, or none could be written: no empty file stays */
        bytes = 0;
    }
    if (finish)
        fdatasync(rec->fd);
    close(rec->fd);
    rec->fd = -1;
    rec->closed_bytes += bytes;
    g_clear_pointer(&rec->path, g_free);
    g_mutex_lock(&rec->lock);
    rec->status.file[0] = '\0'; /* with its final size: a view sees both or neither */
    rec->status.bytes = rec->closed_bytes;
    g_mutex_unlock(&rec->lock);
}

static void open_file(tolk_video_recording *rec, gint64 now_us)
{
    char name[TOLK_RECORDING_NAME_SIZE];
    tolk_recording_kind kind = rec->codec == TOLK_VIDEO_VP8 ? TOLK_RECORDING_WEBM : TOLK_RECORDING_MP4;
    rec->fd = tolk_recording_create(rec->dir, rec->sitting, TOLK_VIDEO_RECORDING_FOLDER, kind, now_us, name,
                                    &rec->path);
    if (rec->fd < 0) {
        note_failure(rec, errno, g_strerror(errno));
        return;
    }
    GstElement *appsrc = NULL;
    rec->pipeline = make_pipeline(rec, &appsrc);
    if (!rec->pipeline || gst_element_set_state(rec->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        if (appsrc)
            gst_object_unref(appsrc);
        if (!rec->pipeline)
            rec->pipeline = gst_pipeline_new(NULL); /* so that close_file has one to end */
        close_file(rec, false);                     /* the file removed: it got nothing */
        note_failure(rec, EIO, "the video pipeline does not start");
        return;
    }
    rec->segment_end_us = (now_us / rec->segment_us + 1) * rec->segment_us;
    rec->opened_us = rec->synced_us = g_get_monotonic_time();
    g_mutex_lock(&rec->lock);
    rec->appsrc = appsrc;
    rec->fresh = true;
    rec->took = false;
    rec->status.files++;
    g_mutex_unlock(&rec->lock);
    g_strlcpy(rec->name, name, sizeof rec->name);
    LOG_INFO_AT(TOLK_WHERE(.sitting = rec->sitting, .channel = TOLK_VIDEO_RECORDING_FOLDER), "recording: video %s",
                name);
}

/* ENOSPC from the sink is a GStreamer resource error: back to an errno for the views. */
static int errno_of(const GError *error)
{
    if (error && error->domain == GST_RESOURCE_ERROR && error->code == GST_RESOURCE_ERROR_NO_SPACE_LEFT)
        return ENOSPC;
    return EIO;
}

/* The open file's bus: an error closes it (a new one is tried); a file written a while
 * without one ends a failing state. */
static void watch_file(tolk_video_recording *rec, gint64 mono_us)
{
    GstBus *bus = gst_element_get_bus(rec->pipeline);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    gst_object_unref(bus);
    if (msg) {
        GError *error = NULL;
        gst_message_parse_error(msg, &error, NULL);
        note_failure(rec, errno_of(error), error ? error->message : "?");
        g_clear_error(&error);
        gst_message_unref(msg);
        close_file(rec, false);
        return;
    }
    if (mono_us - rec->synced_us >= SYNC_US) {
        fdatasync(rec->fd);
        rec->synced_us = mono_us;
    }
    g_mutex_lock(&rec->lock);
    bool again = rec->status.failing && mono_us - rec->opened_us >= WRITING_AGAIN_US && file_bytes(rec->fd) > 0;
    if (again)
        rec->status.failing = false;
    int errnum = rec->status.last_errno;
    g_mutex_unlock(&rec->lock);
    if (again)
        LOG_INFO_AT(TOLK_WHERE(.sitting = rec->sitting, .channel = TOLK_VIDEO_RECORDING_FOLDER),
                    "recording: writing the video again after %s", error_name(errnum));
}

/* One look: close what should be, open what should be, publish the size. */
static void step(tolk_video_recording *rec, bool want)
{
    gint64 now = g_get_real_time(), mono = g_get_monotonic_time();
    if (rec->pipeline)
        watch_file(rec, mono);
    if (rec->pipeline && (!want || now >= rec->segment_end_us))
        close_file(rec, true); /* the next one opens at once, its first packet a key frame */
    if (!rec->pipeline && want && mono >= rec->retry_at_us)
        open_file(rec, now);
    guint64 open_bytes = file_bytes(rec->fd);
    g_mutex_lock(&rec->lock);
    rec->status.bytes = rec->closed_bytes + open_bytes;
    if (open_bytes > 0) /* a file with no picture yet is not shown (nor listed, recordings_dir.c) */
        g_strlcpy(rec->status.file, rec->name, sizeof rec->status.file);
    g_mutex_unlock(&rec->lock);
}

static gpointer run(gpointer data)
{
    tolk_video_recording *rec = data;
    g_mutex_lock(&rec->lock);
    while (!rec->quit) {
        bool want = rec->want;
        g_mutex_unlock(&rec->lock);
        step(rec, want);
        g_mutex_lock(&rec->lock);
        if (!rec->quit && rec->want == want)
            g_cond_wait_until(&rec->wake, &rec->lock, g_get_monotonic_time() + WAKE_US);
    }
    g_mutex_unlock(&rec->lock);
    if (rec->pipeline)
        close_file(rec, true);
    return NULL;
}

/* ---- control threads ---- */

tolk_video_recording *tolk_video_recording_new(const char *dir, const char *sitting, tolk_video_codec codec,
                                               unsigned segment_s)
{
    tolk_video_recording *rec = g_new0(tolk_video_recording, 1);
    rec->dir = g_strdup(dir);
    rec->sitting = g_strdup(sitting);
    rec->codec = codec;
    rec->segment_us = (gint64)MAX(segment_s, 1u) * G_USEC_PER_SEC;
    rec->fd = -1;
    g_mutex_init(&rec->lock);
    g_cond_init(&rec->wake);
    rec->thread = g_thread_new("tolk-video-rec", run, rec);
    return rec;
}

void tolk_video_recording_free(tolk_video_recording *rec)
{
    if (!rec)
        return;
    g_mutex_lock(&rec->lock);
    rec->quit = true;
    g_cond_signal(&rec->wake);
    g_mutex_unlock(&rec->lock);
    g_thread_join(rec->thread);
    g_cond_clear(&rec->wake);
    g_mutex_clear(&rec->lock);
    g_free(rec->dir);
    g_free(rec->sitting);
    g_free(rec);
}

static void set_want(tolk_video_recording *rec, bool on)
{
    g_mutex_lock(&rec->lock);
    if (rec->want != on) {
        rec->want = on;
        rec->status.on = on;
        rec->status.since_unix_us = on ? g_get_real_time() : 0;
        if (on)
            rec->status.failing = false;
        g_cond_signal(&rec->wake);
    }
    g_mutex_unlock(&rec->lock);
}

void tolk_video_recording_start(tolk_video_recording *rec)
{
    set_want(rec, true);
}

void tolk_video_recording_stop(tolk_video_recording *rec)
{
    set_want(rec, false);
}

bool tolk_video_recording_on(tolk_video_recording *rec)
{
    g_mutex_lock(&rec->lock);
    bool on = rec->want;
    g_mutex_unlock(&rec->lock);
    return on;
}

void tolk_video_recording_status_get(tolk_video_recording *rec, tolk_video_recording_status *out)
{
    g_mutex_lock(&rec->lock);
    *out = rec->status;
    g_mutex_unlock(&rec->lock);
}
