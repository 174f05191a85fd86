/* SPDX-License-Identifier: EUPL-1.2 */
#include "session_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aes67_json.h"
#include "icecast_json.h"
#include "input_health.h"
#include "output_health.h"
#include "stream.h"
#include "sdp.h"

#define SRTP_SUITE "AES_CM_128_HMAC_SHA1_80"

static json_object *string_or_null(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}

static json_object *srtp_json(const uint8_t key[TOLK_KEY_LEN], char key_b64[TOLK_KEY_B64_LEN + 1])
{
    tolk_key_to_base64(key, key_b64);
    json_object *srtp = json_object_new_object();
    json_object_object_add(srtp, "suite", json_object_new_string(SRTP_SUITE));
    json_object_object_add(srtp, "key", json_object_new_string(key_b64));
    return srtp;
}

/* id, port or host, srtp and sdp: what inputs and outputs share. */
static void add_stream_fields(json_object *obj, tolk_session *session, const char *address, int port,
                              const uint8_t key[TOLK_KEY_LEN])
{
    char key_b64[TOLK_KEY_B64_LEN + 1];
    json_object_object_add(obj, "srtp", srtp_json(key, key_b64));
    char *sdp = tolk_sdp_for_stream(session->name[0] ? session->name : session->id, address, port,
                                    TOLK_OUTPUT_PAYLOAD_TYPE, 1, key_b64);
    json_object_object_add(obj, "sdp", string_or_null(sdp));
    free(sdp);
    tolk_key_wipe(key_b64, sizeof key_b64);
}

static void add_count(json_object *obj, const char *name, uint64_t value)
{
    json_object_object_add(obj, name, json_object_new_int64((int64_t)value));
}

/* What the input hears: its state now and its counters since the sitting began. */
static json_object *health_json(tolk_session *session, int slot)
{
    tolk_media_input_stats s;
    tolk_session_input_stats(session, slot, &s);
    json_object *health = json_object_new_object();
    json_object_object_add(health, "state", json_object_new_string(tolk_input_state_name(tolk_session_input_state(session, slot))));
    add_count(health, "received", s.received);
    json_object *dropped = json_object_new_object();
    add_count(dropped, "not_rtp", s.dropped_not_rtp);
    add_count(dropped, "auth", s.dropped_auth);
    add_count(dropped, "replay", s.dropped_replay);
    add_count(dropped, "sender", s.dropped_sender);
    add_count(dropped, "undecodable", s.dropped_undecodable);
    json_object_object_add(health, "dropped", dropped);
    json_object *rtcp = json_object_new_object();
    add_count(rtcp, "ok", s.rtcp);
    add_count(rtcp, "failed", s.rtcp_failed);
    json_object_object_add(health, "rtcp", rtcp);
    add_count(health, "restarts", s.restarts);
    add_count(health, "rekeys", s.rekeys);
    json_object *buffer = json_object_new_object();
    add_count(buffer, "late", s.late);
    add_count(buffer, "lost", s.lost);
    add_count(buffer, "fec_recovered", s.fec_recovered);
    add_count(buffer, "concealed", s.concealed);
    add_count(buffer, "skipped", s.skipped);
    json_object_object_add(buffer, "jitter_ms", json_object_new_double(s.jitter_ms));
    add_count(buffer, "depth_ms", s.depth_ms);
    json_object_object_add(health, "reorder", buffer);
    return health;
}

json_object *tolk_input_to_json(tolk_session *session, int slot)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    const tolk_session_input *input = slot < 0 ? &session->floor : &session->consoles[slot];
    char id[TOLK_CONSOLE_ID_SIZE];
    tolk_input_id(config, slot, id, sizeof id);
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "id", json_object_new_string(id));
    json_object_object_add(obj, "port", json_object_new_int(input->port));
    add_stream_fields(obj, session, session->media_address, input->port, input->key);
    json_object_object_add(obj, "health", health_json(session, slot));
    json_object_object_add(obj, "aes67", tolk_input_aes67_to_json(session, slot));
    return obj;
}

