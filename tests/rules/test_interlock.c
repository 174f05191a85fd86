/* SPDX-License-Identifier: EUPL-1.2 */
/* Rules 1, 2, 4, 5, 8: who may be live, handover, interlock modes, cough, loss of input. */
#include "test_util.h"

#include <stdlib.h>

static tolk_events ev;

static void going_live_engages_the_a_channel(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    tolk_result r = set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK(r.code == NULL && r.field[0] == '\0');
    CHECK(tolk_matrix_console_is_live(m, B_EN, 0));
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_EN, 0, TOLK_QUALITY_PLUS));
    CHECK(channel_is(m, TOLK_FLOOR, TOLK_SOURCE_FLOOR, -1, -1, TOLK_QUALITY_FLOOR));
    CHECK_INT(ev.count, 2);
    CHECK(has_event(&ev, TOLK_EVENT_MIC, B_EN, 0, -1, -1));
    CHECK(has_channel_event(&ev, EN));

    tolk_route route;
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[EN].console_gain[TOLK_SLOT(B_EN, 0)], 1.0);
    CHECK_FLOAT(route.channel[EN].floor_gain, 0.0);
    CHECK_FLOAT(route.channel[FR].floor_gain, 1.0);

    r = set_mic(m, B_EN, 0, TOLK_MIC_OFF, &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK(channel_is(m, EN, TOLK_SOURCE_FLOOR, -1, -1, TOLK_QUALITY_FLOOR));
    CHECK_INT(ev.count, 2);
    tolk_matrix_free(m);
}

static void handover_inside_a_booth(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    tolk_result r = set_mic(m, B_EN, 1, TOLK_MIC_ON, &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK(!tolk_matrix_console_is_live(m, B_EN, 0));
    CHECK(tolk_matrix_console_is_live(m, B_EN, 1));
    CHECK_INT(live_count(m), 1);
    CHECK(has_event(&ev, TOLK_EVENT_HANDOVER, B_EN, 0, B_EN, 1));
    CHECK(has_event(&ev, TOLK_EVENT_MIC, B_EN, 0, -1, -1));
    CHECK(has_event(&ev, TOLK_EVENT_MIC, B_EN, 1, -1, -1));
    CHECK_INT(count_events(&ev, TOLK_EVENT_HANDOVER), 1);
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_EN, 1, TOLK_QUALITY_PLUS));
    CHECK(has_channel_event(&ev, EN)); /* the source changed from en/1 to en/2 */

    tolk_route route;
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[EN].console_gain[TOLK_SLOT(B_EN, 0)], 0.0);
    CHECK_FLOAT(route.channel[EN].console_gain[TOLK_SLOT(B_EN, 1)], 1.0);

    /* A third partner takes over from the second; the interlock never blocks a handover. */
    r = set_mic(m, B_EN, 2, TOLK_MIC_MUTED, &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK_INT(live_count(m), 1);
    CHECK(has_event(&ev, TOLK_EVENT_HANDOVER, B_EN, 1, B_EN, 2));
    tolk_matrix_free(m);
}

static void handover_to_a_partner_on_the_b_channel(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    set_output(m, B_EN, 1, TOLK_OUTPUT_B, &ev);
    tolk_result r = set_mic(m, B_EN, 1, TOLK_MIC_ON, &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK(!tolk_matrix_console_is_live(m, B_EN, 0));
    CHECK(channel_is(m, EN, TOLK_SOURCE_FLOOR, -1, -1, TOLK_QUALITY_FLOOR));
    CHECK(channel_is(m, FR, TOLK_SOURCE_CONSOLE, B_EN, 1, TOLK_QUALITY_PLUS));
    CHECK(has_channel_event(&ev, EN) && has_channel_event(&ev, FR));
    tolk_matrix_free(m);
}

static void no_override_refuses(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_mic(m, B_MT, 1, TOLK_MIC_ON, &ev);
    set_output(m, B_MT, 1, TOLK_OUTPUT_B, &ev); /* mt/2 moves onto en */
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_MT, 1, TOLK_QUALITY_PLUS));
    CHECK(channel_is(m, MT, TOLK_SOURCE_FLOOR, -1, -1, TOLK_QUALITY_FLOOR));

    struct tolk_matrix before;
    memcpy(&before, m, sizeof before);
    tolk_result r = set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    CHECK_INT(r.status, TOLK_ERR_ENGAGED);
    CHECK_STR(r.code, "channel_engaged");
    CHECK(r.field[0] == '\0');
    CHECK_STR(r.message, "channel en is engaged by console mt/2");
    CHECK_INT(ev.count, 0);
    CHECK(memcmp(&before, m, sizeof before) == 0);

    /* Muted also engages: a coughing console still holds its channel. */
    set_mic(m, B_MT, 1, TOLK_MIC_MUTED, &ev);
    r = set_mic(m, B_EN, 0, TOLK_MIC_MUTED, &ev);
    CHECK_INT(r.status, TOLK_ERR_ENGAGED);
    tolk_matrix_free(m);
}

