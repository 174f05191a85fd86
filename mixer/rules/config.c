/* SPDX-License-Identifier: EUPL-1.2 */
/* Validation of a session's configuration, the only one: with the API's field paths, and for
 * what a request can carry the API's messages (the request parser calls it). */
#include "rules_internal.h"

#include <stdio.h>
#include <string.h>

/* The API's name of a booth's field: "booths[12].consoles". */
static const char *booth_field(char buf[40], int booth, const char *name)
{
    snprintf(buf, 40, "booths[%d].%s", booth, name);
    return buf;
}

#define CODE "invalid_value"

static bool fail(tolk_result *err, const char *field, const char *message)
{
    *err = tolk_result_error(TOLK_ERR_INVALID, CODE, field, "%s", message);
    return false;
}

/* The request parser's wording, which the API answers: 'Field "booths[0].language" must be...'. */
static bool field_error(tolk_result *err, const char *field, const char *predicate)
{
    *err = tolk_result_error(TOLK_ERR_INVALID, CODE, field, "Field \"%s\" %s", field, predicate);
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

/* The API's path of one B channel: "booths[0].b_channels[1]". */
static const char *b_channel_field(char buf[40], int booth, int index)
{
    snprintf(buf, 40, "booths[%d].b_channels[%d]", booth, index);
    return buf;
}

static bool validate_b_channels(const tolk_matrix_config *cfg, int b, tolk_result *err)
{
    const tolk_booth_config *booth = &cfg->booths[b];
    char buf[40];
    /* Entries that are channels, not the booth's own and not repeated cannot outnumber the
     * channels: only the array's bound is checked before them. */
    if (booth->b_count < 0 || booth->b_count > TOLK_MAX_CHANNELS)
        return fail(err, booth_field(buf, b, "b_channels"), "b_channels must list at most 64 channels");
    for (int i = 0; i < booth->b_count; i++) {
        int ch = booth->b_channels[i];
        const char *field = b_channel_field(buf, b, i);
        if (ch < 1 || ch > cfg->channel_count)
            return field_error(err, field, "must be one of the channels.");
        if (ch == booth->channel)
            return field_error(err, field, "must not be the booth's own language.");
        for (int j = 0; j < i; j++)
            if (booth->b_channels[j] == ch) {
                *err = tolk_result_error(TOLK_ERR_INVALID, CODE, field, "Field \"%s\" repeats \"%s\".", field,
                                         cfg->channels[ch]);
                return false;
            }
    }
    return true;
}

static bool validate_booth(const tolk_matrix_config *cfg, int b, tolk_result *err)
{
    const tolk_booth_config *booth = &cfg->booths[b];
    char buf[40];
    const char *language = booth_field(buf, b, "language");
    if (booth->channel < 1 || booth->channel > cfg->channel_count)
        return field_error(err, language, "must be one of the channels.");
    for (int other = 0; other < b; other++)
        if (cfg->booths[other].channel == booth->channel) {
            *err = tolk_result_error(TOLK_ERR_INVALID, CODE, language,
                                     "Field \"%s\" repeats the booth \"%s\": one booth per language.", language,
                                     cfg->channels[booth->channel]);
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
    /* One booth per channel at most: with every booth's language a channel and none
     * repeated, no more booths than channels can pass the loop. */
    if (cfg->booth_count < 0 || cfg->booth_count > TOLK_MAX_BOOTHS)
        return fail(err, "booths", "booths must list at most 64 booths");
    for (int b = 0; b < cfg->booth_count; b++)
        if (!validate_booth(cfg, b, err))
            return false;
    if (!validate_settings(cfg, err))
        return false;
    *err = tolk_result_ok();
    return true;
}
