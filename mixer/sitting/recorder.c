/* SPDX-License-Identifier: EUPL-1.2 */
/* The recorder's thread and its queue (recorder.h). The queue carries frames and the
 * commands of the control threads (start, stop, release, quit) in one order, so a segment
 * closes after the last frame taken before its stop, and a recording is freed after the last
 * item that names it. */
#include "recorder.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ogg_opus_writer.h"

#define TOLK_LOG_MODULE "record"
#include "log.h"

#define TICK_US G_USEC_PER_SEC          /* flush, roll and retry this often */
#define SPACE_EVERY_US (5 * G_USEC_PER_SEC)

typedef enum { ITEM_FRAME, ITEM_START, ITEM_STOP, ITEM_RELEASE, ITEM_QUIT } item_kind;

typedef struct {
    item_kind kind;
    tolk_recording *rec;
    guint64 pts_ns;
    gsize size;
    guint8 data[];
} item;

struct tolk_recorder {
    char *dir;
    gint64 segment_us;
    GAsyncQueue *queue;
    GThread *thread;
    atomic_ullong free_bytes;
    atomic_int active;
    atomic_int video_active;
    GPtrArray *open; /* the thread's: recordings with a segment to write */
};

struct tolk_recording {
    tolk_recorder *recorder;
    char *sitting, *channel, *language, *title;
    /* The control thread's. */
    tolk_stream *stream;
    guint subscription;
    /* The callback's and the thread's. */
    atomic_int queued;
    atomic_ullong queue_drops;
    /* The thread's. */
    tolk_ogg_opus_writer *writer;
    gint64 segment_end_us;
    guint64 closed_bytes, closed_errors, closed_lost, unwritten; /* of segments closed, frames without a file */
    guint64 seen_errors, bytes_at_error, jumps;
    char *path;   /* of the open segment */
    bool writing; /* between the thread's start and stop */
    bool failing;
    /* For the readers: the thread publishes, anyone reads. */
    GMutex lock;
    tolk_recording_status status;
};

/* ---- the callback: a media thread ---- */

static void take_frame(void *ctx, const guint8 *data, gsize size, guint64 pts_ns)
{
    tolk_recording *rec = ctx;
    if (atomic_fetch_add(&rec->queued, 1) >= TOLK_RECORDER_QUEUE_FRAMES) {
        atomic_fetch_sub(&rec->queued, 1);
        atomic_fetch_add(&rec->queue_drops, 1);
        return;
    }
    item *it = g_malloc(sizeof *it + size);
    *it = (item){.kind = ITEM_FRAME, .rec = rec, .pts_ns = pts_ns, .size = size};
    memcpy(it->data, data, size);
    g_async_queue_push(rec->recorder->queue, it);
}

/* ---- the thread: status ---- */

static void publish(tolk_recording *rec)
{
    const tolk_ogg_opus_stats *s = rec->writer ? tolk_ogg_opus_writer_stats(rec->writer) : NULL;
    g_mutex_lock(&rec->lock);
    rec->status.bytes = rec->closed_bytes + (s ? atomic_load(&s->bytes) : 0);
    rec->status.write_errors = rec->closed_errors + (s ? atomic_load(&s->write_errors) : 0);
    rec->status.lost = rec->closed_lost + rec->unwritten + atomic_load(&rec->queue_drops) +
                       (s ? atomic_load(&s->lost) : 0);
    rec->status.state = !rec->writing ? TOLK_RECORDING_OFF : rec->failing ? TOLK_RECORDING_FAILING : TOLK_RECORDING_ON;
    g_mutex_unlock(&rec->lock);
}

static const char *error_name(int errnum)
{
    const char *name = strerrorname_np(errnum);
    return name ? name : "EIO";
}

/* A write error (errnum > 0) or a write that worked: the log hears of the change only. */
static void note_outcome(tolk_recording *rec, int errnum)
{
    const tolk_log_where *where = TOLK_WHERE(.sitting = rec->sitting, .channel = rec->channel);
    if (errnum > 0) {
        g_mutex_lock(&rec->lock);
        rec->status.last_errno = errnum;
        g_mutex_unlock(&rec->lock);
        if (!rec->failing)
            LOG_ERROR_AT(where, "recording: cannot write in %s: %s (%s); the audio goes on, the record has a gap",
                         rec->recorder->dir, error_name(errnum), g_strerror(errnum));
        rec->failing = true;
        publish(rec);
        rec->bytes_at_error = rec->status.bytes; /* writing works again once this grows */
    } else if (rec->failing) {
        rec->failing = false;
        LOG_INFO_AT(where, "recording: writing again after %s", error_name(rec->status.last_errno));
    }
    publish(rec);
}