static void refused_handover_leaves_the_partner_live(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    set_mic(m, B_FR, 0, TOLK_MIC_ON, &ev);
    set_output(m, B_EN, 1, TOLK_OUTPUT_B, &ev);
    struct tolk_matrix before;
    memcpy(&before, m, sizeof before);
    /* en/2 would hand over from en/1 but its B channel fr is held: all or nothing. */
    tolk_result r = set_mic(m, B_EN, 1, TOLK_MIC_ON, &ev);
    CHECK_INT(r.status, TOLK_ERR_ENGAGED);
    CHECK_STR(r.message, "channel fr is engaged by console fr/1");
    CHECK(tolk_matrix_console_is_live(m, B_EN, 0));
    CHECK(memcmp(&before, m, sizeof before) == 0);
    tolk_matrix_free(m);
}

static void override_takes_the_channel(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_OVERRIDE);
    set_mic(m, B_FR, 1, TOLK_MIC_ON, &ev);
    tolk_result r = tolk_matrix_patch_console(
        m, B_DE, 0, &(tolk_console_patch){.has_mic = true, .mic = TOLK_MIC_ON, .has_output = true,
                                          .output = TOLK_OUTPUT_B, .has_b_channel = true, .b_channel = FR},
        &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK(!tolk_matrix_console_is_live(m, B_FR, 1));
    CHECK(tolk_matrix_console_is_live(m, B_DE, 0));
    CHECK(has_event(&ev, TOLK_EVENT_OVERRIDDEN, B_FR, 1, B_DE, 0));
    CHECK(has_event(&ev, TOLK_EVENT_TOOK_OVER, B_DE, 0, B_FR, 1));
    CHECK(has_event(&ev, TOLK_EVENT_MIC, B_FR, 1, -1, -1));
    CHECK(has_event(&ev, TOLK_EVENT_MIC, B_DE, 0, -1, -1));
    CHECK(has_channel_event(&ev, FR));
    CHECK(!has_channel_event(&ev, DE));
    CHECK(channel_is(m, FR, TOLK_SOURCE_CONSOLE, B_DE, 0, TOLK_QUALITY_PLUS));

    tolk_route route;
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[FR].console_gain[TOLK_SLOT(B_FR, 1)], 0.0);
    CHECK_FLOAT(route.channel[FR].console_gain[TOLK_SLOT(B_DE, 0)], 1.0);
    tolk_matrix_free(m);
}

static void override_after_free_removes_every_carrier(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_FREE);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    set_output(m, B_MT, 0, TOLK_OUTPUT_B, &ev);
    set_mic(m, B_MT, 0, TOLK_MIC_ON, &ev);
    tolk_matrix_set_interlock(m, TOLK_INTERLOCK_OVERRIDE, &ev);
    CHECK_INT(ev.count, 0);
    CHECK_INT(live_count(m), 2); /* nobody is cut off by a settings change */

    set_output(m, B_DE, 1, TOLK_OUTPUT_B, &ev);
    tolk_result r = set_mic(m, B_DE, 1, TOLK_MIC_ON, &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK_INT(live_count(m), 1);
    CHECK_INT(count_events(&ev, TOLK_EVENT_OVERRIDDEN), 2);
    CHECK_INT(count_events(&ev, TOLK_EVENT_TOOK_OVER), 2);
    CHECK(has_event(&ev, TOLK_EVENT_TOOK_OVER, B_DE, 1, B_EN, 0));
    CHECK(has_event(&ev, TOLK_EVENT_TOOK_OVER, B_DE, 1, B_MT, 0));
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_DE, 1, TOLK_QUALITY_PLUS));
    tolk_matrix_free(m);
}