/* Receivers that key srtpdec by SSRC (GStreamer) need it: as a field, and as
 * an a=ssrc line, which ffmpeg ignores. */
static void add_ssrc(json_object *obj, uint32_t ssrc)
{
    json_object_object_add(obj, "ssrc", json_object_new_int64(ssrc));
    json_object *sdp = NULL;
    if (!json_object_object_get_ex(obj, "sdp", &sdp) || !sdp)
        return;
    char *text = g_strdup_printf("%sa=ssrc:%u cname:tolk\r\n", json_object_get_string(sdp), ssrc);
    json_object_object_add(obj, "sdp", json_object_new_string(text));
    g_free(text);
}

/* The packet time in ms as the API takes it (0.333 for 16 samples). */
static double packet_time_ms(int frame_samples)
{
    return frame_samples == 16 ? 0.333 : frame_samples / 48.0;
}

/* An AES67 output: plain RTP, its SDP (RTP/AVP, no crypto), its packets and the buffer it adds. */
static void add_aes67_fields(json_object *obj, const tolk_session_output *output)
{
    json_object_object_add(obj, "encoding", json_object_new_string(output->encoding == TOLK_AES67_L16 ? "L16" : "L24"));
    json_object_object_add(obj, "packet_time_ms", json_object_new_double(packet_time_ms(output->frame_samples)));
    json_object_object_add(obj, "ttl", json_object_new_int(output->ttl));
    json_object_object_add(obj, "sap", json_object_new_boolean(output->sap));
    json_object_object_add(obj, "name", string_or_null(output->name));
    json_object_object_add(obj, "sdp", string_or_null(output->sdp));
    json_object_object_add(obj, "ssrc", json_object_new_int64(output->ssrc));
    tolk_aes67_output_stats st = {0};
    if (output->sender)
        tolk_aes67_output_get_stats(output->sender, &st);
    json_object *health = json_object_new_object();
    json_object_object_add(health, "state", json_object_new_string(tolk_output_state_name(output)));
    add_count(health, "packets_sent", st.packets);
    add_count(health, "send_errors", st.send_errors);
    add_count(health, "underruns", st.underruns);
    add_count(health, "late", st.late);
    add_count(health, "dropped_samples", st.dropped);
    json_object_object_add(health, "buffer_ms", json_object_new_double(st.buffer_ms));
    json_object_object_add(health, "latency_ms", json_object_new_double(st.latency_ms));
    json_object_object_add(obj, "health", health);
}

json_object *tolk_output_to_json(tolk_session *session, const tolk_session_output *output)
{
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "id", json_object_new_string(output->id));
    json_object_object_add(obj, "host", json_object_new_string(output->host));
    json_object_object_add(obj, "port", json_object_new_int(output->port));
    json_object_object_add(obj, "format", json_object_new_string(output->aes67 ? "aes67" : "srtp"));
    json_object_object_add(obj, "encrypted", json_object_new_boolean(!output->aes67));
    if (output->aes67) {
        add_aes67_fields(obj, output);
        return obj;
    }
    bool channel = output->channel >= 0;
    tolk_output_key key_kind = output->own_key ? TOLK_OUTPUT_KEY_OWN : TOLK_OUTPUT_KEY_SHARED;
    json_object_object_add(obj, "key", json_object_new_string(tolk_output_key_name(key_kind)));
    const uint8_t *key = output->own_key ? output->key : tolk_session_stream_key(session, output->channel, output->slot);
    add_stream_fields(obj, session, output->host, output->port, key);
    add_ssrc(obj, tolk_session_sender_ssrc(session, output->channel, channel ? -1 : output->slot));
    json_object *health = json_object_new_object();
    json_object_object_add(health, "state", json_object_new_string(tolk_output_state_name(output)));
    add_count(health, "send_errors",
              tolk_media_output_send_errors(session->media, output->channel, output->slot, output->destination));
    json_object_object_add(obj, "health", health);
    return obj;
}

/* What a channel (slot < 0) or a return feed (channel < 0) sends: packets and the kernel's
 * refusals, over all its outputs (they share one sender). */
