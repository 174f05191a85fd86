/* SPDX-License-Identifier: EUPL-1.2 */
/* The floor video's families of /metrics (docs/video.md): the line's counters and viewers per
 * sitting, each source's packets and key frames, the floor video's record. Threads: under the app
 * lock. */
#include "api_internal.h"
#include "video_input.h"

typedef enum { FORWARDED, DELIVERED, SKIPPED, ASKED, SENT, SWITCHES, VIEWERS } feed_value;

static uint64_t feed_number(const tolk_video_feed_stats *s, feed_value what)
{
    switch (what) {
    case FORWARDED: return s->forwarded;
    case DELIVERED: return s->delivered;
    case SKIPPED: return s->skipped;
    case ASKED: return s->asked;
    case SENT: return s->sent;
    case SWITCHES: return s->switches;
    case VIEWERS: return (uint64_t)s->viewers;
    }
    return 0;
}

/* A family with one sample per sitting: `value` gives it, false where the sitting has none. */
typedef bool (*sitting_value_fn)(tolk_session *session, int what, uint64_t *out);

static void sitting_family(tolk_app *app, GString *out, const char *name, const char *type, const char *help,
                           sitting_value_fn value, int what)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        uint64_t v;
        if (value(session, what, &v))
            g_string_append_printf(out, "%s{session=\"%s\"} %" G_GUINT64_FORMAT "\n", name, session->id, (guint64)v);
    }
}

static bool feed_value_of(tolk_session *session, int what, uint64_t *out)
{
    tolk_video_feed_stats s;
    tolk_video_feed_get_stats(tolk_session_video_feed(session->video), &s);
    *out = feed_number(&s, (feed_value)what);
    return true;
}

static void feed_family(tolk_app *app, GString *out, const char *name, const char *type, const char *help,
                        feed_value what)
{
    sitting_family(app, out, name, type, help, feed_value_of, what);
}

typedef enum { PACKETS, KEYFRAMES, INVALID, SECOND_STREAM } source_value;

static uint64_t source_number(const tolk_video_source_stats *st, source_value what)
{
    switch (what) {
    case PACKETS: return st->packets;
    case KEYFRAMES: return st->keyframes;
    case INVALID: return st->invalid;
    case SECOND_STREAM: return st->second_stream;
    }
    return 0;
}

static void source_family(tolk_app *app, GString *out, const char *name, const char *help, source_value what)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        tolk_session_video *video = session->video;
        for (guint k = 0; k < tolk_session_video_source_count(video); k++) {
            tolk_session_video_source *src = tolk_session_video_source_at(video, k);
            tolk_video_source_stats st;
            tolk_video_feed_source_stats(tolk_session_video_feed(video), src->number, &st);
            uint64_t v = source_number(&st, what);
            g_string_append_printf(out, "%s{session=\"%s\",source=\"%s\"} %" G_GUINT64_FORMAT "\n", name,
                                   session->id, src->id, (guint64)v);
        }
    }
}

/* What an SRTP/RTP source's input refused, by cause (docs/video.md "SRTP video sources"). */
static void input_drops(GString *out, const char *sid, const tolk_session_video_source *src)
{
    tolk_video_input_stats st;
    tolk_video_input_get_stats(src->input, &st);
    for (int c = 0; c < TOLK_VIDEO_INPUT_COUNTERS; c++) {
        if (tolk_video_input_counters[c].drop)
            g_string_append_printf(out,
                                   "tolk_video_source_dropped_packets_total{session=\"%s\",source=\"%s\",cause=\"%s\"} "
                                   "%" G_GUINT64_FORMAT "\n",
                                   sid, src->id, tolk_video_input_counters[c].name,
                                   (guint64)tolk_video_input_counter_value(&st, c));
    }
}

static void input_family(tolk_app *app, GString *out)
{
    g_string_append(out, "# HELP tolk_video_source_dropped_packets_total Datagrams an SRTP/RTP video source's port "
                         "refused, by cause.\n# TYPE tolk_video_source_dropped_packets_total counter\n");
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        for (guint k = 0; k < tolk_session_video_source_count(session->video); k++) {
            tolk_session_video_source *src = tolk_session_video_source_at(session->video, k);
            if (src->input)
                input_drops(out, session->id, src);
        }
    }
}

typedef enum { RECORDED_BYTES, RECORD_ERRORS, RECORD_LOST, RECORD_ON } record_value;

static uint64_t record_number(const tolk_recording_status *st, record_value what)
{
    switch (what) {
    case RECORDED_BYTES: return st->bytes;
    case RECORD_ERRORS: return st->write_errors;
    case RECORD_LOST: return st->lost;
    case RECORD_ON: return st->state != TOLK_RECORDING_OFF;
    }
    return 0;
}

/* The floor video's record (docs/recording.md), per sitting that has one, as the channels'. */
static bool record_value_of(tolk_session *session, int what, uint64_t *out)
{
    tolk_recording_status st;
    if (!tolk_session_video_recording_status(session, &st))
        return false;
    *out = record_number(&st, (record_value)what);
    return true;
}

static void record_family(tolk_app *app, GString *out, const char *name, const char *type, const char *help,
                          record_value what)
{
    sitting_family(app, out, name, type, help, record_value_of, what);
}

void tolk_metrics_video(tolk_app *app, GString *out)
{
    feed_family(app, out, "tolk_video_forwarded_packets_total", "counter",
                "Packets of the live video source put on the floor video's line.", FORWARDED);
    feed_family(app, out, "tolk_video_delivered_packets_total", "counter",
                "Packets of the line handed to viewers, over all of them.", DELIVERED);
    feed_family(app, out, "tolk_video_skipped_packets_total", "counter",
                "Packets viewers missed: a full queue (a slow link), then waiting for the next key frame.",
                SKIPPED);
    feed_family(app, out, "tolk_video_keyframe_requests_total", "counter",
                "Key frame requests of viewers (joins, losses) and switches.", ASKED);
    feed_family(app, out, "tolk_video_keyframe_requests_sent_total", "counter",
                "Key frame requests sent to a source after merging (at most one per 500 ms).", SENT);
    feed_family(app, out, "tolk_video_switches_total", "counter", "Times another source went on the line.",
                SWITCHES);
    feed_family(app, out, "tolk_video_viewers", "gauge", "Viewers of the floor video.", VIEWERS);
    source_family(app, out, "tolk_video_source_packets_total", "Packets received from a video source.", PACKETS);
    source_family(app, out, "tolk_video_source_keyframes_total", "Key frame packets received from a video source.",
                  KEYFRAMES);
    source_family(app, out, "tolk_video_source_invalid_packets_total",
                  "Packets of a video source that are not of the sitting's codec: dropped.", INVALID);
    source_family(app, out, "tolk_video_source_second_stream_packets_total",
                  "Packets of a second RTP stream (SSRC) of a video source while its stream sends: dropped.",
                  SECOND_STREAM);
    input_family(app, out);
    record_family(app, out, "tolk_video_recording_bytes_total", "counter",
                  "Bytes the floor video's recording wrote to its files.", RECORDED_BYTES);
    record_family(app, out, "tolk_video_recording_write_errors_total", "counter",
                  "Writes of the floor video's recording that failed (a disk full).", RECORD_ERRORS);
    record_family(app, out, "tolk_video_recording_lost_packets_total", "counter",
                  "Packets the floor video's recording missed (its queue full).", RECORD_LOST);
    record_family(app, out, "tolk_video_recording_active", "gauge", "1 while the floor video records.", RECORD_ON);
}