static void free_mixes_with_the_worst_quality(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_FREE);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    set_mic(m, B_FR, 0, TOLK_MIC_ON, &ev);
    set_listen(m, B_DE, 0, FR, &ev); /* de/1 relays from fr: an interpretation */
    set_output(m, B_DE, 0, TOLK_OUTPUT_B, &ev);
    tolk_result r = set_mic(m, B_DE, 0, TOLK_MIC_ON, &ev); /* de/1 joins en on en */
    CHECK_INT(r.status, TOLK_OK);
    CHECK_INT(count_events(&ev, TOLK_EVENT_OVERRIDDEN), 0);
    CHECK(tolk_matrix_console_is_live(m, B_EN, 0));
    /* Source: the first carrier in slot order. Quality: the worst, '-'. */
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_EN, 0, TOLK_QUALITY_MINUS));
    CHECK(has_channel_event(&ev, EN));

    tolk_route route;
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[EN].console_gain[TOLK_SLOT(B_EN, 0)], 1.0);
    CHECK_FLOAT(route.channel[EN].console_gain[TOLK_SLOT(B_DE, 0)], 1.0);
    CHECK_FLOAT(route.channel[EN].floor_gain, 0.0);

    /* The relaying carrier now hears the floor: both are '+'. */
    r = set_listen(m, B_DE, 0, TOLK_LISTEN_FLOOR, &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_EN, 0, TOLK_QUALITY_PLUS));
    CHECK_INT(ev.count, 1);
    CHECK(has_channel_event(&ev, EN));

    /* The first carrier goes: the source moves to the other one. */
    set_mic(m, B_EN, 0, TOLK_MIC_OFF, &ev);
    CHECK(channel_is(m, EN, TOLK_SOURCE_CONSOLE, B_DE, 0, TOLK_QUALITY_PLUS));
    tolk_matrix_free(m);
}

static void cough_keeps_the_channel(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_mic(m, B_FR, 0, TOLK_MIC_ON, &ev);
    tolk_result r = set_mic(m, B_FR, 0, TOLK_MIC_MUTED, &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK_INT(ev.count, 1);
    CHECK(has_event(&ev, TOLK_EVENT_MIC, B_FR, 0, -1, -1));
    CHECK(tolk_matrix_console_is_live(m, B_FR, 0));
    CHECK(channel_is(m, FR, TOLK_SOURCE_CONSOLE, B_FR, 0, TOLK_QUALITY_PLUS));

    tolk_route route;
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[FR].console_gain[TOLK_SLOT(B_FR, 0)], 0.0);
    CHECK_FLOAT(route.channel[FR].floor_gain, 0.0); /* the floor does not break in */

    /* Another booth still cannot take a coughing console's channel. */
    r = tolk_matrix_patch_console(
        m, B_DE, 0, &(tolk_console_patch){.has_mic = true, .mic = TOLK_MIC_ON, .has_output = true,
                                          .output = TOLK_OUTPUT_B, .has_b_channel = true, .b_channel = FR},
        &ev);
    CHECK_INT(r.status, TOLK_ERR_ENGAGED);

    /* With original under, the floor stays under during the cough. */
    tolk_matrix_set_original_under(m, true, -20.0, &ev);
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[FR].floor_gain, 0.1);
    CHECK_FLOAT(route.channel[FR].console_gain[TOLK_SLOT(B_FR, 0)], 0.0);

    r = set_mic(m, B_FR, 0, TOLK_MIC_ON, &ev);
    CHECK_INT(r.status, TOLK_OK);
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[FR].console_gain[TOLK_SLOT(B_FR, 0)], 1.0);
    tolk_matrix_free(m);
}