static void add_send_counts(json_object *health, tolk_session *session, int channel, int slot)
{
    tolk_srtp_sender_stats stats;
    tolk_session_sender_stats(session, channel, slot, &stats);
    add_count(health, "packets_sent", stats.packets);
    add_count(health, "send_errors", stats.send_errors);
}

static json_object *channel_health_json(tolk_session *session, int channel)
{
    json_object *health = json_object_new_object();
    json_object_object_add(health, "level_dbfs", json_object_new_double(tolk_session_channel_last_level(session, channel)));
    json_object_object_add(health, "listeners", json_object_new_int(tolk_session_channel_listeners(session, channel)));
    add_send_counts(health, session, channel, -1);
    return health;
}

static json_object *feed_health_json(tolk_session *session, int slot)
{
    json_object *health = json_object_new_object();
    add_send_counts(health, session, -1, slot);
    return health;
}

static json_object *outputs_json(tolk_session *session, int channel, int slot)
{
    json_object *list = json_object_new_array();
    for (guint i = 0; i < session->outputs->len; i++) {
        const tolk_session_output *output = g_ptr_array_index(session->outputs, i);
        if ((channel >= 0 && output->channel == channel) || (channel < 0 && output->slot == slot))
            json_object_array_add(list, tolk_output_to_json(session, output));
    }
    return list;
}

static json_object *inputs_json(tolk_session *session)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    json_object *list = json_object_new_array();
    for (tolk_input in = TOLK_EACH_INPUT; tolk_input_next(config, &in);)
        json_object_array_add(list, tolk_input_to_json(session, in.slot));
    return list;
}

json_object *tolk_utc_json(gint64 unix_s)
{
    GDateTime *t = g_date_time_new_from_unix_utc(unix_s);
    gchar *text = t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
    json_object *obj = text ? json_object_new_string(text) : NULL;
    g_free(text);
    if (t)
        g_date_time_unref(t);
    return obj;
}

json_object *tolk_recording_to_json(const tolk_recording_status *st)
{
    bool on = st->state != TOLK_RECORDING_OFF;
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "state", json_object_new_string(tolk_recording_state_name(st->state)));
    json_object_object_add(obj, "since", on ? tolk_utc_json(st->since_unix_us / G_USEC_PER_SEC) : NULL);
    json_object_object_add(obj, "file", on && st->file[0] ? json_object_new_string(st->file) : NULL);
    json_object_object_add(obj, "bytes", json_object_new_int64((int64_t)st->bytes));
    json_object_object_add(obj, "write_errors", json_object_new_int64((int64_t)st->write_errors));
    json_object_object_add(obj, "lost", json_object_new_int64((int64_t)st->lost));
    const char *error = st->last_errno ? strerrorname_np(st->last_errno) : NULL;
    json_object_object_add(obj, "last_error", error ? json_object_new_string(error) : NULL);
    return obj;
}

json_object *tolk_channel_to_json(tolk_session *session, int channel, bool full)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    tolk_channel_state state = tolk_matrix_channel(session->matrix, channel);
    char source[TOLK_CONSOLE_ID_SIZE];
    tolk_channel_source_name(config, &state, source, sizeof source);
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "id", json_object_new_string(tolk_matrix_channel_name(session->matrix, channel)));
    json_object_object_add(obj, "source", json_object_new_string(source));
    json_object_object_add(obj, "quality", string_or_null(tolk_quality_name(state.quality)));
    json_object_object_add(obj, "public", json_object_new_boolean(session->channel_public[channel]));
    json_object_object_add(obj, "video", json_object_new_boolean(session->channel_video[channel]));
    json_object_object_add(obj, "listeners", json_object_new_int(tolk_session_channel_listeners(session, channel)));
    json_object_object_add(obj, "icecast", tolk_icecast_to_json(session, channel, full));
    json_object_object_add(obj, "hls", tolk_hls_to_json(session, channel, full));
    if (full) {
        json_object_object_add(obj, "outputs", outputs_json(session, channel, -1));
        json_object_object_add(obj, "health", channel_health_json(session, channel));
        tolk_recording_status st;
        tolk_session_recording_status(session, channel, &st);
        json_object_object_add(obj, "recording", tolk_recording_to_json(&st));
    }
    return obj;
}

