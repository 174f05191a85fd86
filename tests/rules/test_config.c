/* SPDX-License-Identifier: EUPL-1.2 */
/* Configuration checks, initial state, lookups and names. */
#include "test_util.h"

#include <math.h>

static tolk_matrix_config small_config(void)
{
    tolk_matrix_config cfg;
    memset(&cfg, 0, sizeof cfg);
    config_channels(&cfg, "de en fr");
    config_booth(&cfg, 2, 2, 1, (int[]){3});
    config_booth(&cfg, 3, 1, 0, NULL);
    return cfg;
}

/* The config must be refused with this field; no matrix comes back. */
static void expect_refused(const tolk_matrix_config *cfg, const char *field, int line)
{
    tolk_result err;
    memset(&err, 0, sizeof err);
    tolk_matrix *m = tolk_matrix_new(cfg, &err);
    if (m || err.status != TOLK_ERR_INVALID || strcmp(err.field, field) != 0 ||
        !err.code || err.message[0] == '\0') {
        fprintf(stderr, "%s:%d: expected refusal on %s, got status %d field %s\n", __FILE__, line,
                field, (int)err.status, err.field);
        test_failures++;
    }
    tolk_matrix_free(m);
}
#define REFUSED(cfg, field) expect_refused(&(cfg), field, __LINE__)

static void valid_config_starts_quiet(void)
{
    tolk_matrix_config cfg = small_config();
    tolk_result err;
    tolk_matrix *m = tolk_matrix_new(&cfg, &err);
    CHECK(m != NULL);
    CHECK_INT(err.status, TOLK_OK);
    for (int b = 0; b < 2; b++)
        for (int c = 0; c < cfg.booths[b].console_count; c++) {
            const tolk_console_state *cs = tolk_matrix_console(m, b, c);
            CHECK_INT(cs->mic, TOLK_MIC_OFF);
            CHECK_INT(cs->output, TOLK_OUTPUT_A);
            CHECK_INT(cs->listen, TOLK_LISTEN_FLOOR);
            CHECK_INT(tolk_matrix_console_hears(m, b, c), TOLK_FLOOR);
        }
    CHECK_INT(tolk_matrix_console(m, 0, 0)->b_channel, 3);
    CHECK_INT(tolk_matrix_console(m, 1, 0)->b_channel, -1);
    CHECK(tolk_matrix_console(m, 1, 1) == NULL);
    CHECK(tolk_matrix_console(m, 2, 0) == NULL);
    CHECK(!tolk_matrix_console_is_live(m, 9, 0));
    CHECK_INT(tolk_matrix_console_hears(m, 1, 1), -1);
    for (int c = 0; c <= 3; c++)
        CHECK(channel_is(m, c, TOLK_SOURCE_FLOOR, -1, -1, TOLK_QUALITY_FLOOR));
    CHECK_INT(tolk_matrix_channel(m, 4).quality, TOLK_QUALITY_NONE);

    tolk_route route;
    tolk_matrix_route(m, &route);
    for (int c = 0; c <= 3; c++)
        CHECK_FLOAT(route.channel[c].floor_gain, 1.0);
    CHECK_FLOAT(route.channel[4].floor_gain, 0.0);
    tolk_matrix_free(m);

    tolk_matrix_free(tolk_matrix_new(&cfg, NULL));
}

static void channel_errors(void)
{
    tolk_matrix_config cfg = small_config();
    cfg.channel_count = 0;
    REFUSED(cfg, "channels");
    cfg.channel_count = TOLK_MAX_CHANNELS + 1;
    REFUSED(cfg, "channels");

    const char *bad_names[] = {"e", "EN", "e1", "", "en ", "éé"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        cfg = small_config();
        snprintf(cfg.channels[2], TOLK_LANG_SIZE, "%s", bad_names[i]);
        REFUSED(cfg, "channels");
    }
    cfg = small_config();
    memcpy(cfg.channels[1], "abcd", 4); /* no terminating NUL */
    REFUSED(cfg, "channels");
    cfg = small_config();
    snprintf(cfg.channels[3], TOLK_LANG_SIZE, "de");
    REFUSED(cfg, "channels");

    tolk_result err;
    tolk_matrix_new(&cfg, &err);
    CHECK_STR(err.message, "channel de is listed twice in channels");
    CHECK_STR(err.code, "invalid_value");
}

