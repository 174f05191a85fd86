/* SPDX-License-Identifier: EUPL-1.2 */
/* Rules 2, 3, 6: listen sources, auto-relay, quality tags, idle channels,
 * original under, refused patches, session settings. */
#include "test_util.h"

static tolk_events ev;

static tolk_result patch_b_live(tolk_matrix *m, int booth, int console, int b_channel)
{
    tolk_console_patch p = {.has_mic = true, .mic = TOLK_MIC_ON, .has_output = true, .output = TOLK_OUTPUT_B,
                            .has_b_channel = true, .b_channel = b_channel};
    return tolk_matrix_patch_console(m, booth, console, &p, &ev);
}

static void auto_hears_the_floor_without_a_retour(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_listen(m, B_FR, 0, TOLK_LISTEN_AUTO, &ev);
    CHECK_INT(tolk_matrix_console_hears(m, B_FR, 0), TOLK_FLOOR);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev); /* an A channel is no retour */
    CHECK_INT(tolk_matrix_console_hears(m, B_FR, 0), TOLK_FLOOR);
    tolk_matrix_free(m);
}

static void auto_follows_a_live_retour(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    for (int b = 0; b < 5; b++)
        for (int c = 0; c < 2; c++)
            set_listen(m, b, c, TOLK_LISTEN_AUTO, &ev);
    set_mic(m, B_FI, 0, TOLK_MIC_ON, &ev);
    CHECK(channel_is(m, FI, TOLK_SOURCE_CONSOLE, B_FI, 0, TOLK_QUALITY_PLUS));

    tolk_result r = patch_b_live(m, B_MT, 0, EN); /* mt gives a retour into en */
    CHECK_INT(r.status, TOLK_OK);
    CHECK_INT(tolk_matrix_console_hears(m, B_FR, 0), EN);
    CHECK_INT(tolk_matrix_console_hears(m, B_DE, 1), EN);
    CHECK_INT(tolk_matrix_console_hears(m, B_FI, 0), EN);
    CHECK_INT(tolk_matrix_console_hears(m, B_MT, 1), TOLK_FLOOR); /* the producing booth */
    CHECK_INT(tolk_matrix_console_hears(m, B_MT, 0), TOLK_FLOOR);
    CHECK_INT(tolk_matrix_console_hears(m, B_EN, 0), TOLK_FLOOR); /* en is its own output */
    /* fi/1 now relays: its channel becomes '-' and that is reported. */
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_MT, 0, TOLK_QUALITY_PLUS));
    CHECK(channel_is(m, FI, TOLK_SOURCE_CONSOLE, B_FI, 0, TOLK_QUALITY_MINUS));
    CHECK(has_channel_event(&ev, EN) && has_channel_event(&ev, FI));
    CHECK_INT(count_events(&ev, TOLK_EVENT_CHANNEL), 2);

    tolk_route route;
    tolk_matrix_route(m, &route);
    CHECK_INT(route.console_hears[TOLK_SLOT(B_FR, 0)], EN);
    CHECK_INT(route.console_hears[TOLK_SLOT(B_MT, 1)], TOLK_FLOOR);
    CHECK_INT(route.console_hears[TOLK_SLOT(B_FR, 2)], 0); /* no such console */

    /* The retour ends: back to the floor, fi is '+' again. */
    set_mic(m, B_MT, 0, TOLK_MIC_OFF, &ev);
    CHECK_INT(tolk_matrix_console_hears(m, B_FR, 0), TOLK_FLOOR);
    CHECK(channel_is(m, FI, TOLK_SOURCE_CONSOLE, B_FI, 0, TOLK_QUALITY_PLUS));
    CHECK(has_channel_event(&ev, FI));
    tolk_matrix_free(m);
}

static void the_most_recent_retour_wins(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    for (int b = 0; b < 5; b++)
        set_listen(m, b, 1, TOLK_LISTEN_AUTO, &ev);
    CHECK_INT(patch_b_live(m, B_MT, 0, EN).status, TOLK_OK);
    CHECK_INT(patch_b_live(m, B_DE, 0, FR).status, TOLK_OK);
    CHECK_INT(tolk_matrix_console_hears(m, B_FI, 1), FR);
    CHECK_INT(tolk_matrix_console_hears(m, B_MT, 1), FR);
    CHECK_INT(tolk_matrix_console_hears(m, B_EN, 1), FR);
    /* Excluded from the newest, they get the other retour rather than the floor. */
    CHECK_INT(tolk_matrix_console_hears(m, B_DE, 1), EN);
    CHECK_INT(tolk_matrix_console_hears(m, B_FR, 1), EN);

    /* A cough is no new engagement: the order stays. */
    set_mic(m, B_MT, 0, TOLK_MIC_MUTED, &ev);
    set_mic(m, B_MT, 0, TOLK_MIC_ON, &ev);
    CHECK_INT(tolk_matrix_console_hears(m, B_FI, 1), FR);

    /* Handing over re-engages en: it is the newest now. */
    set_output(m, B_MT, 1, TOLK_OUTPUT_B, &ev);
    CHECK_INT(set_mic(m, B_MT, 1, TOLK_MIC_ON, &ev).status, TOLK_OK);
    CHECK_INT(tolk_matrix_console_hears(m, B_FI, 1), EN);

    set_mic(m, B_MT, 1, TOLK_MIC_OFF, &ev);
    CHECK_INT(tolk_matrix_console_hears(m, B_FI, 1), FR);
    set_mic(m, B_DE, 0, TOLK_MIC_OFF, &ev);
    CHECK_INT(tolk_matrix_console_hears(m, B_FI, 1), TOLK_FLOOR);
    tolk_matrix_free(m);
}

