/* SPDX-License-Identifier: EUPL-1.2 */
#include "session.h"
#include "input_health.h"

#include "session_icecast.h"
#include "session_record.h"
#include "token_digest.h"

#include <stdio.h>
#include <string.h>

#define TOLK_LOG_MODULE "session"
#include "log.h"

static const char *const event_names[] = {"mic", "handover", "overridden", "took_over", "console_lost", "channel"};

/* Rules 5 and 8 say the consoles and the operator "get an event": a console
 * event on the session's hub, which every page follows. */
static void publish_console_event(tolk_session *session, const tolk_event *e)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    char id[TOLK_CONSOLE_ID_SIZE], other[TOLK_CONSOLE_ID_SIZE];
    tolk_console_id(config, e->booth, e->console, id, sizeof id);
    json_object *data = json_object_new_object();
    json_object_object_add(data, "event", json_object_new_string(event_names[e->kind]));
    json_object_object_add(data, "console", json_object_new_string(id));
    if (e->other_booth >= 0) {
        tolk_console_id(config, e->other_booth, e->other_console, other, sizeof other);
        json_object_object_add(data, "other", json_object_new_string(other));
    } else {
        json_object_object_add(data, "other", NULL);
    }
    tolk_hub_publish(session->hub, "console", data);
}

/* In the words of rules 5 and 8: "sitting plenary, console en/2: mic off, handed over to en/1". */
static void log_console_event(tolk_session *session, const tolk_matrix_config *config, const tolk_event *e)
{
    static const char *const words[] = {"", ", handed over to", ", overridden by", ", took the channel from",
                                        ", its input stopped", ""};
    char id[TOLK_CONSOLE_ID_SIZE], other[TOLK_CONSOLE_ID_SIZE] = "";
    tolk_console_id(config, e->booth, e->console, id, sizeof id);
    if (e->other_booth >= 0)
        tolk_console_id(config, e->other_booth, e->other_console, other, sizeof other);
    const tolk_console_state *c = tolk_matrix_console(session->matrix, e->booth, e->console);
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .console = id), "mic %s%s%s%s", tolk_mic_name(c->mic),
                words[e->kind], other[0] ? " " : "", other);
}

static void log_events(tolk_session *session, const tolk_events *events)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    for (int i = 0; i < events->count; i++) {
        const tolk_event *e = &events->events[i];
        session->events_total++;
        if (e->kind == TOLK_EVENT_CHANNEL) {
            tolk_channel_state state = tolk_matrix_channel(session->matrix, e->channel);
            const char *quality = tolk_quality_name(state.quality);
            const char *channel = tolk_matrix_channel_name(session->matrix, e->channel);
            LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .channel = channel), "now from %s (quality %s)",
                        state.source == TOLK_SOURCE_CONSOLE ? "a console"
                        : state.source == TOLK_SOURCE_FLOOR ? "the floor" : "silence",
                        quality ? quality : "none");
            continue;
        }
        log_console_event(session, config, e);
        publish_console_event(session, e);
    }
}

/* Recomputes the whole route and hands it to the media in one step (rule 7). */
static void apply(tolk_session *session, const tolk_events *events)
{
    tolk_route *route = g_new(tolk_route, 1);
    tolk_matrix_route(session->matrix, route);
    tolk_media_set_sound_check(session->media, session->sound_check, route);
    g_free(route);
    /* The latest fence covers the earlier changes: a mixer waits for its last batch. */
    tolk_media_fence_free(session->fence);
    session->fence = tolk_media_fence_new(session->media);
    if (events)
        log_events(session, events);
    tolk_session_changed(session);
}

void tolk_session_changed(tolk_session *session)
{
    session->revision++;
    tolk_hub_session_changed(session->hub);
}

void tolk_session_touch(tolk_session *session)
{
    session->revision++;
}

void tolk_session_set_sound_check(tolk_session *session, bool on)
{
    session->sound_check = on;
    apply(session, NULL);
}

/* A new input, or the same port and key as before a restart (saved). */
static gboolean open_input(tolk_session_input *input, tolk_ports *ports, const tolk_saved_input *saved)
{
    if (saved) {
        input->port = saved->port;
        memcpy(input->key, saved->key, TOLK_KEY_LEN);
        input->socket = tolk_ports_bind_at(ports, saved->port);
        return input->socket != NULL;
    }
    input->socket = tolk_ports_bind(ports, &input->port);
    return input->socket && tolk_key_generate(input->key);
}

