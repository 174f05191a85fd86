/* SPDX-License-Identifier: EUPL-1.2 */
/* The systemd watchdog pings only while the media engine makes frames: with no sitting,
 * always; with sittings, only when a frame was made since the last look. */
#include "media_watch.h"

#include <glib.h>

static void test_idle_engine_always_moves(void)
{
    tolk_media_watch w = {0};
    for (int i = 0; i < 3; i++)
        g_assert_true(tolk_media_watch_moving(&w, false, 7));
}

static void test_stuck_tick_stops_the_pings(void)
{
    tolk_media_watch w = {0};
    g_assert_true(tolk_media_watch_moving(&w, true, 100)); /* the first look: nothing to compare */
    g_assert_true(tolk_media_watch_moving(&w, true, 350));
    g_assert_false(tolk_media_watch_moving(&w, true, 350)); /* no frame in a whole interval */
    g_assert_false(tolk_media_watch_moving(&w, true, 350));
    g_assert_true(tolk_media_watch_moving(&w, true, 351)); /* moving again */
}

static void test_sittings_coming_and_going(void)
{
    tolk_media_watch w = {0};
    g_assert_true(tolk_media_watch_moving(&w, true, 10));
    g_assert_true(tolk_media_watch_moving(&w, false, 10)); /* the last sitting went: the tick waits */
    g_assert_true(tolk_media_watch_moving(&w, true, 10));  /* a new one: first look again */
    g_assert_false(tolk_media_watch_moving(&w, true, 10));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon/media-watch/idle", test_idle_engine_always_moves);
    g_test_add_func("/daemon/media-watch/stuck", test_stuck_tick_stops_the_pings);
    g_test_add_func("/daemon/media-watch/sittings-come-and-go", test_sittings_coming_and_going);
    return g_test_run();
}
