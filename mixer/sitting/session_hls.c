/* SPDX-License-Identifier: EUPL-1.2 */
/* A sitting's HLS channels: configuration, pause and resume with the public flag, the
 * folder's files for GET /hls/..., the teardown of what stops. */
#include "session_hls.h"

#include "hls_playlist.h"
#include "session.h"

#define TOLK_LOG_MODULE "hls"
#include "log.h"

char *tolk_session_hls_dir(tolk_session *session, int channel)
{
    return g_build_filename(session->hls_dir, session->id, tolk_matrix_channel_name(session->matrix, channel), NULL);
}

/* Out of the channel into the ended ones: its pipeline stops after the unlock. */
static void pause_channel(tolk_session *session, tolk_session_hls *h)
{
    if (!h->running)
        return;
    tolk_hls_status status;
    tolk_hls_status_get(h->running, &status);
    h->segments += status.segments;
    h->restarts += status.restarts;
    tolk_hls_detach(h->running);
    g_ptr_array_add(session->hls_ended, g_steal_pointer(&h->running));
    h->paused_us = g_get_real_time();
}

static bool run_channel(tolk_session *session, int channel, tolk_error *err)
{
    tolk_session_hls *h = &session->hls[channel];
    tolk_stream *stream = tolk_media_channel_stream_at(session->media, channel);
    if (!session->hls_dir) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "hls_unavailable", NULL,
                       "HLS needs a folder: start the daemon with --hls-dir or --state-dir");
        return false;
    }
    if (!stream) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "hls_unavailable", NULL, "channel %d has no stream", channel);
        return false;
    }
    char *dir = tolk_session_hls_dir(session, channel);
    h->running = tolk_hls_new(dir, session->id, tolk_matrix_channel_name(session->matrix, channel), &h->cfg, stream);
    g_free(dir);
    return true;
}

bool tolk_session_hls_start(tolk_session *session, int channel, const tolk_hls_config *cfg, tolk_error *err)
{
    tolk_session_hls *h = &session->hls[channel];
    if (!session->channel_public[channel]) {
        tolk_error_set(err, TOLK_ERROR_CONFLICT, "channel_not_public", NULL,
                       "channel %s is not public: HLS serves public channels only",
                       tolk_matrix_channel_name(session->matrix, channel));
        return false;
    }
    if (h->configured && h->running && memcmp(&h->cfg, cfg, sizeof *cfg) == 0)
        return true;
    tolk_hls_config before = h->cfg;
    if (h->running)
        tolk_hls_supersede(h->running); /* the new run's playlist is the one to keep */
    pause_channel(session, h);
    h->cfg = *cfg;
    bool ok = run_channel(session, channel, err);
    if (!ok)
        h->cfg = before; /* what was configured stays so, paused */
    h->configured = ok || h->configured;
    tolk_session_changed(session);
    return ok;
}

void tolk_session_hls_restore(tolk_session *session, int channel, const tolk_hls_config *cfg)
{
    tolk_session_hls *h = &session->hls[channel];
    h->configured = true;
    h->cfg = *cfg;
    h->paused_us = g_get_real_time();
    tolk_session_hls_public_changed(session, channel);
}

bool tolk_session_hls_stop(tolk_session *session, int channel)
{
    tolk_session_hls *h = &session->hls[channel];
    if (!h->configured)
        return false;
    pause_channel(session, h);
    *h = (tolk_session_hls){0};
    tolk_session_changed(session);
    return true;
}

void tolk_session_hls_public_changed(tolk_session *session, int channel)
{
    tolk_session_hls *h = &session->hls[channel];
    if (!h->configured)
        return;
    if (!session->channel_public[channel]) {
        pause_channel(session, h);
        LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .channel = tolk_matrix_channel_name(session->matrix, channel)),
                    "HLS paused: the channel is no longer public");
        return;
    }
    tolk_error err = {0};
    if (!h->running && !run_channel(session, channel, &err))
        LOG_WARN_AT(TOLK_WHERE(.sitting = session->id, .channel = tolk_matrix_channel_name(session->matrix, channel)),
                    "HLS not resumed: %s", err.message);
}

bool tolk_session_hls_view_of(tolk_session *session, int channel, tolk_session_hls_view *out)
{
    tolk_session_hls *h = &session->hls[channel];
    if (!h->configured)
        return false;
    *out = (tolk_session_hls_view){.paused = !h->running, .fetches = h->fetches};
    if (h->running)
        tolk_hls_status_get(h->running, &out->status);
    else
        out->status.since_us = h->paused_us;
    out->status.segments += h->segments;
    out->status.restarts += h->restarts;
    return true;
}

char *tolk_session_hls_file(tolk_session *session, int channel, const char *name)
{
    tolk_session_hls *h = &session->hls[channel];
    if (!session->channel_public[channel] || !h->running || !tolk_hls_name_valid(name))
        return NULL;
    h->fetches++;
    char *dir = tolk_session_hls_dir(session, channel);
    char *path = g_build_filename(dir, name, NULL);
    g_free(dir);
    return path;
}

void tolk_session_hls_init(tolk_session *session, const char *hls_dir)
{
    session->hls_dir = g_strdup(hls_dir);
    session->hls_ended = g_ptr_array_new_with_free_func((GDestroyNotify)tolk_hls_free);
}

void tolk_session_hls_collect(tolk_session *session, tolk_teardown *teardown)
{
    if (session->hls_ended->len == 0)
        return;
    tolk_teardown_add_peers(teardown, session->hls_ended);
    session->hls_ended = g_ptr_array_new_with_free_func((GDestroyNotify)tolk_hls_free);
}

/* Stops them one by one (each waits for its pipeline): after the unlock, like the rest of
 * tolk_session_free. */
void tolk_session_hls_free_all(tolk_session *session)
{
    for (int ch = 0; ch <= TOLK_MAX_CHANNELS; ch++)
        tolk_hls_free(g_steal_pointer(&session->hls[ch].running));
    if (session->hls_ended)
        g_ptr_array_unref(session->hls_ended);
    session->hls_ended = NULL;
    g_free(session->hls_dir);
}
