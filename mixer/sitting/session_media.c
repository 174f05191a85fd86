/* SPDX-License-Identifier: EUPL-1.2 */
/* The session's media as the layers above see it: counters, levels and streams by
 * channel or console slot, and WebRTC peers on them, without GStreamer and without
 * reaching into session->media.
 *
 * Threads: like session.h, under the app lock. */
#include "session.h"

#define TOLK_LOG_MODULE "session"
#include "log.h"

bool tolk_session_input_stats(tolk_session *session, int slot, tolk_media_input_stats *stats)
{
    return tolk_media_input_stats_at(session->media, slot, stats);
}

double tolk_session_input_level(tolk_session *session, int slot)
{
    return tolk_media_input_level_at(session->media, slot);
}

double tolk_session_channel_level(tolk_session *session, int channel)
{
    double db = tolk_media_channel_level_at(session->media, channel);
    if (channel >= 0 && channel <= TOLK_MAX_CHANNELS)
        session->channel_level_db[channel] = db; /* for the views between two levels events */
    return db;
}

bool tolk_session_sender_stats(tolk_session *session, int channel, int slot, tolk_srtp_sender_stats *stats)
{
    return tolk_media_sender_stats(session->media, channel, slot, stats);
}

uint32_t tolk_session_sender_ssrc(tolk_session *session, int channel, int slot)
{
    return tolk_media_sender_ssrc(session->media, channel, slot);
}

uint64_t tolk_session_channel_frames(tolk_session *session, int channel)
{
    return tolk_media_channel_frames_at(session->media, channel);
}

uint64_t tolk_session_media_errors(tolk_session *session)
{
    return tolk_media_error_count(session->media);
}

tolk_webrtc_peer *tolk_session_prepare_peer(tolk_session *session, tolk_peer_kind kind, int index,
                                            const char *offer, const tolk_webrtc_config *cfg, tolk_error *err)
{
    switch (kind) {
    case TOLK_PEER_WHEP_CHANNEL:
        return tolk_webrtc_whep_prepare(offer, tolk_media_channel_stream_at(session->media, index), cfg, err);
    case TOLK_PEER_WHEP_FEED:
        return tolk_webrtc_whep_prepare(offer, tolk_media_feed_stream_at(session->media, index), cfg, err);
    case TOLK_PEER_WHIP_INPUT:
        return tolk_webrtc_whip_prepare(offer, tolk_media_input_at(session->media, index), cfg, err);
    }
    tolk_error_set(err, TOLK_ERROR_INTERNAL, "internal_error", NULL, "no WebRTC peer of kind %d", (int)kind);
    return NULL;
}

static uint64_t media_loudness(void *ctx, int channel, int slot, double *level_db)
{
    return tolk_media_loudness_warnings(ctx, channel, slot, level_db);
}

static void publish_loudness(void *ctx, int channel, int slot, double level_db)
{
    tolk_session *session = ctx;
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    json_object *data = tolk_loudness_warning_json(config, channel, slot, level_db);
    LOG_WARN("session %s: loudness warning on %s", session->id, json_object_to_json_string(data));
    tolk_hub_publish(session->hub, "loudness_warning", data);
}

void tolk_session_poll_loudness(tolk_session *session)
{
    tolk_loudness_watch_poll(&session->loudness, tolk_matrix_config_get(session->matrix), media_loudness,
                             session->media, publish_loudness, session);
}

uint64_t tolk_session_loudness_warnings(tolk_session *session, int channel, int slot)
{
    return tolk_loudness_watch_total(&session->loudness, channel, slot);
}