json_object *tolk_console_to_json(tolk_session *session, int booth, int console, bool full)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    const tolk_console_state *state = tolk_matrix_console(session->matrix, booth, console);
    char id[TOLK_CONSOLE_ID_SIZE];
    tolk_console_id(config, booth, console, id, sizeof id);
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "id", json_object_new_string(id));
    json_object_object_add(obj, "mic", json_object_new_string(tolk_mic_name(state->mic)));
    json_object_object_add(obj, "output", json_object_new_string(tolk_output_name(state->output)));
    json_object_object_add(obj, "b_channel",
                           state->b_channel >= 0 ? json_object_new_string(config->channels[state->b_channel]) : NULL);
    json_object_object_add(obj, "listen", json_object_new_string(tolk_listen_name(config, state->listen)));
    json_object_object_add(obj, "partner_listen", json_object_new_boolean(state->partner_listen));
    int hears = tolk_matrix_console_hears(session->matrix, booth, console);
    json_object_object_add(obj, "hears", json_object_new_string(tolk_matrix_channel_name(session->matrix, hears)));
    if (full) {
        json_object_object_add(obj, "outputs", outputs_json(session, -1, TOLK_SLOT(booth, console)));
        json_object_object_add(obj, "feed_health", feed_health_json(session, TOLK_SLOT(booth, console)));
    }
    return obj;
}

static json_object *booth_json(tolk_session *session, int booth, bool full)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    const tolk_booth_config *b = &config->booths[booth];
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "language", json_object_new_string(config->channels[b->channel]));
    json_object *b_channels = json_object_new_array();
    for (int i = 0; i < b->b_count; i++)
        json_object_array_add(b_channels, json_object_new_string(config->channels[b->b_channels[i]]));
    json_object_object_add(obj, "b_channels", b_channels);
    json_object *consoles = json_object_new_array();
    for (int c = 0; c < b->console_count; c++)
        json_object_array_add(consoles, tolk_console_to_json(session, booth, c, full));
    json_object_object_add(obj, "consoles", consoles);
    return obj;
}

json_object *tolk_session_to_json(tolk_session *session, bool full)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "id", json_object_new_string(session->id));
    json_object_object_add(obj, "name", json_object_new_string(session->name));
    json_object_object_add(obj, "floor_language", string_or_null(session->floor_language));
    json_object_object_add(obj, "interlock", json_object_new_string(tolk_interlock_name(config->interlock)));
    json_object_object_add(obj, "idle_channel", json_object_new_string(tolk_idle_name(config->idle_channel)));
    json_object_object_add(obj, "original_under_db",
                           config->original_under ? json_object_new_double(config->original_under_db) : NULL);
    json_object_object_add(obj, "sound_check", json_object_new_boolean(session->sound_check));
    if (full)
        json_object_object_add(obj, "inputs", inputs_json(session));
    json_object *channels = json_object_new_array();
    for (int ch = 0; ch <= config->channel_count; ch++)
        json_object_array_add(channels, tolk_channel_to_json(session, ch, full));
    json_object_object_add(obj, "channels", channels);
    json_object *booths = json_object_new_array();
    for (int b = 0; b < config->booth_count; b++)
        json_object_array_add(booths, booth_json(session, b, full));
    json_object_object_add(obj, "booths", booths);
    /* Everyone sees whether there is a picture and of whom; the operator the whole of it. */
    json_object *video = tolk_session_video_short_json(session->video);
    if (full) {
        json_object_put(video);
        video = tolk_session_video_json(session->video);
        tolk_recording_status st; /* the floor video's record (docs/recording.md) */
        tolk_session_video_recording_status(session, &st);
        json_object_object_add(video, "recording", tolk_recording_to_json(&st));
    }
    json_object_object_add(obj, "video", video);
    return obj;
}
