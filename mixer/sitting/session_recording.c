/* SPDX-License-Identifier: EUPL-1.2 */
/* A sitting's recordings (session.h): one per channel, subscribed to the channel's stream
 * while it records, and the floor video's while any channel records, subscribed to the
 * video's feed as a viewer. Threads: under the app lock, as session.h; the recorder and the
 * video recording's thread do the disk. */
#include "session.h"

#define TOLK_LOG_MODULE "record"
#include "log.h"

static tolk_recording *recording_of(tolk_session *session, int channel)
{
    if (!session->recordings[channel]) {
        const char *name = tolk_matrix_channel_name(session->matrix, channel);
        const char *language = channel == 0 ? session->floor_language : name;
        session->recordings[channel] =
            tolk_recording_new(session->recorder, session->id, name, language, session->name);
    }
    return session->recordings[channel];
}

static bool any_recording(const tolk_session *session)
{
    for (int ch = 0; ch <= TOLK_MAX_CHANNELS; ch++) {
        if (tolk_session_recording_on(session, ch))
            return true;
    }
    return false;
}

/* The video records while any channel does: the sitting's record has its picture. */
static void follow_video(tolk_session *session)
{
    bool on = any_recording(session);
    if (on == (session->video_recording_subscription != 0))
        return;
    tolk_video_feed *feed = tolk_session_video_feed(session->video);
    if (on) {
        if (!session->video_recording)
            session->video_recording =
                tolk_video_recording_new(tolk_recorder_dir(session->recorder), session->id,
                                         tolk_session_video_codec(session->video),
                                         tolk_recorder_segment_s(session->recorder));
        tolk_video_recording_start(session->video_recording);
        tolk_recorder_video_active(session->recorder, true);
        session->video_recording_subscription = tolk_video_feed_subscribe(feed, tolk_video_recording_take,
                                                                          session->video_recording,
                                                                          g_get_monotonic_time());
    } else {
        tolk_video_feed_unsubscribe(feed, session->video_recording_subscription); /* a barrier */
        session->video_recording_subscription = 0;
        tolk_video_recording_stop(session->video_recording);
        tolk_recorder_video_active(session->recorder, false);
    }
}

bool tolk_session_set_recording(tolk_session *session, int channel, bool on, tolk_error *err)
{
    if (!session->recorder) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "recording_unavailable", NULL,
                       "this daemon has no recordings folder (--recordings-dir, or --state-dir)");
        return false;
    }
    if (tolk_session_recording_on(session, channel) == on)
        return true;
    const tolk_log_where *where =
        TOLK_WHERE(.sitting = session->id, .channel = tolk_matrix_channel_name(session->matrix, channel));
    if (on) {
        tolk_recording_start(recording_of(session, channel), tolk_media_channel_stream_at(session->media, channel));
        LOG_INFO_AT(where, "recording started in %s", tolk_recorder_dir(session->recorder));
    } else {
        tolk_recording_stop(session->recordings[channel]);
        LOG_INFO_AT(where, "recording stopped");
    }
    follow_video(session);
    tolk_session_changed(session);
    return true;
}

bool tolk_session_recording_on(const tolk_session *session, int channel)
{
    return session->recordings[channel] && tolk_recording_on(session->recordings[channel]);
}

bool tolk_session_recording_status(tolk_session *session, int channel, tolk_recording_status *out)
{
    if (!session->recordings[channel]) {
        *out = (tolk_recording_status){.state = TOLK_RECORDING_OFF};
        return false;
    }
    tolk_recording_status_get(session->recordings[channel], out);
    return true;
}

void tolk_session_release_recordings(tolk_session *session)
{
    for (int ch = 0; ch <= TOLK_MAX_CHANNELS; ch++) {
        tolk_recording_release(session->recordings[ch]);
        session->recordings[ch] = NULL;
    }
}

bool tolk_session_video_recording_status(tolk_session *session, tolk_recording_status *out)
{
    *out = (tolk_recording_status){.state = TOLK_RECORDING_OFF};
    if (!session->video_recording)
        return false;
    tolk_video_recording_status st;
    tolk_video_recording_status_get(session->video_recording, &st);
    out->state = !st.on ? TOLK_RECORDING_OFF : st.failing ? TOLK_RECORDING_FAILING : TOLK_RECORDING_ON;
    out->since_unix_us = st.since_unix_us;
    g_strlcpy(out->file, st.file, sizeof out->file);
    out->bytes = st.bytes;
    out->write_errors = st.write_errors;
    out->lost = st.dropped;
    out->last_errno = st.last_errno;
    return true;
}

void tolk_session_release_video_recording(tolk_session *session)
{
    if (session->video_recording_subscription) {
        tolk_video_feed_unsubscribe(tolk_session_video_feed(session->video), session->video_recording_subscription);
        tolk_recorder_video_active(session->recorder, false);
    }
    session->video_recording_subscription = 0;
    g_clear_pointer(&session->video_recording, tolk_video_recording_free); /* finishes the file */
}