/* ---- the thread: segments ---- */

static void open_segment(tolk_recording *rec, gint64 now_us)
{
    char name[TOLK_RECORDING_NAME_SIZE];
    int fd = tolk_recording_create(rec->recorder->dir, rec->sitting, rec->channel, TOLK_RECORDING_AUDIO, now_us,
                                   name, &rec->path);
    int err = fd < 0 ? -errno : 0;
    tolk_ogg_opus_meta meta = {.title = rec->title, .sitting = rec->sitting, .channel = rec->channel,
                               .language = rec->language, .start_unix_us = now_us};
    if (fd >= 0)
        rec->writer = tolk_ogg_opus_writer_open_fd(fd, &meta, &err);
    if (!rec->writer) {
        if (rec->path)
            unlink(rec->path); /* headers that could not be written: no half-made file stays */
        g_clear_pointer(&rec->path, g_free);
        rec->closed_errors++; /* a file that could not be made is a failed write too */
        note_outcome(rec, -err);
        return;
    }
    gint64 seg = rec->recorder->segment_us;
    rec->segment_end_us = (now_us / seg + 1) * seg;
    rec->seen_errors = 0;
    rec->jumps = 0;
    g_mutex_lock(&rec->lock);
    g_strlcpy(rec->status.file, name, sizeof rec->status.file);
    g_mutex_unlock(&rec->lock);
    LOG_INFO_AT(TOLK_WHERE(.sitting = rec->sitting, .channel = rec->channel), "recording: segment %s", name);
    note_outcome(rec, 0);
}

/* The writer's counters die with it: what the closed segment adds is taken before, its
 * size (with the end page) from the file after. */
static void close_segment(tolk_recording *rec)
{
    if (!rec->writer)
        return;
    const tolk_ogg_opus_stats *s = tolk_ogg_opus_writer_stats(rec->writer);
    guint64 lost = atomic_load(&s->lost), errors = atomic_load(&s->write_errors);
    guint64 bytes = atomic_load(&s->bytes);
    int rc = tolk_ogg_opus_writer_close(rec->writer);
    rec->writer = NULL;
    struct stat st;
    if (stat(rec->path, &st) == 0)
        bytes = (guint64)st.st_size;
    rec->closed_bytes += bytes;
    rec->closed_errors += errors + (rc < 0);
    rec->closed_lost += lost;
    g_clear_pointer(&rec->path, g_free);
    note_outcome(rec, rc < 0 ? -rc : 0);
}

/* ---- the thread: items ---- */

static void write_frame(tolk_recording *rec, const item *it)
{
    if (!rec->writing)
        return; /* a frame queued just before the stop that came first: cannot happen, kept safe */
    if (!rec->writer) {
        rec->unwritten++; /* no file could be made: the frame is lost, counted */
        return;
    }
    int rc = tolk_ogg_opus_writer_push(rec->writer, it->data, it->size, it->pts_ns);
    if (rc < 0 && rc != -EINVAL)
        note_outcome(rec, -rc);
}

static void begin(tolk_recorder *r, tolk_recording *rec, gint64 now_us)
{
    rec->writing = true;
    g_mutex_lock(&rec->lock);
    rec->status.since_unix_us = now_us;
    rec->status.last_errno = 0;
    g_mutex_unlock(&rec->lock);
    g_ptr_array_add(r->open, rec);
    atomic_fetch_add(&r->active, 1);
    open_segment(rec, now_us);
}

static void end(tolk_recorder *r, tolk_recording *rec)
{
    if (!rec->writing)
        return;
    close_segment(rec);
    rec->writing = false;
    rec->failing = false;
    g_ptr_array_remove(r->open, rec);
    atomic_fetch_sub(&r->active, 1);
    g_mutex_lock(&rec->lock);
    rec->status.since_unix_us = 0;
    rec->status.file[0] = '\0';
    g_mutex_unlock(&rec->lock);
    publish(rec);
}

