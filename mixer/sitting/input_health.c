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

double tolk_session_channel_last_level(const tolk_session *session, int channel)
{
    return channel >= 0 && channel <= TOLK_MAX_CHANNELS ? session->channel_level_db[channel] : -100.0;
}