static void muted_on_an_off_console_goes_live(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    tolk_result r = set_mic(m, B_FI, 1, TOLK_MIC_MUTED, &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK(tolk_matrix_console_is_live(m, B_FI, 1));
    CHECK(channel_is(m, FI, TOLK_SOURCE_CONSOLE, B_FI, 1, TOLK_QUALITY_PLUS));
    tolk_route route;
    tolk_matrix_route(m, &route);
    CHECK_FLOAT(route.channel[FI].floor_gain, 0.0);
    CHECK_FLOAT(route.channel[FI].console_gain[TOLK_SLOT(B_FI, 1)], 0.0);
    tolk_matrix_free(m);
}

static void unchanged_patch_succeeds_quietly(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    struct tolk_matrix before;
    memcpy(&before, m, sizeof before);
    tolk_result r = set_mic(m, B_EN, 0, TOLK_MIC_ON, &ev);
    CHECK_INT(r.status, TOLK_OK);
    CHECK_INT(ev.count, 0);
    CHECK(memcmp(&before, m, sizeof before) == 0);
    r = tolk_matrix_patch_console(m, B_EN, 0, &(tolk_console_patch){0}, &ev);
    CHECK_INT(r.status, TOLK_OK);
    r = tolk_matrix_patch_console(m, B_EN, 0, NULL, NULL);
    CHECK_INT(r.status, TOLK_OK);
    CHECK(memcmp(&before, m, sizeof before) == 0);
    tolk_matrix_free(m);
}

static void unknown_console_is_not_found(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    tolk_result r = set_mic(m, B_FR, 2, TOLK_MIC_ON, &ev);
    CHECK_INT(r.status, TOLK_ERR_NOT_FOUND);
    CHECK_STR(r.code, "not_found");
    CHECK_STR(r.message, "booth fr has no console 3");
    CHECK_INT(set_mic(m, 5, 0, TOLK_MIC_ON, &ev).status, TOLK_ERR_NOT_FOUND);
    CHECK_INT(set_mic(m, -1, 0, TOLK_MIC_ON, &ev).status, TOLK_ERR_NOT_FOUND);
    CHECK_INT(set_mic(m, 0, -1, TOLK_MIC_ON, &ev).status, TOLK_ERR_NOT_FOUND);
    CHECK_INT(live_count(m), 0);
    tolk_matrix_free(m);
}

static void lost_console_goes_off(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_NO_OVERRIDE);
    set_mic(m, B_MT, 0, TOLK_MIC_ON, &ev);
    tolk_matrix_console_lost(m, B_MT, 0, &ev);
    CHECK(!tolk_matrix_console_is_live(m, B_MT, 0));
    CHECK_INT(ev.count, 3);
    CHECK(has_event(&ev, TOLK_EVENT_CONSOLE_LOST, B_MT, 0, -1, -1));
    CHECK(has_event(&ev, TOLK_EVENT_MIC, B_MT, 0, -1, -1));
    CHECK(has_channel_event(&ev, MT));
    CHECK(channel_is(m, MT, TOLK_SOURCE_FLOOR, -1, -1, TOLK_QUALITY_FLOOR));

    /* The partner can take over at once, and a lost coughing console goes off too. */
    CHECK_INT(set_mic(m, B_MT, 1, TOLK_MIC_MUTED, &ev).status, TOLK_OK);
    tolk_matrix_console_lost(m, B_MT, 1, &ev);
    CHECK_INT(count_events(&ev, TOLK_EVENT_CONSOLE_LOST), 1);
    CHECK_INT(live_count(m), 0);

    /* An off or unknown console: nothing. */
    struct tolk_matrix before;
    memcpy(&before, m, sizeof before);
    tolk_matrix_console_lost(m, B_MT, 1, &ev);
    CHECK_INT(ev.count, 0);
    tolk_matrix_console_lost(m, 40, 0, &ev);
    tolk_matrix_console_lost(m, B_MT, 6, NULL);
    CHECK(memcmp(&before, m, sizeof before) == 0);
    tolk_matrix_free(m);
}

static void events_may_be_null(void)
{
    tolk_matrix *m = plenary(TOLK_INTERLOCK_OVERRIDE);
    CHECK_INT(set_mic(m, B_EN, 0, TOLK_MIC_ON, NULL).status, TOLK_OK);
    CHECK_INT(set_mic(m, B_EN, 1, TOLK_MIC_ON, NULL).status, TOLK_OK);
    tolk_matrix_console_lost(m, B_EN, 1, NULL);
    tolk_matrix_set_idle_channel(m, TOLK_IDLE_SILENCE, NULL);
    tolk_matrix_set_original_under(m, true, -10, NULL);
    tolk_matrix_set_interlock(m, TOLK_INTERLOCK_FREE, NULL);
    CHECK_INT(live_count(m), 0);
    tolk_matrix_free(m);
}

int main(void)
{
    static const test_case tests[] = {
        TEST(going_live_engages_the_a_channel),
        TEST(handover_inside_a_booth),
        TEST(handover_to_a_partner_on_the_b_channel),
        TEST(no_override_refuses),
        TEST(refused_handover_leaves_the_partner_live),
        TEST(override_takes_the_channel),
        TEST(override_after_free_removes_every_carrier),
        TEST(free_mixes_with_the_worst_quality),
        TEST(cough_keeps_the_channel),
        TEST(muted_on_an_off_console_goes_live),
        TEST(unchanged_patch_succeeds_quietly),
        TEST(unknown_console_is_not_found),
        TEST(lost_console_goes_off),
        TEST(events_may_be_null),
    };
    return RUN_TESTS(tests);
}