static gboolean stream_key(uint8_t key[TOLK_KEY_LEN], const uint8_t *saved)
{
    if (!saved)
        return tolk_key_generate(key);
    memcpy(key, saved, TOLK_KEY_LEN);
    return TRUE;
}

static gboolean open_inputs(tolk_session *session, const tolk_session_env *env, const tolk_session_saved *saved)
{
    if (!open_input(&session->floor, env->ports, saved ? &saved->floor : NULL))
        return FALSE;
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(config, &in);)
        if (!open_input(&session->consoles[in.slot], env->ports, saved ? &saved->consoles[in.slot] : NULL) ||
            !stream_key(session->feed_keys[in.slot], saved ? saved->feed_keys[in.slot] : NULL))
            return FALSE;
    for (int ch = 0; ch <= config->channel_count; ch++) {
        if (!stream_key(session->channel_keys[ch], saved ? saved->channel_keys[ch] : NULL))
            return FALSE;
    }
    return TRUE;
}

/* A restart: the streams continue, and the inputs know their senders of before. */
static void continue_media(tolk_media_spec *spec, const tolk_session_saved *saved)
{
    memcpy(spec->channel_starts, saved->channel_starts, sizeof spec->channel_starts);
    memcpy(spec->feed_starts, saved->feed_starts, sizeof spec->feed_starts);
    spec->floor.sender_count = saved->floor_senders;
    memcpy(spec->floor.senders, saved->floor_positions, sizeof spec->floor.senders);
    for (int slot = 0; slot < TOLK_MAX_SLOTS; slot++) {
        spec->consoles[slot].sender_count = saved->console_senders[slot];
        memcpy(spec->consoles[slot].senders, saved->console_positions[slot], sizeof spec->consoles[slot].senders);
    }
}

static tolk_media *start_media(tolk_session *session, const tolk_session_env *env, const tolk_session_saved *saved,
                               tolk_error *err)
{
    tolk_media_spec *spec = g_new0(tolk_media_spec, 1);
    spec->session_id = session->id;
    spec->matrix = tolk_matrix_config_get(session->matrix);
    spec->floor.socket = session->floor.socket;
    memcpy(spec->floor.key, session->floor.key, TOLK_KEY_LEN);
    spec->floor_from_file = env->floor_from_file;
    spec->floor_file = env->floor_file;
    spec->jitter_ms = env->jitter_ms;
    for (int slot = 0; slot < TOLK_MAX_SLOTS; slot++) {
        spec->consoles[slot].socket = session->consoles[slot].socket;
        memcpy(spec->consoles[slot].key, session->consoles[slot].key, TOLK_KEY_LEN);
    }
    memcpy(spec->channel_keys, session->channel_keys, sizeof spec->channel_keys);
    memcpy(spec->feed_keys, session->feed_keys, sizeof spec->feed_keys);
    if (saved)
        continue_media(spec, saved);
    tolk_media *media = tolk_media_new(spec, err);
    tolk_key_wipe(spec, sizeof *spec);
    g_free(spec);
    return media;
}

/* An AES67 output is detached first (tolk_session_aes67_detach): its sender is the media's. */
static void free_output(gpointer p)
{
    tolk_session_output *output = p;
    g_free(output->sdp);
    tolk_key_wipe(p, sizeof(tolk_session_output));
    g_free(p);
}

static void free_peer(gpointer p)
{
    tolk_session_peer *entry = p;
    tolk_webrtc_peer_close(entry->peer);
    tolk_webrtc_peer_unref(entry->peer);
    g_free(entry);
}

/* Out of the peer list into the ended ones, detached now and closed after the unlock. */
static void end_peer(tolk_session *session, guint index)
{
    tolk_session_peer *entry = g_ptr_array_steal_index(session->peers, index);
    tolk_webrtc_peer_detach(entry->peer);
    tolk_session_video_peer_ended(session->video, entry->peer); /* its camera, if it had one */
    g_ptr_array_add(session->ended, entry);
}