static void auto_in_free_mode_skips_its_own_channel(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_FREE);
    set_listen(m, B_EN, 0, TOLK_LISTEN_AUTO, &ev);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    CHECK_INT(patch_b_live(m, B_MT, 0, EN).status, TOLK_OK);
    CHECK_INT(tolk_matrix_console_hears(m, B_EN, 0), TOLK_FLOOR);
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_EN, 0, TOLK_QUALITY_PLUS));
    tolk_matrix_free(m);
}

static void relay_chain_tags(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_mic(m, B_MT, 0, TOLK_MIC_ON, &ev);                   /* floor -> mt: + */
    set_listen(m, B_EN, 0, MT, &ev);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);                   /* mt -> en: - */
    set_listen(m, B_FI, 0, EN, &ev);
    set_mic(m, B_FI, 0, TOLK_MIC_ON, &ev);                   /* en -> fi: - */
    CHECK(channel_is(m, MT, TOLK_SOURCE_CONSOLE, B_MT, 0, TOLK_QUALITY_PLUS));
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_EN, 0, TOLK_QUALITY_MINUS));
    CHECK(channel_is(m, FI, TOLK_SOURCE_CONSOLE, B_FI, 0, TOLK_QUALITY_MINUS));

    /* A console listening to an idle channel hears the floor: '+'. */
    set_listen(m, B_FR, 0, DE, &ev);
    set_mic(m, B_FR, 0, TOLK_MIC_ON, &ev);
    CHECK(channel_is(m, FR, TOLK_SOURCE_CONSOLE, B_FR, 0, TOLK_QUALITY_PLUS));

    /* Listen changes of a live carrier change its channel's tag, and only that. */
    set_listen(m, B_EN, 0, TOLK_LISTEN_FLOOR, &ev);
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_EN, 0, TOLK_QUALITY_PLUS));
    CHECK_INT(ev.count, 1);
    CHECK(has_channel_event(&ev, EN));
    CHECK(channel_is(m, FI, TOLK_SOURCE_CONSOLE, B_FI, 0, TOLK_QUALITY_MINUS));

    /* The relayed channel goes idle (floor): fi hears the floor through it. */
    set_mic(m, B_EN, 0, TOLK_MIC_OFF, &ev);
    CHECK(channel_is(m, FI, TOLK_SOURCE_CONSOLE, B_FI, 0, TOLK_QUALITY_PLUS));
    CHECK(has_channel_event(&ev, EN) && has_channel_event(&ev, FI));

    /* A listen change of an off console changes no channel. */
    set_listen(m, B_EN, 1, FR, &ev);
    CHECK_INT(ev.count, 0);
    tolk_matrix_free(m);
}

static void relay_cycle_is_minus(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_listen(m, B_EN, 0, FR, &ev);
    set_listen(m, B_FR, 0, EN, &ev);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    set_mic(m, B_FR, 0, TOLK_MIC_ON, &ev);
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_EN, 0, TOLK_QUALITY_MINUS));
    CHECK(channel_is(m, FR, TOLK_SOURCE_CONSOLE, B_FR, 0, TOLK_QUALITY_MINUS));
    tolk_matrix_free(m);
}

