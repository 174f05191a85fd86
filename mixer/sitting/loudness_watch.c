/* SPDX-License-Identifier: EUPL-1.2 */
#include "loudness_watch.h"

#include <math.h>

/* Returns whether the stream warned since the previous poll. A count below the one seen
 * means the media began counting again: all of it is new. */
static bool advance(tolk_loudness_counter *counter, uint64_t count)
{
    uint64_t fresh = count >= counter->seen ? count - counter->seen : count;
    counter->seen = count;
    counter->total += fresh;
    return fresh > 0;
}

static void poll_one(tolk_loudness_counter *counter, int channel, int slot, tolk_loudness_count_fn count,
                     void *count_ctx, tolk_loudness_warn_fn warn, void *warn_ctx)
{
    double level_db = -100.0;
    if (advance(counter, count(count_ctx, channel, slot, &level_db)))
        warn(warn_ctx, channel, slot, level_db);
}

void tolk_loudness_watch_poll(tolk_loudness_watch *watch, const tolk_matrix_config *cfg,
                              tolk_loudness_count_fn count, void *count_ctx, tolk_loudness_warn_fn warn,
                              void *warn_ctx)
{
    for (int ch = 0; ch <= cfg->channel_count; ch++)
        poll_one(&watch->channel[ch], ch, -1, count, count_ctx, warn, warn_ctx);
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(cfg, &in);)
        poll_one(&watch->feed[in.slot], -1, in.slot, count, count_ctx, warn, warn_ctx);
}

uint64_t tolk_loudness_watch_total(const tolk_loudness_watch *watch, int channel, int slot)
{
    if (slot >= 0 && slot < TOLK_MAX_SLOTS)
        return watch->feed[slot].total;
    if (channel >= 0 && channel <= TOLK_MAX_CHANNELS)
        return watch->channel[channel].total;
    return 0;
}

json_object *tolk_loudness_warning_json(const tolk_matrix_config *cfg, int channel, int slot, double level_db)
{
    json_object *data = json_object_new_object();
    if (slot >= 0) {
        char id[TOLK_CONSOLE_ID_SIZE];
        tolk_input_id(cfg, slot, id, sizeof id);
        json_object_object_add(data, "console", json_object_new_string(id));
    } else {
        json_object_object_add(data, "channel", json_object_new_string(tolk_config_channel_name(cfg, channel)));
    }
    /* One decimal is what a page shows; a level the media could not give is -100 (silence). */
    double shown = isfinite(level_db) ? round(level_db * 10.0) / 10.0 : -100.0;
    json_object_object_add(data, "level_db", json_object_new_double(shown));
    return data;
}