void tolk_session_collect(tolk_session *session, tolk_teardown *teardown)
{
    if (session->ended->len > 0) {
        tolk_teardown_add_peers(teardown, session->ended);
        session->ended = g_ptr_array_new_with_free_func(free_peer);
    }
    tolk_teardown_add_fence(teardown, g_steal_pointer(&session->fence));
    if (session->retired->len > 0) {
        tolk_teardown_add_array(teardown, session->retired);
        session->retired = g_ptr_array_new_with_free_func(tolk_media_aes67_release);
    }
    tolk_session_hls_collect(session, teardown);
}

tolk_session_peer *tolk_session_add_peer(tolk_session *session, tolk_webrtc_peer *peer, tolk_owner_kind kind,
                                         const char *owner, int channel, const char *address)
{
    tolk_session_peer *entry = g_new0(tolk_session_peer, 1);
    entry->peer = peer;
    entry->owner_kind = kind;
    g_strlcpy(entry->owner, kind == TOLK_OWNER_GRANT && owner ? owner : "", sizeof entry->owner);
    entry->channel = channel;
    g_strlcpy(entry->address, address ? address : "", sizeof entry->address);
    g_ptr_array_add(session->peers, entry);
    return entry;
}

tolk_session_peer *tolk_session_find_peer(tolk_session *session, const char *id)
{
    for (guint i = 0; i < session->peers->len; i++) {
        tolk_session_peer *entry = g_ptr_array_index(session->peers, i);
        if (tolk_token_equal(tolk_webrtc_peer_id(entry->peer), id))
            return entry;
    }
    return NULL;
}

void tolk_session_remove_peer(tolk_session *session, tolk_session_peer *entry)
{
    guint index;
    if (g_ptr_array_find(session->peers, entry, &index))
        end_peer(session, index); /* a listener's count travels in the next levels event */
}

void tolk_session_remove_peers_of(tolk_session *session, const char *grant_id)
{
    for (guint i = session->peers->len; i-- > 0;) {
        tolk_session_peer *entry = g_ptr_array_index(session->peers, i);
        if (entry->owner_kind == TOLK_OWNER_GRANT && strcmp(entry->owner, grant_id) == 0)
            end_peer(session, i);
    }
}

/* Why a peer goes, or NULL while it may stay. */
static const char *reap_reason(tolk_session_peer *entry, tolk_webrtc_state state, gint64 now_us,
                               gint64 connect_timeout_us)
{
    if (state == TOLK_WEBRTC_FAILED || state == TOLK_WEBRTC_CLOSED)
        return tolk_webrtc_state_name(state);
    if (!entry->connected && entry->answered_us && now_us - entry->answered_us > connect_timeout_us)
        return "not connected in time";
    return NULL;
}

bool tolk_session_reap_peers(tolk_session *session, gint64 now_us, gint64 connect_timeout_us)
{
    bool changed = false;
    for (guint i = session->peers->len; i-- > 0;) {
        tolk_session_peer *entry = g_ptr_array_index(session->peers, i);
        tolk_webrtc_state state = tolk_webrtc_peer_state(entry->peer);
        const char *why = reap_reason(entry, state, now_us, connect_timeout_us);
        if (why) {
            /* The name, never the id: the id is the resource's capability. */
            LOG_INFO_AT(TOLK_WHERE(.sitting = session->id), "WebRTC peer %s ends: %s", tolk_webrtc_peer_name(entry->peer), why);
            changed = changed || entry->connected;
            end_peer(session, i);
        } else if (state == TOLK_WEBRTC_CONNECTED && !entry->connected) {
            entry->connected = true;
            changed = true;
        }
    }
    return changed; /* listener counts travel in the levels event, not as a session change */
}

int tolk_session_peer_count(tolk_session *session, int channel)
{
    int count = 0;
    for (guint i = 0; i < session->peers->len; i++) {
        const tolk_session_peer *entry = g_ptr_array_index(session->peers, i);
        count += channel < 0 || entry->channel == channel;
    }
    return count;
}

int tolk_session_peers_from(tolk_session *session, const char *address)
{
    int count = 0;
    for (guint i = 0; i < session->peers->len; i++) {
        const tolk_session_peer *entry = g_ptr_array_index(session->peers, i);
        count += strcmp(entry->address, address) == 0;
    }
    return count;
}

int tolk_session_channel_listeners(tolk_session *session, int channel)
{
    int count = tolk_media_sender_destinations(session->media, channel, -1);
    for (guint i = 0; i < session->peers->len; i++) {
        const tolk_session_peer *entry = g_ptr_array_index(session->peers, i);
        count += entry->channel == channel && entry->connected;
    }
    return count;
}

