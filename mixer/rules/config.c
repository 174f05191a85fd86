/* SPDX-License-Identifier: EUPL-1.2 */
/* Validation of a session's configuration, with the API's field names in errors. */
#include "rules_internal.h"

#include <stdio.h>
#include <string.h>

/* The API's name of a booth's field: "booths[12].consoles". */
static const char *booth_field(char buf[32], int booth, const char *name)
{
    snprintf(buf, 32, "booths[%d].%s", booth, name);
    return buf;
}

#define CODE "invalid_value"

static bool fail(tolk_result *err, const char *field, const char *message)
{
    *err = tolk_result_error(TOLK_ERR_INVALID, CODE, field, "%s", message);
    return false;
}

static bool validate_channels(const tolk_matrix_config *cfg, tolk_result *err)
{
    if (cfg->channel_count < 1 || cfg->channel_count > TOLK_MAX_CHANNELS)
        return fail(err, "channels", "channels must list 1 to 64 languages");
    for (int c = 1; c <= cfg->channel_count; c++) {
        if (!tolk_is_language_code(cfg->channels[c])) {
            *err = tolk_result_error(TOLK_ERR_INVALID, CODE, "channels",
                                     "channel %d in channels is not a code of 2 or 3 lowercase letters", c);
            return false;
        }
        for (int d = 1; d < c; d++)
            if (strcmp(cfg->channels[c], cfg->channels[d]) == 0) {
                *err = tolk_result_error(TOLK_ERR_INVALID, CODE, "channels",
                                         "channel %s is listed twice in channels", cfg->channels[c]);
                return false;
            }
    }
    return true;
}

static bool validate_b_channels(const tolk_matrix_config *cfg, int b, tolk_result *err)
{
    const tolk_booth_config *booth = &cfg->booths[b];
    char buf[32];
    const char *field = booth_field(buf, b, "b_channels");
    if (booth->b_count < 0 || booth->b_count > cfg->channel_count)
        return fail(err, field, "b_channels has more entries than there are channels");
    for (int i = 0; i < booth->b_count; i++) {
        int ch = booth->b_channels[i];
        if (ch < 1 || ch > cfg->channel_count)
            return fail(err, field, "b_channels names a channel that does not exist");
        if (ch == booth->channel) {
            *err = tolk_result_error(TOLK_ERR_INVALID, CODE, field,
                                     "b_channels of booth %s must not name its own language",
                                     cfg->channels[ch]);
            return false;
        }
        for (int j = 0; j < i; j++)
            if (booth->b_channels[j] == ch) {
                *err = tolk_result_error(TOLK_ERR_INVALID, CODE, field,
                                         "b_channels of booth %s lists %s twice",
                                         cfg->channels[booth->channel], cfg->channels[ch]);
                return false;
            }
    }
    return true;
}

static bool validate_booth(const tolk_matrix_config *cfg, int b, tolk_result *err)
{
    const tolk_booth_config *booth = &cfg->booths[b];
    char buf[32];
    if (booth->channel < 1 || booth->channel > cfg->channel_count)
        return fail(err, booth_field(buf, b, "language"), "a booth's language must be one of channels");
    for (int other = 0; other < b; other++)
        if (cfg->booths[other].channel == booth->channel) {
            *err = tolk_result_error(TOLK_ERR_INVALID, CODE, booth_field(buf, b, "language"),
                                     "there is already a booth for %s", cfg->channels[booth->channel]);
            return false;
        }
    if (booth->console_count < 1 || booth->console_count > TOLK_MAX_CONSOLES) {
        *err = tolk_result_error(TOLK_ERR_INVALID, CODE, booth_field(buf, b, "consoles"),
                                 "booth %s must have 1 to 6 consoles", cfg->channels[booth->channel]);
        return false;
    }
    return validate_b_channels(cfg, b, err);
}

static bool validate_settings(const tolk_matrix_config *cfg, tolk_result *err)
{
    if ((unsigned)cfg->interlock > TOLK_INTERLOCK_FREE)
        return fail(err, "interlock", "interlock must be no-override, override or free");
    if ((unsigned)cfg->idle_channel > TOLK_IDLE_SILENCE)
        return fail(err, "idle_channel", "idle_channel must be floor or silence");
    /* Written so that NaN fails too. */
    if (cfg->original_under && !(cfg->original_under_db >= -60.0 && cfg->original_under_db <= 0.0))
        return fail(err, "original_under_db", "original_under_db must be from -60 to 0");
    return true;
}

bool tolk_config_validate(const tolk_matrix_config *cfg, tolk_result *err)
{
    tolk_result ignored;
    if (!err)
        err = &ignored;
    if (!cfg)
        return fail(err, NULL, "the session has no configuration");
    if (!validate_channels(cfg, err))
        return false;
    if (cfg->booth_count < 0 || cfg->booth_count > cfg->channel_count)
        return fail(err, "booths", "there are more booths than channels");
    for (int b = 0; b < cfg->booth_count; b++)
        if (!validate_booth(cfg, b, err))
            return false;
    if (!validate_settings(cfg, err))
        return false;
    *err = tolk_result_ok();
    return true;
}