static void free_recording(tolk_recording *rec)
{
    g_mutex_clear(&rec->lock);
    g_free(rec->sitting);
    g_free(rec->channel);
    g_free(rec->language);
    g_free(rec->title);
    g_free(rec);
}

/* False for the last item (quit). */
static bool handle(tolk_recorder *r, item *it)
{
    tolk_recording *rec = it->rec;
    switch (it->kind) {
    case ITEM_FRAME:
        atomic_fetch_sub(&rec->queued, 1);
        write_frame(rec, it);
        break;
    case ITEM_START: begin(r, rec, g_get_real_time()); break;
    case ITEM_STOP: end(r, rec); break;
    case ITEM_RELEASE:
        end(r, rec);
        free_recording(rec);
        break;
    case ITEM_QUIT: break;
    }
    bool more = it->kind != ITEM_QUIT;
    g_free(it);
    return more;
}

/* Once a second for each open recording: the last frames to the disk, a new segment on the
 * segment boundary or after a jump of the stream's clock, a new try when no file could be made. */
static void tick_recording(tolk_recording *rec, gint64 now_us)
{
    if (!rec->writer) {
        open_segment(rec, now_us);
        return;
    }
    const tolk_ogg_opus_stats *s = tolk_ogg_opus_writer_stats(rec->writer);
    int rc = tolk_ogg_opus_writer_flush(rec->writer);
    guint64 errors = atomic_load(&s->write_errors), bytes = atomic_load(&s->bytes), jumps = atomic_load(&s->jumps);
    if (rc < 0 || errors > rec->seen_errors)
        note_outcome(rec, rc < 0 ? -rc : atomic_load(&s->last_errno));
    else if (!rec->failing || rec->closed_bytes + bytes > rec->bytes_at_error)
        note_outcome(rec, 0);
    rec->seen_errors = errors;
    if (now_us >= rec->segment_end_us || jumps > rec->jumps) {
        close_segment(rec);
        open_segment(rec, now_us);
    }
}

static void measure_space(tolk_recorder *r)
{
    struct statvfs v;
    if (statvfs(r->dir, &v) == 0)
        atomic_store(&r->free_bytes, (guint64)v.f_bavail * v.f_frsize);
}

static gpointer run(gpointer data)
{
    tolk_recorder *r = data;
    gint64 next_tick = g_get_monotonic_time() + TICK_US, next_space = 0;
    for (;;) {
        gint64 wait = next_tick - g_get_monotonic_time();
        item *it = wait > 0 ? g_async_queue_timeout_pop(r->queue, (guint64)wait) : g_async_queue_try_pop(r->queue);
        if (it && !handle(r, it))
            break;
        gint64 now = g_get_monotonic_time();
        if (now < next_tick)
            continue;
        next_tick = now + TICK_US;
        gint64 real = g_get_real_time();
        for (guint i = 0; i < r->open->len; i++)
            tick_recording(g_ptr_array_index(r->open, i), real);
        if (now >= next_space) {
            measure_space(r);
            next_space = now + SPACE_EVERY_US;
        }
    }
    while (r->open->len > 0)
        end(r, g_ptr_array_index(r->open, 0));
    return NULL;
}

/* ---- control threads ---- */

static void send_item(tolk_recorder *r, item_kind kind, tolk_recording *rec)
{
    item *it = g_new0(item, 1);
    it->kind = kind;
    it->rec = rec;
    g_async_queue_push(r->queue, it);
}

tolk_recorder *tolk_recorder_new(const char *dir, unsigned segment_s)
{
    tolk_recorder *r = g_new0(tolk_recorder, 1);
    r->dir = g_strdup(dir);
    r->segment_us = (gint64)MAX(segment_s, 1u) * G_USEC_PER_SEC;
    r->queue = g_async_queue_new();
    r->open = g_ptr_array_new();
    atomic_init(&r->free_bytes, G_MAXUINT64);
    if (g_mkdir_with_parents(dir, 0750) != 0)
        LOG_WARN("recordings folder %s cannot be made: %s (recording will report it)", dir, g_strerror(errno));
    measure_space(r);
    r->thread = g_thread_new("tolk-record", run, r);
    return r;
}