tolk_session *tolk_session_new(const tolk_session_params *params, const tolk_session_env *env,
                               tolk_error *err)
{
    tolk_result result;
    tolk_matrix *matrix = tolk_matrix_new(&params->matrix, &result);
    if (!matrix) {
        tolk_error_from_result(err, &result);
        return NULL;
    }
    tolk_session *session = g_new0(tolk_session, 1);
    g_strlcpy(session->id, params->id, sizeof session->id);
    g_strlcpy(session->name, params->name, sizeof session->name);
    g_strlcpy(session->floor_language, params->floor_language, sizeof session->floor_language);
    session->media_address = g_strdup(env->media_address);
    session->hall_address = g_strdup(env->hall_address);
    session->ptp_grandmaster = g_strdup(env->ptp_grandmaster);
    session->ptp_domain = env->ptp_domain;
    session->sap = env->sap;
    session->matrix = matrix;
    session->outputs = g_ptr_array_new_with_free_func(free_output);
    session->hub = tolk_hub_new();
    session->video = tolk_session_video_new(session, params->video_codec);
    tolk_session_health_init(session);
    session->signals = g_ptr_array_new_with_free_func(g_free);
    session->signal_rate = env->signal_rate;
    session->peers = g_ptr_array_new_with_free_func(free_peer);
    session->ended = g_ptr_array_new_with_free_func(free_peer);
    tolk_session_hls_init(session, env->hls_dir);
    session->floor_from_file = env->floor_from_file;
    session->allow_plain_rtp = env->allow_plain_rtp;
    session->retired = g_ptr_array_new_with_free_func(tolk_media_aes67_release);
    session->recorder = env->recorder;
    session->ports = env->ports;
    if (!open_inputs(session, env, params->saved)) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL,
                       params->saved ? "the ports of session %s of before the restart are taken"
                                     : "no free UDP port left for the inputs of session %s",
                       params->id);
        tolk_session_free(session);
        return NULL;
    }
    session->media = start_media(session, env, params->saved, err);
    if (!session->media) {
        tolk_session_free(session);
        return NULL;
    }
    apply(session, NULL);
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id), "started: %d channels, %d booths, floor on port %d",
                params->matrix.channel_count, params->matrix.booth_count, session->floor.port);
    return session;
}

static void close_input(tolk_session_input *input)
{
    g_free(input->aes67.sdp);
    if (input->socket) {
        g_socket_close(input->socket, NULL);
        g_object_unref(input->socket);
    }
    tolk_key_wipe(input, sizeof *input);
}

void tolk_session_free(tolk_session *session)
{
    if (!session)
        return;
    if (session->hub) {
        tolk_hub_close(session->hub); /* event streams end; their readers may hold the hub a moment longer */
        tolk_hub_unref(session->hub);
    }
    if (session->signals)
        g_ptr_array_unref(session->signals);
    if (session->peers)
        g_ptr_array_unref(session->peers); /* closes them: they touch the media */
    if (session->ended)
        g_ptr_array_unref(session->ended);
    tolk_session_release_video_recording(session); /* a viewer of the video's feed */
    tolk_session_video_free(session->video); /* after the peers: viewers and cameras have let go */
    tolk_session_hls_free_all(session); /* they take the channels' streams */
    tolk_media_fence_free(session->fence);
    tolk_session_release_recordings(session); /* they subscribe to the media's streams */
    tolk_session_icecast_release_all(session); /* they take the channels' streams */
    for (guint i = 0; session->outputs && i < session->outputs->len; i++)
        tolk_session_aes67_detach(session, g_ptr_array_index(session->outputs, i)); /* their deletions go out */
    tolk_media_free(session->media); /* first: the media reads the sockets */
    if (session->retired)
        g_ptr_array_unref(session->retired);
    close_input(&session->floor);
    for (int slot = 0; slot < TOLK_MAX_SLOTS; slot++)
        close_input(&session->consoles[slot]);
    tolk_key_wipe(session->channel_keys, sizeof session->channel_keys);
    tolk_key_wipe(session->feed_keys, sizeof session->feed_keys);
    tolk_matrix_free(session->matrix);
    g_ptr_array_unref(session->outputs);
    if (session->stored_record)
        tolk_key_wipe(session->stored_record, strlen(session->stored_record));
    g_free(session->stored_record);
    g_free(session->media_address);
    g_free(session->hall_address);
    g_free(session->ptp_grandmaster);
    g_free(session);
}

