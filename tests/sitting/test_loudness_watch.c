/* SPDX-License-Identifier: EUPL-1.2 */
/* The loudness watch against a fake count source: a grown count is one warning per poll
 * for exactly that channel or return feed, the totals add up (also when the media starts
 * counting again), and the event data names the channel or console. */
#include "loudness_watch.h"

#include <glib.h>
#include <string.h>

/* The media as the watch sees it: counts and last levels by channel and slot. */
typedef struct {
    uint64_t channel[TOLK_MAX_CHANNELS + 1], feed[TOLK_MAX_SLOTS];
    double level;
} fake_media;

static uint64_t fake_count(void *ctx, int channel, int slot, double *level_db)
{
    fake_media *m = ctx;
    g_assert_true((channel < 0) != (slot < 0));
    *level_db = m->level;
    return slot >= 0 ? m->feed[slot] : m->channel[channel];
}

/* What the watch reported in one poll, as event texts. */
typedef struct {
    const tolk_matrix_config *cfg;
    GPtrArray *events;
} reports;

static void record(void *ctx, int channel, int slot, double level_db)
{
    reports *r = ctx;
    json_object *data = tolk_loudness_warning_json(r->cfg, channel, slot, level_db);
    g_ptr_array_add(r->events, g_strdup(json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN)));
    json_object_put(data);
}

/* floor, de, en; booth en (channel 2) with 2 consoles, booth de with 1. */
static void two_booths(tolk_matrix_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->channel_count = 2;
    strcpy(cfg->channels[1], "de");
    strcpy(cfg->channels[2], "en");
    cfg->booth_count = 2;
    cfg->booths[0] = (tolk_booth_config){.channel = 2, .console_count = 2};
    cfg->booths[1] = (tolk_booth_config){.channel = 1, .console_count = 1};
}

static GPtrArray *poll(tolk_loudness_watch *w, const tolk_matrix_config *cfg, fake_media *m)
{
    reports r = {cfg, g_ptr_array_new_with_free_func(g_free)};
    tolk_loudness_watch_poll(w, cfg, fake_count, m, record, &r);
    return r.events;
}

static void assert_events(GPtrArray *events, const char *const *want)
{
    guint n = 0;
    while (want[n])
        n++;
    g_assert_cmpuint(events->len, ==, n);
    for (guint i = 0; i < n; i++)
        g_assert_cmpstr(g_ptr_array_index(events, i), ==, want[i]);
    g_ptr_array_unref(events);
}

static void test_new_counts_become_events(void)
{
    tolk_matrix_config cfg;
    two_booths(&cfg);
    tolk_loudness_watch w = {0};
    fake_media m = {.level = -9.04};
    assert_events(poll(&w, &cfg, &m), (const char *[]){NULL});
    m.channel[2] = 1;
    m.feed[TOLK_SLOT(0, 1)] = 3; /* several since the last poll: one event, three counted */
    assert_events(poll(&w, &cfg, &m), (const char *[]){"{\"channel\":\"en\",\"level_db\":-9.0}",
                                                       "{\"console\":\"en\\/2\",\"level_db\":-9.0}", NULL});
    /* Nothing new: nothing said, however long the count stays. */
    assert_events(poll(&w, &cfg, &m), (const char *[]){NULL});
    m.channel[0] = 1;
    m.feed[TOLK_SLOT(1, 0)] = 1;
    m.level = -3.46;
    assert_events(poll(&w, &cfg, &m), (const char *[]){"{\"channel\":\"floor\",\"level_db\":-3.5}",
                                                       "{\"console\":\"de\\/1\",\"level_db\":-3.5}", NULL});
    g_assert_cmpuint(tolk_loudness_watch_total(&w, 2, -1), ==, 1);
    g_assert_cmpuint(tolk_loudness_watch_total(&w, 0, -1), ==, 1);
    g_assert_cmpuint(tolk_loudness_watch_total(&w, 1, -1), ==, 0);
    g_assert_cmpuint(tolk_loudness_watch_total(&w, -1, TOLK_SLOT(0, 1)), ==, 3);
    g_assert_cmpuint(tolk_loudness_watch_total(&w, -1, TOLK_SLOT(0, 0)), ==, 0);
    g_assert_cmpuint(tolk_loudness_watch_total(&w, -1, TOLK_SLOT(1, 0)), ==, 1);
}

/* Slots of consoles the configuration does not have are never read nor reported. */
static void test_only_configured_streams(void)
{
    tolk_matrix_config cfg;
    two_booths(&cfg);
    tolk_loudness_watch w = {0};
    fake_media m = {.level = -1.0};
    m.feed[TOLK_SLOT(0, 2)] = 5; /* booth en has 2 consoles */
    m.feed[TOLK_SLOT(2, 0)] = 5; /* there is no third booth */
    m.channel[3] = 5;            /* nor a third channel */
    assert_events(poll(&w, &cfg, &m), (const char *[]){NULL});
    g_assert_cmpuint(tolk_loudness_watch_total(&w, -1, TOLK_SLOT(0, 2)), ==, 0);
}

/* A stream the media rebuilt counts from 0 again: the total keeps growing. */
static void test_count_restart_keeps_total(void)
{
    tolk_matrix_config cfg;
    two_booths(&cfg);
    tolk_loudness_watch w = {0};
    fake_media m = {.level = -8.0};
    m.channel[1] = 4;
    assert_events(poll(&w, &cfg, &m), (const char *[]){"{\"channel\":\"de\",\"level_db\":-8.0}", NULL});
    m.channel[1] = 1;
    assert_events(poll(&w, &cfg, &m), (const char *[]){"{\"channel\":\"de\",\"level_db\":-8.0}", NULL});
    m.channel[1] = 0;
    assert_events(poll(&w, &cfg, &m), (const char *[]){NULL});
    g_assert_cmpuint(tolk_loudness_watch_total(&w, 1, -1), ==, 5);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sitting/loudness/new-counts-become-events", test_new_counts_become_events);
    g_test_add_func("/sitting/loudness/only-configured-streams", test_only_configured_streams);
    g_test_add_func("/sitting/loudness/count-restart-keeps-total", test_count_restart_keeps_total);
    return g_test_run();
}