static void booth_errors(void)
{
    tolk_matrix_config cfg = small_config();
    cfg.booths[1].channel = 4;
    REFUSED(cfg, "booths[1].language");
    cfg.booths[1].channel = 0;
    REFUSED(cfg, "booths[1].language");
    cfg.booths[1].channel = 2; /* a second booth for en */
    REFUSED(cfg, "booths[1].language");

    cfg = small_config();
    cfg.booths[0].console_count = 0;
    REFUSED(cfg, "booths[0].consoles");
    cfg.booths[0].console_count = 7;
    REFUSED(cfg, "booths[0].consoles");

    cfg = small_config();
    cfg.booths[0].b_channels[0] = 2; /* its own language */
    REFUSED(cfg, "booths[0].b_channels[0]");
    cfg.booths[0].b_channels[0] = 4;
    REFUSED(cfg, "booths[0].b_channels[0]");
    cfg.booths[0].b_channels[0] = 0; /* the floor is no B channel */
    REFUSED(cfg, "booths[0].b_channels[0]");
    cfg = small_config();
    cfg.booths[0].b_count = 2;
    cfg.booths[0].b_channels[1] = 3;
    REFUSED(cfg, "booths[0].b_channels[1]");
    cfg.booths[0].b_count = -1;
    REFUSED(cfg, "booths[0].b_channels");

    cfg = small_config();
    cfg.booth_count = 4; /* more booths than channels: one of them repeats or is no channel */
    REFUSED(cfg, "booths[2].language");
    cfg.booth_count = TOLK_MAX_BOOTHS + 1;
    REFUSED(cfg, "booths");
    cfg.booth_count = -1;
    REFUSED(cfg, "booths");
    cfg.booth_count = 0; /* a session without booths is fine */
    tolk_matrix *m = tolk_matrix_new(&cfg, NULL);
    CHECK(m != NULL);
    tolk_matrix_free(m);
}

static void field_names_reach_the_last_booth(void)
{
    tolk_matrix_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.channel_count = TOLK_MAX_CHANNELS;
    for (int c = 1; c <= TOLK_MAX_CHANNELS; c++) {
        cfg.channels[c][0] = (char)('a' + (c - 1) / 26);
        cfg.channels[c][1] = (char)('a' + (c - 1) % 26);
        config_booth(&cfg, c, TOLK_MAX_CONSOLES, 1, (int[]){c == 1 ? 2 : 1});
    }
    tolk_matrix *m = tolk_matrix_new(&cfg, NULL);
    CHECK(m != NULL);
    tolk_matrix_free(m);
    cfg.booths[63].console_count = 9;
    REFUSED(cfg, "booths[63].consoles");
    cfg.booths[63].console_count = 1;
    cfg.booths[12].channel = 99;
    REFUSED(cfg, "booths[12].language");
    cfg.booths[12].channel = 13;
    cfg.booths[40].b_channels[0] = 41;
    REFUSED(cfg, "booths[40].b_channels[0]");
}

/* The request parser has no cross-field checks of its own: these are the messages the API
 * answers (POST /api/v1/sessions), so they must read as they always did. */
static void expect_message(const tolk_matrix_config *cfg, const char *field, const char *message, int line)
{
    tolk_result err;
    memset(&err, 0, sizeof err);
    CHECK(!tolk_config_validate(cfg, &err));
    if (strcmp(err.field, field) != 0 || strcmp(err.message, message) != 0 || strcmp(err.code, "invalid_value")) {
        fprintf(stderr, "%s:%d: got %s \"%s\", want %s \"%s\"\n", __FILE__, line, err.field, err.message, field,
                message);
        test_failures++;
    }
}
#define MESSAGE(cfg, field, message) expect_message(&(cfg), field, message, __LINE__)

static void api_messages(void)
{
    tolk_matrix_config cfg = small_config();
    cfg.booths[1].channel = -1; /* the parser's index of a name that is no channel */
    MESSAGE(cfg, "booths[1].language", "Field \"booths[1].language\" must be one of the channels.");
    cfg.booths[1].channel = 2;
    MESSAGE(cfg, "booths[1].language",
            "Field \"booths[1].language\" repeats the booth \"en\": one booth per language.");
    cfg = small_config();
    cfg.booths[0].b_channels[0] = -1;
    MESSAGE(cfg, "booths[0].b_channels[0]", "Field \"booths[0].b_channels[0]\" must be one of the channels.");
    cfg.booths[0].b_channels[0] = 2;
    MESSAGE(cfg, "booths[0].b_channels[0]",
            "Field \"booths[0].b_channels[0]\" must not be the booth's own language.");
    cfg = small_config();
    cfg.booths[0].b_count = 2;
    cfg.booths[0].b_channels[1] = 3;
    MESSAGE(cfg, "booths[0].b_channels[1]", "Field \"booths[0].b_channels[1]\" repeats \"fr\".");
    cfg = small_config();
    CHECK(tolk_config_validate(&cfg, NULL));
}