bool tolk_session_patch_console(tolk_session *session, int booth, int console, const tolk_console_patch *patch,
                                tolk_error *err)
{
    tolk_events events = {0};
    tolk_result result = tolk_matrix_patch_console(session->matrix, booth, console, patch, &events);
    if (result.status != TOLK_OK) {
        tolk_error_from_result(err, &result);
        return false;
    }
    apply(session, &events);
    return true;
}

void tolk_session_set_interlock(tolk_session *session, tolk_interlock interlock)
{
    tolk_events events = {0};
    tolk_matrix_set_interlock(session->matrix, interlock, &events);
    apply(session, &events);
}

void tolk_session_set_idle_channel(tolk_session *session, tolk_idle idle)
{
    tolk_events events = {0};
    tolk_matrix_set_idle_channel(session->matrix, idle, &events);
    apply(session, &events);
}

void tolk_session_set_original_under(tolk_session *session, bool on, double db)
{
    tolk_events events = {0};
    tolk_matrix_set_original_under(session->matrix, on, db, &events);
    apply(session, &events);
}

void tolk_session_check_inputs(tolk_session *session, gint64 now_us, gint64 timeout_us)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    tolk_events events = {0};
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(config, &in);) {
        if (!tolk_matrix_console_is_live(session->matrix, in.booth, in.console))
            continue;
        /* Only an input that has sent and then stopped counts as disconnected. */
        tolk_media_input_stats stats;
        tolk_media_input_stats_at(session->media, in.slot, &stats);
        if (stats.last_valid_us != 0 && now_us - stats.last_valid_us > timeout_us)
            tolk_matrix_console_lost(session->matrix, in.booth, in.console, &events);
    }
    if (events.count > 0)
        apply(session, &events);
}

/* "sitting plenary, channel fr, output o3 to 192.0.2.7:5004: opened". */
static void log_output(tolk_session *session, const tolk_session_output *output, const char *what)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    char console[TOLK_CONSOLE_ID_SIZE], place[TOLK_HOST_SIZE + 32];
    if (output->channel < 0)
        tolk_input_id(config, output->slot, console, sizeof console);
    bool v6 = strchr(output->host, ':') != NULL;
    snprintf(place, sizeof place, "%s to %s%s%s:%d", output->id, v6 ? "[" : "", output->host, v6 ? "]" : "",
             output->port);
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .output = place,
                           .channel = output->channel >= 0 ? tolk_config_channel_name(config, output->channel) : NULL,
                           .console = output->channel >= 0 ? NULL : console),
                "%s%s", output->channel >= 0 ? "" : "return feed: ", what);
}

/* Sends the output's stream to its destination; false with *err when the sender refuses. */
static bool attach_output(tolk_session *session, tolk_session_output *output, const uint32_t *roc_base,
                          const char *what, tolk_error *err)
{
    const uint8_t *key = output->own_key ? output->key : NULL;
    output->sdp = NULL;
    output->sender = NULL;
    if (output->aes67) {
        if (!tolk_session_aes67_attach(session, output, err))
            return false;
        output->destination = -1;
    } else {
        output->destination =
            output->channel >= 0
                ? tolk_media_add_channel_output(session->media, output->channel, output->host, output->port, key, roc_base)
                : tolk_media_add_feed_output(session->media, output->slot, output->host, output->port, key, roc_base);
    }
    if (!output->aes67 && output->destination < 0) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "host", "host %s port %d cannot be sent to",
                       output->host, output->port);
        return false;
    }
    g_ptr_array_add(session->outputs, output);
    log_output(session, output, what);
    tolk_session_changed(session);
    return true;
}

const tolk_session_output *tolk_session_add_output(tolk_session *session, int channel, int slot,
                                                   const char *host, int port, bool own_key, tolk_error *err)
{
    tolk_session_output *output = g_new0(tolk_session_output, 1);
    if (own_key && !tolk_key_generate(output->key)) {
        g_free(output);
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "no key could be made for the output");
        return NULL;
    }
    output->own_key = own_key;
    output->channel = channel;
    output->slot = channel >= 0 ? -1 : slot;
    g_strlcpy(output->host, host, sizeof output->host);
    output->port = port;
    snprintf(output->id, sizeof output->id, "o%u", session->next_output + 1);
    if (!attach_output(session, output, NULL, own_key ? "opened, with a key of its own" : "opened", err)) {
        free_output(output);
        return NULL;
    }
    session->next_output++;
    return output;
}

