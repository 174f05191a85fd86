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

/* What the peer's log lines name: the channel it plays, or the console whose feed it plays or
 * whose microphone it is (-1: the floor). */
static void name_peer(tolk_session *session, tolk_webrtc_peer *peer, tolk_peer_kind kind, int index)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    char console[TOLK_CONSOLE_ID_SIZE];
    if (kind == TOLK_PEER_WHEP_CHANNEL) {
        tolk_webrtc_peer_set_where(peer, TOLK_WHERE(.sitting = session->id,
                                                    .channel = tolk_config_channel_name(config, index)));
        return;
    }
    if (index >= 0)
        tolk_input_id(config, index, console, sizeof console);
    tolk_webrtc_peer_set_where(peer, TOLK_WHERE(.sitting = session->id, .console = index >= 0 ? console : "floor"));
}

/* A WHIP peer whose video, when its offer sends the sitting's codec, is a new floor video
 * source; the source goes when the peer ends (tolk_session_video_peer_ended). */
static tolk_webrtc_peer *prepare_camera(tolk_session *session, tolk_media_input *input, const char *offer,
                                        const char *name, const tolk_webrtc_config *cfg, tolk_error *err)
{
    tolk_session_video *video = session->video;
    tolk_session_video_source *source = NULL;
    tolk_error full;
    if (tolk_webrtc_offer_has_video(offer, tolk_session_video_codec(video)))
        source = tolk_session_video_add_source(video, TOLK_VIDEO_SOURCE_WHIP, NULL, name, &full);
    if (!source)
        return tolk_webrtc_whip_prepare(offer, input, cfg, err); /* audio only (or eight sources already) */
    tolk_webrtc_peer *peer = tolk_webrtc_whip_prepare_with_video(offer, input, tolk_session_video_feed(video),
                                                                 source->number, cfg, err);
    if (peer)
        tolk_session_video_set_peer(video, source, peer);
    else
        tolk_session_video_remove_source(video, source->id);
    return peer;
}

static tolk_webrtc_peer *prepare_viewer(tolk_session *session, tolk_stream *stream, bool video, const char *offer,
                                        const tolk_webrtc_config *cfg, tolk_error *err)
{
    return tolk_webrtc_whep_prepare_with_video(offer, stream, video ? tolk_session_video_feed(session->video) : NULL,
                                               cfg, err);
}

tolk_webrtc_peer *tolk_session_prepare_peer(tolk_session *session, tolk_peer_kind kind, int index,
                                            const char *offer, const char *video_name,
                                            const tolk_webrtc_config *cfg, tolk_error *err)
{
    tolk_webrtc_peer *peer = NULL;
    switch (kind) {
    case TOLK_PEER_WHEP_CHANNEL:
        peer = prepare_viewer(session, tolk_media_channel_stream_at(session->media, index),
                              index >= 0 && index <= TOLK_MAX_CHANNELS && session->channel_video[index], offer, cfg,
                              err);
        break;
    case TOLK_PEER_WHEP_FEED:
        peer = prepare_viewer(session, tolk_media_feed_stream_at(session->media, index), true, offer, cfg, err);
        break;
    case TOLK_PEER_WHIP_INPUT:
        peer = index < 0 ? prepare_camera(session, tolk_media_input_at(session->media, index), offer,
                                          video_name ? video_name : "Speaker", cfg, err)
                         : tolk_webrtc_whip_prepare(offer, tolk_media_input_at(session->media, index), cfg, err);
        break;
    case TOLK_PEER_WHIP_CAMERA:
        peer = prepare_camera(session, NULL, offer, video_name, cfg, err);
        break;
    default:
        tolk_error_set(err, TOLK_ERROR_INTERNAL, "internal_error", NULL, "no WebRTC peer of kind %d", (int)kind);
    }
    if (peer)
        name_peer(session, peer, kind, index);
    return peer;
}

void tolk_session_set_channel_video(tolk_session *session, int channel, bool on)
{
    if (channel < 0 || channel > TOLK_MAX_CHANNELS || session->channel_video[channel] == on)
        return;
    session->channel_video[channel] = on;
    tolk_session_changed(session);
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
    char console[TOLK_CONSOLE_ID_SIZE];
    if (slot >= 0)
        tolk_input_id(config, slot, console, sizeof console);
    LOG_WARN_AT(TOLK_WHERE(.sitting = session->id, .console = slot >= 0 ? console : NULL,
                           .channel = slot >= 0 ? NULL : tolk_config_channel_name(config, channel)),
                "%sloudness warning: the last minute averaged %.1f dBFS", slot >= 0 ? "return feed: " : "",
                level_db);
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