static void setting_errors(void)
{
    tolk_matrix_config cfg = small_config();
    cfg.original_under = true;
    cfg.original_under_db = -61;
    REFUSED(cfg, "original_under_db");
    cfg.original_under_db = 0.5;
    REFUSED(cfg, "original_under_db");
    cfg.original_under_db = NAN;
    REFUSED(cfg, "original_under_db");
    cfg.original_under = false; /* the level is ignored while off */
    tolk_matrix *m = tolk_matrix_new(&cfg, NULL);
    CHECK(m != NULL);
    tolk_matrix_free(m);

    cfg = small_config();
    cfg.interlock = (tolk_interlock)3;
    REFUSED(cfg, "interlock");
    cfg = small_config();
    cfg.idle_channel = (tolk_idle)2;
    REFUSED(cfg, "idle_channel");

    tolk_result err;
    CHECK(tolk_matrix_new(NULL, &err) == NULL);
    CHECK_INT(err.status, TOLK_ERR_INVALID);
}

static void lookups(void)
{
    tolk_matrix_config cfg = small_config();
    tolk_matrix *m = tolk_matrix_new(&cfg, NULL);
    CHECK_INT(tolk_matrix_channel_index(m, "floor"), 0);
    CHECK_INT(tolk_matrix_channel_index(m, "de"), 1);
    CHECK_INT(tolk_matrix_channel_index(m, "fr"), 3);
    CHECK_INT(tolk_matrix_channel_index(m, "xx"), -1);
    CHECK_INT(tolk_matrix_channel_index(m, NULL), -1);
    CHECK_INT(tolk_matrix_booth_index(m, "en"), 0);
    CHECK_INT(tolk_matrix_booth_index(m, "fr"), 1);
    CHECK_INT(tolk_matrix_booth_index(m, "de"), -1);
    CHECK_INT(tolk_matrix_booth_index(m, "floor"), -1);
    CHECK_STR(tolk_matrix_channel_name(m, 0), "floor");
    CHECK_STR(tolk_matrix_channel_name(m, 2), "en");
    CHECK(tolk_matrix_channel_name(m, 4) == NULL);
    CHECK(tolk_matrix_channel_name(m, -1) == NULL);
    CHECK_INT(tolk_matrix_config_get(m)->channel_count, 3);
    tolk_matrix_free(m);
}

static void names_both_ways(void)
{
    CHECK_STR(tolk_interlock_name(TOLK_INTERLOCK_NO_OVERRIDE), "no-override");
    CHECK_STR(tolk_interlock_name(TOLK_INTERLOCK_OVERRIDE), "override");
    CHECK_STR(tolk_interlock_name(TOLK_INTERLOCK_FREE), "free");
    CHECK_STR(tolk_idle_name(TOLK_IDLE_FLOOR), "floor");
    CHECK_STR(tolk_idle_name(TOLK_IDLE_SILENCE), "silence");
    CHECK_STR(tolk_mic_name(TOLK_MIC_OFF), "off");
    CHECK_STR(tolk_mic_name(TOLK_MIC_ON), "on");
    CHECK_STR(tolk_mic_name(TOLK_MIC_MUTED), "muted");
    CHECK_STR(tolk_quality_name(TOLK_QUALITY_FLOOR), "floor");
    CHECK_STR(tolk_quality_name(TOLK_QUALITY_PLUS), "+");
    CHECK_STR(tolk_quality_name(TOLK_QUALITY_MINUS), "-");
    CHECK(tolk_quality_name(TOLK_QUALITY_NONE) == NULL);

    tolk_interlock il = TOLK_INTERLOCK_NO_OVERRIDE;
    CHECK(tolk_interlock_parse("free", &il) && il == TOLK_INTERLOCK_FREE);
    CHECK(tolk_interlock_parse("no-override", &il) && il == TOLK_INTERLOCK_NO_OVERRIDE);
    CHECK(!tolk_interlock_parse("Free", &il) && il == TOLK_INTERLOCK_NO_OVERRIDE);
    CHECK(!tolk_interlock_parse(NULL, &il));
    tolk_idle idle = TOLK_IDLE_FLOOR;
    CHECK(tolk_idle_parse("silence", &idle) && idle == TOLK_IDLE_SILENCE);
    CHECK(!tolk_idle_parse("", &idle));
    tolk_mic mic = TOLK_MIC_OFF;
    CHECK(tolk_mic_parse("muted", &mic) && mic == TOLK_MIC_MUTED);
    CHECK(tolk_mic_parse("on", &mic) && mic == TOLK_MIC_ON);
    CHECK(!tolk_mic_parse("mute", &mic) && mic == TOLK_MIC_ON);
}

int main(void)
{
    static const test_case tests[] = {
        TEST(valid_config_starts_quiet),
        TEST(channel_errors),
        TEST(booth_errors),
        TEST(api_messages),
        TEST(field_names_reach_the_last_booth),
        TEST(setting_errors),
        TEST(lookups),
        TEST(names_both_ways),
    };
    return RUN_TESTS(tests);
}
