/* SPDX-License-Identifier: EUPL-1.2 */
/* The inputs of a configuration in the API's order, and channels by name: the walks
 * every adapter (media, JSON views, metrics, watchdog) makes over a sitting. */
#include "rules.h"

#include <stdio.h>
#include <string.h>

/* From booth b console c (c may be one past the last), the next console that exists. */
static bool settle(const tolk_matrix_config *cfg, tolk_input *in, int b, int c)
{
    while (b < cfg->booth_count && c >= cfg->booths[b].console_count) {
        b++;
        c = 0;
    }
    if (b >= cfg->booth_count)
        return false;
    in->booth = b;
    in->console = c;
    in->slot = TOLK_SLOT(b, c);
    tolk_input_id(cfg, in->slot, in->id, sizeof in->id);
    return true;
}

void tolk_input_id(const tolk_matrix_config *cfg, int slot, char *buf, size_t size)
{
    if (slot < 0)
        snprintf(buf, size, "floor");
    else
        tolk_console_id(cfg, slot / TOLK_MAX_CONSOLES, slot % TOLK_MAX_CONSOLES, buf, size);
}

bool tolk_input_next(const tolk_matrix_config *cfg, tolk_input *in)
{
    if (in->booth == -2) {
        in->booth = in->console = in->slot = -1;
        tolk_input_id(cfg, -1, in->id, sizeof in->id);
        return true;
    }
    if (in->booth < 0)
        return settle(cfg, in, 0, 0);
    return settle(cfg, in, in->booth, in->console + 1);
}

int tolk_config_language_index(const tolk_matrix_config *cfg, const char *name)
{
    for (int c = 1; name && c <= cfg->channel_count; c++)
        if (strcmp(cfg->channels[c], name) == 0)
            return c;
    return -1;
}

const char *tolk_config_channel_name(const tolk_matrix_config *cfg, int channel)
{
    if (channel == TOLK_FLOOR)
        return "floor";
    if (channel < 0 || channel > cfg->channel_count)
        return NULL;
    return cfg->channels[channel];
}

bool tolk_listen_parse(const tolk_matrix_config *cfg, const char *s, int *listen)
{
    if (s && strcmp(s, "floor") == 0)
        *listen = TOLK_LISTEN_FLOOR;
    else if (s && strcmp(s, "auto") == 0)
        *listen = TOLK_LISTEN_AUTO;
    else
        return (*listen = tolk_config_language_index(cfg, s)) >= 0;
    return true;
}

const char *tolk_listen_name(const tolk_matrix_config *cfg, int listen)
{
    return listen == TOLK_LISTEN_AUTO ? "auto" : tolk_config_channel_name(cfg, listen);
}

void tolk_channel_source_name(const tolk_matrix_config *cfg, const tolk_channel_state *state, char *buf,
                              size_t size)
{
    if (state->source == TOLK_SOURCE_CONSOLE)
        tolk_console_id(cfg, state->booth, state->console, buf, size);
    else
        snprintf(buf, size, "%s", state->source == TOLK_SOURCE_SILENCE ? "silence" : "floor");
}

int tolk_config_booth_index(const tolk_matrix_config *cfg, const char *language)
{
    int channel = tolk_config_language_index(cfg, language);
    for (int b = 0; channel > 0 && b < cfg->booth_count; b++)
        if (cfg->booths[b].channel == channel)
            return b;
    return -1;
}

bool tolk_console_lookup(const tolk_matrix_config *cfg, const char *language, const char *number, int *booth,
                         int *console)
{
    *booth = tolk_config_booth_index(cfg, language);
    /* One digit, no sign or leading zero: the API's console numbers are 1..TOLK_MAX_CONSOLES. */
    int n = number && number[0] >= '1' && number[0] <= '9' && number[1] == '\0' ? number[0] - '0' : 0;
    *console = n - 1;
    return *booth >= 0 && n >= 1 && n <= cfg->booths[*booth].console_count;
}

bool tolk_console_id_parse(const tolk_matrix_config *cfg, const char *id, int *booth, int *console)
{
    char language[TOLK_LANG_SIZE];
    const char *slash = id ? strchr(id, '/') : NULL;
    if (!slash || (size_t)(slash - id) >= sizeof language) {
        *booth = *console = -1;
        return false;
    }
    memcpy(language, id, (size_t)(slash - id));
    language[slash - id] = '\0';
    return tolk_console_lookup(cfg, language, slash + 1, booth, console);
}