static void idle_channel_floor_or_silence(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_listen(m, B_FR, 0, DE, &ev);
    set_mic(m, B_FR, 0, TOLK_MIC_ON, &ev);
    tolk_route route;
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[DE].floor_gain, 1.0);

    tolk_matrix_set_idle_channel(m, TOLK_IDLE_SILENCE, &ev);
    CHECK_STR(tolk_idle_name(tolk_matrix_config_get(m)->idle_channel), "silence");
    /* Every idle channel changes, and fr, whose interpreter now hears silence. */
    CHECK_INT(ev.count, 5);
    CHECK(has_channel_event(&ev, DE) && has_channel_event(&ev, EN) && has_channel_event(&ev, MT) &&
          has_channel_event(&ev, FI) && has_channel_event(&ev, FR));
    CHECK(!has_channel_event(&ev, TOLK_FLOOR));
    CHECK(channel_is(m, DE, TOLK_SOURCE_SILENCE, -1, -1, TOLK_QUALITY_NONE));
    CHECK(channel_is(m, FR, TOLK_SOURCE_CONSOLE, B_FR, 0, TOLK_QUALITY_MINUS));
    CHECK(channel_is(m, TOLK_FLOOR, TOLK_SOURCE_FLOOR, -1, -1, TOLK_QUALITY_FLOOR));
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[DE].floor_gain, 0.0);
    CHECK_FLOAT(route.channel[TOLK_FLOOR].floor_gain, 1.0);
    for (int s = 0; s < TOLK_MAX_SLOTS; s++)
        CHECK(route.channel[DE].console_gain[s] == 0.0f && route.channel[TOLK_FLOOR].console_gain[s] == 0.0f);

    tolk_matrix_set_idle_channel(m, TOLK_IDLE_SILENCE, &ev);
    CHECK_INT(ev.count, 0);
    tolk_matrix_set_idle_channel(m, TOLK_IDLE_FLOOR, &ev);
    CHECK_INT(ev.count, 5);
    CHECK(channel_is(m, DE, TOLK_SOURCE_FLOOR, -1, -1, TOLK_QUALITY_FLOOR));
    tolk_matrix_free(m);
}

static void original_under_gain(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    tolk_route route;
    tolk_matrix_set_original_under(m, true, -20.0, &ev);
    CHECK_INT(ev.count, 0); /* the states do not change, only the gains */
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[EN].floor_gain, 0.1);
    CHECK_FLOAT(route.channel[EN].console_gain[TOLK_SLOT(B_EN, 0)], 1.0);
    CHECK_FLOAT(route.channel[FR].floor_gain, 1.0); /* idle: the floor at full level */

    tolk_matrix_set_original_under(m, true, -6.0, &ev);
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[EN].floor_gain, 0.5011872336);
    tolk_matrix_set_original_under(m, true, 0.0, &ev);
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[EN].floor_gain, 1.0);
    tolk_matrix_set_original_under(m, true, -200.0, &ev); /* clamped to -60 */
    CHECK_FLOAT(tolk_matrix_config_get(m)->original_under_db, -60.0);
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[EN].floor_gain, 0.001);

    tolk_matrix_set_original_under(m, false, 0.0, &ev);
    CHECK(!tolk_matrix_config_get(m)->original_under);
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[EN].floor_gain, 0.0);
    tolk_matrix_free(m);
}

static void interlock_setting_has_no_channel_events(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    tolk_matrix_set_interlock(m, TOLK_INTERLOCK_FREE, &ev);
    CHECK_INT(ev.count, 0);
    CHECK_INT(tolk_matrix_config_get(m)->interlock, TOLK_INTERLOCK_FREE);
    CHECK_INT(patch_b_live(m, B_MT, 0, EN).status, TOLK_OK);
    tolk_matrix_set_interlock(m, TOLK_INTERLOCK_NO_OVERRIDE, &ev);
    CHECK_INT(tolk_matrix_config_get(m)->interlock, TOLK_INTERLOCK_NO_OVERRIDE);
    CHECK_INT(live_count(m), 2);
    tolk_matrix_free(m);
}

static void listen_own_channel_is_refused(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    tolk_result r = set_listen(m, B_EN, 0, EN, &ev);
    CHECK_INT(r.status, TOLK_ERR_INVALID);
    CHECK_STR(r.code, "listen_own_channel");
    CHECK_STR(r.field, "listen");
    CHECK_STR(r.message, "console en/1 cannot listen to channel en, which it speaks into");
    CHECK_INT(tolk_matrix_console(m, B_EN, 0)->listen, TOLK_LISTEN_FLOOR);

    /* Its B channel is fine while it speaks into A... */
    CHECK_INT(set_listen(m, B_EN, 0, FR, &ev).status, TOLK_OK);
    /* ...but not once the output moves there. */
    struct tolk_matrix before;
    memcpy(&before, m, sizeof before);
    r = set_output(m, B_EN, 0, TOLK_OUTPUT_B, &ev);
    CHECK_INT(r.status, TOLK_ERR_INVALID);
    CHECK_STR(r.code, "listen_own_channel");
    CHECK(memcmp(&before, m, sizeof before) == 0);

    /* Moving output and listen in one patch is fine. */
    tolk_console_patch p = {.has_output = true, .output = TOLK_OUTPUT_B, .has_listen = true, .listen = EN};
    CHECK_INT(tolk_matrix_patch_console(m, B_EN, 0, &p, &ev).status, TOLK_OK);
    CHECK_INT(set_listen(m, B_EN, 0, FR, &ev).status, TOLK_ERR_INVALID);

    /* Via b_channel: de/1 speaks into B en and listens to fr; b_channel fr is refused. */
    set_output(m, B_DE, 0, TOLK_OUTPUT_B, &ev);
    set_listen(m, B_DE, 0, FR, &ev);
    r = set_b_channel(m, B_DE, 0, FR, &ev);
    CHECK_INT(r.status, TOLK_ERR_INVALID);
    CHECK_STR(r.code, "listen_own_channel");
    CHECK_INT(tolk_matrix_console(m, B_DE, 0)->b_channel, EN);
    tolk_matrix_free(m);
}