void tolk_recorder_free(tolk_recorder *r)
{
    if (!r)
        return;
    send_item(r, ITEM_QUIT, NULL);
    g_thread_join(r->thread);
    for (item *it; (it = g_async_queue_try_pop(r->queue));)
        g_free(it); /* nothing names a live recording past quit: each was released before */
    g_async_queue_unref(r->queue);
    g_ptr_array_unref(r->open);
    g_free(r->dir);
    g_free(r);
}

const char *tolk_recorder_dir(const tolk_recorder *r)
{
    return r->dir;
}

unsigned tolk_recorder_segment_s(const tolk_recorder *r)
{
    return (unsigned)(r->segment_us / G_USEC_PER_SEC);
}

guint64 tolk_recorder_free_bytes(const tolk_recorder *r)
{
    return atomic_load(&((tolk_recorder *)r)->free_bytes);
}

int tolk_recorder_active(const tolk_recorder *r)
{
    return atomic_load(&((tolk_recorder *)r)->active);
}

void tolk_recorder_video_active(tolk_recorder *r, bool on)
{
    atomic_fetch_add(&r->video_active, on ? 1 : -1);
}

bool tolk_recorder_space_low(const tolk_recorder *r, guint64 *free_bytes)
{
    guint64 free = tolk_recorder_free_bytes(r);
    int videos = atomic_load(&((tolk_recorder *)r)->video_active);
    guint64 hour = (guint64)tolk_recorder_active(r) * TOLK_RECORDER_HOUR_BYTES +
                   (guint64)MAX(videos, 0) * TOLK_RECORDER_VIDEO_HOUR_BYTES;
    *free_bytes = free;
    return tolk_recorder_active(r) + videos > 0 && free != G_MAXUINT64 && free < MAX(TOLK_RECORDER_LOW_SPACE, hour);
}

tolk_recording *tolk_recording_new(tolk_recorder *recorder, const char *sitting, const char *channel,
                                   const char *language, const char *title)
{
    tolk_recording *rec = g_new0(tolk_recording, 1);
    rec->recorder = recorder;
    rec->sitting = g_strdup(sitting);
    rec->channel = g_strdup(channel);
    rec->language = language && *language ? g_strdup(language) : NULL;
    rec->title = title && *title ? g_strdup(title) : NULL;
    g_mutex_init(&rec->lock);
    return rec;
}

void tolk_recording_start(tolk_recording *rec, tolk_stream *stream)
{
    if (rec->stream)
        return;
    rec->stream = stream;
    send_item(rec->recorder, ITEM_START, rec); /* before the first frame */
    rec->subscription = tolk_stream_subscribe(stream, take_frame, rec);
    g_mutex_lock(&rec->lock);
    rec->status.state = TOLK_RECORDING_ON; /* the view says so at once; the thread confirms */
    rec->status.since_unix_us = g_get_real_time();
    g_mutex_unlock(&rec->lock);
}

void tolk_recording_stop(tolk_recording *rec)
{
    if (!rec->stream)
        return;
    tolk_stream_unsubscribe(rec->stream, rec->subscription); /* no frame after this */
    rec->stream = NULL;
    rec->subscription = 0;
    send_item(rec->recorder, ITEM_STOP, rec);
    g_mutex_lock(&rec->lock);
    rec->status.state = TOLK_RECORDING_OFF;
    g_mutex_unlock(&rec->lock);
}

bool tolk_recording_on(const tolk_recording *rec)
{
    return rec->stream != NULL;
}

void tolk_recording_release(tolk_recording *rec)
{
    if (!rec)
        return;
    tolk_recording_stop(rec);
    send_item(rec->recorder, ITEM_RELEASE, rec);
}

void tolk_recording_status_get(tolk_recording *rec, tolk_recording_status *out)
{
    g_mutex_lock(&rec->lock);
    *out = rec->status;
    g_mutex_unlock(&rec->lock);
    out->state = !rec->stream ? TOLK_RECORDING_OFF : out->state == TOLK_RECORDING_FAILING ? TOLK_RECORDING_FAILING
                                                                                       : TOLK_RECORDING_ON;
    if (out->state == TOLK_RECORDING_OFF) {
        out->since_unix_us = 0;
        out->file[0] = '\0';
    }
}

const char *tolk_recording_state_name(tolk_recording_state state)
{
    switch (state) {
    case TOLK_RECORDING_ON: return "recording";
    case TOLK_RECORDING_FAILING: return "failing";
    default: return "off";
    }
}
