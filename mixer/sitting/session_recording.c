/* SPDX-License-Identifier: EUPL-1.2 */
/* A sitting's recordings (session.h): one per channel, subscribed to the channel's stream
 * while it records. Threads: under the app lock, as session.h; the recorder does the disk. */
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
