/* SPDX-License-Identifier: EUPL-1.2 */
#include "rules_internal.h"

void tolk_events_reset(tolk_events *events)
{
    if (events)
        events->count = 0;
}

static void append(tolk_events *events, tolk_event event)
{
    /* A full array drops the rest: a session's events never outgrow it in
     * practice (a patch changes at most every channel once plus a few consoles),
     * and losing a notification beats writing out of bounds. */
    if (!events || events->count < 0 || events->count >= TOLK_MAX_EVENTS)
        return;
    events->events[events->count++] = event;
}

void tolk_events_push(tolk_events *events, tolk_event_kind kind, int booth, int console,
                      int other_booth, int other_console)
{
    tolk_event e = {kind, booth, console, other_booth, other_console, -1};
    append(events, e);
}

static bool channel_state_equal(const tolk_channel_state *a, const tolk_channel_state *b)
{
    return a->source == b->source && a->booth == b->booth && a->console == b->console &&
           a->quality == b->quality;
}

void tolk_events_push_channel_changes(tolk_events *events, const tolk_channel_states *before,
                                      const tolk_channel_states *after, int channel_count)
{
    for (int c = 0; c <= channel_count; c++) {
        if (channel_state_equal(&before->channel[c], &after->channel[c]))
            continue;
        tolk_event e = {TOLK_EVENT_CHANNEL, -1, -1, -1, -1, c};
        append(events, e);
    }
}
