/* SPDX-License-Identifier: EUPL-1.2 */
#include "session_icecast.h"

#define TOLK_LOG_MODULE "icecast"
#include "log.h"

static const char *channel_name(tolk_session *session, int channel)
{
    return tolk_matrix_channel_name(session->matrix, channel);
}

void tolk_session_icecast_follow(tolk_session *session, int channel)
{
    tolk_icecast_source *src = session->icecast[channel];
    if (!src)
        return;
    if (session->channel_public[channel])
        tolk_icecast_source_start(src, tolk_media_channel_stream_at(session->media, channel));
    else
        tolk_icecast_source_stop(src);
}

void tolk_session_restore_icecast(tolk_session *session, int channel, const tolk_icecast_config *cfg)
{
    tolk_icecast_source_release(session->icecast[channel]);
    session->icecast[channel] = tolk_icecast_source_new(cfg, session->id, channel_name(session, channel));
    tolk_session_icecast_follow(session, channel);
    tolk_session_changed(session);
}

bool tolk_session_set_icecast(tolk_session *session, int channel, const tolk_icecast_config *cfg, tolk_error *err)
{
    if (!session->channel_public[channel]) {
        tolk_error_set(err, TOLK_ERROR_CONFLICT, "channel_not_public", NULL,
                       "channel %s is not public: make it public first (PATCH .../channels/%s {\"public\": true})",
                       channel_name(session, channel), channel_name(session, channel));
        return false;
    }
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .channel = channel_name(session, channel)),
                "Icecast source set: %s", cfg->url);
    tolk_session_restore_icecast(session, channel, cfg);
    return true;
}

bool tolk_session_remove_icecast(tolk_session *session, int channel)
{
    if (!session->icecast[channel])
        return false;
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .channel = channel_name(session, channel)),
                "Icecast source removed: %s", tolk_icecast_source_config(session->icecast[channel])->url);
    tolk_icecast_source_release(session->icecast[channel]);
    session->icecast[channel] = NULL;
    tolk_session_changed(session);
    return true;
}

void tolk_session_icecast_release_all(tolk_session *session)
{
    for (int ch = 0; ch <= TOLK_MAX_CHANNELS; ch++) {
        tolk_icecast_source_release(session->icecast[ch]);
        session->icecast[ch] = NULL;
    }
}