static void invalid_values_are_refused(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    struct tolk_matrix before;
    memcpy(&before, m, sizeof before);

    tolk_result r = set_b_channel(m, B_EN, 0, MT, &ev);
    CHECK_INT(r.status, TOLK_ERR_INVALID);
    CHECK_STR(r.code, "invalid_b_channel");
    CHECK_STR(r.field, "b_channel");
    CHECK_STR(r.message, "b_channel is not one of the B channels of booth en");
    CHECK_STR(set_b_channel(m, B_EN, 0, EN, &ev).code, "invalid_b_channel");
    CHECK_STR(set_b_channel(m, B_EN, 0, -1, &ev).code, "invalid_b_channel");
    CHECK_STR(set_b_channel(m, B_FR, 0, EN, &ev).code, "invalid_b_channel");

    r = set_output(m, B_FR, 0, TOLK_OUTPUT_B, &ev);
    CHECK_INT(r.status, TOLK_ERR_INVALID);
    CHECK_STR(r.field, "output");
    CHECK_STR(r.message, "output B needs a B channel and booth fr has none");
    CHECK_STR(set_output(m, B_EN, 0, (tolk_output)2, &ev).field, "output");

    CHECK_STR(set_listen(m, B_EN, 0, 6, &ev).field, "listen");
    CHECK_STR(set_listen(m, B_EN, 0, -2, &ev).code, "invalid_listen");
    CHECK_STR(set_mic(m, B_EN, 0, (tolk_mic)3, &ev).field, "mic");

    /* A valid mic change bundled with a bad field: nothing happens at all. */
    tolk_console_patch p = {.has_mic = true, .mic = TOLK_MIC_OFF, .has_listen = true, .listen = 99};
    r = tolk_matrix_patch_console(m, B_EN, 0, &p, &ev);
    CHECK_STR(r.field, "listen");
    CHECK_INT(ev.count, 0);
    CHECK(memcmp(&before, m, sizeof before) == 0);
    tolk_matrix_free(m);
}

static void a_live_console_moves_between_a_and_b(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_mic(m, B_DE, 0, TOLK_MIC_ON, &ev);
    tolk_result r = set_output(m, B_DE, 0, TOLK_OUTPUT_B, &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK(channel_is(m, DE, TOLK_SOURCE_FLOOR, -1, -1, TOLK_QUALITY_FLOOR));
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_DE, 0, TOLK_QUALITY_PLUS));
    CHECK_INT(count_events(&ev, TOLK_EVENT_MIC), 0);
    CHECK(has_channel_event(&ev, DE) && has_channel_event(&ev, EN));

    r = set_b_channel(m, B_DE, 0, FR, &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK(channel_is(m, EN, TOLK_SOURCE_FLOOR, -1, -1, TOLK_QUALITY_FLOOR));
    CHECK(channel_is(m, FR, TOLK_SOURCE_CONSOLE, B_DE, 0, TOLK_QUALITY_PLUS));

    /* The interlock is checked on the new channel. */
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    struct tolk_matrix before;
    memcpy(&before, m, sizeof before);
    r = set_b_channel(m, B_DE, 0, EN, &ev);
    CHECK_INT(r.status, TOLK_ERR_ENGAGED);
    CHECK_STR(r.message, "channel en is engaged by console en/1");
    CHECK(memcmp(&before, m, sizeof before) == 0);
    tolk_matrix_free(m);
}

int main(void)
{
    static const test_case tests[] = {
        TEST(auto_hears_the_floor_without_a_retour),
        TEST(auto_follows_a_live_retour),
        TEST(the_most_recent_retour_wins),
        TEST(auto_in_free_mode_skips_its_own_channel),
        TEST(relay_chain_tags),
        TEST(relay_cycle_is_minus),
        TEST(idle_channel_floor_or_silence),
        TEST(original_under_gain),
        TEST(interlock_setting_has_no_channel_events),
        TEST(listen_own_channel_is_refused),
        TEST(invalid_values_are_refused),
        TEST(a_live_console_moves_between_a_and_b),
    };
    return RUN_TESTS(tests);
}
