/* SPDX-License-Identifier: EUPL-1.2 */
#include "input_health.h"

#define TOLK_LOG_MODULE "health"
#include "log.h"

void tolk_session_health_init(tolk_session *session)
{
    for (int i = 0; i <= TOLK_MAX_SLOTS; i++)
        session->input_states[i] = TOLK_INPUT_SILENT;
    for (int ch = 0; ch <= TOLK_MAX_CHANNELS; ch++)
        session->channel_level_db[ch] = -100.0;
}

/* A technician reads the log: failing is a warning (someone must act), the rest news. */
static void log_change(const tolk_session *session, const char *input, tolk_input_state from, tolk_input_state to)
{
    if (to == TOLK_INPUT_FAILING)
        LOG_WARN("session %s: input %s %s -> failing: packets arrive that cannot be played (wrong key, "
                 "not Opus, a second sender)", session->id, input, tolk_input_state_name(from));
    else
        LOG_INFO("session %s: input %s %s -> %s", session->id, input, tolk_input_state_name(from),
                 tolk_input_state_name(to));
}

static void publish_change(tolk_session *session, const char *input, tolk_input_state from, tolk_input_state to)
{
    json_object *data = json_object_new_object();
    json_object_object_add(data, "input", json_object_new_string(input));
    json_object_object_add(data, "state", json_object_new_string(tolk_input_state_name(to)));
    json_object_object_add(data, "previous", json_object_new_string(tolk_input_state_name(from)));
    tolk_hub_publish(session->hub, "input_state", data);
}

void tolk_session_watch_health(tolk_session *session, gint64 now_us, gint64 lost_timeout_us)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    for (tolk_input in = TOLK_EACH_INPUT; tolk_input_next(config, &in);) {
        tolk_media_input_stats stats;
        tolk_session_input_stats(session, in.slot, &stats);
        tolk_input_state now = tolk_media_input_state(&stats, now_us, lost_timeout_us);
        tolk_input_state *kept = &session->input_states[in.slot + 1];
        if (now == *kept)
            continue;
        log_change(session, in.id, *kept, now);
        publish_change(session, in.id, *kept, now);
        *kept = now;
    }
}

tolk_input_state tolk_session_input_state(const tolk_session *session, int slot)
{
    return slot >= -1 && slot < TOLK_MAX_SLOTS ? session->input_states[slot + 1] : TOLK_INPUT_SILENT;
}

static void add_count(json_object *obj, const char *name, uint64_t value)
{
    json_object_object_add(obj, name, json_object_new_int64((int64_t)value));
}

static json_object *input_json(tolk_session *session, int slot)
{
    tolk_media_input_stats s;
    tolk_session_input_stats(session, slot, &s);
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "state", json_object_new_string(tolk_input_state_name(tolk_session_input_state(session, slot))));
    add_count(obj, "lost", s.lost);
    add_count(obj, "late", s.late);
    add_count(obj, "undecodable", s.dropped_undecodable);
    json_object_object_add(obj, "jitter_ms", json_object_new_double(s.jitter_ms));
    return obj;
}

static uint64_t send_errors(tolk_session *session, int channel, int slot)
{
    tolk_srtp_sender_stats stats;
    tolk_session_sender_stats(session, channel, slot, &stats);
    return stats.send_errors;
}

json_object *tolk_session_health_json(tolk_session *session)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    json_object *inputs = json_object_new_object();
    json_object *feeds = json_object_new_object();
    for (tolk_input in = TOLK_EACH_INPUT; tolk_input_next(config, &in);) {
        json_object_object_add(inputs, in.id, input_json(session, in.slot));
        if (in.slot >= 0)
            add_count(feeds, in.id, send_errors(session, -1, in.slot));
    }
    json_object *channels = json_object_new_object();
    for (int ch = 0; ch <= config->channel_count; ch++)
        add_count(channels, tolk_matrix_channel_name(session->matrix, ch), send_errors(session, ch, -1));
    json_object *health = json_object_new_object();
    json_object_object_add(health, "inputs", inputs);
    json_object *errors = json_object_new_object();
    json_object_object_add(errors, "channels", channels);
    json_object_object_add(errors, "feeds", feeds);
    json_object_object_add(health, "send_errors", errors);
    return health;
}

double tolk_session_channel_last_level(const tolk_session *session, int channel)
{
    return channel >= 0 && channel <= TOLK_MAX_CHANNELS ? session->channel_level_db[channel] : -100.0;
}