const tolk_session_output *tolk_session_add_aes67_output(tolk_session *session, int channel, int slot,
                                                         const char *host, int port,
                                                         const tolk_session_aes67_params *params, tolk_error *err)
{
    tolk_session_output *output = g_new0(tolk_session_output, 1);
    output->aes67 = true;
    output->channel = channel;
    output->slot = channel >= 0 ? -1 : slot;
    g_strlcpy(output->host, host, sizeof output->host);
    output->port = port;
    output->encoding = params->encoding;
    output->frame_samples = params->frame_samples;
    output->ttl = params->ttl;
    output->sap = params->sap;
    g_strlcpy(output->name, params->name ? params->name : "", sizeof output->name);
    snprintf(output->id, sizeof output->id, "o%u", session->next_output + 1);
    if (!attach_output(session, output, NULL, params->sap ? "opened: AES67, plain RTP, announced by SAP"
                                                          : "opened: AES67, plain RTP", err)) {
        free_output(output);
        return NULL;
    }
    session->next_output++;
    return output;
}

bool tolk_session_restore_output(tolk_session *session, const tolk_session_output *saved, uint32_t roc_base,
                                 tolk_error *err)
{
    if ((saved->channel < 0) == (saved->slot < 0) || tolk_session_find_output(session, saved->id)) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "state_invalid", "outputs", "output %s is not one stream's, or twice",
                       saved->id);
        return false;
    }
    tolk_session_output *output = g_memdup2(saved, sizeof *saved);
    if (!attach_output(session, output, saved->own_key ? &roc_base : NULL, "restored after the restart", err)) {
        free_output(output);
        return false;
    }
    return true;
}

const tolk_session_output *tolk_session_find_output(tolk_session *session, const char *id)
{
    for (guint i = 0; i < session->outputs->len; i++) {
        const tolk_session_output *output = g_ptr_array_index(session->outputs, i);
        if (strcmp(output->id, id) == 0)
            return output;
    }
    return NULL;
}

const tolk_session_output *tolk_session_find_destination(tolk_session *session, int channel, int slot,
                                                         const char *host, int port)
{
    for (guint i = 0; i < session->outputs->len; i++) {
        const tolk_session_output *output = g_ptr_array_index(session->outputs, i);
        bool same_stream = channel >= 0 ? output->channel == channel : output->slot == slot;
        if (same_stream && output->port == port && strcmp(output->host, host) == 0)
            return output;
    }
    return NULL;
}

const uint8_t *tolk_session_stream_key(tolk_session *session, int channel, int slot)
{
    return channel >= 0 ? session->channel_keys[channel] : session->feed_keys[slot];
}

void tolk_session_remove_output(tolk_session *session, const char *id)
{
    const tolk_session_output *output = tolk_session_find_output(session, id);
    if (!output)
        return;
    if (output->aes67)
        tolk_session_aes67_detach(session, (tolk_session_output *)output);
    else if (output->channel >= 0)
        tolk_media_remove_channel_output(session->media, output->channel, output->destination);
    else
        tolk_media_remove_feed_output(session->media, output->slot, output->destination);
    log_output(session, output, "closed");
    g_ptr_array_remove(session->outputs, (gpointer)output);
    tolk_session_changed(session);
}

void tolk_session_set_details(tolk_session *session, const char *name, const char *floor_language)
{
    if (name)
        g_strlcpy(session->name, name, sizeof session->name);
    if (floor_language)
        g_strlcpy(session->floor_language, floor_language, sizeof session->floor_language);
    if (name || floor_language)
        tolk_session_changed(session);
}

void tolk_session_set_channel_public(tolk_session *session, int channel, bool public_flag)
{
    session->channel_public[channel] = public_flag;
    tolk_session_icecast_follow(session, channel);
    tolk_session_hls_public_changed(session, channel);
    tolk_session_changed(session);
}

void tolk_session_peer_answered(tolk_session_peer *entry)
{
    entry->answered_us = g_get_monotonic_time();
}
