/* SPDX-License-Identifier: EUPL-1.2 */
/* Life cycle, queries and session-wide settings of a matrix. */
#include "rules_internal.h"

#include <stdlib.h>
#include <string.h>

static void reset_consoles(tolk_matrix *m)
{
    const tolk_matrix_config *cfg = &m->config;
    for (int b = 0; b < cfg->booth_count; b++) {
        const tolk_booth_config *booth = &cfg->booths[b];
        for (int i = 0; i < booth->console_count; i++) {
            tolk_console_state *cs = &m->live.console[TOLK_SLOT(b, i)];
            cs->mic = TOLK_MIC_OFF;
            cs->output = TOLK_OUTPUT_A;
            cs->b_channel = booth->b_count > 0 ? booth->b_channels[0] : -1;
            cs->listen = TOLK_LISTEN_FLOOR;
        }
    }
}

tolk_matrix *tolk_matrix_new(const tolk_matrix_config *config, tolk_result *err)
{
    if (!tolk_config_validate(config, err))
        return NULL;
    tolk_matrix *m = calloc(1, sizeof *m);
    if (!m) {
        if (err)
            *err = tolk_result_error(TOLK_ERR_INVALID, "out_of_memory", NULL,
                                     "the session does not fit in memory");
        return NULL;
    }
    /* memcpy, not assignment: tests compare matrices byte for byte, padding included. */
    memcpy(&m->config, config, sizeof m->config);
    reset_consoles(m);
    return m;
}

void tolk_matrix_free(tolk_matrix *m)
{
    free(m);
}

const tolk_matrix_config *tolk_matrix_config_get(const tolk_matrix *m)
{
    return &m->config;
}

/* Settings never change who is live, only what the channels carry: compare
 * the channel states around the change and report the differences. */
typedef struct {
    tolk_channel_states before;
} setting_change;

static void setting_change_begin(const tolk_matrix *m, setting_change *change, tolk_events *events)
{
    tolk_events_reset(events);
    tolk_plan_channels(&m->config, &m->live, &change->before);
}

static void setting_change_end(const tolk_matrix *m, const setting_change *change, tolk_events *events)
{
    tolk_channel_states after;
    tolk_plan_channels(&m->config, &m->live, &after);
    tolk_events_push_channel_changes(events, &change->before, &after, m->config.channel_count);
}

/* Consoles already mixed in free mode stay on air when the interlock becomes
 * stricter: nobody is cut off by a settings change, the new rule applies to
 * the next console that goes live. */
void tolk_matrix_set_interlock(tolk_matrix *m, tolk_interlock interlock, tolk_events *events)
{
    setting_change change;
    setting_change_begin(m, &change, events);
    if ((unsigned)interlock <= TOLK_INTERLOCK_FREE)
        m->config.interlock = interlock;
    setting_change_end(m, &change, events);
}

void tolk_matrix_set_idle_channel(tolk_matrix *m, tolk_idle idle, tolk_events *events)
{
    setting_change change;
    setting_change_begin(m, &change, events);
    if ((unsigned)idle <= TOLK_IDLE_SILENCE)
        m->config.idle_channel = idle;
    setting_change_end(m, &change, events);
}

/* Never fails (the API validates the range): a level outside -60..0 is clamped. */
void tolk_matrix_set_original_under(tolk_matrix *m, bool on, double db, tolk_events *events)
{
    setting_change change;
    setting_change_begin(m, &change, events);
    m->config.original_under = on;
    if (on)
        m->config.original_under_db = db > 0.0 ? 0.0 : db >= -60.0 ? db : -60.0;
    setting_change_end(m, &change, events);
}

const tolk_console_state *tolk_matrix_console(const tolk_matrix *m, int booth, int console)
{
    if (!tolk_console_exists(&m->config, booth, console))
        return NULL;
    return &m->live.console[TOLK_SLOT(booth, console)];
}

bool tolk_matrix_console_is_live(const tolk_matrix *m, int booth, int console)
{
    const tolk_console_state *cs = tolk_matrix_console(m, booth, console);
    return cs && tolk_mic_is_live(cs->mic);
}

tolk_channel_state tolk_matrix_channel(const tolk_matrix *m, int channel)
{
    if (channel < 0 || channel > m->config.channel_count) {
        tolk_channel_state none = {TOLK_SOURCE_SILENCE, -1, -1, TOLK_QUALITY_NONE};
        return none;
    }
    tolk_channel_states states;
    tolk_plan_channels(&m->config, &m->live, &states);
    return states.channel[channel];
}

int tolk_matrix_console_hears(const tolk_matrix *m, int booth, int console)
{
    if (!tolk_console_exists(&m->config, booth, console))
        return -1;
    return tolk_plan_hears(&m->config, &m->live, booth, console);
}

void tolk_matrix_route(const tolk_matrix *m, tolk_route *route)
{
    tolk_plan_route(&m->config, &m->live, route);
}

int tolk_matrix_channel_index(const tolk_matrix *m, const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "floor") == 0)
        return TOLK_FLOOR;
    return tolk_config_language_index(&m->config, name);
}

int tolk_matrix_booth_index(const tolk_matrix *m, const char *language)
{
    return tolk_config_booth_index(&m->config, language);
}

const char *tolk_matrix_channel_name(const tolk_matrix *m, int channel)
{
    return tolk_config_channel_name(&m->config, channel);
}
